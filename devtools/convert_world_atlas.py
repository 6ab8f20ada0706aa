"""Turn world-atlas's Natural Earth countries (TopoJSON) into the compact file the maps read.

Run once, by hand, when the shapes should change::

    python devtools/convert_world_atlas.py countries-50m.json places/data/countries.json

``countries-50m.json`` comes from the ``world-atlas`` npm package (ISC licence; the shapes
are Natural Earth's, in the public domain). The output keeps each country's rings,
simplified (Douglas-Peucker) and rounded to a hundredth of a degree, as flat lists of
integers: longitude × 100, latitude × 100, longitude × 100, … (see places/data/README.md).
Standard library only; nothing here runs on the site.
"""

import json
import sys

# A hundredth of a degree (about 1 km): far below what a page-sized map can show.
PRECISION = 100
# Points closer than this to the line kept between their neighbours go (degrees).
TOLERANCE = 0.04
# Islands smaller than this (square degrees of their bounding box) go too.
SMALLEST_RING = 0.004


def decode_arcs(topology):
    """Return every arc as a list of (longitude, latitude), undoing quantisation."""
    (scale_x, scale_y), (move_x, move_y) = (
        topology["transform"]["scale"],
        topology["transform"]["translate"],
    )
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * scale_x + move_x, y * scale_y + move_y))
        arcs.append(points)
    return arcs


def ring_points(arcs, indexes):
    """Join a ring's arcs (a negative index ~i is arc i backwards), sharing their ends."""
    points = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc if not points else arc[1:])
    return points


def unwrap(points):
    """Return the ring without jumps across the antimeridian (Russia's east, Fiji).

    A ring that crosses it is made continuous (longitudes past 180 or -180) and returned
    twice, once on each side of the world, so that a flat map draws no line across.
    """
    continuous = [points[0]]
    for x, y in points[1:]:
        previous = continuous[-1][0]
        while x - previous > 180:
            x -= 360
        while previous - x > 180:
            x += 360
        continuous.append((x, y))
    xs = [x for x, _y in continuous]
    if max(xs) > 180:
        return [continuous, [(x - 360, y) for x, y in continuous]]
    if min(xs) < -180:
        return [continuous, [(x + 360, y) for x, y in continuous]]
    return [continuous]


def distance_to_segment(point, start, end):
    (px, py), (ax, ay), (bx, by) = point, start, end
    dx, dy = bx - ax, by - ay
    if dx == dy == 0:
        return ((px - ax) ** 2 + (py - ay) ** 2) ** 0.5
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return ((px - ax - t * dx) ** 2 + (py - ay - t * dy) ** 2) ** 0.5


def simplify(points, tolerance):
    """Douglas-Peucker on an open line, without recursion."""
    if len(points) < 3:
        return list(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        farthest, index = 0.0, None
        for i in range(first + 1, last):
            d = distance_to_segment(points[i], points[first], points[last])
            if d > farthest:
                farthest, index = d, i
        if index is not None and farthest > tolerance:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [p for p, kept in zip(points, keep, strict=True) if kept]


def simplify_ring(points, tolerance):
    """Simplify a closed ring, cut in two at its point farthest from the first."""
    if points[0] == points[-1]:
        points = points[:-1]
    if len(points) < 4:
        return points
    far = max(
        range(len(points)),
        key=lambda i: (points[i][0] - points[0][0]) ** 2 + (points[i][1] - points[0][1]) ** 2,
    )
    one = simplify(points[: far + 1], tolerance)
    two = simplify([*points[far:], points[0]], tolerance)
    return one + two[1:-1]


def compact_ring(points):
    """Return the ring as flat integers, without repeated points, or None if too small."""
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    if (max(xs) - min(xs)) * (max(ys) - min(ys)) < SMALLEST_RING:
        return None
    flat, last = [], None
    for x, y in points:
        here = (round(x * PRECISION), round(y * PRECISION))
        if here != last:
            flat += here
            last = here
    return flat if len(flat) >= 6 else None


def convert(topology):
    arcs = decode_arcs(topology)
    countries = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        kind = geometry.get("type")
        polygons = {"Polygon": [geometry.get("arcs", [])], "MultiPolygon": geometry.get("arcs", [])}
        rings = []
        for polygon in polygons.get(kind, []):
            for indexes in polygon:
                for points in unwrap(ring_points(arcs, indexes)):
                    ring = compact_ring(simplify_ring(points, TOLERANCE))
                    if ring:
                        rings.append(ring)
        if not rings:
            continue
        xs = [v for ring in rings for v in ring[0::2]]
        ys = [v for ring in rings for v in ring[1::2]]
        countries.append(
            {
                "id": geometry.get("id", ""),
                "name": geometry["properties"]["name"],
                "bbox": [min(xs), min(ys), max(xs), max(ys)],
                "rings": rings,
            }
        )
    countries.sort(key=lambda c: c["name"])
    return {
        "source": "Natural Earth 1:50m admin 0 countries, through world-atlas 2.0.2",
        "precision": PRECISION,
        "countries": countries,
    }


def main(source, target):
    with open(source, encoding="utf-8") as f:
        topology = json.load(f)
    data = convert(topology)
    with open(target, "w", encoding="utf-8") as f:
        json.dump(data, f, separators=(",", ":"), ensure_ascii=False)
        f.write("\n")
    print(f"{len(data['countries'])} countries written to {target}")


if __name__ == "__main__":
    main(*sys.argv[1:3])
