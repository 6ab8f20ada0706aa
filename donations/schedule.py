"""What a monthly pledge still promises: the date its next gift is expected.

A monthly pledge's first gift opens its calendar; each following gift is expected a month
after the one before, on the same day of the month (the last day of a shorter month). Before
any gift, the first is expected now and the second a month after the pledge; a pledge given
once, or cancelled, expects nothing more.

A monthly pledge is also read as a **schedule**: from its first month (the month it was
confirmed, or of its first gift if that came earlier) to this month, the amount expected
each calendar month, what was received in it (gifts by their date of receipt) and whether
it is late (less received than the amount, more than ``GRACE_DAYS`` after the day the gift
was expected). A pledge has no end date: it runs until it is cancelled. Whether a pledge
still expects anything is decided in one place, ``is_active``, which the funding figures'
query mirrors (``funding._active_monthly_sql``). Dates are calendar days in
``settings.TIME_ZONE``.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from .models import Sponsorship

# Days after the expected date before a month without its gift counts as late.
GRACE_DAYS = 10
# How far ahead the funding figures count the gifts of an active monthly pledge.
MONTHS_AHEAD = 12
ZERO = Decimal("0.00")


def add_months(day: date, months: int) -> date:
    """Return ``day`` moved by ``months``, within the month it lands in (31 Jan + 1: 28 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def next_expected_on(
    sponsorship: Sponsorship,
    *,
    gift_count: int | None = None,
    first_gift_on: date | None = None,
) -> date | None:
    """Return when the next gift of a monthly pledge is expected (None for others, and for
    a pledge stopped or paused).

    ``gift_count`` and ``first_gift_on`` may be given when already known (an admin list
    annotates them); otherwise they are read from the pledge's gifts (one query).
    """
    if (
        sponsorship.frequency != Sponsorship.Frequency.MONTHLY
        or sponsorship.status == Sponsorship.Status.CANCELLED
        or sponsorship.paused_at is not None
    ):
        return None
    if gift_count is None:
        dates = sorted(sponsorship.gifts.values_list("received_on", flat=True))
        gift_count, first_gift_on = len(dates), (dates[0] if dates else None)
    if first_gift_on is None:
        # Nothing received yet: the first gift is due now, the second a month after the pledge.
        return add_months(timezone.localdate(sponsorship.created_at), 1)
    return add_months(first_gift_on, gift_count)


def is_active(pledge: Sponsorship) -> bool:
    """Whether a pledge still expects gifts: confirmed, not cancelled, not paused."""
    return (
        pledge.status == Sponsorship.Status.CONFIRMED
        and pledge.cancelled_at is None
        and pledge.paused_at is None
    )


def is_active_monthly(pledge: Sponsorship) -> bool:
    return pledge.frequency == Sponsorship.Frequency.MONTHLY and is_active(pledge)


def months_to_come(pledge: Sponsorship) -> int:
    """The months after this one an active monthly pledge still promises, up to MONTHS_AHEAD.

    A pledge runs until it ends (cancelled or paused); one that has ended promises nothing.
    """
    return MONTHS_AHEAD if is_active_monthly(pledge) else 0


def to_come(pledge: Sponsorship) -> Decimal:
    """What an active monthly pledge promises over the months to come (see ``months_to_come``)."""
    return pledge.amount * months_to_come(pledge)


@dataclass(frozen=True)
class ScheduleMonth:
    month: date  # its first day
    expected_on: date  # the day its gift is expected
    expected: Decimal
    received: Decimal
    late: bool

    @property
    def owed(self) -> Decimal:
        """What a late month still lacks (nothing for the others)."""
        return self.expected - self.received if self.late else ZERO


def _first_day(day: date) -> date:
    return day.replace(day=1)


def _end_of_expectations(pledge: Sponsorship) -> date | None:
    """The first day a pledge expects nothing any more (None while it runs)."""
    if pledge.status == Sponsorship.Status.PENDING:
        return date.min
    ends = [
        timezone.localdate(moment)
        for moment in (pledge.cancelled_at, pledge.paused_at)
        if moment is not None
    ]
    if pledge.status == Sponsorship.Status.CANCELLED and not ends:
        return date.min
    return min(ends) if ends else None


def schedule(
    pledge: Sponsorship,
    *,
    today: date | None = None,
    gifts: Iterable | None = None,
) -> list[ScheduleMonth]:
    """Return a monthly pledge's months, from its first to this one (empty for others).

    ``gifts`` are the pledge's gifts when already loaded (anything with ``received_on`` and
    ``amount``); otherwise ``pledge.gifts.all()`` is read (free when prefetched). Months
    after the pledge ended are shown only while gifts still came in them.
    """
    if pledge.frequency != Sponsorship.Frequency.MONTHLY:
        return []
    today = today or timezone.localdate()
    gifts = list(pledge.gifts.all() if gifts is None else gifts)
    starts = [gift.received_on for gift in gifts]
    if pledge.confirmed_at is not None:
        starts.append(timezone.localdate(pledge.confirmed_at))
    if not starts:
        return []
    start, end = min(starts), _end_of_expectations(pledge)
    this_month = _first_day(today)
    received: dict[date, Decimal] = {}
    for gift in gifts:
        received[_first_day(gift.received_on)] = (
            received.get(_first_day(gift.received_on), ZERO) + gift.amount
        )
    last_gift_month = max(received, default=start)
    months = []
    index = 0
    while _first_day(expected_on := add_months(start, index)) <= this_month:
        month = _first_day(expected_on)
        expects = end is None or expected_on < end
        if not expects and month > last_gift_month:
            break
        expected = pledge.amount if expects else ZERO
        got = received.get(month, ZERO)
        late = expects and got < expected and today > expected_on + timedelta(days=GRACE_DAYS)
        months.append(ScheduleMonth(month, expected_on, expected, got, late))
        index += 1
    return months


@dataclass(frozen=True)
class Lapse:
    pledge: Sponsorship
    months_late: int
    owed: Decimal
    last_gift_on: date | None


def lapsed_pledges(*, today: date | None = None) -> list[Lapse]:
    """Return the active monthly pledges with late months, most owed first (three queries)."""
    from django.db.models import Prefetch

    from .models import Gift

    pledges = (
        Sponsorship.objects.filter(
            frequency=Sponsorship.Frequency.MONTHLY,
            status=Sponsorship.Status.CONFIRMED,
            cancelled_at__isnull=True,
        )
        .select_related("project", "donor")
        .prefetch_related(
            Prefetch("gifts", queryset=Gift.objects.only("sponsorship_id", "amount", "received_on"))
        )
    )
    lapses = []
    for pledge in pledges:
        if not is_active(pledge):
            continue
        late = [month for month in schedule(pledge, today=today) if month.late]
        if late:
            gifts = [gift.received_on for gift in pledge.gifts.all()]
            lapses.append(
                Lapse(
                    pledge=pledge,
                    months_late=len(late),
                    owed=sum((month.owed for month in late), ZERO),
                    last_gift_on=max(gifts, default=None),
                )
            )
    lapses.sort(key=lambda lapse: (-lapse.owed, lapse.pledge.reference))
    return lapses
