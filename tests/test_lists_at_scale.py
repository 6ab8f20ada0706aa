"""The project filters and the partner list stay small and cheap with thousands of partners."""

import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from partners.models import Partner
from portfolio.models import Partnership, Project
from portfolio.views import FILTER_PARTNERS
from tests.factories import make_partner, make_project

pytestmark = pytest.mark.django_db

PARTNERS = 2000
PROJECTS = 100
BUSY = 25  # Partner k < BUSY takes part in k + 1 projects; every other partner in one.


@pytest.fixture(autouse=True)
def rendered_every_time(settings):
    """Measure the pages themselves: the page cache would answer repeats without a query."""
    settings.PAGE_CACHE_ENABLED = False
    settings.FRAGMENT_CACHE_ENABLED = False


def build_portfolio():
    """Write 2 000 public partners and 100 published projects in a few bulk queries.

    Partner 0 has one project, like most partners, so it ranks 25th: outside the filter.
    """
    partners = Partner.objects.bulk_create(
        Partner(
            name_fr=f"Partenaire {k:04d}",
            name_en=f"Partner {k:04d}",
            # Not the factories' slugs ("partenaire-<n>"), whatever their counter has reached.
            slug_fr=f"partenaire-echelle-{k:04d}",
            slug_en=f"partner-scale-{k:04d}",
            kind=[Partner.Kind.LEAD, Partner.Kind.LOCAL, Partner.Kind.FUNDER][k % 3],
            country="NP",
            summary_fr="Une organisation du terrain.",
            summary_en="A grassroots organisation.",
        )
        for k in range(PARTNERS)
    )
    yesterday = timezone.now() - timezone.timedelta(days=1)
    projects = Project.objects.bulk_create(
        Project(
            title_fr=f"Projet {n:03d}",
            title_en=f"Project {n:03d}",
            slug_fr=f"projet-{n:03d}",
            slug_en=f"project-{n:03d}",
            summary_fr="Un projet.",
            summary_en="A project.",
            is_published=True,
            published_at=yesterday,
        )
        for n in range(PROJECTS)
    )
    links = []
    for k, partner in enumerate(partners):
        taken = range(k + 1) if k < BUSY else [k % PROJECTS]
        links += [
            Partnership(project=projects[n], partner=partner, role=Partnership.Role.IMPLEMENTING)
            for n in taken
        ]
    Partnership.objects.bulk_create(links)
    return partners, projects


def options(html, name):
    """Return the (value, label) of a select's options."""
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return [
        (value, unescape(label).strip())
        for value, label in re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select)
    ]


def selected_option(html, name):
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
    found = re.search(r'<option value="([^"]*)" selected>', select)
    return found.group(1) if found else None


def titles(html):
    return re.findall(r'class="card-title"><a href="[^"]+"[^>]*>([^<]+)</a>', html)


def get(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response


def queries_of(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        get(client, url)
    return len(queries)


class TestProjectFilters:
    def test_the_list_stays_under_60_kb_with_2000_partners(self, client):
        build_portfolio()
        for url in (
            "/fr/projets/",
            "/en/projects/",
            "/fr/projets/?partner=partenaire-echelle-0000",
        ):
            response = get(client, url)
            assert len(response.content) < 60_000, (url, len(response.content))
            partners = options(response.content.decode(), "partner")
            assert len(partners) <= 1 + FILTER_PARTNERS + 1, url  # "All", the top, the chosen

    def test_the_select_offers_the_busiest_partners_in_name_order(self, client):
        build_portfolio()
        html = get(client, "/en/projects/").content.decode()
        offered = options(html, "partner")
        assert offered[0] == ("", "All partners")
        busiest = [f"Partner {k:04d}" for k in range(BUSY - FILTER_PARTNERS, BUSY)]
        assert [label for _value, label in offered[1:]] == busiest
        assert ("partner-scale-0000", "Partner 0000") not in offered

    def test_any_partner_can_be_chosen_by_address_in_either_language(self, client):
        build_portfolio()
        french = get(client, "/fr/projets/?partner=partenaire-echelle-0000").content.decode()
        assert titles(french) == ["Projet 000"]
        assert selected_option(french, "partner") == "partenaire-echelle-0000"
        # The language switcher leads to the same filter, with the English slug.
        assert 'href="/en/projects/?partner=partner-scale-0000"' in french
        english = get(client, "/en/projects/?partner=partner-scale-0000").content.decode()
        assert titles(english) == ["Project 000"]
        assert selected_option(english, "partner") == "partner-scale-0000"

    def test_a_partner_without_projects_or_hidden_is_handled_as_before(self, client):
        build_portfolio()
        idle = make_partner(name_fr="Sans projet", slug_fr="sans-projet")
        html = get(client, f"/fr/projets/?partner={idle.slug_fr}").content.decode()
        assert selected_option(html, "partner") == idle.slug_fr
        assert titles(html) == []
        hidden = make_partner(is_public=False, name_fr="Discret", slug_fr="discret")
        make_project(partners=[hidden])
        html = get(client, f"/fr/projets/?partner={hidden.slug_fr}").content.decode()
        assert "n’a pas été comprise" in unescape(html)

    def test_a_help_line_leads_to_the_other_partners_when_some_are_left_out(self, client, demo):
        html = get(client, "/fr/projets/").content.decode()
        assert 'id="partner-help"' not in html  # Three partners: all of them are offered.
        build_portfolio()
        html = get(client, "/fr/projets/").content.decode()
        assert 'aria-describedby="partner-help"' in html
        help_line = re.search(r'<p class="help" id="partner-help">(.*?)</p>', html, re.S).group(1)
        assert 'href="/fr/partenaires/"' in help_line

    def test_queries_do_not_grow_with_the_partners(self, client):
        small = make_partner()
        make_project(partners=[small])
        few = {
            "list": queries_of(client, "/fr/projets/"),
            "chosen": queries_of(client, f"/fr/projets/?partner={small.slug_fr}"),
        }
        build_portfolio()
        many = {
            "list": queries_of(client, "/fr/projets/"),
            "chosen": queries_of(client, "/fr/projets/?partner=partenaire-echelle-0000"),
        }
        assert few == many


class TestPartnerList:
    def test_a_page_holds_60_partners_grouped_by_kind(self, client):
        build_portfolio()
        response = get(client, "/fr/partenaires/")
        html = response.content.decode()
        assert html.count('class="partner-card"') == 60
        assert len(response.content) < 100_000
        assert "Partenaires principaux" in html and "Partenaires locaux" not in html
        assert "2000 partenaires" in html
        # 667 lead partners come first: the twelfth page ends them and starts the local ones.
        twelfth = get(client, "/fr/partenaires/?page=12").content.decode()
        assert twelfth.index("Partenaires principaux") < twelfth.index("Partenaires locaux")
        assert 'href="?page=2"' in html
        last = get(client, "/fr/partenaires/?page=34").content.decode()
        assert last.count('class="partner-card"') == PARTNERS - 33 * 60
        assert "Bailleurs de fonds" in last

    def test_each_partner_links_to_its_projects_on_the_list(self, client):
        build_portfolio()
        html = get(client, "/en/partners/?q=partner+0003").content.decode()
        link = re.search(
            r'<a href="(/en/projects/\?partner=partner-scale-0003)"[^>]*>4 projects</a>', html
        )
        assert link
        assert sorted(titles(get(client, link.group(1)).content.decode())) == [
            f"Project {n:03d}" for n in range(4)
        ]

    def test_counts_come_in_one_query_whatever_the_number_of_partners(self, client):
        partner = make_partner()
        make_project(partners=[partner])
        few = queries_of(client, "/fr/partenaires/")
        build_portfolio()
        assert queries_of(client, "/fr/partenaires/") == few
        assert queries_of(client, "/fr/partenaires/?page=3") == few
        assert queries_of(client, "/fr/partenaires/?q=partenaire") == few

    def test_search_ignores_case_and_accents_in_each_language(self, client, db):
        make_partner(name_fr="École des filles de Katmandou", name_en="Kathmandu Girls' School")
        make_partner(name_fr="Société d’entraide", name_en="")
        make_partner(name_fr="Autre organisation", name_en="Another organisation")
        for query in ("ecole", "ÉCOLE", "Ecole katmandou", "FILLES"):
            html = unescape(get(client, f"/fr/partenaires/?q={query}").content.decode())
            assert "École des filles de Katmandou" in html, query
            assert "Autre organisation" not in html, query
        html = unescape(get(client, "/en/partners/?q=girls+school").content.decode())
        assert "Kathmandu Girls' School" in html and "1 partner found" in html
        # An English visitor reads, and finds, the French name where there is no English one.
        html = unescape(get(client, "/en/partners/?q=societe").content.decode())
        assert 'lang="fr">Société d’entraide' in html
        html = unescape(get(client, "/fr/partenaires/?q=zanzibar").content.decode())
        assert "Aucun partenaire ne correspond à « zanzibar »." in html

    def test_search_is_a_plain_get_form(self, client, db):
        html = get(client, "/en/partners/").content.decode()
        form = re.search(r'<form class="partner-search" method="get" action="([^"]+)"', html)
        assert form and form.group(1) == "/en/partners/"
        assert 'name="q"' in html

    def test_canonical_and_language_switcher_keep_the_search_and_page(self, client):
        build_portfolio()
        html = get(client, "/fr/partenaires/?q=partenaire&page=2").content.decode()
        assert (
            '<link rel="canonical" href="http://testserver/fr/partenaires/?q=partenaire&amp;page=2">'
            in html
        )
        assert 'href="/en/partners/?q=partenaire&amp;page=2" hreflang="en"' in html
        assert '<meta name="robots" content="noindex, follow">' in html
        plain = get(client, "/en/partners/?page=2").content.decode()
        assert '<link rel="canonical" href="http://testserver/en/partners/?page=2">' in plain
        assert 'href="/fr/partenaires/?page=2" hreflang="fr"' in plain
        assert 'name="robots"' not in plain

    def test_strange_searches_and_pages_still_answer(self, client, demo):
        for query in ("?q=%00", "?q=" + "x" * 300, "?q=%28%5B%2A%2B", "?page=abc", "?page=999"):
            assert client.get("/fr/partenaires/" + query).status_code == 200, query
