"""What the map sections of the project, region and home pages show.

Each map is kept with its section (``places.sections``) under the editorial token, which
every save or deletion of a place renews, and the language: the names and addresses in it
are the visitor's language's. A map is drawn only for its section, so it is not kept on
its own as well: a section drawn anew (after a rename of a project it names) would
otherwise read and write its drawing twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core import fragments
from core.rows import RowsByKey
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


def _published_locations():
    return Location.objects.filter(publication_condition("project__"))


@dataclass(frozen=True)
class _Located:
    """A place on a map of projects, as kept before its project's title is read."""

    name: TranslatedText
    project_pk: int
    url: str
    latitude: float
    longitude: float


def _projects_map(
    vary: tuple, located: Callable, title: str, prefix: str, region: int | None = None
) -> dict:
    """The map of the places ``located()`` returns (published projects' places), the latest
    projects' first, each point named by its project's title; ``region``: the region they
    are in (None: everywhere), for their number from the kept counts of the catalogue.

    Which places it shows, and how many there are, only the catalogue moves: kept under
    the editorial token. The titles are read for the places shown, so renaming one of
    their projects reads those few again and leaves the rest as it was."""

    read_now = {}  # The titles, when the places are read in this request.

    def find():
        places_located = located()
        rows = (
            places_located.select_related("project")
            .only(
                "latitude",
                "longitude",
                "project",
                *_columns("name"),
                *_columns("project__slug"),
                *_columns("project__title"),
            )
            .order_by(*_project_order(), "order", "pk")[:MAP_PLACES]
        )
        places = []
        for location in rows:
            read_now[location.project_id] = translated(location.project, "title")
            places.append(
                _Located(
                    name=translated(location, "name"),
                    project_pk=location.project_id,
                    url=location.project.get_absolute_url(),
                    latitude=float(location.latitude),
                    longitude=float(location.longitude),
                )
            )
        counts = catalogue.kept_summary()
        total = places_located.count() if counts is None else counts.places_in(region)
        return places, total

    found, total = fragments.memo("places-located", vary, find)
    pks = {place.project_pk for place in found}
    # Read before the titles: a rename meanwhile renders the map anew.
    fragments.shows_cards_of(pks)
    titles = read_now
    if not titles:
        titles = {pk: translated_plain(row, "title") for pk, row in _TITLES.values(pks).items()}
    places = [
        ListedPlace(
            name=place.name,
            link_text=titles[place.project_pk],
            url=place.url,
            latitude=place.latitude,
            longitude=place.longitude,
        )
        for place in found
        if place.project_pk in titles
    ]
    # Few views (the world, a region), each drawn once per process: their land is filled
    # in when the page is served. A project's map, one view per project, is kept drawn.
    return _map(places, total, title, _places_description(places), prefix, land_marked=True)


def _columns(field: str) -> list[str]:
    """Return the columns of a translated field, each language's (the other language is
    what a visitor reads where one is missing)."""
    return [f"{field}_{code}" for code, _name in settings.LANGUAGES]


# The titles of the projects a map names, read again after a rename.
_TITLES = RowsByKey(Project, only=lambda: _columns("title"))


def project_map(project: Project) -> dict:
    """The map of one project's places; each point leads to the page of its region."""

    if project.pk is None:
        return {}
    locations = Location.objects.filter(project=project).select_related("region")
    places = [
        ListedPlace(
            name=translated(location, "name"),
            link_text=translated(location.region, "name"),
            url=location.region.get_absolute_url(),
            latitude=float(location.latitude),
            longitude=float(location.longitude),
        )
        for location in locations
    ]
    # The page's heading names the project: the map does not, so renaming the project
    # leaves it as it is.
    title = _("Map of this project's places")
    return _map(places, len(places), title, _places_description(places), "project-map")


def region_map(region: Region) -> dict:
    """The map of the published projects' places in a region and the regions inside it."""
    from portfolio.views import region_tree

    regions = kept_regions()
    inside = region_tree(regions).get(region.pk, [region.pk])
    title = _("Map of our projects' places in %(region)s") % {"region": translated(region, "name")}

    def located():
        return _published_locations().filter(region__in=inside)

    return _projects_map(("region", region.pk), located, title, "region-map", region.pk)


def home_map() -> dict:
    """The map of the published projects' places, the latest projects' first."""
    title = _("Map of our projects' places")
    return _projects_map(("home",), _published_locations, title, "home-map")


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
