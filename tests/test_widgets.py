"""The filter panel's select written in Python (core.widgets.PlainSelect): the markup of
Django's own select, every value and label escaped once."""

import re

from django import forms
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from core.widgets import PlainSelect

CHOICES = [
    ("", gettext_lazy("All regions")),
    ("inde", "Inde"),
    ('a"b', "Quotes \" and ' and <tags> & co"),
    ("safe", mark_safe("<b>Bold</b>")),
    (7, "Seven"),
]


def options(html: str) -> list[str]:
    return re.findall(r"<option[^>]*>.*?</option>", html, re.S)


def test_the_plain_select_writes_the_options_djangos_select_writes():
    for value in ("inde", "7", ""):
        plain = PlainSelect(choices=CHOICES).render("region", value, attrs={"id": "region"})
        django = forms.Select(choices=CHOICES).render("region", value, attrs={"id": "region"})
        assert options(plain) == options(django), value
        assert plain.startswith('<select name="region" id="region">')


def test_values_and_labels_are_escaped_once_and_the_choice_is_selected():
    html = PlainSelect(choices=CHOICES).render("region", 'a"b')
    assert (
        '<option value="a&quot;b" selected>Quotes &quot; and &#x27; and &lt;tags&gt; &amp; co'
        "</option>"
    ) in html
    assert '<option value="safe"><b>Bold</b></option>' in html  # Marked safe: as it is.
    assert html.count(" selected") == 1


def test_labels_are_translated_in_the_visitors_language():
    with translation.override("fr"):
        assert ">Toutes les régions</option>" in PlainSelect(choices=CHOICES).render("r", "")
    with translation.override("en"):
        assert ">All regions</option>" in PlainSelect(choices=CHOICES).render("r", "")
