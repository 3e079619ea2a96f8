"""End to end: generate a store, refresh, edit the store, refresh incrementally, reconcile."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta, timezone

import duckdb
import pytest

from antismuggling.config import load_settings
from antismuggling.publish import connect_published, current_snapshot_path
from antismuggling.ingest import load_operational_store
from antismuggling.refresh import refresh_log_path, run_refresh
from antismuggling.store.generate import generate_store
from reconcile import assert_marts_reconcile, marts_fingerprint, source_figures_sqlite


def _now_text(offset_minutes: int = 0) -> str:
    moment = datetime.now(timezone.utc) + timedelta(minutes=offset_minutes)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture
def sqlite_store(home, tmp_path, monkeypatch):
    path = tmp_path / "ops.db"
    url = f"sqlite:///{path}"
    monkeypatch.setenv("ANTISMUGGLING_OPS_URL", url)
    generate_store(url, 2000, 3, progress=False)
    return path


def test_full_then_incremental_refresh_reconciles(sqlite_store):
    settings = load_settings()
    outcome = run_refresh(settings, full=True)
    assert outcome.success, outcome.error
    assert_marts_reconcile(settings, source_figures_sqlite(sqlite_store))

    ops = sqlite3.connect(sqlite_store)
    with ops:
        case_id, item_id = ops.execute(
            "select c.case_id, i.item_id from cases c join seizure_items i using (case_id) "
            "where c.deleted_at is null and i.deleted_at is null and c.status = 'SEIZED' limit 1"
        ).fetchone()
        deleted_case = ops.execute(
            "select case_id from cases where deleted_at is null and case_id <> ? order by case_id limit 1", [case_id]
        ).fetchone()[0]
        ops.execute(
            "update cases set status = 'SCN_ISSUED', updated_at = ? where case_id = ?", [_now_text(), case_id]
        )
        ops.execute(
            "update seizure_items set value_pkr = 123456.75, updated_at = ? where item_id = ?", [_now_text(), item_id]
        )
        ops.execute(
            "update cases set deleted_at = ?, updated_at = ? where case_id = ?", [_now_text(), _now_text(), deleted_case]
        )
        template = ops.execute("select * from cases where case_id = ?", [case_id]).fetchone()
        columns = [d[0] for d in ops.execute("select * from cases limit 0").description]
        new_case = dict(zip(columns, template))
        new_case_id = ops.execute("select max(case_id) + 1 from cases").fetchone()[0]
        new_case.update(case_id=new_case_id, case_no=f"NEW-{new_case_id}", status="SEIZED",
                        adjudication_outcome=None, adjudicated_on=None,
                        created_at=_now_text(), updated_at=_now_text(), deleted_at=None)
        ops.execute(
            f"insert into cases ({', '.join(columns)}) values ({', '.join('?' for _ in columns)})",
            list(new_case.values()),
        )
        item_columns = [d[0] for d in ops.execute("select * from seizure_items limit 0").description]
        item = dict(zip(item_columns, ops.execute("select * from seizure_items where item_id = ?", [item_id]).fetchone()))
        item.update(item_id=ops.execute("select max(item_id) + 1 from seizure_items").fetchone()[0],
                    case_id=new_case_id, value_pkr=1000.5, hs_code="80280",
                    created_at=_now_text(), updated_at=_now_text(), deleted_at=None)
        ops.execute(
            f"insert into seizure_items ({', '.join(item_columns)}) values ({', '.join('?' for _ in item_columns)})",
            list(item.values()),
        )
    ops.close()

    first_snapshot = current_snapshot_path(settings)
    outcome = run_refresh(settings)
    assert outcome.success, outcome.error
    assert current_snapshot_path(settings) == outcome.published != first_snapshot
    assert_marts_reconcile(settings, source_figures_sqlite(sqlite_store))

    con = connect_published(settings)
    try:
        assert con.execute("select status from marts.fct_cases where case_id = ?", [case_id]).fetchone()[0] == "SCN_ISSUED"
        assert con.execute("select count(*) from marts.fct_cases where case_id = ?", [deleted_case]).fetchone()[0] == 0
        new_item = con.execute(
            "select hs_code_raw, hs6, value_pkr from marts.fct_seizure_items where case_id = ?", [new_case_id]
        ).fetchone()
        assert new_item[0] == "80280" and new_item[1] == "080280" and float(new_item[2]) == 1000.5
        modes = dict(con.execute("select 'mode', details->>'refresh_mode' from meta.publish_info").fetchall())
        assert modes["mode"] == "incremental"
    finally:
        con.close()

    before = marts_fingerprint(settings)
    snapshot = current_snapshot_path(settings)
    outcome = run_refresh(settings)
    assert outcome.success, outcome.error
    assert marts_fingerprint(settings) == before, "a refresh with no change in the store changed the marts"
    # nothing new: nothing built, nothing published, and the run is on record
    assert outcome.up_to_date is not None and outcome.up_to_date.snapshot == snapshot
    assert outcome.published is None and current_snapshot_path(settings) == snapshot
    log = [json.loads(line) for line in refresh_log_path(settings).read_text().splitlines()]
    assert [entry["result"] for entry in log] == ["published", "published", "unchanged"]
    assert log[-1]["snapshot"] == snapshot.name


def test_a_refresh_after_one_that_died_past_the_load_builds_what_that_load_brought(sqlite_store):
    """The store is unchanged since the last load, but that load's changes never reached a
    snapshot (the refresh died after it): the next refresh must build them, not call it done."""
    settings = load_settings()
    assert run_refresh(settings, full=True).success
    ops = sqlite3.connect(sqlite_store)
    with ops:
        case_id = ops.execute("select min(case_id) from cases where deleted_at is null").fetchone()[0]
        ops.execute("update cases set status = 'CLOSED', updated_at = ? where case_id = ?", [_now_text(), case_id])
    ops.close()
    # the load of a refresh that got no further
    load_operational_store(settings.warehouse_path, settings.ops_url)
    snapshot = current_snapshot_path(settings)

    outcome = run_refresh(settings)
    assert outcome.success and outcome.up_to_date is None and outcome.published not in (None, snapshot)
    con = connect_published(settings)
    try:
        assert con.execute("select status from marts.fct_cases where case_id = ?", [case_id]).fetchone()[0] == "CLOSED"
    finally:
        con.close()
    assert run_refresh(settings).up_to_date is not None


def test_failed_refresh_keeps_published_marts(sqlite_store, monkeypatch, tmp_path):
    settings = load_settings()
    assert run_refresh(settings, full=True).success
    snapshot = current_snapshot_path(settings)
    before = marts_fingerprint(settings)

    monkeypatch.setenv("ANTISMUGGLING_OPS_URL", f"sqlite:///{tmp_path / 'missing.db'}")
    outcome = run_refresh(load_settings(), full=True)
    assert not outcome.success and outcome.published is None
    assert "does not exist" in outcome.error
    assert current_snapshot_path(settings) == snapshot
    assert marts_fingerprint(settings) == before


def test_reader_does_not_block_refresh(sqlite_store):
    settings = load_settings()
    assert run_refresh(settings, full=True).success
    reader = connect_published(settings)
    try:
        count = reader.execute("select count(*) from marts.fct_cases").fetchone()[0]
        outcome = run_refresh(settings, full=True)
        assert outcome.success, outcome.error
        # The reader keeps its consistent (old) snapshot while the new one is live.
        assert reader.execute("select count(*) from marts.fct_cases").fetchone()[0] == count
    finally:
        reader.close()


def test_a_warehouse_from_before_the_marts_had_their_own_database_sheds_its_old_marts(sqlite_store):
    """dbt once built the marts and feeds inside the build database: a refresh of such a
    warehouse drops those copies and publishes what it built."""
    settings = load_settings()
    assert run_refresh(settings, full=True).success
    con = duckdb.connect(str(settings.warehouse_path))
    try:
        for schema in ("marts", "feeds"):
            con.execute(f"create schema {schema}")
            con.execute(f"create table {schema}.fct_cases as select 1 as case_id")
    finally:
        con.close()
    ops = sqlite3.connect(sqlite_store)
    with ops:
        ops.execute("update cases set status = 'CLOSED', updated_at = ? where case_id = "
                    "(select min(case_id) from cases where deleted_at is null)", [_now_text()])
    ops.close()

    outcome = run_refresh(settings)
    assert outcome.success and outcome.published, outcome.error
    assert_marts_reconcile(settings, source_figures_sqlite(sqlite_store))
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        assert con.execute("select count(*) from duckdb_schemas() where schema_name in ('marts', 'feeds') "
                           "and database_name = current_database()").fetchone()[0] == 0
    finally:
        con.close()


def test_a_refresh_on_a_later_day_takes_in_the_dates_that_day_makes_plausible(sqlite_store, monkeypatch):
    """A seizure typed for the day after tomorrow is no plausible date today (macros/parsing.sql)
    and is tomorrow. Tomorrow's first refresh, with nothing new in the store, is not 'up to
    date': it rebuilds that case (antismuggling.changes) and publishes the date."""
    from antismuggling import changes

    settings = load_settings()
    today = changes.pkt_today()
    ops = sqlite3.connect(sqlite_store)
    with ops:
        case_id = ops.execute("select min(case_id) from cases where deleted_at is null").fetchone()[0]
        ops.execute("update cases set seizure_at = ? where case_id = ?",
                    [f"{today + timedelta(days=2)}T04:00:00Z", case_id])
    ops.close()

    def seizure_date():
        con = connect_published(settings)
        try:
            return con.execute("select seizure_date from marts.fct_cases where case_id = ?", [case_id]).fetchone()[0]
        finally:
            con.close()

    assert run_refresh(settings, full=True).success
    assert seizure_date() is None
    assert run_refresh(settings).up_to_date is not None

    monkeypatch.setattr(changes, "pkt_today", lambda: today + timedelta(days=1))
    outcome = run_refresh(settings)
    assert outcome.success and outcome.published is not None, outcome.error
    assert seizure_date() == today + timedelta(days=2)
    assert run_refresh(settings).up_to_date is not None
