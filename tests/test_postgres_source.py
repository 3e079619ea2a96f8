"""The warehouse reads a real PostgreSQL operational store, fully and incrementally."""

from __future__ import annotations

import psycopg

from antismuggling.config import load_settings
from antismuggling.publish import connect_published
from antismuggling.refresh import run_refresh
from antismuggling.store.generate import generate_store


def _published(settings, sql, params=()):
    con = connect_published(settings)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def test_postgres_store_full_and_incremental(home, pg_url, monkeypatch):
    monkeypatch.setenv("ANTISMUGGLING_OPS_URL", pg_url)
    generate_store(pg_url, 600, 5, progress=False)
    settings = load_settings()
    assert run_refresh(settings, full=True).success

    with psycopg.connect(pg_url) as pg:
        live, value = pg.execute(
            """select count(*), sum(coalesce(i.v, 0) + coalesce(v.v, 0)) from cases c
               left join (select case_id, sum(value_pkr) v from seizure_items where deleted_at is null group by 1) i using (case_id)
               left join (select case_id, sum(value_pkr) v from case_vehicles where deleted_at is null group by 1) v using (case_id)
               where c.deleted_at is null"""
        ).fetchone()
    count, total = _published(settings, "select count(*), sum(total_value_pkr) from marts.fct_cases")[0]
    assert count == live and total == value

    with psycopg.connect(pg_url) as pg:
        case_id = pg.execute("select min(case_id) from cases where deleted_at is null").fetchone()[0]
        pg.execute("update cases set deleted_at = now(), updated_at = now() where case_id = %s", [case_id])
        # Midnight in Karachi is 19:00 UTC the day before: the seizure date must follow PKT.
        other = pg.execute("select min(case_id) from cases where deleted_at is null").fetchone()[0]
        pg.execute(
            "update cases set seizure_at = '2024-03-31 19:30:00+00', updated_at = now() where case_id = %s", [other]
        )
    outcome = run_refresh(settings)
    assert outcome.success, outcome.error
    assert _published(settings, "select count(*) from marts.fct_cases")[0][0] == live - 1
    seizure_date = _published(settings, "select seizure_date from marts.fct_cases where case_id = ?", [other])[0][0]
    assert seizure_date.isoformat() == "2024-04-01"
