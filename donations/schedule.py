"""What a monthly pledge still promises: the date its next gift is expected.

A monthly pledge's first gift opens its calendar; each following gift is expected a month
after the one before, on the same day of the month (the last day of a shorter month). Before
any gift, the first is expected now and the second a month after the pledge; a pledge given
once, or cancelled, expects nothing more.
"""

from __future__ import annotations

import calendar
from datetime import date

from django.utils import timezone

from .models import Sponsorship


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
    """Return when the next gift of a monthly pledge is expected (None for others).

    ``gift_count`` and ``first_gift_on`` may be given when already known (an admin list
    annotates them); otherwise they are read from the pledge's gifts (one query).
    """
    if (
        sponsorship.frequency != Sponsorship.Frequency.MONTHLY
        or sponsorship.status == Sponsorship.Status.CANCELLED
    ):
        return None
    if gift_count is None:
        dates = sorted(sponsorship.gifts.values_list("received_on", flat=True))
        gift_count, first_gift_on = len(dates), (dates[0] if dates else None)
    if first_gift_on is None:
        # Nothing received yet: the first gift is due now, the second a month after the pledge.
        return add_months(timezone.localdate(sponsorship.created_at), 1)
    return add_months(first_gift_on, gift_count)
