"""Page scaffolding shared by every dashboard page: the "nothing published" state, the
freshness line, chart layout, tables with their CSV / Excel downloads, and empty states.
Queries stay in :mod:`dashboard.data`."""

from __future__ import annotations

import importlib.util
import io
import re
from collections.abc import Callable, Mapping
from datetime import datetime, timezone

import duckdb
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from antismuggling.access.roles import Principal
from antismuggling.access.scope import PERSON_TOKEN_SECRET_KEY
from antismuggling.build_inputs import DIGEST_KEY
from antismuggling.spreadsheet import spreadsheet_safe
from dashboard import auth, data, filters
from dashboard.filters import Filters
from dashboard.formatting import MISSING, MoneyScale, first_present, format_pkt, format_text, money_scale

NOTHING_PUBLISHED_TITLE = "No marts have been published yet."
# Marts older than this are called out: the pipeline refreshes them daily.
STALE_AFTER_HOURS = 36

CHART_MARGIN = dict(l=8, r=8, t=32, b=8)
# A short Plotly toolbar: download, zoom, pan, reset.
CHART_CONFIG = {
    "displaylogo": False,
    "modeBarButtonsToRemove": ["zoomIn2d", "zoomOut2d", "autoScale2d", "lasso2d", "select2d"],
}
GOODS_COLOUR = "#1f5f8b"
VEHICLE_COLOUR = "#e08a2c"
TOTAL_COLOUR = "#5b6770"
GOOD_COLOUR = "#3f9a6e"
BAD_COLOUR = "#b8443c"
HIGHLIGHT_COLOUR = "#b8443c"  # notified items, repeat vehicles: things to look at
MUTED_COLOUR = "#9aa5b1"
SEQUENCE = ["#1f5f8b", "#e08a2c", "#5b6770", "#3f9a6e", "#b8443c", "#7a5aa6", "#c7a23a", "#2b9bb5"]

EXCEL_AVAILABLE = importlib.util.find_spec("openpyxl") is not None
MISSING_CELL = MISSING  # what a table shows for a missing value (Streamlit's default: "None")
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --------------------------------------------------------------------------- page frame


def show_nothing_published() -> None:
    st.info(
        f"**{NOTHING_PUBLISHED_TITLE}**\n\n"
        "Run `antismuggling refresh` to load the operational store, build the marts and "
        "publish them, then reload this page.\n\n"
        f"Looked for published marts in `{data.published_dir()}`."
    )


def run_page(title: str, render: Callable[[data.Snapshot], None]) -> None:
    """Title the page, then render it against the current snapshot, or explain why there is
    nothing to show.

    ``render`` receives the snapshot, seen through the signed-in user's scope, to pass to
    the :mod:`dashboard.data` functions.
    """
    principal = auth.current_principal()
    if principal is None or not principal.sees_data:
        # app.py signs users in before any page; this guards a page reached any other way.
        st.error("Sign in with an account that may see seizure data to open this page.")
        return
    st.title(title)
    snapshot = data.current_snapshot(data.Scope.for_principal(principal))
    if snapshot is None:
        show_nothing_published()
        return
    try:
        with data.page_run(snapshot):
            render(snapshot)
    except data.NothingPublishedError:
        show_nothing_published()
    except data.SnapshotChanged:
        # A refresh published new marts mid-render: start over on the new snapshot.
        st.rerun()
    except (duckdb.CatalogException, duckdb.BinderException) as exc:
        st.error(
            "The published marts do not have the tables or columns this page needs; they may "
            "come from an older version of the pipeline. Run `antismuggling refresh` to "
            f"publish them again.\n\nDetail: `{exc}`"
        )


def run_administration_page(
    title: str, may_open: Callable[[Principal], bool], refusal: str, render: Callable[[], None]
) -> None:
    """Title and render a page of the Administration section (no snapshot), or refuse it to
    a session whose user may not open it."""
    principal = auth.current_principal()
    if principal is None or not may_open(principal):
        st.error(refusal)
        return
    st.title(title)
    render()


def _age_hours(published_at: datetime | None) -> float | None:
    if published_at is None:
        return None
    moment = published_at if published_at.tzinfo else published_at.replace(tzinfo=timezone.utc)
    seconds = (datetime.now(timezone.utc) - moment).total_seconds()
    return None if seconds < 0 else seconds / 3600


def _age(published_at: datetime | None) -> str:
    hours = _age_hours(published_at)
    if hours is None:
        return ""
    seconds = hours * 3600
    if seconds < 90:
        return "just now"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min ago"
    if seconds < 36 * 3600:
        return f"{seconds / 3600:.0f} h ago"
    return f"{seconds / 86400:.0f} days ago"


def freshness_caption(snapshot: data.Snapshot) -> None:
    """One line under a page title: when the marts were published, and up to when the source."""
    info = data.publish_info(snapshot)
    age = _age(info.published_at)
    parts = [f"Marts published {format_pkt(info.published_at)}" + (f" ({age})" if age else "")]
    watermark = info.details.get("source_watermark")
    if watermark:
        parts.append(f"source data changed up to {format_pkt(str(watermark))}")
    checked = data.last_checked(snapshot)
    if checked:
        parts.append(f"nothing new at the last refresh, {_age(checked) or format_pkt(checked)}")
    st.caption(" · ".join(parts))


def _last_confirmed(snapshot: data.Snapshot) -> datetime | None:
    """The latest moment the marts were known to hold everything the store had."""
    moments = [m for m in (data.publish_info(snapshot).published_at, data.last_checked(snapshot)) if m]
    return max(moments) if moments else None


def is_stale(snapshot: data.Snapshot) -> bool:
    hours = _age_hours(_last_confirmed(snapshot))
    return hours is not None and hours > STALE_AFTER_HOURS


# --------------------------------------------------------------------------- charts


def chart_title(title: str) -> None:
    """Chart titles are written by Streamlit above the chart, so Plotly's toolbar (top
    right, on hover) never covers them."""
    st.markdown(f"**{title}**")


def base_layout(fig: go.Figure, *, title: str | None = None, height: int = 340) -> go.Figure:
    """Shared chart layout; the legend sits top left."""
    if title:
        chart_title(title)
    fig.update_layout(
        height=height,
        margin=CHART_MARGIN,
        legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="left", x=0.0, title=None),
        hovermode="x unified",
    )
    return fig


def plot(fig: go.Figure, *, key: str | None = None) -> None:
    st.plotly_chart(fig, config=CHART_CONFIG, key=key)


def count_axis(largest: float, title: str) -> dict[str, object]:
    """Axis settings for whole numbers: no fractional ticks such as 0.5 shown as "1"."""
    axis: dict[str, object] = dict(title=title, tickformat=",d", rangemode="tozero")
    if largest <= 8:
        axis["dtick"] = 1
    return axis


def money_axis(scale: MoneyScale) -> dict[str, object]:
    """Axis settings for amounts divided by ``scale``."""
    return dict(title=scale.label, tickformat=",.0f" if not scale.suffix else ",.1f")


def require(snapshot: data.Snapshot, *tables: str, what: str = "This page") -> bool:
    """True when the snapshot has every mart named; else say which are missing."""
    missing = [t for t in tables if not data.capabilities(snapshot).has(t)]
    if missing:
        st.info(
            f"{what} needs the published mart{'s' if len(missing) > 1 else ''} "
            f"{', '.join(f'`{t}`' for t in missing)}, which the current snapshot does not have. "
            "They appear after a refresh by a pipeline version that builds them."
        )
    return not missing


def page_start(snapshot: data.Snapshot, *marts: str) -> data.FilterOptions | None:
    """The opening every analysis page shares: freshness, the marts it needs, the filter
    options; None (with the reason shown) when the page has nothing to draw."""
    freshness_caption(snapshot)
    if not require(snapshot, *marts):
        return None
    options = data.filter_options(snapshot)
    if options.min_date is None or options.max_date is None:
        no_cases(options)
        return None
    return options


def lookup_filters(options: data.FilterOptions, page: str, note: str) -> Filters:
    """The shared filters of a look-up page, folded away under the search box."""
    with st.expander("Period and formations", expanded=False):
        flt = filters.shared_filters(options, page)
        st.caption(note)
    return flt


def no_cases(options: data.FilterOptions) -> None:
    """What a page shows when the reader's marts hold no case at all."""
    empty(
        "The published marts hold no case of your formation(s)."
        if options.restricted
        else "The published marts contain no cases yet."
    )


def published_marts_table(snapshot: data.Snapshot, key: str, **table_options: object) -> None:
    """Rows per published mart (national figures: readers of every formation only)."""
    rows = data.table_rows(snapshot)
    if rows.empty:
        empty("Row counts of whole marts are shown to roles that see every formation.")
        return
    table(
        rows.rename(columns={"table_name": "Published mart", "n_rows": "Rows"}),
        name="published marts",
        key=key,
        export=rows,
        column_config={"Rows": count_column("Rows")},
        **table_options,
    )


def national_figures_note(snapshot: data.Snapshot) -> None:
    """Under a table of vehicles or people: say why a formation officer sees dashes there."""
    if snapshot.scope.formations is not None:
        st.caption(f"Counts and dates over every formation are not shown for your role ({MISSING}); "
                   "the look-up counts the seizures of your formation(s).")


def empty(message: str) -> None:
    """What a section shows instead of a chart or table when nothing matches."""
    st.info(message)


# --------------------------------------------------------------------------- tables


def table_money_scale(*columns: pd.Series) -> MoneyScale:
    """The one unit of a table's money columns: chosen by the largest amount in any of them
    (missing ones ignored), then used for every money column of the table, so a table never
    mixes PKR M and PKR B."""
    return money_scale(pd.concat([pd.Series(c, dtype="float64") for c in columns], ignore_index=True))


def money_column(label: str, scale: MoneyScale, help: str | None = None) -> st.column_config.NumberColumn:
    fmt = "%,.2f" if scale.suffix else "%,.0f"
    return st.column_config.NumberColumn(f"{label} ({scale.short_label})", format=fmt, help=help)


# How wide the tables draw each character (Source Sans, 14 px, measured in Chromium), to
# size a text column to its longest value: the grid sizes columns on a sample of rows, so a
# long name further down was cut off.
_CHAR_PX = {
    **dict.fromkeys("0123456789+", 6.96), **dict.fromkeys("ag", 7.06), "b": 7.74, "c": 6.38, "d": 7.77, "e": 6.94,
    "f": 4.09, "h": 7.62, "i": 3.44, "j": 3.46, "k": 6.93, "l": 3.57, "m": 11.61, "n": 7.66, "o": 7.59, "p": 7.77,
    "q": 7.77, "r": 4.86, "s": 5.87, "t": 4.73, "u": 7.62, "v": 6.54, "w": 10.07, "x": 6.24, "y": 6.54, "z": 5.95,
    "A": 7.60, "B": 8.23, "C": 7.99, "D": 8.61, "E": 7.38, "F": 6.92, "G": 8.64, "H": 9.13, "I": 3.68, "J": 6.71,
    "K": 8.11, "L": 6.80, "M": 10.18, "N": 9.06, "O": 9.30, "P": 7.92, "Q": 9.30, "R": 7.97, "S": 7.48, "T": 7.50,
    "U": 9.03, "V": 7.21, "W": 11.00, "X": 7.18, "Y": 6.66, "Z": 7.55, " ": 2.80, ".": 3.49, ",": 3.49, "-": 4.35,
    "(": 4.24, ")": 4.24, "&": 8.53, "%": 11.54, "/": 4.90, "'": 3.49, "·": 3.49, ":": 3.49, "#": 6.96,
}
CELL_PADDING_PX = 8  # the grid's padding on each side of a cell


def text_px(text: str) -> float:
    """About how wide a table draws ``text`` (a character it does not know counts 9 px)."""
    return sum(_CHAR_PX.get(char, 9.0) for char in text)


def fit_width(values, heading: str = "", *, minimum: int = 50, maximum: int = 400) -> int:
    """A column width (px) that shows ``heading`` and the longest of ``values`` whole."""
    texts = [str(v) for v in values if not (v is None or (isinstance(v, float) and pd.isna(v)))]
    longest = max([text_px(t) for t in texts] + [0.0])
    width = max(longest, text_px(heading)) + 2 * CELL_PADDING_PX + 2
    return int(min(max(width, minimum), maximum))


def count_column(label: str, help: str | None = None) -> st.column_config.NumberColumn:
    return st.column_config.NumberColumn(label, format="%,d", help=help)


def percent_column(label: str, help: str | None = None) -> st.column_config.NumberColumn:
    """For values already multiplied by 100."""
    return st.column_config.NumberColumn(label, format="%.1f %%", help=help)


def days_column(label: str, help: str | None = None) -> st.column_config.NumberColumn:
    return st.column_config.NumberColumn(label, format="%,.1f", help=help)


def date_column(label: str, help: str | None = None) -> st.column_config.DateColumn:
    return st.column_config.DateColumn(label, format="DD MMM YYYY", help=help)


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "table"


def _export_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Lists become ``a; b`` text, so CSV and Excel cells stay readable; text that a
    spreadsheet would run as a formula is quoted."""
    out = df.copy()
    for column in out.columns:
        if out[column].dtype == object:
            out[column] = out[column].map(
                lambda v: spreadsheet_safe("; ".join(map(str, v)) if isinstance(v, (list, tuple)) else v)
            )
    return out


def csv_bytes(df: pd.DataFrame) -> bytes:
    """UTF-8 with a byte-order mark, so Excel opens Urdu names and ``–`` correctly."""
    return _export_frame(df).to_csv(index=False).encode("utf-8-sig")


def excel_bytes(df: pd.DataFrame, sheet: str = "data") -> bytes:
    buffer = io.BytesIO()
    frame = _export_frame(df)
    for column in frame.columns:  # Excel has no time zones
        if isinstance(frame[column].dtype, pd.DatetimeTZDtype):
            frame[column] = frame[column].dt.tz_localize(None)
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        frame.to_excel(writer, index=False, sheet_name=sheet[:31] or "data")
    return buffer.getvalue()


def download_buttons(export: pd.DataFrame, name: str, *, key: str) -> None:
    """CSV and Excel downloads of ``export`` (full amounts in PKR, one row per table row).

    The files are built when a button is clicked, not on every rerun, and each one built is
    recorded in the audit log (who, which table, how many rows). ``data`` must stay a
    callable: a built file is served for a minute only (:mod:`dashboard.server_hardening`),
    so a file made with the page would be gone when its button is clicked.
    """
    file_stem = _slug(name)
    record = auth.download_recorder()  # the file is built outside this script run

    def audited(build: Callable[[], bytes], file_name: str) -> Callable[[], bytes]:
        def build_and_record() -> bytes:
            record(target=file_name, n_rows=len(export), detail=name)  # refuses an expired session
            return build()

        return build_and_record

    row = st.container(horizontal=True, gap="small")
    with row:
        st.download_button(
            "Download CSV",
            data=audited(lambda: csv_bytes(export), f"{file_stem}.csv"),
            file_name=f"{file_stem}.csv",
            mime="text/csv",
            key=f"{key}_csv",
            on_click="ignore",
            disabled=export.empty,
        )
        if EXCEL_AVAILABLE:
            st.download_button(
                "Download Excel",
                data=audited(lambda: excel_bytes(export, name), f"{file_stem}.xlsx"),
                file_name=f"{file_stem}.xlsx",
                mime=XLSX_MIME,
                key=f"{key}_xlsx",
                on_click="ignore",
                disabled=export.empty,
            )
        else:
            st.button(
                "Download Excel",
                key=f"{key}_xlsx",
                disabled=True,
                help="Excel files need the openpyxl package, which is not installed; download the CSV meanwhile.",
            )


def table(
    display: pd.DataFrame,
    *,
    name: str,
    key: str,
    export: pd.DataFrame | None = None,
    column_config: Mapping[str, object] | None = None,
    empty_message: str | None = None,
    height: int | str = "auto",
    **kwargs: object,
):
    """A table with CSV / Excel downloads underneath.

    ``display`` is what the table shows (amounts may be scaled); ``export`` (default: the
    same frame) is what the files hold, amounts in full. Returns what ``st.dataframe``
    returns (the selection state when ``on_select`` is given).
    """
    if display.empty and empty_message:
        empty(empty_message)
        return None
    result = st.dataframe(
        display,
        placeholder=MISSING_CELL,
        hide_index=True,
        column_config=dict(column_config or {}),
        key=key,
        height=height,
        **kwargs,
    )
    download_buttons(display if export is None else export, name, key=f"{key}_download")
    return result


# Python format strings for cells of a styled table (a pandas Styler shows its own display
# text, so these replace the column_config formats there; missing values show a dash).
FMT_COUNT = "{:,.0f}"
FMT_PERCENT = "{:.1f} %"
FMT_CHANGE = "{:+.1f} %"
FMT_DAYS = "{:,.1f}"


def fmt_money(scale: MoneyScale) -> str:
    return "{:,.2f}" if scale.suffix else "{:,.0f}"


def formatted(styler, formats: Mapping[str, str]):
    """Apply number formats (and a dash for missing values) to a Styler's columns."""
    return styler.format({k: v for k, v in formats.items() if k in styler.data.columns}, na_rep=MISSING)


def colour_scale(values: pd.Series, *, higher_is_better: bool) -> list[str]:
    """CSS backgrounds for a league-table column: green where a row does better than most,
    red where worse, by rank among the rows (no colour where the value is unknown)."""
    ranks = values.rank(pct=True, method="average")
    styles = []
    for value, rank in zip(values, ranks, strict=True):
        if pd.isna(value) or pd.isna(rank) or values.notna().sum() < 3:
            styles.append("")
            continue
        score = rank if higher_is_better else 1 - rank  # 0 worst .. 1 best
        if score >= 2 / 3:
            alpha = 0.15 + 0.35 * (score - 2 / 3) * 3
            styles.append(f"background-color: rgba(63, 154, 110, {alpha:.2f})")
        elif score <= 1 / 3:
            alpha = 0.15 + 0.35 * (1 / 3 - score) * 3
            styles.append(f"background-color: rgba(184, 68, 60, {alpha:.2f})")
        else:
            styles.append("")
    return styles


# --------------------------------------------------------------------------- publication


def _markdown_cell(value: object) -> str:
    text = format_text(first_present(value))
    return text.replace("|", "\\|").replace("\n", " ")


def publication_table(snapshot: data.Snapshot) -> None:
    """When and from what the current marts were published (``meta.publish_info``)."""
    info = data.publish_info(snapshot)
    details = info.details
    rows = [
        ("Marts published", format_pkt(info.published_at) + (f" ({_age(info.published_at)})" if _age(info.published_at) else "")),
        ("Source data changed up to", format_pkt(details.get("source_watermark"))),  # type: ignore[arg-type]
        ("Refresh mode", details.get("refresh_mode")),
        ("Run id", f"`{details['run_id']}`" if details.get("run_id") else None),
        ("Source", f"`{details['source_url']}`" if details.get("source_url") else None),
        ("Snapshot", f"`{info.snapshot_name}`"),
    ]
    checked = data.last_checked(snapshot)
    if checked:
        rows.insert(2, ("Last refresh with nothing new", format_pkt(checked)))
    # the input digest and the person keys' secret id are the pipeline's and the views' own
    known = {"source_watermark", "refresh_mode", "run_id", "source_url", DIGEST_KEY, PERSON_TOKEN_SECRET_KEY}
    rows += [(str(key).replace("_", " ").capitalize(), value) for key, value in details.items() if key not in known]
    st.markdown(
        "| Publication | |\n|---|---|\n" + "\n".join(f"| {name} | {_markdown_cell(value)} |" for name, value in rows)
    )
    if is_stale(snapshot):
        st.warning(
            f"These marts were last confirmed current {_age(_last_confirmed(snapshot))}. The pipeline refreshes them daily: "
            "check the last refresh runs."
        )
