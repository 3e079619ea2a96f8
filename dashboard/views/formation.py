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
    format_change_pct,
    format_count,
    format_date,
    format_days,
    format_pkr_compact,
    format_pkr_exact,
    format_rate,
    format_share,
    is_missing,
    money_scale,
    month_end,
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


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _standing_text(standing: pd.Series | None, measure: str, fmt, order: str) -> str | None:
    """ "5th of 18 (most first) · national median 1,234", from :func:`data.formation_standing`."""
    if standing is None:
        return None
    rank, n, median = standing.get(f"{measure}_rank"), standing.get(f"{measure}_n"), standing.get(f"{measure}_median")
    median_text = "national median " + fmt(median).replace(" ", "\u00a0")  # "903 M" stays on one line
    if is_missing(rank) or is_missing(n):
        return None if is_missing(median) else f"not ranked · {median_text}"
    joint = "joint " if bool(standing.get(f"{measure}_tied")) else ""
    return f"{joint}{_ordinal(int(rank))} of {int(n)} ({order}) · {median_text}"


def _rate(value: object) -> str:
    return format_rate(value)


def _days(value: object) -> str:
    return format_days(value)


def _compared(
    snapshot: data.Snapshot, code: str, flt: filters.Filters, options: data.FilterOptions
) -> tuple[data.Comparison, dict, dict] | None:
    """The formation's whole months against the same months a year before, like for like
    (:func:`data.comparison_kpis`: the year before's cases as the store held them at the same
    lag); None for the whole period, or when the year before starts before the data."""
    first, last = flt.month_range
    start, end = first, month_end(last)
    if flt.is_whole_period or not filters.year_before_in_data(start, options):
        return None
    cmp = data.comparison_kpis(snapshot, start, end, (code,))
    lag_now = data.upload_lag_kpis(snapshot, cmp.start, cmp.end, (code,))
    lag_before = data.upload_lag_kpis(snapshot, cmp.previous_start, cmp.previous_end, (code,), cmp.previous_known_at)
    return cmp, lag_now, lag_before


def _how_compared(cmp: data.Comparison) -> str:
    previous = f"{format_date(cmp.previous_start)} to {format_date(cmp.previous_end)}"
    if not cmp.like_for_like:
        return f" Change: against {previous}, counted whole (this snapshot does not say when its data ends)."
    return (
        f" Change: against {previous} as it stood on {format_date(cmp.previous_as_of)} (only the cases entered by "
        f"then), as this period's data ends on {format_date(cmp.as_of)}: both at the same stage of entry."
    )


def _points(current: object, previous: object) -> str | None:
    if is_missing(current) or is_missing(previous):
        return None
    return f"{100 * (float(current) - float(previous)):+.1f} pts"


def _tile(column, label: str, value: str, *, delta: str | None, help: str, lines: list[str | None], inverse: bool = False) -> None:
    with column:
        st.metric(label, value, delta=delta, delta_color="inverse" if inverse else "normal", help=help)
        text = [line for line in lines if line]
        if text:
            st.caption("  \n".join(text))


def _tiles(
    months: pd.DataFrame,
    standing: pd.Series | None,
    compared: tuple[data.Comparison, dict, dict] | None,
    lag: dict,
) -> None:
    """Six measures, each with its rank among all formations and the national median
    (:func:`data.formation_standing`) and, for a chosen period, its change on the year
    before like for like (:func:`data.comparison_kpis`)."""
    n_cases = int(months["n_cases"].sum())
    pending = int(months["n_pending_adjudication"].sum())
    late = int(months["n_late_uploads"].sum())
    adjudicated = int(months["n_adjudicated"].sum())
    confiscated = int(months["n_confiscated"].sum())
    value = months["total_value_pkr"].sum()
    cmp, lag_now, lag_before = compared if compared else (None, {}, {})
    how = _how_compared(cmp) if cmp else ""
    ranked = " Rank among all formations over the same months; national median: the middle formation's figure."

    row = st.columns(3, border=True)
    _tile(
        row[0], "Cases", format_count(n_cases),
        delta=_change(cmp.change_pct("n_cases")) if cmp else None,
        help="Live cases seized in these months." + ranked + how,
        lines=[_standing_text(standing, "n_cases", format_count, "most first")],
    )
    _tile(
        row[1], "Value (PKR)", format_pkr_compact(value, prefix=False),
        delta=_change(cmp.change_pct("total_value_pkr")) if cmp else None,
        help=f"Goods plus vehicles: {format_pkr_exact(value)}." + ranked + how,
        lines=[_standing_text(standing, "total_value_pkr", lambda v: format_pkr_compact(v, prefix=False), "most first")],
    )
    rate_help = f"{format_count(confiscated)} confiscated of {format_count(adjudicated)} adjudicated cases." + ranked
    if cmp:
        rate_help += (
            f" Change: the rate over the cases adjudicated by {format_date(cmp.as_of)} against the year before's "
            f"over its cases adjudicated by {format_date(cmp.previous_as_of)}" + how[len(" Change:"):]
        )
    _tile(
        row[2], "Confiscation rate", format_rate(confiscated / adjudicated) if adjudicated else MISSING,
        delta=_points(cmp.current.get("confiscation_rate"), cmp.previous.get("confiscation_rate")) if cmp else None,
        help=rate_help,
        lines=[_standing_text(standing, "confiscation_rate", _rate, "highest first")],
    )

    row = st.columns(3, border=True)
    backlog_help = (
        "Cases of these months still awaiting adjudication (status SEIZED or SCN_ISSUED). Ranked by the "
        "backlog's share of the cases (as the league table's Backlog %)." + ranked
    )
    backlog_delta = None
    if cmp:
        days = cmp.pending_days
        backlog_delta = _points(cmp.current.get("pending_share"), cmp.previous.get("pending_share"))
        if backlog_delta:
            backlog_delta += f" at {days} days"
            backlog_help += (
                f" The count is not compared with a year before (older cases have had longer to be adjudicated): the "
                f"change is in the share of cases still pending {days} days after seizure, "
                f"{format_share(cmp.current.get('pending_share'), 1)} now against "
                f"{format_share(cmp.previous.get('pending_share'), 1)} a year before." + how
            )
    _tile(
        row[0], "Backlog", format_count(pending), delta=backlog_delta, inverse=True, help=backlog_help,
        lines=[
            f"{format_share(pending, n_cases)} of the cases",
            _standing_text(standing, "backlog_share", _rate, "smallest share first"),
        ],
    )
    late_delta = _points(lag_now.get("late_share"), lag_before.get("late_share")) if cmp else None
    _tile(
        row[1], "Late uploads", format_count(late), delta=late_delta, inverse=True,
        help=f"Cases entered more than {LATE_DAYS} days after the seizure. Ranked by their share of the cases "
        "(as the league table's Late %)." + ranked + (
            f" Change: in that share, {format_share(lag_now.get('late_share'), 1)} now against "
            f"{format_share(lag_before.get('late_share'), 1)} a year before." + how if late_delta else ""
        ),
        lines=[
            f"{format_share(late, n_cases)} of the cases",
            _standing_text(standing, "late_share", _rate, "smallest share first"),
        ],
    )
    median_now, median_before = lag.get("median_upload_lag_days"), lag_before.get("median_upload_lag_days")
    lag_delta = None
    if cmp and not is_missing(median_now) and not is_missing(median_before):
        difference = float(median_now) - float(median_before)
        lag_delta = f"{difference:+,.1f} days" if difference else "0 days"
    _tile(
        row[2], "Median upload lag", format_days(median_now), delta=lag_delta, inverse=True,
        help="Median days from seizure to entry in the system, over these months' cases." + ranked + how,
        lines=[_standing_text(standing, "median_upload_lag_days", _days, "shortest first")],
    )


def _change(value: float | None) -> str | None:
    return None if value is None else format_change_pct(value)


def _yardsticks_note(snapshot: data.Snapshot, standing: pd.Series | None, compared: object, flt: filters.Filters) -> None:
    notes = []
    if snapshot.scope.formations is not None:
        notes.append(
            "Ranks and national medians are not shown for your role: they are figures over every formation."
        )
    elif standing is None:
        notes.append("No rank or national median: the formation has no cases in these months.")
    if compared is None:
        notes.append(
            "Choose a period (for example a quick period) within the data's years to see each figure's change on "
            "the same months a year before."
        )
    else:
        cmp = compared[0]
        notes.append(
            f"Changes compare with {format_date(cmp.previous_start)} – {format_date(cmp.previous_end)}"
            + (
                f" as it stood on {format_date(cmp.previous_as_of)} (its cases entered by then, as this period's "
                f"data ends on {format_date(cmp.as_of)}); backlog: the share still pending {cmp.pending_days} days "
                "after seizure; late uploads: their share of the cases."
                if cmp.like_for_like
                else " (counted whole: this snapshot does not say when its data ends)."
            )
        )
    st.caption(" ".join(notes))


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
                largest_lag = float(drawn["median_upload_lag_days"].max() or 0)
                fig.update_layout(
                    yaxis2=dict(
                        title="Median lag (days)", overlaying="y", side="right", rangemode="tozero", showgrid=False,
                        tickformat=",.0f",
                        # whole days: a step of 1 when the lags are short (",.0f" wrote 0.5 as "0" or "1")
                        **(dict(dtick=1) if largest_lag <= 8 else dict(nticks=5)),
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
        scale = ui.table_money_scale(months["total_value_pkr"])
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
    scale = ui.table_money_scale(officers["credited_value_pkr"])
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
            "Officer": st.column_config.TextColumn("Officer", width=ui.fit_width(display["Officer"], "Officer")),
            "Designation": st.column_config.TextColumn(
                "Designation", width=ui.fit_width(display["Designation"], "Designation")
            ),
            "Cases": ui.count_column("Cases", help="Cases the officer is credited with in these months"),
            "Credited value": ui.money_column(
                "Credited", scale, help="Credited value: each case's value split equally among its officers"
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
    full_name = options.formation_full_names.get(code)
    name = f"{code} · {full_name}" if full_name else options.formation_labels.get(code, code)
    st.caption(f"{name} · seizures from {flt.start:%d %b %Y} to {flt.end:%d %b %Y} (whole months)")

    months = data.formation_months(snapshot, code, flt.start, flt.end)
    if months.empty:
        ui.empty(f"{code} has no cases in the selected period. Widen the period.")
        return
    first, last = flt.month_range
    standing_all = data.formation_standing(snapshot, first, month_end(last))
    mine = standing_all[standing_all["formation_code"] == code]
    standing = None if mine.empty else mine.iloc[0]
    compared = _compared(snapshot, code, flt, options)
    lag = data.upload_lag_kpis(snapshot, first, month_end(last), (code,))
    _tiles(months, standing, compared, lag)
    _yardsticks_note(snapshot, standing, compared, flt)
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
