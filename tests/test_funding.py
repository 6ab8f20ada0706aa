"""Funding figures: computed from gifts and sponsorships, in a constant number of queries."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from donations.funding import FundingFigures, funding_by_project, project_funding
from donations.models import ReferenceCounter, Sponsorship
from portfolio.models import Project
from tests.factories import make_project, make_sponsorship

pytestmark = pytest.mark.django_db


def gift(sponsorship, amount):
    return sponsorship.record_gift(amount=Decimal(amount), method="cheque")


def test_figures_follow_the_rules():
    project = make_project(funding_goal=Decimal("1000"))
    make_sponsorship(project, amount=Decimal("500"))  # pending: never counts
    confirmed = make_sponsorship(project, confirmed=True, amount=Decimal("100"))
    partly = make_sponsorship(project, confirmed=True, amount=Decimal("200"))
    gift(partly, "50")
    paid = make_sponsorship(project, confirmed=True, amount=Decimal("30"))
    gift(paid, "30")
    monthly = make_sponsorship(project, confirmed=True, amount=Decimal("20"), frequency="monthly")
    gift(monthly, "20")
    gift(monthly, "20")  # a second month arrived
    cancelled = make_sponsorship(project, confirmed=True, amount=Decimal("40"))
    gift(cancelled, "10")
    cancelled.cancel()
    make_sponsorship(project, confirmed=True, amount=Decimal("70")).cancel()

    figures = project_funding(project)
    assert figures.raised == Decimal("130")  # 50 + 30 + 40 + 10
    assert figures.pledged == Decimal("250")  # 100 + (200 - 50)
    assert figures.supporters == 5  # four confirmed, one cancelled after giving
    assert figures.goal == Decimal("1000")
    assert figures.percent_raised == 13
    assert figures.percent_committed == 38
    assert confirmed.received() == 0


def test_gift_on_a_pending_pledge_confirms_it():
    project = make_project()
    pending = make_sponsorship(project)
    gift(pending, "50")
    pending.refresh_from_db()
    assert pending.status == Sponsorship.Status.CONFIRMED
    assert project_funding(project).raised == Decimal("50")


def test_percentages_are_capped_and_absent_without_goal():
    assert FundingFigures(goal=Decimal("100"), raised=Decimal("250")).percent_raised == 100
    assert FundingFigures(goal=None, raised=Decimal("250")).percent_raised is None
    assert FundingFigures(goal=Decimal("0")).percent_committed is None


def test_one_query_for_a_whole_list():
    projects = [make_project(funding_goal=Decimal("100")) for _ in range(8)]
    for project in projects:
        for _ in range(3):
            s = make_sponsorship(project, confirmed=True)
            gift(s, "5")
    empty = make_project()
    queryset = Project.objects.order_by("pk")
    with CaptureQueriesContext(connection) as queries:
        figures = funding_by_project(queryset)
        for project in queryset:  # the template's loop reuses the evaluated list
            assert figures[project.pk]
    assert len(queries) == 2  # the projects themselves, then every figure
    assert figures[empty.pk] == FundingFigures(goal=None)
    assert figures[projects[0].pk].raised == Decimal("15")
    assert figures[projects[0].pk].pledged == Decimal("135")


def test_list_tag_contract_and_card_bar():
    project = make_project(funding_goal=Decimal("200"))
    gift(make_sponsorship(project, confirmed=True, amount=Decimal("50")), "50")
    template = Template(
        "{% load funding translated_fields %}{% funding_by_project projects as funding %}"
        "{% for project in projects %}"
        "{% funding_bar funding|get_item:project.pk %}"
        "{% endfor %}"
    )
    html = template.render(Context({"projects": Project.objects.all()}))
    assert re.search(r'<progress[^>]*max="100" value="25"', html)
    assert re.search(r"25\s%", html)  # the text equivalent, not the bar alone


def test_project_page_tag_names_only_consenting_supporters(rf):
    project = make_project(funding_goal=Decimal("100"))
    make_sponsorship(project, confirmed=True, donor_name="Visible Person", show_name_publicly=True)
    make_sponsorship(project, confirmed=True, donor_name="Hidden Person")
    make_sponsorship(project, donor_name="Pending Person", show_name_publicly=True)
    request = rf.get("/")
    html = Template("{% load funding %}{% project_funding project %}").render(
        Context({"project": project, "request": request})
    )
    assert "Visible Person" in html
    assert "Hidden Person" not in html and "Pending Person" not in html
    assert "example.org" not in html
    assert 'data-figure="supporters">2<' in html


def test_project_page_panel_queries_are_constant(rf, django_assert_max_num_queries):
    project = make_project(funding_goal=Decimal("100"))
    for n in range(20):
        make_sponsorship(project, confirmed=True, show_name_publicly=n % 2 == 0)
    with django_assert_max_num_queries(3):  # figures, named supporters, suggested amounts
        Template("{% load funding %}{% project_funding project %}").render(
            Context({"project": project, "request": rf.get("/")})
        )


def test_references_are_sequential_per_year():
    project = make_project()
    first = make_sponsorship(project)
    second = make_sponsorship(project)
    year = timezone.localdate().year
    assert first.reference == f"SP-{year}-000001"
    assert second.reference == f"SP-{year}-000002"
    next_year = make_sponsorship(project, created_at=timezone.now().replace(year=year + 1))
    assert next_year.reference == f"SP-{year + 1}-000001"
    assert ReferenceCounter.objects.get(year=year).last_number == 2


def test_a_rolled_back_pledge_gives_its_number_back():
    from django.db import IntegrityError, transaction

    project = make_project()
    first = make_sponsorship(project)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_sponsorship(project, idempotency_key=first.idempotency_key)
    assert make_sponsorship(project).reference.endswith("000002")


def test_each_language_writes_the_percentage_its_own_way(client):
    from django.utils import translation

    project = make_project(funding_goal=Decimal("1000"))
    gift(make_sponsorship(project, confirmed=True, amount=Decimal("250")), "250")
    pages = {}
    for language in ("fr", "en"):
        with translation.override(language):
            pages[language] = client.get(project.get_absolute_url()).content.decode()
    assert "25% of the goal raised" in pages["en"]
    assert "25 % de l’objectif recueillis" in pages["fr"]
