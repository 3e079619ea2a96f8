"""Dagster's run history, kept in the same SQLite files, written without reopening them per event.

Dagster's SQLite event log opens a new engine and connection for every event it stores and
closes them again, and each close of a WAL database checkpoints it: a dbt build of 280 nodes
stores ~1,000 events, and this took ~10 s of a 10k-case refresh, while dbt waited on the pipe
Dagster was not reading. Here each shard keeps one engine whose connections stay open, and
commits do not wait for the disk (``synchronous=NORMAL``: in WAL mode the file stays
consistent; a power cut may lose the last events, never corrupt the history). With the
connection open, a commit writes only the shard's write-ahead log until a checkpoint, so a
process following a run (the Dagster UI) watches that file too.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator, Mapping
import threading
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    SqliteEventLogStorage, SqliteEventLogStorageWatchdog,
)
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from sqlalchemy.engine import Connection, Engine
from watchdog.observers import Observer

# how long after a file event the watcher reads again (see _ShardWatchdog)
SETTLE_SECONDS = 0.25

# a process reading many runs (the Dagster UI) keeps only the most recently used shards open
OPEN_SHARDS = 8


class PooledSqliteEventLogStorage(SqliteEventLogStorage):
    """``SqliteEventLogStorage`` (same files, same layout, readable by stock Dagster) with one
    pooled engine per shard."""

    def __init__(self, base_dir: str, inst_data: Any = None):
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        self._tables_found: set[str] = set()
        super().__init__(base_dir, inst_data=inst_data)

    @classmethod
    def from_config_value(cls, inst_data: Any, config_value: Mapping[str, Any]) -> PooledSqliteEventLogStorage:
        return cls(inst_data=inst_data, **config_value)

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock:
            engine = self._engine(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

    def _engine(self, shard: str) -> Engine:
        engine = self._engines.get(shard)
        if engine is not None:
            self._engines.move_to_end(shard)
            return engine
        engine = sa.create_engine(
            self.conn_string_for_shard(shard),
            poolclass=sa.pool.QueuePool, pool_size=1, max_overflow=4,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
        )
        sa.event.listen(engine, "connect", _commit_without_fsync)
        if shard not in self._initialized_dbs:
            self._initdb(engine)
            self._initialized_dbs.add(shard)
        self._engines[shard] = engine
        while len(self._engines) > OPEN_SHARDS:
            _, oldest = self._engines.popitem(last=False)
            oldest.dispose()
        return engine

    def has_table(self, table_name: str) -> bool:
        # Dagster asks before every asset check event it stores (a new engine and a schema
        # query each time: a third of the cost of storing the event). A table once there
        # stays until wipe.
        if table_name in self._tables_found:
            return True
        found = super().has_table(table_name)
        if found:
            self._tables_found.add(table_name)
        return found

    def watch(self, run_id: str, cursor: str | None, callback) -> None:
        if not self._obs:
            self._obs = Observer()
            self._obs.start()
        watchdog = _ShardWatchdog(self, run_id, callback, cursor)
        self._watchers[run_id][callback] = (watchdog, self._obs.schedule(watchdog, self._base_dir, recursive=True))

    def wipe(self) -> None:
        self._close_engines()  # the files go: no connection may write to them after
        self._tables_found.clear()
        super().wipe()

    def dispose(self) -> None:
        super().dispose()
        self._close_engines()

    def _close_engines(self) -> None:
        with self._db_lock:
            while self._engines:
                self._engines.popitem()[1].dispose()


class _ShardWatchdog(SqliteEventLogStorageWatchdog):
    """Dagster's watcher of a run's shard, woken by its write-ahead log as well.

    A commit writes its frames to the log (the file event) before it publishes them in the
    shared-memory index, so a read woken by the event can miss the commit; if it is the run's
    last for a while nothing would wake the watcher again. Each event therefore also arms one
    read a moment later."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._patterns = [self._log_path, f"{self._log_path}-wal"]
        self._reading = threading.Lock()
        self._arming = threading.Lock()
        self._settle_read: threading.Timer | None = None

    def on_modified(self, event) -> None:
        self._read_new_events()
        with self._arming:  # one pending read: a burst of commits re-arms it
            if self._settle_read is not None:
                self._settle_read.cancel()
            self._settle_read = threading.Timer(SETTLE_SECONDS, self._read_new_events)
            self._settle_read.daemon = True
            self._settle_read.start()

    def _read_new_events(self) -> None:
        with self._reading:  # the observer's thread and the timer's must not deliver twice
            self._process_log()


def _commit_without_fsync(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
