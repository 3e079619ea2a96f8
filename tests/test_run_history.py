"""Dagster's run history (antismuggling.run_history): the event log keeps its SQLite files open
between events, and what it writes is what Dagster's own SQLite event log reads."""

from __future__ import annotations

import dagster as dg
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage

from antismuggling.config import load_settings
from antismuggling.refresh import prepare_dagster_home
from antismuggling.run_history import OPEN_SHARDS, PooledSqliteEventLogStorage


@dg.asset
def counted() -> dg.MaterializeResult:
    return dg.MaterializeResult(metadata={"n": 3})


def test_runs_recorded_through_the_pooled_event_log_read_back_in_dagsters_own(tmp_path, monkeypatch):
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "unused"))  # restored after: prepare sets it
    settings = load_settings().__class__(home=tmp_path / "home", ops_url=f"sqlite:///{tmp_path / 'ops.db'}")
    dagster_home = prepare_dagster_home(settings)

    with dg.DagsterInstance.get() as instance:
        assert isinstance(instance.event_log_storage, PooledSqliteEventLogStorage)
        run_ids = [dg.materialize([counted], instance=instance).run_id for _ in range(OPEN_SHARDS + 2)]
        assert len(instance.event_log_storage._engines) <= OPEN_SHARDS  # the oldest shards closed

    stock = SqliteEventLogStorage(str(dagster_home / "history" / "runs"))
    try:
        for run_id in run_ids:
            kinds = {e.dagster_event.event_type for e in stock.get_logs_for_run(run_id) if e.dagster_event}
            assert {dg.DagsterEventType.RUN_SUCCESS, dg.DagsterEventType.ASSET_MATERIALIZATION} <= kinds
        # the cross-run index (what the asset pages read) has the latest materialization
        latest = stock.get_latest_materialization_events([counted.key])[counted.key]
        assert latest.run_id == run_ids[-1]
        assert latest.asset_materialization.metadata["n"].value == 3
    finally:
        stock.dispose()
