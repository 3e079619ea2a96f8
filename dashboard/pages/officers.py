"""Officer performance: every officer's credited cases and value, how they are spread, and
one officer's cases."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import data, filters, ui
from dashboard.formatting import (
    MISSING,
    format_count,
    format_pkr_compact,
    format_pkr_exact,
    format_rate,
    money_scale,
)

PAGE = "officers"
PAGE_TITLE = "Officer performance"
PARAM = "officer"
DISTRIBUTIONS = {
    "n_cases": "Cases",
    "credited_value_pkr": "Credited value",
    "confiscation_rate": "Confiscation rate",
}


def _officer_label(row: pd.Series) -> str:
    name = row["full_name"] if isinstance(row["full_name"], str) and row["full_name"] else "(unknown officer)"
    parts = [name]
    if isinstance(row["designation"], str) and row["designation"]:
        parts.append(row["designation"])
    parts.append(f"#{int(row['officer_id'])}")
    return " · ".join(parts)


def _table(officers: pd.DataFrame) -> None:
    scale = money_scale(officers["credited_value_pkr"])
    display = pd.DataFrame(
        {
            "Officer": officers["full_name"].fillna("(unknown officer)"),
            "Designation": officers["designation"].fillna(""),
            "Service no.": officers["service_no"].fillna(""),
            "Formations": officers["formations"].fillna(""),
            "Cases": officers["n_cases"],
            "Credited value": officers["credited_value_pkr"] / scale.divisor,
            "Adjudicated": officers["n_adjudicated"],
            "Confiscated": officers["n_confiscated"],
            "Confiscation rate": 100 * officers["confiscation_rate"],
        }
    )
    selection = ui.table(
        display,
        name="officer performance",
        key=f"{PAGE}_table",
        export=officers,
        on_select="rerun",
        selection_mode="single-row",
        column_config={
            "Officer": st.column_config.TextColumn("Officer", width=180),
            "Service no.": st.column_config.TextColumn("Service no.", width="small"),
            "Formations": st.column_config.TextColumn(
                "Formations", width=130, help="Formations the officer's months are credited to"
            ),
            "Designation": st.column_config.TextColumn("Designation", width=120),
            "Cases": st.column_config.NumberColumn(
                "Cases", format="%,d", width="small", help="Cases the officer is credited with"
            ),
            "Credited value": ui.money_column(
                "Credited", scale, help="Each case's total value split equally among its officers"
            ),
            "Adjudicated": st.column_config.NumberColumn("Adjudicated", format="%,d", width="small"),
            "Confiscated": st.column_config.NumberColumn("Confiscated", format="%,d", width="small"),
            "Confiscation rate": st.column_config.NumberColumn(
                "Conf. rate", format="%.1f %%", width="small", help="Confiscation rate: confiscated / adjudicated cases"
            ),
        },
    )
    st.caption("Click a column heading to sort; select a row to see the officer's cases below.")
    rows = selection.selection.rows if selection is not None else []
    selected = int(officers.iloc[rows[0]]["officer_id"]) if rows else None
    # Act on a new selection only, so choosing an officer below is not overridden by it.
    if selected != st.session_state.get("_officers_table_selected"):
        st.session_state["_officers_table_selected"] = selected
        if selected is not None:
            filters.set_bound(PARAM, selected)


def _distribution(officers: pd.DataFrame) -> None:
    metric = st.segmented_control(
        "Officers by",
        list(DISTRIBUTIONS),
        format_func=DISTRIBUTIONS.get,
        default="n_cases",
        required=True,
        key=f"{PAGE}_distribution",
    ) or "n_cases"
    values = officers[metric].dropna()
    if values.empty:
        ui.empty("No officer has an adjudicated case in the selection." if metric == "confiscation_rate" else "No officers.")
        return
    if metric == "credited_value_pkr":
        scale = money_scale(values)
        x, axis = values / scale.divisor, ui.money_axis(scale)
    elif metric == "confiscation_rate":
        x, axis = 100 * values, dict(title="Confiscation rate (%)", tickformat=".0f")
    else:
        x, axis = values, dict(title="Cases", tickformat=",d")
    fig = go.Figure(go.Histogram(x=x, marker_color=ui.GOODS_COLOUR, nbinsx=min(40, max(5, len(values) // 3))))
    ui.base_layout(fig, height=300)
    fig.update_layout(showlegend=False, hovermode="closest", bargap=0.05)
    fig.update_traces(hovertemplate="%{x}: %{y:,} officers<extra></extra>")
    fig.update_xaxes(**axis)
    fig.update_yaxes(title="Officers", tickformat=",d")
    ui.plot(fig, key=f"{PAGE}_histogram")
    median = values.median()
    shown = (
        format_pkr_compact(median) if metric == "credited_value_pkr"
        else format_rate(median) if metric == "confiscation_rate"
        else format_count(median)
    )
    st.caption(f"{format_count(len(values))} officers; median {shown}.")


def _pick_officer(
    snapshot: data.Snapshot, officers: pd.DataFrame, flt: filters.Filters
) -> tuple[int, pd.DataFrame] | None:
    st.subheader("An officer's cases")
    ids = [int(v) for v in officers["officer_id"]]
    labels = {int(r["officer_id"]): _officer_label(r) for _, r in officers.iterrows()}
    key = f"{PAGE}_officer"
    current = filters.bound_value(
        key,
        PARAM,
        default=None,
        parse=lambda values: int(values[0]) if values and values[0].isdigit() else None,
        dump=lambda v: [str(v)] if v is not None else [],
    )
    if current is not None and current not in ids:
        ids = [current, *ids]
        labels[current] = f"officer #{current} (no credited case in the selection)"
    st.selectbox(
        "Officer",
        ids,
        key=key,
        format_func=lambda v: labels.get(v, f"#{v}"),
        placeholder="Type a name or choose an officer",
        on_change=filters.bound_changed,
        args=(key, PARAM),
    )
    officer_id = st.session_state[key]
    filters.write_bound(PARAM, [str(officer_id)] if officer_id is not None else [])
    if officer_id is None:
        st.caption("Choose an officer, or select a row of the table above.")
        return None
    if not ui.require(snapshot, "fct_officer_case_credits", what="An officer's cases"):
        return None
    cases = data.officer_cases(snapshot, officer_id, flt.start, flt.end, flt.formations)
    if cases.empty:
        ui.empty("This officer is credited with no case in the selected months and formations.")
        return None
    credited = cases["credited_value_pkr"].sum()
    adjudicated = cases["adjudication_outcome"].notna().sum()
    confiscated = (cases["adjudication_outcome"] == "CONFISCATED").sum()
    tiles = st.columns(4, border=True)
    tiles[0].metric("Cases", format_count(len(cases)))
    tiles[1].metric("Credited (PKR)", format_pkr_compact(credited, prefix=False), help=format_pkr_exact(credited))
    tiles[2].metric("Adjudicated", format_count(adjudicated))
    tiles[3].metric("Confiscated", format_count(confiscated))
    return officer_id, cases


def _officer_cases_table(officer_id: int, cases: pd.DataFrame) -> None:
    scale = money_scale(pd.concat([cases["credited_value_pkr"], cases["total_value_pkr"]]))
    ui.table(
        pd.DataFrame(
            {
                "Case": cases["case_no"],
                "Seized": cases["seizure_date"],
                "Credited to": cases["formation_code"],
                "Roles": cases["roles"].fillna("").str.replace("_", " ").str.lower(),
                "Officers": cases["n_credited_officers"],
                "Case value": cases["total_value_pkr"] / scale.divisor,
                "Credited value": cases["credited_value_pkr"] / scale.divisor,
                "Status": cases["status"],
                "Outcome": cases["adjudication_outcome"].fillna(""),
                "Offence": cases["offence_nature"],
                "Detection": cases["detection_method"],
            }
        ),
        name=f"officer {officer_id} cases",
        key=f"{PAGE}_cases",
        export=cases,
        column_config={
            "Seized": ui.date_column("Seized"),
            "Officers": ui.count_column("Officers", help="Officers sharing the case's credit"),
            "Case value": ui.money_column("Case value", scale),
            "Credited value": ui.money_column("Credited value", scale, help="This officer's share"),
        },
    )


def render(snapshot: data.Snapshot) -> None:
    options = ui.page_start(snapshot, "mart_officer_performance")
    if options is None:
        return
    flt = filters.shared_filters(options, PAGE)
    st.caption(flt.scope() + (f" · {flt.months_note()}" if flt.months_note() else ""))
    officers = data.officer_table(snapshot, flt.start, flt.end, flt.formations)
    if officers.empty:
        ui.empty("No officer is credited with a case in the selected period and formations.")
        return
    credited = officers["credited_value_pkr"].sum()
    adjudicated = officers["n_adjudicated"].sum()
    tiles = st.columns(4, border=True)
    tiles[0].metric("Officers credited", format_count(len(officers)))
    tiles[1].metric("Credited value (PKR)", format_pkr_compact(credited, prefix=False), help=format_pkr_exact(credited))
    tiles[2].metric("Cases per officer (median)", format_count(officers["n_cases"].median()))
    tiles[3].metric(
        "Confiscation rate",
        format_rate(officers["n_confiscated"].sum() / adjudicated) if adjudicated else MISSING,
        help="Over the officers' credited cases (a case with several officers counts for each).",
    )
    st.subheader("Officers")
    _table(officers)
    left, right = st.columns([2, 3])
    with left:
        st.subheader("Distribution")
        _distribution(officers)
    with right:
        picked = _pick_officer(snapshot, officers, flt)
    if picked is not None:
        _officer_cases_table(*picked)


ui.run_page(PAGE_TITLE, render)
