"""Overview: headline figures of the published marts, by month, formation and commodity."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import data, ui
from dashboard.formatting import (
    MoneyScale,
    format_count,
    format_date,
    format_pkr,
    format_pkr_compact,
    format_pkr_exact,
    format_pkt,
    format_share,
    money_scale,
    plural,
    today_pkt,
)

PAGE_TITLE = "Overview"
TOP_N = 15
HS_LEVEL_LABELS = {"hs2": "HS chapters (2-digit)", "hs4": "HS headings (4-digit)"}
HS_STATUS_MEANING = {
    "VALID": "6-digit code found in the nomenclature",
    "HEADING_ONLY": "only a 4-digit heading typed; heading found",
    "UNKNOWN_CODE": "digits typed, but the code is not in the nomenclature",
    "UNPARSEABLE": "fewer than 4 digits typed",
}
CHART_MARGIN = dict(l=8, r=8, t=32, b=8)
# A short Plotly toolbar: download, zoom, pan, reset.
CHART_CONFIG = {
    "displaylogo": False,
    "modeBarButtonsToRemove": ["zoomIn2d", "zoomOut2d", "autoScale2d", "lasso2d", "select2d"],
}
GOODS_COLOUR = "#1f5f8b"
VEHICLE_COLOUR = "#e08a2c"
TOTAL_COLOUR = "#5b6770"


def _money_column(label: str, scale: MoneyScale, help: str | None = None) -> st.column_config.NumberColumn:
    fmt = "%,.2f" if scale.suffix else "%,.0f"
    return st.column_config.NumberColumn(f"{label} ({scale.short_label})", format=fmt, help=help)


def _count_column(label: str, help: str | None = None) -> st.column_config.NumberColumn:
    return st.column_config.NumberColumn(label, format="%,d", help=help)


def _base_layout(fig: go.Figure, *, title: str, height: int = 340) -> go.Figure:
    """Shared chart layout. The title is written above the chart by Streamlit and the legend
    sits top left, so Plotly's toolbar (top right, on hover) never covers either."""
    st.markdown(f"**{title}**")
    fig.update_layout(
        height=height,
        margin=CHART_MARGIN,
        legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="left", x=0.0, title=None),
        hovermode="x unified",
    )
    return fig


# --------------------------------------------------------------------------- filters


def _filters(options: data.FilterOptions) -> tuple[date, date, tuple[str, ...]]:
    assert options.min_date is not None and options.max_date is not None
    col_period, col_formations = st.columns([2, 3])
    with col_period:
        picked = st.date_input(
            "Seizure period",
            value=(options.min_date, options.max_date),
            min_value=options.min_date,
            max_value=options.max_date,
            format="DD/MM/YYYY",
            key="overview_period",
            help="Cases and items whose seizure date (Pakistan local date) falls in this range.",
        )
    with col_formations:
        chosen = st.multiselect(
            "Formations",
            options=list(options.formations),
            format_func=lambda code: options.formation_labels.get(code, code),
            placeholder="All formations",
            key="overview_formations",
            help="Leave empty for all formations.",
        )
    picked = tuple(picked) if isinstance(picked, (tuple, list)) else (picked,)
    start = picked[0] if len(picked) >= 1 and picked[0] else options.min_date
    end = picked[1] if len(picked) >= 2 and picked[1] else options.max_date  # range half-picked
    # A range kept from an older snapshot may reach outside this one's dates: clamp it (a
    # range wholly outside ends up empty, start > end, and the page says nothing matches).
    start, end = max(start, options.min_date), min(end, options.max_date)
    formations = tuple(sorted(code for code in chosen if code in options.formations))
    return start, end, formations


# --------------------------------------------------------------------------- sections


def _kpi_tiles(kpis: dict[str, float | int]) -> None:
    total = kpis["total_value_pkr"]
    tiles = st.columns(5, border=True)
    with tiles[0]:
        st.metric("Live cases", format_count(kpis["n_cases"]), help="Seizure cases not deleted in the source.")
        st.caption(f"in {plural(kpis['n_formations'], 'formation')}")
    with tiles[1]:
        st.metric("Total (PKR)", format_pkr_compact(total, prefix=False), help=f"Goods plus vehicles: {format_pkr_exact(total)}")
        st.caption("goods + vehicles")
    with tiles[2]:
        goods = kpis["goods_value_pkr"]
        st.metric("Goods (PKR)", format_pkr_compact(goods, prefix=False), help=format_pkr_exact(goods))
        st.caption(f"{format_share(goods, total)} of total value")
    with tiles[3]:
        vehicles = kpis["vehicle_value_pkr"]
        st.metric("Vehicles (PKR)", format_pkr_compact(vehicles, prefix=False), help=format_pkr_exact(vehicles))
        st.caption(f"{format_share(vehicles, total)} of total value")
    with tiles[4]:
        st.metric("Items seized", format_count(kpis["n_items"]), help="Live seized-item lines of these cases.")
        st.caption(f"and {plural(kpis['n_vehicles'], 'vehicle')}")


def _fill_months(monthly: pd.DataFrame) -> pd.DataFrame:
    """Every month from the first to the last, months without cases as zeros."""
    months = pd.date_range(monthly["seizure_month"].min(), monthly["seizure_month"].max(), freq="MS")
    filled = monthly.set_index("seizure_month").reindex(months, fill_value=0)
    filled.index.name = "seizure_month"
    return filled.reset_index()


def _by_month(monthly: pd.DataFrame, end: date) -> None:
    st.subheader("By seizure month")
    if monthly.empty:
        st.info("No cases in the selected period and formations.")
        return
    # Seizure dates after today are data-entry errors (a year typed 2206); they count in the
    # figures above but would stretch the time axis over centuries, so they are not drawn.
    today = today_pkt()
    future = monthly[monthly["seizure_month"] > pd.Timestamp(today.replace(day=1))]
    monthly = monthly.drop(future.index)
    if monthly.empty:
        st.info("All cases in the selection have seizure dates after today, so there is no timeline to draw.")
    else:
        _month_charts(_fill_months(monthly))
    last_day = min(end, today)
    if not monthly.empty and (last_day + timedelta(days=1)).month == last_day.month:
        st.caption(f"The last month shown ends on {format_date(last_day)}, so its figures are partial.")
    if not future.empty:
        n_future = int(future["n_cases"].sum())
        st.caption(
            f"Not drawn: {plural(n_future, 'case')} dated after today "
            f"(up to {future['seizure_month'].max():%b %Y}), probably mistyped dates; "
            "they are counted in the figures above."
        )


def _month_charts(monthly: pd.DataFrame) -> None:
    left, right = st.columns(2)
    with left:
        fig = go.Figure(
            go.Bar(
                x=monthly["seizure_month"],
                y=monthly["n_cases"],
                name="Cases",
                marker_color=GOODS_COLOUR,
                hovertemplate="%{y:,} cases<extra></extra>",
            )
        )
        _base_layout(fig, title="Cases per month")
        fig.update_layout(showlegend=False)
        fig.update_xaxes(tickformat="%b %Y", hoverformat="%B %Y")
        fig.update_yaxes(title="Cases", tickformat=",d", rangemode="tozero")
        st.plotly_chart(fig, config=CHART_CONFIG)
    with right:
        scale = money_scale(monthly[["total_value_pkr", "goods_value_pkr", "vehicle_value_pkr"]].to_numpy().ravel())
        fig = go.Figure()
        for column, name, colour, width in (
            ("total_value_pkr", "Total", TOTAL_COLOUR, 3),
            ("goods_value_pkr", "Goods", GOODS_COLOUR, 2),
            ("vehicle_value_pkr", "Vehicles", VEHICLE_COLOUR, 2),
        ):
            fig.add_trace(
                go.Scatter(
                    x=monthly["seizure_month"],
                    y=monthly[column] / scale.divisor,
                    name=name,
                    mode="lines+markers" if len(monthly) <= 36 else "lines",
                    line=dict(color=colour, width=width),
                    marker=dict(size=4),
                    customdata=[format_pkr(v, scale) for v in monthly[column]],
                    hovertemplate="%{customdata}",
                )
            )
        _base_layout(fig, title="Seized value per month")
        fig.update_xaxes(tickformat="%b %Y", hoverformat="%B %Y")
        fig.update_yaxes(title=scale.label, tickformat=",.0f" if not scale.suffix else ",.1f", rangemode="tozero")
        st.plotly_chart(fig, config=CHART_CONFIG)


def _by_formation(by_formation: pd.DataFrame, labels: dict[str, str]) -> None:
    st.subheader("By formation")
    if by_formation.empty:
        st.info("No cases in the selected period and formations.")
        return
    df = by_formation.copy()
    # Charts name formations by code (names are long); the hover and the table give the name.
    df["name"] = [labels.get(code, code).removeprefix(f"{code} · ") for code in df["formation_code"]]
    df["name"] = [name if name != code else "" for name, code in zip(df["name"], df["formation_code"], strict=True)]
    scale = money_scale(df["total_value_pkr"])
    chart = df.sort_values(["total_value_pkr", "formation_code"])  # largest at the top of horizontal bars
    height = max(260, 26 * len(chart) + 110)
    left, right = st.columns(2)
    with left:
        fig = go.Figure()
        for column, name, colour in (
            ("goods_value_pkr", "Goods", GOODS_COLOUR),
            ("vehicle_value_pkr", "Vehicles", VEHICLE_COLOUR),
        ):
            fig.add_trace(
                go.Bar(
                    y=chart["formation_code"],
                    x=chart[column] / scale.divisor,
                    name=name,
                    orientation="h",
                    marker_color=colour,
                    customdata=[format_pkr(v, scale) for v in chart[column]],
                    hovertemplate="%{customdata}",
                )
            )
        _base_layout(fig, title="Seized value by formation", height=height)
        fig.update_layout(barmode="stack", hovermode="y unified", legend_traceorder="normal")
        fig.update_xaxes(title=scale.label, tickformat=",.0f" if not scale.suffix else ",.1f")
        fig.update_yaxes(title=None, automargin=True, type="category")
        st.plotly_chart(fig, config=CHART_CONFIG)
    with right:
        fig = go.Figure(
            go.Bar(
                y=chart["formation_code"],
                x=chart["n_cases"],
                orientation="h",
                marker_color=TOTAL_COLOUR,
                customdata=chart["name"],
                hovertemplate="%{y} %{customdata}<br>%{x:,} cases<extra></extra>",
            )
        )
        _base_layout(fig, title="Cases by formation", height=height)
        fig.update_layout(showlegend=False, hovermode="closest")
        fig.update_xaxes(title="Cases", tickformat=",d")
        fig.update_yaxes(title=None, automargin=True, type="category")
        st.plotly_chart(fig, config=CHART_CONFIG)

    total = df["total_value_pkr"].sum()
    table = pd.DataFrame(
        {
            "Formation": df["formation_code"],
            **({"Name": df["name"]} if (df["name"] != "").any() else {}),
            "Cases": df["n_cases"],
            "Goods": df["goods_value_pkr"] / scale.divisor,
            "Vehicles": df["vehicle_value_pkr"] / scale.divisor,
            "Total": df["total_value_pkr"] / scale.divisor,
            "Share": 100 * df["total_value_pkr"] / total if total else 0.0,
            "Items": df["n_items"],
        }
    )
    with st.expander("Figures by formation"):
        st.dataframe(
            table,
            hide_index=True,
            height="content",
            column_config={
                "Name": st.column_config.TextColumn("Name", width=260),
                "Cases": _count_column("Cases"),
                "Goods": _money_column("Goods", scale),
                "Vehicles": _money_column("Vehicles", scale),
                "Total": _money_column("Total", scale),
                "Share": st.column_config.NumberColumn(
                    "Share", format="%.1f %%", help="Share of the total seized value in the selection"
                ),
                "Items": _count_column("Items", help="Seized-item lines"),
            },
        )


def _commodities(snapshot: str, start: date, end: date, formations: tuple[str, ...]) -> None:
    st.subheader("Top commodities")
    level = st.segmented_control(
        "HS level",
        options=list(HS_LEVEL_LABELS),
        format_func=HS_LEVEL_LABELS.get,
        default="hs2",
        required=True,
        key="overview_hs_level",
        label_visibility="collapsed",
    ) or "hs2"
    noun = "chapter" if level == "hs2" else "heading"
    result = data.top_commodities(snapshot, level, start, end, formations, TOP_N)
    unclassified = result[result["hs_code"] == data.UNCLASSIFIED]
    top = result[result["hs_code"] != data.UNCLASSIFIED].copy()
    if result.empty:
        st.info("No seized items in the selected period and formations.")
        return
    if top.empty:
        st.info(f"None of the seized items in the selection has a recognised HS {noun}.")
    else:
        descriptions = top["description"].astype(str).str.strip()
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
                    marker_color=GOODS_COLOUR,
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
            _base_layout(
                fig,
                title=f"Top {len(top)} HS {noun}s by seized goods value",
                height=max(280, 26 * len(chart) + 110),
            )
            fig.update_layout(showlegend=False, hovermode="closest")
            fig.update_xaxes(title=scale.label, tickformat=",.0f" if not scale.suffix else ",.1f")
            fig.update_yaxes(title=None, automargin=True, type="category")
            st.plotly_chart(fig, config=CHART_CONFIG)
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
            st.dataframe(
                table,
                hide_index=True,
                height="content",
                column_config={
                    f"HS {noun}": st.column_config.TextColumn(f"HS {noun}", width="small"),
                    "Description": st.column_config.TextColumn("Description", width=140),
                    "Items": _count_column("Items", help="Seized-item lines"),
                    "Value": _money_column("Value", scale),
                    "Share": st.column_config.NumberColumn(
                        "Share", format="%.1f %%", help="Share of all seized goods value in the selection"
                    ),
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

    status = data.hs_status_breakdown(snapshot, start, end, formations)
    if not status.empty:
        status_scale = money_scale(status["value_pkr"])
        with st.expander("How well were the HS codes recorded?"):
            st.dataframe(
                pd.DataFrame(
                    {
                        "Status": status["hs_code_status"],
                        "Meaning": [HS_STATUS_MEANING.get(s, "") for s in status["hs_code_status"]],
                        "Items": status["n_items"],
                        "Value": status["value_pkr"] / status_scale.divisor,
                    }
                ),
                hide_index=True,
                column_config={
                    "Items": _count_column("Items"),
                    "Value": _money_column("Value", status_scale),
                },
            )


def _markdown_cell(value: object) -> str:
    text = str(value) if value not in (None, "") else "–"
    return text.replace("|", "\\|").replace("\n", " ")


def _freshness(snapshot: str) -> None:
    st.subheader("Data freshness")
    info = data.publish_info(snapshot)
    details = info.details
    left, middle, right = st.columns([5, 3, 2])
    with left:
        rows = [
            ("Marts published", format_pkt(info.published_at)),
            ("Source data changed up to", format_pkt(details.get("source_watermark"))),  # type: ignore[arg-type]
            ("Refresh mode", details.get("refresh_mode")),
            ("Run id", f"`{details['run_id']}`" if details.get("run_id") else None),
            ("Source", f"`{details['source_url']}`" if details.get("source_url") else None),
            ("Snapshot", f"`{info.snapshot_name}`"),
        ]
        st.markdown(
            "| Publication | |\n|---|---|\n" + "\n".join(f"| {name} | {_markdown_cell(value)} |" for name, value in rows)
        )
    with middle:
        rows_df = data.table_rows(snapshot)
        st.dataframe(
            rows_df.rename(columns={"table_name": "Published mart", "n_rows": "Rows"}),
            hide_index=True,
            height="content",
            column_config={"Rows": _count_column("Rows")},
        )
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
    st.caption("Times are Pakistan Standard Time, PKT (UTC+5).")


# --------------------------------------------------------------------------- page


def render(snapshot: str) -> None:
    ui.freshness_caption(snapshot)
    options = data.filter_options(snapshot)
    if options.min_date is None or options.max_date is None:
        st.info("The published marts contain no cases yet.")
        _freshness(snapshot)
        return

    start, end, formations = _filters(options)
    kpis = data.case_kpis(snapshot, start, end, formations)
    scope = "all formations" if not formations else ", ".join(formations)
    st.caption(f"Seizures from {format_date(start)} to {format_date(end)} · {scope}")

    if not kpis["n_cases"]:
        st.info("No cases match the selected period and formations. Widen the period or clear the formation filter.")
    else:
        _kpi_tiles(kpis)
        _by_month(data.cases_by_month(snapshot, start, end, formations), end)
        _by_formation(data.cases_by_formation(snapshot, start, end, formations), options.formation_labels)
        _commodities(snapshot, start, end, formations)
    st.divider()
    _freshness(snapshot)


ui.run_page(PAGE_TITLE, render)
