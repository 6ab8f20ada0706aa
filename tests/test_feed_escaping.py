"""The Atom feed carries editors' text so that feed readers never run it as markup."""

import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse
from django.utils import translation

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
