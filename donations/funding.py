"""How much a project has raised and been promised, computed from the records.

- **raised**: the sum of the gifts recorded against the project's sponsorships (money in
  hand counts whatever became of the pledge afterwards);
- **pledged**: what confirmed sponsorships promised and has not arrived yet. A monthly
  sponsorship counts its first instalment only here: once a month's gift is in, the
  months ahead are not counted as pledged, so the bar never runs ahead of reality (they
  are told apart, as ``to_come``);
- **supporters**: the sponsorships that count, one per confirmed pledge or gift;
- **to_come**: the monthly gifts expected over the months after this one, up to
  ``schedule.MONTHS_AHEAD`` (12), of every active monthly pledge (``schedule.is_active``: a
  cancelled or paused pledge counts nothing to come). It is shown apart and is *not* part
  of ``pledged`` nor of the share of the goal committed.

Pending (unconfirmed) pledges never count; a paused monthly pledge counts like a cancelled
one. Nothing here is stored: figures for a whole list of projects come from one query.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.utils.formats import number_format
from django.utils.translation import gettext

from .models import Gift, Sponsorship
from .schedule import MONTHS_AHEAD

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class FundingFigures:
    goal: Decimal | None
    raised: Decimal = ZERO
    pledged: Decimal = ZERO
    supporters: int = 0
    to_come: Decimal = ZERO

    @property
    def committed(self) -> Decimal:
        return self.raised + self.pledged

    def _percent(self, amount: Decimal) -> int | None:
        if not self.goal:
            return None
        return min(100, int(amount * 100 // self.goal))

    @property
    def percent_raised(self) -> int | None:
        """Share of the goal received, 0 to 100 (None without a goal)."""
        return self._percent(self.raised)

    @property
    def percent_committed(self) -> int | None:
        """Share of the goal received or confirmed, 0 to 100 (None without a goal)."""
        return self._percent(self.committed)

    @property
    def has_support(self) -> bool:
        return self.supporters > 0 or self.raised > 0


def format_money(amount: Decimal | None) -> str:
    """Return an amount of dollars as the visitor's language writes it ("1 250 $", "$1,250")."""
    if amount is None:
        return ""
    places = 0 if amount == amount.to_integral_value() else 2
    number = number_format(amount, decimal_pos=places, use_l10n=True, force_grouping=True)
    return gettext("$%(amount)s") % {"amount": number}


def _active_monthly_sql() -> str:
    """The condition on a sponsorship ``s`` of ``schedule.is_active_monthly``, in SQL.

    Its parameters are the monthly frequency and the confirmed status.
    """
    return "s.frequency = %s AND s.status = %s AND s.cancelled_at IS NULL AND s.paused_at IS NULL"


def _figures_sql(project_count: int) -> str:
    """Return the query of ``funding_by_project`` for this many projects.

    Each sponsorship's money received is summed once (its gifts joined, by index on a
    large table, by hash on a small one), in a materialised step; the figures are then
    added up per project. Written as SQL
    because the ORM repeats a subquery annotation in every aggregate that uses it: four
    lookups per sponsorship instead of one. Both databases understand it.

    Parameters: those of ``_active_monthly_sql``, the months ahead, the project keys, then
    the confirmed status twice.
    """
    sponsorship, gift = Sponsorship._meta.db_table, Gift._meta.db_table
    projects = ", ".join(["%s"] * project_count)
    return f"""
        WITH pledges AS MATERIALIZED (
            SELECT s.project_id,
                   CASE WHEN s.paused_at IS NULL THEN s.status END AS status,
                   s.amount, COALESCE(SUM(g.amount), 0) AS received,
                   CASE WHEN {_active_monthly_sql()} THEN s.amount * %s ELSE 0 END AS to_come
            FROM {sponsorship} s
            LEFT JOIN {gift} g ON g.sponsorship_id = s.id
            WHERE s.project_id IN ({projects})
            GROUP BY s.id, s.project_id, s.status, s.paused_at, s.amount, s.frequency,
                     s.cancelled_at
        )
        SELECT project_id,
               SUM(received),
               SUM(CASE WHEN status = %s AND amount > received
                        THEN amount - received ELSE 0 END),
               SUM(CASE WHEN status = %s OR received > 0 THEN 1 ELSE 0 END),
               SUM(to_come)
        FROM pledges
        GROUP BY project_id
    """  # noqa: S608 - table names from the models, values as parameters


def _money(value) -> Decimal:
    # SQLite sums decimals as floats; money has cents, never more.
    return Decimal(str(value or 0)).quantize(ZERO)


def funding_by_project(projects: Iterable) -> dict[int, FundingFigures]:
    """Return ``{project pk: FundingFigures}`` for these projects, in one query.

    ``projects`` are Project instances (a queryset is evaluated, and keeps its cache
    for the template that lists it).
    """
    projects = list(projects)
    if not projects:
        return {}
    confirmed = Sponsorship.Status.CONFIRMED.value
    monthly = Sponsorship.Frequency.MONTHLY.value
    with connection.cursor() as cursor:
        cursor.execute(
            _figures_sql(len(projects)),
            [monthly, confirmed, MONTHS_AHEAD]
            + [project.pk for project in projects]
            + [confirmed, confirmed],
        )
        rows = {row[0]: row[1:] for row in cursor.fetchall()}
    figures = {}
    for project in projects:
        raised, pledged, supporters, to_come = rows.get(project.pk, (0, 0, 0, 0))
        figures[project.pk] = FundingFigures(
            goal=project.funding_goal,
            raised=_money(raised),
            pledged=_money(pledged),
            supporters=int(supporters or 0),
            to_come=_money(to_come),
        )
    return figures


def project_funding(project) -> FundingFigures:
    """Return one project's figures (one query)."""
    return funding_by_project([project])[project.pk]


def public_supporters(project, limit: int = 30) -> list[Sponsorship]:
    """Return the newest supporters who asked to be named, with what they may show."""
    return list(
        Sponsorship.objects.public_supporters()
        .filter(project=project)
        .only("donor_name", "public_message", "message_hidden", "confirmed_at")
        .order_by("-confirmed_at", "-pk")[:limit]
    )
