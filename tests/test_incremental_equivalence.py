"""Property: incremental refreshes publish what a full rebuild of the same store publishes.

A small generated store gets several days of random edits (``antismuggling.store.edits``),
each followed by an incremental refresh in one data directory; after each, the store as it
then stands is rebuilt from nothing (a full refresh in a second data directory whose
warehouse is deleted first), and every published table (schemas ``marts`` and ``feeds``)
must hold the same rows in both snapshots, but for the history only the incremental side
can have seen (EXCLUDED_COLUMNS, COMPARED_ROWS). The case-scoped incremental models
(antismuggling.changes) are checked where they live too: every staging and intermediate table
of the two build warehouses must hold the same rows, and the incremental side must have
rebuilt only the changed cases.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from antismuggling.changes import BUILD_STATE
from antismuggling.config import load_settings, next_snapshot_path
from antismuggling.publish import FEEDS_SCHEMA, MARTS_SCHEMA, current_snapshot_path
from antismuggling.refresh import run_refresh
from antismuggling.sqltext import quote_literal
from antismuggling.store.edits import EDIT_SHARES, NEXT_STATUS, apply_day_of_edits
from antismuggling.store.generate import generate_store
from antismuggling.store.schema import PRIMARY_KEYS, TABLES
from dbt_helpers import run_dbt

# A refresh costs about 35 s on a 2-core machine whatever the store's size (dbt's fixed cost):
# the first refresh and two per day make five, about three minutes. A third day costs 70 s.
CASES = 400
STORE_SEED = 29
EDIT_SEEDS = (101, 102)  # one day of edits each: the first incremental refresh, and one after it
CASES_EDITED_PER_DAY = 60  # of 400 cases: some cases are edited on both days
SHOWN_ROWS = 5  # differing rows quoted per table and side

# Differences by design, and only those, are left out of the comparison: history that the
# incremental warehouse observed refresh by refresh and a rebuild cannot know.
#
# data_quality_issues.first_seen_at. docs/marts.md, Data quality: "`first_seen_at` is when the
# warehouse first saw the issue; it does not move on later refreshes." A rebuild first sees
# every issue at its own refresh.
#
# mart_case_status_history. docs/marts.md: "how a case moved through adjudication, as seen at
# each refresh"; "A version is recorded whenever a case's status, outcome, adjudication date
# or deletion changes between refreshes". The snapshot behind it (snap_case_status.yml):
# "the first version of a case is its state when the warehouse first saw it", "Never rebuilt
# by `--full-refresh`; deleting the warehouse file loses the history". So a rebuild has one
# version per case, dated by the case's updated_at now, where the incremental warehouse has
# one per state it saw, each dated when it was set (a later edit that left the state alone,
# e.g. a move to another formation, does not re-date it). Compared: each live case's current
# version (its state, case_no and formation must agree); left out: the earlier versions, and
# the current version's number and start (valid_from, valid_from_date).
EXCLUDED_COLUMNS: dict[str, frozenset[str]] = {
    "marts.data_quality_issues": frozenset({"first_seen_at"}),
    "marts.mart_case_status_history": frozenset({"version_no", "valid_from", "valid_from_date"}),
}
# Build-warehouse tables that differ by design: what this build rebuilt (the changed cases, the
# touched vehicles, people and groups of the aggregate marts, the case states handed to the snapshot), and when an issue was
# first seen (the history above).
WAREHOUSE_EXCLUDED_TABLES = frozenset({
    "staging.stg_changed_cases", "intermediate.int_touched_vehicles", "intermediate.int_touched_offenders",
    "intermediate.int_touched_case_groups", "intermediate.int_touched_officer_months",
    "intermediate.int_case_status", "intermediate.int_dq_issue_first_seen",
})
COMPARED_ROWS: dict[str, str] = {
    "marts.mart_case_status_history": "is_current",
}


def test_incremental_refreshes_publish_what_a_full_rebuild_publishes(home, tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'ops.db'}"
    generate_store(url, CASES, STORE_SEED, progress=False)
    monkeypatch.setenv("ANTISMUGGLING_OPS_URL", url)
    incremental = load_settings()
    first = run_refresh(incremental, full=True)
    assert first.success, first.error
    rebuild_home = tmp_path / "rebuild"
    _share_person_key_secret(incremental, rebuild_home)

    for day, seed in enumerate(EDIT_SEEDS, start=1):
        edits = apply_day_of_edits(url, cases=CASES_EDITED_PER_DAY, seed=seed)
        assert edits.total >= CASES_EDITED_PER_DAY * 0.9, edits.describe()

        monkeypatch.setenv("ANTISMUGGLING_HOME", str(home))
        outcome = run_refresh(load_settings())
        assert outcome.success and outcome.published is not None, outcome.error

        monkeypatch.setenv("ANTISMUGGLING_HOME", str(rebuild_home))
        rebuild = load_settings()
        # a rebuild from nothing: no warehouse, so no history (dbt's parse of the last build,
        # kept beside it, is reused: it only saves time)
        for database in rebuild.warehouse_dir.glob("*.duckdb*"):
            database.unlink()
        outcome = run_refresh(rebuild, full=True)
        assert outcome.success and outcome.published is not None, outcome.error

        snapshots = current_snapshot_path(incremental), current_snapshot_path(rebuild)
        assert [_refresh_mode(s) for s in snapshots] == ["incremental", "full"]
        differences = published_differences(*snapshots)
        assert not differences, (
            f"day {day} ({edits.describe()}): the incremental refresh published other rows than a full "
            "rebuild:\n" + "\n".join(differences)
        )
        assert _build_mode(incremental.warehouse_path) == "changed cases"
        # the suites of marts rebuilt by key validated the rebuilt rows only, the others every row
        batches = _mart_batches(snapshots[0])
        assert batches["marts.fct_cases"][0].startswith("the cases the last build rebuilt")
        assert 0 < batches["marts.fct_cases"][1] < _count(snapshots[0], "marts.fct_cases")
        assert batches["marts.dim_offenders"][0].startswith("the people the last build rebuilt")
        assert 0 < batches["marts.dim_offenders"][1] < _count(snapshots[0], "marts.dim_offenders")
        for mart in ("marts.dim_vehicles", "marts.mart_vehicle_recidivism"):
            assert batches[mart][0].startswith("the vehicles the last build rebuilt")
            assert batches[mart][1] < _count(snapshots[0], mart)
        assert batches["marts.mart_hs_trends"][0] == "whole mart"
        differences = published_differences(
            incremental.warehouse_path, rebuild.warehouse_path, schemas=("staging", "intermediate"),
            excluded_tables=WAREHOUSE_EXCLUDED_TABLES,
        )
        assert not differences, (
            f"day {day} ({edits.describe()}): the incremental build left other rows in the build warehouse "
            "than a full rebuild:\n" + "\n".join(differences)
        )
        # a rebuild from nothing has no history: every version of every case, dates and all,
        # is checked against the mart rebuilt whole from the incremental warehouse's snapshot
        assert _status_history(snapshots[0]) == _status_history_rebuilt(incremental.warehouse_path, tmp_path / f"day{day}")


def test_a_day_of_edits_follows_the_store_contract(tmp_path):
    """What the property above feeds on: every kind of edit made, only along the contract's
    rules (no row removed, updated_at bumped on every edited row, deleted_at with it, legal
    status moves), and the same edits for the same seed and day."""
    store, twin = tmp_path / "ops.db", tmp_path / "twin.db"
    generate_store(f"sqlite:///{store}", 300, STORE_SEED, progress=False)
    shutil.copy(store, twin)
    before = _store_rows(store)
    until = datetime(2026, 11, 2, 12, tzinfo=UTC)  # the day after the generated store's last
    day = apply_day_of_edits(f"sqlite:///{store}", cases=80, seed=5, until=until)
    assert apply_day_of_edits(f"sqlite:///{twin}", cases=80, seed=5, until=until) == day
    after = _store_rows(store)
    assert _store_rows(twin) == after
    assert day.total == 80 and all(day.counts[kind] >= 1 for kind in EDIT_SHARES), day.describe()

    for table in TABLES:
        assert before[table].keys() <= after[table].keys(), f"{table}: rows removed"
        for key, row in after[table].items():
            old = before[table].get(key)
            if row == old:
                continue
            edited_at = _utc(row["updated_at"])
            assert day.first_at <= edited_at <= day.last_at, (table, key, row["updated_at"])
            if old is not None:
                assert edited_at > _utc(old["updated_at"]), (table, key)
            if "deleted_at" in row:
                assert old is None or old["deleted_at"] is None or row["deleted_at"] == old["deleted_at"]
                if row["deleted_at"] is not None and (old is None or old["deleted_at"] is None):
                    assert row["deleted_at"] == row["updated_at"], (table, key)
    moves = Counter(
        (before["cases"][key]["status"], row["status"])
        for key, row in after["cases"].items()
        if key in before["cases"] and row["status"] != before["cases"][key]["status"]
    )
    assert sum(moves.values()) == day.counts["status_move"]
    assert all(new in NEXT_STATUS[old] for old, new in moves), moves
    assert len(after["cases"]) - len(before["cases"]) == day.counts["late_entry"]


def _store_rows(path: Path) -> dict[str, dict[tuple, dict]]:
    con = sqlite3.connect(path)
    con.row_factory = sqlite3.Row
    try:
        return {
            table: {
                tuple(row[k] for k in PRIMARY_KEYS[table]): dict(row) for row in con.execute(f"select * from {table}")
            }
            for table in TABLES
        }
    finally:
        con.close()


def _utc(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _share_person_key_secret(source, target_home: Path) -> None:
    """Person keys (``offender_token``) are keyed by the installation's secret: the rebuild's
    must be the incremental home's, as it would be on a rebuild of that installation."""
    access = target_home / "access"
    access.mkdir(parents=True, mode=0o700)
    for secret in source.access_dir.glob("*.secret"):
        shutil.copy2(secret, access / secret.name)


def _status_history(marts_database: Path) -> list[tuple]:
    con = duckdb.connect(str(marts_database), read_only=True)
    try:
        return con.execute("select * from marts.mart_case_status_history order by all").fetchall()
    finally:
        con.close()


def _status_history_rebuilt(warehouse: Path, directory: Path) -> list[tuple]:
    """mart_case_status_history built whole (--full-refresh) in a copy of ``warehouse``."""
    directory.mkdir()
    copy = directory / warehouse.name
    shutil.copy(warehouse, copy)
    shutil.copy(next_snapshot_path(warehouse), next_snapshot_path(copy))
    run_dbt(copy, ["run", "--select", "mart_case_status_history", "--full-refresh"])
    return _status_history(next_snapshot_path(copy))


def _refresh_mode(snapshot: Path) -> str:
    con = duckdb.connect(str(snapshot), read_only=True)
    try:
        return con.execute("select details->>'refresh_mode' from meta.publish_info").fetchone()[0]
    finally:
        con.close()


def _mart_batches(snapshot: Path) -> dict[str, tuple[str, int]]:
    """suite -> (which rows it validated, how many) of the marts' suites, as published."""
    con = duckdb.connect(str(snapshot), read_only=True)
    try:
        return {suite: (batch, rows) for suite, batch, rows in con.execute(
            "select suite, any_value(batch), max(rows_checked) from meta.expectation_results "
            "where layer = 'marts' group by suite").fetchall()}
    finally:
        con.close()


def _count(database: Path, table: str) -> int:
    con = duckdb.connect(str(database), read_only=True)
    try:
        return con.execute(f"select count(*) from {table}").fetchone()[0]
    finally:
        con.close()


def _build_mode(warehouse: Path) -> str:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(f"select mode from {BUILD_STATE}").fetchone()[0]
    finally:
        con.close()


def published_differences(
    incremental: Path, rebuild: Path, *, schemas: tuple[str, ...] = (MARTS_SCHEMA, FEEDS_SCHEMA),
    excluded_tables: frozenset[str] = frozenset(),
) -> list[str]:
    """What differs between two databases' tables in ``schemas`` (by default two published
    snapshots), table by table (empty if nothing)."""
    con = duckdb.connect()
    try:
        con.execute(f"attach {quote_literal(str(incremental))} as inc (read_only)")
        con.execute(f"attach {quote_literal(str(rebuild))} as reb (read_only)")
        tables = {
            db: {t: c for t, c in _tables(con, db, schemas).items() if t not in excluded_tables}
            for db in ("inc", "reb")
        }
        problems = [] if tables["inc"] else ["the incremental snapshot holds no table to compare"]
        if tables["inc"].keys() != tables["reb"].keys():
            only_incremental = sorted(tables["inc"].keys() - tables["reb"].keys())
            only_rebuild = sorted(tables["reb"].keys() - tables["inc"].keys())
            problems.append(f"tables only after the incremental refreshes: {only_incremental}, "
                            f"only after the rebuild: {only_rebuild}")
        for table in sorted(tables["inc"].keys() & tables["reb"].keys()):
            columns = tables["inc"][table]
            if columns != tables["reb"][table]:
                problems.append(f"{table}: columns {columns} after the incremental refreshes, "
                                f"{tables['reb'][table]} after the rebuild")
                continue
            problem = _row_differences(con, table, [name for name, _ in columns])
            if problem:
                problems.append(problem)
        return problems
    finally:
        con.close()


def _tables(con: duckdb.DuckDBPyConnection, database: str, schemas: tuple[str, ...]) -> dict[str, list[tuple[str, str]]]:
    """``schema.table`` -> [(column, type)] of the tables in ``schemas``."""
    rows = con.execute(
        "select schema_name || '.' || table_name, column_name, data_type from duckdb_columns() "
        "where database_name = ? and list_contains(?, schema_name) order by schema_name, table_name, column_index",
        [database, list(schemas)],
    ).fetchall()
    tables: dict[str, list[tuple[str, str]]] = {}
    for table, column, data_type in rows:
        tables.setdefault(table, []).append((column, data_type))
    return tables


def _row_differences(con: duckdb.DuckDBPyConnection, table: str, columns: list[str]) -> str | None:
    compared = [c for c in columns if c not in EXCLUDED_COLUMNS.get(table, ())]
    select = ", ".join(f'"{c}"' for c in compared)
    where = f"where {COMPARED_ROWS[table]}" if table in COMPARED_ROWS else ""
    schema, name = table.split(".")

    def side(db: str) -> str:
        return f'select {select} from {db}.{schema}."{name}" {where}'

    only = {}
    for a, b in (("inc", "reb"), ("reb", "inc")):
        query = f"{side(a)} except all {side(b)}"
        n = con.execute(f"select count(*) from ({query})").fetchone()[0]
        shown = con.execute(f"select * from ({query}) order by all limit {SHOWN_ROWS}").fetchall() if n else []
        only[a] = (n, shown)
    if not only["inc"][0] and not only["reb"][0]:
        return None
    total = {db: con.execute(f"select count(*) from ({side(db)})").fetchone()[0] for db in ("inc", "reb")}
    lines = [f"{table}: {only['inc'][0]} of {total['inc']} rows only after the incremental refreshes, "
             f"{only['reb'][0]} of {total['reb']} only after the rebuild; columns ({', '.join(compared)})"]
    for db, label in (("inc", "incremental"), ("reb", "rebuild")):
        lines += [f"    {label}: {row}" for row in only[db][1]]
    return "\n".join(lines)
