"""``{% project_places_map project %}``, ``{% region_places_map region %}``,
``{% home_places_map %}``: the map section of those pages (nothing when there is no place)."""

from django import template
from django.template.loader import render_to_string

from .. import pages

register = template.Library()


def _section(content: dict, heading_level: int = 2) -> str:
    if not content or not content.get("places"):
        return ""
    return render_to_string("places/map.html", content | {"heading_level": heading_level})


@register.simple_tag
def project_places_map(project):
    return _section(pages.project_map(project))


@register.simple_tag
def region_places_map(region):
    return _section(pages.region_map(region))


@register.simple_tag
def home_places_map():
    return _section(pages.home_map())
