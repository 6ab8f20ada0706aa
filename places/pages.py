"""What the map sections of the project, region and home pages show.

Each map is kept as a fragment (``core.fragments.memo``) under the editorial token, which
every save or deletion of a place renews, and the language: the names and addresses in it
are the visitor's language's.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core import fragments
from core.templatetags.translated_fields import TranslatedText, translated
from portfolio.models import Project, Region, publication_condition

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


def _map(places: list[ListedPlace], total: int, title: str, description: str, prefix: str):
    return {
        "svg": render_svg(
            [_point(place) for place in places],
            title=title,
            description=description,
            id_prefix=prefix,
        ),
        "places": places,
        "total": total,
        "map_id": prefix,
    }


def _published_locations():
    return Location.objects.filter(publication_condition("project__")).select_related(
        "project", "region"
    )


def _project_places(locations) -> list[ListedPlace]:
    locations = list(locations)
    # Each point is named by its project's title: renaming one renders the map anew.
    fragments.shows_cards_of({location.project_id for location in locations})
    return [
        ListedPlace(
            name=translated(location, "name"),
            link_text=translated(location.project, "title"),
            url=location.project.get_absolute_url(),
            latitude=float(location.latitude),
            longitude=float(location.longitude),
        )
        for location in locations
    ]


def project_map(project: Project) -> dict:
    """The map of one project's places; each point leads to the page of its region."""

    def compute():
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
        fragments.shows_cards_of([project.pk])
        title = _("Map of the places of the project %(title)s") % {
            "title": translated(project, "title")
        }
        return _map(places, len(places), title, _places_description(places), "project-map")

    if project.pk is None:
        return {}
    return fragments.memo("places-map", ("project", project.pk), compute)


def region_map(region: Region) -> dict:
    """The map of the published projects' places in a region and the regions inside it."""

    def compute():
        from portfolio.views import region_tree

        regions = fragments.memo("regions", (), lambda: list(Region.objects.order_by("name")))
        inside = region_tree(regions).get(region.pk, [region.pk])
        located = _published_locations().filter(region__in=inside)
        locations = located.order_by(*_project_order(), "order", "pk")[:MAP_PLACES]
        places = _project_places(locations)
        total = located.count()
        title = _("Map of our projects' places in %(region)s") % {
            "region": translated(region, "name")
        }
        return _map(places, total, title, _places_description(places), "region-map")

    return fragments.memo("places-map", ("region", region.pk), compute)


def home_map() -> dict:
    """The map of the published projects' places, the latest projects' first."""

    def compute():
        located = _published_locations()
        locations = located.order_by(*_project_order(), "order", "pk")[:MAP_PLACES]
        places = _project_places(locations)
        total = located.count()
        title = _("Map of our projects' places")
        return _map(places, total, title, _places_description(places), "home-map")

    return fragments.memo("places-map", ("home",), compute)


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
