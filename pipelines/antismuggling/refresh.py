"""Run the whole pipeline once, in-process: load, build and test, publish."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

import dagster as dg

from antismuggling.config import Settings, keep_files_private, secure_home
from antismuggling.locks import RefreshError, refresh_lock  # noqa: F401 - the command line's names
from antismuggling.store.urls import redact_secrets

log = logging.getLogger(__name__)

# Compute logs are off: the console logger and the event log already hold every message, and
# capturing stdout makes Dagster start `tail` and a watcher per step, which outlive a killed
# refresh, and write copies of the output to files of their own.
DAGSTER_YAML = """\
# Written by antismuggling: run history lives here; nothing is reported outside.
telemetry:
  enabled: false
run_queue:
  max_concurrent_runs: 1
compute_logs:
  module: dagster._core.storage.noop_compute_log_manager
  class: NoOpComputeLogManager
"""


@dataclass(frozen=True)
class RefreshOutcome:
    success: bool
    run_id: str
    failed_steps: list[str]
    error: str | None
    published: Path | None  # the snapshot this run published, if it got that far


def prepare_dagster_home(settings: Settings) -> Path:
    keep_files_private()
    exposed = secure_home(settings.home)
    if exposed:
        log.warning(exposed.describe(settings.home))
    settings.ensure_dirs()
    config = settings.dagster_home / "dagster.yaml"
    if not config.exists() or config.read_text() != DAGSTER_YAML:
        config.write_text(DAGSTER_YAML)
    os.environ["DAGSTER_HOME"] = str(settings.dagster_home)
    return settings.dagster_home


def run_refresh(settings: Settings, *, full: bool = False) -> RefreshOutcome:
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
    return RefreshOutcome(result.success, result.run_id, failed, _first_error(result, settings.ops_url), published)


def _first_error(result, ops_url: str) -> str | None:
    """The root cause of the first failed step, not Dagster's wrapper around it."""
    for event in result.all_events:
        if event.is_step_failure and event.step_failure_data and event.step_failure_data.error:
            error = event.step_failure_data.error
            while error.cause is not None:
                error = error.cause
            return redact_secrets(error.message.strip(), [ops_url])  # a second guard: raises redact already
    return None
