"""The `antismuggling` command as a user runs it (separate processes, real files)."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import HS2022_CSV

EXE = str(Path(sys.executable).parent / "antismuggling")


def cli(*args: str, env_home: Path, ops_url: str | None = None, check: bool = True) -> subprocess.CompletedProcess:
    import os

    env = {**os.environ, "ANTISMUGGLING_HOME": str(env_home)}
    if ops_url:
        env["ANTISMUGGLING_OPS_URL"] = ops_url
    result = subprocess.run([EXE, *args], capture_output=True, text=True, env=env, timeout=600)
    if check and result.returncode != 0:
        raise AssertionError(f"{args} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
    return result


@pytest.fixture(scope="module")
def refreshed(tmp_path_factory):
    root = tmp_path_factory.mktemp("cli")
    store = root / "ops.db"
    url = f"sqlite:///{store}"
    home = root / "home"
    cli("generate", "--cases", "800", "--seed", "1", "--until", "2026-11-01", "--out", url, env_home=home)
    cli("refresh", "--full", env_home=home, ops_url=url)
    return home, url, store


def _latest_days(store: Path) -> dict[str, str]:
    """The latest day of any entry or edit of each table (seizure_at, where the generator types
    a year wrong now and then, is not looked at)."""
    con = sqlite3.connect(store)
    try:
        return {
            table: con.execute(f"select max(substr(max(created_at, updated_at), 1, 10)) from {table}").fetchone()[0]
            for table in ("cases", "seizure_items", "case_vehicles", "case_persons", "case_officers",
                          "officers", "officer_postings")
        }
    finally:
        con.close()


def test_generate_until_pins_the_day_the_store_runs_up_to(tmp_path):
    store = tmp_path / "ops.db"
    result = cli("generate", "--cases", "300", "--seed", "4", "--until", "2025-03-01", "--out", f"sqlite:///{store}",
                 env_home=tmp_path / "home")
    assert "as of 2025-03-01" in result.stderr
    latest = _latest_days(store)
    assert max(latest.values()) < "2025-03-01" and latest["cases"] >= "2025-01-01", latest
    again = tmp_path / "again.db"
    cli("generate", "--cases", "300", "--seed", "4", "--until", "2025-03-01", "--out", f"sqlite:///{again}",
        env_home=tmp_path / "home")
    dump = lambda path: list(sqlite3.connect(path).iterdump())  # noqa: E731
    assert dump(store) == dump(again)  # pinned: the same store on any day


def test_generate_runs_up_to_the_day_it_is_generated(tmp_path):
    from datetime import datetime, timedelta, timezone

    store = tmp_path / "ops.db"
    before = datetime.now(timezone.utc).date()
    result = cli("generate", "--cases", "300", "--seed", "4", "--out", f"sqlite:///{store}", env_home=tmp_path / "home")
    after = datetime.now(timezone.utc).date()
    as_of = next(day for day in {before, after} if f"as of {day.isoformat()}" in result.stderr)
    latest = _latest_days(store)
    # Nothing in the future, and the latest entries are recent: the store looks live.
    assert max(latest.values()) < as_of.isoformat(), latest
    assert latest["cases"] >= (as_of - timedelta(days=60)).isoformat(), latest
    assert "--until" in cli("generate", "--help", env_home=tmp_path / "home").stdout


def test_generate_refuses_a_malformed_until(tmp_path):
    result = cli("generate", "--cases", "5", "--until", "1 Nov 2026", "--out", f"sqlite:///{tmp_path / 'ops.db'}",
                 env_home=tmp_path / "home", check=False)
    assert result.returncode == 2 and "--until" in result.stderr
    assert not (tmp_path / "ops.db").exists()


def test_query_counts_live_cases(refreshed):
    home, url, store = refreshed
    live = sqlite3.connect(store).execute("select count(*) from cases where deleted_at is null").fetchone()[0]
    out = cli("query", "select count(*) as n from marts.fct_cases", env_home=home).stdout
    assert out.splitlines() == ["n", str(live)]


def test_query_json_has_iso_dates_and_exact_money(refreshed):
    home, _, _ = refreshed
    out = cli("query", "select case_id, seizure_date, total_value_pkr from marts.fct_cases order by case_id limit 3",
              "--format", "json", env_home=home).stdout
    rows = json.loads(out)
    assert len(rows) == 3 and set(rows[0]) == {"case_id", "seizure_date", "total_value_pkr"}
    assert len(rows[0]["seizure_date"]) == 10 and rows[0]["seizure_date"][4] == "-"


@pytest.mark.parametrize(
    "statement",
    [
        "delete from marts.fct_cases",
        "create table marts.x as select 1",
        "select 1; drop table marts.fct_cases",
        "copy marts.fct_cases to '/tmp/stolen.csv'",
        "attach '/tmp/other.duckdb' as other",
    ],
)
def test_query_refuses_writes(refreshed, statement):
    home, _, _ = refreshed
    result = cli("query", statement, env_home=home, check=False)
    assert result.returncode != 0
    assert "refused" in result.stderr
    count = cli("query", "select count(*) from marts.fct_cases", env_home=home).stdout
    assert int(count.splitlines()[1]) > 0


def test_query_cannot_read_local_files(refreshed):
    home, _, _ = refreshed
    result = cli("query", "select * from read_csv('/etc/passwd')", env_home=home, check=False)
    assert result.returncode != 0


def test_second_refresh_without_changes_keeps_numbers(refreshed):
    home, url, _ = refreshed
    sql = "select count(*), sum(total_value_pkr), sum(n_items) from marts.fct_cases"
    before = cli("query", sql, env_home=home).stdout
    cli("refresh", env_home=home, ops_url=url)
    assert cli("query", sql, env_home=home).stdout == before


def test_bad_store_url_is_a_clear_error(tmp_path):
    result = cli("refresh", env_home=tmp_path / "home", ops_url="mysql://x/y", check=False)
    assert result.returncode != 0
    assert "sqlite:///" in result.stderr and "Traceback" not in result.stderr
    result = cli("generate", "--cases", "5", "--out", "oracle://nope", env_home=tmp_path / "home", check=False)
    assert result.returncode != 0 and "Traceback" not in result.stderr


def test_load_full_hs_nomenclature(refreshed, tmp_path):
    home, url, _ = refreshed
    if not HS2022_CSV.exists():
        pytest.skip("shared HS 2022 reference not present")
    bom_copy = tmp_path / "hs-with-bom.csv"
    bom_copy.write_bytes(b"\xef\xbb\xbf" + HS2022_CSV.read_bytes())
    result = cli("reference", "load-hs", str(bom_copy), env_home=home)
    assert "loaded" in result.stderr
    bad = tmp_path / "bad.csv"
    bad.write_text("code,name\n01,Animals\n")
    result = cli("reference", "load-hs", str(bad), env_home=home, check=False)
    assert result.returncode != 0 and "expected the header" in result.stderr
    valid_sql = "select count(*) from marts.fct_seizure_items where hs_code_status = 'VALID'"
    valid_before = int(cli("query", valid_sql, env_home=home).stdout.splitlines()[1])
    cli("refresh", env_home=home, ops_url=url)
    valid_after = int(cli("query", valid_sql, env_home=home).stdout.splitlines()[1])
    assert valid_after >= valid_before > 0
    hs6_codes = cli("query", "select distinct hs6 from marts.fct_seizure_items where hs_code_status = 'VALID'",
                    env_home=home).stdout.splitlines()[1:]
    known = {line.split(",")[1] for line in HS2022_CSV.read_text(encoding="utf-8-sig").splitlines()[1:]}
    assert hs6_codes and set(hs6_codes) <= known
