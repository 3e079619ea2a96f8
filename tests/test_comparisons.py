"""Comparisons that do not mislead (Overview and the shared period logic).

* Quick periods end where the data ends (the source watermark), not at today; "Whole
  period" stops at today and reports the future-dated cases apart.
* A period still filling up is compared with the year before *as it stood at the same lag*
  (only its cases entered by the same point), in one data-layer function,
  :func:`dashboard.data.comparison_kpis`.
* The backlog is compared as the share of cases still pending 90 days after seizure.
* The monthly chart marks how complete the recent months probably are.

The AppTest tests run on the ``published_settings`` fixture (generated as of 2026-11-01, so
its data ends on 31 Oct 2026) and check every figure against SQL written here, on the
snapshot itself.
"""

from __future__ import annotations

import json
import shutil
from datetime import date, datetime, timedelta

import duckdb
import pandas as pd
import pytest

from antismuggling.config import load_settings
from antismuggling.publish import POINTER_NAME, current_snapshot_path
from apptest_helpers import assert_clean, count, open_app, snapshot_scalar, snapshot_sql, texts

PENDING = "('SEIZED', 'SCN_ISSUED')"


# --------------------------------------------------------------------------- quick periods (units)


def _options(watermark: date | None, *, max_date: date = date(2206, 7, 14), default_end: date = date(2026, 10, 31)):
    from dashboard.data import FilterOptions

    return FilterOptions(
        min_date=date(2017, 7, 1),
        max_date=max_date,
        formations=("CE-QTA",),
        formation_labels={"CE-QTA": "CE-QTA"},
        default_end=default_end,
        n_cases_after_today=1 if max_date > date(2026, 12, 1) else 0,
        watermark=watermark,
        watermark_at=None if watermark is None else datetime.combine(watermark, datetime.max.time()),
    )


def test_quick_periods_end_at_the_watermark_not_today():
    from dashboard.filters import preset_period

    options = _options(date(2026, 10, 31))  # on 1 Dec 2026 the store's data ends on 31 Oct
    today = date(2026, 12, 1)
    assert preset_period("Last full month", options, today) == (date(2026, 10, 1), date(2026, 10, 31))
    assert preset_period("Last 3 full months", options, today) == (date(2026, 8, 1), date(2026, 10, 31))
    assert preset_period("Last 12 full months", options, today) == (date(2025, 11, 1), date(2026, 10, 31))
    assert preset_period("Year to date", options, today) == (date(2026, 1, 1), date(2026, 10, 31))


def test_a_month_the_data_ends_in_is_not_full():
    from dashboard.filters import preset_period

    options = _options(date(2026, 10, 15), default_end=date(2026, 10, 15))
    today = date(2026, 12, 1)
    assert preset_period("Last full month", options, today) == (date(2026, 9, 1), date(2026, 9, 30))
    assert preset_period("Last 12 full months", options, today) == (date(2025, 10, 1), date(2026, 9, 30))
    assert preset_period("Year to date", options, today) == (date(2026, 1, 1), date(2026, 10, 15))


def test_quick_periods_never_end_after_today_nor_at_a_mistyped_date():
    from dashboard.filters import preset_period

    # a watermark ahead of today (a clock ahead) is cut at today
    assert preset_period("Year to date", _options(date(2026, 12, 20)), date(2026, 12, 1))[1] == date(2026, 12, 1)
    # no watermark in the snapshot: the last seizure not after today, never the 2206 typo
    assert preset_period("Last 12 full months", _options(None), date(2026, 12, 1)) == (date(2025, 11, 1), date(2026, 10, 31))


def test_whole_period_is_the_default_period():
    from dashboard.filters import default_period, preset_period

    options = _options(date(2026, 10, 31))  # a case typed 14/07/2206 is the latest seizure date
    assert preset_period("Whole period", options, date(2026, 12, 1)) == default_period(options)
    assert default_period(options) == (date(2017, 7, 1), date(2026, 10, 31))


def test_a_february_compares_with_the_whole_february_a_year_before():
    from dashboard.formatting import period_year_earlier

    assert period_year_earlier(date(2025, 2, 1), date(2025, 2, 28)) == (date(2024, 2, 1), date(2024, 2, 29))
    assert period_year_earlier(date(2024, 3, 1), date(2025, 2, 28)) == (date(2023, 3, 1), date(2024, 2, 29))
    assert period_year_earlier(date(2024, 2, 1), date(2024, 2, 29)) == (date(2023, 2, 1), date(2023, 2, 28))
    assert period_year_earlier(date(2025, 1, 5), date(2025, 2, 20)) == (date(2024, 1, 5), date(2024, 2, 20))


def test_no_year_before_comparison_before_the_data_starts():
    from dashboard import filters

    options = _options(date(2026, 10, 31))
    first = options.min_date
    assert filters.year_before_in_data(first.replace(year=first.year + 1, day=1), options)
    assert not filters.year_before_in_data(first.replace(year=first.year + 1, day=1) - timedelta(days=1), options)


def test_commodity_comparison_stops_at_the_last_full_month_of_data(published_settings):
    from dashboard import data

    snapshot = data.current_snapshot(data.Scope())
    with data.page_run(snapshot):
        _, last_day = data.data_watermark(snapshot)
        _, compare_to = data.hs_comparison_months(snapshot, None, date.today())
    last_full = last_day.replace(day=1) if (last_day + timedelta(days=1)).day == 1 else (
        last_day.replace(day=1) - timedelta(days=1)).replace(day=1)
    assert compare_to == last_full


# --------------------------------------------------------------------------- on the published fixture


def _watermark(settings) -> tuple[datetime, date]:
    """The source watermark (UTC) and the last Pakistan day it wholly covers, from the snapshot."""
    details = snapshot_scalar(settings, "select details::varchar from meta.publish_info order by published_at desc limit 1")
    instant = datetime.fromisoformat(json.loads(details)["source_watermark"])
    last_day = (instant + timedelta(hours=5, seconds=1)).date() - timedelta(days=1)
    return instant, last_day


def _pick(at, preset: str):
    at.selectbox(key="overview_quick_period").select(preset).run()
    assert_clean(at)
    return at.date_input(key="overview_period").value


def _tile(at, label: str):
    tiles = [m for m in at.metric if m.label == label]
    assert len(tiles) == 1, [m.label for m in at.metric]
    return tiles[0]


def test_overview_quick_periods_end_where_the_data_ends(published_settings):
    _, last_day = _watermark(published_settings)
    assert last_day == date(2026, 10, 31)  # generated as of 1 Nov 2026 (00:00 UTC)
    at = open_app("dg")
    assert "Data up to 31 Oct 2026 (the latest day the store has records for)." in texts(at.caption)
    for preset in ("Last full month", "Last 3 full months", "Last 12 full months", "Year to date"):
        assert _pick(at, preset)[1] == last_day, preset
    assert _pick(at, "Last 12 full months") == (date(2025, 11, 1), date(2026, 10, 31))
    assert _pick(at, "Year to date") == (date(2026, 1, 1), date(2026, 10, 31))


def test_live_cases_change_is_like_for_like(published_settings):
    instant, last_day = _watermark(published_settings)
    at = open_app("dg")
    start, end = _pick(at, "Last 12 full months")
    prev_start, prev_end = date(start.year - 1, start.month, start.day), date(end.year - 1, end.month, end.day)
    # the year before as it stood at the same lag: cases entered no later than its end plus
    # as many days as this period's data runs past its end
    lag = (last_day - end).days
    cutoff_day = prev_end + timedelta(days=lag)
    cutoff = instant - (last_day - cutoff_day)  # the watermark's time of day, a year back
    cases = snapshot_scalar(
        published_settings, "select count(*) from marts.fct_cases where seizure_date between ? and ?", [start, end]
    )
    before = snapshot_scalar(
        published_settings,
        "select count(*) from marts.fct_cases where seizure_date between ? and ? "
        "and (created_at_utc is null or created_at_utc <= ?)",
        [prev_start, prev_end, cutoff],
    )
    before_as_of_now = snapshot_scalar(
        published_settings, "select count(*) from marts.fct_cases where seizure_date between ? and ?", [prev_start, prev_end]
    )
    assert 0 < before < before_as_of_now  # the year before had more time to be entered
    tile = _tile(at, "Live cases")
    assert count(tile.value) == cases
    assert tile.delta == f"{100 * (cases - before) / before:+.1f}%"
    assert "as it stood on 31 Oct 2025 (only the cases entered by then)" in tile.help
    assert "same stage of entry" in tile.help
    assert "as it stood on 31 Oct 2025" in texts(at.caption)


def test_backlog_change_is_the_share_pending_at_90_days(published_settings):
    instant, last_day = _watermark(published_settings)
    at = open_app("dg")
    start, end = _pick(at, "Last 12 full months")
    prev_start, prev_end = date(start.year - 1, start.month, start.day), date(end.year - 1, end.month, end.day)
    shift = end - prev_end

    def share(first: date, last: date, as_of: date, known_at: datetime | None) -> float:
        known = "true" if known_at is None else "(created_at_utc is null or created_at_utc <= ?)"
        measured, pending = snapshot_sql(
            published_settings,
            f"""
            select count(*) filter (where seizure_date + 90 <= ? and (adjudicated_on is not null or status in {PENDING})),
                   count(*) filter (where seizure_date + 90 <= ? and (
                       (adjudicated_on is null and status in {PENDING}) or adjudicated_on > seizure_date + 90))
            from marts.fct_cases
            where seizure_date between ? and ? and {known}
            """,
            [as_of, as_of, first, last, *([] if known_at is None else [known_at])],
        ).iloc[0]
        assert measured > 0
        return pending / measured

    now = share(start, end, last_day, None)
    before = share(prev_start, prev_end, last_day - shift, instant - shift)
    tile = _tile(at, "Backlog")
    backlog = snapshot_scalar(
        published_settings,
        "select sum(n_pending_adjudication) from marts.mart_formation_accountability where seizure_month between ? and ?",
        [start, end],
    )
    assert count(tile.value) == backlog  # the count now: not compared with a year before
    assert tile.delta == f"{100 * (now - before):+.1f} pts at 90 days"
    assert "still pending 90 days after their seizure" in tile.help
    assert f"{100 * now:.1f}% still pending 90 days after seizure ({100 * before:.1f}% a year before)" in texts(at.caption)


def _expected_completeness(settings, month: date, first: date, last_day: date) -> float:
    """The month's probable completeness on ``last_day``, computed here with pandas: the mean
    over its days of the share of reference cases entered within that many days."""
    ref_end = last_day - timedelta(days=365)
    lags = snapshot_sql(
        settings,
        "select greatest(upload_lag_days, 0) as lag from marts.fct_cases "
        "where seizure_date between ? and ? and upload_lag_days <= 365",
        [ref_end - timedelta(days=3 * 365), ref_end],
    )["lag"].to_numpy()
    assert len(lags) >= 100
    days = pd.date_range(max(first, month), min(last_day, (pd.Timestamp(month) + pd.offsets.MonthEnd(0)).date()))
    return float(sum((lags <= (last_day - d.date()).days).mean() for d in days) / len(days))


def test_monthly_chart_marks_the_months_still_filling_up(published_settings):
    from dashboard.views.overview import MARK_BELOW

    _, last_day = _watermark(published_settings)
    at = open_app("dg")
    start, end = _pick(at, "Last 12 full months")
    chart = json.loads(at.get("plotly_chart")[0].proto.spec)["data"][0]
    months = [pd.Timestamp(x).date() for x in chart["x"]]
    labels = [text.replace("<br>", " ") for text in chart["text"]]  # two lines over the bar
    opacity = chart["marker"]["opacity"]
    assert months[-1] == date(2026, 10, 1)
    expected = _expected_completeness(published_settings, months[-1], start, last_day)
    assert expected < MARK_BELOW  # the last month is still filling up
    assert labels[-1] == f"≈{100 * expected:.0f} % entered"
    assert opacity[-1] < 1 and chart["marker"]["pattern"]["shape"][-1]
    assert chart["customdata"][-1] == f"<br>probably {labels[-1]} so far"  # and on hover
    assert labels[0] == "" and opacity[0] == 1  # a year old: complete
    for month, label in zip(months, labels, strict=True):
        if label:
            assert label == f"≈{100 * _expected_completeness(published_settings, month, start, last_day):.0f} % entered"
    assert "Paler, hatched bars: months still filling up" in texts(at.caption)
    value_chart = json.loads(at.get("plotly_chart")[1].proto.spec)
    assert any(a.get("text") == "still being entered" for a in value_chart["layout"].get("annotations", []))


@pytest.fixture
def future_dated(published_settings, tmp_path, monkeypatch):
    """A published copy of the snapshot where one case is dated 14 Jul 2206 (a mistyped year
    a snapshot may still hold); yields its settings."""
    home = tmp_path / "home"
    (home / "published").mkdir(parents=True)
    source = current_snapshot_path(published_settings)
    shutil.copy(source, home / "published" / source.name)
    (home / "published" / POINTER_NAME).write_text(source.name)
    con = duckdb.connect(str(home / "published" / source.name))
    try:
        con.execute(
            "update marts.fct_cases set seizure_date = date '2206-07-14', seizure_month = date '2206-07-01' "
            "where case_id = (select max(case_id) from marts.fct_cases where seizure_date is not null)"
        )
    finally:
        con.close()
    monkeypatch.setenv("ANTISMUGGLING_HOME", str(home))
    return load_settings()


def test_whole_period_stops_at_today_and_reports_future_dates_apart(future_dated):
    today_sql = "cast((now() at time zone 'UTC') + interval 5 hour as date)"
    at = open_app("dg")
    start, end = _pick(at, "Whole period")
    assert end <= date.today() + timedelta(days=1)
    assert (start, end) == (
        snapshot_scalar(future_dated, "select min(seizure_date) from marts.fct_cases"),
        snapshot_scalar(future_dated, f"select max(seizure_date) from marts.fct_cases where seizure_date <= {today_sql}"),
    )
    assert count(_tile(at, "Live cases").value) == snapshot_scalar(
        future_dated, f"select count(*) from marts.fct_cases where seizure_date <= {today_sql}"
    )
    assert "1 case(s) dated after today (up to 14 Jul 2206), probably mistyped, are outside this period" in texts(at.caption)
    assert "compare each figure" in texts(at.caption)  # the whole period: nothing to compare with


def test_comparison_kpis_is_the_one_like_for_like_function(published_settings):
    """The data-layer function the pages share: its figures and dates."""
    from dashboard import data

    instant, last_day = _watermark(published_settings)
    snapshot = data.current_snapshot(data.Scope())
    with data.page_run(snapshot):
        cmp = data.comparison_kpis(snapshot, date(2026, 1, 1), date(2026, 6, 30), ())
    assert (cmp.previous_start, cmp.previous_end) == (date(2025, 1, 1), date(2025, 6, 30))
    assert (cmp.as_of, cmp.known_at) == (last_day, instant)
    assert cmp.lag_days == (last_day - date(2026, 6, 30)).days
    assert cmp.previous_as_of == date(2025, 6, 30) + timedelta(days=cmp.lag_days)
    assert cmp.previous_known_at == instant - timedelta(days=365)
    assert cmp.like_for_like
    before = snapshot_scalar(
        published_settings,
        "select count(*) from marts.fct_cases where seizure_date between date '2025-01-01' and date '2025-06-30' "
        "and (created_at_utc is null or created_at_utc <= ?)",
        [instant - timedelta(days=365)],
    )
    assert cmp.previous["n_cases"] == before
    assert cmp.change_pct("n_cases") == pytest.approx(100 * (cmp.current["n_cases"] - before) / before)
