"""Values that used to change silently, or block publication, found by an adversarial test.

Three levels, each through the real code (no mocks):

- dbt on a hand-built raw layer: implausible dates never reach a mart, identifiers are never
  rounded, money keeps its precision or is flagged, blank / junk deleted_at, coordinates off
  the Earth, case_officers rows with an incomplete key (one warehouse, built once);
- dbt refreshes of the case status history: a typo'd future updated_at, then a correct edit;
  a warehouse whose snapshot already holds a future version recovers;
- the load itself on a hand-made SQLite store: NULL-key rows are never duplicated, edits whose
  updated_at says nothing usable are still read;
- and the three repros end to end (generate, edit the store, ``run_refresh``).
"""

from __future__ import annotations

import sqlite3
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

import duckdb
import pytest

from dbt_helpers import connect, make_warehouse, query, run_dbt, write_raw

TS = "2024-01-05 10:00:00"
PKT = timedelta(hours=5)


def today_pkt() -> date:
    return (datetime.now(timezone.utc) + PKT).date()


def plausible_bounds() -> tuple[date, date]:
    """The plausible event dates (dbt_project/macros/parsing.sql, plausible_date_range)."""
    return date(1947, 1, 1), today_pkt() + timedelta(days=1)


def case(case_id, seizure_at="2024-01-01 10:00:00", **overrides):
    row = {
        "case_id": case_id, "case_no": f"PSH-2024-{case_id:06d}", "formation_code": "II-PSH",
        "seizure_at": seizure_at, "seizure_location_id": 1, "origin_location_id": 2,
        "detection_method": "CHECKPOST", "offence_nature": "SMUGGLING", "status": "SEIZED",
        "created_at": TS, "updated_at": TS,
    }
    row.update(overrides)
    return row


def item(item_id, case_id, value_pkr="1", quantity="1", **overrides):
    row = {"item_id": item_id, "case_id": case_id, "hs_code": "0802.80", "description": "goods",
           "quantity": quantity, "unit": "KG", "value_pkr": value_pkr, "created_at": TS, "updated_at": TS}
    row.update(overrides)
    return row


def person(pid, case_id, date_of_birth=None, **overrides):
    row = {"case_person_id": pid, "case_id": case_id, "cnic": None, "full_name": "Someone", "role": "DRIVER",
           "custody_status": "ARRESTED", "date_of_birth": date_of_birth, "created_at": TS, "updated_at": TS}
    row.update(overrides)
    return row


def officer_row(case_id, officer_id, role, **overrides):
    row = {"case_id": case_id, "officer_id": officer_id, "role": role, "created_at": TS, "updated_at": TS}
    row.update(overrides)
    return row


def location(lid, latitude="34.1", longitude="71.1"):
    return {"location_id": lid, "name": f"L{lid}", "kind": "CITY", "country": "PK",
            "latitude": latitude, "longitude": longitude, "created_at": TS, "updated_at": TS}


def raw_rows():
    tomorrow = today_pkt() + timedelta(days=1)
    cases = [
        case(1, seizure_at="20240-05-01 10:00:00"),  # a five-digit year (DuckDB hands it to Python as text)
        case(2, seizure_at="2206-01-10 05:00:00"),   # 2026 typed 2206
        case(3, seizure_at="1900-01-01 00:00:00"),   # before 1947
        case(4, seizure_at=f"{tomorrow} 06:00:00"),  # tomorrow in Pakistan: within a day's tolerance
        case(5, created_at="2206-01-01 00:00:00"),
        case(6, updated_at="2099-01-01 00:00:00"),
        case(7, status="ADJUDICATED", adjudication_outcome="CONFISCATED", adjudicated_on="20240-01-01"),
        case(8, status="ADJUDICATED", adjudication_outcome="CONFISCATED", adjudicated_on="soon"),
        case(9, deleted_at=""),                       # blank: not a deletion
        case(10, deleted_at="yesterday"),             # junk: no evidence of a deletion, kept and flagged
        case(11, deleted_at="2024-02-01 00:00:00"),   # deleted
        # location ids: 1.5 is no id (a cast rounds it to 2, another location); 2.0 is 2
        case(12, seizure_location_id="1.5", origin_location_id="2.0", destination_location_id=" 2 "),
        case(13, redemption_fine_pkr="0.005", personal_penalty_pkr="1e-9"),
        case(14, redemption_fine_pkr="12.340", personal_penalty_pkr="1_000"),
        case(20), case(21),
    ]
    items = [
        item(101, 20, value_pkr="0.005"),                 # more precision than a paisa: rounded, flagged
        item(102, 20, value_pkr="100.129", quantity="1e-9"),
        item(103, 20, value_pkr="100.50", quantity="2.5000"),  # trailing zeros are no extra precision
        item(104, "20.0", value_pkr="7"),                 # case 20
        item(105, "20.5", value_pkr="9"),                 # no case (never case 21): an orphan
        item(106, 21, value_pkr="3", deleted_at=""),      # blank deleted_at: live
        item(107, 21, value_pkr="4", deleted_at="N/A"),   # junk deleted_at: live, flagged
        item(108, 21, value_pkr="5", deleted_at="2024-03-01"),  # deleted
    ]
    vehicles = [
        {"case_vehicle_id": 201, "case_id": 20, "registration_no": "LEA-1234", "vehicle_type": "CAR",
         "involvement": "CONVEYANCE", "confiscated_u_s_157": "0", "model_year": "2019.5", "created_at": TS, "updated_at": TS},
        {"case_vehicle_id": 202, "case_id": 20, "registration_no": "LEB-5678", "vehicle_type": "CAR",
         "involvement": "CONVEYANCE", "confiscated_u_s_157": "0", "model_year": "2019.0", "created_at": TS, "updated_at": TS},
    ]
    persons = [
        person(301, 20, date_of_birth="2090-01-01"),   # born after today
        person(302, 20, date_of_birth="1890-05-05"),   # before 1900
        person(303, 20, date_of_birth="1940-01-01"),   # 84 at the seizure: old, not implausible
        person(304, 20, date_of_birth="unknown"),
    ]
    case_officers = [
        officer_row(20, 10, "SEIZING_OFFICER"),
        officer_row(20, None, "TEAM_MEMBER"),          # SQLite allows NULLs in a composite key
        officer_row(20, 11, None),
        officer_row(None, 10, "TEAM_LEAD"),
        officer_row(21, None, "TEAM_LEAD"), officer_row(21, None, "TEAM_LEAD"),  # the same incomplete key twice
        officer_row(21, 10, "SEIZING_OFFICER"),
    ]
    return {
        "formations": [{"formation_code": "II-PSH", "name": "Peshawar", "kind": "II_DIRECTORATE", "region": "KP",
                        "city": "Peshawar", "created_at": TS, "updated_at": TS}],
        "locations": [location(1), location(2), location(3, "200", "-500"), location(4, "1e20", "71.5"),
                      location(5, "-90", "180")],
        "officers": [
            {"officer_id": 10, "service_no": "S-10", "full_name": "A", "designation": "Inspector",
             "created_at": TS, "updated_at": TS},
            {"officer_id": 11, "service_no": "S-11", "full_name": "B", "designation": "Sepoy",
             "created_at": TS, "updated_at": TS, "deleted_at": "yesterday"},
        ],
        "officer_postings": [
            {"posting_id": 1, "officer_id": 10, "formation_code": "II-PSH", "posted_from": "2020-01-01",
             "posted_to": "2206-01-01", "created_at": TS, "updated_at": TS},
            {"posting_id": 2, "officer_id": "10.0", "formation_code": "II-PSH", "posted_from": "1900-01-01",
             "posted_to": None, "created_at": TS, "updated_at": TS},
        ],
        "cases": cases,
        "seizure_items": items,
        "case_vehicles": vehicles,
        "case_persons": persons,
        "case_officers": case_officers,
    }


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    wh = make_warehouse(tmp_path_factory.mktemp("hardening"), raw_rows())
    run_dbt(wh)
    return wh


def issues(wh):
    return {(r["source_table"], r["source_pk"], r["check_name"]): r
            for r in query(wh, "select * from marts.data_quality_issues")}


def cases_by_id(wh):
    return {r["case_id"]: r for r in query(wh, "select * from marts.fct_cases")}


# --- implausible dates ------------------------------------------------------------------------------

def test_implausible_seizure_dates_are_null_flagged_and_the_case_stays(warehouse):
    cases = cases_by_id(warehouse)
    found = issues(warehouse)
    for case_id, typed in ((1, "20240-05-01 10:00:00"), (2, "2206-01-10 05:00:00"), (3, "1900-01-01 00:00:00")):
        row = cases[case_id]  # the case is still there, its value and counts too
        assert (row["seizure_at_utc"], row["seizure_date"], row["seizure_month"], row["upload_lag_days"]) == (
            None, None, None, None), case_id
        issue = found[("cases", str(case_id), "implausible_seizure_at")]
        assert issue["severity"] == "flagged" and f"'{typed}'" in issue["detail"], issue
        assert ("cases", str(case_id), "seizure_date_in_future") not in found
        assert ("cases", str(case_id), "unparseable_seizure_at") not in found
    # tomorrow in Pakistan is within the tolerance: kept, and flagged as in the future
    assert cases[4]["seizure_date"] == today_pkt() + timedelta(days=1)
    assert ("cases", "4", "seizure_date_in_future") in found
    assert ("cases", "4", "implausible_seizure_at") not in found


def test_every_implausible_date_column_is_null_and_flagged(warehouse):
    cases = cases_by_id(warehouse)
    found = issues(warehouse)
    assert (cases[5]["created_at_utc"], cases[5]["created_date"], cases[5]["upload_lag_days"]) == (None, None, None)
    assert ("cases", "5", "implausible_created_at") in found
    assert cases[6]["updated_at_utc"] is None and ("cases", "6", "implausible_updated_at") in found
    assert cases[7]["adjudicated_on"] is None and "'20240-01-01'" in found[("cases", "7", "implausible_adjudicated_on")]["detail"]
    assert cases[8]["adjudicated_on"] is None and ("cases", "8", "unparseable_adjudicated_on") in found
    births = {r["case_person_id"]: r["date_of_birth"] for r in query(warehouse, "select * from marts.fct_case_persons")}
    assert births == {301: None, 302: None, 303: date(1940, 1, 1), 304: None}
    assert {k[1] for k in found if k[2] == "implausible_date_of_birth"} == {"301", "302"}
    assert ("case_persons", "304", "unparseable_date_of_birth") in found
    postings = {r["posting_id"]: r for r in query(warehouse, "select * from staging.stg_officer_postings")}
    assert (postings[1]["posted_from"], postings[1]["posted_to"]) == (date(2020, 1, 1), None)  # open-ended now
    assert ("officer_postings", "1", "implausible_posted_to") in found
    assert postings[2]["posted_from"] is None and ("officer_postings", "2", "implausible_posted_from") in found
    assert postings[2]["officer_id"] == 10  # `10.0` is 10
    assert ("officer_postings", "2", "unknown_officer") not in found


def test_no_mart_holds_an_implausible_date_or_a_date_python_cannot_read(warehouse):
    """Every DATE / TIMESTAMP column of every mart: within the plausible dates, and a real date."""
    earliest, latest = plausible_bounds()
    first_instant = datetime.combine(earliest, time()) - PKT
    end_instant = datetime.combine(latest + timedelta(days=1), time()) - PKT
    columns = query(warehouse, """
        select table_name, column_name, data_type from duckdb_columns()
        where schema_name = 'marts' and (data_type = 'DATE' or data_type like 'TIMESTAMP%')""")
    assert len(columns) > 20
    con = connect(warehouse)
    try:
        for c in columns:
            values = [v for (v,) in con.execute(f'select "{c["column_name"]}" from marts."{c["table_name"]}"').fetchall()]
            where = f'{c["table_name"]}.{c["column_name"]}'
            for value in values:
                if value is None:
                    continue
                assert isinstance(value, (date, datetime)), (where, value)  # year >= 10000 comes back as str
                if isinstance(value, datetime):
                    assert first_instant <= value.replace(tzinfo=None) < end_instant, (where, value)
                elif c["column_name"] == "date_of_birth":
                    assert date(1900, 1, 1) <= value <= today_pkt(), (where, value)
                else:
                    assert earliest <= value <= latest, (where, value)
    finally:
        con.close()


def test_counts_and_values_still_reconcile(warehouse):
    from antismuggling.quality.reconciliation import reconcile

    con = connect(warehouse)
    try:
        result = reconcile(con, con)
    finally:
        con.close()
    assert result.passed, result.problems


# --- values changed silently --------------------------------------------------------------------------

def test_identifiers_are_never_rounded(warehouse):
    cases = cases_by_id(warehouse)
    assert (cases[12]["seizure_location_id"], cases[12]["origin_location_id"], cases[12]["destination_location_id"]) == (
        None, 2, 2)
    assert "'1.5'" in issues(warehouse)[("cases", "12", "unknown_seizure_location_id")]["detail"]
    items = {r["item_id"]: r["case_id"] for r in query(warehouse, "select * from marts.fct_seizure_items")}
    assert items[104] == 20 and 105 not in items  # `20.5` is no case, never case 21 (nor 20)
    assert issues(warehouse)[("seizure_items", "105", "parent_case_missing")]["severity"] == "quarantined"
    years = {r["case_vehicle_id"]: r["model_year"] for r in query(warehouse, "select * from staging.stg_case_vehicles")}
    assert years == {201: None, 202: 2019}
    assert "'2019.5'" in issues(warehouse)[("case_vehicles", "201", "non_integer_model_year")]["detail"]


def test_excess_precision_is_rounded_and_flagged(warehouse):
    cases = cases_by_id(warehouse)
    found = issues(warehouse)
    assert (cases[13]["redemption_fine_pkr"], cases[13]["personal_penalty_pkr"]) == (Decimal("0.01"), Decimal("0.00"))
    assert "'0.005'" in found[("cases", "13", "excess_precision_redemption_fine_pkr")]["detail"]
    assert "'1e-9'" in found[("cases", "13", "excess_precision_personal_penalty_pkr")]["detail"]
    assert cases[14]["redemption_fine_pkr"] == Decimal("12.34") and cases[14]["personal_penalty_pkr"] is None
    assert ("cases", "14", "excess_precision_redemption_fine_pkr") not in found  # 12.340: a trailing zero
    assert ("cases", "14", "non_numeric_personal_penalty_pkr") in found  # 1_000 is no number
    items = {r["item_id"]: r for r in query(warehouse, "select * from marts.fct_seizure_items")}
    assert (items[101]["value_pkr"], items[102]["value_pkr"], items[102]["quantity"]) == (
        Decimal("0.01"), Decimal("100.13"), Decimal("0.000"))
    assert {k[1] for k in found if k[2] == "excess_precision_value_pkr"} == {"101", "102"}
    assert {k[1] for k in found if k[2] == "excess_precision_quantity"} == {"102"}
    assert cases[20]["goods_value_pkr"] == Decimal("0.01") + Decimal("100.13") + Decimal("100.50") + Decimal("7")


def test_blank_deleted_at_is_no_deletion_and_junk_is_flagged(warehouse):
    cases = cases_by_id(warehouse)
    found = issues(warehouse)
    assert 9 in cases and 10 in cases and 11 not in cases
    assert ("cases", "9", "unparseable_deleted_at") not in found
    assert "'yesterday'" in found[("cases", "10", "unparseable_deleted_at")]["detail"]
    items = {r["item_id"] for r in query(warehouse, "select item_id from marts.fct_seizure_items where case_id = 21")}
    assert items == {106, 107}
    assert ("seizure_items", "107", "unparseable_deleted_at") in found
    officers = {r["officer_id"]: r["is_deleted"] for r in query(warehouse, "select * from staging.stg_officers")}
    assert officers == {10: False, 11: False}
    assert ("officers", "11", "unparseable_deleted_at") in found


def test_coordinates_off_the_earth_are_null_and_flagged(warehouse):
    places = {r["location_id"]: (r["latitude"], r["longitude"]) for r in query(warehouse, "select * from marts.dim_locations")}
    assert places[3] == (None, None) and places[4] == (None, 71.5) and places[5] == (-90.0, 180.0)
    found = issues(warehouse)
    assert "'200'" in found[("locations", "3", "out_of_range_latitude")]["detail"]
    assert ("locations", "3", "out_of_range_longitude") in found
    assert ("locations", "4", "out_of_range_latitude") in found
    assert not any(k[0] == "locations" and k[1] in {"1", "2", "5"} for k in found)


def test_case_officers_with_an_incomplete_key_are_quarantined(warehouse):
    found = issues(warehouse)
    incomplete = {k[1]: r for k, r in found.items() if k[2] == "incomplete_key"}
    assert set(incomplete) == {"20||TEAM_MEMBER", "20|11|", "|10|TEAM_LEAD", "21||TEAM_LEAD"}
    assert all(r["severity"] == "quarantined" for r in incomplete.values())
    assert "2 source rows" in incomplete["21||TEAM_LEAD"]["detail"]
    # one reason each: no unknown_officer / parent_case_missing besides
    assert not any(k[1] in incomplete and k[2] != "incomplete_key" for k in found)
    credits = {(r["case_id"], r["officer_id"]): r["credited_value_pkr"]
               for r in query(warehouse, "select * from marts.fct_officer_case_credits")}
    assert set(credits) == {(20, 10), (21, 10)}


# --- the case status history ---------------------------------------------------------------------------

def _history(wh):
    return [(r["case_id"], r["version_no"], r["status"], r["valid_from"], r["valid_to"])
            for r in query(wh, "select * from marts.mart_case_status_history order by case_id, version_no")]


def _now_text() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def test_a_future_updated_at_never_blocks_the_history(tmp_path):
    raw = {"cases": [case(10, updated_at="2099-01-01 00:00:00", created_at="2024-01-02 00:00:00"),
                     case(11, updated_at="2024-01-03 00:00:00")]}
    wh = make_warehouse(tmp_path, raw)
    run_dbt(wh)
    assert _history(wh) == [(10, 1, "SEIZED", datetime(2024, 1, 2), None),  # dated by created_at instead
                            (11, 1, "SEIZED", datetime(2024, 1, 3), None)]

    # the correct edit creates a version, incrementally and with --full-refresh
    raw["cases"][0].update(status="APPEAL", updated_at=_now_text())
    # an edit whose updated_at did not move, and then one with junk: still a new state
    raw["cases"][1].update(status="SCN_ISSUED")
    write_raw(wh, raw)
    run_dbt(wh)
    run_dbt(wh, ["build", "--full-refresh"])
    raw["cases"][1].update(status="ADJUDICATED", adjudication_outcome="CONFISCATED", updated_at="junk")
    write_raw(wh, raw)
    run_dbt(wh)
    history = _history(wh)
    assert [(h[0], h[1], h[2]) for h in history] == [
        (10, 1, "SEIZED"), (10, 2, "APPEAL"), (11, 1, "SEIZED"), (11, 2, "SCN_ISSUED"), (11, 3, "ADJUDICATED")]
    for earlier, later in zip(history, history[1:]):
        if earlier[0] == later[0]:
            assert earlier[4] == later[3] and earlier[3] < later[3], (earlier, later)
    assert all(h[3] <= datetime.now(timezone.utc).replace(tzinfo=None) for h in history)


def test_a_warehouse_holding_a_future_version_recovers(tmp_path):
    raw = {"cases": [case(10, updated_at="2024-01-02 00:00:00"), case(11, updated_at="2024-01-03 00:00:00")]}
    wh = make_warehouse(tmp_path, raw)
    run_dbt(wh)
    # what the old timestamp strategy recorded for a typo'd updated_at: versions dated 2098 and 2099
    con = duckdb.connect(str(wh))
    try:
        con.execute("""update snapshots.snap_case_status
                       set dbt_valid_to = timestamp '2098-01-01' where case_id = 10""")
        con.execute("""insert into snapshots.snap_case_status
                       select * replace (timestamp '2098-01-01' as dbt_valid_from, timestamp '2099-01-01' as dbt_valid_to,
                                         timestamp '2098-01-01' as dbt_updated_at, timestamp '2098-01-01' as status_recorded_at,
                                         'x1' as dbt_scd_id, 'SCN_ISSUED' as status)
                       from snapshots.snap_case_status where case_id = 10""")
        con.execute("""insert into snapshots.snap_case_status
                       select * replace (timestamp '2099-01-01' as dbt_valid_from, null as dbt_valid_to,
                                         timestamp '2099-01-01' as dbt_updated_at, timestamp '2099-01-01' as status_recorded_at,
                                         'x2' as dbt_scd_id, 'APPEAL' as status)
                       from snapshots.snap_case_status where case_id = 10 and dbt_scd_id = 'x1'""")
    finally:
        con.close()
    raw["cases"][0].update(status="CLOSED", adjudication_outcome="CONFISCATED", updated_at=_now_text())
    write_raw(wh, raw)
    run_dbt(wh)  # the consistency test passes: the correct edit is the current version
    history = [h for h in _history(wh) if h[0] == 10]
    assert [h[2] for h in history] == ["SEIZED", "APPEAL", "CLOSED"]  # the zero-length 2098 version is gone
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    assert all(h[3] <= now and (h[4] is None or h[4] <= now) for h in history)
    assert history[0][4] == history[1][3] and history[1][4] == history[2][3]
    [latest] = query(wh, "select max(dbt_valid_from) as t from snapshots.snap_case_status")
    assert latest["t"] <= now


# --- the load ------------------------------------------------------------------------------------------

def _relaxed_store(path):
    """A store that follows the contract's columns but, like many real SQLite stores, declares
    no NOT NULL (a composite primary key then admits NULLs)."""
    from antismuggling.store.schema import TABLES, create_table_sql

    con = sqlite3.connect(path)
    for table in TABLES:
        con.execute(create_table_sql(table, "sqlite").replace(" NOT NULL", ""))
    return con


def _load(warehouse, url, *, full=False):
    """Load; an incremental load must change exactly what the no-change probe said it would,
    and leave it nothing more to find."""
    from antismuggling.ingest import load_operational_store, pending_changes

    predicted = None if full else pending_changes(warehouse, url)
    loads = {t.table: t for t in load_operational_store(warehouse, url, full=full).tables}
    if predicted is not None:
        assert predicted == {table: load.rows_changed for table, load in loads.items()}
    assert set(pending_changes(warehouse, url).values()) == {0}
    return loads


def test_a_store_whose_files_are_as_the_last_load_found_them_is_not_read_again(tmp_path, monkeypatch):
    """The no-change probe's shortcut: the SQLite files unchanged since the last load began
    means nothing new, without attaching the store; any write sends it back to reading, and
    an empty table read again is no change."""
    import antismuggling.ingest as ingest
    from antismuggling.store.urls import parse_store_url

    store = tmp_path / "ops.db"
    con = _relaxed_store(store)
    con.execute(
        "insert into cases (case_id, case_no, formation_code, seizure_at, detection_method, offence_nature, status, "
        "created_at, updated_at) values (1, 'C-1', 'II-PSH', ?, 'RAID', 'SMUGGLING', 'SEIZED', ?, ?)",
        [TS, TS, _now_text()],
    )
    con.commit()
    url, warehouse = f"sqlite:///{store}", tmp_path / "wh.duckdb"
    # files written this instant carry no stamp: their times could hide a second write
    assert ingest.source_stamp(parse_store_url(url)) is None
    monkeypatch.setattr(ingest, "STAMP_SETTLE_SECONDS", 0.0)
    _load(warehouse, url, full=True)
    _load(warehouse, url)  # every other table is empty: read whole, found unchanged
    changed_at = _raw(warehouse, "select table_name, changed_at from raw._load_state order by 1")

    attach = ingest._attach_source
    monkeypatch.setattr(ingest, "_attach_source", lambda *a: pytest.fail("the unchanged store was read"))
    assert set(ingest.pending_changes(warehouse, url).values()) == {0}

    con.execute("update cases set status = 'APPEAL', updated_at = ? where case_id = 1", [_now_text()])
    con.commit()
    monkeypatch.setattr(ingest, "_attach_source", attach)
    assert ingest.pending_changes(warehouse, url)["cases"] == 1
    _load(warehouse, url)
    after = dict(_raw(warehouse, "select table_name, changed_at from raw._load_state"))
    assert {t: at for t, at in changed_at if t != "cases"} == {t: at for t, at in after.items() if t != "cases"}
    assert after["cases"] > dict(changed_at)["cases"]
    con.close()


def _raw(warehouse, sql):
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_incremental_loads_never_duplicate_rows_with_a_null_key(tmp_path):
    store = tmp_path / "ops.db"
    con = _relaxed_store(store)
    now = _now_text()
    con.executemany(
        "insert into case_officers values (?, ?, ?, ?, ?, ?)",
        [(1, 10, "SEIZING_OFFICER", TS, now, None), (1, None, "TEAM_MEMBER", TS, now, None),
         (2, 10, None, TS, now, None), (3, None, "TEAM_LEAD", TS, now, None), (3, None, "TEAM_LEAD", TS, now, None)],
    )
    con.commit()
    url, warehouse = f"sqlite:///{store}", tmp_path / "wh.duckdb"
    _load(warehouse, url, full=True)
    for _ in range(2):
        loads = _load(warehouse, url)
        assert loads["case_officers"].mode == "incremental" and loads["case_officers"].rows_changed == 0
        assert _raw(warehouse, "select count(*) from raw.case_officers") == [(5,)]

    # an edit of one NULL-key row, and the missing part of another filled in: no stale copy left
    con.execute("update case_officers set deleted_at = ?, updated_at = ? where case_id = 1 and officer_id is null", [now, now])
    con.execute("update case_officers set role = 'TEAM_MEMBER', updated_at = ? where case_id = 2", [now])
    con.commit()
    _load(warehouse, url)
    rows = _raw(warehouse, "select case_id, officer_id, role, deleted_at from raw.case_officers order by all")
    assert rows == [("1", "10", "SEIZING_OFFICER", None), ("1", None, "TEAM_MEMBER", now),
                    ("2", "10", "TEAM_MEMBER", None), ("3", None, "TEAM_LEAD", None), ("3", None, "TEAM_LEAD", None)]
    con.close()


@pytest.mark.parametrize("updated_at", [None, " 2026-12-01 10:00:00", "2024/12/01", "1900-01-01 00:00:00", "junk"])
def test_an_edit_whose_updated_at_says_nothing_usable_is_still_read(tmp_path, updated_at):
    store = tmp_path / "ops.db"
    con = _relaxed_store(store)
    recent = _now_text()
    con.executemany(
        "insert into cases (case_id, case_no, formation_code, seizure_at, detection_method, offence_nature, status, "
        "created_at, updated_at) values (?, ?, 'II-PSH', ?, 'RAID', 'SMUGGLING', 'SEIZED', ?, ?)",
        [(1, "C-1", TS, TS, updated_at), (2, "C-2", TS, TS, recent)],
    )
    con.commit()
    url, warehouse = f"sqlite:///{store}", tmp_path / "wh.duckdb"
    _load(warehouse, url, full=True)
    loads = _load(warehouse, url)
    assert loads["cases"].rows_changed == 0  # re-read, found unchanged

    con.execute("update cases set status = 'APPEAL' where case_id = 1")  # updated_at left as it was
    con.commit()
    loads = _load(warehouse, url)
    assert loads["cases"].rows_changed == 1
    assert _raw(warehouse, "select status from raw.cases where case_id = '1'") == [("APPEAL",)]
    con.close()


# --- the three repros, end to end ----------------------------------------------------------------------

def test_the_adversarial_repros_through_the_pipeline(home, tmp_path, monkeypatch):
    """A five-digit year, a future updated_at corrected later, and a NULL in case_officers'
    key: every refresh succeeds and publishes, and the published marts say so."""
    from antismuggling.config import load_settings
    from antismuggling.publish import connect_published
    from antismuggling.refresh import run_refresh
    from antismuggling.store.generate import generate_store
    from reconcile import assert_marts_reconcile, source_figures_sqlite

    store = tmp_path / "ops.db"
    monkeypatch.setenv("ANTISMUGGLING_OPS_URL", f"sqlite:///{store}")
    settings = load_settings()
    generate_store(settings.ops_url, 3000, 3, progress=False)
    ops = sqlite3.connect(store)
    with ops:
        ops.execute("update cases set seizure_at = '20240-05-01 10:00:00' where case_id = 5")
        ops.execute("update cases set updated_at = '2099-01-01 00:00:00' where case_id = 10")
        # case_officers as a store without NOT NULL declares it, with a NULL in the key
        ddl = ops.execute("select sql from sqlite_master where name = 'case_officers'").fetchone()[0]
        ops.execute("alter table case_officers rename to case_officers_strict")
        ops.execute(ddl.replace(" NOT NULL", ""))
        ops.execute("insert into case_officers select * from case_officers_strict")
        ops.execute("drop table case_officers_strict")
        ops.execute("insert into case_officers values (11, null, 'TEAM_MEMBER', ?, ?, null)", [_now_text(), _now_text()])
    assert run_refresh(settings, full=True).success

    with ops:
        ops.execute("update cases set status = 'APPEAL', updated_at = ? where case_id = 10", [_now_text()])
    outcome = run_refresh(settings)  # incremental: the NULL-key row is read again, and the edit
    assert outcome.success and outcome.published, outcome.error
    ops.close()
    assert_marts_reconcile(settings, source_figures_sqlite(store))

    con = connect_published(settings)
    try:
        assert con.execute("select seizure_date from marts.fct_cases where case_id = 5").fetchall() == [(None,)]
        assert con.execute("select status from marts.mart_case_status_history where case_id = 10 and is_current").fetchall() == [
            ("APPEAL",)]
        checks = dict(con.execute(
            "select check_name, severity from marts.data_quality_issues where "
            "(source_table, source_pk) in (('cases', '5'), ('cases', '10'), ('case_officers', '11||TEAM_MEMBER'))").fetchall())
        assert checks["implausible_seizure_at"] == "flagged" and checks["incomplete_key"] == "quarantined"
        # the 2099 typo is gone from the source, so is its issue; no version is dated in the future
        assert con.execute("select max(valid_from) from marts.mart_case_status_history").fetchone()[0] <= datetime.now(
            timezone.utc).replace(tzinfo=None)
    finally:
        con.close()
    raw = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        assert raw.execute("select count(*) from raw.case_officers where officer_id is null").fetchone()[0] == 1
    finally:
        raw.close()
