"""Read-only SQL over the published marts, printed as CSV or JSON."""

from __future__ import annotations

import csv
import io
import json
import math
from datetime import date, datetime, time
from decimal import Decimal

import duckdb

from antismuggling.config import Settings
from antismuggling.publish import NothingPublishedError, current_snapshot_path


class QueryRefused(ValueError):
    """The statement is not a single read-only query."""


READ_ONLY_TYPES = {duckdb.StatementType.SELECT, duckdb.StatementType.EXPLAIN}


def run_query(settings: Settings, sql: str) -> tuple[list[str], list[tuple]]:
    path = current_snapshot_path(settings)
    if path is None:
        raise NothingPublishedError(f"no marts are published under {settings.published_dir}: run `antismuggling refresh` first")
    # No file or network access from inside a query (read_csv('/etc/…'), COPY, ATTACH), and the
    # setting cannot be switched back on by the statement itself.
    con = duckdb.connect(str(path), read_only=True, config={"enable_external_access": False})
    con.execute("set TimeZone = 'UTC'")
    con.execute("set lock_configuration = true")
    try:
        try:
            statements = con.extract_statements(sql)
        except duckdb.Error as exc:
            raise QueryRefused(f"cannot parse the statement: {exc}") from exc
        if len(statements) != 1:
            raise QueryRefused(f"give exactly one statement ({len(statements)} given)")
        statement = statements[0]
        if statement.type not in READ_ONLY_TYPES:
            raise QueryRefused(f"only read-only queries are allowed; this is a {statement.type.name} statement")
        relation = con.sql(sql)
        if relation is None:
            return [], []
        return list(relation.columns), relation.fetchall()
    finally:
        con.close()


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (date, datetime, time)):
        return value.isoformat()
    return str(value)


def format_csv(columns: list[str], rows: list[tuple]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_text(v) for v in row])
    return buffer.getvalue()


def _json_value(value) -> str:
    if isinstance(value, Decimal):
        return format(value, "f")  # exact: money must not pass through a float
    if isinstance(value, (date, datetime, time)):
        return json.dumps(value.isoformat())
    if isinstance(value, float) and not math.isfinite(value):
        return "null"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_json_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(str(k))}: {_json_value(v)}" for k, v in value.items()) + "}"
    return json.dumps(value, ensure_ascii=False, default=str)


def format_json(columns: list[str], rows: list[tuple]) -> str:
    keys = [json.dumps(c, ensure_ascii=False) for c in columns]
    objects = ["{" + ", ".join(f"{k}: {_json_value(v)}" for k, v in zip(keys, row)) + "}" for row in rows]
    return "[" + ",\n ".join(objects) + "]\n"
