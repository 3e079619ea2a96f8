"""Dates that are not real dates never break a page.

A seizure date typed with a five-digit year (``10000-01-01``) is a valid DuckDB date that
Python cannot hold: DuckDB hands it back as text, pandas as a Timestamp no page can format.
The pipeline makes such dates NULL in the marts; the dashboard must survive a snapshot that
still has them, and missing dates and names, whatever the pipeline does. The tests publish a
copy of the real pipeline's snapshot damaged on purpose: one person's cases (and everything
about them: items, vehicles, people, officers' credits, monthly marts) dated in the year
10000, before year 1, not at all, and on the first and last dates Python holds, where a year
before or a month after does not exist; and a few names and descriptions missing. Then
every page is opened and the person and a vehicle of those cases looked up, as a Director
General and as the formation's officer.
"""

from __future__ import annotations

import shutil
from datetime import date, datetime

import duckdb
import pandas as pd
import pytest

from antismuggling.access.scope import Scope
from antismuggling.publish import POINTER_NAME, current_snapshot_path
from apptest_helpers import assert_clean, assert_no_raw_missing, open_app, texts

DATA_PAGES = ("overview", "formation", "commodities", "routes", "officers", "vehicles", "offenders", "data_quality")
BAD_DATES = {  # DuckDB literal -> what it is
    "10000-01-01": "a five-digit year",
    "0044-03-15 (BC)": "a year before 1",
    None: "no date",
    "0001-01-01": "the first date Python holds (a year before it is not)",
    "9999-12-31": "the last date Python holds (a month after it is not)",
}


def _date_columns(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """(schema, table) -> [(column, type)] of every DATE and TIMESTAMP column of the snapshot."""
    columns: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for schema, table, column, data_type in con.execute(
        "select table_schema, table_name, column_name, data_type from information_schema.columns "
        "where data_type = 'DATE' or data_type like 'TIMESTAMP%' order by all"
    ).fetchall():
        columns.setdefault((schema, table), []).append((column, data_type))
    return columns


def _set_dates(con, schema: str, table: str, columns: list[tuple[str, str]], value: str | None, where: str, params: list) -> None:
    literal = "null" if value is None else f"'{value}'"
    assignments = ", ".join(f'"{column}" = {literal}::{data_type}' for column, data_type in columns)
    con.execute(f'update {schema}."{table}" set {assignments} where {where}', params)


@pytest.fixture(scope="module")
def damaged(published_settings, tmp_path_factory):
    """A published copy of the snapshot with bad dates and missing names; yields
    (settings, formation, CNIC of the person, chassis or registration of a vehicle)."""
    home = tmp_path_factory.mktemp("damaged") / "home"
    home.mkdir()
    source = current_snapshot_path(published_settings)
    (home / "published").mkdir()
    target = home / "published" / source.name
    shutil.copy(source, target)
    (home / "published" / POINTER_NAME).write_text(source.name)
    con = duckdb.connect(str(target))
    try:
        # a person seen in as many cases as there are bad dates, with vehicles, people and items in them
        offender_key, cnic = con.execute(
            f"""
            select o.offender_key, o.cnic
            from marts.dim_offenders o join marts.fct_case_persons p using (offender_key)
            where exists (select 1 from marts.mart_vehicle_recidivism v where v.case_id = p.case_id)
            group by o.offender_key, o.cnic having count(distinct p.case_id) >= {len(BAD_DATES)}
            order by count(distinct p.case_id) desc, o.cnic limit 1
            """
        ).fetchone()
        case_ids = [row[0] for row in con.execute(
            f"select distinct case_id from marts.fct_case_persons where offender_key = ? order by case_id limit {len(BAD_DATES)}",
            [offender_key],
        ).fetchall()]
        formation = con.execute("select formation_code from marts.fct_cases where case_id = ?", [case_ids[0]]).fetchone()[0]
        vehicle = con.execute(
            "select coalesce(d.registration_no, d.chassis_no) from marts.mart_vehicle_recidivism v "
            "join marts.dim_vehicles d using (vehicle_key) where v.case_id = ? "
            "and coalesce(d.registration_no, d.chassis_no) is not null limit 1",
            [case_ids[0]],
        ).fetchone()[0]
        tables = _date_columns(con)
        case_columns = {
            key for key in tables
            if con.execute(
                "select count(*) from information_schema.columns where table_schema = ? and table_name = ? and column_name = 'case_id'",
                list(key),
            ).fetchone()[0]
        }
        for case_id, value in zip(case_ids, BAD_DATES, strict=True):
            for schema, table in case_columns:
                _set_dates(con, schema, table, tables[(schema, table)], value, "case_id = ?", [case_id])
        # the person's and the vehicle's own dates, and one row of each monthly mart
        _set_dates(con, "marts", "dim_offenders", tables[("marts", "dim_offenders")], "10000-01-01", "offender_key = ?", [offender_key])
        _set_dates(con, "marts", "dim_vehicles", tables[("marts", "dim_vehicles")], "10000-01-01",
                   "vehicle_key in (select vehicle_key from marts.mart_vehicle_recidivism where case_id = ?)", [case_ids[0]])
        for schema, table in set(tables) - case_columns - {("marts", "dim_offenders"), ("marts", "dim_vehicles")}:
            for value in BAD_DATES:
                _set_dates(con, schema, table, tables[(schema, table)], value, f"rowid = (select min(rowid) + {list(BAD_DATES).index(value)} from {schema}.\"{table}\")", [])
        # names and descriptions the marts lack
        con.execute("update marts.dim_locations set location_name = null, location_kind = null, country = null "
                    "where location_id = (select seizure_location_id from marts.fct_cases where case_id = ?)", [case_ids[0]])
        con.execute("update marts.fct_case_persons set full_name = null where case_id = ? and offender_key <> ?", [case_ids[0], offender_key])
        con.execute("update marts.mart_hs_trends set hs_description = null where hs_code = (select min(hs_code) from marts.mart_hs_trends)")
        con.execute("update marts.mart_officer_performance set full_name = null, designation = null, service_no = null "
                    "where officer_id = (select min(officer_id) from marts.mart_officer_performance)")
    finally:
        con.close()
    return home, formation, cnic, vehicle


@pytest.fixture
def damaged_home(damaged, monkeypatch):
    home, formation, cnic, vehicle = damaged
    monkeypatch.setenv("ANTISMUGGLING_HOME", str(home))
    return formation, cnic, vehicle


@pytest.mark.parametrize("role", ["dg", "formation_officer"])
def test_every_page_opens_on_bad_dates(damaged_home, role):
    formation, cnic, vehicle = damaged_home
    at = open_app(role, (formation,) if role == "formation_officer" else ())
    for period in ("default", "Whole period", "Last 12 full months"):  # whole: up to 31 Dec 9999
        if period != "default":
            at.switch_page("views/overview.py").run()
            at.selectbox(key="overview_quick_period").select(period).run()
        for page in DATA_PAGES:
            if page != "overview":
                at.switch_page(f"views/{page}.py").run()
            assert_clean(at)
            assert_no_raw_missing(at, f"{role} on {page}, {period} period")
    at.switch_page("views/offenders.py").run()
    at.text_input(key="offenders_query").input(cnic).run()
    assert_clean(at)
    assert_no_raw_missing(at, f"{role}: profile of {cnic}")
    assert f"CNIC {cnic}" in texts(at.subheader)
    at.switch_page("views/vehicles.py").run()
    at.text_input(key="vehicles_query").input(vehicle).run()
    assert_clean(at)
    assert_no_raw_missing(at, f"{role}: vehicle {vehicle}")
    assert "Vehicle " in texts(at.subheader)


def test_the_data_layer_reads_bad_dates_as_missing(damaged_home):
    from dashboard import data

    options = data.filter_options(data.current_snapshot(Scope()))
    for value in (options.min_date, options.max_date, options.default_end):
        assert type(value) is date and date.min <= value <= date.max
    snapshot = data.current_snapshot(Scope())
    with data.page_run(snapshot):
        info = data.publish_info(snapshot)
        assert info.published_at is None or isinstance(info.published_at, datetime)
        monthly = data.cases_by_month(snapshot, None, None, ())
        assert monthly["seizure_month"].notna().all() and monthly["seizure_month"].dt.year.max() <= 9999
        issues = data.data_quality_checks(snapshot)
        assert pd.api.types.is_datetime64_any_dtype(issues["first_seen_at"])
        assert issues["first_seen_at"].dropna().dt.year.between(1, 9999).all()
        # a row as DuckDB returns it: the year-10000 date arrives as text and is read as None
        with data._connect(snapshot) as con:
            latest = con.execute("select max(seizure_date), min(seizure_date) from marts.fct_cases").fetchone()
        assert latest == (None, None)


def test_calendar_steps_stay_within_the_dates_python_holds():
    from dashboard.formatting import month_end, months_back, year_earlier

    assert months_back(date(2025, 3, 1), 12) == date(2024, 3, 1)
    assert months_back(date(2025, 1, 1), 1) == date(2024, 12, 1)
    assert months_back(date(2025, 12, 1), -1) == date(2026, 1, 1)
    assert months_back(date(1, 6, 1), 12) == date.min
    assert months_back(date(9999, 12, 1), -1) == date(9999, 12, 1)
    assert year_earlier(date(2024, 2, 29)) == date(2023, 2, 28)
    assert year_earlier(date(1, 7, 4)) == date.min
    assert month_end(date(2024, 2, 10)) == date(2024, 2, 29)
    assert month_end(date.max) == date.max
