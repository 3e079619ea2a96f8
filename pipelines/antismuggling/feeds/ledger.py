"""The delivery ledger: what each destination holds, and every delivery ever attempted.

One SQLite file, ``<home>/feeds/ledger.db``, outside the warehouse and the published
snapshots, so a rebuild of either leaves it alone. Tables:

- ``deliveries``: one row per attempt: feed, destination, seq, previous_seq, mode,
  created_at / finished_at (UTC), snapshot, source watermark, folder name, where it went,
  rows by op (and per entity, JSON), the manifest's SHA-256, status, who started it, error.
  Status ``pending`` (files complete, not yet known to be in place), ``delivered``,
  ``failed`` (never left; its seq is reused), ``abandoned`` (a pending attempt found
  incomplete after a crash; never visible to the partner). seq is unique per feed and
  destination among pending and delivered rows.
- ``holdings``: per feed × destination × entity, the key (JSON of the delivered key values)
  and the content hash of every row the destination holds after its last delivery. The next
  delta is computed against this, so what a destination missed arrives on its next run.
- ``staged_changes``: the changes of a pending delivery (op, key, hash), written in the same
  transaction as its ``pending`` row, applied to ``holdings`` in the transaction that marks it
  ``delivered``. A crash between the rename of the folder and that transaction leaves both in
  the ledger; the next run adopts the folder (after verifying it) or abandons it.
- ``audited``: the deliveries (delivered, failed or abandoned) already appended to the
  installation's audit trail (:mod:`antismuggling.feeds.audit`); one that is not, because
  the audit store could not be written, is appended by the next run.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

SCHEMA = """
create table if not exists deliveries (
    id              integer primary key autoincrement,
    feed            text not null,
    destination     text not null,
    seq             integer not null,
    previous_seq    integer,
    mode            text not null check (mode in ('full', 'delta')),
    status          text not null check (status in ('pending', 'delivered', 'failed', 'abandoned')),
    created_at      text not null,
    finished_at     text,
    snapshot        text,
    source_watermark text,
    folder          text,
    location        text,
    rows_i          integer not null default 0,
    rows_u          integer not null default 0,
    rows_d          integer not null default 0,
    rows_by_entity  text,
    manifest_sha256 text,
    started_by      text,
    error           text
);
create unique index if not exists deliveries_live_seq
    on deliveries (feed, destination, seq) where status in ('pending', 'delivered');
create index if not exists deliveries_feed on deliveries (feed, destination, status);
create table if not exists holdings (
    feed        text not null,
    destination text not null,
    entity      text not null,
    key         text not null,
    row_hash    text not null,
    seq         integer not null,
    primary key (feed, destination, entity, key)
) without rowid;
create table if not exists audited (
    delivery_id integer primary key references deliveries (id),
    audited_at  text not null
);
create table if not exists staged_changes (
    delivery_id integer not null references deliveries (id),
    entity      text not null,
    key         text not null,
    op          text not null check (op in ('I', 'U', 'D')),
    row_hash    text,
    primary key (delivery_id, entity, key)
) without rowid;
"""


def utc_now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class Delivery:
    id: int
    feed: str
    destination: str
    seq: int
    previous_seq: int | None
    mode: str
    status: str
    created_at: str
    finished_at: str | None
    snapshot: str | None
    source_watermark: str | None
    folder: str | None
    location: str | None
    rows_i: int
    rows_u: int
    rows_d: int
    rows_by_entity: dict
    manifest_sha256: str | None
    started_by: str | None
    error: str | None

    @property
    def rows_by_op(self) -> dict[str, int]:
        return {"I": self.rows_i, "U": self.rows_u, "D": self.rows_d}


@dataclass(frozen=True)
class StagedChange:
    entity: str
    key: str
    op: str
    row_hash: str | None


class Ledger:
    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._con = sqlite3.connect(str(self.path), timeout=30, isolation_level=None)
        self._con.row_factory = sqlite3.Row
        self._con.execute("pragma journal_mode = wal")
        self._con.execute("pragma synchronous = full")
        self._con.execute("pragma foreign_keys = on")
        self._con.executescript(SCHEMA)
        try:
            self.path.chmod(0o600)
        except OSError:
            pass

    def close(self) -> None:
        self._con.close()

    def __enter__(self) -> "Ledger":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def transaction(self):
        self._con.execute("begin immediate")
        try:
            yield self._con
        except BaseException:
            self._con.execute("rollback")
            raise
        else:
            self._con.execute("commit")

    # -- reading ----------------------------------------------------------------------------

    @staticmethod
    def _delivery(row: sqlite3.Row) -> Delivery:
        data = dict(row)
        data["rows_by_entity"] = json.loads(data["rows_by_entity"] or "{}")
        return Delivery(**data)

    def holdings(self, feed: str, destination: str) -> dict[str, dict[str, str]]:
        """entity -> key -> row hash, of what the destination holds now."""
        held: dict[str, dict[str, str]] = {}
        for entity, key, row_hash in self._con.execute(
            "select entity, key, row_hash from holdings where feed = ? and destination = ?", (feed, destination)
        ):
            held.setdefault(entity, {})[key] = row_hash
        return held

    def last_delivered(self, feed: str, destination: str) -> Delivery | None:
        row = self._con.execute(
            "select * from deliveries where feed = ? and destination = ? and status = 'delivered' "
            "order by seq desc limit 1", (feed, destination)).fetchone()
        return self._delivery(row) if row else None

    def last_attempt(self, feed: str, destination: str) -> Delivery | None:
        row = self._con.execute(
            "select * from deliveries where feed = ? and destination = ? order by id desc limit 1",
            (feed, destination)).fetchone()
        return self._delivery(row) if row else None

    def next_seq(self, feed: str, destination: str) -> tuple[int, int | None]:
        """(seq of the next delivery, seq of the last one the destination holds)."""
        (top,) = self._con.execute(
            "select max(seq) from deliveries where feed = ? and destination = ? and status in ('pending', 'delivered')",
            (feed, destination)).fetchone()
        last = self.last_delivered(feed, destination)
        return (top or 0) + 1, (last.seq if last else None)

    def pending(self, feed: str) -> list[Delivery]:
        rows = self._con.execute(
            "select * from deliveries where feed = ? and status = 'pending' order by id", (feed,)).fetchall()
        return [self._delivery(r) for r in rows]

    def history(self, feed: str | None = None, destination: str | None = None, limit: int | None = None) -> list[Delivery]:
        sql = "select * from deliveries where (? is null or feed = ?) and (? is null or destination = ?) order by id desc"
        params: list = [feed, feed, destination, destination]
        if limit:
            sql += " limit ?"
            params.append(limit)
        return [self._delivery(r) for r in self._con.execute(sql, params).fetchall()]

    def unaudited(self) -> list[Delivery]:
        """Finished deliveries (delivered, failed, abandoned) not yet in the audit trail, oldest first."""
        rows = self._con.execute(
            "select * from deliveries d where status in ('delivered', 'failed', 'abandoned') "
            "and not exists (select 1 from audited a where a.delivery_id = d.id) order by id").fetchall()
        return [self._delivery(r) for r in rows]

    def mark_audited(self, delivery_id: int) -> None:
        with self.transaction() as con:
            con.execute("insert or ignore into audited (delivery_id, audited_at) values (?, ?)",
                        (delivery_id, utc_now()))

    def delivery(self, delivery_id: int) -> Delivery:
        return self._delivery(self._con.execute("select * from deliveries where id = ?", (delivery_id,)).fetchone())

    # -- writing ----------------------------------------------------------------------------

    def record_pending(self, *, feed: str, destination: str, seq: int, previous_seq: int | None, mode: str,
                       created_at: str, snapshot: str, source_watermark: str | None, folder: str, location: str,
                       rows_by_op: dict[str, int], rows_by_entity: dict, manifest_sha256: str, started_by: str,
                       changes: Iterable[StagedChange]) -> int:
        """One transaction: the ``pending`` delivery and every change it makes to the holdings."""
        with self.transaction() as con:
            cur = con.execute(
                "insert into deliveries (feed, destination, seq, previous_seq, mode, status, created_at, snapshot, "
                "source_watermark, folder, location, rows_i, rows_u, rows_d, rows_by_entity, manifest_sha256, "
                "started_by) values (?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (feed, destination, seq, previous_seq, mode, created_at, snapshot, source_watermark, folder, location,
                 rows_by_op.get("I", 0), rows_by_op.get("U", 0), rows_by_op.get("D", 0), json.dumps(rows_by_entity),
                 manifest_sha256, started_by))
            delivery_id = cur.lastrowid
            con.executemany(
                "insert into staged_changes (delivery_id, entity, key, op, row_hash) values (?, ?, ?, ?, ?)",
                ((delivery_id, c.entity, c.key, c.op, c.row_hash) for c in changes))
        return delivery_id

    def record_failed(self, *, feed: str, destination: str, seq: int, previous_seq: int | None, mode: str,
                      created_at: str, snapshot: str | None, started_by: str, error: str,
                      location: str | None = None, folder: str | None = None) -> int:
        with self.transaction() as con:
            cur = con.execute(
                "insert into deliveries (feed, destination, seq, previous_seq, mode, status, created_at, finished_at, "
                "snapshot, folder, location, started_by, error) values (?, ?, ?, ?, ?, 'failed', ?, ?, ?, ?, ?, ?, ?)",
                (feed, destination, seq, previous_seq, mode, created_at, utc_now(), snapshot, folder, location,
                 started_by, error))
            return cur.lastrowid

    def commit_delivered(self, delivery_id: int) -> None:
        """One transaction: apply the staged changes to the holdings, mark the delivery delivered."""
        with self.transaction() as con:
            row = con.execute("select feed, destination, seq, mode, status from deliveries where id = ?",
                              (delivery_id,)).fetchone()
            if row is None or row["status"] != "pending":
                raise RuntimeError(f"delivery {delivery_id} is not pending")
            feed, destination, seq = row["feed"], row["destination"], row["seq"]
            if row["mode"] == "full":
                con.execute("delete from holdings where feed = ? and destination = ?", (feed, destination))
            con.execute(
                "delete from holdings where (feed, destination, entity, key) in ("
                " select ?, ?, entity, key from staged_changes where delivery_id = ? and op = 'D')",
                (feed, destination, delivery_id))
            con.execute(
                "insert or replace into holdings (feed, destination, entity, key, row_hash, seq) "
                "select ?, ?, entity, key, row_hash, ? from staged_changes where delivery_id = ? and op in ('I', 'U')",
                (feed, destination, seq, delivery_id))
            con.execute("delete from staged_changes where delivery_id = ?", (delivery_id,))
            con.execute("update deliveries set status = 'delivered', finished_at = ?, error = null where id = ?",
                        (utc_now(), delivery_id))

    def close_pending(self, delivery_id: int, status: str, error: str) -> None:
        """A pending delivery that never reached the partner: ``failed`` or ``abandoned``."""
        assert status in ("failed", "abandoned")
        with self.transaction() as con:
            con.execute("delete from staged_changes where delivery_id = ?", (delivery_id,))
            con.execute("update deliveries set status = ?, finished_at = ?, error = ? where id = ? and status = 'pending'",
                        (status, utc_now(), error, delivery_id))
