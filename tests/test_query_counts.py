"""Every public page runs the same number of SQL queries with 2 projects or with 60.

Each project comes with regions (and sub-regions), partners, photos, field news and a
place on the maps, made by the same generators as ``generate_portfolio``. ``make bench``
prints the counts.
"""

import pytest
from django.core.cache import cache
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from partners.models import Partner
from places.generate import create_locations
from portfolio.generate import generate_projects
from portfolio.models import Project

# The most queries each page may run, whatever the number of projects.
LIMITS = {
    "home": 10,
    "project_list": 10,
    "project_list_filtered": 10,
    "project_list_search": 10,
    "project_detail": 15,
    "partner_list": 3,  # its count, its page of partners, their numbers of projects
    "partner_detail": 10,
    "region_detail": 10,
    "feed": 5,
    "sitemap": 6,  # the index: each section's size and latest change
    "sitemap_section": 5,  # one page of one section: its size, then its own rows
}


def page_urls(language="fr"):
    """Return {page name: address} for a portfolio made by ``generate_projects``."""
    project = Project.objects.published().order_by("pk").first()
    partner = Partner.objects.public().annotate(n=Count("projects")).order_by("-n", "pk").first()
    region = project.regions.order_by("pk").first()
    country = region.parent or region
    word = {"fr": "projet", "en": "project"}[language]
    with translation.override(language):
        return {
            "home": reverse("portfolio:home"),
            "project_list": reverse("portfolio:project_list"),
            "project_list_filtered": (
                f"{reverse('portfolio:project_list')}"
                f"?region={country.slug}&status={project.status}&page=1"
            ),
            "project_list_search": f"{reverse('portfolio:project_list')}?q={word}",
            "project_detail": project.get_absolute_url(),
            "partner_list": reverse("partners:partner_list"),
            "partner_detail": partner.get_absolute_url(),
            "region_detail": country.get_absolute_url(),
            "feed": reverse("portfolio:feed"),
            "sitemap": reverse("sitemap"),
            "sitemap_section": reverse("sitemap_section", kwargs={"section": "projects"}),
        }


def count_queries(client, url) -> int:
    cache.clear()  # The sitemaps are cached; measure them being built.
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


@pytest.fixture(autouse=True)
def rendered_every_time(settings):
    """Count what rendering a page costs: the page cache (tests/test_page_cache.py) would
    answer repeated requests with no query at all."""
    settings.PAGE_CACHE_ENABLED = False
    settings.FRAGMENT_CACHE_ENABLED = False


@pytest.fixture
def portfolio_of(db):
    def build(size):
        create_locations(generate_projects(size, seed=size), seed=size)
        return page_urls()

    return build


@pytest.mark.parametrize("size", [2, 60])
@pytest.mark.parametrize("name", sorted(LIMITS))
def test_each_page_stays_within_its_query_budget(
    client, portfolio_of, django_assert_max_num_queries, name, size
):
    url = portfolio_of(size)[name]
    with django_assert_max_num_queries(LIMITS[name]):
        response = client.get(url)
    assert response.status_code == 200


def test_query_counts_do_not_grow_with_the_portfolio(client, db, capsys):
    create_locations(generate_projects(2, seed=2), seed=2)
    small = {name: count_queries(client, url) for name, url in page_urls().items()}
    create_locations(generate_projects(58, seed=58), seed=58)
    assert Project.objects.published().count() == 60
    large = {name: count_queries(client, url) for name, url in page_urls().items()}
    english = {name: count_queries(client, url) for name, url in page_urls("en").items()}
    with capsys.disabled():
        print("\nSQL queries per page (2 projects / 60 projects / 60 in English):")
        for name in sorted(small):
            print(f"  {name:24} {small[name]:3} {large[name]:3} {english[name]:3}")
    assert small == large == english
