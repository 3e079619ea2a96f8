"""A figure the marts lack, or withhold from the reader, reads as a dash on every page, for
every role: never a crash, never ``nan``, ``None``, ``NaT`` or ``<NA>``.

A formation officer sees a person's totals over every formation and a vehicle's prior
seizures as NULL (``antismuggling.access.scope``); vehicles known only by a chassis number
have no registration. Each page is opened, and the look-ups that show those figures are
run, with Streamlit's AppTest over marts published by the real pipeline."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from apptest_helpers import assert_clean, assert_no_raw_missing, open_app, snapshot_sql, texts
from dashboard.formatting import MISSING, first_present, format_count, format_date, format_month, format_text, is_missing

DATA_PAGES = ("overview", "formation", "commodities", "routes", "officers", "vehicles", "offenders", "data_quality")
ROLES = ("dg", "analyst", "formation_officer")


@pytest.fixture(scope="module")
def formation(published_settings) -> str:
    """The officer's formation: one with cases, vehicles and people, not the busiest."""
    return snapshot_sql(
        published_settings,
        "select formation_code from marts.fct_cases group by 1 order by count(*) desc, 1 limit 1 offset 2",
    ).iloc[0, 0]


@pytest.fixture(scope="module")
def person_with_co_offenders(published_settings, formation) -> str:
    """A CNIC seen in the formation, in a case shared with people seen in other formations."""
    return snapshot_sql(
        published_settings,
        """
        select o.cnic from marts.dim_offenders o
        join marts.fct_case_persons p using (offender_key)
        join marts.fct_case_persons other on other.case_id = p.case_id and other.offender_key <> p.offender_key
        join marts.dim_offenders co on co.offender_key = other.offender_key
        where p.formation_code = ? and co.n_formations >= 2
        group by o.cnic order by count(*) desc, o.cnic limit 1
        """,
        [formation],
    ).iloc[0, 0]


@pytest.fixture(scope="module")
def vehicle_without_registration(published_settings, formation) -> str:
    """The chassis number of a repeat vehicle of the formation that has no registration."""
    return snapshot_sql(
        published_settings,
        """
        select d.chassis_no from marts.dim_vehicles d join marts.mart_vehicle_recidivism v using (vehicle_key)
        where d.registration_no is null and d.chassis_no is not null and v.formation_code = ?
        group by d.chassis_no order by count(*) desc, d.chassis_no limit 1
        """,
        [formation],
    ).iloc[0, 0]


def _formations(role: str, formation: str) -> tuple[str, ...]:
    return (formation,) if role == "formation_officer" else ()


@pytest.mark.parametrize("role", ROLES)
def test_every_page_writes_missing_figures_as_dashes(published_settings, formation, role):
    at = open_app(role, _formations(role, formation))
    for page in DATA_PAGES:
        if page != "overview":
            at.switch_page(f"views/{page}.py").run()
        assert_clean(at)
        assert_no_raw_missing(at, f"{role} on {page}")


@pytest.mark.parametrize("role", ROLES)
def test_a_person_whose_co_offenders_totals_are_withheld(published_settings, formation, person_with_co_offenders, role):
    at = open_app(role, _formations(role, formation), page="offenders")
    at.text_input(key="offenders_query").input(person_with_co_offenders).run()
    assert_clean(at)
    assert_no_raw_missing(at, f"{role}: profile of {person_with_co_offenders}")
    assert "Co-offenders" in texts(at.subheader)
    co_offenders = [f.value for f in at.dataframe if "Shared" in f.value.columns][0]
    if role == "formation_officer":  # their cases in all count other formations: withheld
        assert co_offenders["Cases"].isna().all()
        assert "not shown for your role (–)" in texts(at.caption)
    else:
        assert co_offenders["Cases"].notna().all()


@pytest.mark.parametrize("role", ROLES)
def test_a_vehicle_known_only_by_its_chassis(published_settings, formation, vehicle_without_registration, role):
    at = open_app(role, _formations(role, formation), page="vehicles")
    at.text_input(key="vehicles_query").input(vehicle_without_registration).run()
    assert_clean(at)
    assert_no_raw_missing(at, f"{role}: vehicle {vehicle_without_registration}")
    assert f"Vehicle {vehicle_without_registration}" in texts(at.subheader)
    assert f"registration `{MISSING}`" in texts(at.markdown)


def _select_row(at, key: str, row: int) -> None:
    """Select a row of a table drawn with ``on_select="rerun"``, as a click would."""
    at.session_state[key] = {"selection": {"rows": [row], "columns": [], "cells": []}}
    at.run()


@pytest.mark.parametrize("role", ROLES)
def test_picking_listed_vehicles_and_people(published_settings, formation, role):
    """A repeat vehicle with no registration picked from the list opens by its chassis; a
    repeat offender picked from the list opens their profile."""
    at = open_app(role, _formations(role, formation), page="vehicles")
    listed = [f.value for f in at.dataframe][0]
    unregistered = listed.index[listed["Registration"] == ""]
    assert len(unregistered), "the list has no vehicle without a registration"
    chassis = listed.loc[unregistered[0], "Chassis"]
    _select_row(at, "vehicles_repeat", int(unregistered[0]))
    assert_clean(at)
    assert_no_raw_missing(at, f"{role}: vehicle picked from the list")
    assert f"Vehicle {chassis}" in texts(at.subheader)

    at.switch_page("views/offenders.py").run()
    _select_row(at, "offenders_repeat", 0)
    assert_clean(at)
    assert_no_raw_missing(at, f"{role}: person picked from the list")
    assert "Co-offenders" in texts(at.subheader)


# --------------------------------------------------------------------------- the helpers


@pytest.mark.parametrize("value", [None, float("nan"), pd.NA, pd.NaT])
def test_every_kind_of_missing_value_is_a_dash(value):
    assert is_missing(value)
    assert format_text(value) == format_count(value) == format_date(value) == format_month(value) == MISSING
    assert first_present(value, "", "  ", "LEA-1234") == "LEA-1234"


def test_values_are_not_missing():
    for value in (0, "", "0", [], ["a"], date(2025, 1, 1), False):
        assert not is_missing(value)
    assert format_text(0) == "0"
    assert format_date("2025-01-01") == MISSING  # text is not a date
    assert format_date(pd.Timestamp("2025-03-05")) == "05 Mar 2025"
    assert first_present(None, float("nan")) is None
