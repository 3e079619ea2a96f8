"""Leadership overview: headline figures against the year before, the monthly trend, the
formation league table (a row opens the formation's page), top commodities, freshness.

Comparisons do not mislead: the year before is counted as it stood at the same lag
(:func:`dashboard.data.comparison_kpis`), the backlog is compared as the share of cases still
pending 90 days after seizure, and the monthly charts mark how complete the recent months
probably are (:func:`dashboard.data.month_completeness`)."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import data, filters, ui
from dashboard.formatting import (
    MISSING,
    format_count,
    format_date,
    format_pkr,
    format_pkr_compact,
    format_pkr_exact,
    format_rate,
    format_share,
    money_scale,
    pct_change,
    plural,
    today_pkt,
)

PAGE = "overview"
PAGE_TITLE = "Overview"
FORMATION_PAGE = "views/formation.py"
TOP_N = 15
HS_LEVEL_LABELS = {"hs2": "HS chapters (2-digit)", "hs4": "HS headings (4-digit)"}
HS_STATUS_MEANING = {
    "VALID": "6-digit code found in the nomenclature",
    "HEADING_ONLY": "only a 4-digit heading typed; heading found",
    "UNKNOWN_CODE": "digits typed, but the code is not in the nomenclature",
    "UNPARSEABLE": "fewer than 4 digits typed",
}
LATE_DAYS = 7


# --------------------------------------------------------------------------- headline figures


def _delta(current: object, previous: object) -> str | None:
    change = pct_change(current, previous)
    return None if change is None else f"{change:+.1f}%"


def _league_totals(league: pd.DataFrame | None) -> dict[str, float | None]:
    if league is None or league.empty:
        return {"backlog": None, "confiscation_rate": None, "n_adjudicated": None}
    adjudicated = int(league["n_adjudicated"].sum())
    return {
        "backlog": int(league["n_pending_adjudication"].sum()),
        "confiscation_rate": league["n_confiscated"].sum() / adjudicated if adjudicated else None,
        "n_adjudicated": adjudicated,
    }


def _points_delta(current: float | None, previous: float | None) -> str | None:
    if current is None or previous is None or pd.isna(current) or pd.isna(previous):
        return None
    return f"{100 * (current - previous):+.1f} pts"


def _how_compared(cmp: data.Comparison | None) -> str:
    """The tooltip sentence saying how a tile's change is computed ("" without a change)."""
    if cmp is None:
        return ""
    previous = f"{format_date(cmp.previous_start)} to {format_date(cmp.previous_end)}"
    if not cmp.like_for_like:
        return f" Change: against {previous}, counted whole (this snapshot does not say when its data ends)."
    stood = f" Change: against {previous} as it stood on {format_date(cmp.previous_as_of)} (only the cases entered by then)"
    if cmp.lag_days == 0:
        stood += f", just as this period's data ends on its last day, {format_date(cmp.as_of)}."
    elif cmp.lag_days > 0:
        stood += (
            f", {plural(cmp.lag_days, 'day')} after it ended, just as this period's data runs to "
            f"{format_date(cmp.as_of)}, {plural(cmp.lag_days, 'day')} after its end."
        )
    else:
        stood += f", just as this period's data ends on {format_date(cmp.as_of)}, before the period does."
    return stood + " Cases are entered days to months after the seizure, so both are taken at the same stage of entry."


def _kpi_tiles(
    kpis: dict[str, float | int | None],
    leadership: dict[str, float | int | None],
    league: dict[str, float | None],
    cmp: data.Comparison | None,
    prev_lead: dict[str, float | int | None],
) -> None:
    prev_kpis = cmp.previous if cmp else {}
    how = _how_compared(cmp)
    total = kpis["total_value_pkr"]
    tiles = st.columns(5, border=True)
    with tiles[0]:
        st.metric(
            "Live cases",
            format_count(kpis["n_cases"]),
            delta=_delta(kpis["n_cases"], prev_kpis.get("n_cases")),
            help="Seizure cases not deleted in the source." + how,
        )
        st.caption(f"in {plural(kpis['n_formations'], 'formation')}")
    with tiles[1]:
        st.metric(
            "Total (PKR)",
            format_pkr_compact(total, prefix=False),
            delta=_delta(total, prev_kpis.get("total_value_pkr")),
            help=f"Goods plus vehicles: {format_pkr_exact(total)}." + how,
        )
        st.caption("goods + vehicles")
    with tiles[2]:
        goods = kpis["goods_value_pkr"]
        st.metric(
            "Goods (PKR)",
            format_pkr_compact(goods, prefix=False),
            delta=_delta(goods, prev_kpis.get("goods_value_pkr")),
            help=f"{format_pkr_exact(goods)}." + how,
        )
        st.caption(f"{format_share(goods, total)} of total value")
    with tiles[3]:
        vehicles = kpis["vehicle_value_pkr"]
        st.metric(
            "Vehicles (PKR)",
            format_pkr_compact(vehicles, prefix=False),
            delta=_delta(vehicles, prev_kpis.get("vehicle_value_pkr")),
            help=f"{format_pkr_exact(vehicles)}." + how,
        )
        st.caption(f"{format_share(vehicles, total)} of total value")
    with tiles[4]:
        st.metric(
            "Items seized",
            format_count(kpis["n_items"]),
            delta=_delta(kpis["n_items"], prev_kpis.get("n_items")),
            help="Live seized-item lines of these cases." + how,
        )
        st.caption(f"and {plural(kpis['n_vehicles'], 'vehicle')}")

    missing = "Not available: the published marts have no mart_vehicle_recidivism."
    tiles = st.columns(5, border=True)
    with tiles[0]:
        flagged = leadership["n_vehicles_confiscated"] is not None
        key = "n_vehicles_confiscated" if flagged else "n_vehicles_in_confiscated_cases"
        st.metric(
            "Vehicles confiscated",
            format_count(leadership[key]),
            delta=_delta(leadership[key], prev_lead.get(key)),
            help=(
                "Vehicles of these cases marked confiscated under Section 157." + how
                if flagged
                else "Vehicles of these cases whose case was adjudicated CONFISCATED (the published marts "
                "do not carry the vehicles' own Section 157 flag)." + how
                if leadership[key] is not None
                else missing
            ),
        )
        st.caption("marked confiscated (s. 157)" if flagged else "in cases adjudicated confiscated")
    with tiles[1]:
        st.metric(
            "Repeat vehicles",
            format_count(leadership["n_repeat_vehicles"]),
            delta=_delta(leadership["n_repeat_vehicles"], prev_lead.get("n_repeat_vehicles")),
            help="Distinct vehicles seized in the selection that had been seized before, in any formation "
            "(same chassis, engine or registration number)." + how
            if leadership["n_repeat_vehicles"] is not None
            else missing,
        )
        st.caption("caught again: seized before")
    with tiles[2]:
        repeat_offenders = leadership["n_repeat_offenders"]
        st.metric(
            "Repeat offenders",
            format_count(repeat_offenders),
            delta=_delta(repeat_offenders, prev_lead.get("n_repeat_offenders")),
            help=(
                "Distinct people (by CNIC) in the selection's cases who were in an earlier case." + how
                if repeat_offenders is not None
                else "Not available: the published marts do not link people to cases."
            ),
        )
        st.caption("caught again: in an earlier case" if repeat_offenders is not None else "needs a case-person mart")
    with tiles[3]:
        rate = league["confiscation_rate"]
        rate_help = "Confiscated / adjudicated cases, over the whole months of the period (as in the league table)."
        if cmp is not None:
            rate_help += (
                f" The change compares the rate over the cases adjudicated by {format_date(cmp.as_of)} with the "
                f"year before's over its cases adjudicated by {format_date(cmp.previous_as_of)}."
            )
        st.metric(
            "Confiscation rate",
            format_rate(rate),
            delta=_points_delta(cmp.current.get("confiscation_rate"), cmp.previous.get("confiscation_rate"))
            if cmp is not None
            else None,
            help=rate_help,
        )
        st.caption(f"of {plural(league['n_adjudicated'], 'adjudicated case')}" if league["n_adjudicated"] is not None else MISSING)
    with tiles[4]:
        _backlog_tile(league, cmp)


def _backlog_tile(league: dict[str, float | None], cmp: data.Comparison | None) -> None:
    """The backlog now, with no year-on-year change of that count (a year-old period has had
    a year more to be adjudicated): the change shown is that of a comparable measure, the
    share of cases still pending N days after seizure, in both periods."""
    days = cmp.pending_days if cmp else data.PENDING_DAYS
    help = (
        "Cases of the period's months still awaiting adjudication (SEIZED or SCN_ISSUED) today. "
        "This count is not compared with a year before: older cases have had longer to be adjudicated."
    )
    delta = None
    caption = "awaiting adjudication"
    if cmp is not None:
        now_share, before_share = cmp.current.get("pending_share"), cmp.previous.get("pending_share")
        delta = _points_delta(now_share, before_share)
        if delta is not None:
            delta = f"{delta} at {days} days"
            caption = (
                f"{format_share(now_share, 1)} still pending {days} days after seizure "
                f"({format_share(before_share, 1)} a year before)"
            )
            help += (
                f" The change is in the share of cases still pending {days} days after their seizure: "
                f"{format_share(now_share, 1)} of this period's {format_count(cmp.current['n_pending_measured'])} cases "
                f"seized by {format_date(cmp.as_of - timedelta(days=days))}, against {format_share(before_share, 1)} of "
                f"the year before's {format_count(cmp.previous['n_pending_measured'])} (entered by "
                f"{format_date(cmp.previous_as_of)}, seized by {format_date(cmp.previous_as_of - timedelta(days=days))}): "
                "a case counts as pending when it had no adjudication date within those days."
            )
        else:
            help += (
                f" No change is shown: no case of the period was seized {days} days before the data ends "
                f"({format_date(cmp.as_of)}), so the share still pending {days} days after seizure cannot be compared yet."
            )
    st.metric(
        "Backlog",
        format_count(league["backlog"]),
        delta=delta,
        delta_color="inverse",
        help=help,
    )
    st.caption(caption)


def _comparison_caption(flt: filters.Filters, cmp: data.Comparison | None) -> None:
    if flt.is_whole_period:
        st.caption(
            "Choose a period (for example a quick period) to compare each figure with the same "
            "period a year before."
        )
        return
    if cmp is None:
        st.caption("No change against a year before: the same period a year earlier starts before the data does.")
        return
    text = (
        f"Changes compare with the same period a year before: {format_date(cmp.previous_start)} to "
        f"{format_date(cmp.previous_end)}"
    )
    if cmp.like_for_like:
        text += (
            f", as it stood on {format_date(cmp.previous_as_of)} (the cases entered by then), since this "
            f"period's data ends on {format_date(cmp.as_of)}: recent cases are still being entered, so both "
            "periods are taken at the same stage. Backlog: the share still pending "
            f"{cmp.pending_days} days after seizure."
        )
    else:
        text += "."
    st.caption(text)


# --------------------------------------------------------------------------- by month

# Months probably less complete than this are drawn paler, with their estimated completeness.
MARK_BELOW = 0.95


def _fill_months(monthly: pd.DataFrame) -> pd.DataFrame:
    """Every month from the first to the last, months without cases as zeros."""
    months = pd.date_range(monthly["seizure_month"].min(), monthly["seizure_month"].max(), freq="MS")
    filled = monthly.set_index("seizure_month").reindex(months, fill_value=0)
    filled.index.name = "seizure_month"
    return filled.reset_index()


def _by_month(monthly: pd.DataFrame, completeness: pd.DataFrame, flt: filters.Filters, as_of: date) -> None:
    st.subheader("By seizure month")
    if monthly.empty:
        ui.empty("No cases in the selected period and formations.")
        return
    # Seizure dates after today are data-entry errors (a year typed 2206); they count in the
    # figures above but would stretch the time axis over centuries, so they are not drawn.
    today = today_pkt()
    future = monthly[monthly["seizure_month"] > pd.Timestamp(today.replace(day=1))]
    monthly = monthly.drop(future.index)
    if monthly.empty:
        ui.empty("All cases in the selection have seizure dates after today, so there is no timeline to draw.")
    else:
        filled = _fill_months(monthly)
        share = completeness.set_index("seizure_month")["expected_share"] if not completeness.empty else pd.Series(dtype=float)
        filled["expected_share"] = filled["seizure_month"].map(share).astype(float)
        _month_charts(filled)
        marked = filled[filled["expected_share"] < MARK_BELOW]
        if not marked.empty:
            basis = completeness["reference"].iloc[0]
            whose = "these formations'" if basis == "formations" else "all formations'"
            latest = marked.iloc[-1]
            st.caption(
                f"Paler, hatched bars: months still filling up. Cases are entered days to months after the seizure, "
                f"so on {format_date(as_of)} (where the data ends) only part of a recent month's cases is in the "
                f"store: \"{_entered_label(latest['expected_share'])}\" over the {latest['seizure_month']:%b %Y} bar means "
                f"about that share of its eventual cases is probably entered, estimated from how late {whose} "
                "cases seized one to four years earlier were entered."
            )
    last_day = min(flt.end, as_of, today)
    if not monthly.empty and (last_day + timedelta(days=1)).month == last_day.month:
        st.caption(f"The last month shown ends on {format_date(last_day)}, so its figures are partial.")
    if not future.empty:
        n_future = int(future["n_cases"].sum())
        st.caption(
            f"Not drawn: {plural(n_future, 'case')} dated after today "
            f"(up to {future['seizure_month'].max():%b %Y}), probably mistyped dates; "
            "they are counted in the figures above."
        )


def _entered_label(share: float) -> str:
    return "" if pd.isna(share) or share >= MARK_BELOW else f"≈{100 * share:.0f} % entered"


def _month_charts(monthly: pd.DataFrame) -> None:
    labels = [_entered_label(v) for v in monthly["expected_share"]]
    hover_notes = [f"<br>probably {label} so far" if label else "" for label in labels]
    marked = [bool(label) for label in labels]
    left, right = st.columns(2)
    with left:
        fig = go.Figure(
            go.Bar(
                x=monthly["seizure_month"],
                y=monthly["n_cases"],
                name="Cases",
                marker_color=ui.GOODS_COLOUR,
                marker_opacity=[0.4 if m else 1.0 for m in marked],
                marker_pattern_shape=["/" if m else "" for m in marked],
                # two short lines fit over a bar of a 12-month chart
                text=[label.replace(" % ", " %<br>") for label in labels],
                textposition="outside",
                textangle=0,
                constraintext="none",
                textfont=dict(size=10, color=ui.TOTAL_COLOUR),
                cliponaxis=False,
                customdata=hover_notes,
                hovertemplate="%{y:,} cases%{customdata}<extra></extra>",
            )
        )
        ui.base_layout(fig, title="Cases per month")
        fig.update_layout(showlegend=False)
        fig.update_xaxes(tickformat="%b %Y", hoverformat="%B %Y")
        fig.update_yaxes(title="Cases", tickformat=",d", rangemode="tozero")
        if any(marked):
            fig.update_yaxes(range=[0, 1.25 * float(monthly["n_cases"].max() or 1)])
        ui.plot(fig, key=f"{PAGE}_cases_month")
    with right:
        scale = money_scale(monthly[["total_value_pkr", "goods_value_pkr", "vehicle_value_pkr"]].to_numpy().ravel())
        fig = go.Figure()
        for column, name, colour, width in (
            ("total_value_pkr", "Total", ui.TOTAL_COLOUR, 3),
            ("goods_value_pkr", "Goods", ui.GOODS_COLOUR, 2),
            ("vehicle_value_pkr", "Vehicles", ui.VEHICLE_COLOUR, 2),
        ):
            fig.add_trace(
                go.Scatter(
                    x=monthly["seizure_month"],
                    y=monthly[column] / scale.divisor,
                    name=name,
                    mode="lines+markers" if len(monthly) <= 36 else "lines",
                    line=dict(color=colour, width=width),
                    marker=dict(size=4),
                    customdata=[f"{format_pkr(v, scale)}{note}" for v, note in zip(monthly[column], hover_notes, strict=True)],
                    hovertemplate="%{customdata}",
                )
            )
        if any(marked):
            first = monthly.loc[marked, "seizure_month"].min() - pd.Timedelta(days=15)
            last = monthly.loc[marked, "seizure_month"].max() + pd.Timedelta(days=15)
            fig.add_vrect(
                x0=first, x1=last, fillcolor=ui.GOODS_COLOUR, opacity=0.08, line_width=0,
                annotation_text="still being entered", annotation_position="top left",
                annotation_font=dict(size=10, color=ui.TOTAL_COLOUR),
            )
        ui.base_layout(fig, title="Seized value per month")
        fig.update_xaxes(tickformat="%b %Y", hoverformat="%B %Y")
        fig.update_yaxes(rangemode="tozero", **ui.money_axis(scale))
        ui.plot(fig, key=f"{PAGE}_value_month")


# --------------------------------------------------------------------------- by formation


def _league_table(league: pd.DataFrame, flt: filters.Filters) -> None:
    ui.chart_title("Formation league table")
    scale = ui.table_money_scale(league["total_value_pkr"])
    n_cases = league["n_cases"].where(league["n_cases"] > 0)
    display = pd.DataFrame(
        {
            "Formation": league["formation_code"],
            # "Peshawar (Enforcement)" / "Peshawar (I&I)": the name tells the two apart (data.formation_short_name)
            "Name": league["formation_short_name"] if "formation_short_name" in league else league["formation_name"],
            "Cases": league["n_cases"],
            "Value": league["total_value_pkr"] / scale.divisor,
            "Backlog": league["n_pending_adjudication"],
            "Backlog %": 100 * league["n_pending_adjudication"] / n_cases,
            "Median upload lag": league["median_upload_lag_days"],
            "Late uploads": league["n_late_uploads"],
            "Late %": 100 * league["n_late_uploads"] / n_cases,
            "Confiscation rate": 100 * league["confiscation_rate"],
        }
    )
    colours = {
        "Backlog %": False,
        "Median upload lag": False,
        "Late %": False,
        "Confiscation rate": True,
    }
    styled = ui.formatted(
        display.style.apply(
            lambda column: ui.colour_scale(column, higher_is_better=colours[column.name]),
            subset=list(colours),
        ),
        {
            "Cases": ui.FMT_COUNT,
            "Value": ui.fmt_money(scale),
            "Backlog": ui.FMT_COUNT,
            "Backlog %": ui.FMT_PERCENT,
            "Median upload lag": ui.FMT_DAYS,
            "Late uploads": ui.FMT_COUNT,
            "Late %": ui.FMT_PERCENT,
            "Confiscation rate": ui.FMT_PERCENT,
        },
    )
    selection = st.dataframe(
        styled,
        placeholder=ui.MISSING_CELL,
        hide_index=True,
        key=f"{PAGE}_league",
        on_select="rerun",
        selection_mode="single-row",
        height="content",
        column_config={
            "Formation": st.column_config.TextColumn("Formation", width="small"),
            "Name": st.column_config.TextColumn("Name", width=ui.fit_width(display["Name"], "Name"), help="The formation's city and kind: Enforcement (Collectorate of "
                                                "Customs Enforcement) or I&I (Directorate of Customs Intelligence & Investigation)"),
            "Cases": ui.count_column("Cases"),
            "Value": ui.money_column("Value", scale, help="Total seized value (goods + vehicles)"),
            "Backlog": ui.count_column("Backlog", help="Cases of these months still awaiting adjudication (SEIZED or SCN_ISSUED)"),
            "Backlog %": ui.percent_column("Backlog %", help="Backlog as a share of the cases"),
            "Median upload lag": ui.days_column(
                "Median lag (days)", help="Median upload lag: days from seizure to entry in the system"
            ),
            "Late uploads": ui.count_column("Late uploads", help=f"Cases entered more than {LATE_DAYS} days after the seizure"),
            "Late %": ui.percent_column("Late %", help="Late uploads as a share of the cases"),
            "Confiscation rate": ui.percent_column(
                "Confiscated %", help="Confiscation rate: confiscated / adjudicated cases"
            ),
        },
    )
    export = pd.DataFrame(
        {
            "formation_code": league["formation_code"],
            "formation_name": league["formation_name"],
            "cases": league["n_cases"],
            "total_value_pkr": league["total_value_pkr"],
            "backlog_cases": league["n_pending_adjudication"],
            "median_upload_lag_days": league["median_upload_lag_days"],
            "late_uploads": league["n_late_uploads"],
            "adjudicated": league["n_adjudicated"],
            "confiscated": league["n_confiscated"],
            "confiscation_rate": league["confiscation_rate"],
        }
    )
    ui.download_buttons(export, "formation league table", key=f"{PAGE}_league_download")
    notes = [
        "Select a row to open the formation's accountability page.",
        "Green: better than most formations in the table; red: worse.",
    ]
    if note := flt.months_note():
        notes.append(note)
    st.caption(" ".join(notes))
    rows = selection.selection.rows if selection is not None else []
    if rows:
        code = str(display.iloc[rows[0]]["Formation"])
        filters.set_bound("unit", code)
        st.switch_page(FORMATION_PAGE, query_params={"unit": code})


def _league(snapshot: data.Snapshot, start: date, end: date, formations: tuple[str, ...]) -> pd.DataFrame | None:
    if not data.capabilities(snapshot).has("mart_formation_accountability"):
        return None
    return data.formation_league(snapshot, start, end, formations)


def _by_formation(snapshot: data.Snapshot, flt: filters.Filters, league: pd.DataFrame | None) -> None:
    st.subheader("By formation")
    if league is None:
        st.caption("The formation league table needs the mart_formation_accountability mart, which this snapshot lacks.")
    elif not league.empty:
        _league_table(league, flt)

    by_formation = data.cases_by_formation(snapshot, flt.start, flt.end, flt.formations)
    if by_formation.empty:
        return
    df = by_formation.copy()
    scale = money_scale(df["total_value_pkr"])
    chart = df.sort_values(["total_value_pkr", "formation_code"])  # largest at the top of horizontal bars
    height = max(240, 22 * len(chart) + 100)
    fig = go.Figure()
    for column, name, colour in (
        ("goods_value_pkr", "Goods", ui.GOODS_COLOUR),
        ("vehicle_value_pkr", "Vehicles", ui.VEHICLE_COLOUR),
    ):
        fig.add_trace(
            go.Bar(
                y=chart["formation_code"],
                x=chart[column] / scale.divisor,
                name=name,
                orientation="h",
                marker_color=colour,
                customdata=list(
                    zip([format_pkr(v, scale) for v in chart[column]], [format_count(v) for v in chart["n_cases"]], strict=True)
                ),
                hovertemplate="%{customdata[0]}",
            )
        )
    # the case counts at the end of each bar (the league table above has the rest)
    fig.add_trace(
        go.Scatter(
            y=chart["formation_code"],
            x=chart["total_value_pkr"] / scale.divisor,
            mode="text",
            text=[f"  {format_count(v)} cases" for v in chart["n_cases"]],
            textposition="middle right",
            textfont=dict(size=11, color=ui.TOTAL_COLOUR),
            hoverinfo="skip",
            showlegend=False,
        )
    )
    ui.base_layout(fig, title="Seized value by formation", height=height)
    fig.update_layout(barmode="stack", hovermode="y unified", legend_traceorder="normal")
    fig.update_xaxes(**ui.money_axis(scale), range=[0, 1.15 * float(chart["total_value_pkr"].max() / scale.divisor or 1)])
    fig.update_yaxes(title=None, automargin=True, type="category")
    ui.plot(fig, key=f"{PAGE}_value_formation")


# --------------------------------------------------------------------------- commodities


def _commodities(snapshot: data.Snapshot, flt: filters.Filters) -> None:
    st.subheader("Top commodities")
    level = st.segmented_control(
        "HS level",
        options=list(HS_LEVEL_LABELS),
        format_func=HS_LEVEL_LABELS.get,
        default="hs2",
        required=True,
        key=f"{PAGE}_hs_level",
        label_visibility="collapsed",
    ) or "hs2"
    noun = "chapter" if level == "hs2" else "heading"
    result = data.top_commodities(snapshot, level, flt.start, flt.end, flt.formations, TOP_N)
    unclassified = result[result["hs_code"] == data.UNCLASSIFIED]
    top = result[result["hs_code"] != data.UNCLASSIFIED].copy()
    if result.empty:
        ui.empty("No seized items in the selected period and formations.")
        return
    if top.empty:
        ui.empty(f"None of the seized items in the selection has a recognised HS {noun}.")
    else:
        descriptions = top["description"].fillna("").astype(str).str.strip()
        has_description = bool((descriptions != "").any())
        top["label"] = [
            code if not desc else f"{code} · {desc[:38]}{'…' if len(desc) > 38 else ''}"
            for code, desc in zip(top["hs_code"], descriptions, strict=True)
        ]
        scale = money_scale(top["value_pkr"])
        left, right = st.columns(2)
        with left:
            chart = top.iloc[::-1]
            fig = go.Figure(
                go.Bar(
                    y=chart["label"],
                    x=chart["value_pkr"] / scale.divisor,
                    orientation="h",
                    marker_color=ui.GOODS_COLOUR,
                    customdata=list(
                        zip(
                            [format_pkr(v, scale) for v in chart["value_pkr"]],
                            [format_count(v) for v in chart["n_items"]],
                            strict=True,
                        )
                    ),
                    hovertemplate="HS %{y}<br>%{customdata[0]} · %{customdata[1]} items<extra></extra>",
                )
            )
            ui.base_layout(
                fig,
                title=f"Top {len(top)} HS {noun}s by seized goods value",
                height=max(280, 26 * len(chart) + 110),
            )
            fig.update_layout(showlegend=False, hovermode="closest")
            fig.update_xaxes(**ui.money_axis(scale))
            fig.update_yaxes(title=None, automargin=True, type="category")
            ui.plot(fig, key=f"{PAGE}_top_hs")
        with right:
            table = pd.DataFrame(
                {
                    f"HS {noun}": top["hs_code"],
                    # the chart's hover has the item counts; room goes to the description
                    **({"Description": top["description"]} if has_description else {"Items": top["n_items"]}),
                    "Value": top["value_pkr"] / scale.divisor,
                    "Share": 100 * top["share"].fillna(0.0),
                }
            )
            export = pd.DataFrame(
                {
                    f"hs_{noun}": top["hs_code"],
                    "description": top["description"],
                    "items": top["n_items"],
                    "cases": top["n_cases"],
                    "value_pkr": top["value_pkr"],
                    "share_of_goods_value": top["share"],
                }
            )
            ui.table(
                table,
                name=f"top HS {noun}s",
                key=f"{PAGE}_top_{level}",
                export=export,
                height="content",
                column_config={
                    f"HS {noun}": st.column_config.TextColumn(f"HS {noun}", width="small"),
                    "Description": st.column_config.TextColumn("Description", width=160),
                    "Items": ui.count_column("Items", help="Seized-item lines"),
                    "Value": ui.money_column("Value", scale),
                    "Share": ui.percent_column("Share", help="Share of all seized goods value in the selection"),
                },
            )
            if not has_description:
                st.caption("The published marts carry no HS descriptions, so codes are shown alone.")
    if not unclassified.empty:
        row = unclassified.iloc[0]
        st.caption(
            f"Not in the ranking: {plural(row['n_items'], 'item')} worth {format_pkr(row['value_pkr'])} "
            f"({format_share(row['share'], 1)} of goods value) whose HS code does not resolve to a {noun}."
        )

    status = data.hs_status_breakdown(snapshot, flt.start, flt.end, flt.formations)
    if not status.empty:
        status_scale = money_scale(status["value_pkr"])
        with st.expander("How well were the HS codes recorded?"):
            ui.table(
                pd.DataFrame(
                    {
                        "Status": status["hs_code_status"],
                        "Meaning": [HS_STATUS_MEANING.get(s, "") for s in status["hs_code_status"]],
                        "Items": status["n_items"],
                        "Value": status["value_pkr"] / status_scale.divisor,
                    }
                ),
                name="HS code quality",
                key=f"{PAGE}_hs_status",
                export=status,
                column_config={
                    "Items": ui.count_column("Items"),
                    "Value": ui.money_column("Value", status_scale),
                },
            )


# --------------------------------------------------------------------------- freshness


def _freshness(snapshot: data.Snapshot) -> None:
    st.subheader("Data freshness")
    left, middle, right = st.columns([5, 3, 2])
    with left:
        ui.publication_table(snapshot)
    with middle:
        ui.published_marts_table(snapshot, f"{PAGE}_marts", height="content")
    with right:
        dq = data.data_quality_summary(snapshot)
        if dq.empty:
            st.caption("No data-quality issues recorded in this snapshot.")
        else:
            totals = dq.groupby("severity")["n_rows"].sum().to_dict()
            for severity, label, help in (
                ("quarantined", "Rows quarantined", "Source rows kept out of the marts by a data-quality check."),
                ("flagged", "Rows flagged", "Source rows kept in the marts, with a data-quality warning."),
            ):
                st.metric(label, format_count(totals.pop(severity, 0)), help=help)
            for severity, n_rows in sorted(totals.items()):
                st.metric(f"Issues: {severity}", format_count(n_rows))
        st.page_link("views/data_quality.py", label="Data quality and freshness")
    st.caption("Times are Pakistan Standard Time, PKT (UTC+5).")


# --------------------------------------------------------------------------- page


def render(snapshot: data.Snapshot) -> None:
    ui.freshness_caption(snapshot)
    options = data.filter_options(snapshot)
    if options.min_date is None or options.max_date is None:
        ui.no_cases(options)
        _freshness(snapshot)
        return

    flt = filters.shared_filters(options, PAGE)
    st.caption(flt.scope())
    st.caption(filters.data_end_note(options))
    as_of = filters.data_end(options)
    compared = not flt.is_whole_period and filters.year_before_in_data(flt.start, options)
    cmp = data.comparison_kpis(snapshot, flt.start, flt.end, flt.formations) if compared else None
    kpis = cmp.current if cmp is not None else data.case_kpis(snapshot, flt.start, flt.end, flt.formations)

    if not kpis["n_cases"]:
        ui.empty("No cases match the selected period and formations. Widen the period or clear the formation filter.")
    else:
        leadership = data.leadership_kpis(snapshot, flt.start, flt.end, flt.formations)
        league = _league(snapshot, flt.start, flt.end, flt.formations)
        prev_lead: dict[str, float | int | None] = {}
        if cmp is not None:
            prev_lead = data.leadership_kpis(
                snapshot, cmp.previous_start, cmp.previous_end, flt.formations, cmp.previous_known_at
            )
        _kpi_tiles(kpis, leadership, _league_totals(league), cmp, prev_lead)
        _comparison_caption(flt, cmp)
        _by_month(
            data.cases_by_month(snapshot, flt.start, flt.end, flt.formations),
            data.month_completeness(snapshot, flt.start, flt.end, flt.formations, as_of),
            flt,
            as_of,
        )
        _by_formation(snapshot, flt, league)
        _commodities(snapshot, flt)
    st.divider()
    _freshness(snapshot)


ui.run_page(PAGE_TITLE, render)
