"""Outlines for the Routes map, bundled with the dashboard (nothing is fetched at run time):
land, lakes, country borders, coastline and Pakistan's provinces from public-domain Natural
Earth data, in ``south_asia.json`` (how it was made: README.md and build_outlines.py here)."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

OUTLINES_FILE = Path(__file__).resolve().parent / "south_asia.json"

Line = list[list[float]]  # [[lon, lat], ...]


@dataclass(frozen=True)
class Outlines:
    land: list[Line]  # rings to fill
    lakes: list[Line]
    pakistan: list[Line]
    coastline: list[Line]
    borders: list[Line]  # land borders between countries
    province_lines: list[Line]  # between Pakistan's provinces (and territories)
    province_labels: list[dict]  # {"name", "points": [[lon, lat], ...] where it may stand, best first}
    extent: dict[str, tuple[float, float]]


@lru_cache(maxsize=1)
def outlines() -> Outlines:
    raw = json.loads(OUTLINES_FILE.read_text(encoding="utf-8"))
    return Outlines(
        land=raw["land"],
        lakes=raw["lakes"],
        pakistan=raw["pakistan"],
        coastline=raw["coastline"],
        borders=raw["borders"],
        province_lines=raw["provinces"]["lines"],
        province_labels=raw["provinces"]["labels"],
        extent={k: tuple(v) for k, v in raw["extent"].items()},
    )


def path_xy(lines: list[Line]) -> tuple[list[float | None], list[float | None]]:
    """One Plotly path for many lines or rings: their points, a gap (None) between each."""
    xs: list[float | None] = []
    ys: list[float | None] = []
    for line in lines:
        if xs:
            xs.append(None)
            ys.append(None)
        xs += [p[0] for p in line]
        ys += [p[1] for p in line]
    return xs, ys


def contains(rings: list[Line], lon: float, lat: float) -> bool:
    """Whether the point lies inside the rings (even-odd rule)."""
    hit = False
    for ring in rings:
        for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
            if (y0 > lat) != (y1 > lat) and lon < x0 + (lat - y0) * (x1 - x0) / (y1 - y0):
                hit = not hit
    return hit


# --------------------------------------------------------------------------- labels

# Country names for the map, each placed inside its country (ISO 3166 alpha-3; None: a sea).
COUNTRY_LABELS = (
    ("AFGHANISTAN", "AFG", 65.6, 34.6),
    ("IRAN", "IRN", 59.6, 31.6),
    ("INDIA", "IND", 76.6, 26.4),
    ("CHINA", "CHN", 77.6, 37.3),
    ("Arabian Sea", None, 63.0, 23.7),
)
# Short names for the provinces large enough to be named on the map.
PROVINCE_LABELS = {
    "Balochistan": "BALOCHISTAN",
    "Sindh": "SINDH",
    "Punjab": "PUNJAB",
    "Khyber Pakhtunkhwa": "KHYBER<br>PAKHTUNKHWA",
    "Gilgit-Baltistan": "GILGIT-BALTISTAN",
}
# Where a label may stand beside its point, tried in order: above, below, right, left.
POSITIONS = ("top center", "bottom center", "middle right", "middle left")
Box = tuple[float, float, float, float]  # lon0, lat0, lon1, lat1


@dataclass(frozen=True)
class Label:
    text: str
    lon: float
    lat: float
    radius_px: float = 3.0  # of the marker the label stands beside (0: none)
    size: int = 11  # font size, px


@dataclass(frozen=True)
class View:
    """The map's opening frame and scale, to tell where text will fall on screen."""

    lon: tuple[float, float]
    lat: tuple[float, float]
    degrees_per_pixel: float  # of longitude
    aspect_latitude: float = 30.0  # a degree of latitude is drawn 1/cos(this) times a degree of longitude

    @property
    def lat_degrees_per_pixel(self) -> float:
        return self.degrees_per_pixel * math.cos(math.radians(self.aspect_latitude))


def label_box(label: Label, position: str, view: View) -> Box:
    """Where the label's text falls, as Plotly places it (``textposition``), at the opening zoom."""
    lines = label.text.split("<br>")
    width = max(len(line) for line in lines) * 0.6 * label.size * view.degrees_per_pixel
    height = len(lines) * 1.25 * label.size * view.lat_degrees_per_pixel
    gap_x = (label.radius_px + 2) * view.degrees_per_pixel
    gap_y = (label.radius_px + 2) * view.lat_degrees_per_pixel
    x, y = label.lon, label.lat
    if position == "top center":
        return (x - width / 2, y + gap_y, x + width / 2, y + gap_y + height)
    if position == "bottom center":
        return (x - width / 2, y - gap_y - height, x + width / 2, y - gap_y)
    if position == "middle right":
        return (x + gap_x, y - height / 2, x + gap_x + width, y + height / 2)
    if position == "middle left":
        return (x - gap_x - width, y - height / 2, x - gap_x, y + height / 2)
    return (x - width / 2, y - height / 2, x + width / 2, y + height / 2)  # middle center


def marker_box(label: Label, view: View) -> Box:
    rx = label.radius_px * view.degrees_per_pixel
    ry = label.radius_px * view.lat_degrees_per_pixel
    return (label.lon - rx, label.lat - ry, label.lon + rx, label.lat + ry)


def overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def place_labels(
    labels: list[Label], limit: int, view: View, taken: list[Box] | None = None, markers: list[Box] | None = None
) -> dict[int, str]:
    """Greedily, in the order given (largest place first): the labels that fit inside the
    view without overlapping anything in ``taken`` (which they join) or the marker of a place
    as large (``markers[j]`` for ``j <= i``: a label may cover a smaller place's marker),
    up to ``limit``; {index in ``labels``: text position}."""
    taken = taken if taken is not None else []
    placed: dict[int, str] = {}
    for i, label in enumerate(labels):
        if len(placed) >= limit:
            break
        larger = markers[: i + 1] if markers else []
        for position in POSITIONS:
            box = label_box(label, position, view)
            if box[0] < view.lon[0] or box[2] > view.lon[1] or box[1] < view.lat[0] or box[3] > view.lat[1]:
                continue
            if not any(overlaps(box, other) for other in (*taken, *larger)):
                taken.append(box)
                placed[i] = position
                break
    return placed


def place_context(candidates: list[tuple[Label, ...]], view: View, taken: list[Box]) -> list[Label]:
    """For each name, the first of its possible placements (centred) that overlaps nothing in
    ``taken`` (which it joins); a name with none is left out."""
    placed = []
    for options in candidates:
        for label in options:
            box = label_box(label, "middle center", view)
            inside = view.lon[0] <= box[0] and box[2] <= view.lon[1] and view.lat[0] <= box[1] and box[3] <= view.lat[1]
            if inside and not any(overlaps(box, other) for other in taken):
                taken.append(box)
                placed.append(label)
                break
    return placed


# --------------------------------------------------------------------------- the Routes map

# The map opens on Pakistan and its neighbours, spanning the page; far origins (the Gulf,
# Bangkok) are reached by zooming out. Its height sets the scale: the frame's 15 degrees of
# latitude fill the plot's some 650 px (legend and margins aside), a degree of longitude
# cos(30°) of that (a wider page shows more longitude). Labels are kept apart at that scale.
MAP_HEIGHT = 720
MAP_LABELS = 12  # places named on the map at most: the largest that fit; the rest on hover
MAP_VIEW = View(
    lon=(58.0, 79.0),
    lat=(23.0, 38.0),
    degrees_per_pixel=15.0 / ((MAP_HEIGHT - 70) * math.cos(math.radians(30))),
)
