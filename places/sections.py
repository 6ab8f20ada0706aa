"""The map sections that the places app adds to the project, region and home pages
(``portfolio.page_extensions``; connected in ``PlacesConfig.ready``)."""

from django.template.loader import render_to_string

from . import pages


def _section(content: dict) -> str:
    """Return the map section, or nothing when there is no place to show."""
    if not content or not content.get("places"):
        return ""
    return render_to_string("places/map.html", content)


def project_section(project) -> str:
    return _section(pages.project_map(project))


def region_section(region) -> str:
    return _section(pages.region_map(region))


def home_section(_nothing=None) -> str:
    return _section(pages.home_map())
