"""Maps drawn on the server: country shapes and places as a small inline SVG.

The shapes are Natural Earth's admin-0 countries (public domain, through the world-atlas
package), converted once by ``devtools/convert_world_atlas.py`` into ``data/countries.json``.
A map is fitted to the places it shows: an equirectangular projection whose horizontal
scale is corrected for the latitude of the middle of the map, around the places' bounding
box with a margin. Countries are cut to that box, projected, thinned to what the drawing
can show and written with one decimal. No request leaves the site and nothing needs
JavaScript.
"""

from __future__ import annotations

import itertools
import json
import math
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from django.utils.html import escape

DATA_FILE = Path(__file__).resolve().parent / "data" / "countries.json"
# The drawing's width in its own units; its height follows the places' shape.
WIDTH = 600
# The shape of the drawing stays between these heights for a width of 1.
MIN_RATIO, MAX_RATIO = 0.55, 0.9
# The smallest span shown (degrees): one village still shows its country around it.
MIN_SPAN = 5.0
# Space around the places, as a share of their spread.
MARGIN = 0.3
# Points of a border closer than this to the line kept through their neighbours go (units).
THINNING = 0.8
# Islands smaller than this both ways are not drawn (units).
SMALLEST = 2.0
POINT_RADIUS = 8


@dataclass(frozen=True)
class Point:
    """A place on the map: where it is, where its link leads and what it is called."""

    latitude: float
    longitude: float
    url: str
    label: str


@cache
def countries() -> list[dict]:
    """Return the countries of ``data/countries.json``, rings as lists of (lon, lat)."""
    with DATA_FILE.open(encoding="utf-8") as f:
        data = json.load(f)
    scale = data["precision"]
    found = []
    for country in data["countries"]:
        rings = []
        for flat in country["rings"]:
            rings.append([(flat[i] / scale, flat[i + 1] / scale) for i in range(0, len(flat), 2)])
        found.append(
            {
                "name": country["name"],
                "bbox": tuple(v / scale for v in country["bbox"]),
                "rings": rings,
            }
        )
    return found


def number(value: float) -> str:
    """Write a coordinate with at most one decimal, without trailing zeros."""
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


@dataclass(frozen=True)
class View:
    """The part of the world drawn, in degrees, and the drawing's size in units."""

    west: float
    south: float
    east: float
    north: float
    width: float
    height: float

    @classmethod
    def around(cls, points: list[Point]) -> View:
        """Fit a view to the points' bounding box, with a margin and a usable shape."""
        lons = [p.longitude for p in points]
        lats = [p.latitude for p in points]
        middle_lat = (min(lats) + max(lats)) / 2
        stretch = max(math.cos(math.radians(middle_lat)), 0.2)
        # Work in "corrected" degrees: one unit is the same distance both ways.
        span_x = max((max(lons) - min(lons)) * stretch * (1 + 2 * MARGIN), MIN_SPAN * stretch)
        span_y = max((max(lats) - min(lats)) * (1 + 2 * MARGIN), MIN_SPAN * 0.6)
        ratio = span_y / span_x
        if ratio < MIN_RATIO:
            span_y = span_x * MIN_RATIO
        elif ratio > MAX_RATIO:
            span_x = span_y / MAX_RATIO
        span_y = min(span_y, 170.0)
        span_x = min(span_x, 360.0 * stretch)
        centre_lon = (min(lons) + max(lons)) / 2
        centre_lat = min(max(middle_lat, -85 + span_y / 2), 85 - span_y / 2)
        half_lon = span_x / stretch / 2
        return cls(
            west=centre_lon - half_lon,
            east=centre_lon + half_lon,
            south=centre_lat - span_y / 2,
            north=centre_lat + span_y / 2,
            width=WIDTH,
            height=round(WIDTH * span_y / span_x),
        )

    def project(self, lon: float, lat: float) -> tuple[float, float]:
        x = (lon - self.west) / (self.east - self.west) * self.width
        y = (self.north - lat) / (self.north - self.south) * self.height
        return x, y

    def overlaps(self, bbox: tuple[float, float, float, float]) -> bool:
        west, south, east, north = bbox
        return (
            west <= self.east and east >= self.west and south <= self.north and north >= self.south
        )


def clip(ring: list[tuple[float, float]], box: tuple[float, float, float, float]):
    """Cut a ring to a box (Sutherland-Hodgman): what lies outside follows the box's edge."""
    west, south, east, north = box
    edges = [
        (lambda p: p[0] >= west, lambda a, b: _cross_x(a, b, west)),
        (lambda p: p[0] <= east, lambda a, b: _cross_x(a, b, east)),
        (lambda p: p[1] >= south, lambda a, b: _cross_y(a, b, south)),
        (lambda p: p[1] <= north, lambda a, b: _cross_y(a, b, north)),
    ]
    points = ring
    for inside, cross in edges:
        if not points:
            break
        cut = []
        previous = points[-1]
        for current in points:
            if inside(current):
                if not inside(previous):
                    cut.append(cross(previous, current))
                cut.append(current)
            elif inside(previous):
                cut.append(cross(previous, current))
            previous = current
        points = cut
    return points


def _cross_x(a, b, x):
    t = (x - a[0]) / (b[0] - a[0])
    return (x, a[1] + t * (b[1] - a[1]))


def _cross_y(a, b, y):
    t = (y - a[1]) / (b[1] - a[1])
    return (a[0] + t * (b[0] - a[0]), y)


def simplify(points: list[tuple[float, float]], tolerance: float) -> list[tuple[float, float]]:
    """Keep the points that move the line by more than ``tolerance`` (Douglas-Peucker)."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (ax, ay), (bx, by) = points[first], points[last]
        dx, dy = bx - ax, by - ay
        length = math.hypot(dx, dy)
        farthest, index = tolerance, None
        for i in range(first + 1, last):
            px, py = points[i]
            if length:
                distance = abs(dy * (px - ax) - dx * (py - ay)) / length
            else:
                distance = math.hypot(px - ax, py - ay)
            if distance > farthest:
                farthest, index = distance, i
        if index is not None:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [point for point, kept in zip(points, keep, strict=True) if kept]


def ring_path(ring, view: View, box, inside: bool) -> str:
    """Return a ring as path data, cut to the box unless it lies ``inside`` it."""
    points = ring if inside else clip(ring, box)
    if len(points) < 3:
        return ""
    projected = [view.project(lon, lat) for lon, lat in points]
    xs = [x for x, _y in projected]
    ys = [y for _x, y in projected]
    if max(xs) - min(xs) < SMALLEST and max(ys) - min(ys) < SMALLEST:
        return ""  # an island smaller than a dot
    # Split the closed ring at its farthest point from the first, so both halves simplify.
    far = max(range(len(projected)), key=lambda i: abs(xs[i] - xs[0]) + abs(ys[i] - ys[0]))
    one = simplify(projected[: far + 1], THINNING)
    two = simplify([*projected[far:], projected[0]], THINNING)
    # Rounded to tenths first, then written as moves from the point before: short numbers,
    # and no error adds up along the ring.
    tenths = []
    for x, y in one + two[1:-1]:
        here = (round(x * 10), round(y * 10))
        if not tenths or tenths[-1] != here:
            tenths.append(here)
    if len(tenths) < 3:
        return ""
    (x0, y0), moves = tenths[0], []
    for (px, py), (x, y) in itertools.pairwise(tenths):
        moves += [(x - px) / 10, (y - py) / 10]
    return f"M{join([x0 / 10, y0 / 10])}l{join(moves)}z"


def join(values: list[float]) -> str:
    """Write numbers as SVG path data does: no leading zero, a minus sign as separator."""
    text = ""
    for value in values:
        written = number(value)
        if written.startswith("0."):
            written = written[1:]
        elif written.startswith("-0."):
            written = "-" + written[2:]
        if (
            text
            and not written.startswith("-")
            and not (written.startswith(".") and "." in _last(text))
        ):
            text += " "
        text += written
    return text


def _last(text: str) -> str:
    """Return the last number written in ``text``."""
    for index in range(len(text) - 1, -1, -1):
        if text[index] in " -":
            return text[index + 1 :]
    return text


def country_paths(view: View) -> tuple[str, ...]:
    """Return one SVG path (``d``) per country the view shows."""
    # A little beyond the view: the edges that clipping adds fall outside the drawing.
    pad_x = (view.east - view.west) * 0.02
    pad_y = (view.north - view.south) * 0.02
    box = (view.west - pad_x, view.south - pad_y, view.east + pad_x, view.north + pad_y)
    paths = []
    for country in countries():
        if not view.overlaps(country["bbox"]):
            continue
        west, south, east, north = country["bbox"]
        inside = box[0] <= west and east <= box[2] and box[1] <= south and north <= box[3]
        d = "".join(ring_path(ring, view, box, inside) for ring in country["rings"])
        if d:
            paths.append(d)
    return tuple(paths)


# Stands for a drawing's land in the pages' HTML until it is served: ``with_land`` puts
# it back (``places.middleware``).
LAND_MARK_START, LAND_MARK_END = "<!--places-map-land ", "-->"
LAND_GROUP = '<g class="places-map-land">'


def land_mark(view: View) -> str:
    """Return the mark that stands for the land of this view (its numbers, written exactly)."""
    numbers = (view.west, view.south, view.east, view.north, view.width, view.height)
    return LAND_MARK_START + " ".join(map(repr, numbers)) + LAND_MARK_END


@lru_cache(maxsize=128)
def land(view: View) -> str:
    """Return the countries of this view as SVG paths, drawn once per process and view."""
    return "".join(f'<path d="{d}"/>' for d in country_paths(view))


def with_land(html: str) -> str:
    """Return ``html`` with each land mark replaced by the land it stands for.

    The land of the home page's map of the world is some 35 KB of SVG, the same on every
    request until the places change: the fragments that hold the map (and the fragments
    around them) keep only its mark, and each process draws it once per view, so a page
    drawn from fragments reads and writes that much less from the cache. Only a mark
    right inside a map's land group, as ``render_svg`` writes it, is filled in; anything
    else that looks like one is left as it is."""
    anchor = LAND_GROUP + LAND_MARK_START
    start = html.find(anchor)
    while start != -1:
        numbers_at = start + len(anchor)
        end = html.find(LAND_MARK_END, numbers_at)
        view = _view_of(html[numbers_at:end]) if end != -1 else None
        if view is None:
            start = html.find(anchor, numbers_at)
            continue
        html = html[: start + len(LAND_GROUP)] + land(view) + html[end + len(LAND_MARK_END) :]
        start = html.find(anchor, start + len(LAND_GROUP))
    return html


def _view_of(text: str) -> View | None:
    try:
        numbers = [float(each) for each in text.split(" ")]
    except ValueError:
        return None
    if len(numbers) != 6 or not all(map(math.isfinite, numbers)):
        return None
    return View(*numbers)


def render_svg(
    points: list[Point], *, title: str, description: str, id_prefix: str, land_marked=False
) -> str:
    """Return the map of these points as an inline SVG (an empty string without points).

    Each point is a link with an accessible name; the SVG is named by its title and
    description. Every text is escaped here. With ``land_marked``, the land is left as a
    mark for ``with_land`` to fill in.
    """
    if not points:
        return ""
    view = View.around(points)
    parts = [
        f'<svg class="places-map-svg" viewBox="0 0 {view.width} {number(view.height)}" '
        f'aria-labelledby="{id_prefix}-title {id_prefix}-desc">',
        f'<title id="{id_prefix}-title">{escape(title)}</title>',
        f'<desc id="{id_prefix}-desc">{escape(description)}</desc>',
        f'<rect class="places-map-sea" width="{view.width}" height="{number(view.height)}"/>',
        LAND_GROUP,
        land_mark(view) if land_marked else land(view),
        "</g>",
        '<g class="places-map-points">',
    ]
    for point in points:
        x, y = view.project(point.longitude, point.latitude)
        label = escape(point.label)
        parts.append(
            f'<a href="{escape(point.url)}" aria-label="{label}"><title>{label}</title>'
            f'<circle cx="{number(x)}" cy="{number(y)}" r="{POINT_RADIUS}"/></a>'
        )
    parts += ["</g>", "</svg>"]
    return "".join(parts)
