"""The Atom feed carries editors' plain text as text: feed readers never run it as markup."""

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
    summaries = [entry.find(f"{ATOM}summary") for entry in root.iter(f"{ATOM}entry")]
    assert len(summaries) == 2
    for summary in summaries:
        assert summary.get("type") == "html"
        # What a reader renders as HTML: the payload shows as text, escaped once.
        html = summary.text
        assert "<" not in html.replace("<p>", "").replace("</p>", "").replace("<br>", "")
        assert "&lt;" in html
