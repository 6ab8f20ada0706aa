"""An English page shows the French text where no translation exists, and says it is French."""

from html.parser import HTMLParser

import pytest
from django.utils import translation

from core.templatetags.translated_fields import translated
from portfolio.models import Project

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class LanguageOfText(HTMLParser):
    """Record, for each run of text, the language declared by its nearest ``lang``."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.stack = []
        self.runs = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        declared = dict(attrs).get("lang")
        inherited = self.stack[-1][1] if self.stack else None
        self.stack.append((tag, declared or inherited))

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                break

    def handle_data(self, data):
        if data.strip():
            self.runs.append((" ".join(data.split()), self.stack[-1][1] if self.stack else None))

    def language_of(self, text):
        """Return the languages declared around every run of text containing ``text``."""
        return {lang for run, lang in self.runs if text in run}


def page_in(language, client, project):
    with translation.override(language):
        url = project.get_absolute_url()
    response = client.get(url)
    assert response.status_code == 200
    assert f'<html lang="{language}"' in response.content.decode()
    return LanguageOfText(response.content.decode())


def english_page(client, project):
    return page_in("en", client, project)


def first_sentence(html):
    parsed = LanguageOfText(html)
    return parsed.runs[0][0][:60]


@pytest.mark.django_db
class TestEnglishPageOfAnUntranslatedProject:
    def test_shows_the_french_subtitle_and_story_marked_as_french(self, demo, client):
        Project.objects.filter(pk=demo.pk).update(subtitle_en="", body_en="")
        page = english_page(client, demo)
        assert page.language_of(demo.subtitle_fr) == {"fr"}
        assert page.language_of(first_sentence(demo.body_fr)) == {"fr"}

    def test_keeps_the_translated_title_in_english(self, demo, client):
        Project.objects.filter(pk=demo.pk).update(subtitle_en="")
        page = english_page(client, demo)
        assert page.language_of(demo.title_en) == {"en"}
        assert page.language_of(demo.subtitle_fr) == {"fr"}
        assert page.language_of(first_sentence(demo.body_en)) == {"en"}

    def test_a_fully_translated_page_has_no_french(self, demo, client):
        page = english_page(client, demo)
        assert page.language_of(demo.subtitle_en) == {"en"}
        assert page.language_of(demo.subtitle_fr) == set()
        assert page.language_of(first_sentence(demo.body_fr)) == set()

    def test_the_french_page_never_falls_back_to_english_when_french_exists(self, demo, client):
        page = page_in("fr", client, demo)
        assert page.language_of(demo.subtitle_fr) == {"fr"}
        assert page.language_of(demo.subtitle_en) == set()


@pytest.mark.django_db
def test_the_translated_tag_names_the_language_it_falls_back_to(demo):
    Project.objects.filter(pk=demo.pk).update(subtitle_en="", summary_fr="")
    demo.refresh_from_db()
    with translation.override("en"):
        subtitle = translated(demo, "subtitle")
        summary = translated(demo, "summary")
        title = translated(demo, "title")
    assert (subtitle.text, subtitle.lang, subtitle.is_fallback) == (demo.subtitle_fr, "fr", True)
    assert (summary.text, summary.lang, summary.is_fallback) == (demo.summary_en, "en", False)
    assert (title.text, title.lang, title.is_fallback) == (demo.title_en, "en", False)
    with translation.override("fr"):
        summary = translated(demo, "summary")
    assert (summary.text, summary.lang, summary.is_fallback) == (demo.summary_en, "en", True)
