"""The partner list's pages read by a query compiled once per process
(``partners.views.page_keys``): after any partner's save, the list reads its page
without building its queryset, and finds what the queryset would."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from partners.models import Partner
from partners.views import (
    PARTNERS_PER_PAGE,
    _prepared_page,
    page_keys,
    partners_in_order,
)
from tests.factories import make_partner

pytestmark = pytest.mark.django_db

NAMES = [
    ("Éducation pour tous", "Education for all"),
    ("agrogothi", "Agrogothi"),
    ("Chhori", "Chhori"),
    ("Écoles du Népal", "Schools of Nepal"),
    ("Mumbai Smiles", "Mumbai Smiles"),
    ("zèbre", "Zebra"),
    ("Ami du Bengale", "Bengal's friend"),
]


def make_partners():
    kinds = [Partner.Kind.LOCAL, Partner.Kind.FUNDER, Partner.Kind.LEAD]
    return [
        make_partner(name_fr=fr, name_en=en, kind=kinds[n % 3])
        for n, (fr, en) in enumerate(NAMES * 2)
    ]


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_prepared_pages_find_what_the_queryset_finds(language):
    partners = make_partners()
    hidden = partners[3]
    bounds = [(0, 4), (4, 9), (9, 14), (2, 3)]
    with translation.override(language):
        for _step in ("as made", "one hidden, one renamed, one added"):
            ordered = list(partners_in_order("", as_keys=True))
            assert [page_keys(bottom, top) for bottom, top in bounds] == [
                ordered[bottom:top] for bottom, top in bounds
            ]
            hidden.is_public = False
            hidden.save()
            partners[0].name_fr = partners[0].name_en = "Aaa premier"
            partners[0].save()
            make_partner(name_fr="Bbb", name_en="Bbb", kind=Partner.Kind.LEAD)
    assert hidden.pk not in page_keys(0, 20)


def test_the_partner_list_after_a_partner_is_hidden_reads_its_page_by_the_prepared_query(
    settings,
):
    settings.PAGE_CACHE_ENABLED = False
    settings.PAGE_CACHE_STATE = "cache"
    settings.FRAGMENT_CACHE_ENABLED = True
    Partner.objects.bulk_create(
        Partner(name_fr=f"Partenaire {n:03}", name_en=f"Partner {n:03}", slug=f"p-{n}")
        for n in range(PARTNERS_PER_PAGE + 5)
    )
    visitor = Client()
    with translation.override("fr"):
        address = reverse("partners:partner_list")
    assert visitor.get(f"{address}?page=2").status_code == 200
    first = Partner.objects.get(slug="p-0")
    first.is_public = False
    first.save()  # The second page starts one partner further.
    # Compiled anew when asked for.
    _prepared_page.cache_clear()
    with CaptureQueriesContext(connection) as queries:
        page = visitor.get(f"{address}?page=2").content.decode()
    assert _prepared_page("fr", PARTNERS_PER_PAGE, PARTNERS_PER_PAGE + 4)._compiled
    run = [query["sql"] for query in queries.captured_queries]
    assert len([sql for sql in run if sql.endswith(" LIMIT 4 OFFSET 60")]) == 1
    assert "Partenaire 060" not in page  # Now on the first page.
    assert all(f"Partenaire {n:03}" in page for n in range(61, PARTNERS_PER_PAGE + 5))
