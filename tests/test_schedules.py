"""Monthly pledges as schedules: months expected and received, late months, lapsed donors,
and the monthly gifts to come in the funding figures."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from donations.funding import funding_by_project
from donations.models import Sponsorship
from donations.schedule import (
    MONTHS_AHEAD,
    add_months,
    is_active,
    lapsed_pledges,
    months_to_come,
    schedule,
    to_come,
)
from tests.factories import make_project, make_sponsorship

pytestmark = pytest.mark.django_db

MONTHLY = Sponsorship.Frequency.MONTHLY


def at(day: date) -> datetime:
    """Noon of this day in the site's time zone."""
    return timezone.make_aware(datetime(day.year, day.month, day.day, 12))


def monthly_pledge(project, confirmed_on: date, amount="20", **fields) -> Sponsorship:
    return make_sponsorship(
        project,
        frequency=MONTHLY,
        amount=Decimal(amount),
        status=Sponsorship.Status.CONFIRMED,
        created_at=at(confirmed_on),
        confirmed_at=at(confirmed_on),
        **fields,
    )


def give(pledge, on: date, amount="20"):
    return pledge.record_gift(amount=Decimal(amount), method="cheque", received_on=on)


def rows(months):
    return [(m.month, m.expected_on, m.expected, m.received, m.late) for m in months]


D = Decimal


def test_schedule_months_received_and_late():
    pledge = monthly_pledge(make_project(), date(2026, 1, 15))
    give(pledge, date(2026, 1, 16))
    give(pledge, date(2026, 2, 20))
    give(pledge, date(2026, 4, 10), "10")  # half of April; nothing in March nor May
    months = schedule(pledge, today=date(2026, 5, 20))
    assert rows(months) == [
        (date(2026, 1, 1), date(2026, 1, 15), D("20"), D("20"), False),
        (date(2026, 2, 1), date(2026, 2, 15), D("20"), D("20"), False),
        (date(2026, 3, 1), date(2026, 3, 15), D("20"), D("0"), True),
        (date(2026, 4, 1), date(2026, 4, 15), D("20"), D("10"), True),
        # May's gift was expected on the 15th: within the grace period on the 20th...
        (date(2026, 5, 1), date(2026, 5, 15), D("20"), D("0"), False),
    ]
    assert [m.owed for m in months] == [0, 0, D("20"), D("10"), 0]
    # ...late from the 26th (ten days after).
    assert schedule(pledge, today=date(2026, 5, 25))[-1].late is False
    assert schedule(pledge, today=date(2026, 5, 26))[-1].late is True


def test_schedule_starts_with_the_first_gift_when_it_came_before_confirmation():
    pledge = monthly_pledge(make_project(), date(2026, 2, 3))
    give(pledge, date(2026, 1, 31))
    months = schedule(pledge, today=date(2026, 3, 11))
    # The 31st moves to the last day of shorter months.
    assert [(m.month, m.expected_on) for m in months] == [
        (date(2026, 1, 1), date(2026, 1, 31)),
        (date(2026, 2, 1), date(2026, 2, 28)),
        (date(2026, 3, 1), date(2026, 3, 31)),
    ]
    assert [m.late for m in months] == [False, True, False]


def test_a_cancelled_pledge_stops_expecting():
    pledge = monthly_pledge(make_project(), date(2026, 1, 15))
    give(pledge, date(2026, 1, 15))
    Sponsorship.objects.filter(pk=pledge.pk).update(
        status=Sponsorship.Status.CANCELLED, cancelled_at=at(date(2026, 3, 5))
    )
    pledge.refresh_from_db()
    months = schedule(pledge, today=date(2026, 8, 1))
    # January and February were expected; from the cancellation on, nothing.
    assert rows(months) == [
        (date(2026, 1, 1), date(2026, 1, 15), D("20"), D("20"), False),
        (date(2026, 2, 1), date(2026, 2, 15), D("20"), D("0"), True),
    ]
    assert not is_active(pledge) and months_to_come(pledge) == 0
    # A gift after the cancellation still shows, in a month that expected nothing.
    give(pledge, date(2026, 5, 2), "5")
    assert rows(schedule(pledge, today=date(2026, 8, 1)))[-1] == (
        date(2026, 5, 1),
        date(2026, 5, 15),
        D("0"),
        D("5"),
        False,
    )


def test_a_paused_pledge_expects_nothing_while_paused():
    pledge = monthly_pledge(make_project(), date(2026, 1, 15))
    assert is_active(pledge) and months_to_come(pledge) == MONTHS_AHEAD
    pledge.paused_at = at(date(2026, 3, 1))
    assert not is_active(pledge) and to_come(pledge) == 0
    assert [m.expected for m in schedule(pledge, today=date(2026, 6, 1))] == [D("20"), D("20")]


def test_pledges_given_once_or_never_confirmed_have_no_schedule():
    project = make_project()
    once = make_sponsorship(project, confirmed=True)
    pending = make_sponsorship(project, frequency=MONTHLY)
    assert schedule(once, today=date(2026, 5, 1)) == []
    assert schedule(pending, today=date(2026, 5, 1)) == []
    assert to_come(once) == to_come(pending) == 0


def test_funding_figures_count_twelve_months_to_come_of_active_monthly_pledges():
    project = make_project(funding_goal=Decimal("10000"))
    active = monthly_pledge(project, date(2026, 1, 15), amount="50")
    give(active, date(2026, 1, 15), "50")
    monthly_pledge(project, date(2026, 1, 15), amount="30").cancel()
    make_sponsorship(project, frequency=MONTHLY, amount=Decimal("70"))  # pending
    make_sponsorship(project, confirmed=True, amount=Decimal("100"))  # once
    other = make_project()
    monthly_pledge(other, date(2026, 6, 1), amount="10")
    figures = funding_by_project([project, other])
    # Twelve months ahead, never more, apart from what is pledged.
    assert figures[project.pk].to_come == Decimal("600.00") == to_come(active)
    assert figures[project.pk].pledged == Decimal("100.00")
    assert figures[project.pk].committed == Decimal("150.00")
    assert figures[other.pk].to_come == Decimal("120.00")


def test_funding_figures_stay_one_query_however_many_pledges():
    projects = [make_project() for _ in range(3)]

    def count():
        with CaptureQueriesContext(connection) as queries:
            funding_by_project(projects)
        return len(queries)

    few = count()
    for project in projects:
        for _ in range(3):
            monthly_pledge(project, date(2026, 1, 15))
    assert few == count() == 1


def test_the_project_page_and_cards_say_what_monthly_gifts_are_expected(client):
    project = make_project(funding_goal=Decimal("5000"))
    pledge = monthly_pledge(project, date(2026, 1, 15), amount="50")
    pages, lists = {}, {}
    for language in ("fr", "en"):
        with translation.override(language):
            pages[language] = client.get(project.get_absolute_url()).content.decode()
            lists[language] = client.get(reverse("portfolio:project_list")).content.decode()
    assert (
        "Monthly gifts expected over the next 12 months: "
        '<strong data-figure="to-come">$600</strong>' in pages["en"]
    )
    assert (
        "Dons mensuels prévus sur les 12 prochains mois\u00a0: "
        '<strong data-figure="to-come">600\u00a0$</strong>' in pages["fr"]
    )
    assert "(and $600 of monthly gifts expected over the next 12 months)" in lists["en"]
    assert "(et 600\u00a0$ de dons mensuels prévus sur les 12 prochains mois)" in lists["fr"]
    # Cancelling the pledge shows on the next request (the figures' caches move with it).
    pledge.cancel()
    with translation.override("en"):
        assert (
            "monthly gifts expected" not in client.get(project.get_absolute_url()).content.decode()
        )
        assert (
            "monthly gifts expected"
            not in client.get(reverse("portfolio:project_list")).content.decode()
        )


# Finance: the schedule panel and the lapsed donors ------------------------------------


def make_lapsed_records():
    """Monthly pledges late and not, relative to today."""
    today = timezone.localdate()
    project = make_project(title="Puits")
    start = add_months(today, -3)
    late = monthly_pledge(project, start, donor_name="Late Donor")
    give(late, start)  # the first month only
    paid = monthly_pledge(project, start, donor_name="Paid Donor")
    for index in range(4):
        give(paid, add_months(start, index))
    monthly_pledge(project, today - timedelta(days=3), donor_name="New Donor")  # in grace
    monthly_pledge(project, start, donor_name="Cancelled Donor").cancel()
    make_sponsorship(project, confirmed=True, donor_name="Once Donor", created_at=at(start))
    return {"late": late, "paid": paid, "project": project, "start": start}


def test_lapsed_pledges_are_exactly_the_late_active_ones():
    records = make_lapsed_records()
    lapses = lapsed_pledges()
    assert [lapse.pledge for lapse in lapses] == [records["late"]]
    (lapse,) = lapses
    assert lapse.months_late in (2, 3)  # this month's gift may still be in its grace period
    assert lapse.owed == Decimal("20") * lapse.months_late
    assert lapse.last_gift_on == records["start"]


def test_lapsed_view_is_for_finance_only(client, editor, finance_user):
    make_lapsed_records()
    url = reverse("admin:donations_sponsorship_lapsed")
    client.force_login(editor)
    assert client.get(url).status_code == 403
    client.force_login(finance_user)
    for language, title in (
        ("en", "Lapsed monthly donors"),
        ("fr", "Donateurs mensuels en retard"),
    ):
        with translation.override(language):
            page = client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
        assert title in page
        assert "Late Donor" in page
        for name in ("Paid Donor", "New Donor", "Cancelled Donor", "Once Donor"):
            assert name not in page
    changelist = client.get(reverse("admin:donations_sponsorship_changelist")).content.decode()
    assert url in changelist
    assert url in client.get(reverse("admin:donations_sponsorship_totals")).content.decode()


def test_lapsed_view_runs_a_fixed_number_of_queries(client, finance_user):
    make_lapsed_records()
    client.force_login(finance_user)
    url = reverse("admin:donations_sponsorship_lapsed")

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    few = count()
    make_lapsed_records()
    make_lapsed_records()
    assert count() == few
    assert len(lapsed_pledges()) == 3


def test_the_change_page_shows_the_schedule(client, editor, finance_user):
    records = make_lapsed_records()
    url = reverse("admin:donations_sponsorship_change", args=[records["late"].pk])
    client.force_login(editor)
    assert client.get(url).status_code == 403
    client.force_login(finance_user)
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<table class="schedule">' in page
    assert page.count('<tr class="late">') == lapsed_pledges()[0].months_late
    assert "Late: $20 missing" in page
