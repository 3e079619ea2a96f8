"""The analytics marts (hs trends, routes, officers, formations, vehicles, offenders, case
status history), checked on a hand-built raw layer whose answers are worked out by hand
in the comments next to the rows.

One warehouse is built once for most tests (compact HS seed); the refresh behaviour
(snapshot history, stable vehicle keys) gets its own warehouse, rebuilt several times.
"""

from __future__ import annotations

import importlib.util
import random
from datetime import date, datetime
from decimal import Decimal

import numpy as np
import pytest

from dbt_helpers import DBT_PROJECT_DIR, make_warehouse, query, run_dbt, write_raw

TS = "2024-07-01 10:00:00"  # created_at / updated_at where they do not matter
D = Decimal


def case(case_id, seizure_at, formation_code, **overrides):
    row = {
        "case_id": case_id, "case_no": f"C-{case_id}", "formation_code": formation_code,
        "seizure_at": seizure_at, "seizure_location_id": 1, "origin_location_id": 2, "destination_location_id": 3,
        "detection_method": "CHECKPOST", "offence_nature": "SMUGGLING", "status": "SEIZED",
        "created_at": TS, "updated_at": TS,
    }
    row.update(overrides)
    return row


def item(item_id, case_id, hs_code, value_pkr, **overrides):
    row = {"item_id": item_id, "case_id": case_id, "hs_code": hs_code, "description": "goods", "quantity": "1",
           "unit": "KG", "value_pkr": value_pkr, "created_at": TS, "updated_at": TS}
    row.update(overrides)
    return row


def vehicle(vid, case_id, chassis=None, engine=None, registration=None, value_pkr=None, **overrides):
    row = {"case_vehicle_id": vid, "case_id": case_id, "chassis_no": chassis, "engine_no": engine,
           "registration_no": registration, "vehicle_type": "TRUCK", "involvement": "CONVEYANCE",
           "confiscated_u_s_157": "0", "value_pkr": value_pkr, "created_at": TS, "updated_at": TS}
    row.update(overrides)
    return row


def person(pid, case_id, cnic, role="DRIVER", full_name="Someone", **overrides):
    row = {"case_person_id": pid, "case_id": case_id, "cnic": cnic, "full_name": full_name, "role": role,
           "custody_status": "ARRESTED", "created_at": TS, "updated_at": TS}
    row.update(overrides)
    return row


def officer_row(case_id, officer_id, role, **overrides):
    row = {"case_id": case_id, "officer_id": officer_id, "role": role, "created_at": TS, "updated_at": TS}
    row.update(overrides)
    return row


def posting(pid, officer_id, formation_code, posted_from, posted_to=None):
    return {"posting_id": pid, "officer_id": officer_id, "formation_code": formation_code,
            "posted_from": posted_from, "posted_to": posted_to, "created_at": TS, "updated_at": TS}


def raw_rows():
    formations = [
        {"formation_code": code, "name": f"Formation {code}", "kind": "II_DIRECTORATE", "region": "R", "city": "C",
         "created_at": TS, "updated_at": TS}
        for code in ("II-PSH", "CE-QTA", "II-KHI")
    ]
    locations = [
        {"location_id": 1, "name": "Torkham", "kind": "BORDER_CROSSING", "country": "PK",
         "latitude": "34.13", "longitude": "71.09", "created_at": TS, "updated_at": TS},
        {"location_id": 2, "name": "Jalalabad", "kind": "CITY", "country": "AF",
         "latitude": "34.43", "longitude": "70.45", "created_at": TS, "updated_at": TS},
        {"location_id": 3, "name": "Peshawar", "kind": "CITY", "country": "PK",
         "latitude": "34.01", "longitude": "71.58", "created_at": TS, "updated_at": TS},
        {"location_id": 4, "name": "Chaman", "kind": "BORDER_CROSSING", "country": "PK",
         "latitude": "30.92", "longitude": "66.45", "created_at": TS, "updated_at": TS},
    ]
    officers = [
        {"officer_id": oid, "service_no": f"S-{oid}", "full_name": f"Officer {oid}", "designation": "Inspector",
         "created_at": TS, "updated_at": TS, "deleted_at": "2024-07-01 00:00:00" if oid == 14 else None}
        for oid in (10, 11, 12, 13, 14)
    ]
    postings = [
        posting(1, 10, "II-PSH", "2023-01-01", "2024-06-14"),  # transferred: last day in Peshawar 14 June
        posting(2, 10, "CE-QTA", "2024-06-15"),
        posting(3, 11, "II-PSH", "2020-01-01"),
        # officer 12 has no posting: the case's formation is used
        posting(4, 13, "CE-QTA", "2020-01-01"),
        posting(5, 14, "II-PSH", "2020-01-01"),
    ]
    cases = [
        # --- officer credit and the month grain around PKT midnight (PKT = UTC + 5 h) ------------
        # 101: 2024-06-14 18:59:59 UTC = 23:59:59 PKT on 14 June: officer 10 still in II-PSH.
        #      lag: entered 2024-06-20 (PKT) - 14 June = 6 days.
        case(101, "2024-06-14 18:59:59", "II-PSH", status="ADJUDICATED", adjudication_outcome="CONFISCATED",
             created_at="2024-06-20 10:00:00"),
        # 102: 2024-06-14 19:00 UTC = 00:00 PKT on 15 June: officer 10 now in CE-QTA.
        #      lag: entered 2024-06-25 20:00 UTC = 26 June PKT - 15 June = 11 days (late).
        case(102, "2024-06-14T19:00:00Z", "II-PSH", status="ADJUDICATED", adjudication_outcome="REDEEMED",
             created_at="2024-06-25T20:00:00Z"),
        # 103: 2024-05-31 19:30 UTC = 1 June 00:30 PKT: a JUNE case. Lag 0.
        case(103, "2024-05-31 19:30:00", "CE-QTA", origin_location_id=2, seizure_location_id=4,
             destination_location_id=None, created_at="2024-06-01 10:00:00"),
        # 104: 2024-05-31 18:59:59 UTC = 31 May 23:59:59 PKT: a MAY case. Lag 30 (late).
        case(104, "2024-05-31 18:59:59", "CE-QTA", status="SCN_ISSUED", created_at="2024-06-30 10:00:00"),
        # 105: the soft-deleted copy of 101 (same case_no): nothing of it counts anywhere
        case(105, "2024-06-14 18:59:59", "II-PSH", case_no="C-101", deleted_at="2024-06-21 00:00:00"),
        # 106, 107: CE-QTA June cases without officers (credited to no one)
        case(106, "2024-06-10 10:00:00", "CE-QTA", origin_location_id=2, seizure_location_id=4,
             destination_location_id=None, status="ADJUDICATED", adjudication_outcome="CONFISCATED",
             created_at="2024-06-12 10:00:00"),
        case(107, "2024-06-10 12:00:00", "CE-QTA", origin_location_id=None, seizure_location_id=1,
             destination_location_id=None, status="CLOSED", adjudication_outcome="RELEASED",
             created_at="2024-06-11 10:00:00"),
        # 108: a negative total (-0.07, flagged but counted) split three ways in July
        case(108, "2024-07-10 10:00:00", "II-PSH", created_at="2024-07-11 10:00:00"),
        # --- HS trends and year-on-year (II-KHI) ---------------------------------------------------
        case(201, "2023-05-10 10:00:00", "II-KHI"),  # the warehouse's first seizure month: May 2023
        case(202, "2024-05-20 10:00:00", "II-KHI"),
        case(203, "2024-05-25 10:00:00", "II-KHI"),
        # --- the vehicle chain ---------------------------------------------------------------------
        case(301, "2024-01-10 10:00:00", "II-PSH"),
        case(302, "2024-02-10 10:00:00", "CE-QTA"),
        case(303, "2024-03-10 10:00:00", "II-PSH"),
        case(304, "2024-04-10 10:00:00", "II-KHI"),
        case(305, "2024-04-10 12:00:00", "CE-QTA"),  # the same day as 304
        case(306, "2024-05-05 10:00:00", "II-PSH"),  # placeholders
    ]
    items = [
        item(1011, 101, "2402.20", "100.00"),
        item(1021, 102, "0802.80", "0.02"),
        item(1031, 103, "8517.13.00", "1000.00"),
        item(1041, 104, "2402.20", "50.00"),
        item(1051, 105, "2402.20", "100.00", deleted_at="2024-06-21 00:00:00"),
        item(1061, 106, "0802.80", "400.00"),
        item(1071, 107, "2402.20", "300.00"),  # a tie of chapters 24 and 08 at 300: 08 wins
        item(1072, 107, "0802.80", "300.00"),
        item(1081, 108, "2402.20", "-0.07"),
        # May 2023: 080280 = 1000 + 500 (leading zero lost), 2 items, 1 case
        item(2011, 201, "0802.80", "1000.00"),
        item(2012, 201, "80280", "500.00"),
        # May 2024
        item(2021, 202, "080280", "3000.00"),
        item(2022, 202, "851799", "700.00"),     # UNKNOWN_CODE, heading 8517 known: heading/chapter/section
        item(2023, 202, "8599", "200.00"),       # UNKNOWN_CODE, chapter 85 only (and section XVI)
        item(2024, 202, "7777", "50.00"),        # chapter 77 does not exist: counts nowhere
        item(2025, 202, "cigarettes", "10.00"),  # UNPARSEABLE: counts nowhere
        item(2026, 202, "9999", "5.00"),         # chapter 99 heading: chapter + heading, no section
        item(2027, 202, "8517.13.00", None),     # VALID, value missing: counts as 0
        item(2031, 203, "0802.8000", "1500.00"),
        item(2032, 203, "0802.80", "99999.00", deleted_at="2024-06-01 00:00:00"),  # deleted
        # orphans: live items of a deleted / missing case (quarantined, in no mart)
        item(901, 105, "0802.80", "77777.00"),
        item(902, 9999, "0802.80", "88888.00"),
    ]
    vehicles = [
        vehicle(530, 104, registration="KHI-555", value_pkr="500000.00"),
        # The chain: A-B share only the chassis, B-C only the engine, C-D only the registration;
        # F shares A's engine (same case), E shares C's and D's registration (D's day).
        vehicle(504, 301, "ABC-123456", "E-11111", "LEA-1001", value_pkr="250000.50"),  # A
        vehicle(506, 301, None, "e 11111", "UNREGISTERED"),                             # F
        vehicle(502, 302, "abc 123456", "EN-22222", "LEB-2002"),                        # B
        vehicle(503, 303, "XYZ-999999", "en22222", "LEC 3003"),                         # C
        vehicle(501, 304, "QQQ-777777", "E-44444", "lec-3003"),                         # D
        vehicle(505, 305, "N/A", "NIL", "LEC-3003"),                                    # E
        # placeholders and too-short numbers never link anything: seven singletons
        vehicle(510, 306, "N/A", "000", "UNREGISTERED"),
        vehicle(511, 306, "n/a", "000", "unregistered"),
        vehicle(512, 306, "NIL", "NONE", "N/A"),
        vehicle(513, 306, "Applied For", "null", "0"),
        vehicle(514, 306, "AB12", "1234", "UNREG"),
        vehicle(515, 306, "-", "UNREG", "000"),
        vehicle(516, 306, "unregistered", "applied-for", "ABC"),
        # N would join the chain through the deleted row 520 (chassis of A, registration of N)
        vehicle(517, 306, None, None, "ZZZ 9999"),
        vehicle(520, 306, "ABC123456", None, "ZZZ-9999", deleted_at="2024-06-01 00:00:00"),
        # a live vehicle of the deleted case 105: an orphan, links nothing
        vehicle(521, 105, "ABC123456", None, "ZZZ9999"),
    ]
    persons = [
        # P1 = 35202-1234567-1 typed three ways, in cases 101, 104, 301 (twice in 301)
        person(1, 101, "35202-1234567-1", "DRIVER", "Ali Khan"),
        person(2, 104, "3520212345671", "OWNER_OF_GOODS", "ALI KHAN"),
        person(3, 301, "35202 1234567 1", "DRIVER", "Ali Khan"),
        person(4, 301, "35202-1234567-1", "OWNER_OF_VEHICLE", "Ali Khan"),
        person(5, 103, "35202-1234567-1", "DRIVER", "Ali Khan", deleted_at="2024-06-02 00:00:00"),  # deleted
        person(6, 105, "35202-1234567-1", "DRIVER", "Ali Khan"),  # orphan (case 105 deleted)
        # P2 in 101 and 102
        person(7, 101, "61101-7654321-3", "CLEANER", "Bashir"),
        person(8, 102, "6110176543213", "CARRIER", "Basheer"),
        # P3 in 301 only
        person(9, 301, "42101-1111111-9", "PASSENGER", "Chand"),
        # invalid CNICs: never an offender, never merged, never a co-offender
        person(10, 101, "11111-1111111-1", "PASSENGER", "X"),
        person(11, 102, "11111-1111111-1", "PASSENGER", "X"),
        person(12, 103, "N/A", "DRIVER", "Y"),
        person(13, 104, "N/A", "DRIVER", "Y"),
        person(14, 104, "05202-1234567-1", "DRIVER", "Z"),
        person(15, 104, "352021234567", "DRIVER", "Z"),
    ]
    case_officers = [
        # 101: three officers (99 does not exist: quarantined, no share) -> 100.00 / 3
        officer_row(101, 10, "SEIZING_OFFICER"), officer_row(101, 11, "TEAM_MEMBER"),
        officer_row(101, 12, "TEAM_MEMBER"), officer_row(101, 99, "TEAM_MEMBER"),
        # 102: officer 10 in two roles counts once -> 0.02 / 3
        officer_row(102, 10, "SEIZING_OFFICER"), officer_row(102, 10, "TEAM_LEAD"),
        officer_row(102, 11, "TEAM_MEMBER"), officer_row(102, 13, "INFORMER_HANDLER"),
        # 103: officer 13's row is deleted; 99 does not exist -> officer 10 alone
        officer_row(103, 10, "SEIZING_OFFICER"), officer_row(103, 99, "TEAM_MEMBER"),
        officer_row(103, 13, "TEAM_MEMBER", deleted_at="2024-06-05 00:00:00"),
        # 104: officer 14 is soft-deleted but exists: keeps a share
        officer_row(104, 13, "SEIZING_OFFICER"), officer_row(104, 14, "TEAM_MEMBER"),
        # 105 is deleted: an orphan row
        officer_row(105, 10, "SEIZING_OFFICER"),
        # 108: -7 paisa / 3 = floor -3 r 2: officers 11 and 12 get -2 paisa, 13 gets -3
        officer_row(108, 11, "SEIZING_OFFICER"), officer_row(108, 12, "TEAM_MEMBER"),
        officer_row(108, 13, "TEAM_MEMBER"),
    ]
    return {
        "formations": formations, "locations": locations, "officers": officers, "officer_postings": postings,
        "cases": cases, "seizure_items": items, "case_vehicles": vehicles, "case_persons": persons,
        "case_officers": case_officers,
    }


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    wh = make_warehouse(tmp_path_factory.mktemp("marts"), raw_rows())
    run_dbt(wh)
    return wh


def rows_by(wh, sql, *key):
    return {tuple(r[k] for k in key) if len(key) > 1 else r[key[0]]: r for r in query(wh, sql)}


# --- officer credit ---------------------------------------------------------------------------------

def test_officer_credit_split_three_ways_to_the_paisa(warehouse):
    credits = rows_by(warehouse, "select * from marts.fct_officer_case_credits", "case_id", "officer_id")
    # 101: 100.00 = 10000 paisa / 3 = 3333 r 1: the smallest officer_id gets the extra paisa;
    # officer 99 does not exist and takes no share
    assert {k: r["credited_value_pkr"] for k, r in credits.items() if k[0] == 101} == {
        (101, 10): D("33.34"), (101, 11): D("33.33"), (101, 12): D("33.33")}
    # 102: 2 paisa / 3 = 0 r 2; officer 10's two roles count once
    assert {k: r["credited_value_pkr"] for k, r in credits.items() if k[0] == 102} == {
        (102, 10): D("0.01"), (102, 11): D("0.01"), (102, 13): D("0.00")}
    assert credits[(102, 10)]["roles"] == ["SEIZING_OFFICER", "TEAM_LEAD"]
    assert credits[(102, 10)]["n_credited_officers"] == 3
    # 103: officer 13's case_officers row is deleted, 99 does not exist: officer 10 takes it all
    assert {k: r["credited_value_pkr"] for k, r in credits.items() if k[0] == 103} == {(103, 10): D("1000.00")}
    # 104: a soft-deleted officer still exists and keeps a share (items 50 + vehicle 500000)
    assert {k: r["credited_value_pkr"] for k, r in credits.items() if k[0] == 104} == {
        (104, 13): D("250025.00"), (104, 14): D("250025.00")}
    # a negative total: floor division, the remainder paisa to the smallest ids; still adds up
    assert {k: r["credited_value_pkr"] for k, r in credits.items() if k[0] == 108} == {
        (108, 11): D("-0.02"), (108, 12): D("-0.02"), (108, 13): D("-0.03")}
    # cases without credited officers (and the deleted case 105) are nobody's
    assert {k[0] for k in credits} == {101, 102, 103, 104, 108}


def test_officer_transferred_mid_year(warehouse):
    credits = rows_by(warehouse, "select * from marts.fct_officer_case_credits", "case_id", "officer_id")
    # officer 10 was in II-PSH until 14 June, in CE-QTA from 15 June (PKT dates)
    assert credits[(101, 10)]["formation_code"] == "II-PSH"   # 14 June 23:59:59 PKT
    assert credits[(102, 10)]["formation_code"] == "CE-QTA"   # 15 June 00:00 PKT (14 June 19:00 UTC)
    assert credits[(102, 10)]["formation_source"] == "posting"
    assert credits[(102, 10)]["case_formation_code"] == "II-PSH"
    assert credits[(103, 10)]["formation_code"] == "II-PSH"   # 1 June
    # officer 12 has no posting: the case's formation
    assert (credits[(101, 12)]["formation_code"], credits[(101, 12)]["formation_source"]) == ("II-PSH", "case")
    assert credits[(104, 14)]["formation_code"] == "II-PSH"   # deleted officer's posting


def test_officer_performance_month_grain(warehouse):
    perf = rows_by(warehouse, "select * from marts.mart_officer_performance", "officer_id", "seizure_month")
    june, may, july = date(2024, 6, 1), date(2024, 5, 1), date(2024, 7, 1)
    assert set(perf) == {(10, june), (11, june), (12, june), (13, june), (13, may), (14, may),
                         (11, july), (12, july), (13, july)}
    o10 = perf[(10, june)]
    # 101 (33.34, II-PSH) + 102 (0.01, CE-QTA) + 103 (1000.00, II-PSH): II-PSH carries the most value
    assert (o10["n_cases"], o10["credited_value_pkr"], o10["formation_code"], o10["n_formations"]) == (
        3, D("1033.35"), "II-PSH", 2)
    assert (o10["n_adjudicated"], o10["n_confiscated"], o10["confiscation_rate"]) == (2, 1, 0.5)
    assert (perf[(11, june)]["credited_value_pkr"], perf[(11, june)]["n_cases"]) == (D("33.34"), 2)
    assert perf[(12, june)]["credited_value_pkr"] == D("33.33")
    o13 = perf[(13, june)]
    assert (o13["credited_value_pkr"], o13["n_adjudicated"], o13["n_confiscated"], o13["confiscation_rate"]) == (
        D("0.00"), 1, 0, 0.0)
    o13may = perf[(13, may)]
    assert (o13may["credited_value_pkr"], o13may["formation_code"], o13may["confiscation_rate"]) == (
        D("250025.00"), "CE-QTA", None)
    assert perf[(14, may)]["is_officer_deleted"] is True


def test_officer_credit_adds_up_to_credited_cases(warehouse):
    [total] = query(warehouse, "select sum(credited_value_pkr) as v from marts.mart_officer_performance")
    # live cases with at least one credited officer: 101 + 102 + 103 + 104 + 108
    assert total["v"] == D("100.00") + D("0.02") + D("1000.00") + D("500050.00") + D("-0.07")


# --- formation accountability --------------------------------------------------------------------------

def test_formation_accountability(warehouse):
    rows = rows_by(warehouse, "select * from marts.mart_formation_accountability", "formation_code", "seizure_month")
    psh = rows[("II-PSH", date(2024, 6, 1))]  # 101 (lag 6) and 102 (lag 11)
    assert (psh["n_cases"], psh["total_value_pkr"], psh["n_pending_adjudication"]) == (2, D("100.02"), 0)
    assert (psh["median_upload_lag_days"], psh["n_late_uploads"]) == (8.5, 1)
    assert (psh["n_adjudicated"], psh["n_confiscated"], psh["confiscation_rate"]) == (2, 1, 0.5)
    qta = rows[("CE-QTA", date(2024, 6, 1))]  # 103 (seized 31 May UTC, 1 June PKT; lag 0), 106 (2), 107 (1)
    assert (qta["n_cases"], qta["total_value_pkr"], qta["n_pending_adjudication"]) == (3, D("2000.00"), 1)
    assert (qta["median_upload_lag_days"], qta["n_late_uploads"]) == (1.0, 0)
    assert (qta["n_adjudicated"], qta["n_confiscated"], qta["confiscation_rate"]) == (2, 1, 0.5)
    qta_may = rows[("CE-QTA", date(2024, 5, 1))]  # 104 only (31 May PKT), SCN_ISSUED, lag 30
    assert (qta_may["n_cases"], qta_may["total_value_pkr"], qta_may["n_pending_adjudication"]) == (
        1, D("500050.00"), 1)
    assert (qta_may["median_upload_lag_days"], qta_may["n_late_uploads"], qta_may["confiscation_rate"]) == (
        30.0, 1, None)
    # the deleted duplicate 105 is nowhere
    [n] = query(warehouse, "select sum(n_cases) as n from marts.mart_formation_accountability")
    assert n["n"] == 16


# --- HS trends ------------------------------------------------------------------------------------------

def test_hs_trends_levels_and_unknown_codes(warehouse):
    rows = rows_by(warehouse, "select * from marts.mart_hs_trends where formation_code = 'II-KHI' "
                              "and seizure_month = date '2024-05-01'", "hs_level", "hs_code")
    got = {k: (r["n_cases"], r["n_items"], r["value_pkr"]) for k, r in rows.items()}
    assert got == {
        ("subheading", "080280"): (2, 2, D("4500.00")),   # 3000 (202) + 1500 (203); the deleted 99999 is not
        ("subheading", "851713"): (1, 1, D("0.00")),      # value missing
        ("heading", "0802"): (2, 2, D("4500.00")),
        ("heading", "8517"): (1, 2, D("700.00")),         # the UNKNOWN_CODE 851799 counts at its heading
        ("heading", "9999"): (1, 1, D("5.00")),
        ("chapter", "08"): (2, 2, D("4500.00")),
        ("chapter", "85"): (1, 3, D("900.00")),           # 851799, 8599, 8517.13.00
        ("chapter", "99"): (1, 1, D("5.00")),
        ("section", "II"): (2, 2, D("4500.00")),
        ("section", "XVI"): (1, 3, D("900.00")),          # chapter 99 has no section; 7777 / words nowhere
    }


def test_hs_trends_level_totals_equal_item_totals(warehouse):
    totals = {r["hs_level"]: r["v"] for r in query(
        warehouse, "select hs_level, sum(value_pkr) as v from marts.mart_hs_trends where formation_code = 'II-KHI' "
                   "and seizure_month = date '2024-05-01' group by hs_level")}
    # items of 202 + 203 known at each level (the deleted item and the 7777 / word codes excluded)
    assert totals == {
        "subheading": D("4500.00"),               # 3000 + 1500 + 0
        "heading": D("5205.00"),                  # + 700 (8517) + 5 (9999)
        "chapter": D("5405.00"),                  # + 200 (8599)
        "section": D("5400.00"),                  # chapter 99 has no section
    }


def test_hs_trends_year_on_year(warehouse):
    rows = rows_by(warehouse, "select * from marts.mart_hs_trends where formation_code = 'II-KHI'",
                   "seizure_month", "hs_level", "hs_code")
    may23, may24 = date(2023, 5, 1), date(2024, 5, 1)
    last = rows[(may23, "subheading", "080280")]
    assert (last["n_cases"], last["n_items"], last["value_pkr"]) == (1, 2, D("1500.00"))  # '80280' lost its 0
    assert last["value_pkr_last_year"] is None  # May 2022 is before the warehouse's first month
    assert last["yoy_change_pct"] is None
    now = rows[(may24, "subheading", "080280")]
    assert now["value_pkr_last_year"] == D("1500.00")
    assert now["yoy_change_pct"] == pytest.approx(200.0)
    assert now["n_cases_last_year"] == 1
    # nothing under 851713 in May 2023, but the warehouse has May 2023: 0, and no percentage
    new = rows[(may24, "subheading", "851713")]
    assert (new["value_pkr_last_year"], new["yoy_change_pct"]) == (D("0"), None)
    assert rows[(may24, "chapter", "08")]["value_pkr_last_year"] == D("1500.00")
    assert rows[(may24, "section", "II")]["hs_description"] == "Vegetable products"


def test_orphan_and_deleted_items_are_in_no_mart(warehouse):
    values = {r["value_pkr"] for r in query(warehouse, "select value_pkr from marts.mart_hs_trends")}
    assert not values & {D("77777.00"), D("88888.00"), D("99999.00")}
    quarantined = {r["source_pk"] for r in query(
        warehouse, "select source_pk from marts.data_quality_issues "
                   "where source_table = 'seizure_items' and severity = 'quarantined'")}
    assert quarantined == {"901", "902"}
    [total] = query(warehouse, "select sum(total_value_pkr) as v from marts.mart_route_flows")
    [cases] = query(warehouse, "select sum(total_value_pkr) as v from marts.fct_cases")
    assert total["v"] == cases["v"]


# --- route flows ------------------------------------------------------------------------------------------

def test_route_flows(warehouse):
    rows = rows_by(warehouse, "select * from marts.mart_route_flows where seizure_month = date '2024-06-01'",
                   "origin_location_id", "seizure_location_id", "destination_location_id")
    assert set(rows) == {(2, 1, 3), (2, 4, None), (None, 1, None)}
    a = rows[(2, 1, 3)]  # 101 + 102: chapter 24 (100.00) beats 08 (0.02)
    assert (a["n_cases"], a["total_value_pkr"], a["top_hs2"], a["top_hs2_value_pkr"]) == (2, D("100.02"), "24", D("100.00"))
    assert (a["origin_name"], a["origin_kind"], a["origin_country"]) == ("Jalalabad", "CITY", "AF")
    assert (a["seizure_location_name"], a["destination_name"]) == ("Torkham", "Peshawar")
    assert a["origin_latitude"] == pytest.approx(34.43)
    b = rows[(2, 4, None)]  # 103 (a June case by PKT) + 106: NULL destinations group together
    assert (b["n_cases"], b["total_value_pkr"], b["top_hs2"]) == (2, D("1400.00"), "85")
    assert b["destination_name"] is None
    c = rows[(None, 1, None)]  # 107: chapters 24 and 08 tie at 300.00 and one item each: the smaller code
    assert (c["n_cases"], c["top_hs2"], c["top_hs2_value_pkr"]) == (1, "08", D("300.00"))


# --- vehicles ---------------------------------------------------------------------------------------------

CHAIN = {  # case_vehicle_id: (prior_seizures, prior_cases, prior_formations, is_repeat, match_basis)
    504: (0, 0, 0, False, "chassis+engine"),       # A, 10 Jan, case 301 (II-PSH)
    506: (0, 0, 0, False, "engine"),               # F, same case as A
    502: (2, 1, 1, True, "chassis+engine"),        # B, 10 Feb (CE-QTA): A and F earlier, one case
    503: (3, 2, 2, True, "engine+registration"),   # C, 10 Mar (II-PSH)
    501: (4, 3, 2, True, "registration"),          # D, 10 Apr (II-KHI)
    505: (4, 3, 2, True, "registration"),          # E, 10 Apr too: D is the same day, not earlier
}


def test_vehicle_chain_is_one_vehicle(warehouse):
    rows = rows_by(warehouse, "select * from marts.mart_vehicle_recidivism", "case_vehicle_id")
    assert {rows[v]["vehicle_key"] for v in CHAIN} == {"V501"}
    for vid, expected in CHAIN.items():
        r = rows[vid]
        got = (r["prior_seizures"], r["prior_cases"], r["prior_formations"], r["is_repeat"], r["match_basis"])
        assert got == expected, vid
    assert (rows[503]["chassis_no"], rows[503]["engine_no"], rows[503]["registration_no"]) == (
        "XYZ999999", "EN22222", "LEC3003")
    [dim] = query(warehouse, "select * from marts.dim_vehicles where vehicle_key = 'V501'")
    # chassis ABC123456 x2; engine E11111 x2 ties EN22222 x2 -> the alphabetically smaller; LEC3003 x3
    assert (dim["chassis_no"], dim["engine_no"], dim["registration_no"]) == ("ABC123456", "E11111", "LEC3003")
    assert (dim["n_seizures"], dim["n_cases"], dim["n_formations"]) == (6, 5, 3)
    assert (dim["first_seized_date"], dim["last_seized_date"]) == (date(2024, 1, 10), date(2024, 4, 10))
    assert dim["is_repeat_vehicle"] is True


def test_placeholders_and_deleted_rows_link_nothing(warehouse):
    rows = rows_by(warehouse, "select * from marts.mart_vehicle_recidivism", "case_vehicle_id")
    for vid in (510, 511, 512, 513, 514, 515, 516, 517, 530):
        r = rows[vid]
        assert (r["vehicle_key"], r["match_basis"], r["prior_seizures"], r["n_vehicle_seizures"]) == (
            f"V{vid}", "none", 0, 1), vid
    for vid in range(510, 517):  # every identifier typed there is a placeholder or too short
        assert (rows[vid]["chassis_no"], rows[vid]["engine_no"], rows[vid]["registration_no"]) == (None, None, None), vid
    assert rows[517]["registration_no"] == "ZZZ9999"
    assert 520 not in rows and 521 not in rows  # deleted; orphan
    assert len(rows) == 15
    [n] = query(warehouse, "select count(*) as n from marts.dim_vehicles")
    assert n["n"] == 10  # V501 + 7 placeholder singletons + V517 + V530


# --- offenders --------------------------------------------------------------------------------------------

def test_cnic_variants_merge_into_one_offender(warehouse):
    rows = rows_by(warehouse, "select * from marts.dim_offenders", "cnic")
    assert set(rows) == {"35202-1234567-1", "61101-7654321-3", "42101-1111111-9"}  # invalid CNICs never
    p1 = rows["35202-1234567-1"]
    # cases 101, 104, 301 (twice in 301; the deleted row in 103 and the orphan in 105 do not count)
    assert (p1["n_cases"], p1["n_formations"], p1["is_repeat_offender"]) == (3, 2, True)
    assert p1["roles"] == ["DRIVER", "OWNER_OF_GOODS", "OWNER_OF_VEHICLE"]
    assert p1["names_seen"] == ["ALI KHAN", "Ali Khan"]
    assert (p1["first_seen_date"], p1["last_seen_date"]) == (date(2024, 1, 10), date(2024, 6, 14))
    # 101 (100.00) + 104 (500050.00) + 301 (vehicle 250000.50), each case once
    assert p1["total_value_pkr"] == D("750150.50")
    assert p1["n_co_offenders"] == 2          # P2 (101) and P3 (301); invalid CNICs are nobody
    assert p1["n_vehicles"] == 2              # V530 (104) and V501 (A and F in 301)
    assert p1["n_appearances"] == 4
    p2 = rows["61101-7654321-3"]
    assert (p2["n_cases"], p2["n_co_offenders"], p2["n_vehicles"], p2["total_value_pkr"]) == (2, 1, 0, D("100.02"))
    p3 = rows["42101-1111111-9"]
    assert (p3["n_cases"], p3["is_repeat_offender"], p3["n_co_offenders"], p3["n_vehicles"]) == (1, False, 1, 1)
    assert len({r["offender_key"] for r in rows.values()}) == 3


# --- the union-find itself ----------------------------------------------------------------------------------

def _components_function(edges_per_slice: int | None = None):
    spec = importlib.util.spec_from_file_location(
        "int_vehicle_components", DBT_PROJECT_DIR / "models" / "intermediate" / "int_vehicle_components.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    if edges_per_slice:
        module.EDGES_PER_SLICE = edges_per_slice
    return module.components


@pytest.mark.parametrize("edges_per_slice", [None, 7_777])  # the edges in one slice, or in many
def test_union_find_long_chain_in_any_order(edges_per_slice):
    components = _components_function(edges_per_slice)
    n = 200_000
    ids = np.arange(1, n + 1, dtype=np.int64) * 10
    # a single chain 1-2-3-...-n whose links arrive in random order and point either way
    links = [(ids[i], ids[i + 1]) if i % 2 else (ids[i + 1], ids[i]) for i in range(n - 1)]
    random.Random(7).shuffle(links)
    a = np.array([x for x, _ in links], dtype=np.int64)
    b = np.array([y for _, y in links], dtype=np.int64)
    roots = components(ids, a, b)
    assert (roots == 0).all()
    # two chains and a singleton
    ids = np.array([5, 6, 7, 8, 9], dtype=np.int64)
    roots = components(ids, np.array([9, 8], dtype=np.int64), np.array([7, 6], dtype=np.int64))
    assert ids[roots].tolist() == [5, 6, 7, 6, 7]


# --- refreshes: case status history and stable vehicle keys -----------------------------------------------

def test_status_history_and_stable_keys_across_refreshes(tmp_path):
    raw = {
        "cases": [
            case(1, "2024-01-01 10:00:00", "II-PSH", status="SEIZED", updated_at="2024-01-02 10:00:00"),
            case(2, "2024-01-01 10:00:00", "II-PSH", status="SCN_ISSUED", updated_at="2024-01-03 10:00:00"),
        ],
        "case_vehicles": [
            vehicle(7, 1, "CHASSIS-777", None, "LEA-1"),
            vehicle(9, 2, None, "ENGINE-999", "LEB-9"),
        ],
    }
    wh = make_warehouse(tmp_path, raw)

    def history():
        return [(r["case_id"], r["version_no"], r["status"], r["adjudication_outcome"], r["valid_from"], r["valid_to"])
                for r in query(wh, "select * from marts.mart_case_status_history order by case_id, version_no")]

    def snapshot_rows():
        return query(wh, "select count(*) as n from snapshots.snap_case_status")[0]["n"]

    def keys():
        return {r["case_vehicle_id"]: r["vehicle_key"] for r in query(wh, "select * from marts.mart_vehicle_recidivism")}

    run_dbt(wh)
    first = history()
    assert first == [
        (1, 1, "SEIZED", None, datetime(2024, 1, 2, 10), None),
        (2, 1, "SCN_ISSUED", None, datetime(2024, 1, 3, 10), None),
    ]
    assert keys() == {7: "V7", 9: "V9"}

    # a refresh with no source change adds nothing
    run_dbt(wh)
    assert history() == first
    assert snapshot_rows() == 2

    # case 1 is adjudicated; case 2 only gets its remarks fixed; a new vehicle links 7 and 9
    raw["cases"][0].update(status="ADJUDICATED", adjudication_outcome="CONFISCATED", adjudicated_on="2024-03-01",
                           updated_at="2024-03-01 09:00:00")
    raw["cases"][1].update(remarks="typo fixed", updated_at="2024-03-02 09:00:00")
    raw["case_vehicles"].append(vehicle(12, 2, "chassis 777", "engine-999", None))
    write_raw(wh, raw)
    run_dbt(wh)
    second = history()
    assert second == [
        (1, 1, "SEIZED", None, datetime(2024, 1, 2, 10), datetime(2024, 3, 1, 9)),
        (1, 2, "ADJUDICATED", "CONFISCATED", datetime(2024, 3, 1, 9), None),
        (2, 1, "SCN_ISSUED", None, datetime(2024, 1, 3, 10), None),  # a remarks edit is no new state
    ]
    # the merged vehicle keeps the smaller of the two keys; nothing else moves
    assert keys() == {7: "V7", 9: "V7", 12: "V7"}

    # no change again, even with --full-refresh: the history stays as it is
    n_snapshot = snapshot_rows()
    run_dbt(wh, ["build", "--full-refresh"])
    assert history() == second
    assert snapshot_rows() == n_snapshot
    assert keys() == {7: "V7", 9: "V7", 12: "V7"}
