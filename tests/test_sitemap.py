"""The sitemap index leads to every public page, in both languages, and every address in it
works."""

import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

import pytest
from django.contrib.sitemaps import views as sitemaps_views
from django.core.cache import cache
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from config.urls import SITEMAPS
from core import sitemaps
from core.sitemaps import TranslatedSitemap
from tests.factories import make_partner, make_project, make_update

NS = {
    "sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "xhtml": "http://www.w3.org/1999/xhtml",
}
SECTIONS = ("pages", "projects", "regions", "partners")

pytestmark = pytest.mark.django_db


def xml_of(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    assert response["Content-Type"].startswith("application/xml")
    return ET.fromstring(response.content)  # noqa: S314 - our own response.


def index_of(client):
    """Return ``{sitemap page address: lastmod or None}`` from the index."""
    root = xml_of(client, "/sitemap.xml")
    assert root.tag == f"{{{NS['sm']}}}sitemapindex"
    pages = {}
    for sitemap in root.findall("sm:sitemap", NS):
        lastmod = sitemap.find("sm:lastmod", NS)
        pages[sitemap.find("sm:loc", NS).text] = None if lastmod is None else lastmod.text
    return pages


def page_entries(client, location):
    """Return ``[(address, {hreflang: href})]`` of one sitemap page, in order."""
    root = xml_of(client, path_of(location))
    entries = []
    for url in root.findall("sm:url", NS):
        alternates = {
            link.get("hreflang"): link.get("href") for link in url.findall("xhtml:link", NS)
        }
        entries.append((url.find("sm:loc", NS).text, alternates))
    return entries


def sitemap_entries(client):
    """Return ``{address: {hreflang: href}}`` of every page the index leads to."""
    entries = {}
    for location in index_of(client):
        for address, alternates in page_entries(client, location):
            assert address not in entries, address  # Each address is listed once.
            entries[address] = alternates
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


def test_the_index_lists_each_section_with_its_latest_change(client, demo):
    index = index_of(client)
    assert list(index) == [f"http://testserver/sitemap-{section}.xml" for section in SECTIONS]
    assert index["http://testserver/sitemap-projects.xml"] is not None
    assert index["http://testserver/sitemap-partners.xml"] is not None
    assert index["http://testserver/sitemap-regions.xml"] is None  # Regions keep no date.


def test_sections_come_in_pages_counting_each_address_in_each_language(client, demo, monkeypatch):
    whole = sitemap_entries(client)
    for _ in range(2):
        make_project()
    # Three addresses a page: a project's two languages may fall on two pages.
    monkeypatch.setattr(TranslatedSitemap, "limit", 3)
    cache.clear()  # The index was cached with the former page size.
    index = index_of(client)
    projects = [page for page in index if "/sitemap-projects.xml" in page]
    assert projects == [
        "http://testserver/sitemap-projects.xml",
        "http://testserver/sitemap-projects.xml?p=2",
    ]  # 3 projects, 2 languages: 6 addresses.
    paged = {}
    for location in index:
        entries = page_entries(client, location)
        assert 1 <= len(entries) <= 3, location
        for address, alternates in entries:
            assert address not in paged
            assert set(alternates) == {"fr", "en", "x-default"}
            paged[address] = alternates
    assert set(whole) < set(paged) and len(paged) == len(whole) + 4
    assert client.get("/sitemap-projects.xml?p=3").status_code == 404
    assert client.get("/sitemap-nothing.xml").status_code == 404


def test_a_section_page_loads_only_what_its_addresses_need(client, demo):
    with CaptureQueriesContext(connection) as queries:
        xml_of(client, "/sitemap-projects.xml")
    sql = " ".join(query["sql"] for query in queries)
    assert "slug_en" in sql and "updated_at" in sql
    assert "body_fr" not in sql and "summary_fr" not in sql


def test_the_index_lists_what_djangos_own_index_lists(client, demo, monkeypatch):
    """The index is written without Django's template, and says the same: each page of
    each section with the section's latest change, and the same headers."""
    for _ in range(2):
        make_project()
    monkeypatch.setattr(TranslatedSitemap, "limit", 3)  # Sections of several pages.
    request = RequestFactory().get("/sitemap.xml")
    ours = sitemaps.index(request, SITEMAPS, sitemap_url_name="sitemap_section")
    theirs = sitemaps_views.index(request, SITEMAPS, sitemap_url_name="sitemap_section")
    theirs.render()
    assert client.get("/sitemap.xml").content == ours.content  # What the site serves.

    def listed(content):
        root = ET.fromstring(content)  # noqa: S314 - our own responses.
        return [
            (item.find("sm:loc", NS).text, getattr(item.find("sm:lastmod", NS), "text", None))
            for item in root.findall("sm:sitemap", NS)
        ]

    assert len(listed(ours.content)) > len(SECTIONS)
    assert listed(ours.content) == listed(theirs.content)
    for header in ("Last-Modified", "X-Robots-Tag", "Content-Type"):
        assert ours.get(header) == theirs.get(header), header
