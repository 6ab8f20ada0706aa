"""The map sections that the places app adds to the project, region and home pages
(``portfolio.page_extensions``; connected in ``PlacesConfig.ready``)."""

from html import escape

from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from core import fragments
from core.templatetags.translated_fields import translated
from portfolio import catalogue

from . import pages


def _lang(text) -> str:
    """The ``lang`` attribute of a text shown in another language than the page's."""
    return format_html(' lang="{}"', text.lang) if text.is_fallback else ""


def _section(content: dict) -> str:
    """Return the map section: the SVG drawn by ``places.maps``, its caption, and the same
    places as a list; nothing when there is no place to show.

    Written in Python: a map lists up to 40 places, drawn anew when a project they name
    is renamed."""
    places = content.get("places") if content else None
    if not places:
        return ""
    map_id = content["map_id"]
    # Each text escaped (html.escape, as Django's escape does): up to 40 lines, drawn
    # anew after a rename, cost less than through format_html.
    items = mark_safe(  # noqa: S308
        "".join(
            f"<li><span{_lang(place.name)}>{escape(str(place.name))}</span> — "
            f'<a href="{escape(place.url)}"{_lang(place.link_text)}>'
            f"{escape(str(place.link_text))}</a></li>"
            for place in places
        )
    )
    more = ""
    if content["total"] > len(places):
        more = format_html(
            '<p class="muted">{}</p>',
            _("The map shows %(shown)s of %(total)s places, those of the latest projects.")
            % {"shown": len(places), "total": content["total"]},
        )
    return format_html(
        '<section class="container section places-map" aria-labelledby="{id}-heading">'
        '<h2 id="{id}-heading">{on_the_map}</h2>'
        '<div class="places-map-layout"><figure class="places-map-figure">{svg}'
        '<figcaption class="muted">{boundaries} {shapes}</figcaption></figure>'
        '<div class="places-map-list"><h3 id="{id}-list-heading">{shown}</h3>'
        '<ul class="plain-list" aria-labelledby="{id}-list-heading">{items}</ul>{more}'
        "</div></div></section>",
        id=map_id,
        on_the_map=_("On the map"),
        # Drawn by places.maps from our own shapes and escaped coordinates and names.
        svg=mark_safe(content["svg"]),  # noqa: S308
        boundaries=_(
            "Boundaries are approximate and do not imply any position on disputed territories."
        ),
        shapes=_("Country shapes: Natural Earth."),
        shown=_("Places shown"),
        items=items,
        more=more,
    )


def _kept_section(vary: tuple, content, *, across_catalogue=False, no_names=False) -> str:
    """Return the map section, kept as drawn (with what its map depends on): its list of
    places and its drawing are not rendered again on every request. The land of the home
    and region maps stays a mark until the page is served (``places.middleware``). Every
    map is kept across the catalogue (``fragments.fragment_key``): a project's shows its
    own places and their regions only (kept under its places' version), the home and
    region maps are kept under the places they show (``pages.FoundPlaces.key``).
    ``no_names``: the map names no region (the home page's; a region's names it through a
    mark, ``REGION_NAME_MARK``): kept across a region's or a sector's save too."""
    return fragments.memo(
        # Named anew when what it depends on changed: a release serving meanwhile keeps
        # its sections under its own name.
        "places-map-section",
        vary,
        lambda: _section(content()),
        across_catalogue=across_catalogue,
        no_partners=True,  # Places, their regions and projects, nothing of partners.
        no_names=no_names,
    )


def project_section(project) -> str:
    if project.pk is None:  # A preview of a project not saved yet.
        return ""

    def content():
        # Its places' version: a place saved changes the catalogue for its project, which
        # moves it (read before the places).
        fragments.shows_places_of([project.pk])
        return pages.project_map(project)

    return _kept_section(("project", project.pk), content, across_catalogue=True)


def _section_of_places(
    vary: tuple, find, draw, region: int | None, *, no_names: bool = False
) -> str:
    """Return the section of a map of many projects' places in ``region`` (None:
    everywhere), kept across the changes of the catalogue made by projects with no place
    there (``catalogue.kept_apart``); when one has, the places ``find()`` returns are read
    (kept across the catalogue, ``pages.FoundPlaces``) and the section drawn from them,
    ``draw(found)``, is kept under them across the catalogue: a change that leaves them
    draws nothing. ``no_names``: it names no region as kept (``_kept_section``)."""

    def under_places():
        found = find()
        return _kept_section(
            (*vary, found.key), lambda: draw(found), across_catalogue=True, no_names=no_names
        )

    return catalogue.kept_apart(
        "places-section-now",
        vary,
        under_places,
        catalogue.placed_in(region),
        no_partners=True,
        no_names=no_names,
        partners_apart=True,
    )


# Stands for the region's name in its map section as kept: the map names no other region,
# so it is kept across their saves (``no_names``), and its own name is put in as the page
# is drawn.
REGION_NAME_MARK = "region-name-mark-5d2a7c"


def region_section(region) -> str:
    # Read before what is kept: read while computing it, the kept regions would tie it to
    # the regions token (which a region moved in the tree renews with the counts token).
    inside = pages.regions_inside(region)
    section = _section_of_places(
        ("region-named-later", region.pk),
        lambda: pages.region_places(region, inside),
        lambda found: pages.region_map(region, found, name=REGION_NAME_MARK),
        region.pk,
        no_names=True,
    )
    # Escaped as the map's title is (``places.maps.render_svg``), one character at a time.
    name = escape(str(translated(region, "name")))
    return mark_safe(section.replace(REGION_NAME_MARK, name))  # noqa: S308


def home_section(_nothing=None) -> str:
    # Its title and points name no region (the region's map is titled with its name).
    return _section_of_places(("home",), pages.home_places, pages.home_map, None, no_names=True)
