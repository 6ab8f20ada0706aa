"""Pages of the project list: each project once, in order, however far the page."""

import re

import pytest
from django.utils import timezone

from core.pagination import KeysFirstPaginator
from portfolio.models import Project
from tests.factories import make_project, make_region

pytestmark = pytest.mark.django_db


def test_every_project_appears_once_across_the_pages_even_with_equal_dates(db):
    moment = timezone.now() - timezone.timedelta(days=2)
    made = [make_project(published_at=moment, is_featured=n % 5 == 0) for n in range(29)]
    queryset = Project.objects.published()
    paginator = KeysFirstPaginator(queryset, 12)
    listed = [p.pk for number in paginator.page_range for p in paginator.page(number)]
    assert listed == list(queryset.values_list("pk", flat=True))
    assert sorted(listed) == sorted(p.pk for p in made)


def test_a_page_loads_only_its_rows_in_one_query(db, django_assert_num_queries):
    for _ in range(15):
        make_project()
    paginator = KeysFirstPaginator(Project.objects.published(), 12)
    assert paginator.count == 15
    with django_assert_num_queries(1) as queries:
        page = list(paginator.page(2))
    assert len(page) == 3
    assert "LIMIT" in queries.captured_queries[0]["sql"]


def test_the_last_page_of_a_region(client, db):
    region = make_region(name_fr="Sénégal", name_en="Senegal", country="SN")
    for _ in range(13):
        make_project(regions=[region])
    html = client.get(f"/fr/regions/{region.slug_fr}/?page=2").content.decode()
    assert len(re.findall(r'class="card-title"', html)) == 1
