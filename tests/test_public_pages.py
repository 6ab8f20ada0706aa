"""What a visitor sees on the public pages, in French and in English."""

import re
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from partners.models import Partner
from portfolio.models import Project, Region
from tests.factories import (
    make_partner,
    make_photo,
    make_project,
    make_region,
    make_sector,
    make_update,
)

pytestmark = pytest.mark.django_db

SEED_TITLE_FR = "Prévenir la traite des êtres humains dans les régions rurales"
SEED_TITLE_EN = "Preventing human trafficking in rural regions"


def url_in(language, name, **kwargs):
    with translation.override(language):
        return reverse(name, kwargs=kwargs or None)


def page(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, url
    return response.content.decode()


def titles_listed(html):
    """Return the card titles on a page, in order."""
    found = re.findall(r'class="card-title"><a href="[^"]+"[^>]*>([^<]+)</a>', html)
    return [unescape(title) for title in found]


class TestAddresses:
    def test_paths_are_translated(self, demo):
        assert url_in("fr", "portfolio:project_list") == "/fr/projets/"
        assert url_in("en", "portfolio:project_list") == "/en/projects/"
        assert url_in("fr", "portfolio:project_detail", slug=demo.slug_fr) == (
            f"/fr/projets/{demo.slug_fr}/"
        )
        assert url_in("en", "partners:partner_list") == "/en/partners/"
        assert url_in("fr", "partners:partner_list") == "/fr/partenaires/"

    def test_a_slug_of_the_other_language_leads_to_the_right_address(self, client, demo):
        response = client.get(f"/en/projects/{demo.slug_fr}/")
        assert response.status_code == 301
        assert response["Location"] == f"/en/projects/{demo.slug_en}/"

    def test_unpublished_and_future_projects_are_not_found(self, client, db):
        hidden = make_project(is_published=False)
        future = make_project(published_at=timezone.now() + timezone.timedelta(days=3))
        for project in (hidden, future):
            page(client, url_in("fr", "portfolio:project_detail", slug=project.slug_fr), 404)
            assert project.title_fr not in page(client, "/fr/projets/")

    def test_each_page_leads_to_itself_in_the_other_language_whichever_came_first(self, client, db):
        # Found once per process and kept: no address may answer for another, nor one
        # language's for the other's.
        counterparts = [
            ("/fr/mes-dons/", "en", "/en/my-donations/"),
            ("/fr/", "en", "/en/"),
            ("/en/", "fr", "/fr/"),
            ("/en/my-donations/", "fr", "/fr/mes-dons/"),
        ]
        for path, language, other in counterparts * 2:
            html = page(client, path)
            link = f'<a href="{other}" hreflang="{language}" lang="{language}">'
            assert link in html, (path, other)

    def test_hidden_partners_have_no_page(self, client, db):
        partner = make_partner(is_public=False)
        page(client, url_in("fr", "partners:partner_detail", slug=partner.slug_fr), 404)


class TestHome:
    def test_shows_mission_featured_projects_news_and_partners(self, client, demo):
        make_update(demo, title_fr="Premiers ateliers au Népal")
        html = page(client, "/fr/")
        assert "Projets qui changent des vies" in html or "projets qui changent" in html.lower()
        assert SEED_TITLE_FR in titles_listed(html)
        assert "Premiers ateliers au Népal" in html
        assert "Mumbai Smiles" in html and "CHHORI" in html

    def test_in_english(self, client, demo):
        html = page(client, "/en/")
        assert '<html lang="en">' in html
        assert SEED_TITLE_EN in titles_listed(html)


class TestProjectList:
    def test_lists_published_projects_with_a_count(self, client, demo):
        make_project(title_fr="Un autre projet")
        html = page(client, "/fr/projets/")
        assert set(titles_listed(html)) == {SEED_TITLE_FR, "Un autre projet"}
        assert "2 projets" in html

    def test_a_country_includes_its_regions(self, client, demo):
        elsewhere = make_project(regions=[make_region(name_fr="Pérou", country="PE")])
        html = page(client, "/fr/projets/?region=inde")
        assert titles_listed(html) == [SEED_TITLE_FR]
        assert elsewhere.title_fr not in html
        html = page(client, "/en/projects/?region=india")
        assert titles_listed(html) == [SEED_TITLE_EN]

    def test_filters_by_nepal_sector_partner_and_status(self, client, demo):
        other = make_project(
            regions=[make_region(name_fr="Pérou", country="PE")],
            sector=make_sector(name_fr="Santé"),
            status=Project.Status.PLANNED,
        )
        assert titles_listed(page(client, "/fr/projets/?region=nepal")) == [SEED_TITLE_FR]
        assert titles_listed(page(client, "/fr/projets/?sector=projets-speciaux")) == [
            SEED_TITLE_FR
        ]
        assert titles_listed(page(client, "/fr/projets/?partner=chhori")) == [SEED_TITLE_FR]
        assert titles_listed(page(client, "/fr/projets/?status=planned")) == [other.title_fr]
        html = page(client, "/fr/projets/?status=planned&region=nepal")
        assert titles_listed(html) == []
        assert "Aucun projet ne correspond" in html

    def test_invalid_filters_and_pages_still_answer(self, client, demo):
        for query in (
            "?region=atlantide",
            "?status=everything",
            "?page=abc",
            "?page=999",
            "?page=-1",
            "?q=" + "x" * 300,
            "?partner=%00",
            "?q=%28%5B%2A%2B",
        ):
            html = page(client, "/fr/projets/" + query)
            assert SEED_TITLE_FR in titles_listed(html)

    def test_an_invalid_filter_is_explained(self, client, demo):
        html = page(client, "/en/projects/?region=atlantis")
        assert "could not be understood" in html

    def test_pagination_keeps_the_filters(self, client, db):
        region = make_region(name_fr="Sénégal", name_en="Senegal", country="SN")
        for _ in range(14):
            make_project(regions=[region])
        html = page(client, f"/fr/projets/?region={region.slug_fr}")
        assert len(titles_listed(html)) == 12
        assert f"?region={region.slug_fr}&amp;page=2" in html
        assert len(titles_listed(page(client, f"/fr/projets/?region={region.slug_fr}&page=2"))) == 2

    def test_language_switch_keeps_the_search_with_translated_slugs(self, client, demo):
        html = page(client, "/fr/projets/?region=inde&q=traite&page=1")
        assert 'href="/en/projects/?q=traite&amp;region=india"' in html
        assert 'hreflang="en"' in html

    def test_the_search_is_quoted_the_way_each_language_quotes(self, client, demo):
        assert "“trafficking”" in unescape(page(client, "/en/projects/?q=trafficking"))
        assert "« traite »" in unescape(page(client, "/fr/projets/?q=traite"))

    def test_works_as_a_plain_get_form(self, client, demo):
        html = page(client, "/fr/projets/")
        form = re.search(r'<form class="filters" method="get" action="([^"]+)"', html)
        assert form and form.group(1) == "/fr/projets/"
        for name in ("q", "region", "sector", "partner", "status"):
            assert f'name="{name}"' in html


class TestSearch:
    def test_finds_the_seed_project_in_french(self, client, demo):
        assert titles_listed(page(client, "/fr/projets/?q=traite")) == [SEED_TITLE_FR]

    def test_finds_the_seed_project_in_english(self, client, demo):
        assert titles_listed(page(client, "/en/projects/?q=trafficking")) == [SEED_TITLE_EN]

    def test_a_word_of_the_other_language_does_not_match_translated_text(self, client, demo):
        assert titles_listed(page(client, "/fr/projets/?q=trafficking")) == []

    def test_untranslated_text_is_searched_in_the_language_shown(self, client, demo):
        project = make_project(
            title_fr="Jardins scolaires", title_en="", summary_fr="Potagers", summary_en=""
        )
        assert project.title_fr in titles_listed(page(client, "/en/projects/?q=potagers"))

    def test_ignores_case_and_accents(self, client, demo):
        for query in ("ETRES", "êtres", "regions", "Nepal", "NÉPAL", "bengale occidental"):
            assert titles_listed(page(client, f"/fr/projets/?q={query}")) == [SEED_TITLE_FR], query

    def test_searches_partner_and_region_names(self, client, demo):
        assert titles_listed(page(client, "/fr/projets/?q=chhori")) == [SEED_TITLE_FR]
        assert titles_listed(page(client, "/en/projects/?q=bangladesh")) == [SEED_TITLE_EN]
        # A country's name finds projects in its regions.
        assert titles_listed(page(client, "/en/projects/?q=india")) == [SEED_TITLE_EN]

    def test_every_word_must_match(self, client, demo):
        assert titles_listed(page(client, "/fr/projets/?q=traite+zanzibar")) == []
        assert titles_listed(page(client, "/fr/projets/?q=traite+mumbai")) == [SEED_TITLE_FR]

    def test_search_is_one_database_query_not_a_python_loop(self, demo):
        with translation.override("fr"):
            queryset = Project.objects.published().search("traite népal")
        sql = str(queryset.query)
        assert "search_document_fr" in sql
        assert "LIKE" in sql.upper()


class TestProjectPage:
    def test_tells_the_whole_story(self, client, demo):
        make_photo(demo, caption_fr="Atelier à Katmandou")
        make_update(
            demo,
            title_fr="Ancienne nouvelle",
            published_at=timezone.now() - timezone.timedelta(days=9),
        )
        make_update(demo, title_fr="Nouvelle récente")
        html = page(client, demo.get_absolute_url())
        for text in (
            SEED_TITLE_FR,
            "Une approche globale pour lutter contre ce fléau",
            "Projets spéciaux",
            "Bengale occidental",
            "Népal",
            "Bangladesh",
            "4\u00a0000",
            "filles et garçons",
            "En cours",
            "Mumbai Smiles",
            "Fondation née à Mumbai qui accompagne les victimes",
            "En savoir plus sur Mumbai Smiles",
            "Goran Bose Gram Bikash Kendra",
            "CHHORI",
            "AGROGOTHI SANGSTHA",
            "Atelier à Katmandou",
        ):
            assert text in unescape(html), text
        # The lead partner's whole story and quote are on its own page, not on each project.
        for text in ("Jaume Sanllorente", "400 000 femmes"):
            assert text not in unescape(html), text
        assert html.index("Nouvelle récente") < html.index("Ancienne nouvelle")

    @pytest.mark.parametrize(
        ("language", "facts"),
        [
            (
                "fr",
                [
                    "Une approche globale pour lutter contre ce fléau",
                    "Projets spéciaux",
                    "Bengale occidental (Inde)",
                    "4 000",  # Spaces, non-breaking ones included, are folded below.
                    "filles et garçons",
                    "Le partenariat Monde par la Main et la Fondation Mumbai Smiles",
                    "depuis 2013",
                    "Fondation née à Mumbai qui accompagne les victimes de la traite humaine",
                    "En savoir plus sur Mumbai Smiles",
                    "Tous les projets avec Mumbai Smiles",
                    "AGROGOTHI SANGSTHA",
                ],
            ),
            (
                "en",
                [
                    "A comprehensive approach to fighting this scourge",
                    "Special projects",
                    "West Bengal (India)",
                    "4,000",
                    "girls and boys",
                    "The partnership between Monde par la Main and the Mumbai Smiles Foundation",
                    "since 2013",
                    "A foundation born in Mumbai that supports victims of human trafficking",
                    "Read more about Mumbai Smiles",
                    "All projects with Mumbai Smiles",
                    "AGROGOTHI SANGSTHA",
                ],
            ),
        ],
    )
    def test_every_fact_of_the_seed_page_in_each_language(self, client, demo, language, facts):
        with translation.override(language):
            text = " ".join(
                re.sub(r"<[^>]+>", " ", unescape(page(client, demo.get_absolute_url()))).split()
            )
        for fact in facts:
            assert fact in text, fact

    def test_links_partners_and_their_projects(self, client, demo):
        html = page(client, demo.get_absolute_url())
        assert 'href="/fr/partenaires/mumbai-smiles/"' in html
        assert 'href="/fr/partenaires/chhori/"' in html
        assert 'href="/fr/projets/?partner=mumbai-smiles"' in html

    def test_shows_related_projects(self, client, demo):
        nepal = Region.objects.get(slug_fr="nepal")
        related = make_project(regions=[nepal], title_fr="Écoles au Népal")
        unrelated = make_project(title_fr="Sans rapport")
        html = page(client, demo.get_absolute_url())
        assert related.title_fr in html
        assert unrelated.title_fr not in html

    def test_cover_is_eager_and_other_images_lazy_with_sizes(self, client, demo):
        make_photo(demo)
        html = page(client, demo.get_absolute_url())
        images = re.findall(r"<img [^>]+>", html)
        cover = next(tag for tag in images if "projects/covers/" in tag)
        assert 'loading="lazy"' not in cover and 'fetchpriority="high"' in cover
        photo = next(tag for tag in images if "projects/gallery/" in tag)
        assert 'loading="lazy"' in photo
        for tag in (cover, photo):
            assert "srcset=" in tag and 'width="' in tag and 'height="' in tag and 'alt="' in tag

    def test_has_canonical_hreflang_and_social_cards(self, client, demo):
        html = page(client, demo.get_absolute_url())
        base = "http://testserver"
        assert f'<link rel="canonical" href="{base}/fr/projets/{demo.slug_fr}/">' in html
        assert f'hreflang="en" href="{base}/en/projects/{demo.slug_en}/"' in html
        assert f'hreflang="x-default" href="{base}/fr/projets/{demo.slug_fr}/"' in html
        assert f'<meta property="og:title" content="{SEED_TITLE_FR}">' in unescape(html)
        image = re.search(r'<meta property="og:image" content="([^"]+)">', html).group(1)
        assert image.startswith(f"{base}/media/projects/covers/")
        assert '<meta name="twitter:card" content="summary_large_image">' in html
        assert re.search(r'<meta name="twitter:image" content="http://testserver/media/', html)

    def test_language_switcher_goes_to_the_same_project(self, client, demo):
        html = page(client, demo.get_absolute_url())
        assert re.search(rf'<a href="/en/projects/{demo.slug_en}/" hreflang="en" lang="en">', html)

    def test_has_no_inline_script_or_style(self, client, demo):
        html = page(client, demo.get_absolute_url())
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
        assert "<style" not in html and " style=" not in html
        assert not re.search(r" on[a-z]+=", html)


class TestUntranslatedText:
    def test_region_and_partner_names_shown_in_french_are_marked(self, client, db):
        region = make_region(name_fr="Casamance", name_en="")
        partner = make_partner(name_fr="Association des femmes", name_en="")
        project = make_project(regions=[region], partners=[partner], title_en="")
        html = page(client, url_in("en", "portfolio:project_detail", slug=project.slug_en))
        assert '<span lang="fr">Casamance</span>' in html
        assert '<span lang="fr">Association des femmes</span>' in html
        assert f'<h1 lang="fr">{project.title_fr}</h1>' in unescape(html)
        cards = page(client, "/en/projects/")
        assert f'lang="fr">{project.title_fr}</a>' in unescape(cards)


class TestPartnerPages:
    def test_list_groups_partners_by_kind(self, client, demo):
        html = page(client, "/fr/partenaires/")
        assert "Partenaires principaux" in html and "Partenaires locaux" in html
        assert html.index("Mumbai Smiles") < html.index("CHHORI")

    def test_partner_page_has_story_quote_country_website_and_projects(self, client, demo):
        Partner.objects.filter(slug_fr="mumbai-smiles").update(website="https://mumbaismiles.org")
        html = unescape(page(client, "/fr/partenaires/mumbai-smiles/"))
        for text in ("Jaume Sanllorente", "400 000 femmes", "Inde", "https://mumbaismiles.org"):
            assert text in html
        assert SEED_TITLE_FR in titles_listed(html)

    def test_partner_page_in_english_switches_to_the_same_partner(self, client, demo):
        html = page(client, "/en/partners/chhori/")
        assert 'href="/fr/partenaires/chhori/"' in html


class TestRegionPage:
    def test_a_country_shows_projects_of_its_regions(self, client, demo):
        html = page(client, "/fr/regions/inde/")
        assert titles_listed(html) == [SEED_TITLE_FR]
        assert 'href="/fr/regions/bengale-occidental/"' in html

    def test_a_region_links_to_its_country(self, client, demo):
        html = page(client, "/en/regions/west-bengal/")
        assert 'href="/en/regions/india/"' in html
        assert titles_listed(html) == [SEED_TITLE_EN]

    def test_a_region_without_projects_says_so(self, client, db):
        region = make_region(name_fr="Bolivie", country="BO")
        html = page(client, url_in("fr", "portfolio:region_detail", slug=region.slug_fr))
        assert "Aucun projet publié dans cette région" in html


class TestErrorPages:
    def test_404_in_french_and_english_in_the_site_look(self, client, db):
        html = page(client, "/fr/pas-ici/", 404)
        assert '<html lang="fr">' in html and "Cette page est introuvable" in html
        assert 'class="site-header"' in html and 'name="robots" content="noindex"' in html
        html = page(client, "/en/not-here/", 404)
        assert '<html lang="en">' in html and "This page cannot be found" in html
        assert 'href="/fr/"' in html  # The switcher leads to the other language's home.

    def test_500_in_french_and_english(self, rf, db):
        from portfolio.views import server_error

        for language, text in (("fr", "Un problème est survenu"), ("en", "Something went wrong")):
            with translation.override(language):
                response = server_error(rf.get(f"/{language}/"))
            assert response.status_code == 500
            html = response.content.decode()
            assert text in html and f'<html lang="{language}">' in html

    def test_the_500_page_keeps_the_site_look_when_the_cache_is_down(self, rf, db, settings):
        from portfolio.views import server_error

        settings.CACHES = {
            "default": {
                "BACKEND": "django_redis.cache.RedisCache",
                "LOCATION": "redis://127.0.0.1:1/0",  # Nothing listens there.
            }
        }
        settings.PAGE_CACHE_STATE = "cache"
        settings.FRAGMENT_CACHE_ENABLED = True
        with translation.override("en"):
            response = server_error(rf.get("/en/"))
        assert response.status_code == 500
        html = response.content.decode()
        assert "Something went wrong" in html and 'class="site-header"' in html

    def test_an_uncaught_error_gives_the_500_page(self, client, db, monkeypatch):
        from portfolio import views

        def broken(*args, **kwargs):
            raise RuntimeError("boom")

        monkeypatch.setattr(views, "home_content", broken)
        client.raise_request_exception = False
        response = client.get("/en/")
        assert response.status_code == 500
        assert "Something went wrong on our side" in response.content.decode()


class TestRobotsAndFeed:
    def test_robots_points_to_the_sitemap(self, client, db):
        text = page(client, "/robots.txt")
        assert "Sitemap: http://testserver/sitemap.xml" in text
        assert "Disallow: /admin/" in text

    def test_an_atom_feed_per_language_with_projects_and_news(self, client, demo):
        make_update(demo, title_fr="Premiers ateliers", title_en="First workshops")
        french = page(client, url_in("fr", "portfolio:feed"))
        english = page(client, url_in("en", "portfolio:feed"))
        assert url_in("fr", "portfolio:feed") == "/fr/flux/"
        assert 'xmlns="http://www.w3.org/2005/Atom"' in french
        assert 'xml:lang="fr"' in french and 'xml:lang="en"' in english
        assert SEED_TITLE_FR in unescape(french) and "Premiers ateliers" in french
        assert SEED_TITLE_EN in english and "First workshops" in english
        assert f"http://testserver/en/projects/{demo.slug_en}/#update-" in english

    def test_pages_link_to_the_feed(self, client, demo):
        html = page(client, "/en/")
        assert '<link rel="alternate" type="application/atom+xml" href="/en/feed/"' in html


def test_a_pages_addresses_in_each_language_follow_the_active_language_and_prefix(db):
    from django.urls import get_script_prefix, set_script_prefix, translate_url

    from core.i18n import page_urls_by_language

    def expected(path):
        return {code: translate_url(path, code) for code in ("fr", "en")}

    prefix = get_script_prefix()
    try:
        for language in ("fr", "en", "fr"):
            with translation.override(language):
                for path in ("/fr/mes-dons/", "/en/my-donations/"):
                    assert page_urls_by_language(path) == expected(path), (language, path)
        set_script_prefix("/site/")
        with translation.override("fr"):
            urls = page_urls_by_language("/fr/mes-dons/")
            assert urls == expected("/fr/mes-dons/") and urls["en"] == "/site/en/my-donations/"
    finally:
        set_script_prefix(prefix)
