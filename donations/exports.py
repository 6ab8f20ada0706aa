"""Finance exports a person can open in a spreadsheet, in the admin's language.

French: semicolons between cells and decimal commas (what a French spreadsheet expects);
English: commas and decimal points. Column names and values (status, frequency, method)
are translated labels, never codes; dates and times are local (``settings.TIME_ZONE``).
Every cell that a spreadsheet would run as a formula is kept as text.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Min, Sum
from django.db.models.functions import TruncMonth
from django.http import HttpResponse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from core.templatetags.translated_fields import translated
from portfolio.models import Project

from .models import Gift
from .schedule import next_expected_on

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value) -> str:
    """Return a CSV cell that a spreadsheet shows as text, never runs as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def uses_decimal_comma() -> bool:
    return formats.get_format("DECIMAL_SEPARATOR") == ","


def delimiter() -> str:
    """Semicolons where numbers take a decimal comma (French), commas elsewhere."""
    return ";" if uses_decimal_comma() else ","


def number(value: Decimal | int | None) -> str:
    """An amount as the admin's spreadsheet reads it: "1250,50" in French, "1250.50" in English.

    No thousands separator: a spreadsheet would read it as text.
    """
    if value is None:
        return ""
    text = f"{Decimal(value):.2f}" if isinstance(value, Decimal) else str(value)
    return text.replace(".", ",") if uses_decimal_comma() else text


def local_datetime(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def local_date(value: date | None) -> str:
    return value.isoformat() if value else ""


def yes_no(value: bool) -> str:
    return _("yes") if value else _("no")


def csv_response(filename: str, header: list[str], rows: Iterable[list]) -> HttpResponse:
    """Return a CSV download: UTF-8 with a byte-order mark, the admin language's separator."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="{filename}-{stamp}.csv"'
    response["Content-Language"] = translation.get_language() or ""
    response.write("\ufeff")  # lets spreadsheets read the file as UTF-8
    writer = csv.writer(response, delimiter=delimiter())
    writer.writerow(header)
    for row in rows:
        writer.writerow([spreadsheet_safe(cell) for cell in row])
    return response


def _title(project) -> str:
    return translated(project, "title").text if project is not None else ""


def sponsorships_csv(queryset) -> HttpResponse:
    """The selected sponsorships, one a row, with what they received and still expect."""
    header = [
        _("Reference"),
        _("Pledged on"),
        _("Project"),
        _("Donor's name"),
        _("Donor's email"),
        _("Language"),
        _("Amount"),
        _("Currency"),
        _("Frequency"),
        _("Status"),
        _("Confirmed on"),
        _("Received"),
        _("Next gift expected"),
        _("Dedication"),
        _("Dedicated to"),
        _("Name shown publicly"),
        _("News by email"),
        _("Public message"),
    ]
    languages = dict(settings.LANGUAGES)
    sponsorships = (
        queryset.select_related("project")
        .annotate(
            export_received=Sum("gifts__amount"),
            export_gift_count=Count("gifts"),
            export_first_gift_on=Min("gifts__received_on"),
        )
        .order_by("created_at", "pk")
    )

    def rows():
        for s in sponsorships:
            expected = next_expected_on(
                s, gift_count=s.export_gift_count, first_gift_on=s.export_first_gift_on
            )
            yield [
                s.reference,
                local_datetime(s.created_at),
                _title(s.project),
                s.donor_name,
                s.donor_email,
                str(languages.get(s.language, s.language)),
                number(s.amount),
                s.currency,
                s.get_frequency_display(),
                s.get_status_display(),
                local_datetime(s.confirmed_at),
                number(s.export_received or Decimal("0")),
                local_date(expected),
                s.get_dedication_kind_display() if s.dedication_kind else "",
                s.dedication_name,
                yes_no(s.show_name_publicly),
                yes_no(s.news_opt_in),
                s.public_message,
            ]

    return csv_response(_("sponsorships"), header, rows())


def gift_totals(gifts=None) -> dict[str, list[tuple[str, int, Decimal]]]:
    """Return the money received, summed by month, by method and by project.

    Each list holds ``(label, number of gifts, total)``, in order; labels are translated.
    """
    gifts = Gift.objects.all() if gifts is None else gifts
    by_month = [
        (row["month"].strftime("%Y-%m"), row["count"], row["total"])
        for row in gifts.annotate(month=TruncMonth("received_on"))
        .values("month")
        .annotate(count=Count("pk"), total=Sum("amount"))
        .order_by("month")
    ]
    methods = dict(Gift.Method.choices)
    by_method = [
        (str(methods.get(row["method"], row["method"])), row["count"], row["total"])
        for row in gifts.values("method")
        .annotate(count=Count("pk"), total=Sum("amount"))
        .order_by("method")
    ]
    project_rows = list(
        gifts.values("sponsorship__project")
        .annotate(count=Count("pk"), total=Sum("amount"))
        .order_by("sponsorship__project")
    )
    projects = Project.objects.in_bulk([row["sponsorship__project"] for row in project_rows])
    by_project = sorted(
        (
            (_title(projects.get(row["sponsorship__project"])), row["count"], row["total"])
            for row in project_rows
        ),
        key=lambda row: row[0].casefold(),
    )
    return {"month": by_month, "method": by_method, "project": by_project}


def gift_totals_csv(gifts=None) -> HttpResponse:
    """Money received by month, by method and by project: three tables, each with its total."""
    totals = gift_totals(gifts)
    sections = [
        ("month", _("Month")),
        ("method", _("Method")),
        ("project", _("Project")),
    ]

    def rows():
        for index, (key, label) in enumerate(sections):
            if index:
                yield []
                yield [label, _("Gifts"), _("Total received")]
            count = sum(row[1] for row in totals[key])
            amount = sum((Decimal(row[2]) for row in totals[key]), Decimal("0"))
            for name, gifts_count, total in totals[key]:
                yield [name, gifts_count, number(Decimal(total))]
            yield [_("Total"), count, number(amount)]

    return csv_response(_("gift-totals"), [_("Month"), _("Gifts"), _("Total received")], rows())
