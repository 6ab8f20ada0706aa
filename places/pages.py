"""What the map sections of the project, region and home pages show.

Each map is kept with its section (``places.sections``) and the language: a project's under
the regions token (it shows nothing of partners), the home and region maps, which name no
region (a region's title names it through a mark filled in as the page is drawn), under
the counts token; a project's map under its places' version too,
which every save or deletion of one of its places moves (``places.signal_handlers``): the
names and addresses in it are the visitor's language's. The home and region maps are kept
under the places they show (their names too), which are kept across the catalogue and
corrected for the projects that change it (a place saved changes it for its project;
``catalogue.kept_first``). A map is drawn only for its section, so it is not kept on its own as
well: a section drawn anew (after a rename of a project it names) would otherwise read and
write its drawing twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core import fragments
from core.rows import PreparedQuery, RowsByKey
from core.templatetags.translated_fields import TranslatedText, translated, translated_plain
from portfolio import catalogue
from portfolio.models import Project, Region, publication_condition
from portfolio.rows import kept_regions

from .maps import Point, render_svg
from .models import Location

# The most places a region's or the home page's map shows (its list shows the same ones):
# the page stays small however many projects there are.
MAP_PLACES = 40


@dataclass(frozen=True)
class ListedPlace:
    """A line of the list beside the map: the place, and the page it leads to."""

    name: TranslatedText
    link_text: TranslatedText
    url: str
    latitude: float
    longitude: float


def _point(place: ListedPlace) -> Point:
    label = f"{place.name}, {place.link_text}"
    return Point(place.latitude, place.longitude, place.url, label)


def _map(
    places: list[ListedPlace],
    total: int,
    title: str,
    description: str,
    prefix: str,
    *,
    land_marked: bool = False,
):
    return {
        "svg": render_svg(
            [_point(place) for place in places],
            title=title,
            description=description,
            id_prefix=prefix,
            land_marked=land_marked,
        ),
        "places": places,
        "total": total,
        "map_id": prefix,
    }


def _published_locations(now=None) -> QuerySet:
    """The places of published projects (at ``now``), on Django's own queryset: their
    values are read in the order asked (``core.rows.PreparedQuery``)."""
    return QuerySet(Location).filter(publication_condition("project__", now=now))


def _place_columns() -> tuple[str, ...]:
    """What a map reads of a place: where it comes (its project's place in the catalogue's
    order, then its own), where it is, its name, and its project's address and title."""
    return (
        "pk",
        "order",
        "latitude",
        "longitude",
        "project_id",
        "project__is_featured",
        "project__published_at",
        *_columns("name"),
        *_columns("project__slug"),
        *_columns("project__title"),
    )


def _first_places(located: QuerySet) -> QuerySet:
    """The first of these places (one more, to tell whether there are others), the latest
    projects' first (``Project._meta.ordering``), as values."""
    return located.order_by(*_project_order(), "order", "pk").values_list(*_place_columns())[
        : MAP_PLACES + 1
    ]


# The first places of every published project, and of some projects: the home page's map.
_FIRST_PLACES = PreparedQuery(Location, lambda now, keys: _first_places(_published_locations(now)))
_FIRST_PLACES_OF = PreparedQuery(
    Location,
    lambda now, keys: _first_places(_published_locations(now).filter(project__in=keys)),
    keys_in=True,
    server_prepared=True,
)


# Every place of some published projects, with its region: a region's map corrected for
# the few projects that changed the catalogue since it was kept, chosen by region here
# (``_region_rows``): one statement for every region, compiled once.
_PLACES_OF = PreparedQuery(
    Location,
    lambda now, keys: (
        _published_locations(now)
        .filter(project__in=keys)
        .values_list(*_place_columns(), "region_id")
    ),
    keys_in=True,
    server_prepared=True,
)
# Beyond this many projects changed, their places in a region are chosen by the database.
# Below, every place of theirs is read, to keep at most ``MAP_PLACES`` + 1: a project has
# a handful of places, and one statement run is cheaper than a queryset built.
FEW_PROJECTS = 32


def _region_rows(pks: list[int], regions, located: Callable[[], QuerySet]) -> list[tuple]:
    """Return the first places of these projects in these regions (one more, to tell
    whether there are others), as ``_first_places`` returns them."""
    if len(pks) > FEW_PROJECTS:
        return list(_first_places(located().filter(project__in=pks)))
    regions = set(regions)
    rows = [row[:-1] for row in _PLACES_OF(pks) if row[-1] in regions]
    rows.sort(key=_row_order)
    return rows[: MAP_PLACES + 1]


def _row_order(row: tuple) -> tuple:
    """Where a row of ``_place_columns`` comes, as ``_first_places`` orders them: as its
    project among the projects, then by its own order."""
    pk, order, _latitude, _longitude, project, featured, published_at = row[:7]
    return (*catalogue.order_key(featured, published_at, project), order, pk)


@dataclass(frozen=True)
class _Located:
    """A place on a map of projects, as kept before its project's title is read."""

    name: TranslatedText
    project_pk: int
    url: str
    latitude: float
    longitude: float


def _places_of(rows, read_now: dict) -> list[tuple[tuple, _Located]]:
    """Return ``(order, place)`` of these rows (``_place_columns``), noting in
    ``read_now`` the title of each place's project."""
    names = _place_columns()
    places = []
    for row in rows:
        values = dict(zip(names, row, strict=True))
        project = values["project_id"]
        read_now[project] = translated_plain(values, "project__title")
        slug = translated_plain(values, "project__slug").text
        place = _Located(
            name=translated_plain(values, "name"),
            project_pk=project,
            url=reverse("portfolio:project_detail", kwargs={"slug": slug}),
            latitude=float(values["latitude"]),
            longitude=float(values["longitude"]),
        )
        places.append((_row_order(row), place))
    return places


@dataclass(frozen=True)
class FoundPlaces:
    """The places a map of projects shows, the number of all its places, and the titles of
    the projects read while finding them."""

    places: list[_Located]
    total: int
    titles: dict

    @property
    def key(self) -> tuple:
        """What the map shows of them, but its projects' titles (their card versions): a
        place renamed or moved draws the map anew."""
        return (
            tuple(
                (p.project_pk, p.url, p.latitude, p.longitude, p.name.text, p.name.lang)
                for p in self.places
            ),
            self.total,
        )


def _find_places(
    vary: tuple,
    located: Callable[[], QuerySet],
    region: int | None = None,
    prepared: tuple[Callable[[], Iterable[tuple]], Callable[[list], Iterable[tuple]]] | None = None,
) -> FoundPlaces:
    """Return the places ``located()`` returns (published projects' places) that a map
    shows, the latest projects' first; ``region``: the region they are in (None:
    everywhere), for their number from the kept counts of the catalogue; ``prepared``:
    functions returning the same first places' rows, and those of some projects (cheaper
    than the queryset: prepared queries, or rows chosen by region in Python).

    Which places it shows, and how many there are, only the catalogue moves: kept across
    it and corrected for the projects that change it (``catalogue.kept_first``), or without
    fragments read from the database."""

    read_now = {}  # The titles read in this request, by project.

    def find(pks=None) -> list[tuple[tuple, _Located]]:
        """The first places (one more, to tell whether there are others), with their
        order; of these projects only, with ``pks``."""
        if prepared is not None:
            first, first_of = prepared
            rows = first() if pks is None else first_of(list(pks))
        else:
            chosen = located() if pks is None else located().filter(project__in=list(pks))
            rows = _first_places(chosen)
        return _places_of(rows, read_now)

    counts = catalogue.kept_summary()
    if counts is None:
        found = [place for _order, place in find()[:MAP_PLACES]]
        return FoundPlaces(found, located().count(), read_now)
    # Places, their projects' addresses and which region holds them (which only a region
    # moved, which renews every token, changes): no name of a region, sector or partner.
    key = fragments.fragment_key(
        "places-first", *vary, across_catalogue=True, no_partners=True, no_names=True
    )
    found = catalogue.kept_first(key, MAP_PLACES, MAP_PLACES, find, _project_of)
    return FoundPlaces(found, counts.places_in(region), read_now)


def _project_of(row: tuple) -> int:
    return row[1].project_pk


def _projects_map(found: FoundPlaces, title: str, prefix: str) -> dict:
    """The map of these places, each point named by its project's title. The titles are
    read for the places shown, so renaming one of their projects reads those few again
    and leaves the rest as it was."""
    pks = {place.project_pk for place in found.places}
    # Read before the titles: a rename meanwhile renders the map anew.
    fragments.shows_cards_of(pks)
    titles = {pk: title for pk, title in found.titles.items() if pk in pks}
    if missing := pks - titles.keys():
        rows = _TITLES.values(missing).items()
        titles |= {pk: translated_plain(row, "title") for pk, row in rows}
    places = [
        ListedPlace(
            name=place.name,
            link_text=titles[place.project_pk],
            url=place.url,
            latitude=place.latitude,
            longitude=place.longitude,
        )
        for place in found.places
        if place.project_pk in titles
    ]
    # Few views (the world, a region), each drawn once per process: their land is filled
    # in when the page is served. A project's map, one view per project, is kept drawn.
    description = _places_description(places)
    return _map(places, found.total, title, description, prefix, land_marked=True)


def _columns(field: str) -> list[str]:
    """Return the columns of a translated field, each language's (the other language is
    what a visitor reads where one is missing)."""
    return [f"{field}_{code}" for code, _name in settings.LANGUAGES]


# The titles of the projects a map names, read again after a rename.
_TITLES = RowsByKey(Project, only=lambda: _columns("title"))


def _project_place_columns() -> tuple[str, ...]:
    """What a project's map reads of each of its places: where it is, its name, and its
    region's name and address."""
    return (
        "latitude",
        "longitude",
        *_columns("name"),
        *_columns("region__name"),
        *_columns("region__slug"),
    )


# A project's places, in their order (``Location.Meta.ordering``), as values: its map is
# drawn again after a place of it is saved, which the page then waits for.
_PROJECT_PLACES = PreparedQuery(
    Location,
    lambda now, keys: (
        QuerySet(Location)
        .filter(project__in=keys)
        .order_by("order", "pk")
        .values_list(*_project_place_columns())
    ),
    keys_in=True,
    server_prepared=True,
)


def project_map(project: Project) -> dict:
    """The map of one project's places; each point leads to the page of its region."""

    if project.pk is None:
        return {}
    names = _project_place_columns()
    places = []
    for row in _PROJECT_PLACES([project.pk]):
        values = dict(zip(names, row, strict=True))
        region = translated_plain(values, "region__slug").text
        places.append(
            ListedPlace(
                name=translated_plain(values, "name"),
                link_text=translated_plain(values, "region__name"),
                url=reverse("portfolio:region_detail", kwargs={"slug": region}),
                latitude=float(values["latitude"]),
                longitude=float(values["longitude"]),
            )
        )
    # The page's heading names the project: the map does not, so renaming the project
    # leaves it as it is.
    title = _("Map of this project's places")
    return _map(places, len(places), title, _places_description(places), "project-map")


def regions_inside(region: Region) -> list[int]:
    """Return the keys of a region and of the regions inside it."""
    from portfolio.views import region_tree

    return region_tree(kept_regions()).get(region.pk, [region.pk])


def region_places(region: Region, inside: list[int] | None = None) -> FoundPlaces:
    """The places of published projects in a region and the regions inside it that its
    map shows; ``inside``: those regions' keys (``regions_inside``), when known."""
    if inside is None:
        inside = regions_inside(region)

    def located():
        return _published_locations().filter(region__in=inside)

    def first():
        return _first_places(located())

    def first_of(pks):
        return _region_rows(pks, inside, located)

    return _find_places(("region", region.pk), located, region.pk, (first, first_of))


def region_map(region: Region, found: FoundPlaces | None = None, name: str | None = None) -> dict:
    """The map of the published projects' places in a region and the regions inside it;
    ``name``: what its title names the region by (its name by default)."""
    if name is None:
        name = translated(region, "name")
    title = _("Map of our projects' places in %(region)s") % {"region": name}
    return _projects_map(found or region_places(region), title, "region-map")


def home_places() -> FoundPlaces:
    """The places of published projects that the home page's map shows."""
    return _find_places(("home",), _published_locations, None, (_FIRST_PLACES, _FIRST_PLACES_OF))


def home_map(found: FoundPlaces | None = None) -> dict:
    """The map of the published projects' places, the latest projects' first."""
    title = _("Map of our projects' places")
    return _projects_map(found or home_places(), title, "home-map")


def _project_order() -> list[str]:
    return [
        f"-project__{field.removeprefix('-')}" if field.startswith("-") else f"project__{field}"
        for field in Project._meta.ordering
    ]


def _places_description(places: list[ListedPlace]) -> str:
    count = len(places)
    return ngettext(
        "%(count)s place, listed beside the map.", "%(count)s places, listed beside the map.", count
    ) % {"count": count}
