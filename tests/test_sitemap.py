"""The sitemap lists every public page in both languages, and every address in it works."""

import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

import pytest

from tests.factories import make_partner, make_project, make_update

NS = {
    "sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "xhtml": "http://www.w3.org/1999/xhtml",
}

pytestmark = pytest.mark.django_db


def sitemap_entries(client):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    root = ET.fromstring(response.content)  # noqa: S314 - our own response.
    entries = {}
    for url in root.findall("sm:url", NS):
        location = url.find("sm:loc", NS).text
        alternates = {
            link.get("hreflang"): link.get("href") for link in url.findall("xhtml:link", NS)
        }
        entries[location] = alternates
    return entries


def path_of(url):
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def test_every_address_in_the_sitemap_answers_200(client, demo):
    make_update(demo)
    entries = sitemap_entries(client)
    assert len(entries) >= 2 * (3 + 1 + 4 + 4)  # pages, project, regions, partners
    for location, alternates in entries.items():
        assert client.get(path_of(location)).status_code == 200, location
        for language, href in alternates.items():
            assert client.get(path_of(href)).status_code == 200, (language, href)


def test_each_page_is_listed_in_both_languages_with_hreflang_and_x_default(client, demo):
    entries = sitemap_entries(client)
    french = f"http://testserver/fr/projets/{demo.slug_fr}/"
    english = f"http://testserver/en/projects/{demo.slug_en}/"
    assert french in entries and english in entries
    expected = {"fr": french, "en": english, "x-default": french}
    assert entries[french] == expected
    assert entries[english] == expected
    assert "http://testserver/fr/partenaires/chhori/" in entries
    assert "http://testserver/en/regions/west-bengal/" in entries
    assert "http://testserver/en/projects/" in entries


def test_hidden_things_are_not_listed(client, db):
    hidden = make_project(is_published=False, title_fr="Projet caché")
    secret = make_partner(is_public=False, name_fr="Partenaire discret")
    locations = " ".join(sitemap_entries(client))
    assert hidden.slug_fr not in locations
    assert secret.slug_fr not in locations
