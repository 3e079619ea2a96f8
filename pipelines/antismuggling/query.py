"""Read-only SQL over the published marts, printed as CSV or JSON.

A query runs with limits (``ANTISMUGGLING_QUERY_*``): DuckDB's memory, a time after which it is
interrupted, and a private spill folder of bounded size outside ``published/``. Rows are
written as they are fetched, so a large result never sits in memory whole. Control characters
in the data (ESC, BEL, C1 controls, bidirectional overrides) are escaped as ``\\u001b``: they
would otherwise act on the terminal the output is shown in.
"""

from __future__ import annotations

import csv
import json
import math
import re
import threading
import time as clock
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, time
from decimal import Decimal
from typing import TextIO

import duckdb

from antismuggling.config import QUERY_MEMORY_LIMIT_ENV, QUERY_TEMP_LIMIT_ENV, QUERY_TIMEOUT_ENV, Settings, make_private_dir
from antismuggling.publish import NothingPublishedError, current_snapshot_path


class QueryRefused(ValueError):
    """The statement is not a single read-only query."""


class QueryTimedOut(RuntimeError):
    """The query ran longer than ``ANTISMUGGLING_QUERY_TIMEOUT_SECONDS``."""


READ_ONLY_TYPES = {duckdb.StatementType.SELECT, duckdb.StatementType.EXPLAIN}
FETCH_ROWS = 10_000
# Tab and newline stay: harmless on a terminal, and CSV quotes a field that holds a newline.
_TERMINAL_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def escape_controls(text: str) -> str:
    """``text`` with every control character written as JSON writes it (``\\u001b``)."""
    return _TERMINAL_CONTROLS.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _connect(settings: Settings) -> duckdb.DuckDBPyConnection:
    path = current_snapshot_path(settings)
    if path is None:
        raise NothingPublishedError(f"no marts are published under {settings.published_dir}: run `antismuggling refresh` first")
    make_private_dir(settings.query_temp_dir)
    # No file or network access from inside a query (read_csv('/etc/…'), COPY, ATTACH), and the
    # settings cannot be changed back by the statement itself.
    config = {
        "enable_external_access": False,
        "memory_limit": settings.query_memory_limit,
        "temp_directory": str(settings.query_temp_dir),
        "max_temp_directory_size": settings.query_temp_limit,
    }
    try:
        con = duckdb.connect(str(path), read_only=True, config=config)
    except duckdb.InvalidInputException as exc:
        raise ValueError(
            f"invalid query limit ({QUERY_MEMORY_LIMIT_ENV}={settings.query_memory_limit!r}, "
            f"{QUERY_TEMP_LIMIT_ENV}={settings.query_temp_limit!r}): {exc}"
        ) from None
    con.execute("set TimeZone = 'UTC'")
    con.execute("set lock_configuration = true")
    return con


def _check_read_only(con: duckdb.DuckDBPyConnection, sql: str) -> None:
    try:
        statements = con.extract_statements(sql)
    except duckdb.Error as exc:
        raise QueryRefused(f"cannot parse the statement: {exc}") from exc
    if len(statements) != 1:
        raise QueryRefused(f"give exactly one statement ({len(statements)} given)")
    if statements[0].type not in READ_ONLY_TYPES:
        raise QueryRefused(f"only read-only queries are allowed; this is a {statements[0].type.name} statement")


@contextmanager
def open_query(settings: Settings, sql: str) -> Iterator[tuple[list[str], Iterator[tuple]]]:
    """Run one read-only statement; yield its column names and its rows, fetched as they are read."""
    con = _connect(settings)
    limit = settings.query_timeout_seconds
    deadline = clock.monotonic() + limit
    timer = threading.Timer(limit, con.interrupt)
    timer.daemon = True
    try:
        _check_read_only(con, sql)
        timer.start()
        con.execute(sql)
        columns = [d[0] for d in con.description or []]

        def rows() -> Iterator[tuple]:
            while batch := con.fetchmany(FETCH_ROWS):
                yield from batch
                if clock.monotonic() > deadline:  # fetched already, so not interrupted
                    raise duckdb.InterruptException("time limit")

        yield columns, rows()
    except duckdb.InterruptException:
        raise QueryTimedOut(
            f"the query was stopped after {limit:g} s ({QUERY_TIMEOUT_ENV}); narrow it or raise the limit"
        ) from None
    finally:
        timer.cancel()
        con.close()


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (date, datetime, time)):
        return value.isoformat()
    return escape_controls(str(value))


def write_csv(columns: list[str], rows: Iterable[tuple], out: TextIO) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([escape_controls(c) for c in columns])
    for row in rows:
        writer.writerow([_text(v) for v in row])


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
        return "{" + ", ".join(f"{_json_string(str(k))}: {_json_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, str):
        return _json_string(value)
    return escape_controls(json.dumps(value, ensure_ascii=False, default=str))


def _json_string(text: str) -> str:
    # json.dumps escapes C0 controls but lets DEL, C1 controls (U+009B is a CSI) and bidi overrides through.
    return escape_controls(json.dumps(text, ensure_ascii=False))


def write_json(columns: list[str], rows: Iterable[tuple], out: TextIO) -> None:
    keys = [_json_string(c) for c in columns]
    out.write("[")
    for n, row in enumerate(rows):
        out.write((",\n " if n else "") + "{" + ", ".join(f"{k}: {_json_value(v)}" for k, v in zip(keys, row)) + "}")
    out.write("]\n")
