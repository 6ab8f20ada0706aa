"""Projects read by key for the parts of pages drawn anew after an edit (``core.rows``).

After a rename, a list draws one card anew; after a rewritten story, a project page
draws its top anew: each reads one project's row, and with fragments in use only that.
These read it with a query compiled once, and give it its sector from the kept sectors
(a sector's change renews every fragment kept under the regions token, and so them)
instead of a join.
"""

from django.db.models import Exists, Model, OuterRef, Q
from modeltranslation.manager import rewrite_order_lookup_key

from core import fragments
from core.rows import EveryRow, PreparedQuery, RowsByKey

from .models import (
    Project,
    Publication,
    PublicationQuerySet,
    Region,
    Sector,
    long_columns,
    publication_state,
)
from .search import search_columns


def newest_published(
    model: type[Model],
    queryset: type[PublicationQuerySet],
    number: int,
    *fields: str,
    of: str | None = None,
) -> PreparedQuery:
    """Return the prepared query of these values of the ``number`` rows of ``model`` last
    published (``queryset``'s rule: a field update's project must be public too), the
    latest first; with ``of`` (a relation), of the rows it links to the keys asked only."""

    def build(now, keys):
        rows = queryset(model).published(now=now)
        if of is not None:
            rows = rows.filter(**{f"{of}__in": keys})
        return rows.order_by("-published_at", "-pk").values_list(*fields)[:number]

    return PreparedQuery(model, build, keys_in=of is not None, server_prepared=True)


# What a card shows: neither the story nor the search documents (``for_cards``).
_CARD_ROWS = RowsByKey(Project, long_columns)
# What a project's page shows: the story too.
_PAGE_ROWS = RowsByKey(Project, search_columns)


def _in_name_order(model: type[Model]) -> EveryRow:
    """Every row of ``model`` in the order of its name as the current language reads it
    (as ``order_by("name")`` on its translated manager)."""
    return EveryRow(model, lambda: (rewrite_order_lookup_key(model, "name"), "pk"))


# Read again after each save of a region or sector, on every page drawn then.
_EVERY_SECTOR = _in_name_order(Sector)
_EVERY_REGION = _in_name_order(Region)


def kept_sectors() -> dict[int, Sector]:
    """Return every sector by key, in name order, kept across the catalogue (a sector's
    change renews every fragment kept under the regions token)."""
    return fragments.memo(
        "sectors",
        (),
        lambda: {s.pk: s for s in _EVERY_SECTOR()},
        across_catalogue=True,
        no_partners=True,
    )


def kept_regions() -> list[Region]:
    """Return every region in name order, kept across the catalogue (a region's change
    renews every fragment kept under the regions token)."""
    return fragments.memo("regions", (), _EVERY_REGION, across_catalogue=True, no_partners=True)


def with_sectors(projects: dict[int, Project]) -> dict[int, Project]:
    """Give these projects their sectors, from every sector kept (``kept_sectors``)."""
    if projects:
        sectors = kept_sectors()
        field = Project._meta.get_field("sector")
        for project in projects.values():
            field.set_cached_value(project, sectors.get(project.sector_id))
    return projects


def card_rows(pks) -> dict[int, Project]:
    """Return ``{pk: project}`` with its sector, as ``for_cards`` gives it (but its
    regions: ``attach_card_regions``), for those of these keys that have a row."""
    return with_sectors(_CARD_ROWS(pks))


def published_page_row(pk) -> Project | None:
    """Return the project ``pk`` with its story, as its page shows it (its sector is
    given apart, ``with_sectors``), or None when it is not published."""
    project = _PAGE_ROWS([pk]).get(pk)
    if project is None:
        return None
    if publication_state(project.is_published, project.published_at) != Publication.PUBLISHED:
        return None
    return project


RELATED_PROJECTS = 3


def _related(*, with_sector: bool) -> PreparedQuery:
    """The query of ``related_rows``, its keys ``[project, *regions, sector]`` (without
    the sector when the project has none)."""

    def build(now, keys):
        project, *regions = keys
        if with_sector:
            *regions, sector = regions
        condition = Q(
            Exists(
                Project.regions.through.objects.filter(project=OuterRef("pk"), region__in=regions)
            )
        )
        if with_sector:
            condition |= Q(sector_id=sector)
        rows = PublicationQuerySet(Project).published(now=now).exclude(pk=project)
        return (rows.filter(condition).order_by(*Project._meta.ordering).values_list("pk"))[
            :RELATED_PROJECTS
        ]

    return PreparedQuery(Project, build)


_RELATED = {True: _related(with_sector=True), False: _related(with_sector=False)}


def related_rows(project: int, regions: list[int], sector: int | None) -> list[tuple]:
    """Return ``(key,)`` of the first published projects (in the catalogue's order), but
    ``project``, linked to one of these regions or of this sector."""
    with_sector = sector is not None
    return _RELATED[with_sector]([project, *regions, *([sector] if with_sector else [])])
