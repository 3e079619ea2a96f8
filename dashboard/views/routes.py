"""Routes: where seized goods came from, where they were caught and where they were going —
a Sankey of the known routes and a map of seizure points and routes over country borders,
coastline and Pakistan's provinces, drawn from boundary data bundled with the dashboard
(:mod:`dashboard.geo`: Natural Earth, public domain; no tiles, nothing fetched)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import data, filters, geo, ui
from dashboard.formatting import MISSING, format_count, format_pkr, format_pkr_compact, format_pkr_exact, money_scale, plural

PAGE = "routes"
PAGE_TITLE = "Routes"
PARAM_HS2 = "hs2"
MEASURES = {"cases": "Cases", "value": "Value (PKR)"}
TOP_CHOICES = (10, 15, 20, 30, 40)
MAP_LINKS = 30
# The map's frame, height, scale and number of labels: dashboard/geo.
MAP_LABELS = geo.MAP_LABELS
MAP_VIEW = geo.MAP_VIEW
MAP_FRAME = {"lon": MAP_VIEW.lon, "lat": MAP_VIEW.lat}
NOT_RECORDED = "Not recorded"
INFLOW_COLOUR = "rgba(224, 138, 44, 0.6)"
OUTFLOW_COLOUR = "rgba(31, 95, 139, 0.5)"
SEA_COLOUR = "#dde8f1"
LAND_COLOUR = "#eef0f2"
PAKISTAN_COLOUR = "#fbfbf8"
BORDER_COLOUR = "#7d8a97"
COAST_COLOUR = "#8aa4bb"
PROVINCE_COLOUR = "#aab3bd"
# A white halo keeps a label readable over route lines and borders.
LABEL_HALO = "0 0 2px #ffffff, 0 0 3px #ffffff, 0 0 4px #ffffff"
ROUTE_ENDS = ["origin_location_id", "destination_location_id"]


def _chapters_input(snapshot: data.Snapshot) -> tuple[str, ...]:
    chapters = data.hs_chapters(snapshot)
    codes = chapters["hs2"].astype(str).tolist()
    descriptions = dict(zip(chapters["hs2"], chapters["description"].fillna(""), strict=True))
    key = f"{PAGE}_hs2"
    filters.bound_value(
        key,
        PARAM_HS2,
        default=[],
        parse=lambda values: [v for v in values if v in codes] or None,
        dump=list,
    )
    st.session_state[key] = [c for c in st.session_state[key] if c in codes]
    st.multiselect(
        "Commodity (HS chapters)",
        codes,
        key=key,
        placeholder="All commodities",
        format_func=lambda c: f"{c} · {descriptions.get(c, '')[:50]}".rstrip(" ·"),
        on_change=filters.bound_changed,
        args=(key, PARAM_HS2),
        help="Only cases carrying goods of these HS chapters.",
    )
    chosen = tuple(sorted(st.session_state[key]))
    filters.write_bound(PARAM_HS2, list(chosen))
    return chosen


def _labelled(locations: pd.DataFrame) -> pd.DataFrame:
    """The locations with text to show for each: a place without a name is "location <id>"."""
    unnamed = locations["name"].isna() | (locations["name"].astype(str).str.strip() == "")
    return locations.assign(
        name=locations["name"].where(~unnamed, "location " + locations["location_id"].astype(str)).astype(str),
        kind=locations["kind"].fillna("").astype(str),
        country=locations["country"].fillna("").astype(str),
    )


def _names(locations: pd.DataFrame) -> dict[int, str]:
    return {int(r.location_id): r.name for r in locations.itertuples()}


def _label(location_id: object, names: dict[int, str]) -> str:
    if location_id is None or pd.isna(location_id):
        return NOT_RECORDED
    return names.get(int(location_id), f"location {int(location_id)}")


def _top(series: pd.Series, weights: pd.Series, n: int) -> set:
    totals = weights.groupby(series.fillna(-1)).sum().sort_values(ascending=False)
    return set(totals.index[:n])


# --------------------------------------------------------------------------- Sankey


@dataclass(frozen=True)
class UnknownShare:
    """The cases of the selection that do not say where the goods came from or where they
    were going (origin or destination not recorded)."""

    n_cases: int
    total_cases: int
    value_pkr: float
    total_value_pkr: float

    @property
    def percent(self) -> float:
        return 100 * self.n_cases / self.total_cases if self.total_cases else 0.0

    def sentence(self, *, shown: bool) -> str:
        value = (
            f", worth {format_pkr_compact(self.value_pkr)} of {format_pkr_compact(self.total_value_pkr)}"
            if self.total_value_pkr
            else ""
        )
        where = f"shown as “{NOT_RECORDED}”" if shown else "not shown in the chart"
        return (
            f"**{self.percent:.0f} %** of the cases ({format_count(self.n_cases)} of "
            f"{format_count(self.total_cases)}{value}) have no recorded origin or destination — {where}."
        )


def unknown_share(flows: pd.DataFrame) -> UnknownShare:
    unknown = flows[ROUTE_ENDS].isna().any(axis=1)
    return UnknownShare(
        n_cases=int(flows.loc[unknown, "n_cases"].sum()),
        total_cases=int(flows["n_cases"].sum()),
        value_pkr=float(flows.loc[unknown, "total_value_pkr"].sum()),
        total_value_pkr=float(flows["total_value_pkr"].sum()),
    )


def known_routes(flows: pd.DataFrame) -> pd.DataFrame:
    """The routes whose origin and destination are both recorded."""
    return flows.dropna(subset=ROUTE_ENDS)


def sankey_figure(flows: pd.DataFrame, names: dict[int, str], measure: str, top_n: int) -> go.Figure | None:
    """Origin → seizure point → destination of ``flows``; the ``top_n`` largest places of each
    column named, the rest grouped. None when there is nothing to draw."""
    if flows.empty:
        return None
    weight = flows["n_cases"] if measure == "cases" else flows["total_value_pkr"]
    roles = {"origin": "origin_location_id", "seizure": "seizure_location_id", "destination": "destination_location_id"}
    keep = {role: _top(flows[column], weight, top_n) for role, column in roles.items()}
    counts = {role: flows[column].fillna(-1).nunique() for role, column in roles.items()}

    def nodes(role: str) -> pd.Series:
        ids = flows[roles[role]].fillna(-1).astype("int64")
        named = ids.isin(list(keep[role]))
        return (role + ":" + ids.astype(str)).where(named, f"{role}:other")

    df = flows.assign(w=weight, o=nodes("origin"), s=nodes("seizure"), d=nodes("destination"))
    links = pd.concat(
        [
            df.groupby(["o", "s"], as_index=False)["w"].sum().rename(columns={"o": "source", "s": "target"}),
            df.groupby(["s", "d"], as_index=False)["w"].sum().rename(columns={"s": "source", "d": "target"}),
        ]
    )
    links = links[links["w"] > 0]
    if links.empty:
        return None
    node_ids = list(dict.fromkeys(list(links["source"]) + list(links["target"])))
    index = {n: i for i, n in enumerate(node_ids)}
    role_names = {"origin": "origins", "seizure": "seizure points", "destination": "destinations"}

    def node_label(node_id: str) -> str:
        role, _, rest = node_id.partition(":")
        if rest == "other":
            n_other = counts[role] - len(keep[role])
            return f"Other {role_names[role]} ({n_other})"
        if rest == "-1":
            return NOT_RECORDED
        return names.get(int(rest), f"location {rest}")

    colours = {"origin": "#e08a2c", "seizure": "#1f5f8b", "destination": "#5b6770"}
    scale = money_scale(links["w"]) if measure == "value" else None
    fig = go.Figure(
        go.Sankey(
            arrangement="snap",
            node=dict(
                label=[node_label(n) for n in node_ids],
                color=[colours[n.split(":")[0]] for n in node_ids],
                pad=12,
                thickness=14,
                line=dict(width=0),
                hovertemplate="%{label}<extra></extra>",
            ),
            link=dict(
                source=[index[s] for s in links["source"]],
                target=[index[t] for t in links["target"]],
                value=(links["w"] / scale.divisor).tolist() if scale else links["w"].tolist(),
                color="rgba(91, 103, 112, 0.22)",
                customdata=[format_pkr(v) if scale else plural(v, "case") for v in links["w"]],
                hovertemplate="%{source.label} → %{target.label}<br>%{customdata}<extra></extra>",
            ),
        )
    )
    n_nodes = max(len([n for n in node_ids if n.startswith(r)]) for r in roles)
    ui.base_layout(fig, height=max(420, 26 * n_nodes + 60))
    fig.update_layout(font=dict(size=12))
    return fig


def _sankey(flows: pd.DataFrame, names: dict[int, str], measure: str, top_n: int) -> None:
    ui.chart_title("Origin → seizure point → destination")
    share = unknown_share(flows)
    include = False
    if share.n_cases:
        sentence = st.empty()
        include = st.checkbox(
            "Include the cases with no recorded origin or destination",
            value=False,
            key=f"{PAGE}_unknown",
            help=f"Show them in the chart, their unknown ends as “{NOT_RECORDED}”.",
        )
        sentence.markdown(share.sentence(shown=include))
    fig = sankey_figure(flows if include else known_routes(flows), names, measure, top_n)
    if fig is None:
        ui.empty(
            "None of these cases records both where the goods came from and where they were going; "
            "tick the box above to see them."
            if share.n_cases
            else "No flows to draw."
        )
        return
    ui.plot(fig, key=f"{PAGE}_sankey")
    st.caption(
        "Left: where the goods came from; middle: where they were seized; right: where they were going. "
        f"The {top_n} largest places of each column are named; the rest are grouped."
    )


# --------------------------------------------------------------------------- map


def _width(cases: float, largest: float) -> float:
    return 0.8 + 4.5 * math.sqrt(cases / largest) if largest else 0.8


def _marker_size(cases: float, largest: float) -> float:
    return 6 + 26 * math.sqrt(cases / largest) if largest else 6


def _outline_traces(fig: go.Figure) -> None:
    """Land, lakes, Pakistan, coastline, country borders and province lines, beneath the rest."""
    shapes = geo.outlines()
    for name, rings, colour in (
        ("land", shapes.land, LAND_COLOUR),
        ("lakes", shapes.lakes, SEA_COLOUR),
        ("Pakistan", shapes.pakistan, PAKISTAN_COLOUR),
    ):
        xs, ys = geo.path_xy(rings)
        fig.add_trace(
            go.Scatter(
                x=xs, y=ys, mode="lines", fill="toself", fillcolor=colour, line=dict(width=0),
                hoverinfo="skip", showlegend=False, name=name,
            )
        )  # fmt: skip
    for name, lines, line in (
        ("coastline", shapes.coastline, dict(color=COAST_COLOUR, width=1)),
        ("country borders", shapes.borders, dict(color=BORDER_COLOUR, width=1.2)),
        ("provinces", shapes.province_lines, dict(color=PROVINCE_COLOUR, width=1, dash="dot")),
    ):
        xs, ys = geo.path_xy(lines)
        fig.add_trace(
            go.Scatter(
                x=xs, y=ys, mode="lines", line=line, hoverinfo="skip", showlegend=False, name=name
            )
        )


def map_figure(flows: pd.DataFrame, locations: pd.DataFrame) -> go.Figure | None:
    """Seizure points, border crossings, origins and destinations and the busiest routes,
    over land, borders, coastline and Pakistan's provinces; the largest places labelled, the
    rest on hover. None when no place has coordinates."""
    coords = locations.dropna(subset=["latitude", "longitude"]).set_index("location_id")
    if coords.empty:
        return None
    lon, lat = coords["longitude"].to_dict(), coords["latitude"].to_dict()
    fig = go.Figure()
    _outline_traces(fig)
    for kind, stage, colour in (
        ("in", ("origin_location_id", "seizure_location_id"), INFLOW_COLOUR),
        ("out", ("seizure_location_id", "destination_location_id"), OUTFLOW_COLOUR),
    ):
        links = (
            flows.dropna(subset=list(stage))
            .groupby(list(stage), as_index=False)["n_cases"]
            .sum()
            .sort_values("n_cases", ascending=False)
        )
        links = links[links[stage[0]] != links[stage[1]]]
        links = links[links[stage[0]].isin(coords.index) & links[stage[1]].isin(coords.index)].head(MAP_LINKS)
        if links.empty:
            continue
        largest = float(links["n_cases"].max())
        # One trace per width class: a trace has one line width.
        classes = pd.cut(links["n_cases"], bins=[0, largest / 4, largest / 2, largest + 1], labels=False)
        for width_class in sorted(classes.dropna().unique()):
            part = links[classes == width_class]
            xs: list[float | None] = []
            ys: list[float | None] = []
            for a, b in zip(part[stage[0]], part[stage[1]], strict=True):
                xs += [lon[a], lon[b], None]
                ys += [lat[a], lat[b], None]
            fig.add_trace(
                go.Scatter(
                    x=xs,
                    y=ys,
                    mode="lines",
                    line=dict(color=colour, width=_width(float(part["n_cases"].max()), largest)),
                    hoverinfo="skip",
                    showlegend=bool(width_class == max(classes.dropna().unique())),
                    name="Origin → seizure point" if kind == "in" else "Seizure point → destination",
                    legendgroup=kind,
                )
            )

    seized = flows.dropna(subset=["seizure_location_id"]).groupby("seizure_location_id", as_index=False).agg(
        n_cases=("n_cases", "sum"), total_value_pkr=("total_value_pkr", "sum")
    )
    seized = seized[seized["seizure_location_id"].isin(coords.index)]
    ends = pd.concat(
        [
            flows[["origin_location_id", "n_cases"]].rename(columns={"origin_location_id": "location_id"}),
            flows[["destination_location_id", "n_cases"]].rename(columns={"destination_location_id": "location_id"}),
        ]
    ).dropna()
    ends = ends.groupby("location_id", as_index=False)["n_cases"].sum()
    ends = ends[ends["location_id"].isin(coords.index) & ~ends["location_id"].isin(seized["seizure_location_id"])]

    # The marker traces: (legend name, place ids, cases, marker, hover text).
    layers: list[dict] = []
    if not ends.empty:
        ids = ends["location_id"].astype("int64").tolist()
        layers.append(
            dict(
                name="Origins and destinations",
                ids=ids,
                cases=ends["n_cases"].tolist(),
                sizes=[7.0] * len(ids),
                marker=dict(size=7, color="#ffffff", line=dict(color=ui.TOTAL_COLOUR, width=1.5)),
                customdata=[
                    (coords.at[i, "name"], coords.at[i, "country"], format_count(v))
                    for i, v in zip(ids, ends["n_cases"], strict=True)
                ],
                hovertemplate="%{customdata[0]} (%{customdata[1]})<br>%{customdata[2]} cases start or end here<extra></extra>",
            )
        )
    if not seized.empty:
        largest = float(seized["n_cases"].max())
        info = coords.loc[seized["seizure_location_id"]]
        is_crossing = (info["kind"] == "BORDER_CROSSING").to_numpy()
        scale = money_scale(seized["total_value_pkr"])
        for crossing, name, symbol, colour in (
            (False, "Seizure points", "circle", ui.GOODS_COLOUR),
            (True, "Border crossings", "diamond", ui.HIGHLIGHT_COLOUR),
        ):
            mask = is_crossing == crossing
            if not mask.any():
                continue
            part, part_info = seized[mask], info[mask]
            sizes = [_marker_size(v, largest) for v in part["n_cases"]]
            layers.append(
                dict(
                    name=name,
                    ids=part["seizure_location_id"].astype("int64").tolist(),
                    cases=part["n_cases"].tolist(),
                    sizes=sizes,
                    marker=dict(
                        size=sizes, color=colour, opacity=0.85, symbol=symbol, line=dict(color="#ffffff", width=1)
                    ),
                    customdata=list(
                        zip(
                            part_info["name"],
                            part_info["kind"].str.replace("_", " ").str.lower(),
                            [format_count(v) for v in part["n_cases"]],
                            [format_pkr(v, scale) for v in part["total_value_pkr"]],
                            strict=True,
                        )
                    ),
                    hovertemplate="<b>%{customdata[0]}</b> (%{customdata[1]})<br>%{customdata[2]} cases · %{customdata[3]}<extra></extra>",
                )
            )

    # Labels: the largest seizure points first, then the largest origins and destinations,
    # while they fit; then country and province names where nothing else is.
    candidates = sorted(
        ((layer_no, k, cases) for layer_no, layer in enumerate(layers) for k, cases in enumerate(layer["cases"])),
        key=lambda c: (layers[c[0]]["name"] == "Origins and destinations", -c[2], c[0], c[1]),
    )
    place_label_list = [
        geo.Label(
            str(coords.at[layers[n]["ids"][k], "name"]),
            float(lon[layers[n]["ids"][k]]),
            float(lat[layers[n]["ids"][k]]),
            radius_px=layers[n]["sizes"][k] / 2,
        )
        for n, k, _ in candidates
    ]
    markers = [geo.marker_box(label, MAP_VIEW) for label in place_label_list]
    taken: list = []
    placed = geo.place_labels(place_label_list, MAP_LABELS, MAP_VIEW, taken, markers)
    positions: dict[tuple[int, int], str] = {
        (candidates[i][0], candidates[i][1]): position for i, position in placed.items()
    }
    for layer_no, layer in enumerate(layers):
        texts = [coords.at[i, "name"] if (layer_no, k) in positions else "" for k, i in enumerate(layer["ids"])]
        fig.add_trace(
            go.Scatter(
                x=[lon[i] for i in layer["ids"]],
                y=[lat[i] for i in layer["ids"]],
                mode="markers+text",
                marker=layer["marker"],
                text=texts,
                textposition=[positions.get((layer_no, k), "top center") for k in range(len(layer["ids"]))],
                textfont=dict(size=11, color="#1c2733", shadow=LABEL_HALO),
                name=layer["name"],
                customdata=layer["customdata"],
                hovertemplate=layer["hovertemplate"],
            )
        )

    shapes = geo.outlines()
    context = [(geo.Label(name, x, y, radius_px=0, size=12),) for name, _code, x, y in geo.COUNTRY_LABELS]
    context += [
        tuple(geo.Label(geo.PROVINCE_LABELS[p["name"]], x, y, radius_px=0, size=10) for x, y in p["points"])
        for p in shapes.province_labels
        if p["name"] in geo.PROVINCE_LABELS
    ]
    free = geo.place_context(context, MAP_VIEW, taken + markers)
    for size, colour in ((12, "#9aa5b1"), (10, "#a3acb6")):
        chosen = [label for label in free if label.size == size]
        if chosen:
            fig.add_trace(
                go.Scatter(
                    x=[label.lon for label in chosen],
                    y=[label.lat for label in chosen],
                    mode="text",
                    text=[label.text for label in chosen],
                    textposition="middle center",
                    textfont=dict(size=size, color=colour, shadow=LABEL_HALO),
                    hoverinfo="skip",
                    showlegend=False,
                    name="country names" if size == 12 else "province names",
                )
            )

    ui.base_layout(fig, height=geo.MAP_HEIGHT)
    fig.update_layout(
        hovermode="closest", plot_bgcolor=SEA_COLOUR, dragmode="pan", legend=dict(bgcolor="rgba(255,255,255,0.8)")
    )
    # Roughly equal distances: a degree of longitude is cos(latitude) of a degree of latitude.
    fig.update_xaxes(range=list(MAP_FRAME["lon"]), showgrid=False, zeroline=False, showticklabels=False, ticks="")
    fig.update_yaxes(
        range=list(MAP_FRAME["lat"]),
        showgrid=False,
        zeroline=False,
        showticklabels=False,
        ticks="",
        scaleanchor="x",
        scaleratio=1 / math.cos(math.radians(30)),
    )
    return fig


def _map(flows: pd.DataFrame, locations: pd.DataFrame) -> None:
    ui.chart_title("Seizure points and routes")
    fig = map_figure(flows, locations)
    if fig is None:
        ui.empty("The published marts have no coordinates for these places.")
        return
    ui.plot(fig, key=f"{PAGE}_map")
    coords = locations.dropna(subset=["latitude", "longitude"]).set_index("location_id")
    outside = coords[
        ~coords["longitude"].between(*MAP_FRAME["lon"]) | ~coords["latitude"].between(*MAP_FRAME["lat"])
    ]
    used = set(flows["origin_location_id"].dropna()) | set(flows["destination_location_id"].dropna())
    far = sorted(outside[outside.index.isin(used)]["name"])
    st.caption(
        "Circle and diamond size: cases seized there. The largest places are named; point at the others to see them. "
        "Borders, coastline and provinces: Natural Earth (public domain), bundled with the dashboard — "
        "nothing is fetched from the internet. "
        + (f"Beyond the frame (drag or double-click to zoom out): {', '.join(far)}." if far else "")
    )


def _seizure_points(flows: pd.DataFrame, locations: pd.DataFrame) -> None:
    ui.chart_title("Seizure points")
    points = (
        flows.assign(seizure_location_id=flows["seizure_location_id"].fillna(-1))
        .groupby("seizure_location_id", as_index=False)[["n_cases", "total_value_pkr"]]
        .sum()
        .sort_values(["n_cases", "total_value_pkr"], ascending=False)
    )
    info = locations.set_index("location_id")
    names = [info.at[i, "name"] if i in info.index else NOT_RECORDED for i in points["seizure_location_id"]]
    kinds = [
        info.at[i, "kind"].replace("_", " ").lower() if i in info.index else "" for i in points["seizure_location_id"]
    ]
    scale = money_scale(points["total_value_pkr"])
    ui.table(
        pd.DataFrame(
            {
                "Seizure point": names,
                "Kind": kinds,
                "Cases": points["n_cases"],
                "Value": points["total_value_pkr"] / scale.divisor,
            }
        ),
        name="seizure points",
        key=f"{PAGE}_points",
        export=points.assign(seizure_point=names, kind=kinds),
        height=560,
        column_config={
            "Seizure point": st.column_config.TextColumn("Seizure point", width=ui.fit_width(names, "Seizure point")),
            "Kind": st.column_config.TextColumn("Kind", width=ui.fit_width(kinds, "Kind")),
            "Cases": ui.count_column("Cases"),
            "Value": ui.money_column("Value", scale),
        },
    )


def _routes_table(flows: pd.DataFrame, names: dict[int, str]) -> None:
    ui.chart_title("Routes")
    scale = money_scale(flows["total_value_pkr"])
    total = flows["n_cases"].sum()
    top = flows.head(500)
    display = pd.DataFrame(
        {
            "Origin": [_label(v, names) for v in top["origin_location_id"]],
            "Seizure point": [_label(v, names) for v in top["seizure_location_id"]],
            "Destination": [_label(v, names) for v in top["destination_location_id"]],
            "Cases": top["n_cases"],
            "Share": 100 * top["n_cases"] / total if total else 0.0,
            "Value": top["total_value_pkr"] / scale.divisor,
        }
    )
    export = top.assign(
        origin=display["Origin"].values,
        seizure_point=display["Seizure point"].values,
        destination=display["Destination"].values,
    )
    ui.table(
        display,
        name="routes",
        key=f"{PAGE}_table",
        export=export,
        height=560,
        column_config={
            **{
                place: st.column_config.TextColumn(place, width=ui.fit_width(display[place], place))
                for place in ("Origin", "Seizure point", "Destination")
            },
            "Cases": ui.count_column("Cases"),
            "Share": ui.percent_column("Share", help="Share of the cases in the selection"),
            "Value": ui.money_column("Value", scale, help="Total seized value of these cases"),
        },
    )
    if len(flows) > len(top):
        st.caption(f"The {len(top)} routes with most cases, of {format_count(len(flows))}.")


def render(snapshot: data.Snapshot) -> None:
    options = ui.page_start(snapshot, "dim_locations")
    if options is None:
        return
    flt = filters.shared_filters(options, PAGE)
    left, middle, right = st.columns([3, 1, 1])
    with left:
        chapters = _chapters_input(snapshot)
    with middle:
        measure = st.segmented_control(
            "Measure", list(MEASURES), format_func=MEASURES.get, default="cases", required=True, key=f"{PAGE}_measure"
        ) or "cases"
    with right:
        top_n = st.select_slider(
            "Places named",
            TOP_CHOICES,
            value=15,
            key=f"{PAGE}_top",
            help="In the flow chart, the largest origins, seizure points and destinations are named; the rest are grouped.",
        )
    scope = flt.scope()
    if chapters:
        scope += " · HS chapters " + ", ".join(chapters)
    st.caption(scope)

    flows = data.route_flows(snapshot, flt.start, flt.end, flt.formations, chapters)
    if flows.empty:
        ui.empty("No cases match the selected period, formations and commodities.")
        return
    locations = _labelled(data.locations(snapshot))
    names = _names(locations)
    n_cases = int(flows["n_cases"].sum())
    value = flows["total_value_pkr"].sum()
    known = known_routes(flows)["n_cases"].sum()
    tiles = st.columns(4, border=True)
    tiles[0].metric("Cases", format_count(n_cases))
    tiles[1].metric("Value (PKR)", format_pkr_compact(value, prefix=False), help=format_pkr_exact(value))
    tiles[2].metric("Distinct routes", format_count(len(flows)))
    tiles[3].metric(
        "Origin & destination",
        f"{100 * known / n_cases:.0f}%" if n_cases else MISSING,
        help="Share of the cases that say both where the goods came from and where they were going.",
    )
    _sankey(flows, names, measure, top_n)
    _map(flows, locations)
    left, right = st.columns([2, 3])
    with left:
        _seizure_points(flows, locations)
    with right:
        _routes_table(flows, names)


ui.run_page(PAGE_TITLE, render)
