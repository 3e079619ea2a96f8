"""Formation accountability: one formation's months — backlog and its age, upload lag,
confiscation rate — and its officers' performance."""

from __future__ import annotations

from datetime import date

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
    today_pkt,
)

PAGE = "formation"
PAGE_TITLE = "Formation accountability"
PARAM = "unit"
LATE_DAYS = 7
AGE_BUCKETS = (  # (label, minimum age in months, colour)
    ("under 3 months", 0, "#9ecae1"),
    ("3–6 months", 3, "#4a90c2"),
    ("6–12 months", 6, "#e08a2c"),
    ("1–2 years", 12, "#c0562f"),
    ("over 2 years", 24, "#8c2d28"),
)


def _pick_formation(options: data.FilterOptions, flt_formations: tuple[str, ...], league: pd.DataFrame) -> str | None:
    codes = list(options.formations)
    if not codes:
        return None
    # Default: the one formation the shared filter names, else the busiest formation.
    default = flt_formations[0] if len(flt_formations) == 1 else (
        str(league.iloc[0]["formation_code"]) if not league.empty else codes[0]
    )
    key = f"{PAGE}_unit"
    value = filters.bound_value(
        key,
        PARAM,
        default=default,
        parse=lambda values: values[0] if values and values[0] in codes else None,
        dump=lambda v: [v] if v else [],
    )
    if value not in codes:  # a formation of an older snapshot
        filters.set_bound(PARAM, default)
        st.session_state[key] = default
    st.selectbox(
        "Formation",
        codes,
        format_func=lambda code: options.formation_labels.get(code, code),
        key=key,
        on_change=filters.bound_changed,
        args=(key, PARAM),
        help="The formation whose months are shown. Opened from the overview's league table, or "
        "chosen here; kept in the page address.",
    )
    chosen = st.session_state[key]
    filters.write_bound(PARAM, [chosen])
    return chosen


def _age_bucket(month: pd.Timestamp, as_of: date) -> str:
    months = (as_of.year - month.year) * 12 + (as_of.month - month.month)
    label = AGE_BUCKETS[0][0]
    for name, minimum, _ in AGE_BUCKETS:
        if months >= minimum:
            label = name
    return label


def _tiles(months: pd.DataFrame) -> None:
    n_cases = int(months["n_cases"].sum())
    pending = int(months["n_pending_adjudication"].sum())
    late = int(months["n_late_uploads"].sum())
    adjudicated = int(months["n_adjudicated"].sum())
    confiscated = int(months["n_confiscated"].sum())
    value = months["total_value_pkr"].sum()
    tiles = st.columns(5, border=True)
    tiles[0].metric("Cases", format_count(n_cases))
    tiles[1].metric("Value (PKR)", format_pkr_compact(value, prefix=False), help=format_pkr_exact(value))
    tiles[2].metric(
        "Backlog",
        format_count(pending),
        help="Cases of these months still awaiting adjudication (status SEIZED or SCN_ISSUED).",
    )
    tiles[3].metric(
        "Late uploads",
        format_count(late),
        help=f"Cases entered more than {LATE_DAYS} days after the seizure.",
    )
    tiles[4].metric(
        "Confiscation rate",
        format_rate(confiscated / adjudicated) if adjudicated else MISSING,
        help=f"{format_count(confiscated)} confiscated of {format_count(adjudicated)} adjudicated cases.",
    )


def _backlog(months: pd.DataFrame, as_of: date) -> None:
    ui.chart_title("Backlog by seizure month and age")
    pending = months[months["n_pending_adjudication"] > 0].copy()
    if pending.empty:
        ui.empty("No case of these months is awaiting adjudication.")
        return
    pending["age"] = [_age_bucket(m, as_of) for m in pending["seizure_month"]]
    fig = go.Figure()
    for name, _, colour in AGE_BUCKETS:
        part = pending[pending["age"] == name]
        if part.empty:
            continue
        fig.add_trace(
            go.Bar(
                x=part["seizure_month"],
                y=part["n_pending_adjudication"],
                name=f"{name} ({format_count(part['n_pending_adjudication'].sum())})",
                marker_color=colour,
                hovertemplate="%{y:,} cases awaiting adjudication<extra>" + name + "</extra>",
            )
        )
    ui.base_layout(fig, height=320)
    fig.update_layout(barmode="stack", hovermode="closest", legend_traceorder="normal")
    fig.update_xaxes(tickformat="%b %Y", hoverformat="%B %Y")
    stacked = pending.groupby("seizure_month")["n_pending_adjudication"].sum().max()
    fig.update_yaxes(**ui.count_axis(stacked, "Cases awaiting adjudication"))
    ui.plot(fig, key=f"{PAGE}_backlog")
    st.caption(f"Age counted from the seizure month to {as_of:%B %Y}.")


def _upload_lag(snapshot: data.Snapshot, code: str, flt: filters.Filters, months: pd.DataFrame) -> None:
    left, right = st.columns(2)
    with left:
        ui.chart_title("Upload lag: days from seizure to entry")
        dist = data.upload_lag_distribution(snapshot, flt.start, flt.end, (code,))
        shown = dist[(dist["n_cases"] > 0) | ~dist["bucket"].isin(["before seizure", "unknown"])]
        if int(dist["n_cases"].sum()) == 0:
            ui.empty("No cases in these months.")
        else:
            fig = go.Figure(
                go.Bar(
                    x=shown["bucket"],
                    y=shown["n_cases"],
                    marker_color=[ui.BAD_COLOUR if late else ui.GOODS_COLOUR for late in shown["is_late"]],
                    hovertemplate="%{x}: %{y:,} cases<extra></extra>",
                )
            )
            ui.base_layout(fig, height=300)
            fig.update_layout(showlegend=False, hovermode="closest")
            fig.update_xaxes(type="category", title=None)
            fig.update_yaxes(**ui.count_axis(shown["n_cases"].max(), "Cases"))
            ui.plot(fig, key=f"{PAGE}_lag_hist")
            st.caption(f"Red: late, more than {LATE_DAYS} days.")
    with right:
        drawn, unit = _bucketed(months)
        ui.chart_title(f"Late uploads per {unit}")
        if drawn.empty:
            ui.empty("No months to draw.")
        else:
            fig = go.Figure()
            fig.add_trace(
                go.Bar(
                    x=drawn["period"],
                    y=100 * drawn["n_late_uploads"] / drawn["n_cases"].where(drawn["n_cases"] > 0),
                    name="Late uploads (% of cases)",
                    marker_color=ui.BAD_COLOUR,
                    opacity=0.75,
                    customdata=list(zip(drawn["n_late_uploads"], drawn["n_cases"], strict=True)),
                    hovertemplate="%{y:.0f}% late (%{customdata[0]:,} of %{customdata[1]:,} cases)",
                )
            )
            if unit == "month":
                fig.add_trace(
                    go.Scatter(
                        x=drawn["period"],
                        y=drawn["median_upload_lag_days"],
                        name="Median lag (days)",
                        mode="lines+markers",
                        line=dict(color=ui.GOODS_COLOUR, width=2),
                        marker=dict(size=4),
                        yaxis="y2",
                        hovertemplate="median %{y:,.1f} days",
                    )
                )
                fig.update_layout(
                    yaxis2=dict(
                        title="Median lag (days)", overlaying="y", side="right", rangemode="tozero", showgrid=False,
                        tickformat=",.0f", nticks=5,
                    )
                )
            ui.base_layout(fig, height=300)
            fig.update_xaxes(tickformat="%b %Y" if unit == "month" else "Q%q %Y", hoverformat="%B %Y" if unit == "month" else "Q%q %Y")
            fig.update_layout(yaxis=dict(title="Late uploads (% of cases)", range=[0, 100], ticksuffix="%"))
            ui.plot(fig, key=f"{PAGE}_lag_trend")
            if unit == "quarter":
                st.caption("By quarter: the period is long. Choose a shorter period to see months and the median lag.")


MAX_MONTHS_DRAWN = 24


def _bucketed(months: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """The months up to today, or (when there are many) their quarters: counts added up, so
    ratios such as the confiscation rate stay confiscated / adjudicated of the quarter."""
    drawn = months[months["seizure_month"] <= pd.Timestamp(today_pkt())].copy()
    if len(drawn) <= MAX_MONTHS_DRAWN:
        return drawn.assign(period=drawn["seizure_month"]), "month"
    drawn["period"] = drawn["seizure_month"].dt.to_period("Q").dt.start_time
    quarters = drawn.groupby("period", as_index=False)[
        ["n_cases", "n_late_uploads", "n_adjudicated", "n_confiscated", "n_pending_adjudication"]
    ].sum()
    quarters["confiscation_rate"] = quarters["n_confiscated"] / quarters["n_adjudicated"].where(quarters["n_adjudicated"] > 0)
    return quarters, "quarter"


def _confiscation(months: pd.DataFrame) -> None:
    drawn, unit = _bucketed(months)
    ui.chart_title(f"Confiscation rate per {unit}")
    drawn = drawn[drawn["n_adjudicated"] > 0]
    if drawn.empty:
        ui.empty("No case of these months has been adjudicated yet.")
        return
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            x=drawn["period"],
            y=drawn["n_adjudicated"],
            name="Adjudicated cases",
            marker_color=ui.MUTED_COLOUR,
            opacity=0.6,
            hovertemplate="%{y:,} adjudicated",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=drawn["period"],
            y=100 * drawn["confiscation_rate"],
            name="Confiscation rate",
            mode="lines+markers",
            line=dict(color=ui.GOOD_COLOUR, width=2),
            marker=dict(size=5),
            yaxis="y2",
            hovertemplate="%{y:.1f}% confiscated",
        )
    )
    ui.base_layout(fig, height=300)
    fig.update_xaxes(
        tickformat="%b %Y" if unit == "month" else "Q%q %Y", hoverformat="%B %Y" if unit == "month" else "Q%q %Y"
    )
    fig.update_layout(
        yaxis=ui.count_axis(drawn["n_adjudicated"].max(), "Adjudicated cases"),
        yaxis2=dict(
            title="Confiscation rate", overlaying="y", side="right", range=[0, 105], tickvals=[0, 25, 50, 75, 100],
            ticksuffix="%", showgrid=False,
        ),
    )
    ui.plot(fig, key=f"{PAGE}_confiscation")
    st.caption(f"By the {unit} of seizure: recent {unit}s have fewer cases adjudicated yet.")


def _months_table(months: pd.DataFrame) -> None:
    with st.expander("Figures by month"):
        scale = money_scale(months["total_value_pkr"])
        display = pd.DataFrame(
            {
                "Month": months["seizure_month"].dt.date,
                "Cases": months["n_cases"],
                "Value": months["total_value_pkr"] / scale.divisor,
                "Backlog": months["n_pending_adjudication"],
                "Median upload lag": months["median_upload_lag_days"],
                "Late uploads": months["n_late_uploads"],
                "Adjudicated": months["n_adjudicated"],
                "Confiscated": months["n_confiscated"],
                "Confiscation rate": 100 * months["confiscation_rate"],
            }
        ).iloc[::-1]
        export = months.assign(seizure_month=months["seizure_month"].dt.date).iloc[::-1]
        ui.table(
            display,
            name="formation months",
            key=f"{PAGE}_months",
            export=export,
            column_config={
                "Month": st.column_config.DateColumn("Month", format="MMM YYYY"),
                "Cases": ui.count_column("Cases"),
                "Value": ui.money_column("Value", scale),
                "Backlog": ui.count_column("Backlog"),
                "Median upload lag": ui.days_column("Median upload lag (days)"),
                "Late uploads": ui.count_column("Late uploads"),
                "Adjudicated": ui.count_column("Adjudicated"),
                "Confiscated": ui.count_column("Confiscated"),
                "Confiscation rate": ui.percent_column("Confiscation rate"),
            },
        )


def _officers(snapshot: data.Snapshot, code: str, flt: filters.Filters) -> None:
    st.subheader("Officers")
    if not ui.require(snapshot, "mart_officer_performance", what="The officers' table"):
        return
    officers = data.officer_table(snapshot, flt.start, flt.end, (code,))
    if officers.empty:
        ui.empty("No officer is credited with a case of this formation in these months.")
        return
    scale = money_scale(officers["credited_value_pkr"])
    display = pd.DataFrame(
        {
            "Officer": officers["full_name"].fillna("(unknown officer)"),
            "Designation": officers["designation"].fillna(""),
            "Service no.": officers["service_no"].fillna(""),
            "Cases": officers["n_cases"],
            "Credited value": officers["credited_value_pkr"] / scale.divisor,
            "Adjudicated": officers["n_adjudicated"],
            "Confiscated": officers["n_confiscated"],
            "Confiscation rate": 100 * officers["confiscation_rate"],
        }
    )
    ui.table(
        display,
        name=f"officers {code}",
        key=f"{PAGE}_officers",
        export=officers,
        column_config={
            "Officer": st.column_config.TextColumn("Officer", width=200),
            "Cases": ui.count_column("Cases", help="Cases the officer is credited with in these months"),
            "Credited value": ui.money_column(
                "Credited value", scale, help="Each case's value split equally among its officers"
            ),
            "Adjudicated": ui.count_column("Adjudicated"),
            "Confiscated": ui.count_column("Confiscated"),
            "Confiscation rate": ui.percent_column("Confiscation rate"),
        },
    )
    st.caption(
        "Officer-months credited to this formation (the formation of the officer's posting on the "
        "seizure date). Click a column heading to sort; the Officer performance page has each "
        "officer's cases."
    )


def render(snapshot: data.Snapshot) -> None:
    options = ui.page_start(snapshot, "mart_formation_accountability")
    if options is None:
        return
    left, middle, right = st.columns([2, 1, 3])
    with left:
        filters.period_input(options, PAGE)
    with middle:
        filters.preset_input(options, PAGE)
    flt = filters.current_filters(options)
    league = data.formation_league(snapshot, options.min_date, options.max_date, ())
    with right:
        code = _pick_formation(options, flt.formations, league)
    if code is None:
        ui.empty("The published marts name no formation.")
        return
    name = options.formation_labels.get(code, code)
    st.caption(f"{name} · seizures from {flt.start:%d %b %Y} to {flt.end:%d %b %Y} (whole months)")

    months = data.formation_months(snapshot, code, flt.start, flt.end)
    if months.empty:
        ui.empty(f"{code} has no cases in the selected period. Widen the period.")
        return
    _tiles(months)
    if note := flt.months_note():
        st.caption(note)
    info = data.publish_info(snapshot)
    as_of = info.published_at.date() if info.published_at else today_pkt()
    left, right = st.columns(2)
    with left:
        _backlog(months, as_of)
    with right:
        _confiscation(months)
    _upload_lag(snapshot, code, flt, months)
    _months_table(months)
    _officers(snapshot, code, flt)


ui.run_page(PAGE_TITLE, render)
