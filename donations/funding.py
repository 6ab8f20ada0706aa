"""How much a project has raised and been promised, computed from the records.

- **raised**: the sum of the gifts recorded against the project's sponsorships (money in
  hand counts whatever became of the pledge afterwards);
- **pledged**: what confirmed sponsorships promised and has not arrived yet. A monthly
  sponsorship promises its next instalment only: once a month's gift is in, the months
  ahead are not counted as money to come, so the bar never runs ahead of reality;
- **supporters**: the sponsorships that count, one per confirmed pledge or gift.

Pending (unconfirmed) pledges never count. Nothing here is stored: figures for a whole
list of projects come from one query.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    DecimalField,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.formats import number_format
from django.utils.translation import gettext

from .models import Gift, Sponsorship

ZERO = Decimal("0.00")
MONEY = DecimalField(max_digits=14, decimal_places=2)


@dataclass(frozen=True)
class FundingFigures:
    goal: Decimal | None
    raised: Decimal = ZERO
    pledged: Decimal = ZERO
    supporters: int = 0

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


def _received_per_sponsorship():
    return (
        Gift.objects.filter(sponsorship=OuterRef("pk"))
        .order_by()
        .values("sponsorship")
        .annotate(total=Sum("amount"))
        .values("total")
    )


def funding_by_project(projects: Iterable) -> dict[int, FundingFigures]:
    """Return ``{project pk: FundingFigures}`` for these projects, in one query.

    ``projects`` are Project instances (a queryset is evaluated, and keeps its cache
    for the template that lists it).
    """
    projects = list(projects)
    if not projects:
        return {}
    received = Coalesce(Subquery(_received_per_sponsorship()), Value(ZERO), output_field=MONEY)
    rows = (
        Sponsorship.objects.filter(project__in=[project.pk for project in projects])
        .annotate(received=received)
        .order_by()
        .values("project_id")
        .annotate(
            raised=Sum("received", output_field=MONEY),
            pledged=Sum(
                Case(
                    When(
                        status=Sponsorship.Status.CONFIRMED,
                        amount__gt=F("received"),
                        then=F("amount") - F("received"),
                    ),
                    default=Value(ZERO),
                    output_field=MONEY,
                )
            ),
            supporters=Count(
                "pk", filter=Q(status=Sponsorship.Status.CONFIRMED) | Q(received__gt=0)
            ),
        )
    )
    by_project = {row["project_id"]: row for row in rows}
    figures = {}
    for project in projects:
        row = by_project.get(project.pk, {})
        figures[project.pk] = FundingFigures(
            goal=project.funding_goal,
            raised=row.get("raised") or ZERO,
            pledged=row.get("pledged") or ZERO,
            supporters=row.get("supporters") or 0,
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
