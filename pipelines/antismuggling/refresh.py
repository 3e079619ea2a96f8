"""Run the whole pipeline once, in-process: load, build and test, publish."""

from __future__ import annotations

import json
import logging
import os
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from antismuggling.build_inputs import UpToDate, snapshot_is_current, up_to_date
from antismuggling.config import Settings, keep_files_private, make_private_dir, secure_home
from antismuggling.locks import RefreshError, refresh_lock  # noqa: F401 - the command line's names
from antismuggling.publish import mark_checked
from antismuggling.store.urls import redact_secrets

log = logging.getLogger(__name__)

# Compute logs are off: the console logger and the event log already hold every message, and
# capturing stdout makes Dagster start `tail` and a watcher per step, which outlive a killed
# refresh, and write copies of the output to files of their own. The storages are Dagster's
# SQLite defaults, in their default folders, but the event log keeps its files open
# (``antismuggling.run_history``).
DAGSTER_YAML = """\
# Written by antismuggling: run history lives here; nothing is reported outside.
telemetry:
  enabled: false
run_queue:
  max_concurrent_runs: 1
compute_logs:
  module: dagster._core.storage.noop_compute_log_manager
  class: NoOpComputeLogManager
run_storage:
  module: dagster._core.storage.runs
  class: SqliteRunStorage
  config:
    base_dir: "{home}/history/"
event_log_storage:
  module: antismuggling.run_history
  class: PooledSqliteEventLogStorage
  config:
    base_dir: "{home}/history/runs/"
schedule_storage:
  module: dagster._core.storage.schedules
  class: SqliteScheduleStorage
  config:
    base_dir: "{home}/schedules"
"""


@dataclass(frozen=True)
class RefreshOutcome:
    success: bool
    run_id: str
    failed_steps: list[str]
    error: str | None
    published: Path | None  # the snapshot this run published, if it got that far
    up_to_date: UpToDate | None = None  # set when nothing had changed: nothing was built


def prepare_dagster_home(settings: Settings) -> Path:
    keep_files_private()
    exposed = secure_home(settings.home)
    if exposed:
        log.warning(exposed.describe(settings.home))
    settings.ensure_dirs()
    config = settings.dagster_home / "dagster.yaml"
    # a JSON string is a YAML double-quoted one
    wanted = DAGSTER_YAML.format(home=json.dumps(str(settings.dagster_home.resolve()))[1:-1])
    if not config.exists() or config.read_text() != wanted:
        config.write_text(wanted)
    os.environ["DAGSTER_HOME"] = str(settings.dagster_home)
    return settings.dagster_home


def run_refresh(settings: Settings, *, full: bool = False) -> RefreshOutcome:
    """One refresh, recorded in the refresh log. An incremental refresh whose load would change
    nothing, on a warehouse the current snapshot was built from, stops there: no Dagster run,
    no build, no checks, no publication (``antismuggling.build_inputs``)."""
    started = datetime.now(timezone.utc)
    clock = time.perf_counter()
    outcome = None
    try:
        outcome = _refresh(settings, full=full)
        return outcome
    finally:
        _record(settings, started, time.perf_counter() - clock, full, outcome)


def refresh_log_path(settings: Settings) -> Path:
    return settings.home / "logs" / "refreshes.jsonl"


def _record(settings: Settings, started: datetime, seconds: float, full: bool, outcome: RefreshOutcome | None) -> None:
    """One line per refresh, appended: when, how long, and what came of it."""
    if outcome is None:
        result = "error"
    elif not outcome.success:
        result = "failed"
    elif outcome.published is not None:
        result = "published"
    else:  # nothing new: said so before Dagster started, or by the load
        result = "unchanged"
    entry = {
        "started_at": started.isoformat(timespec="seconds"),
        "seconds": round(seconds, 2),
        "mode": "full" if full else "incremental",
        "result": result,
        "run_id": (outcome.run_id or None) if outcome else None,
        "snapshot": _snapshot_name(outcome),
        "failed_steps": outcome.failed_steps if outcome else [],
    }
    path = refresh_log_path(settings)
    make_private_dir(path.parent)
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(entry) + "\n")


def _snapshot_name(outcome: RefreshOutcome | None) -> str | None:
    if outcome is None:
        return None
    snapshot = outcome.published or (outcome.up_to_date.snapshot if outcome.up_to_date else None)
    return snapshot.name if snapshot else None


def _refresh(settings: Settings, *, full: bool) -> RefreshOutcome:
    keep_files_private()
    settings.ensure_dirs()
    if not full:
        with refresh_lock(settings):
            unchanged = up_to_date(settings)
            if unchanged is not None:
                mark_checked(settings, unchanged.snapshot)
        if unchanged is not None:
            return RefreshOutcome(True, "", [], None, None, up_to_date=unchanged)

    import dagster as dg

    from antismuggling.defs.jobs import REFRESH_JOB_NAME
    from antismuggling.defs.project import export_dbt_environment
    from antismuggling.definitions import build_definitions
    from antismuggling.publish import current_snapshot_path

    prepare_dagster_home(settings)
    export_dbt_environment(settings)
    with refresh_lock(settings):
        before = current_snapshot_path(settings)
        definitions = build_definitions(settings)
        job = definitions.resolve_job_def(REFRESH_JOB_NAME)
        with dg.DagsterInstance.get() as instance:
            result = job.execute_in_process(
                instance=instance,
                run_config={
                    "ops": {"load_operational_store": {"config": {"full": full}}},
                    "loggers": {"console": {"config": {"log_level": "INFO"}}},
                },
                raise_on_error=False,
            )
        after = current_snapshot_path(settings)
    failed = [event.step_key for event in result.all_events if event.is_step_failure]
    published = after if after != before else None
    # the look above could not tell (the store unreadable a moment, say) and the load found
    # nothing new: Dagster skipped the rest
    unchanged = snapshot_is_current(settings) if result.success and published is None else None
    return RefreshOutcome(result.success, result.run_id, failed, _first_error(result, settings.ops_url), published,
                          up_to_date=unchanged)


def _first_error(result, ops_url: str) -> str | None:
    """The root cause of the first failed step, not Dagster's wrapper around it."""
    for event in result.all_events:
        if event.is_step_failure and event.step_failure_data and event.step_failure_data.error:
            error = event.step_failure_data.error
            while error.cause is not None:
                error = error.cause
            return redact_secrets(error.message.strip(), [ops_url])  # a second guard: raises redact already
    return None
