"""The case-scoped incremental build (antismuggling.changes, dbt macros/changed_cases.sql):
the load records what each batch changed, as case and officer keys, and a failed build step
leaves its table as it was.

The end-to-end property (incremental builds hold what full rebuilds hold) is in
test_incremental_equivalence.py."""

from __future__ import annotations

import json
import sqlite3
from datetime import date

import duckdb
import pytest

from antismuggling import changes
from antismuggling.ingest import load_operational_store
from antismuggling.store.generate import generate_store
from dbt_helpers import DbtBuildError, make_warehouse, query, run_dbt, shared_hs_rows, write_raw

EDITED_AT = "2026-12-03T09:00:00Z"  # after everything the generated store holds


@pytest.fixture
def loaded(tmp_path):
    """A generated SQLite store loaded once (a full load), and a way to edit it."""
    store = tmp_path / "ops.db"
    url = f"sqlite:///{store}"
    generate_store(url, 60, 7, progress=False)
    warehouse = tmp_path / "build.duckdb"
    load_operational_store(warehouse, url)

    def edit(sql: str, params=()) -> None:
        con = sqlite3.connect(store)
        try:
            assert con.execute(sql, params).rowcount >= 1, sql
            con.commit()
        finally:
            con.close()

    return url, warehouse, edit


def _recorded(warehouse, after_seq: int) -> set[tuple[str, str | None, str]]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return set(con.execute(
            f"select kind, key, source_table from {changes.CHANGED_KEYS} where seq > ?", [after_seq]
        ).fetchall())
    finally:
        con.close()


def _last_seq(warehouse) -> int:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(f"select coalesce(max(seq), 0) from {changes.CHANGED_KEYS}").fetchone()[0]
    finally:
        con.close()


def _one(url: str, sql: str):
    con = sqlite3.connect(url.removeprefix("sqlite:///"))
    try:
        return con.execute(sql).fetchone()
    finally:
        con.close()


def test_a_full_load_rebuilds_everything(loaded):
    _, warehouse, _ = loaded
    pending = changes.pending_build(warehouse)
    assert pending.everything and pending.through_seq >= 1
    assert {kind for kind, _, _ in _recorded(warehouse, 0)} == {"all"}


def test_an_item_moved_to_another_case_records_both_cases(loaded):
    url, warehouse, edit = loaded
    item_id, old_case = _one(url, "select item_id, case_id from seizure_items order by item_id limit 1")
    new_case = _one(url, f"select case_id from cases where case_id <> {old_case} order by case_id limit 1")[0]
    before = _last_seq(warehouse)
    edit("update seizure_items set case_id = ?, updated_at = ? where item_id = ?", (new_case, EDITED_AT, item_id))
    load_operational_store(warehouse, url)
    assert _recorded(warehouse, before) == {
        ("case", str(old_case), "seizure_items"), ("case", str(new_case), "seizure_items"),
    }


def test_a_posting_corrected_records_its_officer_and_a_formation_edit_records_all(loaded):
    url, warehouse, edit = loaded
    posting_id, officer_id = _one(url, "select posting_id, officer_id from officer_postings order by posting_id limit 1")
    before = _last_seq(warehouse)
    edit("update officer_postings set posted_from = '2001-01-01', updated_at = ? where posting_id = ?",
         (EDITED_AT, posting_id))
    load_operational_store(warehouse, url)
    assert _recorded(warehouse, before) == {("officer", str(officer_id), "officer_postings")}

    before = _last_seq(warehouse)
    edit("update formations set name = name || ' (renamed)', updated_at = ? "
         "where formation_code = (select min(formation_code) from formations)", (EDITED_AT,))
    load_operational_store(warehouse, url)
    assert _recorded(warehouse, before) == {("all", None, "formations")}
    pending = changes.pending_build(warehouse, refresh_date=date(2026, 12, 3))
    assert pending.everything  # a formation edit reaches every case: rebuild everything
    # a build of everything follows no earlier date, and passes the vars later builds of the day pass
    assert pending.dbt_vars() == {"refresh_date": "2026-12-03", "built_refresh_date": "2026-12-03"}
    assert pending.through_seq == _last_seq(warehouse)
    changes.mark_built(warehouse, pending, changes.EVERYTHING)
    after = changes.pending_build(warehouse, refresh_date=date(2026, 12, 4))
    assert (after.everything, after.through_seq) == (False, 0)  # taken in; the same code built it
    assert after.dbt_vars() == {"refresh_date": "2026-12-04", "built_refresh_date": "2026-12-03"}


def test_a_reload_that_changes_nothing_records_nothing(loaded):
    url, warehouse, _ = loaded
    before = _last_seq(warehouse)
    load_operational_store(warehouse, url)
    assert _recorded(warehouse, before) == set()


def test_a_failed_incremental_step_leaves_its_table_as_it_was(tmp_path):
    """The pre-hook's delete and the insert run in one transaction: when the insert fails, the
    deleted cases are back. The failure is real: a column the build does not produce."""
    raw = {
        "cases": [{"case_id": str(i), "formation_code": "F1", "status": "REGISTERED",
                   "seizure_at": "2026-01-0%dT08:00:00Z" % i, "created_at": "2026-01-10T08:00:00Z",
                   "updated_at": "2026-01-10T08:00:00Z"} for i in (1, 2, 3)],
        "formations": [{"formation_code": "F1", "name": "One", "kind": "DIRECTORATE"}],
    }
    warehouse = make_warehouse(tmp_path, raw)
    run_dbt(warehouse, ["build", "--select", "stg_changed_cases", "stg_cases"])
    assert len(query(warehouse, "select * from staging.stg_cases")) == 3

    con = duckdb.connect(str(warehouse))
    try:
        con.execute("alter table staging.stg_cases add column not_built integer")  # the insert now fails
        con.execute(f"delete from {changes.CHANGED_KEYS}")
        con.execute(f"insert into {changes.CHANGED_KEYS} values (1, 'case', '2', 'cases', now()::timestamp)")
    finally:
        con.close()
    with pytest.raises(DbtBuildError, match="not_built"):
        run_dbt(warehouse, ["build", "--select", "stg_changed_cases", "stg_cases"])
    assert [r["case_id"] for r in query(warehouse, "select case_id from staging.stg_cases order by 1")] == [1, 2, 3]


def _vehicle_store(chassis_of_second: str) -> dict[str, list[dict[str, str]]]:
    """Three cases of one vehicle each; the first two share a chassis number unless told otherwise."""
    stamp = "2026-01-10T08:00:00Z"
    cases = [{"case_id": str(i), "case_no": f"C-{i}", "formation_code": "F1", "status": "REGISTERED",
              "seizure_at": f"2026-01-0{i}T08:00:00Z", "created_at": stamp, "updated_at": stamp} for i in (1, 2, 3)]
    chassis = {1: "JTDBR32E540111111", 2: chassis_of_second, 3: "JTDBR32E540333333"}
    vehicles = [{"case_vehicle_id": str(i), "case_id": str(i), "chassis_no": chassis[i], "vehicle_type": "CAR",
                 "involvement": "CONVEYANCE", "created_at": stamp, "updated_at": stamp} for i in (1, 2, 3)]
    return {"cases": cases, "case_vehicles": vehicles,
            "formations": [{"formation_code": "F1", "name": "One", "kind": "DIRECTORATE"}]}


VEHICLE_MODELS = ["build", "--select", "+mart_vehicle_recidivism", "--exclude", "resource_type:test"]


def _load_an_edit_of_case_2(warehouse, raw) -> None:
    """``raw`` in the warehouse as a load of an edit of case 2's vehicle leaves it: recording
    case 2 alone."""
    write_raw(warehouse, raw)
    con = duckdb.connect(str(warehouse))
    try:
        con.execute(f"delete from {changes.CHANGED_KEYS}")
        con.execute(f"insert into {changes.CHANGED_KEYS} values (1, 'case', '2', 'case_vehicles', now()::timestamp)")
    finally:
        con.close()


def _vehicle_rows(warehouse) -> list[dict]:
    return query(warehouse, "select * from marts.mart_vehicle_recidivism order by case_vehicle_id")


def test_a_vehicle_split_and_merged_by_one_changed_case_is_rebuilt_whole(tmp_path):
    """Case 2's chassis number is corrected from case 1's to case 3's: the vehicle of cases 1
    and 2 splits and case 2 joins case 3's, though only case 2 changed. The incremental
    build must give what a build from nothing gives."""
    warehouse = make_warehouse(tmp_path / "incremental", _vehicle_store("JTDBR32E540111111"))
    run_dbt(warehouse, VEHICLE_MODELS)
    assert [r["vehicle_key"] for r in _vehicle_rows(warehouse)] == ["V1", "V1", "V3"]

    corrected = _vehicle_store("JTDBR32E540333333")
    _load_an_edit_of_case_2(warehouse, corrected)
    run_dbt(warehouse, VEHICLE_MODELS)

    rebuilt = make_warehouse(tmp_path / "rebuilt", corrected)
    run_dbt(rebuilt, VEHICLE_MODELS)
    assert _vehicle_rows(warehouse) == _vehicle_rows(rebuilt)
    assert [(r["vehicle_key"], r["prior_seizures"]) for r in _vehicle_rows(warehouse)] == [
        ("V1", 0), ("V2", 0), ("V2", 1)]


def _merging_store(linked: bool) -> dict[str, list[dict[str, str]]]:
    """Cases 1 and 3 each seize a vehicle and name one person (the same valid CNIC); case 2's
    vehicle, when ``linked``, carries case 1's chassis and case 3's engine number, making the
    three rows one vehicle. Case 2 names another person."""
    store = _vehicle_store("JTDBR32E540222222")
    engines = {1: "1NZ111111", 2: "3SZ333333" if linked else None, 3: "3SZ333333"}
    for vehicle in store["case_vehicles"]:
        i = int(vehicle["case_id"])
        vehicle["engine_no"] = engines[i]
        if linked and i == 2:
            vehicle["chassis_no"] = "JTDBR32E540111111"
    stamp = "2026-01-10T08:00:00Z"
    cnic = {1: "35202-1234567-1", 2: "42101-7654321-3", 3: "35202-1234567-1"}
    store["case_persons"] = [
        {"case_person_id": str(i), "case_id": str(i), "cnic": cnic[i], "full_name": f"Person {i}", "role": "DRIVER",
         "created_at": stamp, "updated_at": stamp} for i in (1, 2, 3)]
    return store


PERSON_AND_VEHICLE_MODELS = [
    "build", "--select", "+dim_offenders", "+dim_vehicles", "+feed_ntc_persons", "+feed_ntc_vehicles",
    "+feed_ncen_vehicles", "--exclude", "resource_type:test"]
TOUCHED_TABLES = ["marts.dim_offenders", "marts.dim_vehicles", "marts.mart_vehicle_recidivism",
                  "marts.fct_case_persons", "feeds.feed_ntc_persons", "feeds.feed_ntc_vehicles",
                  "feeds.feed_ncen_vehicles"]


def _tables(warehouse) -> dict[str, list[dict]]:
    return {t: query(warehouse, f"select * from {t} order by all") for t in TOUCHED_TABLES}


def test_vehicles_merged_by_a_changed_case_rebuild_the_people_of_unchanged_cases(tmp_path):
    """Only case 2 changes, but its corrected numbers make the vehicles of cases 1 and 3 one:
    the person of cases 1 and 3 now has one vehicle, not two. The dimensions and feeds of
    vehicles and people must give what a build from nothing gives."""
    warehouse = make_warehouse(tmp_path / "incremental", _merging_store(linked=False))
    run_dbt(warehouse, PERSON_AND_VEHICLE_MODELS)
    person = "select n_vehicles, n_cases from marts.dim_offenders where cnic = '35202-1234567-1'"
    assert query(warehouse, person) == [{"n_vehicles": 2, "n_cases": 2}]

    linked = _merging_store(linked=True)
    _load_an_edit_of_case_2(warehouse, linked)
    run_dbt(warehouse, PERSON_AND_VEHICLE_MODELS)

    rebuilt = make_warehouse(tmp_path / "rebuilt", linked)
    run_dbt(rebuilt, PERSON_AND_VEHICLE_MODELS)
    assert _tables(warehouse) == _tables(rebuilt)
    assert query(warehouse, person) == [{"n_vehicles": 1, "n_cases": 2}]
    assert query(warehouse, "select vehicle_key, n_cases from feeds.feed_ntc_vehicles") == [
        {"vehicle_key": "V1", "n_cases": 3}]

    # that build succeeded: the next forgets what it touched (change numbers never repeat)
    pending = changes.pending_build(warehouse)
    changes.mark_built(warehouse, pending, changes.CHANGED_CASES)
    con = duckdb.connect(str(warehouse))
    try:
        seq = changes._next_seq(con)
        con.execute(f"insert into {changes.CHANGED_KEYS} values (?, 'case', '1', 'cases', now()::timestamp)", [seq])
    finally:
        con.close()
    assert seq > pending.through_seq
    run_dbt(warehouse, PERSON_AND_VEHICLE_MODELS)
    for touched in ("int_touched_vehicles", "int_touched_offenders"):
        assert {r["through_seq"] for r in query(warehouse, f"select through_seq from intermediate.{touched}")} == {seq}
    assert _tables(warehouse) == _tables(rebuilt)


def test_a_build_stopped_after_the_vehicle_mart_leaves_the_next_what_the_mart_held(tmp_path):
    """A build that rebuilt mart_vehicle_recidivism and stopped before the dimensions (a failed
    step) keeps the change records, and what the mart held before: the next build, comparing
    with the rebuilt mart alone, would miss the vehicles that merged away."""
    warehouse = make_warehouse(tmp_path / "incremental", _merging_store(linked=False))
    run_dbt(warehouse, PERSON_AND_VEHICLE_MODELS)
    linked = _merging_store(linked=True)
    _load_an_edit_of_case_2(warehouse, linked)
    run_dbt(warehouse, ["build", "--select", "+mart_vehicle_recidivism", "+fct_case_persons",
                        "--exclude", "resource_type:test"])
    run_dbt(warehouse, PERSON_AND_VEHICLE_MODELS)

    rebuilt = make_warehouse(tmp_path / "rebuilt", linked)
    run_dbt(rebuilt, PERSON_AND_VEHICLE_MODELS)
    assert _tables(warehouse) == _tables(rebuilt)
    assert [r["vehicle_key"] for r in query(warehouse, "select vehicle_key from marts.dim_vehicles")] == ["V1"]


def _dated(warehouse, *, refresh_date: str, built_refresh_date: str | None = None) -> list[dict]:
    dates = {"refresh_date": refresh_date, **({"built_refresh_date": built_refresh_date} if built_refresh_date else {})}
    run_dbt(warehouse, ["build", "--select", "+fct_cases", "--exclude", "resource_type:test",
                        "--vars", json.dumps(dates)])
    return query(warehouse, "select case_id, seizure_date from marts.fct_cases order by case_id")


def test_another_refresh_date_rebuilds_the_unchanged_cases_whose_dates_it_makes_plausible(tmp_path):
    """Case 2's seizure is typed for 3 June. Built on 1 June, that is after tomorrow, so no
    plausible date; built on 3 June with nothing changed, it is, as a build from nothing
    says; built on 1 June again (a clock set back), it is not. Case 1's updated_at is the
    last hours DuckDB's timestamps hold: looking for dates near the refresh date must not
    overflow on it."""
    stamp = "2026-05-30T08:00:00Z"
    raw = {
        "cases": [{"case_id": str(i), "case_no": f"C-{i}", "formation_code": "F1", "status": "REGISTERED",
                   "seizure_at": at, "created_at": stamp, "updated_at": updated}
                  for i, at, updated in ((1, "2026-05-30T08:00:00Z", "294247-01-10 03:00:00"),
                                         (2, "2026-06-03T08:00:00Z", stamp))],
        "formations": [{"formation_code": "F1", "name": "One", "kind": "DIRECTORATE"}],
    }
    warehouse = make_warehouse(tmp_path / "incremental", raw)
    assert [r["seizure_date"] for r in _dated(warehouse, refresh_date="2026-06-01")] == [date(2026, 5, 30), None]
    built = "2026-06-01"
    for day, seized in (("2026-06-03", date(2026, 6, 3)), ("2026-06-01", None)):
        con = duckdb.connect(str(warehouse))
        try:  # the next load changed nothing
            con.execute(f"delete from {changes.CHANGED_KEYS}")
        finally:
            con.close()
        incremental = _dated(warehouse, refresh_date=day, built_refresh_date=built)
        assert incremental == _dated(make_warehouse(tmp_path / f"rebuilt-{day}", raw), refresh_date=day)
        assert [r["seizure_date"] for r in incremental] == [date(2026, 5, 30), seized]
        built = day


AGGREGATE_MODELS = ["build", "--select", "+mart_hs_trends", "+mart_formation_accountability", "+mart_route_flows",
                    "+feed_psw_indicators", "--exclude", "resource_type:test"]
AGGREGATE_TABLES = ["marts.mart_hs_trends", "marts.mart_formation_accountability", "marts.mart_route_flows",
                    "feeds.feed_psw_indicators"]


def _aggregate_store(moved: bool = False, late_case: bool = False) -> dict[str, list[dict[str, str]]]:
    """Cases 1-3 of F1 seize cigarettes (HS 2402) in January 2025, February 2025 and January
    2026; ``moved``: case 2 was seized by F2 in January 2025, at another place; ``late_case``:
    a case 4 of F2, typed late, seized in June 2023 (before any other)."""
    stamp = "2026-01-10T08:00:00Z"
    seized = {1: "2025-01-05T08:00:00Z", 2: "2025-02-05T08:00:00Z", 3: "2026-01-05T08:00:00Z",
              4: "2023-06-05T08:00:00Z"}
    formation = {1: "F1", 2: "F1", 3: "F1", 4: "F2"}
    place = {i: "1" for i in seized}
    if moved:
        seized[2], formation[2], place[2] = "2025-01-20T08:00:00Z", "F2", "2"
    ids = (1, 2, 3, 4) if late_case else (1, 2, 3)
    cases = [{"case_id": str(i), "case_no": f"C-{i}", "formation_code": formation[i], "status": "SEIZED",
              "seizure_at": seized[i], "seizure_location_id": place[i], "origin_location_id": "3",
              "created_at": stamp, "updated_at": stamp} for i in ids]
    items = [{"item_id": str(i), "case_id": str(i), "hs_code": "2402.20", "description": "cigarettes",
              "quantity": "10", "unit": "KG", "value_pkr": str(1000 * i), "created_at": stamp, "updated_at": stamp}
             for i in ids]
    formations = [{"formation_code": f, "name": f, "kind": "DIRECTORATE"} for f in ("F1", "F2")]
    return {"cases": cases, "seizure_items": items, "formations": formations}


def _record_cases(warehouse, *case_ids: int) -> None:
    con = duckdb.connect(str(warehouse))
    try:
        con.execute(f"delete from {changes.CHANGED_KEYS}")
        for case_id in case_ids:
            con.execute(f"insert into {changes.CHANGED_KEYS} values (1, 'case', ?, 'cases', now()::timestamp)",
                        [str(case_id)])
    finally:
        con.close()


def _aggregates(warehouse) -> dict[str, list[dict]]:
    return {t: query(warehouse, f"select * from {t} order by all") for t in AGGREGATE_TABLES}


def test_a_case_moved_in_a_build_stopped_after_the_facts_leaves_its_old_groups_to_the_next(tmp_path):
    """Case 2 moves to another formation, month and place; the build that takes it in stops
    after fct_cases. The aggregate marts rebuild by group (macros/touched_groups.sql): the
    next build must still rebuild the groups case 2 left, which fct_cases no longer shows."""
    hs = shared_hs_rows(["2402", "240220"])
    warehouse = make_warehouse(tmp_path / "incremental", _aggregate_store(), hs_reference=hs)
    run_dbt(warehouse, AGGREGATE_MODELS)
    moved = _aggregate_store(moved=True)
    write_raw(warehouse, moved, hs)
    _record_cases(warehouse, 2)
    run_dbt(warehouse, ["build", "--select", "+fct_cases", "+fct_seizure_items", "+feed__item_facts",
                        "--exclude", "resource_type:test"])
    run_dbt(warehouse, AGGREGATE_MODELS)

    rebuilt = make_warehouse(tmp_path / "rebuilt", moved, hs_reference=hs)
    run_dbt(rebuilt, AGGREGATE_MODELS)
    assert _aggregates(warehouse) == _aggregates(rebuilt)
    assert query(warehouse, "select formation_code, seizure_month, n_cases from marts.mart_formation_accountability"
                            " order by all") == [
        {"formation_code": "F1", "seizure_month": date(2025, 1, 1), "n_cases": 1},
        {"formation_code": "F1", "seizure_month": date(2026, 1, 1), "n_cases": 1},
        {"formation_code": "F2", "seizure_month": date(2025, 1, 1), "n_cases": 1}]


def test_a_case_before_the_first_month_gives_unchanged_groups_a_last_year(tmp_path):
    """A late case of June 2023 moves the warehouse's first month back: January 2025's
    cigarettes in F1, a group no case of which changed, now have a known last year (0, not
    NULL): mart_hs_trends rebuilds whole when the first month moves."""
    hs = shared_hs_rows(["2402", "240220"])
    warehouse = make_warehouse(tmp_path / "incremental", _aggregate_store(), hs_reference=hs)
    run_dbt(warehouse, AGGREGATE_MODELS)
    january = ("select value_pkr_last_year from marts.mart_hs_trends where formation_code = 'F1'"
               " and seizure_month = date '2025-01-01' and hs_level = 'heading'")
    assert query(warehouse, january) == [{"value_pkr_last_year": None}]

    late = _aggregate_store(late_case=True)
    write_raw(warehouse, late, hs)
    _record_cases(warehouse, 4)
    run_dbt(warehouse, AGGREGATE_MODELS)
    rebuilt = make_warehouse(tmp_path / "rebuilt", late, hs_reference=hs)
    run_dbt(rebuilt, AGGREGATE_MODELS)
    assert _aggregates(warehouse) == _aggregates(rebuilt)
    assert query(warehouse, january) == [{"value_pkr_last_year": 0}]


def _warnings(result, test_prefix: str) -> int:
    return sum(r.failures or 0 for r in result.result.results if r.node.name.startswith(test_prefix))


def test_an_incremental_build_tests_the_rows_it_rebuilt(tmp_path):
    """The dbt tests of a model rebuilt by key read, in an incremental build, the rows that
    build rebuilt (macros/tests_on_rebuilt_rows.sql); a build of everything, and the first
    build, every row. Three case vehicles without a readable seizure date (a warning each);
    only case 3 changes: its vehicle alone is tested again."""
    store = _vehicle_store("JTDBR32E540111111")
    for row in store["cases"]:
        row["seizure_at"] = "not a date"
    warehouse = make_warehouse(tmp_path, store)
    undated = "not_null_mart_vehicle_recidivism_seizure_date"
    assert _warnings(run_dbt(warehouse, VEHICLE_MODELS_TESTED), undated) == 3
    changes.mark_built(warehouse, changes.pending_build(warehouse), changes.EVERYTHING)

    _record_cases(warehouse, 3)
    assert _warnings(run_dbt(warehouse, VEHICLE_MODELS_TESTED), undated) == 1
    assert _warnings(run_dbt(warehouse, [*VEHICLE_MODELS_TESTED, "--full-refresh"]), undated) == 3


VEHICLE_MODELS_TESTED = ["build", "--select", "+mart_vehicle_recidivism", "--indirect-selection", "cautious"]
