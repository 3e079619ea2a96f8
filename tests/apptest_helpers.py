"""Helpers shared by the dashboard's AppTest tests: reading the snapshot directly, and reading
what a rendered page shows."""

from __future__ import annotations

import duckdb
import pandas as pd
from streamlit.testing.v1 import AppTest

from antismuggling.publish import current_snapshot_path


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
