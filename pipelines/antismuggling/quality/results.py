"""Expectation results as rows: kept in the build warehouse, published with the marts.

Every suite run (``antismuggling.defs.checks``) replaces that suite's rows of
``quality.expectation_results`` in ``warehouse/build.duckdb``; publication copies the table
into the snapshot as ``meta.expectation_results`` (one row per expectation of the latest run
of each suite), so the dashboard can show what the suites found on the data it reads.

The rows hold figures, never data: ``observed_value`` is a count of unexpected rows (or an
aggregate GE observed, only when it is a number, a date or a yes/no), and GE's
``partial_unexpected_list`` (raw values: CNICs, names, registration numbers) is not stored at
all. An expectation that raised (``exception_info``) is an *error* (``is_error``, ``status``
``error``), never a data failure; its message keeps only the batch's column names quoted.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import duckdb

RESULTS_SCHEMA = "quality"
RESULTS_TABLE = "expectation_results"
PUBLISHED_TABLE = "expectation_results"  # meta.<this> in a snapshot

# name -> DuckDB type, in table order
COLUMNS: dict[str, str] = {
    "suite": "varchar",  # source.cases, marts.fct_cases...
    "layer": "varchar",  # source or marts
    "asset_key": "varchar",  # raw/cases, marts/fct_cases
    "expectation_index": "integer",  # position in the suite file
    "expectation": "varchar",  # the GE expectation type
    "column_name": "varchar",  # the column(s) checked, comma-separated; NULL for a table-level one
    "severity": "varchar",  # ERROR: hard rule, WARN: soft rule
    "status": "varchar",  # passed, failed (the data broke the rule) or error (the expectation raised)
    "success": "boolean",
    "is_error": "boolean",
    "observed_value": "varchar",  # figures only, never a value of the data
    "rows_checked": "bigint",
    "unexpected_count": "bigint",
    "unexpected_percent": "double",  # of the non-missing values
    "missing_count": "bigint",
    "mostly": "double",
    "rule": "varchar",
    "error": "varchar",  # why an errored expectation has no result
    "batch": "varchar",  # which rows were validated
    "run_id": "varchar",  # the Dagster run
    "run_at": "timestamp",  # when the suite ran, UTC
}
NOT_VALIDATED = "(batch not validated)"  # expectation of the row left by a suite that could not run
_MAX_TEXT = 500


def table_ddl(qualified: str, *, if_not_exists: bool = False) -> str:
    columns = ", ".join(f'"{name}" {kind}' for name, kind in COLUMNS.items())
    return f"create table {'if not exists ' if if_not_exists else ''}{qualified} ({columns})"


def _row(**values: Any) -> dict[str, Any]:
    unknown = set(values) - set(COLUMNS)
    if unknown:
        raise KeyError(f"not expectation-result columns: {sorted(unknown)}")
    return {name: values.get(name) for name in COLUMNS}


def outcome_rows(spec, outcome, *, batch: str, run_id: str | None, run_at: datetime) -> list[dict[str, Any]]:
    """One row per expectation of a suite run (``SuiteOutcome``), errors included."""
    rows = []
    for e in outcome.expectations:
        is_error = e.error is not None
        rows.append(
            _row(
                suite=spec.name,
                layer=spec.layer,
                asset_key=spec.asset_key_string,
                expectation_index=e.index,
                expectation=e.expectation_type,
                column_name=", ".join(e.columns) or None,
                severity=e.severity,
                status="error" if is_error else ("passed" if e.success else "failed"),
                success=bool(e.success) and not is_error,
                is_error=is_error,
                observed_value=None if is_error else observed_text(e),
                rows_checked=outcome.rows if e.evaluated is None else e.evaluated,
                unexpected_count=e.unexpected,
                unexpected_percent=_finite(e.unexpected_percent),
                missing_count=e.missing,
                mostly=e.mostly,
                rule=mask_cnic_shapes(e.rule) or None,  # a rule may show the format by example
                error=scrub_message(e.error, allowed=e.columns) if is_error else None,
                batch=batch,
                run_id=run_id,
                run_at=run_at,
            )
        )
    return rows


def error_rows(spec, message: str, *, batch: str, run_id: str | None, run_at: datetime,
               allowed: Iterable[str] = ()) -> list[dict[str, Any]]:
    """The row left by a suite whose batch could not be read or validated at all."""
    return [
        _row(
            suite=spec.name,
            layer=spec.layer,
            asset_key=spec.asset_key_string,
            expectation=NOT_VALIDATED,
            severity="ERROR",
            status="error",
            success=False,
            is_error=True,
            error=scrub_message(message, allowed=allowed),
            batch=batch,
            run_id=run_id,
            run_at=run_at,
        )
    ]


def observed_text(e) -> str | None:
    """What the expectation observed, as figures: the unexpected count of a row-by-row rule, or
    GE's observed value of an aggregate one when it is a number, a date or a yes/no. Anything
    else GE observed (a value list, a text) could quote the data and is withheld."""
    observed = e.observed
    if observed is not None:
        if isinstance(observed, bool):
            return str(observed).lower()
        if isinstance(observed, (int, float, Decimal)):
            value = float(observed)
            if math.isnan(value):
                return None
            return f"{int(value):,}" if value.is_integer() else f"{value:,.6g}"
        if isinstance(observed, (date, datetime)):
            return observed.isoformat()
        return "(withheld: not a figure)"
    if e.unexpected is None:
        return None
    text = f"{e.unexpected:,} unexpected"
    percent = _finite(e.unexpected_percent)
    if percent is not None and e.unexpected:
        text += f" ({percent:.3g}%)"
    return text


def _finite(value: Any) -> float | None:
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) or math.isinf(value) else value


_QUOTED = re.compile(r"""(['"`])(.*?)\1""")
_DIGITS = re.compile(r"\d{5,}")
_CNIC_SHAPE = re.compile(r"\d{5}-?\d{7}-?\d")


def mask_cnic_shapes(text: str | None) -> str | None:
    """Text with anything shaped like a CNIC (13 digits, dashes or not) as ``#####-#######-#``."""
    return None if text is None else _CNIC_SHAPE.sub("#####-#######-#", text)


def scrub_message(message: str | None, *, allowed: Iterable[str] = ()) -> str | None:
    """An error message safe to publish: quoted text is kept only when it names a column
    (``allowed``), long digit runs (a CNIC, a phone number) become ``#``."""
    if message is None:
        return None
    keep = set(allowed)
    text = _QUOTED.sub(lambda m: m.group(0) if m.group(2) in keep else f"{m.group(1)}…{m.group(1)}", str(message))
    text = _DIGITS.sub(lambda m: "#" * len(m.group(0)), text)
    return text[:_MAX_TEXT]


def save_results(
    con: duckdb.DuckDBPyConnection,
    rows: Sequence[dict[str, Any]],
    *,
    suites_run: Iterable[str],
    layer: str,
    known_suites: Iterable[str],
) -> None:
    """Replace the rows of the suites that ran with ``rows``, in one transaction, and drop
    those of suites of ``layer`` that no longer exist (``known_suites``: every suite of it)."""
    ran = sorted(set(suites_run))
    known = sorted(set(known_suites))
    qualified = f"{RESULTS_SCHEMA}.{RESULTS_TABLE}"
    con.execute("begin transaction")
    try:
        con.execute(f"create schema if not exists {RESULTS_SCHEMA}")
        if _stored_columns(con) not in ([], list(COLUMNS)):
            # An older layout: these are the latest results only, so start the table afresh.
            con.execute(f"drop table {qualified}")
        con.execute(table_ddl(qualified, if_not_exists=True))
        if ran:
            con.execute(f"delete from {qualified} where suite in (select unnest(?::varchar[]))", [ran])
        con.execute(
            f"delete from {qualified} where layer = ? and suite not in (select unnest(?::varchar[]))", [layer, known]
        )
        if rows:
            names = list(COLUMNS)
            con.executemany(
                f"insert into {qualified} ({', '.join(_quote(n) for n in names)}) values ({', '.join('?' for _ in names)})",
                [[row[n] for n in names] for row in rows],
            )
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


def _stored_columns(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The build warehouse's results table's columns, in order; [] when it has none."""
    return [
        name for (name,) in con.execute(
            "select column_name from information_schema.columns where table_catalog = current_database() "
            "and table_schema = ? and table_name = ? order by ordinal_position",
            [RESULTS_SCHEMA, RESULTS_TABLE],
        ).fetchall()
    ]


def copy_into(warehouse: duckdb.DuckDBPyConnection, qualified: str) -> int:
    """Create ``qualified`` (``<snapshot>.meta.expectation_results``) and fill it from the
    build warehouse's results, failures first; empty when no suite has run. Returns its rows."""
    warehouse.execute(table_ddl(qualified))
    exists = warehouse.execute(
        "select count(*) from information_schema.tables "
        "where table_catalog = current_database() and table_schema = ? and table_name = ?",
        [RESULTS_SCHEMA, RESULTS_TABLE],
    ).fetchone()[0]
    if not exists:
        return 0
    names = ", ".join(_quote(n) for n in COLUMNS)
    warehouse.execute(
        f"insert into {qualified} ({names}) select {names} from {RESULTS_SCHEMA}.{RESULTS_TABLE} "
        "order by case status when 'error' then 0 when 'failed' then 1 else 2 end, layer desc, suite, expectation_index"
    )
    return warehouse.execute(f"select count(*) from {qualified}").fetchone()[0]


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
