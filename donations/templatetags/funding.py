"""Funding figures and the pledge form for portfolio templates.

The donations app provides them so that portfolio never imports donations:

- ``{% funding_by_project projects as funding %}`` — figures for a whole list in one query,
  as ``{project pk: figures}``; a card then shows
  ``{% funding_bar funding|get_item:project.pk %}``.
- ``{% project_giving_panel project %}`` — the project page's funding panel, its public
  supporters and suggested amounts that open the pledge page (no form: the page is cached);
- ``{% project_funding project form=form %}`` — the pledge page's panel, with the form.
"""

import hashlib

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from core import fragments
from donations import funding
from donations.forms import PledgeForm
from donations.models import SuggestedAmount
from portfolio.models import Project
from portfolio.rows import card_rows as rows_by_key
from portfolio.templatetags.project_cards import attach_card_regions, fill_names, project_card

register = template.Library()


@register.filter
def money(amount):
    """Format dollars the way the visitor's language writes them."""
    return funding.format_money(amount)


@register.simple_tag
def funding_by_project(projects):
    """Return ``{project pk: FundingFigures}`` for a list of projects, in one query."""
    return funding.funding_by_project(projects)


@register.simple_tag
def project_cards(projects, heading="h3"):
    """Return the ``<li>`` of each project's card with its funding bar.

    ``projects`` are Project instances or their keys (what kept lists keep). Each card is
    kept as a fragment under its project's card and funding versions (``core.fragments``):
    after a gift to one project, or a new cover, a list renders only that card anew. Cards
    not kept are rendered from the instances given, or from rows loaded by key, all in one
    query. Kept cards name their sector and regions by slot (``project_card``), filled in
    here: they are kept under the counts token, which a region's or a sector's save keeps.

    The cards of a list, their names filled in, are also kept together, under their
    projects' versions (one key, whatever the number of cards): a list drawn again after a
    pledge or another project's change reads one fragment, not one per card. A region or
    a sector saved (the regions token) fills them in again from the cards kept.
    """
    given = list(projects)
    pks = [item if isinstance(item, int) else item.pk for item in given]
    if not fragments.in_use() or not pks:
        return mark_safe(drawn_cards(given, pks, heading, {}))  # noqa: S308 - see drawn_cards
    versions = fragments.card_versions(pks)
    shown = hashlib.blake2b(
        repr([(pk, *versions[pk]) for pk in pks]).encode(), digest_size=16
    ).hexdigest()
    cards = fragments.memo(
        "card-grid",
        (heading, shown),
        lambda: fill_names(drawn_cards(given, pks, heading, versions)),
        across_catalogue=True,
        no_partners=True,
    )
    return mark_safe(cards)  # noqa: S308 - cards written by project_card, names escaped


def drawn_cards(given: list, pks: list[int], heading: str, versions: dict) -> str:
    """Return the HTML of the cards of these projects (``given``: instances or keys), each
    kept under its versions (``versions``, read before; none without fragments), with
    slots for names when fragments are in use (``fill_names`` fills them in)."""
    rows = {item.pk: item for item in given if not isinstance(item, int)}
    slots = fragments.in_use()
    keys = {
        pk: fragments.fragment_key(
            "card",
            pk,
            heading,
            versions[pk],
            across_catalogue=True,
            no_partners=True,
            no_names=True,
        )
        for pk in pks
        if pk in versions
    }
    found = fragments.get_many(keys.values())
    missing = [pk for pk in pks if keys.get(pk) not in found]
    to_load = [pk for pk in missing if pk not in rows]
    if to_load:
        rows |= card_rows(to_load, {pk: versions[pk][0] for pk in to_load if pk in versions})
    # A key whose project is gone (deleted since the list was kept) shows nothing.
    missing = [pk for pk in missing if pk in rows]
    figures = kept_figures(rows, missing, versions)
    made = {
        pk: format_html(
            "<li>{}</li>",
            project_card(
                rows[pk],
                heading=heading,
                footer=format_html("{}{}", funding_bar(figures[pk]), donate_link(rows[pk])),
                slots=slots,
            ),
        )
        for pk in missing
    }
    fragments.set_many({keys[pk]: str(card) for pk, card in made.items() if pk in keys})
    # Cards written by project_card, kept as they were.
    return "".join(made.get(pk) or found.get(keys.get(pk), "") for pk in pks)


def kept_figures(rows: dict[int, Project], pks: list[int], versions: dict) -> dict:
    """Return ``{pk: FundingFigures}`` of these projects, each kept under its funding
    version (``versions``: ``{pk: (card version, funding version)}``, read before): a card
    drawn anew after a rename reads its row again, not its figures. Those not kept come
    from one query."""
    keys = {
        pk: fragments.fragment_key(
            "funding-figures",
            pk,
            versions[pk][1],
            across_catalogue=True,
            no_partners=True,
            no_names=True,
        )
        for pk in pks
        if pk in versions
    }
    found = fragments.get_many(keys.values())
    figures = {pk: found[keys[pk]] for pk in pks if keys.get(pk) in found}
    computed = funding.funding_by_project(rows[pk] for pk in pks if pk not in figures)
    fragments.set_many({keys[pk]: value for pk, value in computed.items() if pk in keys})
    return figures | computed


def card_rows(pks: list[int], versions: dict[int, str]) -> dict[int, Project]:
    """Return ``{pk: project}`` with what a card shows, kept as fragments one by one under
    each project's card version (``versions``, read before the rows).

    After a gift, a card is rendered anew with the project's new figures but its row as
    it was kept; only rows not kept are read, in one query (and one for their regions).
    """
    if not fragments.in_use():
        return {project.pk: project for project in Project.objects.for_cards().filter(pk__in=pks)}
    keys = {
        pk: fragments.fragment_key(
            "card-row", pk, versions.get(pk), across_catalogue=True, no_partners=True
        )
        for pk in pks
    }
    rows = fragments.kept_each(keys, rows_by_key)
    # Their regions are kept apart (rows are kept without them): a rename moves the row,
    # not them.
    attach_card_regions(rows.values())
    return rows


@register.inclusion_tag("donations/includes/project_funding.html", takes_context=True)
def project_funding(context, project, form=None):
    """Render a project's funding panel and its pledge form."""
    return {
        "project": project,
        "figures": funding.project_funding(project),
        "supporters": funding.public_supporters(project),
        "form": form or PledgeForm(project=project),
        "request": context.get("request"),
        "csrf_token": context.get("csrf_token"),
        "draft": context.get("draft", ""),
        "heading": context.get("funding_heading", "h2"),
        "PRIVACY_CONTACT_EMAIL": settings.PRIVACY_CONTACT_EMAIL,
    }


@register.inclusion_tag("donations/includes/giving_panel.html", takes_context=True)
def project_giving_panel(context, project):
    """Render a project's funding panel with links to pledge each suggested amount."""
    low, high = settings.PLEDGE_MIN_AMOUNT, settings.PLEDGE_MAX_AMOUNT
    return {
        "project": project,
        "figures": funding.project_funding(project),
        "supporters": funding.public_supporters(project),
        "suggestions": SuggestedAmount.objects.filter(
            project=project, amount__gte=low, amount__lte=high
        ),
        "heading": context.get("funding_heading", "h2"),
    }


def donate_link(project):
    """Return a card's "Donate" link to its project's pledge page (none once completed).

    Its purpose comes from its card (WCAG's link purpose in context): the title is not
    repeated in its name, which stays the one a person reads.
    """
    if project.status == project.Status.COMPLETED:
        return ""
    return format_html(
        '<a class="button donate-link card-donate" href="{}">{}</a>',
        reverse("donations:pledge", kwargs={"slug": project.slug}),
        gettext("Donate"),
    )


@register.simple_tag
def funding_bar(figures):
    """Return a project's funding at a glance for its card (nothing without figures).

    Written in Python: a list shows one per card.
    """
    if not figures:
        return ""

    def phrase(translated, **values):
        # Our own catalogue's HTML, with every value escaped.
        return mark_safe(translated % {k: conditional_escape(v) for k, v in values.items()})  # noqa: S308

    money = funding.format_money
    pledged = ""
    to_come = ""
    if figures.to_come:
        to_come = format_html(
            ' <span class="funding-to-come">{}</span>',
            phrase(
                gettext("(and %(amount)s of monthly gifts expected over the next 12 months)"),
                amount=money(figures.to_come),
            ),
        )
    if figures.goal:
        if figures.pledged:
            pledged = format_html(
                ' <span class="funding-pledged">{}</span>',
                phrase(gettext("and %(pledged)s pledged"), pledged=money(figures.pledged)),
            )
        summary = phrase(
            gettext("<strong>%(raised)s</strong> raised of %(goal)s (%(percent)s%%)"),
            raised=money(figures.raised),
            goal=money(figures.goal),
            percent=figures.percent_raised,
        )
        return format_html(
            '<div class="funding-bar"><progress class="funding-progress" max="100" value="{}" '
            'aria-label="{}">{}\u00a0%</progress><p class="funding-summary">{}{}{}</p></div>',
            figures.percent_raised,
            gettext("Share of the funding goal raised"),
            figures.percent_raised,
            summary,
            pledged,
            to_come,
        )
    if figures.has_support:
        if figures.pledged:
            pledged = format_html(
                ", {}", phrase(gettext("%(pledged)s pledged"), pledged=money(figures.pledged))
            )
        return format_html(
            '<div class="funding-bar"><p class="funding-summary">{}{}{}</p></div>',
            phrase(gettext("<strong>%(raised)s</strong> raised"), raised=money(figures.raised)),
            pledged,
            to_come,
        )
    return mark_safe('<div class="funding-bar"></div>')
