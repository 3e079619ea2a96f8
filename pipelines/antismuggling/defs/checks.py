"""Asset checks: expectation suites on the raw tables and the marts, and the reconciliation.

- ``raw/<table>``, check ``expectations``: the source suites (``expectations/source``) on the
  rows the last load brought in: the whole table after a full load, the rows an incremental
  load read (updated_at on or after the previous watermark minus the load's overlap) after an
  incremental one. The metadata says which.
- ``marts/<mart>``, check ``expectations``: the mart suites (``expectations/marts``) on every
  row of the mart as built in the warehouse.
- ``published/marts``, check ``reconciliation``: source live rows = mart rows + quarantined
  rows, and value totals to the paisa (``antismuggling.quality.reconciliation``).

None of them blocks anything (``blocking=False``): data problems are what the warehouse
quarantines or flags, so a failed check is reported (WARN for a soft rule, ERROR for a hard
one) and the refresh still publishes. An exception inside a check (an expectation that raises,
a batch query that fails, an unreadable warehouse) fails the check's step: that is an error of
the check, never reported as a data failure.

Each suite run also leaves its expectations' figures in the build warehouse
(``quality.expectation_results``, replaced suite by suite: ``antismuggling.quality.results``),
which publication copies into the snapshot as ``meta.expectation_results``. The suite steps
run after the dbt step (Great Expectations imports while dbt runs) and before publication
(``dagster/priority``), so a snapshot carries the results of its own refresh.
"""


import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

import dagster as dg
import duckdb

from antismuggling import changes
from antismuggling.config import DEFAULT_CHECK_MEMORY_LIMIT, PROJECT_ROOT
from antismuggling.defs.assets.publish import PUBLISHED_KEY
from antismuggling.defs.resources import WarehouseResource
from antismuggling.quality.suites import SuiteSpec, load_suites

EXPECTATIONS_CHECK = "expectations"
RECONCILIATION_CHECK = "reconciliation"
SOURCE_CHECKS_NAME = "source_expectations"
MART_CHECKS_NAME = "mart_expectations"
SEVERITY = {"ERROR": dg.AssetCheckSeverity.ERROR, "WARN": dg.AssetCheckSeverity.WARN}
# Among the steps ready at once, the suites go first: the mart suites and the publication both
# wait only for the marts, and the publication copies the results the suites leave.
SUITE_STEP_PRIORITY = {"dagster/priority": "10"}


def connect_read_only(path: Path, memory_limit: str = DEFAULT_CHECK_MEMORY_LIMIT) -> duckdb.DuckDBPyConnection:
    if not path.is_file():
        raise FileNotFoundError(f"the warehouse {path} does not exist: nothing was loaded yet")
    from antismuggling.ingest import build_connection_config
    from antismuggling.publish import attach_next_snapshot

    # a suite's batch waits in DuckDB (quality.runner), spilling beside the build's
    con = duckdb.connect(str(path), read_only=True, config=build_connection_config(path, memory_limit))
    con.execute("set TimeZone = 'UTC'")
    attach_next_snapshot(con, path, read_only=True)  # the marts' suites read marts.<table>
    return con


# ---------------------------------------------------------------------------------------------
# Which rows a source suite validates


@dataclass(frozen=True)
class BatchScope:
    since: date | None  # None: the whole table
    description: str
    load: dict[str, object] = field(default_factory=dict)  # figures of the load the rows came from
    rebuilt_only: bool = False  # a mart's batch: the rows the last build rebuilt


def source_batch_scope(instance: dg.DagsterInstance, key: dg.AssetKey) -> BatchScope:
    """The rows of ``raw/<table>`` that the latest load brought in.

    A full load: every row. An incremental load read the rows updated on or after the
    previous load's watermark minus the overlap (``antismuggling.ingest``); those rows are
    the batch (a superset of the rows it changed). Without the previous load's watermark the
    whole table is validated.
    """
    from antismuggling.ingest import OVERLAP

    records = instance.fetch_materializations(key, limit=2).records
    if not records:
        return BatchScope(None, "whole table (no load of it is recorded)")
    latest = _plain(records[0].asset_materialization.metadata)
    load = {f"load_{k}": latest[k] for k in ("mode", "rows_read", "rows_changed", "rows_total") if k in latest}
    load["load_run_id"] = records[0].run_id
    if latest.get("mode") != "incremental":
        return BatchScope(None, f"whole table (the last load was {latest.get('mode', 'unknown')})", load)
    previous = _parse_date(_plain(records[1].asset_materialization.metadata).get("watermark_date")) if len(records) > 1 else None
    if previous is None:
        return BatchScope(None, "whole table (incremental load, but the previous watermark is unknown)", load)
    since = previous - OVERLAP
    return BatchScope(
        since,
        f"rows the last incremental load read: updated_at on or after {since} "
        f"(previous watermark {previous} minus the {OVERLAP.days}-day overlap)",
        load,
    )


def _plain(metadata: dict) -> dict[str, object]:
    return {k: getattr(v, "value", v) for k, v in (metadata or {}).items()}


def _parse_date(value) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value not in (None, "", "None") else None
    except ValueError:
        return None


def mart_batch_scope(con: duckdb.DuckDBPyConnection, spec: SuiteSpec) -> BatchScope:
    """The rows of a mart a suite validates: every row, but for a mart rebuilt by key
    (``meta.rebuilt_only``) after a build that rebuilt only the changed cases, the rows that
    build rebuilt (the rest stand as validated when they were built)."""
    if not spec.rebuilt_only or changes.built_mode(con) != changes.CHANGED_CASES:
        return BatchScope(None, "whole mart")
    return BatchScope(None, spec.rebuilt_only, rebuilt_only=True)


# ---------------------------------------------------------------------------------------------
# Suite outcome -> check result

_TABLE_SCHEMA = dg.TableSchema(
    columns=[
        dg.TableColumn("expectation", "string"),
        dg.TableColumn("severity", "string", description="ERROR: hard rule; WARN: soft rule"),
        dg.TableColumn("success", "bool"),
        dg.TableColumn("evaluated", "int", description="rows looked at"),
        dg.TableColumn("unexpected", "int"),
        dg.TableColumn("unexpected_percent", "float", description="of the non-missing values"),
        dg.TableColumn("mostly", "float", description="share that must meet the rule"),
        dg.TableColumn("sample", "string", description="a few unexpected values"),
        dg.TableColumn("rule", "string"),
    ]
)


def suite_check_result(spec: SuiteSpec, outcome, scope: BatchScope) -> dg.AssetCheckResult:
    """One check result for one suite run, its figures as metadata."""
    expectations = outcome.expectations
    failures = outcome.failures
    hard = [e for e in failures if e.severity == "ERROR"]
    soft = [e for e in failures if e.severity == "WARN"]
    successful = len(expectations) - len(failures)
    metadata: dict[str, object] = {
        "suite": spec.name,
        "suite_file": str(spec.path.relative_to(PROJECT_ROOT)) if spec.path.is_relative_to(PROJECT_ROOT) else str(spec.path),
        "scope": f"{spec.scope}; {scope.description}",
        **({"batch_since": str(scope.since) if scope.since else "whole table"} if spec.layer == "source" else {}),
        "rows_validated": dg.MetadataValue.int(outcome.rows),
        "evaluated_expectations": len(expectations),
        "successful_expectations": successful,
        "unsuccessful_expectations": len(failures),
        "success_percent": dg.MetadataValue.float(round(100.0 * successful / len(expectations), 2) if expectations else 100.0),
        "hard_rules_failed": len(hard),
        "soft_rules_failed": len(soft),
        "expectations": dg.MetadataValue.table(
            records=[
                _record(
                    {
                        "expectation": e.label,
                        "severity": e.severity,
                        "success": e.success,
                        "evaluated": e.evaluated,
                        "unexpected": e.unexpected,
                        "unexpected_percent": None if e.unexpected_percent is None else round(e.unexpected_percent, 4),
                        "mostly": e.mostly,
                        "sample": " | ".join(e.sample)
                        if e.sample
                        else (None if e.observed is None else f"observed {e.observed}"),
                        "rule": e.rule,
                    }
                )
                for e in expectations
            ],
            schema=_TABLE_SCHEMA,
        ),
        # One number per expectation, so the UI can plot them refresh after refresh.
        **_unexpected_counts(expectations),
        "read_seconds": outcome.read_seconds,
        "validate_seconds": outcome.validate_seconds,
        **scope.load,
    }
    if failures:
        description = f"{len(failures)} of {len(expectations)} expectations unsuccessful on {outcome.rows:,} rows: " + "; ".join(
            f"[{e.severity}] {e.label}: {e.unexpected if e.unexpected is not None else '?'} unexpected"
            + (f" ({e.unexpected_percent:.3f}%)" if e.unexpected_percent is not None else "")
            for e in failures
        )
    else:
        description = f"all {len(expectations)} expectations met on {outcome.rows:,} rows"
    return dg.AssetCheckResult(
        asset_key=dg.AssetKey(list(spec.asset_key)),
        check_name=EXPECTATIONS_CHECK,
        passed=outcome.passed,
        severity=SEVERITY[outcome.severity],
        metadata=metadata,
        description=description[:2000],
    )


def _record(values: dict[str, object]) -> dg.TableRecord:
    """Every record carries every column: a missing figure is 0 (GE's ``mostly`` defaults to 1)."""
    defaults = {"evaluated": 0, "unexpected": 0, "unexpected_percent": 0.0, "mostly": 1.0}
    return dg.TableRecord({k: defaults.get(k, "") if v is None else v for k, v in values.items()})


def _unexpected_counts(expectations) -> dict[str, dg.MetadataValue]:
    counts: dict[str, dg.MetadataValue] = {}
    for e in expectations:
        if e.unexpected is None:
            continue
        key = f"unexpected {e.label}"
        if key in counts:
            key = f"{key} #{e.index}"
        counts[key] = dg.MetadataValue.int(e.unexpected)
    return counts


class ChecksErrored(Exception):
    """Some suites could not be evaluated; their checks error instead of reporting a result."""


def build_suite_checks(name: str, suites: list[SuiteSpec], *, source: bool) -> dg.AssetChecksDefinition:
    """One step running every suite of a layer (one DuckDB connection, one GE context)."""
    specs = [
        dg.AssetCheckSpec(
            EXPECTATIONS_CHECK,
            asset=dg.AssetKey(list(spec.asset_key)),
            blocking=False,
            description=f"Great Expectations suite `{spec.name}` ({spec.expectation_count} expectations): {spec.scope}.",
        )
        for spec in suites
    ]

    @dg.multi_asset_check(
        specs=specs,
        name=name,
        can_subset=True,
        op_tags=SUITE_STEP_PRIORITY,
        description=(
            "Expectation suites of the source tables, on the rows the last load brought in."
            if source
            else "Expectation suites of the marts, on every row as built (a case-scoped mart after a "
            "build of the changed cases: on the rows of those cases)."
        ),
    )
    def _suite_checks(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource) -> Iterator[dg.AssetCheckResult]:
        from antismuggling.quality.results import error_rows, outcome_rows
        from antismuggling.quality.runner import prepare, run_suite

        selected = {check_key.asset_key for check_key in context.selected_asset_check_keys}
        errors: list[str] = []
        results: list[dict[str, object]] = []
        ran: list[str] = []
        run_id = context.run.run_id
        context.log.info(f"Great Expectations ready in {prepare():.1f} s")
        con = connect_read_only(warehouse.settings.warehouse_path, warehouse.settings.check_memory_limit)
        try:
            for spec in suites:
                key = dg.AssetKey(list(spec.asset_key))
                if key not in selected:
                    continue
                ran.append(spec.name)
                run_at = datetime.now(timezone.utc).replace(tzinfo=None)
                scope = None
                try:
                    scope = source_batch_scope(context.instance, key) if source else mart_batch_scope(con, spec)
                    outcome = run_suite(spec, con, batch_since=scope.since, rebuilt_only=scope.rebuilt_only)
                except Exception as exc:  # the check errors; the other suites still report
                    errors.append(f"{spec.name}: {type(exc).__name__}: {exc}")
                    context.log.error(f"suite {spec.name} could not run: {type(exc).__name__}: {exc}")
                    results += error_rows(
                        spec, f"{type(exc).__name__}: {exc}", batch=scope.description if scope else "unknown",
                        run_id=run_id, run_at=run_at,
                    )
                    continue
                results += outcome_rows(spec, outcome, batch=scope.description, run_id=run_id, run_at=run_at)
                if outcome.errors:
                    message = "; ".join(f"{e.label}: {e.error}" for e in outcome.errors)
                    errors.append(f"{spec.name}: {len(outcome.errors)} expectation(s) raised: {message}")
                    context.log.error(f"suite {spec.name}: expectations raised: {message}")
                    continue
                context.log.info(
                    f"{spec.name}: {outcome.rows:,} rows, {len(outcome.failures)} of {len(outcome.expectations)} "
                    f"expectations unsuccessful ({outcome.read_seconds:.1f} s read, {outcome.validate_seconds:.1f} s validate)"
                )
                yield suite_check_result(spec, outcome, scope)
        finally:
            con.close()
        save_suite_results(
            warehouse.settings, results, suites_run=ran, layer=suites[0].layer, known_suites=[s.name for s in suites]
        )
        context.log.info(f"{len(results)} expectation results of {len(ran)} suites kept for publication")
        if errors:
            raise ChecksErrored("; ".join(errors))

    return _suite_checks


def save_suite_results(settings, rows, *, suites_run, layer: str, known_suites) -> None:
    """Keep a step's expectation results in the build warehouse, for the publication to copy
    (under the refresh lock: the warehouse has one writer at a time)."""
    from antismuggling.ingest import connect_warehouse
    from antismuggling.locks import refresh_lock
    from antismuggling.quality.results import save_results

    with refresh_lock(settings):
        con = connect_warehouse(settings.warehouse_path)
        try:
            save_results(con, rows, suites_run=suites_run, layer=layer, known_suites=known_suites)
        finally:
            con.close()


# ---------------------------------------------------------------------------------------------
# Reconciliation


@dg.asset_check(
    asset=PUBLISHED_KEY,
    name=RECONCILIATION_CHECK,
    blocking=False,
    description=(
        "Source live rows = mart rows + quarantined rows (cases, items, vehicles, persons), and the "
        "value totals equal the source's to the paisa; source side from the raw layer, mart side "
        "from the published snapshot."
    ),
)
def reconciliation_check(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource) -> dg.AssetCheckResult:
    from antismuggling.publish import connect_published

    settings = warehouse.settings
    started = time.perf_counter()
    raw = connect_read_only(settings.warehouse_path, settings.check_memory_limit)
    try:
        marts = connect_published(settings)
        try:
            snapshot = marts.execute("select snapshot_name from meta.publish_info").fetchone()[0]
            result = run_reconciliation(raw, marts)
        finally:
            marts.close()
    finally:
        raw.close()
    return reconciliation_result(result, snapshot=snapshot, seconds=time.perf_counter() - started)


def run_reconciliation(raw: duckdb.DuckDBPyConnection, marts: duckdb.DuckDBPyConnection):
    from antismuggling.quality.reconciliation import reconcile

    return reconcile(raw, marts)


def reconciliation_result(result, *, snapshot: str, seconds: float) -> dg.AssetCheckResult:
    problems = result.problems
    return dg.AssetCheckResult(
        passed=result.passed,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            "snapshot": snapshot,
            **result.metadata(),
            "problems": dg.MetadataValue.md("\n".join(f"- {p}" for p in problems) if problems else "none"),
            "notes": "; ".join(result.notes) or "none",
            "seconds": round(seconds, 3),
        },
        description=("; ".join(problems) if problems else "the published marts reconcile with the source")[:2000],
    )


# ---------------------------------------------------------------------------------------------


def build_quality_checks(asset_keys: Iterable[dg.AssetKey]) -> list[dg.AssetChecksDefinition]:
    """The checks for the assets that exist: a suite whose asset is not defined is left out
    (``unmatched_suites`` lists them; a test keeps the two in step)."""
    present = set(asset_keys)
    suites = load_suites()
    source = [s for s in suites if s.layer == "source" and dg.AssetKey(list(s.asset_key)) in present]
    marts = [s for s in suites if s.layer == "marts" and dg.AssetKey(list(s.asset_key)) in present]
    checks = []
    if source:
        checks.append(build_suite_checks(SOURCE_CHECKS_NAME, source, source=True))
    if marts:
        checks.append(build_suite_checks(MART_CHECKS_NAME, marts, source=False))
    if PUBLISHED_KEY in present:
        checks.append(reconciliation_check)
    return checks


def unmatched_suites(asset_keys: Iterable[dg.AssetKey]) -> list[str]:
    present = set(asset_keys)
    return [s.name for s in load_suites() if dg.AssetKey(list(s.asset_key)) not in present]
