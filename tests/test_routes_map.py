"""The Routes page's map and Sankey, rendered with AppTest over marts the real pipeline
published (``published_settings``): the map is drawn on country borders, coastline and
Pakistan's provinces from the outlines bundled with the dashboard (no topojson, no tiles),
with only the largest places labelled; the Sankey shows the known routes by default and says
how many cases it leaves out, a figure checked here against the snapshot in SQL."""

from __future__ import annotations

import json
import math
import re

import pytest

from apptest_helpers import NOT_AFTER_TODAY, assert_clean, open_app, snapshot_sql
from dashboard import geo
from dashboard.formatting import format_count, format_pkr_compact

ORIGIN_COLOUR, SEIZURE_COLOUR = "#e08a2c", "#1f5f8b"  # of the Sankey's nodes
OUTLINE_TRACES = ("land", "lakes", "Pakistan", "coastline", "country borders", "provinces")


def _charts(at) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def _map_spec(at) -> dict:
    maps = [spec for spec in _charts(at) if any(t.get("name") == "country borders" for t in spec["data"])]
    assert len(maps) == 1, [[t.get("name") for t in spec["data"]] for spec in _charts(at)]
    return maps[0]


def _sankey(at) -> dict:
    (trace,) = [t for spec in _charts(at) for t in spec["data"] if t.get("type") == "sankey"]
    return trace


def _distance_to_edges(rings, lon: float, lat: float) -> float:
    """Degrees from the point to the nearest edge of the rings."""
    best = math.inf
    for ring in rings:
        for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
            dx, dy = x1 - x0, y1 - y0
            t = min(1.0, max(0.0, ((lon - x0) * dx + (lat - y0) * dy) / (dx * dx + dy * dy))) if dx or dy else 0.0
            best = min(best, math.hypot(lon - x0 - t * dx, lat - y0 - t * dy))
    return best


def _points(trace: dict) -> int:
    return sum(1 for x in trace["x"] if x is not None)


@pytest.fixture(scope="module")
def routes(published_settings):
    at = open_app("dg", page="routes")
    assert [t.value for t in at.title] == ["Routes"]
    return at


# --------------------------------------------------------------------------- outlines


def test_bundled_outlines_cover_the_region():
    shapes = geo.outlines()
    for name, lines, minimum in (
        ("land", shapes.land, 500),
        ("pakistan", shapes.pakistan, 200),
        ("coastline", shapes.coastline, 500),
        ("borders", shapes.borders, 1000),
        ("province lines", shapes.province_lines, 200),
    ):
        assert sum(len(line) for line in lines) >= minimum, name
    assert {label["name"] for label in shapes.province_labels} >= {
        "Balochistan", "Sindh", "Punjab", "Khyber Pakhtunkhwa", "Gilgit-Baltistan",
    }  # fmt: skip
    # Natural Earth's Pakistan holds its cities and not its neighbours'
    for lon, lat in ((67.01, 24.86), (74.34, 31.55), (71.58, 34.01), (66.98, 30.18), (73.05, 33.68)):
        assert geo.contains(shapes.pakistan, lon, lat), (lon, lat)
    for lon, lat in ((69.17, 34.53), (65.71, 31.63), (60.86, 29.49), (74.87, 31.63), (55.76, 24.21)):
        assert not geo.contains(shapes.pakistan, lon, lat), (lon, lat)
        assert geo.contains(shapes.land, lon, lat), (lon, lat)
    # each province's name may stand only inside Pakistan
    for label in shapes.province_labels:
        assert label["points"], label["name"]
        for lon, lat in label["points"]:
            assert geo.contains(shapes.pakistan, lon, lat), label["name"]


def test_the_map_is_drawn_on_borders_coast_and_provinces(routes, published_settings):
    assert_clean(routes)
    spec = _map_spec(routes)
    traces = {t.get("name"): t for t in spec["data"]}
    shapes = geo.outlines()
    expected = {
        "land": shapes.land, "Pakistan": shapes.pakistan, "coastline": shapes.coastline,
        "country borders": shapes.borders, "provinces": shapes.province_lines,
    }  # fmt: skip
    for name, lines in expected.items():
        assert _points(traces[name]) == sum(len(line) for line in lines), name
    # outlines first, beneath the routes and the places
    names = [t.get("name") for t in spec["data"]]
    last_outline = max(names.index(n) for n in OUTLINE_TRACES)
    for name in ("Seizure points", "Border crossings", "Origin → seizure point"):
        assert names.index(name) > last_outline, names
    # drawn from data in the figure: no geo subplot, no topojson to fetch, no tiles
    assert not any(key.startswith(("geo", "mapbox", "map")) for key in spec["layout"]), list(spec["layout"])
    assert "topojson" not in json.dumps(spec) and "://" not in json.dumps(spec)
    # every Pakistani place of the marts is drawn in Pakistan (a border crossing or a port on
    # its edge: within some 10 km of it, the 1:50m outline's precision), every other one outside
    places = snapshot_sql(
        published_settings,
        "select location_name, country, longitude::double as lon, latitude::double as lat "
        "from marts.dim_locations where longitude is not null",
    )
    assert (places["country"] == "PK").sum() > 10 and (places["country"] != "PK").sum() > 5
    misplaced = [
        (r.location_name, r.country)
        for r in places.itertuples()
        if (r.country == "PK") != geo.contains(shapes.pakistan, r.lon, r.lat)
        and _distance_to_edges(shapes.pakistan, r.lon, r.lat) > 0.1
    ]
    assert not misplaced, misplaced


def test_only_the_largest_places_are_labelled_and_labels_do_not_overlap(routes):
    spec = _map_spec(routes)
    places = [t for t in spec["data"] if t.get("mode") == "markers+text"]
    labelled = []
    for trace in places:
        sizes = trace["marker"]["size"]
        sizes = sizes if isinstance(sizes, list) else [sizes] * len(trace["x"])
        for x, y, text, position, size, hover in zip(
            trace["x"], trace["y"], trace["text"], trace["textposition"], sizes, trace["customdata"], strict=True
        ):
            assert hover[0], "every place is named on hover"
            if text:
                assert text == hover[0]
                labelled.append((geo.Label(text, x, y, radius_px=size / 2), position))
    assert 3 <= len(labelled) <= geo.MAP_LABELS
    boxes = [geo.label_box(label, position, geo.MAP_VIEW) for label, position in labelled]
    for i, a in enumerate(boxes):
        assert all(not geo.overlaps(a, b) for b in boxes[i + 1 :]), labelled[i][0].text
    # the place with most cases seized is named
    seized = [
        (size, text, hover[0])
        for t in places
        if t["name"] in ("Seizure points", "Border crossings")
        for size, text, hover in zip(t["marker"]["size"], t["text"], t["customdata"], strict=True)
    ]
    _size, text, name = max(seized)
    assert text == name


def test_country_names_stand_on_their_side_of_the_border():
    shapes = geo.outlines()
    for name, code, lon, lat in geo.COUNTRY_LABELS:
        on_land = geo.contains(shapes.land, lon, lat)
        assert on_land == (code is not None), name
        assert not geo.contains(shapes.pakistan, lon, lat), name


# --------------------------------------------------------------------------- Sankey


def _unknown_in_sql(settings) -> tuple[int, int, float, float]:
    """Cases of the default period without an origin or a destination, all cases, and their values."""
    unknown = "origin_location_id is null or destination_location_id is null"
    row = snapshot_sql(
        settings,
        f"""
        select count(*) filter (where {unknown}) as n_unknown,
               count(*) as n_cases,
               coalesce(sum(total_value_pkr) filter (where {unknown}), 0)::double as unknown_value,
               coalesce(sum(total_value_pkr), 0)::double as total_value
        from marts.fct_cases where {NOT_AFTER_TODAY}
        """,
    ).iloc[0]
    return int(row.n_unknown), int(row.n_cases), float(row.unknown_value), float(row.total_value)


def _out_of_origins(sankey: dict) -> float:
    """What flows out of the Sankey's origin nodes (its left column)."""
    origins = {i for i, colour in enumerate(sankey["node"]["color"]) if colour == ORIGIN_COLOUR}
    links = zip(sankey["link"]["source"], sankey["link"]["value"], strict=True)
    return sum(value for source, value in links if source in origins)


def test_sankey_shows_known_routes_and_states_the_unknown_share(routes, published_settings):
    n_unknown, n_cases, unknown_value, total_value = _unknown_in_sql(published_settings)
    assert 0 < n_unknown < n_cases, "the demo data should leave some origins or destinations unrecorded"
    sentence = next(m.value for m in routes.markdown if "no recorded origin or destination" in m.value)
    percent = re.search(r"\*\*(\d+) %\*\*", sentence)
    assert percent and percent.group(1) == f"{100 * n_unknown / n_cases:.0f}", sentence
    assert f"({format_count(n_unknown)} of {format_count(n_cases)}," in sentence, sentence
    assert f"worth {format_pkr_compact(unknown_value)} of {format_pkr_compact(total_value)}" in sentence, sentence
    assert "not shown" in sentence

    sankey = _sankey(routes)
    labels, colours = sankey["node"]["label"], sankey["node"]["color"]
    ends = [label for label, colour in zip(labels, colours, strict=True) if colour != SEIZURE_COLOUR]
    assert "Not recorded" not in ends, ends
    # what flows out of the origins is exactly the cases with a known origin and destination
    assert _out_of_origins(sankey) == n_cases - n_unknown


def test_sankey_can_include_the_unrecorded_ends(published_settings):
    at = open_app("dg", page="routes")
    at.checkbox(key="routes_unknown").check().run()
    assert_clean(at)
    _, n_cases, _, _ = _unknown_in_sql(published_settings)
    sentence = next(m.value for m in at.markdown if "no recorded origin or destination" in m.value)
    assert "shown as “Not recorded”" in sentence
    sankey = _sankey(at)
    labels, colours = sankey["node"]["label"], sankey["node"]["color"]
    assert ("Not recorded", ORIGIN_COLOUR) in set(zip(labels, colours, strict=True))
    assert _out_of_origins(sankey) == n_cases
