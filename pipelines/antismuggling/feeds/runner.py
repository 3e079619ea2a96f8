"""Running a feed: read the published snapshot, compute what each destination lacks, deliver it.

One run of a feed (:func:`run_feed`), under a per-feed lock:

1. **Reconcile** what an earlier run left half done (see below).
2. **Read** every entity of the feed from the published snapshot's ``feeds`` schema (never the
   build warehouse), with the feed's filter; for a non-nominal feed replace ``case_id`` /
   ``item_id`` by ``case_ref`` / ``item_ref``. Each row is rendered to text once and hashed.
3. For each destination: **diff** against what the ledger says it holds: ``I`` new key, ``U``
   changed hash, ``D`` key gone (only the key columns filled). The first delivery, a
   ``--full`` run and every run of a ``full`` feed are full (only ``I`` rows).
4. **Build** the folder under ``.tmp-<name>``: data files, the personal-data scan (non-nominal
   feeds), encryption to the partner's key if configured, ``manifest.json`` and its signature.
5. **Record** the delivery as ``pending`` with its staged holdings changes (one SQLite
   transaction), **rename** the folder to ``<seq>-<UTC stamp>`` (SFTP: upload to a remote temp
   folder, rename there), then **commit**: holdings updated and the delivery ``delivered`` in
   one transaction.
6. **Audit**: every finished delivery (this run's, and any the run adopted or abandoned) is
   appended to the installation's audit trail (:mod:`antismuggling.feeds.audit`).

Crash safety. If the process dies:

- before the pending row: a ``.tmp-*`` folder is left; it is deleted on the next run and
  nothing was recorded, so the next delta recomputes the same changes;
- after the pending row, before the rename: the final folder does not exist; the next run
  marks the delivery ``abandoned`` and deletes the temp folder; its seq is reused;
- after the rename, before the commit: the folder is complete (it was written, fsynced and
  signed before the rename) and may already be in the partner's hands. The next run
  **adopts** it: it verifies the folder (signature, sizes, hashes, rows) and compares the
  manifest's SHA-256 with the one recorded with the pending row, then applies the staged
  changes. Moving it aside instead would be wrong: a partner who already applied it would
  receive the same changes again under a new seq. A folder that fails verification is moved
  to ``.aside/`` and the delivery abandoned (its changes come again in the next delivery).

For SFTP the same holds remotely: a pending delivery whose remote folder exists with the
recorded manifest is adopted; otherwise the remote temp folder is removed and the delivery
abandoned. An upload that fails before its final rename is ``failed`` at once; one that lost
the connection during the rename stays ``pending`` for the next run to resolve.
"""

from __future__ import annotations

import fcntl
import getpass
import json
import os
import shutil
import socket
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from antismuggling.config import Settings
from antismuggling.feeds.config import (
    DestinationConfig, EntityConfig, FeedConfig, FeedsConfig, feeds_dir, load_feeds_config,
)
from antismuggling.feeds.audit import audit_deliveries
from antismuggling.feeds.contracts import normalise_type
from antismuggling.feeds.files import (
    OP_COLUMN, SEQ_COLUMN, render, renderer_for, row_hash, sha256_file, write_csv, write_parquet,
)
from antismuggling.feeds.ledger import Delivery, Ledger, StagedChange
from antismuggling.feeds.personal_data import (
    Finding, forbidden_reason, load_known_identifiers, scan_delivery_files,
)
from antismuggling.feeds.refs import RefHasher
from antismuggling.feeds.signing import Signer

LEDGER_NAME = "ledger.db"
FAULT_ENV = "ANTISMUGGLING_FEEDS_FAULT"  # test hook: os._exit at a named point of a delivery
PRODUCER = "antismuggling"


class FeedError(RuntimeError):
    """A feed cannot run (configuration, snapshot, lock)."""


class FeedBusyError(FeedError):
    pass


class PersonalDataFound(FeedError):
    def __init__(self, feed_id: str, findings: list[Finding]):
        shown = "; ".join(str(f) for f in findings[:10])
        more = f" (and {len(findings) - 10} more)" if len(findings) > 10 else ""
        super().__init__(f"feed {feed_id} is non-nominal but its files hold personal data: {shown}{more}")
        self.findings = findings


@dataclass(frozen=True)
class DeliveryResult:
    feed: str
    destination: str
    status: str                 # delivered | failed
    seq: int | None
    previous_seq: int | None
    mode: str | None            # full | delta
    folder: Path | None         # the local folder (drop folder for local, spool copy for sftp)
    location: str | None        # where the partner finds it (path or sftp://…)
    rows_by_op: dict[str, int] = field(default_factory=dict)
    rows_by_entity: dict[str, dict[str, int]] = field(default_factory=dict)
    manifest_sha256: str | None = None
    snapshot: str | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == "delivered"


@dataclass(frozen=True)
class FeedRunResult:
    feed: str
    snapshot: str
    deliveries: tuple[DeliveryResult, ...]
    reconciled: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return all(d.ok for d in self.deliveries)

    @property
    def local_folder(self) -> Path | None:
        """The folder of the first delivered ``local`` destination (what ``feeds run`` prints last)."""
        for d in self.deliveries:
            if d.ok and d.location and not d.location.startswith("sftp://"):
                return d.folder
        return None


class FeedDeliveryError(FeedError):
    """At least one destination failed; ``result`` has every destination's outcome."""

    def __init__(self, result: FeedRunResult):
        failed = [d for d in result.deliveries if not d.ok]
        super().__init__("; ".join(f"{d.feed} -> {d.destination}: {d.error}" for d in failed))
        self.result = result


def _fault(point: str) -> None:
    if os.environ.get(FAULT_ENV) == point:
        os._exit(70)


def default_started_by() -> str:
    try:
        user = getpass.getuser()
    except Exception:  # noqa: BLE001
        user = "unknown"
    return f"{user}@{socket.gethostname()}"


def _producer_version() -> str:
    try:
        from importlib.metadata import version

        return version(PRODUCER)
    except Exception:  # noqa: BLE001
        return "unknown"


# ---------------------------------------------------------------------------------------------
# Paths, locks


def private_feeds_dir(settings: Settings) -> Path:
    path = feeds_dir(settings)
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    return path


def ledger_path(settings: Settings) -> Path:
    return feeds_dir(settings) / LEDGER_NAME


def destination_root(settings: Settings, dest: DestinationConfig) -> Path:
    """Where the delivery folders of ``dest`` are built locally."""
    return dest.path if dest.type == "local" else feeds_dir(settings) / "spool"


def destination_base(settings: Settings, dest: DestinationConfig, feed_id: str) -> Path:
    return destination_root(settings, dest) / feed_id / dest.name


@contextmanager
def feed_lock(settings: Settings, feed_id: str):
    locks = private_feeds_dir(settings) / "locks"
    locks.mkdir(exist_ok=True)
    with open(locks / f"{feed_id}.lock", "w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise FeedBusyError(f"another run of feed {feed_id} is in progress") from None
        yield


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# ---------------------------------------------------------------------------------------------
# Reading the snapshot


@dataclass
class SnapshotInfo:
    path: Path
    name: str
    published_at: str | None
    source_watermark: str | None


def resolve_snapshot(settings: Settings, snapshot: Path | None) -> Path:
    if snapshot is not None:
        path = Path(snapshot)
        if not path.is_file():
            raise FeedError(f"snapshot {path} does not exist")
        return path
    from antismuggling.publish import current_snapshot_path

    path = current_snapshot_path(settings)
    if path is None:
        raise FeedError(f"nothing is published under {settings.published_dir}: run `antismuggling refresh` first")
    return path


def connect_snapshot(path: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(path), read_only=True)
    con.execute("set TimeZone = 'UTC'")
    return con


def snapshot_info(con, path: Path) -> SnapshotInfo:
    published_at = watermark = None
    name = path.name
    try:
        row = con.execute("select published_at, snapshot_name, details from meta.publish_info limit 1").fetchone()
    except duckdb.Error:
        row = None
    if row:
        published_at = render(row[0])
        name = row[1] or name
        try:
            watermark = (json.loads(row[2]) if isinstance(row[2], str) else (row[2] or {})).get("source_watermark")
        except (TypeError, ValueError):
            watermark = None
    return SnapshotInfo(path=path, name=name, published_at=published_at, source_watermark=watermark)


Catalog = dict[tuple[str, str], list[tuple[str, str]]]  # (schema, table) -> [(column, type)]


def snapshot_catalog(con) -> Catalog:
    """Every table's columns and types in the snapshot (one query: information_schema is slow)."""
    catalog: Catalog = {}
    for schema, table, name, data_type in con.execute(
        "select table_schema, table_name, column_name, data_type from information_schema.columns "
        "where table_catalog = current_database() order by table_schema, table_name, ordinal_position").fetchall():
        catalog.setdefault((schema, table), []).append((name, normalise_type(data_type)))
    return catalog


def snapshot_columns(con, schema: str, table: str, catalog: Catalog | None = None) -> list[tuple[str, str]]:
    return (catalog if catalog is not None else snapshot_catalog(con)).get((schema, table), [])


def contract_problems(con, entity: EntityConfig, catalog: Catalog | None = None) -> list[str]:
    """How the snapshot's table differs from the model contract (names, types) of ``entity``."""
    actual = snapshot_columns(con, entity.schema, entity.table, catalog)
    if not actual:
        return [f"the snapshot has no table {entity.relation} (was the schema {entity.schema} published?)"]
    problems = []
    if entity.contract_types:
        have = dict(actual)
        for name, declared in entity.contract_types:
            if name not in have:
                problems.append(f"{entity.relation}: column {name} of the contract is missing")
            elif normalise_type(have[name]) != normalise_type(declared):
                problems.append(f"{entity.relation}.{name}: type {have[name]}, the contract says {declared}")
        extra = [n for n, _ in actual if n not in dict(entity.contract_types)]
        if extra:
            problems.append(f"{entity.relation}: columns not in the contract: {', '.join(extra)}")
    else:
        missing = [c for c in entity.source_columns if c not in dict(actual)]
        if missing:
            problems.append(f"{entity.relation}: columns {', '.join(missing)} are missing")
    return problems


@dataclass
class EntityRows:
    entity: EntityConfig
    columns: list[tuple[str, str]]              # delivered (name, type)
    rows: dict[str, list[str | None]]           # key JSON -> rendered delivered values, in key order
    hashes: dict[str, str]                      # key JSON -> content hash

    @property
    def key_indexes(self) -> list[int]:
        names = [c for c, _ in self.columns]
        return [names.index(k) for k in self.entity.key]


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def read_entity(con, feed: FeedConfig, entity: EntityConfig, refs: RefHasher | None,
                catalog: Catalog | None = None) -> EntityRows:
    catalog = catalog if catalog is not None else snapshot_catalog(con)
    problems = contract_problems(con, entity, catalog)
    if problems:
        raise FeedError(f"feed {feed.id}: " + "; ".join(problems))
    types = dict(snapshot_columns(con, entity.schema, entity.table, catalog))
    pseudonyms = dict(entity.pseudonyms)
    columns = []
    for source, delivered in zip(entity.source_columns, entity.columns):
        reason = forbidden_reason(delivered, feed.personal_data)
        if reason:  # the configuration refused it already; the snapshot is checked too
            raise FeedError(f"feed {feed.id} entity {entity.name}: {reason}")
        columns.append((delivered, "VARCHAR" if source in pseudonyms else types[source]))
    where, params = [], []
    for column, values in feed.filter:
        if column not in types:
            raise FeedError(f"feed {feed.id}: filter column {column} is not in {entity.relation}")
        where.append(f"cast({_quote(column)} as varchar) in ({', '.join('?' for _ in values)})")
        params.extend(values)
    sql = (f"select {', '.join(_quote(c) for c in entity.source_columns)} "
           f"from {_quote(entity.schema)}.{_quote(entity.table)}"
           + (f" where {' and '.join(where)}" if where else "")
           + f" order by {', '.join(_quote(c) for c in entity.source_key)}")
    cursor = con.execute(sql, params)
    key_idx = [entity.source_columns.index(k) for k in entity.source_key]
    pseudo_idx = [(i, pseudonyms[c]) for i, c in enumerate(entity.source_columns) if c in pseudonyms]
    renderers = [renderer_for(types[c]) for c in entity.source_columns]
    rows: dict[str, list[str | None]] = {}
    hashes: dict[str, str] = {}
    while True:
        batch = cursor.fetchmany(10_000)
        if not batch:
            break
        for raw in batch:
            values = [r(v) for r, v in zip(renderers, raw)]
            for i, _out in pseudo_idx:
                values[i] = refs.ref(entity.source_columns[i], values[i]) if refs else None
            key = json.dumps([values[i] for i in key_idx], ensure_ascii=False)
            if key in rows:
                raise FeedError(f"feed {feed.id} entity {entity.name}: key {entity.key} is not unique in {entity.relation}")
            rows[key] = values
            hashes[key] = row_hash(values)
    return EntityRows(entity=entity, columns=columns, rows=rows, hashes=hashes)


# ---------------------------------------------------------------------------------------------
# Delta


@dataclass
class EntityPlan:
    entity: str
    columns: list[tuple[str, str]]
    rows: list[tuple[str, list[str | None]]]   # (op, values)
    changes: list[StagedChange]

    @property
    def by_op(self) -> dict[str, int]:
        counts = {"I": 0, "U": 0, "D": 0}
        for op, _ in self.rows:
            counts[op] += 1
        return counts


def plan_entity(data: EntityRows, held: dict[str, str] | None) -> EntityPlan:
    """Rows to deliver against what the destination holds (``held``; None: a full delivery)."""
    name = data.entity.name
    rows: list[tuple[str, list[str | None]]] = []
    changes: list[StagedChange] = []
    if held is None:
        for key, values in data.rows.items():
            rows.append(("I", values))
            changes.append(StagedChange(name, key, "I", data.hashes[key]))
        return EntityPlan(name, data.columns, rows, changes)
    for key, values in data.rows.items():
        before = held.get(key)
        if before is None:
            rows.append(("I", values))
            changes.append(StagedChange(name, key, "I", data.hashes[key]))
        elif before != data.hashes[key]:
            rows.append(("U", values))
            changes.append(StagedChange(name, key, "U", data.hashes[key]))
    key_idx = data.key_indexes
    width = len(data.columns)
    for key in sorted(k for k in held if k not in data.rows):
        values: list[str | None] = [None] * width
        for i, v in zip(key_idx, json.loads(key)):
            values[i] = v
        rows.append(("D", values))
        changes.append(StagedChange(name, key, "D", None))
    return EntityPlan(name, data.columns, rows, changes)


# ---------------------------------------------------------------------------------------------
# Building a delivery folder


@dataclass
class BuiltDelivery:
    tmp: Path
    name: str
    manifest_sha256: str
    manifest: dict


def build_folder(*, feed: FeedConfig, dest: DestinationConfig, base: Path, name: str, seq: int,
                 previous_seq: int | None, mode: str, created_at: str, snapshot: SnapshotInfo,
                 plans: list[EntityPlan], signer: Signer, known, recipient: str | None) -> BuiltDelivery:
    tmp = base / f".tmp-{name}"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    ext = feed.format
    written = []
    entries = []
    for plan in plans:
        columns = [OP_COLUMN, SEQ_COLUMN, *plan.columns]
        rows = [[op, str(seq), *values] for op, values in plan.rows]
        path = tmp / f"{plan.entity}.{ext}"
        if ext == "csv":
            n = write_csv(path, [c for c, _ in columns], rows)
        else:
            n = write_parquet(path, columns, rows)
        written.append((path, ext, columns))
        entries.append({
            "name": path.name, "entity": plan.entity, "format": ext, "rows": n, "rows_by_op": plan.by_op,
            "bytes": path.stat().st_size, "sha256": sha256_file(path),
            "columns": [{"name": c, "type": t} for c, t in columns],
            "key": list(feed.entity(plan.entity).key), "encrypted": False,
        })
    if not feed.nominal:
        findings = scan_delivery_files(written, known)
        if findings:
            raise PersonalDataFound(feed.id, findings)
    if recipient:
        for entry, (path, _fmt, _cols) in zip(entries, written):
            encrypted = signer.encrypt_file(path, recipient)
            entry.update({
                "plaintext_name": path.name, "plaintext_bytes": entry["bytes"], "plaintext_sha256": entry["sha256"],
                "name": encrypted.name, "bytes": encrypted.stat().st_size, "sha256": sha256_file(encrypted),
                "encrypted": True,
            })
            path.unlink()
    manifest = {
        "feed": feed.id,
        "partner": feed.partner,
        "personal_data": feed.personal_data,
        "destination": dest.name,
        "seq": seq,
        "previous_seq": previous_seq,
        "mode": mode,
        "created_at": created_at,
        "snapshot": snapshot.name,
        "published_at": snapshot.published_at,
        "source_watermark": snapshot.source_watermark,
        "schema_version": feed.schema_version,
        "producer": {"name": PRODUCER, "version": _producer_version()},
        "signing_key": signer.fingerprint,
        "filter": {column: list(values) for column, values in feed.filter} or None,
        "encryption": {"type": "openpgp", "recipient": recipient} if recipient else None,
        "files": entries,
    }
    manifest_path = tmp / "manifest.json"
    manifest_path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    signer.sign_detached(manifest_path)
    for path in tmp.iterdir():
        with path.open("rb") as fh:
            os.fsync(fh.fileno())
    _fsync_dir(tmp)
    return BuiltDelivery(tmp=tmp, name=name, manifest_sha256=sha256_file(manifest_path), manifest=manifest)


# ---------------------------------------------------------------------------------------------
# Reconciliation of what a crashed run left


def reconcile(settings: Settings, config: FeedsConfig, feed: FeedConfig, ledger: Ledger, signer: Signer,
              log: Callable[[str], None]) -> tuple[list[str], dict[str, str]]:
    """Resolve pending deliveries of ``feed`` and remove stale temp folders.

    Returns what was done, and the destinations that could not be resolved (an SFTP server
    unreachable): no new delivery goes to those until their pending one is resolved.
    """
    from antismuggling.feeds.destinations import DestinationError, check_remote_delivery
    from antismuggling.feeds.verify import verify_delivery

    done: list[str] = []
    blocked: dict[str, str] = {}
    public_key = None
    for pending in ledger.pending(feed.id):
        dest = config.destinations.get(pending.destination)
        if dest is None:
            log(f"pending delivery {pending.seq} to {pending.destination}: that destination is no longer configured")
            blocked[pending.destination] = "destination no longer configured"
            continue
        base = destination_base(settings, dest, feed.id)
        final = base / (pending.folder or "")
        tmp = base / f".tmp-{pending.folder}"
        if dest.type == "local":
            if pending.folder and final.is_dir():
                public_key = public_key or signer.export_public_key()
                problems = verify_delivery(final, public_key=public_key)
                if not problems and sha256_file(final / "manifest.json") == pending.manifest_sha256:
                    ledger.commit_delivered(pending.id)
                    done.append(f"adopted {dest.name} {pending.folder} (renamed into place before the ledger recorded it)")
                    continue
                aside = base / ".aside"
                aside.mkdir(exist_ok=True)
                os.replace(final, aside / final.name)
                ledger.close_pending(pending.id, "abandoned", "folder failed verification after a crash: "
                                     + "; ".join(problems or ["manifest differs from the recorded one"]))
                done.append(f"moved {dest.name} {pending.folder} aside (failed verification)")
            else:
                shutil.rmtree(tmp, ignore_errors=True)
                ledger.close_pending(pending.id, "abandoned", "the run stopped before the folder was renamed into place")
                done.append(f"abandoned {dest.name} seq {pending.seq} (never renamed into place)")
            continue
        # SFTP: what matters is whether the remote folder is in place
        try:
            in_place = check_remote_delivery(dest, feed.id, pending.folder, pending.manifest_sha256)
        except DestinationError as exc:
            blocked[dest.name] = (f"delivery seq {pending.seq} may or may not be on the server and cannot be "
                                  f"checked now ({exc}); nothing new is sent there until it is")
            continue
        if in_place:
            if tmp.is_dir() and not final.exists():
                os.replace(tmp, final)
            ledger.commit_delivered(pending.id)
            done.append(f"adopted {dest.name} {pending.folder} (in place on the server)")
        else:
            for leftover in (final, tmp):
                if leftover.is_dir():
                    aside = base / ".aside"
                    aside.mkdir(parents=True, exist_ok=True)
                    os.replace(leftover, aside / leftover.name.removeprefix(".tmp-"))
            ledger.close_pending(pending.id, "abandoned", "not in place on the server after an interrupted upload")
            done.append(f"abandoned {dest.name} seq {pending.seq} (not on the server)")
    for name in feed.destinations:
        base = destination_base(settings, config.destinations[name], feed.id)
        if base.is_dir():
            for stale in base.glob(".tmp-*"):
                shutil.rmtree(stale, ignore_errors=True)
    for line in done:
        log(line)
    return done, blocked


# ---------------------------------------------------------------------------------------------
# The run


def run_feed(settings: Settings, feed_id: str, destination: str | None = None, full: bool = False,
             started_by: str | None = None, *, snapshot: Path | None = None, config: FeedsConfig | None = None,
             log: Callable[[str], None] | None = None) -> FeedRunResult:
    """Build and deliver ``feed_id`` from the published snapshot (or ``snapshot``) to its destinations.

    Raises :class:`FeedDeliveryError` (after trying every destination) when any failed;
    :class:`FeedError` when the feed cannot run at all.
    """
    log = log or (lambda message: None)
    config = config or load_feeds_config(settings)
    feed = config.feed(feed_id)
    if not feed.enabled:
        raise FeedError(f"feed {feed_id} is switched off (enabled = false in the feeds configuration)")
    if destination is not None and destination not in feed.destinations:
        raise FeedError(f"feed {feed_id} has no destination {destination!r} (it has {', '.join(feed.destinations)})")
    targets = [config.destination(d) for d in ([destination] if destination else feed.destinations)]
    started_by = started_by or default_started_by()
    snapshot_path = resolve_snapshot(settings, snapshot)
    home = private_feeds_dir(settings)
    with feed_lock(settings, feed.id), Ledger(ledger_path(settings)) as ledger:
        try:
            signer = Signer(home)
            signer.fingerprint  # noqa: B018 - create the key before anything else can fail half-way
            reconciled, blocked = reconcile(settings, config, feed, ledger, signer, log)
            con = connect_snapshot(snapshot_path)
            try:
                info = snapshot_info(con, snapshot_path)
                refs = None if feed.nominal else RefHasher.for_feeds_dir(home)
                catalog = snapshot_catalog(con)
                data = [read_entity(con, feed, entity, refs, catalog) for entity in feed.entities]
                known = None if feed.nominal else load_known_identifiers(con)
            finally:
                con.close()
            results = []
            for dest in targets:
                if dest.name in blocked:
                    log(f"{feed.id} -> {dest.name}: FAILED: {blocked[dest.name]}")
                    results.append(DeliveryResult(feed=feed.id, destination=dest.name, status="failed", seq=None,
                                                  previous_seq=None, mode=None, folder=None, location=None,
                                                  snapshot=info.name, error=blocked[dest.name]))
                    continue
                results.append(_deliver(settings, feed, dest, data, info, ledger, signer, known, full, started_by,
                                        log))
        finally:
            # every finished delivery (this run's, adopted or abandoned ones) into the audit trail
            audit_deliveries(settings, ledger, log)
    result = FeedRunResult(feed=feed.id, snapshot=info.name, deliveries=tuple(results), reconciled=tuple(reconciled))
    if not result.ok:
        raise FeedDeliveryError(result)
    return result


def _deliver(settings: Settings, feed: FeedConfig, dest: DestinationConfig, data: list[EntityRows],
             info: SnapshotInfo, ledger: Ledger, signer: Signer, known, full: bool, started_by: str,
             log: Callable[[str], None]) -> DeliveryResult:
    from antismuggling.feeds.destinations import DestinationError, upload_delivery

    seq, previous_seq = ledger.next_seq(feed.id, dest.name)
    last = ledger.last_delivered(feed.id, dest.name)
    mode = "full" if (full or feed.mode == "full" or last is None) else "delta"
    created = datetime.now(timezone.utc).replace(microsecond=0)
    created_at = created.isoformat().replace("+00:00", "Z")
    name = f"{seq:06d}-{created.strftime('%Y%m%dT%H%M%SZ')}"
    base = destination_base(settings, dest, feed.id)
    location = str(base / name) if dest.type == "local" else None
    delivery_id = None
    rows_by_op: dict[str, int] = {}
    rows_by_entity: dict[str, dict[str, int]] = {}

    def failed(error: str, *, record: bool = True) -> DeliveryResult:
        if record and delivery_id is None:
            ledger.record_failed(feed=feed.id, destination=dest.name, seq=seq, previous_seq=previous_seq, mode=mode,
                                 created_at=created_at, snapshot=info.name, started_by=started_by, error=error,
                                 location=location, folder=name)
        log(f"{feed.id} -> {dest.name}: FAILED: {error}")
        return DeliveryResult(feed=feed.id, destination=dest.name, status="failed", seq=None, previous_seq=previous_seq,
                              mode=mode, folder=None, location=location, rows_by_op=rows_by_op,
                              rows_by_entity=rows_by_entity, snapshot=info.name, error=error)

    try:
        held = None if mode == "full" else ledger.holdings(feed.id, dest.name)
        plans = [plan_entity(d, None if held is None else held.get(d.entity.name, {})) for d in data]
        rows_by_entity = {p.entity: p.by_op for p in plans}
        rows_by_op = {op: sum(p.by_op[op] for p in plans) for op in ("I", "U", "D")}
        recipient = signer.import_recipient(dest.encrypt_to) if dest.encrypt_to else None
        built = build_folder(feed=feed, dest=dest, base=base, name=name, seq=seq, previous_seq=previous_seq,
                             mode=mode, created_at=created_at, snapshot=info, plans=plans, signer=signer,
                             known=known, recipient=recipient)
    except Exception as exc:  # noqa: BLE001 - any failure here: nothing left, nothing recorded as delivered
        shutil.rmtree(base / f".tmp-{name}", ignore_errors=True)
        return failed(str(exc))
    _fault("files_written")
    if dest.type == "sftp":
        from antismuggling.feeds.destinations import remote_folder

        location = f"sftp://{dest.user}@{dest.host}:{dest.port}{remote_folder(dest, feed.id, name)}"
    delivery_id = ledger.record_pending(
        feed=feed.id, destination=dest.name, seq=seq, previous_seq=previous_seq, mode=mode, created_at=created_at,
        snapshot=info.name, source_watermark=info.source_watermark, folder=name, location=location,
        rows_by_op=rows_by_op, rows_by_entity=rows_by_entity, manifest_sha256=built.manifest_sha256,
        started_by=started_by, changes=(c for p in plans for c in p.changes))
    _fault("pending_recorded")
    final = base / name
    os.replace(built.tmp, final)
    _fsync_dir(base)
    _fault("renamed")
    if dest.type == "sftp":
        try:
            upload_delivery(dest, feed.id, final, built.manifest_sha256, log=log)
        except DestinationError as exc:
            if exc.rename_attempted:
                # it may be in place: the next run checks the server before anything else
                log(f"{feed.id} -> {dest.name}: outcome of the final rename unknown; the next run checks")
                return failed(str(exc), record=False)
            ledger.close_pending(delivery_id, "failed", str(exc))
            aside = base / ".aside"
            aside.mkdir(exist_ok=True)
            os.replace(final, aside / name)
            return failed(str(exc), record=False)
        _fault("uploaded")
    ledger.commit_delivered(delivery_id)
    log(f"{feed.id} -> {dest.name}: seq {seq} {mode} I={rows_by_op['I']} U={rows_by_op['U']} D={rows_by_op['D']} "
        f"at {location}")
    return DeliveryResult(feed=feed.id, destination=dest.name, status="delivered", seq=seq, previous_seq=previous_seq,
                          mode=mode, folder=final, location=location, rows_by_op=rows_by_op,
                          rows_by_entity=rows_by_entity, manifest_sha256=built.manifest_sha256, snapshot=info.name)


# ---------------------------------------------------------------------------------------------
# What the command line shows


@dataclass(frozen=True)
class FeedSummary:
    feed: FeedConfig
    last: dict[str, Delivery | None]       # destination -> last attempt
    last_delivered: dict[str, Delivery | None]


def list_feeds(settings: Settings, config: FeedsConfig | None = None) -> list[FeedSummary]:
    config = config or load_feeds_config(settings)
    path = ledger_path(settings)
    summaries = []
    ledger = Ledger(path) if path.exists() else None
    try:
        for feed in config.feeds.values():
            last = {d: (ledger.last_attempt(feed.id, d) if ledger else None) for d in feed.destinations}
            delivered = {d: (ledger.last_delivered(feed.id, d) if ledger else None) for d in feed.destinations}
            summaries.append(FeedSummary(feed, last, delivered))
    finally:
        if ledger:
            ledger.close()
    return summaries


def feed_history(settings: Settings, feed_id: str | None = None, destination: str | None = None,
                 limit: int | None = None) -> list[Delivery]:
    """Past deliveries, newest first (every attempt, with its status)."""
    path = ledger_path(settings)
    if not path.exists():
        return []
    with Ledger(path) as ledger:
        return ledger.history(feed_id, destination, limit)


def export_public_key(settings: Settings, out: Path | None = None) -> str:
    """The installation's feed-signing public key, ASCII-armoured (written to ``out`` if given)."""
    armored = Signer(private_feeds_dir(settings)).export_public_key()
    if out is not None:
        Path(out).write_text(armored, encoding="ascii")
    return armored
