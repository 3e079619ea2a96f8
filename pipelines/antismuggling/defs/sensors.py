"""Sensors: start a refresh when the operational store's watermark moves.

Every minute at most, ``source_watermark_sensor`` reads the largest ``updated_at`` of each
contract table from the store (one indexed look-up per table: every edit, soft delete
included, bumps ``updated_at``), keeps it in the sensor cursor, and requests a ``refresh`` run
(incremental) when it moved. It never starts a run while another refresh run is queued or in
progress; the change is picked up on a later tick, after that run.

The watermark ignores timestamps more than a day in the future (typos such as 2206 would
otherwise pin it), like the incremental load does. In SQLite the text formats are mixed
(``YYYY-MM-DD HH:MM:SS``, ``...THH:MM:SS``, ``Z``, ``+00:00``), so the text maximum is only used
to find the latest day; the maximum is then taken over that day's rows, normalised.

With no cursor yet (a new deployment, a reset sensor), the store's watermark is compared with
the one the current published snapshot was built from: a run starts only when the store is
ahead of it (or nothing is published).
"""


import hashlib
import json
import sqlite3
from datetime import datetime, timedelta, timezone

import dagster as dg

from antismuggling.defs.jobs import refresh_job
from antismuggling.defs.resources import WarehouseResource
from antismuggling.ingest import SourceError
from antismuggling.store.schema import TABLES
from antismuggling.store.urls import parse_store_url, redact_secrets, redact_url

SENSOR_NAME = "source_watermark_sensor"
MINIMUM_INTERVAL_SECONDS = 60
CONNECT_TIMEOUT_SECONDS = 10
FUTURE_TOLERANCE = timedelta(days=1)
IN_PROGRESS_STATUSES = [
    dg.DagsterRunStatus.QUEUED,
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
    dg.DagsterRunStatus.CANCELING,
]

Watermark = dict[str, str | None]  # table -> latest updated_at, UTC, "YYYY-MM-DD HH:MM:SS"


def read_source_watermark(ops_url: str, *, now: datetime | None = None) -> Watermark:
    """The latest plausible ``updated_at`` of every contract table (None for an empty table).

    Raises ``SourceError`` when the store cannot be reached or lacks a contract table.
    """
    store = parse_store_url(ops_url)
    bound = ((now or datetime.now(timezone.utc)) + FUTURE_TOLERANCE + timedelta(days=1)).date().isoformat()
    try:
        if store.kind == "sqlite":
            return _sqlite_watermark(store.path, bound)
        return _postgres_watermark(store.dsn, bound)
    except SourceError:
        raise
    except Exception as exc:  # driver errors of either engine
        # Redacted, and nothing chained: the sensor's skip reason and log go to the run history.
        reason = redact_secrets(str(exc), [ops_url])
        raise SourceError(f"cannot read the operational store {redact_url(ops_url)}: {reason}") from None


def _sqlite_watermark(path, bound: str) -> Watermark:
    if not path.is_file():
        raise SourceError(f"the SQLite operational store {path} does not exist")
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=CONNECT_TIMEOUT_SECONDS)
    try:
        marks: Watermark = {}
        for table in TABLES:
            # Text max over the index: the latest *day* whatever the format ...
            (latest_text,) = con.execute(
                f'select max(updated_at) from "{table}" where updated_at < ?', [bound]
            ).fetchone()
            if latest_text is None:
                marks[table] = None
                continue
            # ... then that day's rows, formats normalised (T -> space, zone and fraction dropped).
            (latest,) = con.execute(
                f"select max(replace(substr(updated_at, 1, 19), 'T', ' ')) from \"{table}\" "
                "where updated_at >= ? and updated_at < ?",
                [str(latest_text)[:10], bound],
            ).fetchone()
            marks[table] = latest
        return marks
    finally:
        con.close()


def _postgres_watermark(dsn: str, bound: str) -> Watermark:
    import psycopg

    query = " union all ".join(
        f"select '{table}', to_char(max(updated_at) at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS') "
        f"from {table} where updated_at < %(bound)s::date"
        for table in TABLES
    )
    with psycopg.connect(dsn, connect_timeout=CONNECT_TIMEOUT_SECONDS, options="-c TimeZone=UTC") as con:
        con.read_only = True
        rows = con.execute(query, {"bound": bound}).fetchall()
    return {table: latest for table, latest in rows}


def latest_of(watermark: Watermark) -> str | None:
    values = [v for v in watermark.values() if v]
    return max(values) if values else None


def encode_cursor(watermark: Watermark) -> str:
    return json.dumps(watermark, sort_keys=True, separators=(",", ":"))


def decode_cursor(cursor: str | None) -> Watermark | None:
    if not cursor:
        return None
    try:
        value = json.loads(cursor)
    except json.JSONDecodeError:
        return None
    return value if isinstance(value, dict) else None


def run_key_for(watermark: Watermark) -> str:
    """The new watermark, readable (its latest timestamp) and exact (a digest of every table's)."""
    digest = hashlib.sha256(encode_cursor(watermark).encode()).hexdigest()[:12]
    return f"source-watermark {latest_of(watermark)} {digest}"


def published_watermark(settings) -> str | None:
    """The source watermark the current published snapshot was built from, if any."""
    import duckdb

    from antismuggling.publish import current_snapshot_path

    path = current_snapshot_path(settings)
    if path is None:
        return None
    try:
        con = duckdb.connect(str(path), read_only=True)
        try:
            details = con.execute("select details from meta.publish_info").fetchone()[0]
        finally:
            con.close()
        value = json.loads(details).get("source_watermark")
    except (duckdb.Error, ValueError, TypeError, AttributeError):  # unreadable: no baseline, so a run
        return None
    if not value:
        return None
    return str(value).replace("T", " ")[:19]


def in_progress_refresh_runs(instance: dg.DagsterInstance) -> list[str]:
    records = instance.get_run_records(
        filters=dg.RunsFilter(job_name=refresh_job.name, statuses=IN_PROGRESS_STATUSES), limit=5
    )
    return [record.dagster_run.run_id for record in records]


@dg.sensor(
    name=SENSOR_NAME,
    job=refresh_job,
    minimum_interval_seconds=MINIMUM_INTERVAL_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=(
        "Starts an incremental refresh when the operational store's watermark (latest updated_at "
        "per contract table) moves; never while another refresh run is queued or in progress."
    ),
)
def source_watermark_sensor(context: dg.SensorEvaluationContext, warehouse: WarehouseResource):
    settings = warehouse.settings
    try:
        watermark = read_source_watermark(settings.ops_url)
    except (SourceError, ValueError) as exc:
        context.log.warning(str(exc))
        return dg.SkipReason(f"operational store unreachable, no run started: {exc}")
    latest = latest_of(watermark)
    previous = decode_cursor(context.cursor)

    if previous is None:
        published = published_watermark(settings)
        if published is not None and latest is not None and latest <= published:
            context.update_cursor(encode_cursor(watermark))
            return dg.SkipReason(
                f"first evaluation: the published marts are up to date with the store (watermark {latest}); "
                "a run starts when it moves"
            )
    elif previous == watermark:
        return dg.SkipReason(f"source watermark unchanged ({latest})")

    running = in_progress_refresh_runs(context.instance)
    if running:
        # The cursor stays put: the move is seen again once the run is over.
        return dg.SkipReason(
            f"the source watermark moved to {latest}, but refresh run {', '.join(running)} is queued or "
            "in progress; a run starts after it"
        )
    changed = sorted(t for t in watermark if (previous or {}).get(t) != watermark[t])
    context.update_cursor(encode_cursor(watermark))
    return dg.RunRequest(
        run_key=run_key_for(watermark),
        tags={
            "antismuggling/trigger": SENSOR_NAME,
            "antismuggling/source_watermark": str(latest),
            "antismuggling/changed_tables": ",".join(changed)[:200],
        },
    )
