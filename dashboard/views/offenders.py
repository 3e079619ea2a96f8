"""Offender profile: a CNIC typed in any format → the person's cases, roles, formations,
commodities, routes and value; co-offenders and vehicles as a link graph; a timeline."""

from __future__ import annotations

import math
import re

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from antismuggling.access.roles import mask_cnic
from dashboard import auth, data, filters, ui
from dashboard.formatting import (
    MISSING,
    first_present,
    format_count,
    format_date,
    format_pkr,
    format_pkr_compact,
    format_pkr_exact,
    format_text,
    is_missing,
    money_scale,
)
from dashboard.search_keys import cnic_search_key
from dashboard.timeline import date_axis

PAGE = "offenders"
PAGE_TITLE = "Offender profile"
PARAM = "cnic"
PERSON_PARAM = "person"  # a person picked from the list, by offender_key (no CNIC in the URL)
OFFENDER_KEY = re.compile(r"[0-9a-f]{64}")  # a person key: see data.offender_key
REVEALED = "_offenders_revealed_person"
MAX_GRAPH_CASES = 60
PERSON_COLOUR = "#1c2733"
CASE_COLOUR = "#1f5f8b"
CO_OFFENDER_COLOUR = "#5b6770"
REPEAT_COLOUR = "#b8443c"
VEHICLE_COLOUR = "#e08a2c"


def _search_box() -> str:
    key = f"{PAGE}_query"
    filters.bound_value(
        key, PARAM, default="", parse=lambda values: values[0][:40] if values else None, dump=lambda v: [v] if v else []
    )
    st.text_input(
        "CNIC",
        key=key,
        max_chars=40,
        placeholder="e.g. 35202-1234567-1 or 3520212345671",
        on_change=_on_typed,
        args=(key,),
        help="13 digits, with or without dashes or spaces. Press Enter to search.",
    )
    typed = (st.session_state.get(key) or "").strip()
    # A CNIC never goes into the address (browser history, proxy logs); a link to a person
    # carries their person key instead (PERSON_PARAM).
    filters.write_bound(PARAM, [])
    return typed


def _on_typed(key: str) -> None:
    filters.bound_changed(key, PARAM)
    filters.set_bound(PERSON_PARAM, "")  # a typed CNIC replaces a person picked from the list


def _picked_person() -> str:
    """The offender_key of a person picked from the repeat-offender list (kept in the URL)."""
    picked = filters.bound_value(
        f"{PAGE}_person", PERSON_PARAM, default="", parse=lambda values: values[0][:64] if values else None,
        dump=lambda v: [v] if v else [],
    )
    filters.write_bound(PERSON_PARAM, [picked] if picked else [])
    return picked


def _split_values(texts: pd.Series, separator: str) -> list[str]:
    return sorted({part.strip() for text in texts.dropna() for part in str(text).split(separator) if part.strip()})


def _repeat_note(person: dict[str, object], cases: pd.DataFrame, scoped: bool) -> str:
    """The repeat-offender mark of the profile. ``is_repeat_offender`` is national (two or
    more cases in any formation, ``dim_offenders``) and stays visible to a formation-scoped
    reader, whose page may show a single case: then it says where the others are."""
    if not _is_yes(person.get("is_repeat_offender")):
        return ""
    if scoped and cases["case_id"].nunique() < 2:
        return " · **repeat offender: has cases outside your formations that you cannot see**"
    return " · **repeat offender**"


def _profile_tiles(person: dict[str, object], network: data.OffenderNetwork, scoped: bool = False) -> None:
    """The person's figures, counted over the cases the reader may see (all of them, for a
    reader of every formation: the same as ``dim_offenders``); ``scoped``: the reader sees
    only some formations."""
    cases = network.cases
    tiles = st.columns(5, border=True)
    tiles[0].metric("Cases", format_count(len(cases)))
    tiles[1].metric("Formations", format_count(cases["formation_code"].nunique()))
    value = float(cases["total_value_pkr"].fillna(0).sum())
    tiles[2].metric("Value (PKR)", format_pkr_compact(value, prefix=False), help=f"Total value of their cases: {format_pkr_exact(value)}")
    tiles[3].metric(
        "Co-offenders", format_count(network.co_offenders["offender_key"].nunique()), help="Other people (by CNIC) in their cases"
    )
    tiles[4].metric("Vehicles", format_count(network.vehicles["vehicle_key"].nunique()), help="Distinct vehicles in their cases")
    names = _split_values(cases["names"], ";")
    roles = _split_values(cases["roles"], ",")
    dates = cases["seizure_date"].dropna()
    lines = [
        f"**Seen** from {format_date(dates.min() if len(dates) else None)} to {format_date(dates.max() if len(dates) else None)}"
        + _repeat_note(person, cases, scoped),
        f"**Roles:** {', '.join(r.replace('_', ' ').lower() for r in roles) or MISSING}",
        f"**Names recorded:** {'; '.join(names) or MISSING}",
    ]
    if not is_missing(person.get("n_times_arrested")):  # withheld from a formation officer
        lines.append(f"**Arrested** in {format_count(person['n_times_arrested'])} of the case records")
    st.markdown("  \n".join(lines))


def _is_yes(flag: object) -> bool:
    return not is_missing(flag) and bool(flag)


def _in_several_cases(n_cases: object) -> bool:
    """Whether a co-offender is in two or more cases; unknown when their count is withheld."""
    return not is_missing(n_cases) and n_cases >= 2


def _angle_mean(angles: list[float]) -> float:
    return math.atan2(sum(math.sin(a) for a in angles), sum(math.cos(a) for a in angles))


def network_figure(cnic: str, network: data.OffenderNetwork) -> go.Figure:
    """Person in the middle, their cases around, co-offenders and vehicles outside, each next
    to the cases it shares. Plain Plotly scatter and lines."""
    cases = network.cases.head(MAX_GRAPH_CASES)
    n = max(len(cases), 1)
    case_pos = {}
    for i, case_id in enumerate(cases["case_id"]):
        angle = 2 * math.pi * i / n + math.pi / 2
        case_pos[case_id] = (math.cos(angle), math.sin(angle), angle)

    def outer(groups: dict[str, list[int]], radius: float) -> dict[str, tuple[float, float]]:
        placed = {}
        items = sorted(groups.items(), key=lambda kv: _angle_mean([case_pos[c][2] for c in kv[1]]))
        for j, (node, case_ids) in enumerate(items):
            angle = _angle_mean([case_pos[c][2] for c in case_ids])
            # spread nodes that would sit on top of each other
            angle += 0.12 * ((j % 3) - 1)
            r = radius + 0.25 * (j % 2)
            placed[node] = (r * math.cos(angle), r * math.sin(angle))
        return placed

    co = network.co_offenders[network.co_offenders["case_id"].isin(case_pos)]
    co_groups = co.groupby("offender_key")["case_id"].apply(list).to_dict()
    co_pos = outer(co_groups, 2.0)
    veh = network.vehicles[network.vehicles["case_id"].isin(case_pos)]
    veh_groups = veh.groupby("vehicle_key")["case_id"].apply(list).to_dict()
    veh_pos = outer(veh_groups, 2.9)

    fig = go.Figure()

    def edges(pairs: list[tuple[tuple[float, float], tuple[float, float]]], colour: str, name: str) -> None:
        xs: list[float | None] = []
        ys: list[float | None] = []
        for (x0, y0), (x1, y1) in pairs:
            xs += [x0, x1, None]
            ys += [y0, y1, None]
        if xs:
            fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line=dict(color=colour, width=1), hoverinfo="skip", showlegend=False, name=name))

    edges([((0.0, 0.0), case_pos[c][:2]) for c in case_pos], "rgba(28, 39, 51, 0.35)", "person-case")
    edges([(case_pos[r.case_id][:2], co_pos[r.offender_key]) for r in co.itertuples()], "rgba(91, 103, 112, 0.35)", "case-person")
    edges([(case_pos[r.case_id][:2], veh_pos[r.vehicle_key]) for r in veh.itertuples()], "rgba(224, 138, 44, 0.5)", "case-vehicle")

    scale = money_scale(cases["total_value_pkr"])
    values = cases["total_value_pkr"].fillna(0).clip(lower=0)
    largest = float(values.max()) or 1.0
    fig.add_trace(
        go.Scatter(
            x=[case_pos[c][0] for c in cases["case_id"]],
            y=[case_pos[c][1] for c in cases["case_id"]],
            mode="markers+text" if len(cases) <= 16 else "markers",
            text=cases["case_no"],
            textposition="middle right",
            textfont=dict(size=10),
            marker=dict(symbol="square", size=[9 + 14 * math.sqrt(v / largest) for v in values], color=CASE_COLOUR),
            name="Cases",
            customdata=list(
                zip(
                    cases["case_no"],
                    [format_date(d) for d in cases["seizure_date"]],
                    cases["formation_code"],
                    cases["roles"].fillna(""),
                    [format_pkr(v, scale) for v in cases["total_value_pkr"]],
                    strict=True,
                )
            ),
            hovertemplate="<b>Case %{customdata[0]}</b><br>%{customdata[1]} · %{customdata[2]}<br>as %{customdata[3]}<br>%{customdata[4]}<extra></extra>",
        )
    )
    if co_pos:
        info = co.groupby("offender_key").agg(
            cnic=("cnic", "first"), names=("names", "first"), n_cases=("n_cases", "max"), shared=("case_id", "nunique")
        )
        cnics = list(co_pos)  # offender keys: masked CNICs may coincide
        names = info["names"].fillna("").astype(str)
        fig.add_trace(
            go.Scatter(
                x=[co_pos[c][0] for c in cnics],
                y=[co_pos[c][1] for c in cnics],
                mode="markers+text" if len(cnics) <= 12 else "markers",
                text=[names[c].split(";")[0][:22] for c in cnics],
                textposition="top center",
                textfont=dict(size=10, color=CO_OFFENDER_COLOUR),
                marker=dict(
                    size=[10 + 3 * min(int(info.at[c, "shared"]), 5) for c in cnics],
                    color=[REPEAT_COLOUR if _in_several_cases(info.at[c, "n_cases"]) else CO_OFFENDER_COLOUR for c in cnics],
                ),
                name="Co-offenders",
                customdata=list(
                    zip(
                        [format_text(info.at[c, "cnic"]) for c in cnics],
                        [names[c] or MISSING for c in cnics],
                        [format_count(info.at[c, "shared"]) for c in cnics],
                        [format_count(info.at[c, "n_cases"]) for c in cnics],
                        strict=True,
                    )
                ),
                hovertemplate="<b>%{customdata[1]}</b><br>CNIC %{customdata[0]}<br>%{customdata[2]} shared cases · %{customdata[3]} cases in all<extra></extra>",
            )
        )
    if veh_pos:
        info = veh.groupby("vehicle_key").agg(
            registration_no=("registration_no", "first"),
            chassis_no=("chassis_no", "first"),
            n_seizures=("n_seizures", "max"),
        )
        keys = list(veh_pos)
        labels = [str(first_present(info.at[k, "registration_no"], info.at[k, "chassis_no"]) or k) for k in keys]
        fig.add_trace(
            go.Scatter(
                x=[veh_pos[k][0] for k in keys],
                y=[veh_pos[k][1] for k in keys],
                mode="markers+text" if len(keys) <= 12 else "markers",
                text=labels,
                textposition="bottom center",
                textfont=dict(size=10),
                marker=dict(symbol="diamond", size=13, color=VEHICLE_COLOUR),
                name="Vehicles",
                customdata=list(zip(labels, [format_count(info.at[k, "n_seizures"]) for k in keys], strict=True)),
                hovertemplate="<b>Vehicle %{customdata[0]}</b><br>%{customdata[1]} seizures in all<extra></extra>",
            )
        )
    fig.add_trace(
        go.Scatter(
            x=[0.0],
            y=[0.0],
            mode="markers+text",
            text=[cnic],
            textposition="bottom center",
            marker=dict(size=24, color=PERSON_COLOUR, line=dict(color="#ffffff", width=2)),
            name="This person",
            hovertemplate=f"<b>{cnic}</b><extra></extra>",
        )
    )
    fig.update_layout(
        height=520,
        margin=dict(l=8, r=8, t=32, b=8),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="left", x=0.0),
        hovermode="closest",
        plot_bgcolor="#ffffff",
    )
    xs = [0.0] + [p[0] for p in case_pos.values()] + [p[0] for p in co_pos.values()] + [p[0] for p in veh_pos.values()]
    ys = [0.0] + [p[1] for p in case_pos.values()] + [p[1] for p in co_pos.values()] + [p[1] for p in veh_pos.values()]
    pad = 0.6
    fig.update_xaxes(visible=False, range=[min(xs) - pad - 0.4, max(xs) + pad + 0.4])
    fig.update_yaxes(visible=False, range=[min(ys) - pad, max(ys) + pad], scaleanchor="x", scaleratio=1)
    return fig


def _network(
    snapshot: data.Snapshot, cnic: str, network: data.OffenderNetwork, flt: filters.Filters, file_label: str
) -> None:
    """The graph, tables and timeline of a person; downloads are named by ``file_label`` (the
    masked CNIC: file names end up in the audit log and in download folders)."""
    cases = network.cases
    if cases.empty:
        ui.empty("No live case of this person in the marts.")
        return
    left, right = st.columns([3, 2])
    with left:
        st.subheader("Links: cases, co-offenders and vehicles")
        ui.plot(network_figure(cnic, network), key=f"{PAGE}_graph")
        notes = ["Squares: cases (size: value); circles: co-offenders (red: in two or more cases); diamonds: vehicles."]
        if len(cases) > MAX_GRAPH_CASES:
            notes.append(f"The {MAX_GRAPH_CASES} earliest of {len(cases)} cases are drawn.")
        st.caption(" ".join(notes))
    with right:
        _co_offenders(snapshot, file_label, network)
        _vehicles(file_label, network)

    st.subheader("Timeline")
    dated = cases.dropna(subset=["seizure_date"])
    if dated.empty:
        ui.empty("None of the cases has a seizure date.")
    else:
        scale = money_scale(dated["total_value_pkr"])
        fig = go.Figure(
            go.Scatter(
                x=pd.to_datetime(dated["seizure_date"]),
                y=dated["formation_code"],
                mode="markers+lines",
                line=dict(color=ui.MUTED_COLOUR, width=1, dash="dot"),
                marker=dict(size=12, color=CASE_COLOUR),
                customdata=list(
                    zip(dated["case_no"], dated["roles"].fillna(""), [format_pkr(v, scale) for v in dated["total_value_pkr"]], strict=True)
                ),
                hovertemplate="%{x|%d %b %Y} · %{y}<br>case %{customdata[0]} as %{customdata[1]}<br>%{customdata[2]}<extra></extra>",
            )
        )
        ui.base_layout(fig, height=max(200, 40 * dated["formation_code"].nunique() + 120))
        fig.update_layout(showlegend=False, hovermode="closest")
        fig.update_yaxes(type="category", title=None)
        fig.update_xaxes(**date_axis(dated["seizure_date"]))
        ui.plot(fig, key=f"{PAGE}_timeline")

    st.subheader("Cases")
    inside = flt.contains(cases["seizure_date"], cases["formation_code"])
    scale = money_scale(cases["total_value_pkr"])
    ui.table(
        pd.DataFrame(
            {
                "Seized": cases["seizure_date"],
                "Case": cases["case_no"],
                "Formation": cases["formation_code"],
                "Role": _roles_text(cases["roles"]),
                "Name recorded": cases["names"].fillna(""),
                "Offence": cases["offence_nature"],
                "From": cases["origin"].fillna(""),
                "Seized at": cases["seizure_location"].fillna(""),
                "To": cases["destination"].fillna(""),
                "Value": cases["total_value_pkr"] / scale.divisor,
                "Status": cases["status"],
                "Outcome": cases["adjudication_outcome"].fillna(""),
                "In filter": inside,
            }
        ),
        name=f"cases of {file_label}",
        key=f"{PAGE}_cases",
        export=cases.assign(in_filter=inside.values),
        column_config={
            "Seized": ui.date_column("Seized"),
            "Value": ui.money_column("Value", scale),
            "In filter": st.column_config.CheckboxColumn("In filter", help="Within the page's period and formations"),
        },
    )

    left, right = st.columns(2)
    with left:
        st.subheader("Commodities")
        commodities = network.commodities
        if commodities.empty:
            ui.empty("No seized items in these cases.")
        else:
            scale = money_scale(commodities["value_pkr"])
            ui.table(
                pd.DataFrame(
                    {
                        "Chapter": commodities["hs2"].fillna(MISSING),
                        "Description": commodities["description"].fillna(""),
                        "Cases": commodities["n_cases"],
                        "Value": commodities["value_pkr"] / scale.divisor,
                    }
                ),
                name=f"commodities of {file_label}",
                key=f"{PAGE}_commodities",
                export=commodities,
                column_config={
                    "Chapter": st.column_config.TextColumn("Chapter", width="small"),
                    "Description": st.column_config.TextColumn("Description", width=220),
                    "Cases": ui.count_column("Cases"),
                    "Value": ui.money_column("Value", scale),
                },
            )
    with right:
        st.subheader("Routes")
        routes = (
            cases.assign(
                origin=cases["origin"].fillna("not recorded"),
                seizure_location=cases["seizure_location"].fillna("not recorded"),
                destination=cases["destination"].fillna("not recorded"),
            )
            .groupby(["origin", "seizure_location", "destination"], as_index=False)
            .agg(n_cases=("case_id", "count"))
            .sort_values("n_cases", ascending=False)
        )
        ui.table(
            routes.rename(
                columns={"origin": "From", "seizure_location": "Seized at", "destination": "To", "n_cases": "Cases"}
            ),
            name=f"routes of {file_label}",
            key=f"{PAGE}_routes",
            export=routes,
            column_config={"Cases": ui.count_column("Cases")},
        )



def _roles_text(values: pd.Series) -> pd.Series:
    return values.fillna("").str.replace("_", " ").str.lower()


def _co_offenders(snapshot: data.Snapshot, file_label: str, network: data.OffenderNetwork) -> None:
    co = network.co_offenders
    st.subheader("Co-offenders")
    if co.empty:
        ui.empty("Nobody else with a valid CNIC appears in these cases.")
        return
    summary = (
        co.groupby("offender_key", as_index=False)
        .agg(
            cnic=("cnic", "first"),
            names=("names", "first"),
            roles=("roles", "first"),
            shared_cases=("case_id", "nunique"),
            n_cases=("n_cases", "max"),
        )
        .sort_values(["shared_cases", "n_cases"], ascending=False)
    )
    ui.table(
        pd.DataFrame(
            {
                "CNIC": summary["cnic"],
                "Names recorded": summary["names"],
                "Roles": _roles_text(summary["roles"]),
                "Shared": summary["shared_cases"],
                "Cases": summary["n_cases"],
            }
        ),
        name=f"co-offenders of {file_label}",
        key=f"{PAGE}_co",
        export=summary,
        column_config={
            "CNIC": st.column_config.TextColumn("CNIC", width="small"),
            "Shared": ui.count_column("Shared", help="Cases shared with this person"),
            "Cases": ui.count_column("Cases", help="Their cases in all"),
        },
    )
    ui.national_figures_note(snapshot)


def _vehicles(file_label: str, network: data.OffenderNetwork) -> None:
    vehicles = network.vehicles
    st.subheader("Vehicles")
    if vehicles.empty:
        ui.empty("No vehicle in these cases.")
        return
    summary = (
        vehicles.groupby("vehicle_key", as_index=False)
        .agg(
            registration_no=("registration_no", "first"),
            chassis_no=("chassis_no", "first"),
            engine_no=("engine_no", "first"),
            shared_cases=("case_id", "nunique"),
            n_seizures=("n_seizures", "max"),
        )
        .sort_values(["shared_cases", "n_seizures"], ascending=False)
    )
    ui.table(
        pd.DataFrame(
            {
                # A vehicle seized without readable numbers still has its key.
                "Vehicle": summary["vehicle_key"],
                "Registration": summary["registration_no"].fillna(MISSING),
                "Chassis": summary["chassis_no"].fillna(MISSING),
                "Engine": summary["engine_no"].fillna(MISSING),
                "In their cases": summary["shared_cases"],
                "Seizures": summary["n_seizures"],
            }
        ),
        name=f"vehicles of {file_label}",
        key=f"{PAGE}_vehicles",
        export=summary,
        column_config={
            "In their cases": ui.count_column("In their cases"),
            "Seizures": ui.count_column("Seizures", help="All seizures of the vehicle"),
        },
    )


def _person_key(typed: str, picked: str) -> str | None:
    """The resolved person to show: from the typed CNIC, else from the list's pick."""
    if typed:
        key = cnic_search_key(typed)
        if key.problem:
            st.warning(key.problem)
            return None
        return data.offender_key(key.cnic)
    return picked if OFFENDER_KEY.fullmatch(picked) else None


def _on_reveal(person_key: str, shown_cnic: str) -> None:
    auth.audit("reveal", target=shown_cnic, n_rows=1, detail=f"person {person_key}")
    st.session_state[REVEALED] = person_key


def _reveal(snapshot: data.Snapshot, person_key: str, shown_cnic: str) -> data.Snapshot:
    """For a reader who sees masked identities: a button that unmasks this one person (and
    records that it did), and the snapshot to draw the profile from."""
    if not snapshot.scope.mask_pii:
        return snapshot
    if st.session_state.get(REVEALED) == person_key:
        st.caption("Identity revealed for you; the reveal is recorded in the audit log.")
        return data.Snapshot(snapshot.path, snapshot.scope.revealing(person_key))
    left, right = st.columns([1, 3], vertical_alignment="center")
    left.button(
        "Reveal identity",
        key=f"{PAGE}_reveal",
        on_click=_on_reveal,
        args=(person_key, shown_cnic),
        help="Shows this person's CNIC and names. Recorded in the audit log.",
    )
    right.caption("CNICs and names are masked for your role. Revealing one person is recorded in the audit log.")
    return snapshot


def _person(snapshot: data.Snapshot, person_key: str, flt: filters.Filters) -> None:
    person = data.offender(snapshot, person_key)
    # The audit log names the person by masked CNIC and key: its readers need not see PII.
    shown = "(no match)" if person is None else str(person["cnic"]) if snapshot.scope.mask_pii else mask_cnic(str(person["cnic"]))
    network = None if person is None else data.offender_network(snapshot, person_key)
    auth.audit_lookup(
        "cnic_lookup", shown, n_rows=0 if network is None else len(network.cases), detail=f"person {person_key}",
        search=person_key,
    )
    if person is None or network is None:
        ui.empty("No person with this CNIC appears in a live case you may see.")
        return
    revealed = _reveal(snapshot, person_key, shown)
    if revealed != snapshot:
        person = data.offender(revealed, person_key) or person
        network = data.offender_network(revealed, person_key)
    st.subheader(f"CNIC {person['cnic']}")
    _profile_tiles(person, network, scoped=snapshot.scope.formations is not None)
    _network(revealed, str(person["cnic"]), network, flt, file_label=shown)


def _repeat_list(snapshot: data.Snapshot, flt: filters.Filters) -> None:
    st.subheader("Repeat offenders")
    people = data.top_offenders(snapshot, flt.start, flt.end, flt.formations)
    if people.empty:
        ui.empty("No repeat offender in the selected period and formations.")
        return
    scale = money_scale(people["total_value_pkr"])
    selection = ui.table(
        pd.DataFrame(
            {
                "CNIC": people["cnic"],
                "Names recorded": people["names_seen"],
                "Roles": people["roles"].str.replace("_", " ").str.lower(),
                "Cases": people["n_cases"],
                "Formations": people["n_formations"],
                "First seen": people["first_seen_date"],
                "Last seen": people["last_seen_date"],
                "Value": people["total_value_pkr"] / scale.divisor,
            }
        ),
        name="repeat offenders",
        key=f"{PAGE}_repeat",
        export=people,
        on_select="rerun",
        selection_mode="single-row",
        column_config={
            "Cases": ui.count_column("Cases"),
            "Formations": ui.count_column("Formations"),
            "First seen": ui.date_column("First seen"),
            "Last seen": ui.date_column("Last seen"),
            "Value": ui.money_column("Value", scale, help="Total value of their cases"),
        },
    )
    st.caption(
        "People in two or more cases, most cases first, with a case in the selected period and formations. "
        "Select a row to open the profile."
    )
    ui.national_figures_note(snapshot)
    rows = selection.selection.rows if selection is not None else []
    if rows:
        filters.set_bound(PARAM, "")
        filters.set_bound(PERSON_PARAM, str(people.iloc[rows[0]]["offender_key"]))
        st.rerun()


def render(snapshot: data.Snapshot) -> None:
    options = ui.page_start(snapshot, "dim_offenders", "fct_case_persons", "dim_locations")
    if options is None:
        return
    typed = _search_box()
    flt = ui.lookup_filters(
        options,
        PAGE,
        "The profile covers every case of the person; these filters mark the cases inside them and "
        "choose the list of repeat offenders.",
    )
    picked = _picked_person()
    if typed or picked:
        person_key = _person_key(typed, picked)
        if person_key is not None:
            _person(snapshot, person_key, flt)
    else:
        st.caption("Type a CNIC above, or pick a repeat offender from the list.")
        _repeat_list(snapshot, flt)


ui.run_page(PAGE_TITLE, render)
