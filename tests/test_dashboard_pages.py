"""Every dashboard page, rendered with Streamlit's AppTest against marts published by the real
pipeline (the ``published_settings`` fixture in conftest.py): the pages render, their figures
agree with the marts, the filters change them and follow the user between pages and into the
URL, and the look-ups find what was typed in another format."""

from __future__ import annotations

import io
import shutil
from datetime import date

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from antismuggling.config import load_settings
from antismuggling.publish import current_snapshot_path, publish_marts
from apptest_helpers import assert_clean as _assert_clean
from apptest_helpers import MONTHS_NOT_AFTER_TODAY, NOT_AFTER_TODAY, open_app
from apptest_helpers import count as _count
from apptest_helpers import metric as _metric
from apptest_helpers import snapshot_scalar as _scalar
from apptest_helpers import snapshot_sql as _sql
from apptest_helpers import texts as _texts
from dbt_helpers import hand_built_marts


PAGES = {
    "overview": "Overview",
    "formation": "Formation accountability",
    "commodities": "Commodities",
    "routes": "Routes",
    "officers": "Officer performance",
    "vehicles": "Vehicle look-up",
    "offenders": "Offender profile",
    "data_quality": "Data quality and freshness",
}
NEEDS_MART = "which the current snapshot does not have"


# --------------------------------------------------------------------------- helpers


def _open(page: str, query_params: dict | None = None) -> AppTest:
    """A new session on ``page``; ``query_params`` as if the URL carried them."""
    at = open_app("dg", query_params=query_params, page=page)
    assert [t.value for t in at.title] == [PAGES[page]]
    return at


def _downloads(at: AppTest) -> list:
    return [e for e in at.get("download_button")]


@pytest.fixture(scope="module")
def busiest_formation(published_settings) -> str:
    return _scalar(
        published_settings,
        "select formation_code from marts.fct_cases group by 1 order by count(*) desc, 1 limit 1",
    )


# --------------------------------------------------------------------------- every page


@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_renders_from_the_marts(published_settings, page):
    at = _open(page)
    assert not at.warning, _texts(at.warning)
    assert NEEDS_MART not in _texts(at.info), _texts(at.info)
    assert "Marts published" in _texts(at.caption)
    # something to read: a chart, a table or headline figures
    assert at.get("plotly_chart") or at.dataframe or at.metric
    # every table can be downloaded (CSV; Excel too when openpyxl is installed)
    assert len(_downloads(at)) >= len(at.dataframe)


def test_every_page_asks_for_a_refresh_when_nothing_is_published(tmp_path, monkeypatch):
    monkeypatch.setenv("ANTISMUGGLING_HOME", str(tmp_path / "empty-home"))
    monkeypatch.delenv("ANTISMUGGLING_CONFIG", raising=False)
    for page in PAGES:
        at = open_app("dg", page=page)
        assert "No marts have been published yet" in _texts(at.info), page
        assert not at.get("plotly_chart"), page


def test_pages_say_which_marts_an_older_snapshot_lacks(published_settings, tmp_path, monkeypatch):
    """A snapshot with only the core marts (an older pipeline): no page breaks, each says what it lacks."""
    home = tmp_path / "home"
    shutil.copytree(published_settings.published_dir, home / "published")
    monkeypatch.setenv("ANTISMUGGLING_HOME", str(home))
    settings = load_settings()
    with hand_built_marts(tmp_path / "build.duckdb") as marts:
        marts.execute(f"attach '{current_snapshot_path(settings)}' as old (read_only)")
        for table in ("fct_cases", "fct_seizure_items", "data_quality_issues"):
            marts.execute(f"create table marts.{table} as select * from old.marts.{table}")
    warehouse = duckdb.connect(str(tmp_path / "build.duckdb"))
    try:
        publish_marts(warehouse, settings, metadata={"refresh_mode": "test", "run_id": "core-marts-only"})
    finally:
        warehouse.close()

    for page in PAGES:
        at = _open(page)
        if page in ("formation", "commodities", "routes", "officers", "vehicles", "offenders"):
            assert NEEDS_MART in _texts(at.info), page
    at = _open("overview")
    assert _metric(at, "Repeat vehicles") == "–"


# --------------------------------------------------------------------------- overview


def test_overview_leadership_figures_match_the_marts(published_settings):
    at = _open("overview")
    # the default period: every seizure up to today
    repeat_vehicles = _scalar(
        published_settings,
        f"select count(distinct vehicle_key) from marts.mart_vehicle_recidivism where is_repeat and {NOT_AFTER_TODAY}",
    )
    assert _count(_metric(at, "Repeat vehicles")) == repeat_vehicles
    confiscated = _scalar(
        published_settings,
        f"select count(*) from marts.mart_vehicle_recidivism where confiscated_u_s_157 and {NOT_AFTER_TODAY}",
    )
    assert _count(_metric(at, "Vehicles confiscated")) == confiscated
    backlog = _scalar(
        published_settings,
        f"select sum(n_pending_adjudication) from marts.mart_formation_accountability where {MONTHS_NOT_AFTER_TODAY}",
    )
    assert _count(_metric(at, "Backlog")) == backlog

    league = at.dataframe[0].value
    assert set(league["Formation"]) == set(
        _sql(published_settings, "select distinct formation_code from marts.fct_cases")["formation_code"]
    )
    assert league["Cases"].sum() == _scalar(
        published_settings, f"select count(*) from marts.fct_cases where {MONTHS_NOT_AFTER_TODAY}"
    )


def test_overview_compares_a_period_with_the_year_before(published_settings):
    at = _open("overview")
    assert "compare each figure" in _texts(at.caption)  # the whole period: nothing to compare with
    start, end = date(2025, 1, 1), date(2025, 6, 30)
    at.date_input(key="overview_period").set_value((start, end)).run()
    _assert_clean(at)
    cases = _scalar(
        published_settings, "select count(*) from marts.fct_cases where seizure_date between ? and ?", [start, end]
    )
    # the year before as it stood a year before the data's watermark: only the cases entered by then
    before = _scalar(
        published_settings,
        "select count(*) from marts.fct_cases where seizure_date between ? and ? and (created_at_utc is null or "
        "created_at_utc <= (select max(cast(json_extract_string(details, '$.source_watermark') as timestamp)) "
        "from meta.publish_info) - interval 365 day)",
        [date(2024, 1, 1), date(2024, 6, 30)],
    )
    assert cases and before
    tile = [m for m in at.metric if m.label == "Live cases"][0]
    assert _count(tile.value) == cases
    assert tile.delta == f"{100 * (cases - before) / before:+.1f}%"
    assert "01 Jan 2024 to 30 Jun 2024" in _texts(at.caption)


def test_quick_period_sets_whole_months(published_settings):
    at = _open("overview")
    at.selectbox(key="overview_quick_period").select("Last 12 full months").run()
    _assert_clean(at)
    from dashboard import data
    from dashboard.filters import preset_period

    start, end = at.date_input(key="overview_period").value
    assert (start, end) == preset_period("Last 12 full months", data.filter_options(data.current_snapshot(data.Scope())))
    assert at.selectbox(key="overview_quick_period").value is None  # a one-shot choice
    # the twelve calendar months before this one (unless the data ends before them)
    if date.fromordinal(end.toordinal() + 1).day == 1:
        assert start.day == 1 and (end - start).days in range(363, 367)
        assert "Changes compare with the same period a year before" in _texts(at.caption)


# --------------------------------------------------------------------------- shared filters


def test_filters_follow_the_user_between_pages_and_into_the_url(published_settings, busiest_formation):
    code = busiest_formation
    at = _open("overview")
    at.multiselect(key="overview_formations").select(code).run()
    at.date_input(key="overview_period").set_value((date(2024, 1, 1), date(2025, 12, 31))).run()
    _assert_clean(at)
    assert at.query_params["formation"] == [code] or at.query_params["formation"] == code
    assert at.query_params["from"] in ("2024-01-01", ["2024-01-01"])

    at.switch_page("views/routes.py").run()
    _assert_clean(at)
    assert at.multiselect(key="routes_formations").value == [code]
    assert at.date_input(key="routes_period").value == (date(2024, 1, 1), date(2025, 12, 31))
    expected = _scalar(
        published_settings,
        "select count(*) from marts.fct_cases where formation_code = ? and seizure_date between ? and ?",
        [code, date(2024, 1, 1), date(2025, 12, 31)],
    )
    assert _count(_metric(at, "Cases")) == expected

    # a change on one page is what the next page shows
    at.multiselect(key="routes_formations").unselect(code).run()
    at.switch_page("views/officers.py").run()
    _assert_clean(at)
    assert at.multiselect(key="officers_formations").value == []


def test_a_shared_url_opens_the_same_view(published_settings, busiest_formation):
    code = busiest_formation
    at = _open("overview", {"from": "2024-03-01", "to": "2024-08-31", "formation": code})
    assert at.date_input(key="overview_period").value == (date(2024, 3, 1), date(2024, 8, 31))
    assert at.multiselect(key="overview_formations").value == [code]
    expected = _scalar(
        published_settings,
        "select count(*) from marts.fct_cases where formation_code = ? and seizure_date between ? and ?",
        [code, date(2024, 3, 1), date(2024, 8, 31)],
    )
    assert _count(_metric(at, "Live cases")) == expected


def test_empty_selections_say_so(published_settings):
    first_day = pd.Timestamp(_scalar(published_settings, "select min(seizure_date) from marts.fct_cases")).date()
    quiet = _scalar(
        published_settings,
        "select formation_code from marts.fct_cases group by 1 having min(seizure_date) > ? order by 1 limit 1",
        [first_day],
    )
    params = {"from": first_day.isoformat(), "to": first_day.isoformat(), "formation": quiet}
    for page in ("overview", "commodities", "routes", "officers"):
        at = _open(page, params)
        assert at.info, page
        assert not at.get("plotly_chart"), page


# --------------------------------------------------------------------------- formation


def test_formation_page_opens_the_formation_in_the_url(published_settings, busiest_formation):
    code = busiest_formation
    at = _open("formation", {"unit": code})
    assert at.selectbox(key="formation_unit").value == code
    assert _count(_metric(at, "Cases")) == _scalar(
        published_settings, "select sum(n_cases) from marts.mart_formation_accountability where formation_code = ?", [code]
    )
    assert _count(_metric(at, "Backlog")) == _scalar(
        published_settings,
        "select sum(n_pending_adjudication) from marts.mart_formation_accountability where formation_code = ?",
        [code],
    )
    assert len(at.get("plotly_chart")) >= 4  # backlog, confiscation, lag distribution, lag trend
    officers = [d.value for d in at.dataframe if d.value is not None and "Officer" in d.value.columns]
    assert officers and len(officers[0]) == _scalar(
        published_settings,
        "select count(distinct officer_id) from marts.mart_officer_performance where formation_code = ?",
        [code],
    )

    at.date_input(key="formation_period").set_value((date(2025, 1, 1), date(2025, 12, 31))).run()
    _assert_clean(at)
    assert _count(_metric(at, "Cases")) == _scalar(
        published_settings,
        "select sum(n_cases) from marts.mart_formation_accountability where formation_code = ? "
        "and seizure_month between '2025-01-01' and '2025-12-01'",
        [code],
    )


# --------------------------------------------------------------------------- commodities


def test_commodities_drill_down_and_trend(published_settings, busiest_formation):
    chapter = _scalar(
        published_settings,
        "select hs_code from marts.mart_hs_trends where hs_level = 'chapter' group by 1 order by sum(value_pkr) desc limit 1",
    )
    at = _open("commodities", {"hs": chapter})
    assert f"Trend: chapter {chapter}" in _texts(at.subheader)
    assert at.selectbox(key="commodities_chapter").value == chapter
    headings = at.dataframe[0].value
    assert set(headings["Code"]) <= set(
        _sql(
            published_settings,
            "select distinct hs_code from marts.mart_hs_trends where hs_level = 'heading' and hs_code like ? || '%'",
            [chapter],
        )["hs_code"]
    )
    from dashboard.formatting import format_pkr_compact

    cond = MONTHS_NOT_AFTER_TODAY
    value = _scalar(
        published_settings,
        f"select sum(value_pkr) from marts.mart_hs_trends where hs_level = 'chapter' and hs_code = ? and {cond}",
        [chapter],
    )
    assert _metric(at, "Seized value (PKR)") == format_pkr_compact(value, prefix=False)

    # the formation filter changes the figures
    at.multiselect(key="commodities_formations").select(busiest_formation).run()
    _assert_clean(at)
    value = _scalar(
        published_settings,
        f"select sum(value_pkr) from marts.mart_hs_trends where hs_level = 'chapter' and hs_code = ? "
        f"and formation_code = ? and {cond}",
        [chapter, busiest_formation],
    )
    assert _metric(at, "Seized value (PKR)") == format_pkr_compact(value, prefix=False)

    # choosing a heading drills down, and the URL follows
    heading = headings["Code"].iloc[0]
    at.selectbox(key="commodities_heading").select(heading).run()
    _assert_clean(at)
    assert f"Trend: heading {heading}" in _texts(at.subheader)
    assert at.query_params["hs"] in (heading, [heading])


def test_commodities_highlight_notified_items(published_settings):
    at = _open("commodities")
    notified = _sql(
        published_settings,
        "select notified_category, count(*) as n from marts.fct_seizure_items where is_notified_item group by 1",
    )
    assert not notified.empty, "the demo data should seize notified goods"
    table = [d.value for d in at.dataframe if d.value is not None and "Category" in d.value.columns][0]
    assert set(table["Category"]) == set(notified["notified_category"])


# --------------------------------------------------------------------------- routes


def test_routes_filter_by_commodity(published_settings):
    at = _open("routes")
    assert _count(_metric(at, "Cases")) == _scalar(
        published_settings, f"select count(*) from marts.fct_cases where {NOT_AFTER_TODAY}"
    )
    assert len(at.get("plotly_chart")) == 2  # Sankey and map
    chapter = _scalar(
        published_settings,
        "select hs2 from marts.fct_seizure_items where hs2 is not null group by 1 order by count(*) desc limit 1",
    )
    at.multiselect(key="routes_hs2").select(chapter).run()
    _assert_clean(at)
    expected = _scalar(
        published_settings,
        "select count(distinct case_id) from marts.fct_seizure_items where hs2 = ?",
        [chapter],
    )
    assert _count(_metric(at, "Cases")) == expected
    assert at.query_params["hs2"] in (chapter, [chapter])


def test_route_map_is_drawn_without_tiles(published_settings):
    at = _open("routes")
    for chart in at.get("plotly_chart"):
        spec = chart.proto.spec if hasattr(chart, "proto") else ""
        for forbidden in ("scattergeo", "choropleth", "scattermapbox", "scattermap", "mapbox", "topojson"):
            assert forbidden not in spec


# --------------------------------------------------------------------------- officers


def test_officer_table_and_drill_down(published_settings, busiest_formation):
    at = _open("officers")
    assert _count(_metric(at, "Officers credited")) == _scalar(
        published_settings, "select count(distinct officer_id) from marts.mart_officer_performance"
    )
    at.multiselect(key="officers_formations").select(busiest_formation).run()
    _assert_clean(at)
    assert _count(_metric(at, "Officers credited")) == _scalar(
        published_settings,
        "select count(distinct officer_id) from marts.mart_officer_performance where formation_code = ?",
        [busiest_formation],
    )

    officer = int(
        _scalar(
            published_settings,
            "select officer_id from marts.fct_officer_case_credits group by 1 order by count(*) desc, 1 limit 1",
        )
    )
    at = _open("officers", {"officer": str(officer)})
    assert at.selectbox(key="officers_officer").value == officer
    n_cases = _scalar(
        published_settings, "select count(*) from marts.fct_officer_case_credits where officer_id = ?", [officer]
    )
    cases_tiles = [m.value for m in at.metric if m.label == "Cases"]
    assert cases_tiles and _count(cases_tiles[-1]) == n_cases


# --------------------------------------------------------------------------- vehicles


def _retyped(registration: str) -> str:
    """``GLT346`` typed as ``glt-346``: lower case, a dash between letters and digits."""
    for i, char in enumerate(registration):
        if char.isdigit() and i:
            return f"{registration[:i].lower()}-{registration[i:].lower()}"
    return "-".join(registration.lower())


def test_vehicle_look_up_finds_a_repeat_vehicle_typed_differently(published_settings):
    vehicle = _sql(
        published_settings,
        "select vehicle_key, registration_no, n_seizures, n_formations from marts.dim_vehicles "
        "where n_seizures >= 2 and registration_no is not null and n_registration_numbers = 1 "
        "order by n_seizures desc, vehicle_key limit 1",
    ).iloc[0]
    typed = _retyped(vehicle["registration_no"])
    assert typed != vehicle["registration_no"]

    at = _open("vehicles")
    at.text_input(key="vehicles_query").input(typed).run()
    _assert_clean(at)
    assert f"Vehicle {vehicle['registration_no']}" in _texts(at.subheader)
    assert _count(_metric(at, "Seizures")) == vehicle["n_seizures"]
    assert _count(_metric(at, "Formations")) == vehicle["n_formations"]
    rows = at.dataframe[0].value
    assert len(rows) == vehicle["n_seizures"]
    assert (rows["Matches search"].str.contains("registration")).any()
    assert at.query_params["vehicle"] in (typed, [typed])


def test_vehicle_look_up_explains_what_cannot_match(published_settings):
    at = _open("vehicles")
    at.text_input(key="vehicles_query").input("n/a").run()
    _assert_clean(at)
    assert "no number" in _texts(at.warning)
    at.text_input(key="vehicles_query").input("zz-0000-zz").run()
    _assert_clean(at)
    assert "No seized vehicle" in _texts(at.info)


# --------------------------------------------------------------------------- offenders


def test_cnic_look_up_finds_a_repeat_offender_typed_without_dashes(published_settings):
    person = _sql(
        published_settings,
        "select cnic, n_cases, n_formations from marts.dim_offenders where is_repeat_offender "
        "order by n_cases desc, cnic limit 1",
    ).iloc[0]
    typed = person["cnic"].replace("-", "")
    at = _open("offenders")
    at.text_input(key="offenders_query").input(typed).run()
    _assert_clean(at)
    assert f"CNIC {person['cnic']}" in _texts(at.subheader)
    assert _count(_metric(at, "Cases")) == person["n_cases"]
    assert _count(_metric(at, "Formations")) == person["n_formations"]

    at.text_input(key="offenders_query").input(typed[:-1]).run()
    _assert_clean(at)
    assert "13 digits" in _texts(at.warning)


def test_offender_profile_with_the_case_person_mart(published_settings):
    settings = published_settings
    person = _sql(
        settings,
        "select cnic, n_cases, n_co_offenders from marts.dim_offenders where is_repeat_offender and n_co_offenders > 0 "
        "order by n_cases desc, cnic limit 1",
    ).iloc[0]
    at = _open("offenders", {"cnic": person["cnic"].replace("-", " ")})
    assert f"CNIC {person['cnic']}" in _texts(at.subheader)
    assert {"Links: cases, co-offenders and vehicles", "Timeline", "Cases", "Co-offenders"} <= {
        s.value for s in at.subheader
    }
    tables = {tuple(d.value.columns): d.value for d in at.dataframe if d.value is not None}
    cases = next(v for k, v in tables.items() if "Case" in k and "Seized at" in k)
    assert len(cases) == person["n_cases"]
    co = next(v for k, v in tables.items() if "CNIC" in k and "Shared" in k)
    assert len(co) == person["n_co_offenders"]
    assert len(at.get("plotly_chart")) == 2  # link graph and timeline

    # the leadership tile can now count repeat offenders caught
    at = _open("overview")
    expected = _scalar(
        settings,
        """
        with p as (select distinct b.cnic, c.seizure_date from marts.fct_case_persons b
                   join marts.fct_cases c using (case_id) where b.cnic is not null),
        f as (select cnic, min(seizure_date) as first_date from p group by cnic)
        select count(distinct p.cnic) from p join f using (cnic) where p.seizure_date > f.first_date
        """,
    )
    assert _count(_metric(at, "Repeat offenders")) == expected


# --------------------------------------------------------------------------- data quality


def test_data_quality_page_counts_the_issues(published_settings):
    at = _open("data_quality")
    quarantined = _scalar(
        published_settings, "select count(*) from marts.data_quality_issues where severity = 'quarantined'"
    )
    flagged = _scalar(published_settings, "select count(*) from marts.data_quality_issues where severity = 'flagged'")
    assert _count(_metric(at, "Rows quarantined")) == quarantined
    assert _count(_metric(at, "Rows flagged")) == flagged
    assert "Source data changed up to" in _texts(at.markdown)
    rows = [d.value for d in at.dataframe if d.value is not None and "Source key" in d.value.columns][0]
    assert len(rows) == min(quarantined, 5000)
    at.segmented_control(key="data_quality_severity").set_value("flagged").run()
    _assert_clean(at)
    rows = [d.value for d in at.dataframe if d.value is not None and "Source key" in d.value.columns][0]
    assert len(rows) == min(flagged, 5000)


def test_a_refresh_that_found_nothing_new_confirms_the_marts_current(published_settings):
    from antismuggling.publish import CHECKED_NAME, current_snapshot_path, mark_checked

    mark_checked(published_settings, current_snapshot_path(published_settings))
    try:
        at = _open("data_quality")
        assert "Last refresh with nothing new" in _texts(at.markdown)
        assert "nothing new at the last refresh, just now" in _texts(at.caption)
    finally:
        (published_settings.published_dir / CHECKED_NAME).unlink()
    at = _open("data_quality")
    assert "nothing new at the last refresh" not in _texts(at.caption)


# --------------------------------------------------------------------------- search keys = SQL rules


VEHICLE_RULE_SQL = """
    case
        when length(regexp_replace(upper(coalesce(x, '')), '[^A-Z0-9]', '', 'g')) < {min_length} then null
        when regexp_replace(upper(x), '[^A-Z0-9]', '', 'g')
             in ('NA', 'NIL', 'NONE', 'NULL', 'UNREGISTERED', 'UNREG', 'APPLIEDFOR', '0') then null
        else regexp_replace(upper(x), '[^A-Z0-9]', '', 'g')
    end
"""
AWKWARD = [
    "LEA-1234", "lea 1234", " lea.1234 ", "N/A", "nil", "Un-Registered", "applied for", "0", "-", "",
    "abc", "ab-12", "ABC12", "straße-12", "ﬁat-1234", "ı-1234", "ſ1234", "ＬＥＡ１２３４", "١٢٣٤٥٦", "é-12345",
    "K-1234", "0-0", "none", "NULL ", "JTF HJ7-0012 3",
]  # fmt: skip


def test_vehicle_key_normalisation_matches_the_marts(published_settings):
    from dashboard.search_keys import VEHICLE_MIN_LENGTHS, normalise_vehicle_identifier

    rows = _sql(
        published_settings,
        "select chassis_no, engine_no, registration_no, chassis_no_raw, engine_no_raw, registration_no_raw "
        "from marts.mart_vehicle_recidivism",
    )
    assert len(rows) > 100
    def text(value):
        return None if value is None or pd.isna(value) else value

    for kind in VEHICLE_MIN_LENGTHS:
        mismatches = [
            (raw, normalise_vehicle_identifier(text(raw), kind), text(norm))
            for raw, norm in zip(rows[f"{kind}_no_raw"], rows[f"{kind}_no"], strict=True)
            if normalise_vehicle_identifier(text(raw), kind) != text(norm)
        ]
        assert not mismatches, mismatches[:5]

    con = duckdb.connect()
    try:
        for kind, min_length in VEHICLE_MIN_LENGTHS.items():
            sql = f"select x, {VEHICLE_RULE_SQL.format(min_length=min_length)} from (select unnest(?::varchar[]) as x)"
            for typed, expected in con.execute(sql, [AWKWARD]).fetchall():
                assert normalise_vehicle_identifier(typed, kind) == expected, (kind, typed)
    finally:
        con.close()


def test_cnic_normalisation_matches_the_marts(published_settings):
    from dashboard.search_keys import normalise_cnic

    # the warehouse's own normalisation of every CNIC as typed in the source
    con = duckdb.connect(str(published_settings.warehouse_path), read_only=True)
    try:
        rows = con.execute("select cnic_raw, cnic from intermediate.int_case_persons_cnic").fetchall()
    finally:
        con.close()
    assert len(rows) > 100
    mismatches = [(raw, normalise_cnic(raw), cnic) for raw, cnic in rows if normalise_cnic(raw) != cnic]
    assert not mismatches, mismatches[:5]

    offenders = _sql(published_settings, "select cnic from marts.dim_offenders")["cnic"]
    assert all(normalise_cnic(c.replace("-", "")) == c for c in offenders)
    assert normalise_cnic("35202 1234567 1") == "35202-1234567-1"
    assert normalise_cnic("1111111111111") is None  # one digit repeated
    assert normalise_cnic("8520212345671") is None  # first digit 8
    assert normalise_cnic("352021234567") is None  # 12 digits


# --------------------------------------------------------------------------- downloads


def test_downloads_hold_the_full_figures(tmp_path):
    from dashboard import ui

    frame = pd.DataFrame(
        {"formation_code": ["II-PSH", "CE-QTA"], "total_value_pkr": [1234567890.5, 12.0], "roles": [["A", "B"], []]}
    )
    text = ui.csv_bytes(frame).decode("utf-8-sig")
    assert text.splitlines()[0] == "formation_code,total_value_pkr,roles"
    back = pd.read_csv(io.StringIO(text))
    assert back["total_value_pkr"].tolist() == [1234567890.5, 12.0]
    assert back["roles"].fillna("").tolist() == ["A; B", ""]
    if not ui.EXCEL_AVAILABLE:
        pytest.skip("openpyxl is not installed: the dashboard offers CSV only (its Excel buttons are disabled)")
    path = tmp_path / "x.xlsx"
    path.write_bytes(ui.excel_bytes(frame, "test"))
    assert pd.read_excel(path)["total_value_pkr"].tolist() == [1234567890.5, 12.0]
