"""Business rules of the dbt project, checked on hand-built raw rows with hand-worked answers.

One warehouse (compact HS seed, empty reference.hs_nomenclature) is built once for most
tests; the loaded-reference path and the first_seen_at history get their own warehouses.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from dbt_helpers import make_warehouse, query, run_dbt, shared_hs_rows, write_raw

TS = "2024-01-05 10:00:00"  # a plain SQLite timestamp used for created_at / updated_at


def case(case_id, seizure_at="2024-01-01 10:00:00", **overrides):
    row = {
        "case_id": case_id, "case_no": f"PSH-2024-{case_id:06d}", "formation_code": "II-PSH",
        "seizure_at": seizure_at, "seizure_location_id": 1, "origin_location_id": 2,
        "detection_method": "CHECKPOST", "offence_nature": "SMUGGLING", "status": "SEIZED",
        "created_at": TS, "updated_at": TS,
    }
    row.update(overrides)
    return row


def item(item_id, case_id, hs_code="0802.80", value_pkr=None, **overrides):
    row = {"item_id": item_id, "case_id": case_id, "hs_code": hs_code, "description": "goods",
           "quantity": "1", "unit": "KG", "value_pkr": value_pkr, "created_at": TS, "updated_at": TS}
    row.update(overrides)
    return row


def vehicle(vid, case_id, value_pkr=None, **overrides):
    row = {"case_vehicle_id": vid, "case_id": case_id, "registration_no": "LEA-1234", "vehicle_type": "CAR",
           "involvement": "CONVEYANCE", "confiscated_u_s_157": "0", "value_pkr": value_pkr,
           "created_at": TS, "updated_at": TS}
    row.update(overrides)
    return row


def person(pid, case_id, cnic=None, **overrides):
    row = {"case_person_id": pid, "case_id": case_id, "cnic": cnic, "full_name": "Someone", "role": "DRIVER",
           "custody_status": "ARRESTED", "created_at": TS, "updated_at": TS}
    row.update(overrides)
    return row


TIMESTAMP_CASES = {
    # case_id: (seizure_at as typed, UTC timestamp expected)
    1: ("2024-01-01 10:00:00", datetime(2024, 1, 1, 10, 0)),
    2: ("2024-01-01T10:00:00", datetime(2024, 1, 1, 10, 0)),
    3: ("2024-01-01T10:00:00Z", datetime(2024, 1, 1, 10, 0)),
    4: ("2024-01-01 10:00:00+00:00", datetime(2024, 1, 1, 10, 0)),
    5: ("2024-01-01 10:00:00+00", datetime(2024, 1, 1, 10, 0)),  # PostgreSQL timestamptz as text
    6: ("2024-01-01 10:00:00.123456+00", datetime(2024, 1, 1, 10, 0, 0, 123456)),
    7: ("2024-01-01T10:00:00.5Z", datetime(2024, 1, 1, 10, 0, 0, 500000)),
    8: ("2024-01-01 15:00:00+05:00", datetime(2024, 1, 1, 10, 0)),  # an offset is converted to UTC
    9: ("N/A", None),
    10: ("2024-03-31 19:00:00", datetime(2024, 3, 31, 19, 0)),  # 2024-04-01 00:00 in Karachi
    11: ("2024-03-31 18:59:59", datetime(2024, 3, 31, 18, 59, 59)),  # still 2024-03-31 in Karachi
    12: ("2024-02-30 10:00:00", None),  # no such day
    13: (None, None),
    14: (" 2024-01-01 10:00:00 ", datetime(2024, 1, 1, 10, 0)),
    15: ("epoch", None),
    16: ("2024-01-01 07:00:00-03:00", datetime(2024, 1, 1, 10, 0)),
}

HS_CASES = {
    # item_id: (hs_code as typed, hs_digits, hs2, hs4, hs6, section, status)
    6001: ("8517.13.00", "85171300", "85", "8517", "851713", "XVI", "VALID"),
    6002: ("27101941", "27101941", "27", "2710", "271019", "V", "VALID"),
    6003: ("80280", "080280", "08", "0802", "080280", "II", "VALID"),
    6004: ("0802.8000", "08028000", "08", "0802", "080280", "II", "VALID"),
    6005: ("0802.80", "080280", "08", "0802", "080280", "II", "VALID"),
    6006: ("2402", "2402", "24", "2402", None, "IV", "HEADING_ONLY"),
    6007: ("85", None, None, None, None, None, "UNPARSEABLE"),
    6008: ("080", None, None, None, None, None, "UNPARSEABLE"),
    6009: ("cigarettes", None, None, None, None, None, "UNPARSEABLE"),
    6010: (None, None, None, None, None, None, "UNPARSEABLE"),
    6011: ("851799", "851799", "85", "8517", None, "XVI", "UNKNOWN_CODE"),  # heading kept, subheading unknown
    6012: ("8599", "8599", "85", None, None, "XVI", "UNKNOWN_CODE"),  # chapter kept, heading unknown
    6013: ("7777", "7777", None, None, None, None, "UNKNOWN_CODE"),  # chapter 77 is reserved
    6014: ("1234567", "01234567", "01", None, None, "I", "UNKNOWN_CODE"),  # 7 digits: leading 0 added
    6015: (" 2402.20 ", "240220", "24", "2402", "240220", "IV", "VALID"),
    6016: ("HS 8703.23", "870323", "87", "8703", "870323", "XVII", "VALID"),
    6017: ("9999", "9999", "99", "9999", None, None, "HEADING_ONLY"),  # chapter 99 has no roman section
    6018: ("N/A", None, None, None, None, None, "UNPARSEABLE"),
}

CNIC_CASES = {
    # case_person_id: (cnic as typed, formatted CNIC or None, status)
    7001: ("35202-1234567-1", "35202-1234567-1", "VALID"),
    7002: ("3520212345671", "35202-1234567-1", "VALID"),
    7003: ("35202 1234567 1", "35202-1234567-1", "VALID"),
    7004: (" 17301-7654321-9 ", "17301-7654321-9", "VALID"),
    7005: ("71111-1111111-2", "71111-1111111-2", "VALID"),
    7006: ("352021234567", None, "INVALID"),  # 12 digits
    7007: ("05202-1234567-1", None, "INVALID"),  # first digit 0
    7008: ("85202-1234567-1", None, "INVALID"),  # first digit 8
    7009: ("95202-1234567-1", None, "INVALID"),  # first digit 9
    7010: ("11111-1111111-1", None, "INVALID"),  # all the same digit
    7011: ("N/A", None, "INVALID"),
    7012: (None, None, "MISSING"),
    7013: ("35202-1234567-12", None, "INVALID"),  # 14 digits
}


# item_id: (concealment as typed, the category of seed feed_concealment_rules: first matching
# pattern by priority; no pattern OTHER, nothing typed UNKNOWN)
CONCEALMENT_CASES = {
    8001: ("Capsules swallowed by the passenger", "BODY"),
    8002: ("false bottom of hand carry bag", "LUGGAGE"),
    8003: ("in the soles of his shoes", "LUGGAGE"),
    8004: ("Courier parcel from Dubai", "POSTAL"),
    8005: ("hold of a fishing launch", "VESSEL"),
    8006: ("Secret cavity behind the DASHBOARD", "VEHICLE_CONCEALMENT"),
    8007: ("declared as spare parts", "MISDECLARATION"),
    8008: ("under onion bags in a truck", "COVER_LOAD"),
    8009: ("inside cartons of biscuits", "INSIDE_GOODS"),
    8010: ("found in a godown", "PREMISES"),
    8011: ("loaded on the roof openly", "NOT_CONCEALED"),
    8012: ("strapped to the body inside luggage", "BODY"),  # two rules match: the first by priority
    8013: ("something nobody wrote a rule for", "OTHER"),
    8014: ("   ", "UNKNOWN"),
    8015: (None, "UNKNOWN"),
}


def raw_rows():
    cases = [case(cid, seizure_at=raw) for cid, (raw, _) in TIMESTAMP_CASES.items()]
    cases[0]["created_at"] = "2024-01-05 10:00:00"
    cases += [
        case(10 + 10, case_no="PSH-2024-DUP"),  # the live copy of a duplicate
        case(21, case_no="PSH-2024-DUP", deleted_at="2024-02-01 00:00:00"),  # its soft-deleted copy
        case(30, seizure_at="2999-01-01 00:00:00"),
        case(31, seizure_at="2024-01-10 10:00:00", created_at="2024-01-09 10:00:00"),
        case(32, formation_code="XX-ZZZ", seizure_location_id=99),
        case(33, status="SEIZED", adjudication_outcome="CONFISCATED"),
        case(34, status="CLOSED"),
        case(35, status="adjudicated", adjudication_outcome="Redeemed"),
        case(40, redemption_fine_pkr="1234.50", personal_penalty_pkr="abc"),
        case(50, deleted_at="2024-02-01T00:00:00Z"),
        case(60),
        case(70),
        case(80),
    ]
    items = [
        # case 40: values (1234.5 + 100.25 - 50, missing and junk count 0, deleted excluded)
        item(401, 40, value_pkr="1234.5"),
        item(402, 40, value_pkr="100.25"),
        item(403, 40, value_pkr=None),
        item(404, 40, value_pkr="999", deleted_at="2024-02-01 00:00:00+00"),
        item(405, 40, value_pkr="abc"),
        item(406, 40, value_pkr="-50", quantity="-5"),
        item(407, 40, value_pkr="0.004", quantity="abc"),  # rounds to 0.00
        # orphans
        item(501, 50, value_pkr="10"),  # live item of a deleted case
        item(502, 50, value_pkr="10", deleted_at=TS),  # deleted item of a deleted case: no issue
        item(601, 999, value_pkr="10"),  # case does not exist
        item(602, "abc", value_pkr="10"),  # case id is junk
    ]
    items += [item(iid, 60, hs_code=hs[0], value_pkr="1") for iid, hs in HS_CASES.items()]
    items += [item(iid, 80, concealment=text) for iid, (text, _) in CONCEALMENT_CASES.items()]
    vehicles = [
        vehicle(4001, 40, value_pkr="500000", confiscated_u_s_157="1"),
        vehicle(4002, 40, value_pkr="250000.50", confiscated_u_s_157="true"),
        vehicle(4003, 40, value_pkr="7", deleted_at=TS, confiscated_u_s_157="false"),
        vehicle(5001, 50, value_pkr="7"),  # orphan
    ]
    persons = [person(pid, 70, cnic=c[0]) for pid, c in CNIC_CASES.items()]
    persons += [person(4101, 40), person(4102, 40), person(4103, 40), person(4104, 40, deleted_at=TS)]
    return {
        "formations": [{"formation_code": "II-PSH", "name": "Directorate of Customs Intelligence & Investigation, Peshawar",
                        "kind": "II_DIRECTORATE", "region": "Khyber Pakhtunkhwa", "city": "Peshawar",
                        "created_at": TS, "updated_at": TS}],
        "locations": [
            {"location_id": 1, "name": "Torkham", "kind": "BORDER_CROSSING", "country": "PK", "created_at": TS, "updated_at": TS},
            {"location_id": 2, "name": "Jalalabad", "kind": "CITY", "country": "AF", "created_at": TS, "updated_at": TS},
        ],
        "officers": [
            {"officer_id": 10, "service_no": "S-10", "full_name": "A", "designation": "Inspector", "created_at": TS, "updated_at": TS},
            {"officer_id": 11, "service_no": "S-11", "full_name": "B", "designation": "Sepoy", "created_at": TS,
             "updated_at": TS, "deleted_at": TS},
        ],
        "officer_postings": [
            {"posting_id": 1, "officer_id": 10, "formation_code": "II-PSH", "posted_from": "2020-01-01",
             "posted_to": None, "created_at": TS, "updated_at": TS},
            {"posting_id": 2, "officer_id": 77, "formation_code": "XX-ZZZ", "posted_from": "2024-05-01",
             "posted_to": "2024-01-01", "created_at": TS, "updated_at": TS},
        ],
        "cases": cases,
        "seizure_items": items,
        "case_vehicles": vehicles,
        "case_persons": persons,
        "case_officers": [
            {"case_id": 1, "officer_id": 10, "role": "SEIZING_OFFICER", "created_at": TS, "updated_at": TS},
            {"case_id": 1, "officer_id": 11, "role": "TEAM_MEMBER", "created_at": TS, "updated_at": TS},
            {"case_id": 1, "officer_id": 99, "role": "TEAM_MEMBER", "created_at": TS, "updated_at": TS},
            {"case_id": 50, "officer_id": 10, "role": "SEIZING_OFFICER", "created_at": TS, "updated_at": TS},
        ],
    }


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    wh = make_warehouse(tmp_path_factory.mktemp("warehouse"), raw_rows())
    run_dbt(wh)
    return wh


def issues(wh, source_table=None):
    rows = query(wh, "select * from marts.data_quality_issues")
    return {(r["source_table"], r["source_pk"], r["check_name"]): r for r in rows
            if source_table is None or r["source_table"] == source_table}


# --- timestamps and local dates -------------------------------------------------------------------

def test_every_timestamp_format_parses_to_utc(warehouse):
    got = {r["case_id"]: r["seizure_at_utc"] for r in query(warehouse, "select case_id, seizure_at_utc from marts.fct_cases")}
    for case_id, (raw, expected) in TIMESTAMP_CASES.items():
        assert got[case_id] == expected, (case_id, raw)


def test_pakistan_date_around_midnight(warehouse):
    rows = {r["case_id"]: r for r in query(warehouse, "select * from marts.fct_cases where case_id in (1, 10, 11)")}
    assert rows[10]["seizure_date"] == date(2024, 4, 1)
    assert rows[10]["seizure_month"] == date(2024, 4, 1)
    assert rows[11]["seizure_date"] == date(2024, 3, 31)
    assert rows[11]["seizure_month"] == date(2024, 3, 1)
    # created 2024-01-05 10:00 UTC = 15:00 PKT; seized 2024-01-01 15:00 PKT: four days' lag
    assert rows[1]["created_date"] == date(2024, 1, 5)
    assert rows[1]["upload_lag_days"] == 4


def test_unparseable_timestamps_are_kept_and_flagged(warehouse):
    rows = {r["case_id"]: r for r in query(warehouse, "select * from marts.fct_cases where case_id in (9, 12, 13, 15)")}
    assert set(rows) == {9, 12, 13, 15}
    assert all(r["seizure_date"] is None and r["upload_lag_days"] is None for r in rows.values())
    found = issues(warehouse, "cases")
    assert found[("cases", "9", "unparseable_seizure_at")]["severity"] == "flagged"
    assert "'N/A'" in found[("cases", "9", "unparseable_seizure_at")]["detail"]
    assert ("cases", "12", "unparseable_seizure_at") in found
    assert ("cases", "15", "unparseable_seizure_at") in found
    assert found[("cases", "13", "missing_seizure_at")]["severity"] == "flagged"
    assert ("cases", "13", "unparseable_seizure_at") not in found
    assert ("cases", "1", "unparseable_seizure_at") not in found


def test_dates_and_booleans_in_staging(warehouse):
    rows = {r["case_vehicle_id"]: r["confiscated_u_s_157"]
            for r in query(warehouse, "select case_vehicle_id, confiscated_u_s_157 from staging.stg_case_vehicles")}
    assert rows == {4001: True, 4002: True, 4003: False, 5001: False}


# --- HS codes ---------------------------------------------------------------------------------------

def test_hs_normalisation(warehouse):
    rows = {r["item_id"]: r for r in query(warehouse, "select * from marts.fct_seizure_items where case_id = 60")}
    assert set(rows) == set(HS_CASES)
    for item_id, (raw, digits, hs2, hs4, hs6, section, status) in HS_CASES.items():
        r = rows[item_id]
        got = (r["hs_code_raw"], r["hs_digits"], r["hs2"], r["hs4"], r["hs6"], r["hs_section"], r["hs_code_status"])
        assert got == (raw, digits, hs2, hs4, hs6, section, status), item_id


def test_notified_items_match_on_heading(warehouse):
    rows = {r["item_id"]: r["is_notified_item"] for r in query(warehouse, "select * from marts.fct_seizure_items where case_id = 60")}
    assert rows[6001] and rows[6002] and rows[6003] and rows[6006] and rows[6016]  # phones, petroleum, betel nuts, cigarettes, cars
    assert not rows[6017] and not rows[6009] and not rows[6012]


def test_hs_issues_are_flagged(warehouse):
    found = issues(warehouse, "seizure_items")
    assert found[("seizure_items", "6009", "unparseable_hs_code")]["severity"] == "flagged"
    assert ("seizure_items", "6007", "unparseable_hs_code") in found
    assert ("seizure_items", "6010", "missing_hs_code") in found
    assert ("seizure_items", "6011", "unknown_hs_code") in found
    assert ("seizure_items", "6013", "unknown_hs_code") in found
    for ok in (6001, 6003, 6006, 6017):
        assert not any(k[1] == str(ok) for k in found), ok


def test_compact_seed_is_used_when_reference_is_empty(warehouse):
    rows = query(warehouse, "select nomenclature_source, hs_level, count(*) as n from intermediate.int_hs_nomenclature group by all")
    counts = {(r["nomenclature_source"], r["hs_level"]): r["n"] for r in rows}
    assert counts[("compact_seed", 2)] == 97
    assert counts[("compact_seed", 4)] == 1229
    sections = query(warehouse, "select count(distinct section) as n from intermediate.int_hs_nomenclature")
    assert sections[0]["n"] == 21


def test_loaded_reference_nomenclature_is_used(tmp_path):
    # a few rows of the shared full HS file: chapter 85 with heading 8517 and subheading 851713,
    # chapter 08 with heading 0802 but none of its subheadings
    reference = shared_hs_rows({"85", "8517", "851713", "08", "0802"})
    assert len(reference) == 5
    raw = {
        "cases": [case(1)],
        "seizure_items": [
            item(1, 1, "8517.13.00"), item(2, 1, "80280"), item(3, 1, "2402"), item(4, 1, "0802"),
        ],
    }
    wh = make_warehouse(tmp_path, raw, hs_reference=reference)
    run_dbt(wh)
    rows = {r["item_id"]: r for r in query(wh, "select * from marts.fct_seizure_items")}
    assert (rows[1]["hs6"], rows[1]["hs_section"], rows[1]["hs_code_status"]) == ("851713", "XVI", "VALID")
    assert (rows[2]["hs2"], rows[2]["hs4"], rows[2]["hs6"], rows[2]["hs_code_status"]) == ("08", "0802", None, "UNKNOWN_CODE")
    assert (rows[3]["hs2"], rows[3]["hs4"], rows[3]["hs_code_status"]) == (None, None, "UNKNOWN_CODE")
    assert (rows[4]["hs4"], rows[4]["hs_section"], rows[4]["hs_code_status"]) == ("0802", "II", "HEADING_ONLY")
    sources = query(wh, "select distinct nomenclature_source from intermediate.int_hs_nomenclature")
    assert sources == [{"nomenclature_source": "reference"}]


# --- CNIC -------------------------------------------------------------------------------------------

def test_cnic_normalisation(warehouse):
    rows = {r["case_person_id"]: r for r in query(warehouse, "select * from intermediate.int_case_persons_cnic where case_id = 70")}
    for pid, (raw, cnic, status) in CNIC_CASES.items():
        assert (rows[pid]["cnic"], rows[pid]["cnic_status"]) == (cnic, status), (pid, raw)
    found = issues(warehouse, "case_persons")
    flagged = {int(k[1]) for k in found if k[2] == "invalid_cnic"}
    assert flagged == {pid for pid, (_, _, status) in CNIC_CASES.items() if status == "INVALID"}


# --- liveness, values, quarantine ------------------------------------------------------------------

def test_soft_deleted_duplicate_case_excluded(warehouse):
    ids = {r["case_id"] for r in query(warehouse, "select case_id from marts.fct_cases")}
    assert 20 in ids and 21 not in ids and 50 not in ids
    expected_live = {c["case_id"] for c in raw_rows()["cases"] if c.get("deleted_at") is None}
    assert ids == expected_live
    assert not any(k[2] == "duplicate_case_no" for k in issues(warehouse, "cases"))


def test_case_values_to_the_rupee(warehouse):
    [row] = query(warehouse, "select * from marts.fct_cases where case_id = 40")
    # items 1234.50 + 100.25 + (missing) 0 + (junk) 0 + (-50.00) + 0.00; item 404 is deleted
    assert row["goods_value_pkr"] == Decimal("1284.75")
    # vehicles 500000 + 250000.50; vehicle 4003 is deleted
    assert row["vehicle_value_pkr"] == Decimal("750000.50")
    assert row["total_value_pkr"] == Decimal("751285.25")
    assert (row["n_items"], row["n_vehicles"], row["n_persons"]) == (6, 2, 3)
    assert row["redemption_fine_pkr"] == Decimal("1234.50")
    assert row["personal_penalty_pkr"] is None
    [empty] = query(warehouse, "select * from marts.fct_cases where case_id = 1")
    assert (empty["goods_value_pkr"], empty["vehicle_value_pkr"], empty["total_value_pkr"]) == (0, 0, 0)
    assert (empty["n_items"], empty["n_vehicles"], empty["n_persons"]) == (0, 0, 0)


def test_deleted_and_orphan_items_are_not_in_the_mart(warehouse):
    ids = {r["item_id"] for r in query(warehouse, "select item_id from marts.fct_seizure_items")}
    assert {401, 402, 403, 405, 406, 407} <= ids
    assert not ids & {404, 501, 502, 601, 602}


def test_orphans_are_quarantined(warehouse):
    found = issues(warehouse)
    assert found[("seizure_items", "501", "parent_case_deleted")]["severity"] == "quarantined"
    assert found[("seizure_items", "601", "parent_case_missing")]["severity"] == "quarantined"
    assert found[("seizure_items", "602", "parent_case_missing")]["severity"] == "quarantined"
    assert found[("case_vehicles", "5001", "parent_case_deleted")]["severity"] == "quarantined"
    assert found[("case_officers", "50|10|SEIZING_OFFICER", "parent_case_deleted")]["severity"] == "quarantined"
    assert found[("case_officers", "1|99|TEAM_MEMBER", "unknown_officer")]["severity"] == "quarantined"
    assert found[("case_officers", "1|11|TEAM_MEMBER", "officer_deleted")]["severity"] == "flagged"
    # deleted rows are not issues
    assert not any(k[1] in {"502", "404", "4003"} for k in found)
    quarantined = {(k[0], k[1]) for k, r in found.items() if r["severity"] == "quarantined"}
    assert quarantined == {
        ("seizure_items", "501"), ("seizure_items", "601"), ("seizure_items", "602"), ("case_vehicles", "5001"),
        ("case_officers", "50|10|SEIZING_OFFICER"), ("case_officers", "1|99|TEAM_MEMBER"),
    }


def test_item_reconciliation(warehouse):
    live = {str(i["item_id"]) for i in raw_rows()["seizure_items"] if i.get("deleted_at") is None}
    in_mart = {str(r["item_id"]) for r in query(warehouse, "select item_id from marts.fct_seizure_items")}
    quarantined = {k[1] for k, r in issues(warehouse, "seizure_items").items() if r["severity"] == "quarantined"}
    assert in_mart | quarantined == live
    assert not in_mart & quarantined


def test_flagged_case_checks(warehouse):
    found = issues(warehouse, "cases")
    # a year 2999 is no date the marts keep: NULL, flagged with the text as typed
    assert "'2999-01-01 00:00:00'" in found[("cases", "30", "implausible_seizure_at")]["detail"]
    assert ("cases", "30", "seizure_date_in_future") not in found
    assert ("cases", "31", "seizure_after_entry") in found
    assert ("cases", "32", "unknown_formation_code") in found
    assert ("cases", "32", "unknown_seizure_location_id") in found
    assert ("cases", "33", "status_outcome_inconsistent") in found
    assert ("cases", "34", "status_outcome_inconsistent") in found
    assert ("cases", "35", "status_outcome_inconsistent") not in found  # codes are compared upper-cased
    assert ("cases", "40", "non_numeric_personal_penalty_pkr") in found
    assert all(r["severity"] == "flagged" for r in found.values())
    assert not any(k[1] == "1" for k in found)  # a clean case has no issue
    [r31] = query(warehouse, "select upload_lag_days from marts.fct_cases where case_id = 31")
    assert r31["upload_lag_days"] == -1
    [r30] = query(warehouse, "select seizure_date, seizure_month, upload_lag_days from marts.fct_cases where case_id = 30")
    assert r30 == {"seizure_date": None, "seizure_month": None, "upload_lag_days": None}


def test_bad_quantities_and_values_flagged(warehouse):
    found = issues(warehouse, "seizure_items")
    assert ("seizure_items", "405", "non_numeric_value_pkr") in found
    assert ("seizure_items", "406", "negative_value_pkr") in found
    assert ("seizure_items", "406", "negative_quantity") in found
    assert ("seizure_items", "407", "non_numeric_quantity") in found
    assert ("seizure_items", "403", "non_numeric_value_pkr") not in found  # missing is not junk


def test_posting_checks(warehouse):
    found = issues(warehouse, "officer_postings")
    assert set(found) == {
        ("officer_postings", "2", "unknown_officer"),
        ("officer_postings", "2", "unknown_formation_code"),
        ("officer_postings", "2", "invalid_posting_period"),
    }
    rows = query(warehouse, "select posted_from, posted_to from staging.stg_officer_postings where posting_id = 1")
    assert rows == [{"posted_from": date(2020, 1, 1), "posted_to": None}]


# --- data-quality history -----------------------------------------------------------------------------

def test_first_seen_at_is_stable_across_refreshes(tmp_path):
    raw = {"cases": [case(1, seizure_at="N/A"), case(2)], "seizure_items": [item(1, 99, value_pkr="5")]}
    wh = make_warehouse(tmp_path, raw)
    run_dbt(wh)
    first = {(r["source_table"], r["source_pk"], r["check_name"]): r["first_seen_at"]
             for r in query(wh, "select * from marts.data_quality_issues")}
    assert ("cases", "1", "unparseable_seizure_at") in first
    assert ("seizure_items", "1", "parent_case_missing") in first

    # next refresh: a new issue appears, the old ones are still there
    raw["cases"][1]["seizure_at"] = "junk"
    write_raw(wh, raw)
    run_dbt(wh)
    second = {(r["source_table"], r["source_pk"], r["check_name"]): r["first_seen_at"]
              for r in query(wh, "select * from marts.data_quality_issues")}
    for key, seen in first.items():
        assert second[key] == seen, key
    new = second[("cases", "2", "unparseable_seizure_at")]
    assert new > max(first.values())

    # even --full-refresh keeps the history
    run_dbt(wh, ["build", "--full-refresh"])
    third = {(r["source_table"], r["source_pk"], r["check_name"]): r["first_seen_at"]
             for r in query(wh, "select * from marts.data_quality_issues")}
    assert third == second


# --- partner feeds' coded facts -----------------------------------------------------------------------

def test_concealment_categories_follow_the_seed_rules_in_priority_order(warehouse):
    rows = query(warehouse, "select item_id, concealment_category from intermediate.feed__item_facts where case_id = 80")
    assert {r["item_id"]: r["concealment_category"] for r in rows} == {
        item_id: category for item_id, (_, category) in CONCEALMENT_CASES.items()
    }
