"""Validate warehouse batches against the suites with Great Expectations, offline.

The batch is a pandas frame read with DuckDB's Python API (only the columns the suite's SQL
selects), validated by GE's pandas execution engine in an ephemeral context: nothing is
written to disk, analytics are off, nothing is fetched from the network. GE's SQL datasource
is deliberately not used: on DuckDB (duckdb-engine) GE 1.24 computes empty metrics and reports
every expectation as failed without raising.

An expectation whose result carries ``exception_info`` with a raised exception (a column that
does not exist, a metric that cannot be computed) is an *error*, never a data failure; so is
an unsuccessful result that carries no figures at all.
"""

from __future__ import annotations

import logging
import math
import os
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from typing import Any

import duckdb

from antismuggling.quality.suites import SEVERITIES, SuiteSpec

# Before GE is imported anywhere in the process: no usage statistics.
os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")

PKT = timezone(timedelta(hours=5))  # Asia/Karachi: UTC+05:00, no daylight saving
SAMPLE_SIZE = 5
RESULT_FORMAT = {"result_format": "SUMMARY", "partial_unexpected_count": 20}
_INDEX_KEY = "antismuggling_index"
# Rows validated at once: pandas and GE hold a part several times over (~1 KB a row of a wide
# batch), so this bounds a suite's memory whatever the size of the warehouse.
CHUNK_ROWS = 1_000_000
_BATCH_TABLE = "antismuggling_suite_batch"
_CHUNKED_TABLE = "antismuggling_suite_batch_by_chunk"
_CHUNK_COLUMN = "antismuggling_chunk"
# expectations whose figures add up over any split of the rows
_ROW_BY_ROW = frozenset({
    "expect_column_values_to_not_be_null", "expect_column_values_to_be_null",
    "expect_column_values_to_be_in_set", "expect_column_values_to_be_between",
    "expect_column_values_to_match_regex", "expect_column_pair_values_a_to_be_greater_than_b",
    "expect_column_pair_values_to_be_equal",
})
# ... and those that add up over a split keeping equal values together
_UNIQUENESS = frozenset({"expect_column_values_to_be_unique", "expect_compound_columns_to_be_unique"})
_PREPARING = threading.Lock()  # one import and one context, whichever thread asks first


class ExpectationError(RuntimeError):
    """One or more expectations of a suite raised instead of producing a result."""


@dataclass(frozen=True)
class ExpectationOutcome:
    index: int
    expectation_type: str
    columns: tuple[str, ...]
    severity: str  # "ERROR" (hard rule) or "WARN" (soft rule)
    rule: str
    success: bool
    evaluated: int | None = None  # rows GE looked at (element_count)
    unexpected: int | None = None
    unexpected_percent: float | None = None
    missing: int | None = None
    mostly: float | None = None
    observed: Any = None  # aggregate expectations (row count...) report an observed value
    sample: tuple[str, ...] = ()
    error: str | None = None  # the exception message when the expectation raised

    @property
    def label(self) -> str:
        columns = ", ".join(self.columns)
        return f"{self.expectation_type}({columns})" if columns else self.expectation_type

    @property
    def failed(self) -> bool:
        """A data failure: evaluated, and the data did not meet it."""
        return self.error is None and not self.success

    def as_dict(self) -> dict[str, Any]:
        return {
            "expectation": self.label,
            "severity": self.severity,
            "rule": self.rule,
            "success": self.success,
            "evaluated": self.evaluated,
            "unexpected": self.unexpected,
            "unexpected_percent": None if self.unexpected_percent is None else round(self.unexpected_percent, 4),
            "mostly": self.mostly,
            "observed": None if self.observed is None else str(self.observed),
            "sample": list(self.sample),
            "error": self.error,
        }


@dataclass(frozen=True)
class SuiteOutcome:
    suite: str
    asset_key: tuple[str, ...]
    scope: str
    rows: int
    read_seconds: float
    validate_seconds: float
    expectations: list[ExpectationOutcome] = field(default_factory=list)

    @property
    def errors(self) -> list[ExpectationOutcome]:
        return [e for e in self.expectations if e.error is not None]

    @property
    def failures(self) -> list[ExpectationOutcome]:
        return [e for e in self.expectations if e.failed]

    @property
    def passed(self) -> bool:
        return not self.failures and not self.errors

    @property
    def severity(self) -> str:
        """ERROR when a hard rule failed, else WARN."""
        return "ERROR" if any(e.severity == "ERROR" for e in self.failures) else "WARN"

    @property
    def seconds(self) -> float:
        return self.read_seconds + self.validate_seconds


def today_pkt(now: datetime | None = None) -> date:
    return (now or datetime.now(timezone.utc)).astimezone(PKT).date()


def builtin_parameters(now: datetime | None = None) -> dict[str, Any]:
    import pandas as pd

    return {"today_pkt": pd.Timestamp(today_pkt(now))}


def read_parameters(con: duckdb.DuckDBPyConnection, spec: SuiteSpec) -> dict[str, list[Any]]:
    """Each ``meta.parameters`` SQL's first column as a list (e.g. the known formation codes)."""
    return {name: [row[0] for row in con.execute(sql).fetchall()] for name, sql in spec.parameter_sql.items()}


def run_suite(
    spec: SuiteSpec,
    con: duckdb.DuckDBPyConnection,
    *,
    batch_since: date | None = None,
    rebuilt_only: bool = False,
    now: datetime | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> SuiteOutcome:
    """Read the suite's batch from ``con`` and validate it. Raises on any DuckDB error.

    ``batch_since``: restrict a source batch to the rows updated on or after that date (the
    rows an incremental load read); None reads every row. ``rebuilt_only``: restrict a mart's
    batch to the rows the last build rebuilt (``meta.rebuilt_only``). A batch of more than
    ``chunk_rows`` rows is validated in parts (``chunk_plan``), with the same figures.
    """
    started = time.perf_counter()
    parameters = {**builtin_parameters(now), **read_parameters(con, spec)}
    variables = {"batch_since": batch_since.isoformat() if batch_since else None,
                 "rebuilt_only": True if rebuilt_only else None}
    for name, value in variables.items():
        if value is None:
            con.execute(f"reset variable {name}")
        else:
            con.execute(f"set variable {name} = ?", [value])
    try:
        # Kept in DuckDB (which spills beyond its memory limit), handed to pandas a part at a time.
        con.execute(f"create or replace temp table {_BATCH_TABLE} as {spec.batch_sql}")
    finally:
        for name in variables:
            con.execute(f"reset variable {name}")
    validate_seconds = 0.0
    try:
        rows = con.execute(f"select count(*) from {_BATCH_TABLE}").fetchone()[0]
        outcomes: dict[int, list[ExpectationOutcome]] = {}
        for part in chunk_plan(spec.definition, rows, chunk_rows):
            for chunk_sql in part.chunk_sql(con):
                # Through Arrow: strings convert several times faster than with .df().
                frame = _nanosecond_datetimes(con.execute(chunk_sql).fetch_arrow_table().to_pandas(date_as_object=False))
                validating = time.perf_counter()
                for outcome in validate_frame(part.definition, frame, parameters):
                    index = part.indexes[outcome.index]
                    outcomes.setdefault(index, []).append(replace(outcome, index=index))
                del frame
                validate_seconds += time.perf_counter() - validating
    finally:
        for table in (_CHUNKED_TABLE, _BATCH_TABLE):
            con.execute(f"drop table if exists {table}")
    read_seconds = time.perf_counter() - started - validate_seconds
    return SuiteOutcome(
        suite=spec.name,
        asset_key=spec.asset_key,
        scope=spec.scope,
        rows=rows,
        read_seconds=round(read_seconds, 3),
        validate_seconds=round(validate_seconds, 3),
        expectations=[combine_outcomes(outcomes[i]) for i in sorted(outcomes)],
    )


@dataclass(frozen=True)
class ValidationPart:
    """Some of a suite's expectations, validated over the batch in ``chunks`` parts split by
    the hash of ``key`` (rows with equal keys in the same part) or, without a key, by row."""

    definition: dict[str, Any]  # the suite with these expectations only
    indexes: tuple[int, ...]  # their places in the whole suite
    columns: tuple[str, ...] | None  # None: every column of the batch
    key: tuple[str, ...] = ()
    chunks: int = 1

    def chunk_sql(self, con: duckdb.DuckDBPyConnection) -> Iterator[str]:
        """The SELECT of each chunk, in turn. A split by key first copies the batch ordered by
        chunk, so that each chunk is read from its own row groups, not filtered from all."""
        columns = "*" if self.columns is None else ", ".join(_quoted(c) for c in self.columns)
        if self.chunks == 1:
            yield f"select {columns} from {_BATCH_TABLE}"
            return
        if not self.key:  # ranges of row ids: each chunk from its own row groups
            size = math.ceil(con.execute(f"select max(rowid) + 1 from {_BATCH_TABLE}").fetchone()[0] / self.chunks)
            for i in range(self.chunks):
                yield f"select {columns} from {_BATCH_TABLE} where rowid >= {i * size} and rowid < {(i + 1) * size}"
            return
        split = f"hash({', '.join(_quoted(c) for c in self.key)}) % {self.chunks}"
        con.execute(
            f"create or replace temp table {_CHUNKED_TABLE} as "
            f"select {columns}, {split} as {_CHUNK_COLUMN} from {_BATCH_TABLE} order by {_CHUNK_COLUMN}"
        )
        try:
            for i in range(self.chunks):
                yield f"select * exclude ({_CHUNK_COLUMN}) from {_CHUNKED_TABLE} where {_CHUNK_COLUMN} = {i}"
        finally:
            con.execute(f"drop table if exists {_CHUNKED_TABLE}")


def chunk_plan(definition: dict[str, Any], rows: int, chunk_rows: int) -> list[ValidationPart]:
    """How to validate a batch of ``rows`` rows at most about ``chunk_rows`` at a time.

    A row-by-row expectation gives the same figures summed over any split of the rows; a
    uniqueness expectation only over a split that keeps equal values together: the parts of
    the first uniqueness key's hash carry every expectation but the other keys' uniqueness,
    and each other key is validated on its own columns, split by its own hash. A suite with
    any other kind of expectation (an aggregate) is validated whole."""
    expectations = definition["expectations"]
    chunks = math.ceil(rows / chunk_rows) if chunk_rows > 0 else 1
    if chunks <= 1 or any(e["type"] not in _ROW_BY_ROW | _UNIQUENESS for e in expectations):
        return [ValidationPart(definition, tuple(range(len(expectations))), None)]
    by_key: dict[tuple[str, ...], list[int]] = {}
    for i, e in enumerate(expectations):
        if e["type"] in _UNIQUENESS:
            by_key.setdefault(_columns(e["kwargs"]), []).append(i)
    keys = list(by_key)
    main_key = keys[0] if keys else ()
    main = [i for i, e in enumerate(expectations) if e["type"] not in _UNIQUENESS or i in by_key.get(main_key, [])]
    parts = [ValidationPart(_subset(definition, main), tuple(main), None, main_key, chunks)]
    for key in keys[1:]:
        parts.append(ValidationPart(_subset(definition, by_key[key]), tuple(by_key[key]), key, key, chunks))
    return parts


def combine_outcomes(parts: list[ExpectationOutcome]) -> ExpectationOutcome:
    """One expectation's outcome over the whole batch from its outcomes over the parts, by GE's
    own rule: of the rows considered (evaluated less missing), the share unexpected may be at
    most 1 - mostly; none considered is a success."""
    if len(parts) == 1:
        return parts[0]
    first = parts[0]
    errored = next((p for p in parts if p.error is not None), None)
    if errored is not None:
        return errored
    evaluated = sum(p.evaluated or 0 for p in parts)
    unexpected = sum(p.unexpected or 0 for p in parts)
    missing = None if all(p.missing is None for p in parts) else sum(p.missing or 0 for p in parts)
    considered = evaluated - (missing or 0)
    success = considered == 0 or (considered - unexpected) / considered >= (first.mostly if first.mostly is not None else 1.0)
    sample: list[str] = []
    for value in (v for p in parts for v in p.sample):
        if value not in sample and len(sample) < SAMPLE_SIZE:
            sample.append(value)
    return replace(
        first,
        success=success,
        evaluated=evaluated,
        unexpected=unexpected,
        missing=missing,
        unexpected_percent=None if considered == 0 else unexpected / considered * 100,
        sample=tuple(sample),
    )


def _subset(definition: dict[str, Any], indexes: list[int]) -> dict[str, Any]:
    return {**definition, "expectations": [definition["expectations"][i] for i in indexes]}


def _quoted(column: str) -> str:
    return '"' + column.replace('"', '""') + '"'


def _nanosecond_datetimes(frame):
    """DuckDB hands timestamps and dates over as datetime64[us]; GE compares only datetime64[ns]
    columns vectorised (others value by value, 10x slower). Convert where every value fits in
    nanoseconds (years 1678-2261); a column holding a typo such as 9999-12-31 stays as it is."""
    import pandas as pd

    low, high = pd.Timestamp.min, pd.Timestamp.max
    for column in frame.columns:
        dtype = frame[column].dtype
        if pd.api.types.is_datetime64_dtype(dtype) and dtype != "datetime64[ns]":
            values = frame[column]
            if values.isna().all() or (values.min() >= low and values.max() <= high):
                frame[column] = values.astype("datetime64[ns]")
    return frame


def validate_frame(definition: dict[str, Any], frame, parameters: dict[str, Any] | None = None) -> list[ExpectationOutcome]:
    """Validate ``frame`` against a suite definition (the JSON of a suite file)."""
    import great_expectations as gx

    expectations = []
    for index, expectation in enumerate(definition["expectations"]):
        tagged = dict(expectation)
        tagged["meta"] = {**(expectation.get("meta") or {}), _INDEX_KEY: index}
        expectations.append(tagged)
    suite = gx.ExpectationSuite(name=definition["name"], expectations=expectations)
    batch = _batch_definition(definition["name"]).get_batch(batch_parameters={"dataframe": frame})
    result = batch.validate(suite, result_format=RESULT_FORMAT, expectation_parameters=parameters or {})

    by_index = {}
    for res in result.results:
        meta = res.expectation_config.meta or {}
        by_index[meta.get(_INDEX_KEY)] = res
    return [_outcome(i, expectation, by_index.get(i)) for i, expectation in enumerate(definition["expectations"])]


def _outcome(index: int, expectation: dict[str, Any], res) -> ExpectationOutcome:
    kwargs = expectation.get("kwargs", {})
    meta = expectation.get("meta") or {}
    common = dict(
        index=index,
        expectation_type=expectation["type"],
        columns=_columns(kwargs),
        severity=SEVERITIES.get(expectation.get("severity"), "ERROR"),
        rule=str(meta.get("rule", "")),
        mostly=kwargs.get("mostly"),
    )
    if res is None:
        return ExpectationOutcome(**common, success=False, error="Great Expectations returned no result for it")
    error = exception_message(res.exception_info)
    if error is not None:
        return ExpectationOutcome(**common, success=False, error=error)
    figures = res.result or {}
    if not res.success and not figures:
        # The symptom of a broken execution engine: a failure with no metric behind it.
        return ExpectationOutcome(**common, success=False, error="unsuccessful with no figures (no metric was computed)")
    unexpected_percent = figures.get("unexpected_percent")
    if isinstance(unexpected_percent, float) and math.isnan(unexpected_percent):
        unexpected_percent = None
    return ExpectationOutcome(
        **common,
        success=bool(res.success),
        evaluated=_int(figures.get("element_count")),
        unexpected=_int(figures.get("unexpected_count")),
        unexpected_percent=unexpected_percent,
        missing=_int(figures.get("missing_count")),
        observed=figures.get("observed_value"),
        sample=()
        if expectation["type"] == "expect_column_values_to_not_be_null"  # the values are all NULL
        else _sample(figures.get("partial_unexpected_list") or [], mask=bool(meta.get("mask_unexpected"))),
    )


def exception_message(exception_info: Any) -> str | None:
    """The message of a raised exception in an expectation's ``exception_info``, else None.

    GE gives either one flat dict or a dict of them keyed by metric.
    """
    if not exception_info:
        return None
    if isinstance(exception_info, dict) and "raised_exception" in exception_info:
        candidates = [exception_info]
    elif isinstance(exception_info, dict):
        candidates = [v for v in exception_info.values() if isinstance(v, dict)]
    else:
        candidates = [getattr(exception_info, "__dict__", {})]
    for info in candidates:
        if info.get("raised_exception"):
            return str(info.get("exception_message") or "an exception was raised").strip()
    return None


def _columns(kwargs: dict[str, Any]) -> tuple[str, ...]:
    if "column" in kwargs:
        return (kwargs["column"],)
    if "column_A" in kwargs:
        return (kwargs["column_A"], kwargs["column_B"])
    return tuple(kwargs.get("column_list", ()))


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


def _sample(values: list[Any], *, mask: bool) -> tuple[str, ...]:
    """A few distinct unexpected values, as text; masked (digits as #) for personal identifiers."""
    seen: list[str] = []
    for value in values:
        text = _text(value)
        if mask:
            text = re.sub(r"[0-9]", "#", text)
        if text not in seen:
            seen.append(text)
        if len(seen) == SAMPLE_SIZE:
            break
    return tuple(seen)


def _text(value: Any) -> str:
    if isinstance(value, (tuple, list)):
        return "(" + ", ".join(_text(v) for v in value) + ")"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_text(v)}" for k, v in value.items()) + "}"
    text = str(value)
    return text[:120]


def prepare() -> float:
    """Import Great Expectations and warm it up (once per process); the seconds it took."""
    started = time.perf_counter()
    with _PREPARING:
        _context()
    return time.perf_counter() - started


def prepare_in_background() -> None:
    """Start ``prepare`` in a thread: the step that needs it next finds it done (or waits).
    Should it fail there, that step's own ``prepare`` tries again and reports why."""

    def warm_up() -> None:
        try:
            prepare()
        except Exception:  # noqa: BLE001 - reported by the step's own call
            pass

    threading.Thread(target=warm_up, name="prepare-great-expectations", daemon=True).start()


@lru_cache(maxsize=1)
def _context():
    """One ephemeral (in-memory) GE context per process: no files, no analytics, no network."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )
    from great_expectations.execution_engine import pandas_execution_engine

    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    # GE fingerprints every pandas batch (an md5 over the whole frame, twice per validation:
    # ~90% of the run time on a million rows); the fingerprint is only a batch marker, unused
    # here. Frames at or above HASH_THRESHOLD bytes are not fingerprinted: make that all of them.
    pandas_execution_engine.HASH_THRESHOLD = 0
    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(),
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False),
    )
    context = gx.get_context(mode="ephemeral", project_config=config)
    _warm_up(context)
    return context


def _warm_up(context) -> None:
    """GE loads its metric providers on first use (several seconds): pay that here, once, so a
    suite's ``validate_seconds`` measures the suite."""
    import great_expectations as gx
    import pandas as pd

    source = context.data_sources.add_pandas("warm_up")
    batch = source.add_dataframe_asset("warm_up").add_batch_definition_whole_dataframe("whole").get_batch(
        batch_parameters={"dataframe": pd.DataFrame({"a": [1]})}
    )
    batch.validate(
        gx.ExpectationSuite(name="warm_up", expectations=[gx.expectations.ExpectColumnValuesToNotBeNull(column="a")]),
        result_format=RESULT_FORMAT,
    )


def _batch_definition(asset_name: str):
    context = _context()
    try:
        source = context.data_sources.get("warehouse_frames")
    except LookupError:
        source = context.data_sources.add_pandas("warehouse_frames")
    try:
        asset = source.get_asset(asset_name)
    except LookupError:
        asset = source.add_dataframe_asset(asset_name)
    try:
        return asset.get_batch_definition("whole")
    except LookupError:
        return asset.add_batch_definition_whole_dataframe("whole")
