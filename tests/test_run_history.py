"""Dagster's run history (antismuggling.run_history): the event log keeps its SQLite files open
between events, and what it writes is what Dagster's own SQLite event log reads."""

from __future__ import annotations

import logging
import time

import dagster as dg
from dagster._core.events.log import EventLogEntry
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage

from antismuggling.config import load_settings
from antismuggling.refresh import prepare_dagster_home
from antismuggling.run_history import OPEN_SHARDS, PooledSqliteEventLogStorage, _ShardWatchdog


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


def test_a_run_written_by_one_process_is_followed_live_by_another(tmp_path):
    """A writer keeps its connection open, so its commits land in the write-ahead log alone: a
    reader watching the run (as the Dagster UI does) must see each event as it is stored."""
    writer = PooledSqliteEventLogStorage(str(tmp_path))
    reader = PooledSqliteEventLogStorage(str(tmp_path))
    seen: list[str] = []
    try:
        writer.store_event(_message("run-1", "first"))
        reader.watch("run-1", None, lambda entry, _cursor: seen.append(entry.user_message))
        for text in ("second", "third"):
            writer.store_event(_message("run-1", text))
            deadline = time.monotonic() + 10
            while text not in seen and time.monotonic() < deadline:
                time.sleep(0.05)
            assert text in seen, f"the watcher did not see {text!r}: {seen}"
        assert (tmp_path / "run-1.db-wal").exists()  # the commits went to the log, the file stayed open
    finally:
        reader.dispose()
        writer.dispose()


def test_a_watcher_woken_before_a_commit_is_visible_reads_it_a_moment_later(tmp_path):
    """A commit's file event can arrive before the commit is readable; the run's last event
    must not wait for another event that may never come."""
    writer = PooledSqliteEventLogStorage(str(tmp_path))
    reader = PooledSqliteEventLogStorage(str(tmp_path))
    seen: list[str] = []
    try:
        writer.store_event(_message("run-1", "first"))
        watcher = _ShardWatchdog(reader, "run-1", lambda entry, _cursor: seen.append(entry.user_message), None)
        watcher.on_modified(None)  # the event of a commit not yet published
        writer.store_event(_message("run-1", "last"))  # and no event after it
        deadline = time.monotonic() + 5
        while "last" not in seen and time.monotonic() < deadline:
            time.sleep(0.05)
        assert seen == ["first", "last"]  # each once, though two threads read
    finally:
        reader.dispose()
        writer.dispose()


def _message(run_id: str, text: str) -> EventLogEntry:
    return EventLogEntry(error_info=None, level=logging.INFO, user_message=text, run_id=run_id, timestamp=time.time())
