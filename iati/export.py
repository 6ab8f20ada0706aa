"""Projects as IATI 2.03 activities (``<iati-activity>`` elements built with lxml).

What each part of a project becomes, and why:

- identifier: the project's ``iati_identifier``, or ``IATI_IDENTIFIER_PREFIX-<number>``;
- reporting organisation: ``IATI_REPORTING_ORG_REF`` / ``_TYPE`` / ``_NAME_FR`` / ``_NAME_EN``;
- title and description (the summary): one narrative per language of the site, with its
  ``xml:lang``; a language left empty has no narrative;
- participating organisations: the NGO itself as *Funding* (1): it raises the money and
  passes it on; then the partners shown on the site, their partnership role mapped to the
  OrganisationRole codelist by ``PARTNERSHIP_ROLES``;
- status: ``ACTIVITY_STATUS``; dates: a start or end date that has come is *actual* (2, 4)
  for an active or completed project, otherwise *planned* (1, 3);
- recipient countries: the countries of the project's regions (a state counts for its
  country), shares equal and summing to 100;
- sectors: the sector's DAC 5-digit codes (vocabulary 1) with their shares;
- budget: the funding goal, spread over periods of at most a year (the Standard Ruleset's
  limit, rule 7.5.3) from the start date to the end date, in proportion to their days;
- transactions: gifts received, added up per month and currency, as *Incoming Funds* (1):
  money received for the activity. *Incoming Commitment* (11) is a firm promise of money
  to come, which a gift already received is not. A transaction names no donor: its
  provider is "individual donors";
- results: whatever ``iati.results.result_elements`` yields (the results app, if installed).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.apps import apps
from django.conf import settings
from django.db.models import Max, Prefetch, Sum
from django.db.models.functions import TruncMonth
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from lxml import etree

from partners.models import Partner
from portfolio.models import Partnership, Project
from portfolio.search import plain_text

from .results import result_elements, with_results

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# Latitude and longitude in WGS 84, as IATI asks of a location's point.
WGS84 = "http://www.opengis.net/def/crs/EPSG/0/4326"
IATI_VERSION = "2.03"

# Partnership roles -> OrganisationRole codes (1 Funding, 2 Accountable, 4 Implementing).
PARTNERSHIP_ROLES = {
    Partnership.Role.LEAD: "2",
    Partnership.Role.IMPLEMENTING: "4",
    Partnership.Role.FUNDING: "1",
}
# The NGO's own role in every activity: it funds the partners' work.
REPORTING_ORG_ROLE = "1"
# Project status -> ActivityStatus codes: 1 Pipeline/identification, 2 Implementation,
# 3 Finalisation (work done; gifts may still come in and the accounts are not closed).
ACTIVITY_STATUS = {
    Project.Status.PLANNED: "1",
    Project.Status.ACTIVE: "2",
    Project.Status.COMPLETED: "3",
}
INCOMING_FUNDS = "1"
DAC_VOCABULARY = "1"
GENERAL_DESCRIPTION = "1"
ORIGINAL_BUDGET, INDICATIVE = "1", "1"
ACTIVITY_WEB_PAGE = "A12"
CENT = Decimal("0.01")


def languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def activity_identifier(project: Project) -> str:
    if project.iati_identifier:
        return project.iati_identifier
    return f"{settings.IATI_IDENTIFIER_PREFIX}-{project.pk}"


def export_queryset(queryset=None):
    """Return the projects with what their activities read, in few queries."""
    queryset = Project.objects.published() if queryset is None else queryset
    if apps.is_installed("places"):
        queryset = queryset.prefetch_related("locations")
    return (
        with_results(queryset)
        .select_related("sector")
        .prefetch_related(
            "regions",
            Prefetch(
                "partnerships",
                queryset=Partnership.objects.filter(partner__in=Partner.objects.public())
                .select_related("partner")
                .order_by("order", "pk"),
            ),
        )
    )


def monthly_gifts(project_ids) -> dict[int, list[dict]]:
    """Return each project's gifts added up per month and currency, oldest first.

    Only sums and dates leave the database: never a donor, a sponsorship or a gift.
    """
    from donations.models import Gift  # the app above the portfolio, read only here

    rows = (
        Gift.objects.filter(sponsorship__project_id__in=list(project_ids))
        .annotate(month=TruncMonth("received_on"))
        .values("sponsorship__project_id", "month", "sponsorship__currency")
        .annotate(total=Sum("amount"), last=Max("received_on"), recorded=Max("recorded_at"))
        .order_by("sponsorship__project_id", "month", "sponsorship__currency")
    )
    months = defaultdict(list)
    for row in rows:
        months[row["sponsorship__project_id"]].append(row)
    return months


def _narratives(parent, texts: dict[str, str]) -> None:
    for code, text in texts.items():
        text = (text or "").strip()
        if text:
            etree.SubElement(parent, "narrative", {XML_LANG: code}).text = text


def _translated(parent, field: str, obj) -> None:
    _narratives(parent, {code: getattr(obj, f"{field}_{code}", "") for code in languages()})


def _in_each_language(message: str, **values) -> dict[str, str]:
    texts = {}
    for code in languages():
        with translation.override(code):
            texts[code] = _(message) % values
    return texts


def _amount(value: Decimal) -> str:
    return str(value.quantize(CENT))


def _percentage(value: Decimal) -> str:
    return format(value.normalize(), "f")


def equal_shares(count: int) -> list[Decimal]:
    """Split 100 into ``count`` shares of two decimals that add up to exactly 100."""
    if count <= 0:
        return []
    share = (Decimal(100) / count).quantize(CENT, rounding=ROUND_HALF_UP)
    shares = [share] * (count - 1)
    return [*shares, Decimal(100) - sum(shares, Decimal(0))]


def budget_periods(start: date, end: date, total: Decimal) -> list[tuple[date, date, Decimal]]:
    """Spread ``total`` over periods of at most a year from ``start`` to ``end``."""
    periods = []
    begin = start
    while begin <= end:
        try:
            next_begin = begin.replace(year=begin.year + 1)
        except ValueError:  # 29 February
            next_begin = begin + timedelta(days=365)
        finish = min(end, next_begin - timedelta(days=1))
        periods.append((begin, finish))
        begin = finish + timedelta(days=1)
    days = (end - start).days + 1
    amounts = [(total * ((f - b).days + 1) / days).quantize(CENT) for b, f in periods[:-1]]
    amounts.append(total - sum(amounts, Decimal(0)))
    return [(b, f, a) for (b, f), a in zip(periods, amounts, strict=True)]


def _reporting_org(parent, tag: str, **extra) -> None:
    attributes = {"ref": settings.IATI_REPORTING_ORG_REF, **extra}
    if settings.IATI_REPORTING_ORG_TYPE:
        attributes["type"] = settings.IATI_REPORTING_ORG_TYPE
    element = etree.SubElement(parent, tag, attributes)
    _narratives(
        element,
        {
            "fr": settings.IATI_REPORTING_ORG_NAME_FR,
            "en": settings.IATI_REPORTING_ORG_NAME_EN,
        },
    )


def _dates(activity, project: Project, today: date) -> None:
    status = project.status
    if project.start_date:
        started = status != Project.Status.PLANNED and project.start_date <= today
        etree.SubElement(
            activity,
            "activity-date",
            {"iso-date": project.start_date.isoformat(), "type": "2" if started else "1"},
        )
    if project.end_date:
        ended = status == Project.Status.COMPLETED and project.end_date <= today
        etree.SubElement(
            activity,
            "activity-date",
            {"iso-date": project.end_date.isoformat(), "type": "4" if ended else "3"},
        )


def _last_updated(project: Project, gifts: list[dict]):
    moments = [project.updated_at, *(row["recorded"] for row in gifts if row["recorded"])]
    return min(max(moments), timezone.now()).replace(microsecond=0)


def build_activity(project: Project, gifts: list[dict] | None = None) -> etree._Element:
    """Return the project as an ``<iati-activity>`` element (valid or not: see
    ``iati.validation``). ``gifts`` are its rows of ``monthly_gifts``."""
    gifts = gifts or []
    today = timezone.localdate()
    activity = etree.Element(
        "iati-activity",
        {
            XML_LANG: settings.LANGUAGE_CODE,
            "default-currency": settings.DEFAULT_CURRENCY,
            "last-updated-datetime": _last_updated(project, gifts).isoformat(),
        },
    )
    etree.SubElement(activity, "iati-identifier").text = activity_identifier(project)
    _reporting_org(activity, "reporting-org")
    _translated(etree.SubElement(activity, "title"), "title", project)
    description = etree.SubElement(activity, "description", {"type": GENERAL_DESCRIPTION})
    summaries = {}
    for code in languages():
        summaries[code] = getattr(project, f"summary_{code}", "") or plain_text(
            getattr(project, f"body_{code}", "")
        )
    _narratives(description, summaries)

    _reporting_org(activity, "participating-org", role=REPORTING_ORG_ROLE)
    for partnership in project.partnerships.all():
        partner = partnership.partner
        attributes = {"role": PARTNERSHIP_ROLES.get(partnership.role, "4")}
        if partner.iati_ref:
            attributes["ref"] = partner.iati_ref
        if partner.iati_type:
            attributes["type"] = partner.iati_type
        _translated(etree.SubElement(activity, "participating-org", attributes), "name", partner)

    etree.SubElement(
        activity, "activity-status", {"code": ACTIVITY_STATUS.get(project.status, "2")}
    )
    _dates(activity, project, today)

    countries = list(dict.fromkeys(region.country.code for region in project.regions.all()))
    for code, share in zip(countries, equal_shares(len(countries)), strict=True):
        etree.SubElement(
            activity, "recipient-country", {"code": code, "percentage": _percentage(share)}
        )

    _locations(activity, project)

    if project.sector is not None:
        for code, share in project.sector.dac_shares():
            etree.SubElement(
                activity,
                "sector",
                {"vocabulary": DAC_VOCABULARY, "code": code, "percentage": _percentage(share)},
            )

    if project.funding_goal is not None and project.start_date and project.end_date:
        for begin, finish, amount in budget_periods(
            project.start_date, project.end_date, project.funding_goal
        ):
            budget = etree.SubElement(
                activity, "budget", {"type": ORIGINAL_BUDGET, "status": INDICATIVE}
            )
            etree.SubElement(budget, "period-start", {"iso-date": begin.isoformat()})
            etree.SubElement(budget, "period-end", {"iso-date": finish.isoformat()})
            etree.SubElement(budget, "value", {"value-date": begin.isoformat()}).text = _amount(
                amount
            )

    for row in gifts:
        _transaction(activity, row)

    _web_pages(activity, project)
    for result in result_elements(project):
        activity.append(result)
    return activity


def _locations(activity, project: Project) -> None:
    """Add the project's places (from the places app, when installed) as ``<location>``."""
    if not apps.is_installed("places"):
        return
    for place in project.locations.all():
        location = etree.SubElement(activity, "location")
        if place.reach:
            etree.SubElement(location, "location-reach", {"code": str(place.reach)})
        _translated(etree.SubElement(location, "name"), "name", place)
        point = etree.SubElement(location, "point", {"srsName": WGS84})
        etree.SubElement(point, "pos").text = f"{place.latitude} {place.longitude}"
        etree.SubElement(location, "exactness", {"code": str(place.exactness)})


def _transaction(activity, row: dict) -> None:
    transaction = etree.SubElement(activity, "transaction")
    etree.SubElement(transaction, "transaction-type", {"code": INCOMING_FUNDS})
    day = row["last"].isoformat()
    etree.SubElement(transaction, "transaction-date", {"iso-date": day})
    value = etree.SubElement(transaction, "value", {"value-date": day})
    if row["sponsorship__currency"] != settings.DEFAULT_CURRENCY:
        value.set("currency", row["sponsorship__currency"])
    value.text = _amount(row["total"])
    month = row["month"]
    texts = {}
    for code in languages():
        with translation.override(code):
            texts[code] = _("Gifts received in %(month)s (total of the month)") % {
                "month": formats.date_format(month, "YEAR_MONTH_FORMAT")
            }
    _narratives(etree.SubElement(transaction, "description"), texts)
    provider = etree.SubElement(transaction, "provider-org")
    _narratives(provider, _in_each_language(gettext_noop("Individual donors")))


def _web_pages(activity, project: Project) -> None:
    """Link the project's public page in each language (DocumentCategory A12)."""
    site = settings.SITE_URL.rstrip("/")
    for code in languages():
        if not getattr(project, f"title_{code}", ""):
            continue
        with translation.override(code):
            url = site + project.get_absolute_url()
            link = etree.SubElement(activity, "document-link", {"url": url, "format": "text/html"})
            _narratives(etree.SubElement(link, "title"), {code: getattr(project, f"title_{code}")})
            etree.SubElement(link, "category", {"code": ACTIVITY_WEB_PAGE})
            etree.SubElement(link, "language", {"code": code})


def build_document(activities) -> etree._Element:
    """Return an ``<iati-activities>`` document holding ``activities``."""
    root = etree.Element(
        "iati-activities",
        {
            "version": IATI_VERSION,
            "generated-datetime": timezone.now().replace(microsecond=0).isoformat(),
        },
    )
    for activity in activities:
        root.append(activity)
    return root


def serialise(document: etree._Element) -> bytes:
    return etree.tostring(document, xml_declaration=True, encoding="UTF-8", pretty_print=True)
