"""Helpers shared by the dashboard's AppTest tests: signing in, reading the snapshot directly,
and reading what a rendered page shows."""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st
from streamlit.testing.v1 import AppTest

from antismuggling.access.store import UserStore
from antismuggling.config import load_settings
from antismuggling.publish import current_snapshot_path

APP = Path(__file__).resolve().parents[1] / "dashboard" / "app.py"
# The dashboard's default period ends at the last seizure not after today (Pakistan): cases
# dated in the future are typing errors, outside it.
NOT_AFTER_TODAY = "seizure_date <= cast((now() at time zone 'UTC') + interval 5 hour as date)"
MONTHS_NOT_AFTER_TODAY = (
    "seizure_month <= cast(date_trunc('month', (now() at time zone 'UTC') + interval 5 hour) as date)"
)
# A test password that passes the strength rules; test users exist only in temporary homes.
TEST_PASSWORD = "Harbour-Kestrel-2026!"


def ensure_user(username: str, role: str, formations: tuple[str, ...] = ()) -> str:
    """A user of the current data directory's user store (created on first use)."""
    store = UserStore.from_settings(load_settings())
    if store.get(username) is None:
        store.add_user(username, role, TEST_PASSWORD, formations=formations, display_name=username, actor="test")
    return username


def user_for(role: str, formations: tuple[str, ...] = ()) -> str:
    suffix = "-".join(code.lower() for code in formations)
    return ensure_user(f"test.{role.replace('_', '')}{'.' + suffix if suffix else ''}", role, formations)


def sign_in(at: AppTest, username: str, password: str = TEST_PASSWORD) -> AppTest:
    """Fill the sign-in form of a fresh session and submit it."""
    at.text_input(key="_sign_in_user").input(username)
    at.text_input(key="_sign_in_password").input(password)
    at.button[0].click().run()
    return at


def open_app(
    role: str = "dg", formations: tuple[str, ...] = (), query_params: dict | None = None, page: str | None = None
) -> AppTest:
    """A new session signed in as a user of ``role`` (on ``page`` when given); caches cleared."""
    st.cache_data.clear()
    at = AppTest.from_file(str(APP), default_timeout=120)
    for key, value in (query_params or {}).items():
        at.query_params[key] = value
    at.run()
    assert_clean(at)
    sign_in(at, user_for(role, formations))
    assert_clean(at)
    if page is not None and page != "overview":
        at.switch_page(f"views/{page}.py").run()
        assert_clean(at)
    return at


def snapshot_sql(settings, sql: str, params: list | None = None) -> pd.DataFrame:
    """A query straight on the current snapshot (read-only, not through the dashboard)."""
    con = duckdb.connect(str(current_snapshot_path(settings)), read_only=True)
    try:
        return con.execute(sql, params or []).df()
    finally:
        con.close()


def snapshot_scalar(settings, sql: str, params: list | None = None):
    """One value as DuckDB returns it (a date stays a ``datetime.date``)."""
    con = duckdb.connect(str(current_snapshot_path(settings)), read_only=True)
    try:
        return con.execute(sql, params or []).fetchone()[0]
    finally:
        con.close()


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def metric(at: AppTest, label: str) -> str:
    values = [m.value for m in at.metric if m.label == label]
    assert len(values) == 1, f"expected one {label!r} tile, found {[m.label for m in at.metric]}"
    return values[0]


def count(text: str) -> int:
    return int(text.replace(",", ""))


def texts(elements) -> str:
    return "\n".join(str(e.value) for e in elements)


# What a missing value looks like when a page turns it into text instead of a dash.
RAW_MISSING = re.compile(r"(?<![\w])(?:nan|NaN|NaT|None(?! of\b))(?![\w])|<NA>")
_TEXT_ELEMENTS = ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success")
# Plotly trace fields a user reads: labels, hover text and legend names.
_CHART_TEXT_FIELDS = ("text", "customdata", "hovertext", "name", "labels", "label")


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def displayed_text(at: AppTest) -> list[tuple[str, str]]:
    """Every piece of text a user reads on the page, as (where, text): headings, prose,
    tiles, widget options, chart labels and hover text, and the text cells of tables."""
    shown: list[tuple[str, str]] = []
    for kind in _TEXT_ELEMENTS:
        shown += [(kind, str(e.value)) for e in getattr(at, kind)]
    for tile in at.metric:
        shown += [(f"tile {tile.label!r}", text) for text in (tile.label, tile.value, tile.help or "")]
    for widget in (*at.selectbox, *at.multiselect):
        shown += [(f"options of {widget.label!r}", str(option)) for option in widget.options]
    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        for trace in spec.get("data", []):
            for part in (trace, trace.get("node") or {}, trace.get("link") or {}):
                for field in _CHART_TEXT_FIELDS:
                    shown += [(f"chart {trace.get('type')} {field}", text) for text in _strings(part.get(field))]
        shown += [("chart annotation", text) for a in spec.get("layout", {}).get("annotations", []) for text in _strings(a.get("text"))]
    for frame in at.dataframe:
        df = frame.value
        shown += [("table heading", str(column)) for column in df.columns]
        for column in df.columns:
            if not (pd.api.types.is_numeric_dtype(df[column]) or pd.api.types.is_datetime64_any_dtype(df[column])):
                shown += [(f"table column {column!r}", str(v)) for v in df[column].dropna()]
    return shown


def assert_no_raw_missing(at: AppTest, where: str) -> None:
    """No missing or withheld value is shown as nan, None, NaT or <NA> (a dash instead)."""
    raw = [(kind, text) for kind, text in displayed_text(at) if RAW_MISSING.search(text)]
    assert not raw, f"{where}: {raw[:5]}"
