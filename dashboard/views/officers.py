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
    is_missing,
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
    if isinstance(row.get("service_no"), str) and row["service_no"]:
        parts.append(row["service_no"])
    parts.append(f"#{int(row['officer_id'])}")
    return " · ".join(parts)


def _formations_cell(main: object, n: object, all_codes: object) -> str:
    """ "II-QTA +2": the formation most of the officer's cases are credited to, and how many
    others (the table stays narrow; the download lists them all)."""
    if not isinstance(main, str) or not main:
        return all_codes if isinstance(all_codes, str) else ""
    others = int(n) - 1 if not is_missing(n) else 0
    return f"{main} +{others}" if others > 0 else main


def _table(officers: pd.DataFrame) -> None:
    scale = ui.table_money_scale(officers["credited_value_pkr"])
    main = officers["main_formation"] if "main_formation" in officers else officers["formations"]
    counts = officers["n_formations"] if "n_formations" in officers else pd.Series([1] * len(officers), index=officers.index)
    display = pd.DataFrame(
        {
            "Officer": officers["full_name"].fillna("(unknown officer)"),
            "Designation": officers["designation"].fillna(""),
            "Formations": [_formations_cell(m, n, a) for m, n, a in zip(main, counts, officers["formations"], strict=True)],
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
        # Text columns as wide as their longest value, so nothing is cut off at 1400 px
        # (service numbers are in the downloads and the officer picker below).
        column_config={
            "Officer": st.column_config.TextColumn("Officer", width=ui.fit_width(display["Officer"], "Officer")),
            "Formations": st.column_config.TextColumn(
                "Formations",
                width=ui.fit_width(display["Formations"], "Formations"),
                help="The formation most of the officer's cases are credited to, and how many others "
                "(the download lists them all)",
            ),
            "Designation": st.column_config.TextColumn(
                "Designation", width=ui.fit_width(display["Designation"], "Designation")
            ),
            "Cases": st.column_config.NumberColumn("Cases", format="%,d", help="Cases the officer is credited with"),
            "Credited value": ui.money_column(
                "Credited", scale, help="Each case's total value split equally among its officers"
            ),
            "Adjudicated": st.column_config.NumberColumn("Adjudicated", format="%,d"),
            "Confiscated": st.column_config.NumberColumn("Confiscated", format="%,d"),
            "Confiscation rate": st.column_config.NumberColumn(
                "Conf. rate", format="%.1f %%", help="Confiscation rate: confiscated / adjudicated cases"
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
    return officer_id, cases


def _officer_tiles(cases: pd.DataFrame) -> None:
    """The chosen officer's figures, across the page (in the picker's column, "Credited
    (PKR)" was cut off at 1400 px)."""
    credited = cases["credited_value_pkr"].sum()
    adjudicated = cases["adjudication_outcome"].notna().sum()
    confiscated = (cases["adjudication_outcome"] == "CONFISCATED").sum()
    tiles = st.columns(4, border=True)
    tiles[0].metric("Cases", format_count(len(cases)))
    tiles[1].metric(
        "Credited (PKR)", format_pkr_compact(credited, prefix=False),
        help=f"{format_pkr_exact(credited)}: the officer's share of each case's value",
    )
    tiles[2].metric("Adjudicated", format_count(adjudicated))
    tiles[3].metric("Confiscated", format_count(confiscated))


ROLE_WORDS = {
    "SEIZING_OFFICER": "seizing",
    "INVESTIGATING_OFFICER": "investigating",
    "TEAM_LEAD": "lead",
    "TEAM_MEMBER": "member",
    "INFORMER_HANDLER": "informer handler",
}


def _roles(text: object) -> str:
    if not isinstance(text, str) or not text:
        return ""
    return ", ".join(ROLE_WORDS.get(r.strip(), r.strip().replace("_", " ").lower()) for r in text.split(","))


def _state(status: object, outcome: object) -> str:
    """ "Confiscated", "Redeemed (appeal)", "SCN issued": the outcome once adjudicated, else the status."""
    def words(value: str) -> str:
        text = value.replace("_", " ").lower()
        return "SCN" + text[3:] if text.startswith("scn") else text.capitalize()

    if isinstance(outcome, str) and outcome:
        return words(outcome) + (" (appeal)" if status == "APPEAL" else "")
    return words(status) if isinstance(status, str) and status else ""


def _officer_cases_table(officer_id: int, cases: pd.DataFrame) -> None:
    """The chosen officer's cases: what fits at 1400 px without cutting anything off (the
    downloads add the number of officers credited, the offence, the detection method and
    the status and outcome as recorded)."""
    scale = ui.table_money_scale(cases["credited_value_pkr"], cases["total_value_pkr"])
    display = pd.DataFrame(
        {
            "Case": cases["case_no"],
            "Seized": cases["seizure_date"],
            "Formation": cases["formation_code"],
            "Roles": [_roles(r) for r in cases["roles"]],
            "Case value": cases["total_value_pkr"] / scale.divisor,
            "Credited value": cases["credited_value_pkr"] / scale.divisor,
            "Status": [_state(s, o) for s, o in zip(cases["status"], cases["adjudication_outcome"], strict=True)],
        }
    )
    ui.table(
        display,
        name=f"officer {officer_id} cases",
        key=f"{PAGE}_cases",
        export=cases,
        column_config={
            "Case": st.column_config.TextColumn("Case", width=ui.fit_width(display["Case"], "Case")),
            "Seized": ui.date_column("Seized"),
            "Formation": st.column_config.TextColumn("Formation", help="The formation the case is credited under"),
            "Roles": st.column_config.TextColumn(
                "Roles", width=ui.fit_width(display["Roles"], "Roles"),
                help="The officer's roles in the case: seizing or investigating officer, team lead or member, "
                "informer handler",
            ),
            "Case value": ui.money_column("Case value", scale),
            "Credited value": ui.money_column(
                "Credited", scale,
                help="Credited value: this officer's share, the case value split equally among the officers "
                "credited with it (the download has how many)",
            ),
            "Status": st.column_config.TextColumn(
                "Status", width=ui.fit_width(display["Status"], "Status"),
                help="The adjudication outcome once adjudicated (on appeal: marked so), else the case's status",
            ),
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
        row = officers[officers["officer_id"] == picked[0]]
        ui.chart_title(_officer_label(row.iloc[0]) if not row.empty else f"Officer #{picked[0]}")
        _officer_tiles(picked[1])
        _officer_cases_table(*picked)


ui.run_page(PAGE_TITLE, render)
