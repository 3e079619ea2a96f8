"""Data quality and freshness: when the marts were published and from what, the source rows
the warehouse quarantined or flagged, by check and formation, and the latest results of the
expectation suites."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import data, filters, ui
from dashboard.formatting import format_count

PAGE = "data_quality"
PAGE_TITLE = "Data quality and freshness"
SEVERITY_COLOURS = {"quarantined": ui.BAD_COLOUR, "flagged": ui.VEHICLE_COLOUR}
SEVERITY_MEANING = {
    "quarantined": "kept out of every mart",
    "flagged": "kept in the marts, marked suspect",
}
UNTRACED = "(no case in the marts)"


def _pkt(times: pd.Series) -> pd.Series:
    """UTC timestamps (naive) shown as Pakistan time."""
    return pd.to_datetime(times) + pd.Timedelta(hours=5)


def _freshness(snapshot: data.Snapshot) -> None:
    st.subheader("Freshness")
    left, right = st.columns([3, 2])
    with left:
        ui.publication_table(snapshot)
        st.caption("Times are Pakistan Standard Time, PKT (UTC+5). The source watermark is the latest "
                   "change time read from the operational store.")
    with right:
        ui.published_marts_table(snapshot, f"{PAGE}_marts")


def _checks(snapshot: data.Snapshot) -> pd.DataFrame:
    checks = data.data_quality_checks(snapshot)
    st.subheader("Checks")
    if checks.empty:
        ui.empty("No data-quality issues recorded in this snapshot.")
        return checks
    totals = checks.groupby("severity")["n_rows"].sum()
    tiles = st.columns(4, border=True)
    tiles[0].metric("Rows quarantined", format_count(totals.get("quarantined", 0)), help="Kept out of every mart")
    tiles[1].metric("Rows flagged", format_count(totals.get("flagged", 0)), help="Kept in the marts, marked suspect")
    tiles[2].metric("Checks with issues", format_count(checks["check_name"].nunique()))
    tiles[3].metric("Source tables affected", format_count(checks["source_table"].nunique()))

    left, right = st.columns([2, 3])
    with left:
        chart = checks.assign(label=checks["source_table"] + " · " + checks["check_name"]).iloc[::-1]
        fig = go.Figure()
        for severity, colour in SEVERITY_COLOURS.items():
            part = chart[chart["severity"] == severity]
            if part.empty:
                continue
            fig.add_trace(
                go.Bar(
                    y=part["label"],
                    x=part["n_rows"],
                    orientation="h",
                    name=f"{severity} ({SEVERITY_MEANING[severity]})",
                    marker_color=colour,
                    hovertemplate="%{y}: %{x:,} rows<extra></extra>",
                )
            )
        ui.base_layout(fig, title="Rows per check", height=max(260, 24 * len(chart) + 110))
        fig.update_layout(hovermode="closest", barmode="stack")
        fig.update_xaxes(title="Source rows", tickformat=",d")
        fig.update_yaxes(type="category", automargin=True, title=None)
        ui.plot(fig, key=f"{PAGE}_checks_chart")
    with right:
        ui.chart_title("Results by check")
        ui.table(
            pd.DataFrame(
                {
                    "Severity": checks["severity"],
                    "Source table": checks["source_table"],
                    "Check": checks["check_name"],
                    "Rows": checks["n_rows"],
                    "First seen": _pkt(checks["first_seen_at"]),
                    "Example": checks["example"],
                }
            ),
            name="data quality checks",
            key=f"{PAGE}_checks",
            export=checks,
            column_config={
                "Rows": ui.count_column("Rows"),
                "First seen": st.column_config.DatetimeColumn("First seen (PKT)", format="DD MMM YYYY HH:mm"),
                "Example": st.column_config.TextColumn("Example", width=260),
            },
        )
    return checks


def _by_formation(snapshot: data.Snapshot, flt: filters.Filters) -> None:
    st.subheader("By check and formation")
    df = data.data_quality_by_formation(snapshot, flt.start, flt.end, flt.formations)
    if df.empty:
        ui.empty("No issues in the selected period and formations.")
        return
    df = df.assign(formation=df["formation_code"].fillna(UNTRACED), check=df["severity"].str[0].str.upper() + " · " + df["check_name"])
    pivot = df.pivot_table(index="check", columns="formation", values="n_rows", aggfunc="sum", fill_value=0)
    columns = sorted(c for c in pivot.columns if c != UNTRACED) + ([UNTRACED] if UNTRACED in pivot.columns else [])
    pivot = pivot[columns]
    fig = go.Figure(
        go.Heatmap(
            z=pivot.to_numpy(),
            x=list(pivot.columns),
            y=list(pivot.index),
            colorscale=[[0, "#ffffff"], [0.0001, "#fde9d9"], [1, ui.BAD_COLOUR]],
            hovertemplate="%{y} · %{x}: %{z:,} rows<extra></extra>",
            showscale=False,
            xgap=1,
            ygap=1,
            text=[[format_count(v) if v else "" for v in row] for row in pivot.to_numpy()],
            texttemplate="%{text}",
        )
    )
    ui.base_layout(fig, title="Rows per check and formation", height=max(240, 28 * len(pivot) + 120))
    fig.update_layout(hovermode="closest")
    fig.update_xaxes(type="category", side="top", tickangle=-45)
    fig.update_yaxes(type="category", autorange="reversed", automargin=True)
    ui.plot(fig, key=f"{PAGE}_heatmap")
    export = df[["severity", "check_name", "formation_code", "n_rows"]]
    ui.download_buttons(export, "data quality by formation", key=f"{PAGE}_by_formation_download")
    rest = (
        "are not shown for your role: they cannot be traced to your formation."
        if snapshot.scope.formations is not None
        else f"are under “{UNTRACED}” and always counted."
    )
    st.caption(
        "Q: quarantined, F: flagged. A row is put under the formation of its case when the case is in the "
        "marts (a case, and the items, vehicles, people and officers of such a case); the period and formations "
        "filter those. The rest — rows whose case is deleted or missing, officers, postings, locations — "
        f"{rest}"
    )


def _rows(snapshot: data.Snapshot, checks: pd.DataFrame) -> None:
    st.subheader("Rows")
    if checks.empty:
        return
    left, right = st.columns([1, 3])
    with left:
        severity = st.segmented_control(
            "Severity",
            ["quarantined", "flagged"],
            default="quarantined",
            required=True,
            key=f"{PAGE}_severity",
        ) or "quarantined"
    names = checks.loc[checks["severity"] == severity, "check_name"].drop_duplicates().tolist()
    with right:
        check = st.selectbox("Check", [None, *names], key=f"{PAGE}_check", format_func=lambda c: c or "All checks")
    rows = data.data_quality_rows(snapshot, severity, check)
    ui.table(
        rows.assign(first_seen_at=_pkt(rows["first_seen_at"])).rename(
            columns={
                "source_table": "Source table",
                "source_pk": "Source key",
                "check_name": "Check",
                "detail": "Detail",
                "first_seen_at": "First seen",
            }
        ),
        name=f"{severity} rows" + (f" {check}" if check else ""),
        key=f"{PAGE}_rows",
        export=rows,
        empty_message=f"No {severity} rows" + (f" for {check}." if check else "."),
        column_config={
            "Detail": st.column_config.TextColumn("Detail", width=420),
            "First seen": st.column_config.DatetimeColumn("First seen (PKT)", format="DD MMM YYYY HH:mm"),
        },
    )


RESULT_LABELS = {"error": "Error", "failed": "Failed", "passed": "Passed"}


def _expectations(snapshot: data.Snapshot) -> None:
    st.subheader("Expectation results")
    if snapshot.scope.formations is not None:
        st.caption(
            "The expectation suites' results are counted over every formation's rows: they are not shown "
            "for your role."
        )
        return
    results = data.expectation_results(snapshot)
    if results is None or results.empty:
        st.caption(
            "This snapshot carries no expectation-suite results; the checks above are the warehouse's "
            "data-quality checks (data_quality_issues), run on every refresh."
        )
        return
    status = results["status"]
    tiles = st.columns(4, border=True)
    tiles[0].metric("Expectations checked", format_count(len(results)), help=f"in {results['suite'].nunique()} suites")
    tiles[1].metric("Failed", format_count(int((status == "failed").sum())), help="The data broke the rule")
    tiles[2].metric(
        "Hard rules failed",
        format_count(int(((status == "failed") & (results["severity"] == "ERROR")).sum())),
        help="Rows quarantined or a mart wrong (ERROR checks)",
    )
    tiles[3].metric(
        "Errors", format_count(int((status == "error").sum())), help="Expectations that could not be evaluated"
    )
    ui.table(
        pd.DataFrame(
            {
                "Result": status.map(RESULT_LABELS).fillna(status),
                "Suite": results["suite"],
                # expect_column_values_to_be_in_set -> column values to be in set
                "Expectation": results["expectation"].str.removeprefix("expect_").str.replace("_", " "),
                "Column": results["column_name"],
                "Rule": results["severity"].map({"ERROR": "hard", "WARN": "soft"}),
                "Observed": results["observed_value"].where(status != "error", results["error"]),
                "Rows checked": results["rows_checked"],
                "Run at": _pkt(results["run_at"]),
            }
        ),
        name="expectation results",
        key=f"{PAGE}_expectations",
        export=results,
        column_config={
            "Result": st.column_config.TextColumn("Result", width=60),
            "Suite": st.column_config.TextColumn("Suite", width=160),
            "Expectation": st.column_config.TextColumn(
                "Expectation", width=200, help="The Great Expectations expectation (its type, without expect_)"
            ),
            "Column": st.column_config.TextColumn("Column", width=130),
            "Rule": st.column_config.TextColumn("Rule", width=45, help="hard: quarantines the row, or the mart is wrong; soft: flags it"),
            "Observed": st.column_config.TextColumn("Observed", width=150, help="Counts only: no value of the data"),
            "Rows checked": st.column_config.NumberColumn("Rows checked", format="%,d", width=90),
            "Run at": st.column_config.DatetimeColumn("Run at (PKT)", format="DD MMM HH:mm", width=100),
        },
    )
    st.caption(
        "The Great Expectations suites of the latest refresh: source suites on the rows the load brought in, "
        "mart suites on every row of the marts. Failed: the data broke the rule (hard rules quarantine the row "
        "or mean the mart is wrong; soft rules tolerate a share of junk). Error: the expectation could not be "
        "evaluated, a fault of the check, not of the data. Failures and errors first."
    )


def render(snapshot: data.Snapshot) -> None:
    ui.freshness_caption(snapshot)
    options = data.filter_options(snapshot)
    flt = None
    if options.min_date is not None and options.max_date is not None:
        flt = filters.shared_filters(options, PAGE)
        st.caption(flt.scope() + " · the period and formations apply to the table by formation below.")
    _freshness(snapshot)
    checks = _checks(snapshot)
    if flt is not None:
        _by_formation(snapshot, flt)
    _rows(snapshot, checks)
    _expectations(snapshot)


ui.run_page(PAGE_TITLE, render)
