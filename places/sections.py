"""The map sections that the places app adds to the project, region and home pages
(``portfolio.page_extensions``; connected in ``PlacesConfig.ready``)."""

from django.template.loader import render_to_string

from core import fragments

from . import pages


def _section(content: dict) -> str:
    """Return the map section, or nothing when there is no place to show."""
    if not content or not content.get("places"):
        return ""
    return render_to_string("places/map.html", content)


def _kept_section(vary: tuple, content) -> str:
    """Return the map section, kept as drawn (with what its map depends on): its list of
    places and its drawing are not rendered again on every request."""
    return fragments.memo("places-section", vary, lambda: _section(content()))


def project_section(project) -> str:
    if project.pk is None:  # A preview of a project not saved yet.
        return ""
    return _kept_section(("project", project.pk), lambda: pages.project_map(project))


def region_section(region) -> str:
    return _kept_section(("region", region.pk), lambda: pages.region_map(region))


def home_section(_nothing=None) -> str:
    return _kept_section(("home",), pages.home_map)
