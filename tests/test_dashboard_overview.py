"""The dashboard's overview page, rendered with Streamlit's AppTest against marts published by
the real pipeline (the ``published_settings`` fixture in conftest.py)."""

from __future__ import annotations

import shutil

import duckdb
from streamlit.testing.v1 import AppTest

from antismuggling.config import load_settings
from antismuggling.publish import current_snapshot_path, publish_marts
from apptest_helpers import assert_clean as _assert_clean
from apptest_helpers import NOT_AFTER_TODAY, open_app
from apptest_helpers import count as _count
from apptest_helpers import metric as _metric
from apptest_helpers import snapshot_scalar as _snapshot_scalar
from apptest_helpers import texts as _texts
from dbt_helpers import hand_built_marts

KPI_LABELS = ("Live cases", "Total (PKR)", "Goods (PKR)", "Vehicles (PKR)", "Items seized")


def _run_app() -> AppTest:
    return open_app("dg")


# --------------------------------------------------------------------------- with marts


def test_overview_renders_every_section(published_settings):
    at = _run_app()

    assert [t.value for t in at.title] == ["Overview"]
    for label in KPI_LABELS:
        _metric(at, label)
    assert len(at.get("plotly_chart")) >= 4  # cases/month, value/month, formations, commodities
    assert [s.value for s in at.subheader] == [
        "By seizure month",
        "By formation",
        "Top commodities",
        "Data freshness",
    ]
    captions = _texts(at.caption)
    assert "Marts published" in captions
    assert "PKT (UTC+5)" in captions
    assert not at.info, _texts(at.info)  # no "nothing to show" messages with the demo data


def test_live_cases_and_values_match_the_snapshot(published_settings):
    from dashboard.formatting import format_count, format_pkr_compact

    at = _run_app()

    n_cases = _snapshot_scalar(published_settings, f"select count(*) from marts.fct_cases where {NOT_AFTER_TODAY}")
    assert n_cases > 0
    assert _count(_metric(at, "Live cases")) == n_cases
    n_items = _snapshot_scalar(published_settings, f"select count(*) from marts.fct_seizure_items where {NOT_AFTER_TODAY}")
    assert _metric(at, "Items seized") == format_count(n_items)
    total = _snapshot_scalar(published_settings, f"select sum(total_value_pkr) from marts.fct_cases where {NOT_AFTER_TODAY}")
    assert _metric(at, "Total (PKR)") == format_pkr_compact(total, prefix=False)


def test_formation_filter_changes_the_figures(published_settings):
    from dashboard.formatting import format_pkr_compact

    at = _run_app()
    all_cases = _count(_metric(at, "Live cases"))
    all_value = _metric(at, "Total (PKR)")

    formations = at.multiselect(key="overview_formations").options
    assert len(formations) >= 2, "the demo store should have several formations"
    code = _snapshot_scalar(
        published_settings,
        "select formation_code from marts.fct_cases group by 1 order by count(*) desc, 1 limit 1",
    )
    assert any(label == code or label.startswith(f"{code} ") for label in formations)
    at.multiselect(key="overview_formations").select(code).run()
    _assert_clean(at)

    expected = _snapshot_scalar(
        published_settings, "select count(*) from marts.fct_cases where formation_code = ?", [code]
    )
    assert 0 < expected < all_cases
    assert _count(_metric(at, "Live cases")) == expected
    value = _snapshot_scalar(
        published_settings, "select sum(total_value_pkr) from marts.fct_cases where formation_code = ?", [code]
    )
    assert _metric(at, "Total (PKR)") == format_pkr_compact(value, prefix=False)
    assert _metric(at, "Total (PKR)") != all_value
    assert code in _texts(at.caption)

    at.multiselect(key="overview_formations").unselect(code).run()
    _assert_clean(at)
    assert _count(_metric(at, "Live cases")) == all_cases


def test_period_filter_limits_the_cases(published_settings):
    at = _run_app()
    first, last = at.date_input(key="overview_period").value
    # the default period ends at the last seizure not after today: a year typed 2206 is a typo
    assert (first, last) == (
        _snapshot_scalar(published_settings, "select min(seizure_date) from marts.fct_cases"),
        _snapshot_scalar(published_settings, f"select max(seizure_date) from marts.fct_cases where {NOT_AFTER_TODAY}"),
    )
    # Mistyped far-future years (2206) reach the marts with no seizure date, flagged.
    undated = _snapshot_scalar(published_settings, "select count(*) from marts.fct_cases where seizure_date is null")
    implausible = _snapshot_scalar(
        published_settings,
        "select count(*) from marts.data_quality_issues where check_name = 'implausible_seizure_at'",
    )
    assert implausible > 0, "the demo store should have mistyped future dates"
    assert undated >= implausible
    assert f"{undated:,} case(s) with no plausible seizure date are in no period" in _texts(at.caption)
    # The middle half of the cases (the demo store has a few mistyped, far-future dates).
    start = _snapshot_scalar(published_settings, "select quantile_disc(seizure_date, 0.25) from marts.fct_cases")
    end = _snapshot_scalar(published_settings, "select quantile_disc(seizure_date, 0.75) from marts.fct_cases")
    assert first < start < end < last

    at.date_input(key="overview_period").set_value((start, end)).run()
    _assert_clean(at)

    expected = _snapshot_scalar(
        published_settings,
        "select count(*) from marts.fct_cases where seizure_date between ? and ?",
        [start, end],
    )
    assert _count(_metric(at, "Live cases")) == expected


def test_a_new_publication_shows_up_at_once(published_settings, tmp_path, monkeypatch):
    """The cache is keyed on the snapshot: publishing new marts changes the page on the next run."""
    home = tmp_path / "home"
    shutil.copytree(published_settings.published_dir, home / "published")
    monkeypatch.setenv("ANTISMUGGLING_HOME", str(home))
    settings = load_settings()

    at = _run_app()
    before = _count(_metric(at, "Live cases"))

    # Publish, with the real publish step, marts holding only the older half of the cases.
    with hand_built_marts(tmp_path / "build.duckdb") as marts:
        marts.execute(f"attach '{current_snapshot_path(settings)}' as old (read_only)")
        marts.execute(
            "create table marts.fct_cases as select * from old.marts.fct_cases "
            "where seizure_date <= (select quantile_disc(seizure_date, 0.5) from old.marts.fct_cases)"
        )
        marts.execute(
            "create table marts.fct_seizure_items as select * from old.marts.fct_seizure_items "
            "where case_id in (select case_id from marts.fct_cases)"
        )
    warehouse = duckdb.connect(str(tmp_path / "build.duckdb"))
    try:
        publish_marts(warehouse, settings, metadata={"refresh_mode": "test", "run_id": "test-republish"})
    finally:
        warehouse.close()

    at.run()  # the same session: a rerun, as when a user interacts
    _assert_clean(at)
    after = _count(_metric(at, "Live cases"))
    assert 0 < after < before
    assert after == _snapshot_scalar(settings, f"select count(*) from marts.fct_cases where {NOT_AFTER_TODAY}")


# --------------------------------------------------------------------------- without marts


def test_nothing_published_asks_for_a_refresh(tmp_path, monkeypatch):
    monkeypatch.setenv("ANTISMUGGLING_HOME", str(tmp_path / "empty-home"))
    monkeypatch.delenv("ANTISMUGGLING_CONFIG", raising=False)

    at = _run_app()

    messages = _texts(at.info)
    assert "No marts have been published yet" in messages
    assert "antismuggling refresh" in messages
    assert not at.metric
    assert not at.get("plotly_chart")


# --------------------------------------------------------------------------- formatting


def test_money_is_shown_in_pkr_with_consistent_units():
    from dashboard.formatting import (
        BILLIONS,
        MILLIONS,
        format_count,
        format_pkr,
        format_pkr_compact,
        format_pkr_exact,
        money_scale,
    )

    assert format_pkr(950_000) == "PKR 950,000"
    assert format_pkr(12_345_678) == "PKR 12.35 M"
    assert format_pkr(1_240_000_000) == "PKR 1.24 B"
    assert format_pkr(999_999_999) == "PKR 1.00 B"
    assert format_pkr(5_000_000, BILLIONS) == "PKR 0.01 B"  # a column keeps its scale
    assert format_pkr(None) == "–"
    assert format_pkr_compact(926_040_000) == "PKR 926 M"
    assert format_pkr_compact(6_920_000_000) == "PKR 6.92 B"
    assert format_pkr_compact(999_600_000, prefix=False) == "1.00 B"
    assert format_pkr_exact(1_234_567_890.4) == "PKR 1,234,567,890"
    assert format_count(1234567) == "1,234,567"
    assert money_scale([10, 2_000_000, None]) is MILLIONS


def test_times_are_shown_in_pkt():
    from datetime import datetime

    from dashboard.formatting import format_pkt

    assert format_pkt(datetime(2025, 6, 30, 18, 45)) == "2025-06-30 23:45 PKT (UTC+5)"  # naive = UTC
    assert format_pkt("2025-06-30T18:45:12+00:00") == "2025-06-30 23:45 PKT (UTC+5)"
    assert format_pkt("2025-06-30T19:45:12Z") == "2025-07-01 00:45 PKT (UTC+5)"
    assert format_pkt(None) == "–"
