"""Project cards, written in Python: lists, the home page and related projects show many,
and an included template costs several times more per card.

Kept as fragments, a card names its sector and regions by slot (``slots=True``): their
names are filled in as the card is shown (``fill_names``), from the names kept under
the regions token, so a region or a sector renamed leaves every card kept."""

import re

from django import template
from django.db.models import QuerySet, prefetch_related_objects
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from core import fragments
from core.rows import PreparedQuery
from core.templatetags.public_site import image, lang_attribute, text
from core.templatetags.translated_fields import translated
from portfolio.models import Project
from portfolio.rows import kept_regions, kept_sectors

register = template.Library()

CARD_IMAGE_SIZES = "(min-width: 72rem) 22rem, (min-width: 40rem) 45vw, 100vw"

# A slot for names: "R" and the keys of regions, or "S" and a sector's key, between two
# NUL characters, which no text typed in a form holds (Django refuses them).
_SLOT = re.compile("\x00([RS])([0-9,]*)\x00")


def _slot(kind: str, pks) -> SafeString:
    return mark_safe(f"\x00{kind}{','.join(str(pk) for pk in pks)}\x00")  # noqa: S308 - digits


def card_names() -> tuple[dict[int, tuple[int, str]], dict[int, str]]:
    """Return the names the cards' slots show in the current language, as HTML: each
    region's with its place in name order, each sector's. Kept under the regions token
    (a region or a sector saved renews it)."""

    def names():
        regions = {
            region.pk: (order, str(conditional_escape(text(region, "name"))))
            for order, region in enumerate(kept_regions())
        }
        sectors = {
            pk: str(conditional_escape(text(sector, "name")))
            for pk, sector in kept_sectors().items()
        }
        return regions, sectors

    return fragments.memo("card-names", (), names, across_catalogue=True, no_partners=True)


def fill_names(html: str) -> str:
    """Return cards' HTML with the names of their slots filled in (``card_names``): the
    regions in name order, each as ``{% text %}`` shows it."""
    if "\x00" not in html:
        return html
    regions, sectors = card_names()

    def named(match) -> str:
        pks = [int(pk) for pk in match.group(2).split(",") if pk]
        if match.group(1) == "S":
            return "".join(sectors.get(pk, "") for pk in pks)
        shown = sorted(regions[pk] for pk in pks if pk in regions)
        return ", ".join(name for _order, name in shown)

    return _SLOT.sub(named, html)


@register.simple_tag
def project_card(project, heading="h3", footer="", *, slots=False):
    """Return a project's card: cover, status, sector, title, regions, summary.

    ``heading`` is the title's level ("h2" or "h3") so the card fits the page's outline;
    ``footer`` is HTML shown at the bottom (the funding bar, from the donations app).
    Expects ``sector`` selected and ``regions`` prefetched (``views.card_projects``), or
    given as ``card_regions`` (``attach_card_regions``). With ``slots``, the sector and
    the regions are named by slot, filled in by ``fill_names``.
    """
    heading = "h2" if heading == "h2" else "h3"
    title = translated(project, "title")
    if project.cover_image:
        cover = image(
            project.cover_image,
            alt=translated(project, "cover_alt").text,
            sizes=CARD_IMAGE_SIZES,
            css_class="card-image",
        )
    else:
        cover = mark_safe('<div class="card-image card-image-empty"></div>')
    if not project.sector_id:
        sector = ""
    else:
        sector = format_html(
            ' <span class="card-sector">{}</span>',
            _slot("S", [project.sector_id]) if slots else text(project.sector, "name"),
        )
    regions = getattr(project, "card_regions", None)
    if regions is None:
        regions = list(project.regions.all())
    places = (
        format_html(
            '<p class="card-places"><span class="visually-hidden">{} </span>{}</p>',
            gettext("Regions:"),
            _slot("R", [region.pk for region in regions])
            if slots
            else format_html_join(", ", "{}", ((text(region, "name"),) for region in regions)),
        )
        if regions
        else ""
    )
    summary = translated(project, "summary") or translated(project, "subtitle")
    blurb = (
        format_html('<p class="card-summary"{}>{}</p>', lang_attribute(summary), summary.text)
        if summary
        else ""
    )
    return format_html(
        '<article class="card">{cover}<div class="card-body"><p class="card-meta">'
        '<span class="status status-{status}">{status_label}</span>{sector}</p>'
        '<{h} class="card-title"><a href="{url}"{title_lang}>{title}</a></{h}>'
        "{places}{blurb}{footer}</div></article>",
        cover=cover,
        status=project.status,
        status_label=project.get_status_display(),
        sector=sector,
        h=heading,
        url=project.get_absolute_url(),
        title_lang=lang_attribute(title),
        title=title.text,
        places=places,
        blurb=blurb,
        footer=footer,
    )


# Which regions each of these projects takes place in.
_REGION_LINKS = PreparedQuery(
    Project.regions.through,
    lambda now, keys: (
        QuerySet(Project.regions.through)
        .filter(project_id__in=keys)
        .values_list("project_id", "region_id")
    ),
    keys_in=True,
    server_prepared=True,
)


def attach_card_regions(projects) -> None:
    """Give each project the regions its card shows, as ``card_regions``.

    Kept per project as fragments under its card version, across the catalogue (a
    change of a project's regions moves its versions, a change of a region every
    fragment kept under the regions token, as these): a card drawn anew after a rename
    reads its project's row again, not its regions. Without fragments, the regions are
    prefetched as usual.
    """
    projects = [project for project in projects if not hasattr(project, "card_regions")]
    if not projects or not fragments.in_use():
        prefetch_related_objects(projects, "regions")
        return
    versions = fragments.part_versions("card", [project.pk for project in projects])
    keys = {
        project.pk: fragments.fragment_key(
            "card-regions",
            project.pk,
            versions[project.pk],
            across_catalogue=True,
            no_partners=True,
        )
        for project in projects
    }
    found = fragments.get_many(keys.values())
    missing = [pk for pk, key in keys.items() if key not in found]
    if missing:
        chosen: dict[int, set[int]] = {}
        for project_pk, region_pk in _REGION_LINKS(missing):
            chosen.setdefault(project_pk, set()).add(region_pk)
        # Every region, in name order, as the region pages keep them.
        regions = kept_regions()
        made = {
            keys[pk]: [region for region in regions if region.pk in chosen.get(pk, ())]
            for pk in missing
        }
        fragments.set_many(made)
        found |= made
    for project in projects:
        project.card_regions = found[keys[project.pk]]
