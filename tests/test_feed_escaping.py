"""The Atom feed carries editors' text so that feed readers never run it as markup."""

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.feedgenerator import Atom1Feed
from django.utils.http import http_date

from portfolio.feeds import EntriesWrittenAtOnce
from tests.factories import make_project, make_update

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
PAYLOADS = [
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">lien</a>',
    "<script>alert(1)</script>",
    "<svg onload=alert(1)>",
]


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("language", ["fr", "en"])
def test_update_text_and_project_summary_reach_the_feed_escaped(client, payload, language):
    project = make_project(summary_fr=payload, summary_en=payload)
    make_update(project, text_fr=f"Avant {payload} après", text_en=f"Before {payload} after")
    with translation.override(language):
        url = reverse("portfolio:feed")
    root = ET.fromstring(client.get(url).content)  # noqa: S314 - our own feed
    entries = {
        entry.find(f"{ATOM}id").text: entry.find(f"{ATOM}summary")
        for entry in root.iter(f"{ATOM}entry")
    }
    assert len(entries) == 2
    [update_summary] = [summary for key, summary in entries.items() if "#update-" in key]
    [project_summary] = [summary for key, summary in entries.items() if "#update-" not in key]
    for summary in entries.values():
        assert summary.get("type") == "html"
    # The project's plain summary, as a reader renders it: the payload as text, escaped once.
    html = project_summary.text
    assert "<" not in html.replace("<p>", "").replace("</p>", "").replace("<br>", "")
    assert "&lt;" in html
    # The update's rich text, sanitised: its words stay, nothing that runs does.
    html = update_summary.text.lower()
    assert ("avant" in html or "before" in html) and ("après" in html or "after" in html)
    for active in ("<script", "<svg", "<img", "onerror", "onload", "javascript:"):
        assert active not in html


def written_feeds(items: list[dict]) -> tuple[str, str]:
    """Return the feed written by Django's Atom writer and by the feed's own, with these
    items."""
    feeds = []
    for kind in (Atom1Feed, EntriesWrittenAtOnce):
        feed = kind(title="Fil", link="https://example.org/fr/", description="", language="fr")
        for item in items:
            feed.add_item(**item)
        feeds.append(feed.writeString("utf-8"))
    return feeds[0], feeds[1]


def test_the_feeds_entries_are_the_bytes_djangos_atom_writer_writes():
    moment = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    items = [
        {
            "title": 'Écoles & « puits » <neufs> "ici"',
            "link": "https://example.org/fr/projets/ecole/?a=1&b='2'",
            "description": '<p>Un <a href="/x">lien</a> &amp; des\nlignes\ttabulées</p>',
            "unique_id": "https://example.org/fr/projets/ecole/?a=1&b='2'#update-3",
            "pubdate": moment,
            "updateddate": moment + timedelta(days=1),
        },
        {"title": "Sans date", "link": "/fr/p/", "description": None, "unique_id": "/fr/p/"},
        # Empty: Django's writer closes the element at once.
        {"title": "", "link": "/fr/q/", "description": "", "unique_id": "/fr/q/"},
    ]
    django_feed, ours = written_feeds(items)
    assert ours == django_feed
    assert ours.count("<entry>") == 3
    assert "<title/>" in ours and '<summary type="html"/>' in ours


def test_the_feed_is_dated_by_its_newest_entry(client):
    make_project()
    newest = make_project()
    with translation.override("fr"):
        address = reverse("portfolio:feed")
    response = client.get(address)
    assert response["Last-Modified"] == http_date(newest.published_at.timestamp())


def test_a_control_character_is_left_out_of_the_feed_instead_of_breaking_it(client):
    make_project(title_fr="Puits\x0b et\x1f écoles", summary_fr="Résumé\x08 clair")
    with translation.override("fr"):
        response = client.get(reverse("portfolio:feed"))
    assert response.status_code == 200
    root = ET.fromstring(response.content)  # noqa: S314 - our own feed
    [entry] = root.iter(f"{ATOM}entry")
    assert entry.find(f"{ATOM}title").text == "Puits et écoles"
    assert "Résumé clair" in entry.find(f"{ATOM}summary").text
