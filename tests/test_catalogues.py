"""The interface speaks both languages: every message has its French and English text."""

from pathlib import Path

import polib
import pytest
from django.conf import settings

CATALOGUES = {
    code: Path(settings.BASE_DIR, "locale", code, "LC_MESSAGES", "django.po")
    for code, _name in settings.LANGUAGES
}


@pytest.mark.parametrize("language", sorted(CATALOGUES))
def test_every_message_is_translated_and_none_is_a_guess(language):
    """A fuzzy entry is gettext's guess from a similar message ("amount" -> "country"):
    left out of the compiled catalogue, and wrong if anyone compiles it in."""
    catalogue = polib.pofile(str(CATALOGUES[language]))
    assert catalogue.untranslated_entries() == []
    assert [entry.msgid for entry in catalogue.fuzzy_entries()] == []


def test_the_english_catalogue_repeats_the_english_messages():
    catalogue = polib.pofile(str(CATALOGUES["en"]))
    differing = [
        entry.msgid
        for entry in catalogue.translated_entries()
        if not entry.msgid_plural and entry.msgstr != entry.msgid
    ]
    assert differing == []
