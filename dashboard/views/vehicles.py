"""Vehicle look-up: a registration, chassis or engine number typed in any format → every
seizure of that vehicle, in any formation, and the evidence that links them."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import auth, data, filters, ui
from dashboard.formatting import first_present, format_count, format_date, format_text, is_missing, money_scale, plural
from dashboard.search_keys import vehicle_search_key
from dashboard.timeline import date_axis

PAGE = "vehicles"
PAGE_TITLE = "Vehicle look-up"
PARAM = "vehicle"
KIND_LABELS = {"registration": "registration", "chassis": "chassis number", "engine": "engine number"}
# dim_vehicles' count of distinct normalised numbers of a kind (a conflict when two or more)
DISTINCT_COLUMNS = {"chassis": "n_distinct_chassis", "engine": "n_distinct_engines"}
NOT_RECORDED = "not recorded"
# What a number shared by records of different chassis (or engines) most likely means.
CONFLICT_READINGS = {
    ("registration", "chassis"): "possible plate reuse",
    ("engine", "chassis"): "possible engine moved to another vehicle, or a mistyped number",
    ("registration", "engine"): "possible plate reuse, or an engine replaced",
    ("chassis", "engine"): "possible engine replacement, or a mistyped number",
}


def _search_box() -> str:
    key = f"{PAGE}_query"
    filters.bound_value(
        key, PARAM, default="", parse=lambda values: values[0][:64] if values else None, dump=lambda v: [v] if v else []
    )
    st.text_input(
        "Registration, chassis or engine number",
        key=key,
        max_chars=64,
        placeholder="e.g. LEA-1234, lea 1234, JTFHJ7…",
        on_change=filters.bound_changed,
        args=(key, PARAM),
        help="Typed in any format: case, spaces, dashes and dots do not matter. Press Enter to search.",
    )
    typed = (st.session_state.get(key) or "").strip()
    filters.write_bound(PARAM, [typed] if typed else [])
    return typed


def _vehicle_name(vehicle: pd.Series) -> str | None:
    """The number a vehicle is best known by: registration, else chassis, else engine."""
    name = first_present(vehicle["registration_no"], vehicle["chassis_no"], vehicle["engine_no"])
    return None if name is None else str(name)


def _use(value: str) -> None:
    filters.set_bound(PARAM, value)


def _n_distinct(vehicle: pd.Series, rows: pd.DataFrame, kind: str) -> int:
    """Distinct normalised numbers of ``kind`` of the vehicle (``dim_vehicles``, counted over
    the reader's seizures like the rows shown); from the rows when the snapshot lacks it."""
    value = vehicle.get(DISTINCT_COLUMNS[kind])
    return int(value) if not is_missing(value) else int(rows[f"{kind}_no"].dropna().nunique())


def _conflict_kind(vehicle: pd.Series, rows: pd.DataFrame) -> str | None:
    """``chassis`` when the vehicle's records carry two or more chassis numbers, else
    ``engine`` for two or more engine numbers, else None (no identity conflict)."""
    flag = vehicle.get("has_identity_conflict")
    if not is_missing(flag) and not bool(flag):
        return None
    for kind in DISTINCT_COLUMNS:
        if _n_distinct(vehicle, rows, kind) >= 2:
            return kind
    return None


def _conflict_messages(rows: pd.DataFrame, kind: str, n: int) -> list[str]:
    """Which shared numbers join records of different ``kind`` numbers, and what that may mean:
    "registration ICT393 links 2 chassis numbers: possible plate reuse"."""
    noun = KIND_LABELS[kind]
    messages = []
    for link in ("registration", "chassis", "engine"):
        if link == kind:
            continue
        shared = rows.dropna(subset=[f"{link}_no", f"{kind}_no"]).groupby(f"{link}_no")[f"{kind}_no"].nunique()
        for number, linked in shared[shared >= 2].sort_values(ascending=False).items():
            messages.append(f"{KIND_LABELS[link]} {number} links {linked} {noun}s: {CONFLICT_READINGS[(link, kind)]}")
    if not messages:  # linked only through records without a number of this kind, or not shown
        reading = "possible plate reuse" if kind == "chassis" else "possible engine replacement"
        messages.append(
            f"its records carry {n} {noun}s, linked through other records (some may be outside your view): "
            f"{reading}, or a mistyped number"
        )
    return messages


def _grouped(rows: pd.DataFrame, kind: str) -> pd.Series:
    """Each seizure's group: its normalised number of ``kind``, or NOT_RECORDED."""
    return rows[f"{kind}_no"].fillna(NOT_RECORDED)


def _group_table(rows: pd.DataFrame, kind: str, key: str, title: str) -> None:
    """One row per chassis (or engine) number of a conflicting vehicle, earliest seized first,
    the records without one last."""
    label = KIND_LABELS[kind].capitalize()
    groups = (
        rows.assign(group=_grouped(rows, kind))
        .groupby("group", sort=False)
        .agg(
            n_seizures=("case_vehicle_id", "count"),
            n_cases=("case_id", "nunique"),
            n_formations=("formation_code", "nunique"),
            types=("vehicle_type", lambda v: ", ".join(sorted({str(x) for x in v.dropna()}))),
            registrations=("registration_no", lambda v: ", ".join(sorted({str(x) for x in v.dropna()}))),
            others=(f"{'engine' if kind == 'chassis' else 'chassis'}_no", lambda v: ", ".join(sorted({str(x) for x in v.dropna()}))),
            first_seized=("seizure_date", "min"),
            last_seized=("seizure_date", "max"),
        )
        .reset_index()
    )
    groups = groups.assign(unrecorded=groups["group"] == NOT_RECORDED).sort_values(
        ["unrecorded", "first_seized", "group"], na_position="last"
    )
    other = "Engines" if kind == "chassis" else "Chassis"
    st.markdown(f"**Seizures by {KIND_LABELS[kind]}**")
    ui.table(
        pd.DataFrame(
            {
                f"{label}": groups["group"],
                "Seizures": groups["n_seizures"],
                "Cases": groups["n_cases"],
                "Formations": groups["n_formations"],
                "Types": groups["types"],
                "Registrations": groups["registrations"],
                other: groups["others"],
                "First seized": groups["first_seized"],
                "Last seized": groups["last_seized"],
            }
        ),
        name=f"vehicle {title} by {KIND_LABELS[kind]}",
        key=f"{PAGE}_groups_{key}",
        export=groups.drop(columns="unrecorded"),
        column_config={
            "Seizures": ui.count_column("Seizures"),
            "Cases": ui.count_column("Cases"),
            "Formations": ui.count_column("Formations"),
            "First seized": ui.date_column("First seized"),
            "Last seized": ui.date_column("Last seized"),
        },
    )


def _vehicle(vehicle: pd.Series, rows: pd.DataFrame, text: str, flt: filters.Filters) -> None:
    key = vehicle["vehicle_key"]
    matched = sorted({kind for m in rows["matches"] if isinstance(m, str) and m for kind in m.split("+")})
    title = _vehicle_name(vehicle) or key
    st.subheader(f"Vehicle {title}")
    st.markdown(
        f"Found by its **{' and '.join(KIND_LABELS[k] for k in matched) or 'identifiers'}** `{text}`. "
        f"Most often recorded as: registration `{format_text(vehicle['registration_no'])}`, chassis "
        f"`{format_text(vehicle['chassis_no'])}`, engine `{format_text(vehicle['engine_no'])}`."
    )
    conflict = _conflict_kind(vehicle, rows)
    if conflict is not None:
        n = _n_distinct(vehicle, rows, conflict)
        st.warning(
            "**Identity conflict**: " + "; ".join(_conflict_messages(rows, conflict, n)) + ". "
            f"By the matching rule these records are one vehicle (they share numbers, directly or "
            f"through other records), but they carry {n} {KIND_LABELS[conflict]}s: the seizures are "
            f"grouped by {KIND_LABELS[conflict]} below."
        )
        # chassis by chassis (earliest seized first, those without one last), each in date order
        group = _grouped(rows, conflict)
        first_seen = rows.groupby(group)["seizure_date"].transform("min")
        order = pd.DataFrame({"unrecorded": group == NOT_RECORDED, "first": first_seen, "group": group,
                              "date": rows["seizure_date"], "id": rows["case_vehicle_id"]})
        rows = rows.loc[order.sort_values(["unrecorded", "first", "group", "date", "id"], na_position="last").index]
        rows = rows.reset_index(drop=True)
    # counted over the seizures the reader may see (all of them for a reader of every formation)
    dates = rows["seizure_date"].dropna()
    tiles = st.columns(5, border=True)
    tiles[0].metric("Seizures", format_count(len(rows)), help="Case-vehicle records of this vehicle")
    tiles[1].metric("Cases", format_count(rows["case_id"].nunique()))
    tiles[2].metric("Formations", format_count(rows["formation_code"].nunique()))
    tiles[3].metric("First seized", format_date(dates.min() if len(dates) else None))
    tiles[4].metric("Last seized", format_date(dates.max() if len(dates) else None))

    inside = flt.contains(rows["seizure_date"], rows["formation_code"])
    scale = money_scale(rows["value_pkr"])
    display = pd.DataFrame(
        {
            **({KIND_LABELS[conflict].split()[0].capitalize(): rows[f"{conflict}_no"].fillna("")} if conflict else {}),
            "Seized": rows["seizure_date"],
            "Case": rows["case_no"],
            "Formation": rows["formation_code"],
            "Registration (as typed)": rows["registration_no_raw"].fillna(""),
            "Chassis (as typed)": rows["chassis_no_raw"].fillna(""),
            "Engine (as typed)": rows["engine_no_raw"].fillna(""),
            "Matches search": rows["matches"].fillna("").str.replace("+", ", "),
            "Linked by": rows["match_basis"].str.replace("+", ", "),
            "Seized before": rows["prior_seizures"],
            "Type": rows["vehicle_type"],
            "Involvement": rows["involvement"],
            "Value": rows["value_pkr"] / scale.divisor,
            "Status": rows["status"],
            "Outcome": rows["adjudication_outcome"].fillna(""),
            "Seizure point": rows["seizure_location"].fillna(""),
            "In filter": inside,
        }
    )
    styled = ui.formatted(
        display.style.apply(
            lambda row: ["background-color: rgba(63, 154, 110, 0.12)" if row["Matches search"] else "" for _ in row],
            axis=1,
        ),
        {"Seized before": ui.FMT_COUNT, "Value": ui.fmt_money(scale)},
    )
    st.dataframe(
        styled,
        placeholder=ui.MISSING_CELL,
        hide_index=True,
        key=f"{PAGE}_rows_{key}",
        column_config={
            "Seized": ui.date_column("Seized"),
            "Matches search": st.column_config.TextColumn(
                "Matches search", help="Which of this record's numbers, normalised, equal the number searched"
            ),
            "Linked by": st.column_config.TextColumn(
                "Linked by", help="Numbers this record shares with another seizure of the vehicle"
            ),
            "Seized before": ui.count_column("Seized before", help="Seizures of this vehicle with an earlier date"),
            "Value": ui.money_column("Value", scale),
            "In filter": st.column_config.CheckboxColumn(
                "In filter", help="Within the page's period and formations (the look-up shows every seizure)"
            ),
        },
    )
    ui.download_buttons(rows.assign(in_filter=inside.values), f"vehicle {title} seizures", key=f"{PAGE}_download_{key}")
    st.caption(
        "Green rows carry the number searched. Records of one vehicle are linked when they share a "
        "normalised chassis, engine or registration number, directly or through other records "
        f"(vehicle key `{key}`)."
        + (f" Listed {KIND_LABELS[conflict]} by {KIND_LABELS[conflict]} (normalised)." if conflict else "")
    )
    if conflict is not None:
        _group_table(rows, conflict, key, title)
    if rows["seizure_date"].notna().sum() >= 2:
        _timeline(rows)


def _timeline(rows: pd.DataFrame) -> None:
    dated = rows.dropna(subset=["seizure_date"]).sort_values(["seizure_date", "case_vehicle_id"])
    fig = go.Figure(
        go.Scatter(
            x=pd.to_datetime(dated["seizure_date"]),
            y=dated["formation_code"],
            mode="markers+lines",
            line=dict(color=ui.MUTED_COLOUR, width=1, dash="dot"),
            marker=dict(size=12, color=[ui.HIGHLIGHT_COLOUR if r else ui.GOODS_COLOUR for r in dated["is_repeat"].fillna(False)]),
            customdata=list(zip(dated["case_no"], dated["status"], strict=True)),
            hovertemplate="%{x|%d %b %Y} · %{y}<br>case %{customdata[0]} (%{customdata[1]})<extra></extra>",
        )
    )
    ui.base_layout(fig, title="Seizures over time", height=max(200, 40 * dated["formation_code"].nunique() + 120))
    fig.update_layout(showlegend=False, hovermode="closest")
    fig.update_yaxes(type="category", title=None)
    fig.update_xaxes(**date_axis(dated["seizure_date"]))
    ui.plot(fig, key=f"{PAGE}_timeline_{rows['vehicle_key'].iloc[0]}")
    st.caption("Red: seized again after an earlier seizure.")


def _search(snapshot: data.Snapshot, typed: str, flt: filters.Filters) -> None:
    key = vehicle_search_key(typed)
    if key.problem:
        st.warning(key.problem)
        return
    seizures = data.vehicle_seizures(snapshot, key.text, key.kinds)
    auth.audit_lookup("vehicle_lookup", key.text, n_rows=len(seizures))
    if seizures.empty:
        ui.empty(f"No seized vehicle has the registration, chassis or engine number `{key.text}`.")
        suggestions = data.vehicle_suggestions(snapshot, key.text)
        if not suggestions.empty:
            st.markdown("Numbers that contain it:")
            choices = {f"{r.identifier} ({r.kind}, {plural(r.n_seizures, 'seizure')})": r.identifier for r in suggestions.itertuples()}
            picked = st.pills("Similar numbers", list(choices), key=f"{PAGE}_suggestion", label_visibility="collapsed")
            if picked:
                _use(choices[picked])
                st.rerun()
        return
    vehicle_keys = tuple(dict.fromkeys(seizures["vehicle_key"]))
    # reindexed: a vehicle the dimension lacks is still shown, by its seizures
    vehicles = data.vehicles(snapshot, vehicle_keys).set_index("vehicle_key").reindex(list(vehicle_keys))
    if len(vehicle_keys) > 1:
        st.info(f"`{key.text}` belongs to {len(vehicle_keys)} different vehicles (for example a registration and an engine number that happen to be equal).")
    for vehicle_key in vehicle_keys:
        rows = seizures[seizures["vehicle_key"] == vehicle_key].reset_index(drop=True)
        vehicle = vehicles.loc[vehicle_key].copy()
        vehicle["vehicle_key"] = vehicle_key
        _vehicle(vehicle, rows, key.text, flt)
    ui.national_figures_note(snapshot)  # "Seized before" counts every formation's seizures


def _repeat_list(snapshot: data.Snapshot, flt: filters.Filters) -> None:
    st.subheader("Vehicles seized again")
    repeat = data.repeat_vehicles(snapshot, flt.start, flt.end, flt.formations)
    if repeat.empty:
        ui.empty("No vehicle in the selected period and formations had been seized before.")
        return
    selection = ui.table(
        pd.DataFrame(
            {
                "Registration": repeat["registration_no"].fillna(""),
                "Chassis": repeat["chassis_no"].fillna(""),
                "Engine": repeat["engine_no"].fillna(""),
                "Seizures": repeat["n_seizures"],
                "Formations": repeat["n_formations"],
                "First seized": repeat["first_seized_date"],
                "Last seized": repeat["last_seized_date"],
            }
        ),
        name="repeat vehicles",
        key=f"{PAGE}_repeat",
        export=repeat,
        on_select="rerun",
        selection_mode="single-row",
        column_config={
            "Seizures": ui.count_column("Seizures", help="All seizures of the vehicle, in any period"),
            "Formations": ui.count_column("Formations"),
            "First seized": ui.date_column("First seized"),
            "Last seized": ui.date_column("Last seized"),
        },
    )
    st.caption("Vehicles seized in the selection that had been seized before. Select a row to look it up.")
    ui.national_figures_note(snapshot)
    rows = selection.selection.rows if selection is not None else []
    if rows:
        name = _vehicle_name(repeat.iloc[rows[0]])
        if name is not None:  # a vehicle known by no number cannot be searched for
            _use(name)
            st.rerun()


def render(snapshot: data.Snapshot) -> None:
    options = ui.page_start(snapshot, "mart_vehicle_recidivism", "dim_vehicles", "dim_locations")
    if options is None:
        return
    typed = _search_box()
    flt = ui.lookup_filters(
        options,
        PAGE,
        "The look-up finds every seizure of a vehicle, whatever the period and formation; these filters "
        "mark the seizures inside them and choose the list of vehicles seized again.",
    )
    if typed:
        _search(snapshot, typed, flt)
    else:
        st.caption("Type a number above, or pick a vehicle seized again from the list.")
        _repeat_list(snapshot, flt)


ui.run_page(PAGE_TITLE, render)
