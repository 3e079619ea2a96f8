"""A resolved vehicle whose records carry two chassis (or engine) numbers, on a hand-built
store: the contract's transitive rule keeps it one vehicle, ``dim_vehicles`` flags the
conflict, the vehicle look-up says it and groups the seizures by chassis, and a search
suggestion counts what the page shows. Also: a formation officer is told why a person with
one visible case is a repeat offender, and a timeline of one day has day ticks.

The store (PKT = UTC + 5 h; every seizure at 10:00 UTC is on its UTC date):

    vehicle V601, one vehicle by the rule, two physical ones (a car and a truck):
      601  case 701 II-PSH 2024-01-10  chassis KSP-130369  reg ICT 393   car
      602  case 702 CE-QTA 2024-02-10  chassis ksp130369   reg N/A       car
      603  case 703 II-KHI 2024-03-10  chassis T35-005753  reg ict-393   truck, engine XA-57867
      604  case 704 II-PSH 2024-04-10  chassis T35005753   engine xa57867 truck
      605  case 705 CE-QTA 2024-05-10  reg ICT393 only     car
      606  case 706 II-KHI 2024-06-10  engine XA 57867 only truck
    -> 6 seizures, chassis {KSP130369, T35005753}, engines {XA57867}: a conflict; the
       registration ICT393 sits on 3 of them (what the suggestion chip used to count).
       II-PSH alone sees 601 and 604: 2 seizures, 2 chassis, linked outside its view.
    V607  chassis SOLO-12345, reg LHR-777 (one case): 1 chassis, 0 engines, no conflict
    V608  chassis SWAP-99999 with engines ENG-AAAAA and ENG-BBBBB (two cases): 2 engines
    V610  registration ISB-1234 only: no chassis, no engine
    V611  registration SDY-2024 seized twice on 5 October 2024: a one-day timeline

    person 35202-1234567-1 in cases 701 (II-PSH) and 702 (CE-QTA): a repeat offender, of
    whom an II-PSH officer sees one case in one formation.
"""

from __future__ import annotations

import json
import os
import re
from datetime import date, timedelta

import duckdb
import pandas as pd
import pytest

from antismuggling.access.scope import Scope, open_scoped, person_secret
from antismuggling.config import load_settings
from antismuggling.publish import current_snapshot_path, publish_marts
from apptest_helpers import assert_clean, count, metric, open_app, texts
from dbt_helpers import make_warehouse, query, run_dbt

TS = "2024-07-01 10:00:00"
CNIC = "35202-1234567-1"
CONFLICT = "registration ICT393 links 2 chassis numbers: possible plate reuse"
CHIP = re.compile(r"^(?P<identifier>\S+) \((?P<kind>\w+), (?P<n>[\d,]+) seizures?\)$")


def _case(case_id: int, day: str, formation: str, hour: str = "10:00:00") -> dict:
    return {
        "case_id": case_id, "case_no": f"C-{case_id}", "formation_code": formation, "seizure_at": f"{day} {hour}",
        "seizure_location_id": 1, "origin_location_id": 2, "destination_location_id": 1,
        "detection_method": "CHECKPOST", "offence_nature": "SMUGGLING", "status": "SEIZED",
        "created_at": TS, "updated_at": TS,
    }


def _vehicle(vid: int, case_id: int, chassis=None, engine=None, registration=None, kind="CAR") -> dict:
    return {
        "case_vehicle_id": vid, "case_id": case_id, "chassis_no": chassis, "engine_no": engine,
        "registration_no": registration, "vehicle_type": kind, "involvement": "CONVEYANCE",
        "confiscated_u_s_157": "0", "value_pkr": "100000.00", "created_at": TS, "updated_at": TS,
    }


def _raw_rows() -> dict[str, list[dict]]:
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
    ]
    cases = [
        _case(701, "2024-01-10", "II-PSH"), _case(702, "2024-02-10", "CE-QTA"), _case(703, "2024-03-10", "II-KHI"),
        _case(704, "2024-04-10", "II-PSH"), _case(705, "2024-05-10", "CE-QTA"), _case(706, "2024-06-10", "II-KHI"),
        _case(707, "2024-07-10", "CE-QTA"), _case(708, "2024-08-10", "II-PSH"), _case(709, "2024-08-20", "II-PSH"),
        _case(710, "2024-09-01", "II-KHI"),
        _case(711, "2024-10-05", "II-KHI", "04:00:00"), _case(712, "2024-10-05", "CE-QTA", "11:00:00"),
    ]
    vehicles = [
        _vehicle(601, 701, chassis="KSP-130369", registration="ICT 393"),
        _vehicle(602, 702, chassis="ksp130369", registration="N/A"),
        _vehicle(603, 703, chassis="T35-005753", engine="XA-57867", registration="ict-393", kind="TRUCK"),
        _vehicle(604, 704, chassis="T35005753", engine="xa57867", kind="TRUCK"),
        _vehicle(605, 705, registration="ICT393"),
        _vehicle(606, 706, engine="XA 57867", kind="TRUCK"),
        _vehicle(607, 707, chassis="SOLO-12345", registration="LHR-777"),
        _vehicle(608, 708, chassis="SWAP-99999", engine="ENG-AAAAA"),
        _vehicle(609, 709, chassis="swap99999", engine="ENG-BBBBB"),
        _vehicle(610, 710, registration="ISB-1234"),
        _vehicle(611, 711, registration="SDY-2024"),
        _vehicle(612, 712, registration="sdy 2024"),
    ]
    persons = [
        {"case_person_id": pid, "case_id": case_id, "cnic": CNIC, "full_name": "Ali Khan", "role": "DRIVER",
         "custody_status": "ARRESTED", "created_at": TS, "updated_at": TS}
        for pid, case_id in ((1, 701), (2, 702))
    ]
    return {"formations": formations, "locations": locations, "cases": cases, "case_vehicles": vehicles,
            "case_persons": persons}


@pytest.fixture(scope="module")
def identity_home(tmp_path_factory):
    """The store built by dbt (``dbt build``: models and their tests) and published as the
    current data directory's snapshot; yields (settings, build warehouse path)."""
    root = tmp_path_factory.mktemp("vehicle-identity")
    warehouse = make_warehouse(root, _raw_rows())
    run_dbt(warehouse)
    saved = {k: os.environ.get(k) for k in ("ANTISMUGGLING_HOME", "ANTISMUGGLING_OPS_URL", "ANTISMUGGLING_CONFIG")}
    os.environ["ANTISMUGGLING_HOME"] = str(root / "home")
    os.environ.pop("ANTISMUGGLING_OPS_URL", None)
    os.environ.pop("ANTISMUGGLING_CONFIG", None)
    settings = load_settings()
    con = duckdb.connect(str(warehouse))
    try:
        publish_marts(con, settings, metadata={"refresh_mode": "test", "run_id": "vehicle-identity"})
    finally:
        con.close()
    yield settings, warehouse
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


# --------------------------------------------------------------------------- dim_vehicles


def test_dim_vehicles_flags_two_chassis_or_engines(identity_home):
    _, warehouse = identity_home
    rows = {
        r["vehicle_key"]: r
        for r in query(warehouse, "select vehicle_key, n_seizures, n_distinct_chassis, n_distinct_engines, "
                                  "has_identity_conflict from marts.dim_vehicles")
    }
    got = {k: (r["n_seizures"], r["n_distinct_chassis"], r["n_distinct_engines"], r["has_identity_conflict"])
           for k, r in rows.items()}
    assert got == {
        "V601": (6, 2, 1, True),
        "V607": (1, 1, 0, False),
        "V608": (2, 1, 2, True),
        "V610": (1, 0, 0, False),
        "V611": (2, 0, 0, False),
    }


def test_a_formation_officer_sees_the_conflict_of_their_own_seizures(identity_home):
    settings, _ = identity_home
    con = open_scoped(current_snapshot_path(settings), Scope(formations=("II-PSH",)), person_secret(settings.access_dir))
    try:
        row = con.execute(
            "select n_seizures, n_distinct_chassis, n_distinct_engines, has_identity_conflict "
            "from marts.dim_vehicles where vehicle_key = 'V601'"
        ).fetchone()
    finally:
        con.close()
    assert row == (2, 2, 1, True)


# --------------------------------------------------------------------------- the vehicle look-up


def _chip(at) -> tuple[str, int]:
    [pills] = at.pills
    [option] = [o for o in pills.options if o.startswith("ICT393 ")]
    match = CHIP.match(option)
    assert match, option
    return option, count(match["n"])


def _table_with(at, column: str) -> pd.DataFrame:
    [frame] = [f.value for f in at.dataframe if column in f.value.columns]
    return frame


@pytest.mark.parametrize("role, formations, seizures", [("dg", (), 6), ("formation_officer", ("II-PSH",), 2)])
def test_chip_counts_what_the_page_shows(identity_home, role, formations, seizures):
    at = open_app(role, formations, page="vehicles")
    at.text_input(key="vehicles_query").input("ict39").run()  # no number is ICT39: suggestions
    assert_clean(at)
    option, chip_count = _chip(at)
    at.pills[0].set_value(option).run()
    assert_clean(at)
    assert "Vehicle ICT393" in texts(at.subheader)
    assert count(metric(at, "Seizures")) == chip_count == seizures


def test_the_page_says_the_conflict_and_groups_seizures_by_chassis(identity_home):
    at = open_app("dg", page="vehicles")
    at.text_input(key="vehicles_query").input("ICT-393").run()
    assert_clean(at)
    assert "Vehicle ICT393" in texts(at.subheader)
    assert CONFLICT in texts(at.warning)
    groups = _table_with(at, "Chassis number")
    assert groups["Chassis number"].tolist() == ["KSP130369", "T35005753", "not recorded"]
    assert groups["Seizures"].tolist() == [2, 2, 2]
    assert groups["Seizures"].sum() == count(metric(at, "Seizures"))
    assert groups["Types"].tolist() == ["CAR", "TRUCK", "CAR, TRUCK"]
    seizures = _table_with(at, "Matches search")
    # the seizures listed chassis by chassis, each group in date order
    assert seizures["Chassis"].tolist() == ["KSP130369", "KSP130369", "T35005753", "T35005753", "", ""]
    assert seizures["Case"].tolist() == ["C-701", "C-702", "C-703", "C-704", "C-705", "C-706"]

    # within one formation the two chassis are linked by records it cannot see
    at = open_app("formation_officer", ("II-PSH",), page="vehicles")
    at.text_input(key="vehicles_query").input("ICT-393").run()
    assert_clean(at)
    assert "2 chassis numbers" in texts(at.warning) and "possible plate reuse" in texts(at.warning)
    assert _table_with(at, "Chassis number")["Chassis number"].tolist() == ["KSP130369", "T35005753"]

    # an engine swap: one chassis, two engines, grouped by engine
    at = open_app("dg", page="vehicles")
    at.text_input(key="vehicles_query").input("swap-99999").run()
    assert_clean(at)
    assert "chassis number SWAP99999 links 2 engine numbers" in texts(at.warning)
    assert _table_with(at, "Engine number")["Engine number"].tolist() == ["ENGAAAAA", "ENGBBBBB"]

    # no conflict: no warning, no grouping
    at.text_input(key="vehicles_query").input("LHR 777").run()
    assert_clean(at)
    assert not at.warning
    assert not [f for f in at.dataframe if "Chassis number" in f.value.columns]


# --------------------------------------------------------------------------- offenders and timelines


def _xaxis(at, index: int = -1) -> dict:
    charts = at.get("plotly_chart")
    return json.loads(charts[index].proto.spec)["layout"]["xaxis"]


def _assert_day_ticks(xaxis: dict, day: date) -> None:
    assert xaxis.get("dtick") == 86_400_000, xaxis
    first, last = (date.fromisoformat(str(v)[:10]) for v in xaxis["range"])
    assert first <= day - timedelta(days=3) and last >= day + timedelta(days=3), xaxis["range"]


def test_a_formation_officer_is_told_why_one_case_is_a_repeat_offender(identity_home):
    at = open_app("formation_officer", ("II-PSH",), page="offenders")
    at.text_input(key="offenders_query").input(CNIC.replace("-", "")).run()
    assert_clean(at)
    assert f"CNIC {CNIC}" in texts(at.subheader)
    assert (count(metric(at, "Cases")), count(metric(at, "Formations"))) == (1, 1)
    assert "repeat offender: has cases outside your formations that you cannot see" in texts(at.markdown)
    _assert_day_ticks(_xaxis(at), date(2024, 1, 10))  # the one-case timeline

    # a reader of every formation sees both cases: the flag needs no explanation
    at = open_app("dg", page="offenders")
    at.text_input(key="offenders_query").input(CNIC).run()
    assert_clean(at)
    assert count(metric(at, "Cases")) == 2
    assert "repeat offender" in texts(at.markdown) and "cannot see" not in texts(at.markdown)


def test_a_vehicle_seized_twice_on_one_day_has_day_ticks(identity_home):
    at = open_app("dg", page="vehicles")
    at.text_input(key="vehicles_query").input("SDY2024").run()
    assert_clean(at)
    assert count(metric(at, "Seizures")) == 2
    _assert_day_ticks(_xaxis(at), date(2024, 10, 5))


def test_date_axis_of_a_timeline():
    from dashboard.timeline import DAY_MS, date_axis

    one = date_axis(pd.Series([date(2024, 1, 10)]))
    assert one["dtick"] == DAY_MS and one["tickformat"] == "%d %b %Y"
    assert one["range"] == ["2024-01-06", "2024-01-14"]
    same_day = date_axis(pd.to_datetime(pd.Series(["2024-10-05", "2024-10-05"])))
    assert same_day["range"] == ["2024-10-01", "2024-10-09"] and same_day["dtick"] == DAY_MS
    # a few weeks: whole-day ticks, no padding needed
    weeks = date_axis(pd.Series([date(2024, 1, 1), date(2024, 1, 29)]))
    assert "range" not in weeks and weeks["dtick"] % DAY_MS == 0 and weeks["dtick"] >= DAY_MS
    # years: Plotly's own ticks (months, years) are whole days already
    years = date_axis(pd.Series([date(2018, 3, 1), date(2026, 3, 1)]))
    assert "dtick" not in years and "range" not in years
    assert date_axis(pd.Series([], dtype="datetime64[ns]")) == {"type": "date", "title": None}
