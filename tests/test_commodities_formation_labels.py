"""Commodities that agree with themselves, formation yardsticks, and labels that tell things
apart: AppTest pages over marts published by the real pipeline (``published_settings``), and
the data-layer functions behind them.

* Commodities at subheading level: the table, the tiles and their captions compare the same
  months with a year before, and the treemap shows the subheading among its siblings (no
  lone box labelled with its share of the heading; one outline width, which Plotly's path
  bar needs to draw without "NaN" paths).
* Formation accountability: each measure with its rank among all formations and the
  national median (withheld from a formation officer), and its change on the year before
  like for like (the year before as it stood at the same upload lag).
* Labels: formation names tell CE-PSH from II-PSH; one money unit per table.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta

import pandas as pd
import pytest

from apptest_helpers import assert_clean, count, open_app, snapshot_scalar, snapshot_sql, texts
from dashboard import data
from dashboard.formatting import (
    format_change_pct,
    format_count,
    format_pkr_compact,
    format_rate,
    money_scale,
    months_back,
    pct_change,
)

UNIT = re.compile(r"\(PKR(?: ([MB]))?\)")


def _metric(at, label: str):
    tiles = [m for m in at.metric if m.label == label]
    assert len(tiles) == 1, [m.label for m in at.metric]
    return tiles[0]


def _labels(frame) -> dict[str, str]:
    """Column -> heading shown, from a rendered st.dataframe's column configuration."""
    config = json.loads(frame.proto.columns or "{}")
    return {column: spec.get("label", column) for column, spec in config.items()}


def _units(frame) -> set[str]:
    return {m.group(1) or "" for label in _labels(frame).values() if (m := UNIT.search(label))}


def _watermark(settings) -> tuple[datetime, date]:
    details = snapshot_scalar(settings, "select details::varchar from meta.publish_info order by published_at desc limit 1")
    instant = datetime.fromisoformat(json.loads(details)["source_watermark"])
    last_day = (instant + timedelta(hours=5, seconds=1)).date() - timedelta(days=1)
    return instant, last_day


# --------------------------------------------------------------------------- labels


def test_formation_short_names_tell_formations_of_one_city_apart():
    enforcement = data.formation_short_name("Collectorate of Customs Enforcement, Peshawar")
    intelligence = data.formation_short_name("Directorate of Customs Intelligence & Investigation, Peshawar")
    assert (enforcement, intelligence) == ("Peshawar (Enforcement)", "Peshawar (I&I)")
    assert data.formation_short_name("Collectorate of Customs Enforcement, Dera Ismail Khan") == "D.I. Khan (Enforcement)"
    assert data.formation_short_name("Peshawar") == "Peshawar"
    assert data.formation_short_name(None) == ""
    # two that would read the same keep their full names; the same full name gets its code
    names = data.formation_short_names(
        {
            "A": "Collectorate of Customs Enforcement, Quetta",
            "B": "Model Collectorate of Customs Enforcement, Quetta",
            "C": "Directorate of Customs Intelligence & Investigation, Quetta",
            "D": "Directorate of Customs Intelligence & Investigation, Quetta",
            "E": None,
        }
    )
    assert names["A"] == "Collectorate of Customs Enforcement, Quetta"
    assert names["B"] == "Model Collectorate of Customs Enforcement, Quetta"
    assert names["C"].endswith("(C)") and names["D"].endswith("(D)")
    assert names["E"] == "E"
    assert len(set(names.values())) == len(names)


def test_league_table_and_pickers_tell_ce_psh_from_ii_psh(published_settings):
    names = snapshot_sql(
        published_settings, "select formation_code, any_value(formation_name) as name from marts.fct_cases group by 1"
    )
    assert {"CE-PSH", "II-PSH"} <= set(names["formation_code"]), "the demo store should have both Peshawar formations"
    at = open_app("dg")
    league = next(d for d in at.dataframe if d.value is not None and "Name" in d.value.columns)
    table = league.value.set_index("Formation")["Name"]
    assert table["CE-PSH"] == "Peshawar (Enforcement)"
    assert table["II-PSH"] == "Peshawar (I&I)"
    assert table.is_unique, table[table.duplicated(keep=False)]
    # the Name column is as wide as its longest name (a fixed "small" width cut them off)
    from dashboard import ui

    assert json.loads(league.proto.columns)["Name"]["width"] >= ui.text_px(max(table, key=ui.text_px)) + 16
    # the formation pickers: every option reads differently, CE-PSH and II-PSH by name too
    at.switch_page("views/formation.py").run()
    assert_clean(at)
    picker = at.selectbox(key="formation_unit")
    shown = list(picker.options)  # as the picker writes them
    assert len(set(shown)) == len(shown)
    assert any("Peshawar (Enforcement)" in s for s in shown) and any("Peshawar (I&I)" in s for s in shown)
    # the full name is still given under the picker
    full = names.set_index("formation_code")["name"]
    code = picker.value
    assert f"{code} · {full[code]}" in texts(at.caption)


def test_officer_tables_use_one_money_unit(published_settings):
    officer = int(
        snapshot_scalar(
            published_settings,
            "select officer_id from marts.fct_officer_case_credits group by 1 order by count(*) desc, 1 limit 1",
        )
    )
    at = open_app("dg", query_params={"officer": str(officer)}, page="officers")
    tables = [d for d in at.dataframe if d.value is not None]
    assert len(tables) == 2  # every officer, and the chosen officer's cases
    for frame in tables:
        units = _units(frame)
        assert len(units) == 1, (list(frame.value.columns), units)
    everyone, cases = tables
    # the unit follows each table's largest amount, in every money column of that table
    expected = money_scale(
        snapshot_sql(
            published_settings,
            "select credited_value_pkr as v from marts.fct_officer_case_credits where officer_id = ? "
            "union all select c.total_value_pkr from marts.fct_officer_case_credits k "
            "join marts.fct_cases c using (case_id) where k.officer_id = ?",
            [officer, officer],
        )["v"].astype(float)
    )
    assert _units(cases) == {expected.suffix}
    labels = _labels(cases)
    assert labels["Case value"] == f"Case value ({expected.short_label})"
    assert labels["Credited value"] == f"Credited ({expected.short_label})"
    # the officer's tiles span the page: the credited value's label is whole
    assert _metric(at, "Credited (PKR)").value
    assert "Formations" in everyone.value.columns
    assert everyone.value["Formations"].str.fullmatch(r"[A-Z]{2}-[A-Z]{3}( \+\d+)?").all()


def test_ui_table_money_scale_takes_the_largest_of_every_column():
    from dashboard import ui

    scale = ui.table_money_scale(pd.Series([5e5, None]), pd.Series([2.5e9]), pd.Series([], dtype=float))
    assert scale.suffix == "B"
    assert ui.table_money_scale(pd.Series([12.0, float("nan")])).suffix == ""


# --------------------------------------------------------------------------- commodities


def _busiest_subheading(settings) -> tuple[str, str]:
    code = snapshot_scalar(
        settings,
        "select hs_code from marts.mart_hs_trends where hs_level = 'subheading' group by 1 "
        "order by sum(value_pkr) desc, 1 limit 1",
    )
    return code, code[:4]


def _children(at):
    return next(d for d in at.dataframe if d.value is not None and "Code" in d.value.columns)


def _treemap(at) -> dict:
    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        for trace in spec.get("data", []):
            if trace.get("type") == "treemap":
                return trace
    raise AssertionError("no treemap drawn")


def test_commodities_subheading_text_tiles_and_chart_agree(published_settings):
    subheading, heading = _busiest_subheading(published_settings)
    at = open_app("dg", query_params={"hs": subheading}, page="commodities")
    assert at.selectbox(key="commodities_subheading").value == subheading
    # the table lists the subheadings of its heading, as the treemap draws them
    assert f"Subheadings under heading {heading}" in texts(at.markdown)
    frame = _children(at)
    rows = frame.value.set_index("Code")
    assert subheading in rows.index and all(str(c).startswith(heading) for c in rows.index)
    # the default period starts with the data: the first year has no year before, so the
    # comparison covers the months that do, and table, tiles and captions all say so
    first_month = snapshot_scalar(published_settings, "select min(seizure_month) from marts.fct_cases")
    compare_from = months_back(first_month, -12)
    captions = texts(at.caption)
    assert "No comparison with a year before" not in captions
    assert captions.count("against the same months a year earlier") == 2  # under the table and the tiles
    row = rows.loc[subheading]
    compared = snapshot_scalar(
        published_settings,
        "select sum(value_pkr) from marts.mart_hs_trends where hs_level = 'subheading' and hs_code = ? "
        "and seizure_month >= ? and seizure_month <= ?",
        [subheading, compare_from, date(2026, 10, 1)],
    )
    last_year = snapshot_scalar(
        published_settings,
        "select coalesce(sum(value_pkr), 0) from marts.mart_hs_trends where hs_level = 'subheading' and hs_code = ? "
        "and seizure_month >= ? and seizure_month <= ?",
        [subheading, first_month, date(2025, 10, 1)],
    )
    unit = {"": 1.0, "M": 1e6, "B": 1e9}[next(iter(_units(frame)))]  # the table holds scaled amounts
    assert row["Compared"] * unit == pytest.approx(float(compared), rel=1e-9)
    assert row["A year before"] * unit == pytest.approx(float(last_year), rel=1e-9)
    assert row["Change"] == pytest.approx(pct_change(float(compared), float(last_year)))
    assert _metric(at, "A year before (PKR)").value == format_pkr_compact(float(last_year), prefix=False)
    assert _metric(at, "Change on a year before").value == format_change_pct(pct_change(float(compared), float(last_year)))
    # the treemap starts at the heading, the subheading outlined among its siblings; the
    # starting box carries no percentage; one outline width (a list of widths made Plotly's
    # path bar draw "NaN" paths)
    tree = _treemap(at)
    assert tree["level"] == f"heading:{heading}"
    assert isinstance(tree["marker"]["line"]["width"], (int, float))
    templates = dict(zip(tree["ids"], tree["texttemplate"], strict=True))
    assert "percent" not in templates[f"heading:{heading}"]
    assert "percentParent" in templates[f"subheading:{subheading}"]
    outline = dict(zip(tree["ids"], tree["marker"]["line"]["color"], strict=True))
    assert outline[f"subheading:{subheading}"] != "#ffffff"
    # the share is of the heading, as the treemap's percentage: the heading-only remainder counts
    heading_value = snapshot_scalar(
        published_settings,
        "select sum(value_pkr) from marts.mart_hs_trends where hs_level = 'heading' and hs_code = ? "
        "and seizure_month <= date '2026-10-01'",
        [heading],
    )
    assert row["Share"] == pytest.approx(100 * row["Value"] * unit / float(heading_value), rel=1e-6)


def test_commodities_without_a_year_before_say_so_everywhere(published_settings):
    first_day = snapshot_scalar(published_settings, "select min(seizure_date) from marts.fct_cases")
    subheading = snapshot_scalar(  # seized in the data's first months, which have no year before
        published_settings,
        "select hs_code from marts.mart_hs_trends where hs_level = 'subheading' and seizure_month <= ? "
        "group by 1 order by sum(value_pkr) desc, 1 limit 1",
        [first_day + timedelta(days=120)],
    )
    at = open_app("dg", query_params={"hs": subheading}, page="commodities")
    at.date_input(key="commodities_period").set_value((first_day, first_day + timedelta(days=150))).run()
    assert_clean(at)
    frame = _children(at)
    assert not {"A year before", "Change", "Compared"} & set(frame.value.columns)
    assert "No comparison with a year before" in texts(at.caption)
    assert _metric(at, "A year before (PKR)").value == "–"
    assert _metric(at, "Change on a year before").value == "–"


def test_hs_totals_compare_the_months_that_have_a_year_before(published_settings):
    snapshot = data.current_snapshot(data.Scope())
    with data.page_run(snapshot):
        first, last = data.hs_comparison_months(snapshot, date(2025, 11, 1), date(2026, 10, 31))
        totals = data.hs_totals(snapshot, date(2025, 11, 1), date(2026, 10, 31), ())
    assert (first, last) == (date(2025, 11, 1), date(2026, 10, 1))  # every month compares
    chapters = totals[totals["hs_level"] == "chapter"]
    assert (chapters["value_pkr_compared"] == chapters["value_pkr"]).all()
    expected = snapshot_scalar(
        published_settings,
        "select sum(value_pkr) from marts.mart_hs_trends where hs_level = 'chapter' "
        "and seizure_month between date '2024-11-01' and date '2025-10-01'",
    )
    assert chapters["value_pkr_last_year"].sum() == pytest.approx(float(expected))


# --------------------------------------------------------------------------- formation yardsticks


def _ordinal(n: int) -> str:
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def _tile_caption(at, text: str) -> str:
    matches = [c.value for c in at.caption if text in c.value]
    assert matches, texts(at.caption)
    return matches[0]


def test_formation_yardsticks_rank_median_and_like_for_like_change(published_settings):
    instant, last_day = _watermark(published_settings)
    code = snapshot_scalar(
        published_settings, "select formation_code from marts.fct_cases group by 1 order by count(*) desc, 1 limit 1"
    )
    at = open_app("dg", query_params={"unit": code}, page="formation")
    start, end = date(2025, 11, 1), date(2026, 10, 31)
    at.date_input(key="formation_period").set_value((start, end)).run()
    assert_clean(at)
    per_formation = snapshot_sql(
        published_settings,
        "select formation_code, sum(n_cases) as n_cases, sum(n_confiscated) / nullif(sum(n_adjudicated), 0) as rate, "
        "sum(n_pending_adjudication) / sum(n_cases) as backlog_share "
        "from marts.mart_formation_accountability where seizure_month between ? and ? group by 1",
        [start, date(2026, 10, 1)],
    ).set_index("formation_code")
    n = len(per_formation)
    cases = int(per_formation.loc[code, "n_cases"])
    rank = int((per_formation["n_cases"] > cases).sum()) + 1
    median = per_formation["n_cases"].median()
    caption = _tile_caption(at, "(most first)")
    assert f"{_ordinal(rank)} of {n} (most first)" in caption
    assert f"national median {format_count(median)}" in caption
    rate_rank = int((per_formation["rate"] > per_formation.loc[code, "rate"]).sum()) + 1
    assert f"{_ordinal(rate_rank)} of {n} (highest first)" in _tile_caption(at, "(highest first)")
    assert format_rate(per_formation["rate"].median()) in _tile_caption(at, "(highest first)")
    backlog = _tile_caption(at, "(smallest share first)")
    assert format_rate(per_formation["backlog_share"].median()) in backlog

    # the change is like for like: the year before's cases as entered by the same lag
    before = snapshot_scalar(
        published_settings,
        "select count(*) from marts.fct_cases where formation_code = ? and seizure_date between ? and ? "
        "and (created_at_utc is null or created_at_utc <= ?)",
        [code, date(2024, 11, 1), date(2025, 10, 31), instant - timedelta(days=365)],
    )
    tile = _metric(at, "Cases")
    assert count(tile.value) == cases
    assert tile.delta == format_change_pct(100 * (cases - before) / before)
    assert "as it stood on 31 Oct 2025" in tile.help
    late_now = snapshot_sql(
        published_settings,
        "select count(*) filter (where upload_lag_days > 7) / count(*) as s from marts.fct_cases "
        "where formation_code = ? and seizure_date between ? and ?",
        [code, start, end],
    )["s"].iloc[0]
    late_before = snapshot_sql(
        published_settings,
        "select count(*) filter (where upload_lag_days > 7) / count(*) as s from marts.fct_cases "
        "where formation_code = ? and seizure_date between ? and ? and (created_at_utc is null or created_at_utc <= ?)",
        [code, date(2024, 11, 1), date(2025, 10, 31), instant - timedelta(days=365)],
    )["s"].iloc[0]
    assert _metric(at, "Late uploads").delta == f"{100 * (late_now - late_before):+.1f} pts"
    assert _metric(at, "Backlog").delta.endswith("at 90 days")
    assert "Changes compare with 01 Nov 2024 – 31 Oct 2025 as it stood on 31 Oct 2025" in texts(at.caption)


def test_formation_officer_sees_no_national_yardsticks(published_settings):
    code = snapshot_scalar(
        published_settings, "select formation_code from marts.fct_cases group by 1 order by count(*) desc, 1 limit 1"
    )
    at = open_app("formation_officer", (code,), page="formation")
    assert_clean(at)
    shown = texts(at.caption)
    assert "Ranks and national medians are not shown for your role" in shown
    assert not re.search(r"national median \d|\d(st|nd|rd|th) of \d", shown), shown
    scoped = data.current_snapshot(data.Scope(formations=(code,)))
    with data.page_run(scoped):
        assert data.formation_standing(scoped, None, None).empty
    # a director general sees them over every formation
    everyone = data.current_snapshot(data.Scope())
    with data.page_run(everyone):
        standing = data.formation_standing(everyone, None, None)
    n = snapshot_scalar(published_settings, "select count(distinct formation_code) from marts.mart_formation_accountability")
    assert len(standing) == n and (standing["n_cases_n"] == n).all()
    assert standing["n_cases_rank"].min() == 1


def test_upload_lag_kpis_count_the_year_before_as_it_stood(published_settings):
    instant, _ = _watermark(published_settings)
    snapshot = data.current_snapshot(data.Scope())
    known_at = instant - timedelta(days=365)
    with data.page_run(snapshot):
        now = data.upload_lag_kpis(snapshot, date(2024, 11, 1), date(2025, 10, 31), ())
        then = data.upload_lag_kpis(snapshot, date(2024, 11, 1), date(2025, 10, 31), (), known_at)
    expected = snapshot_sql(
        published_settings,
        "select count(*) as n, count(*) filter (where upload_lag_days > 7) as late from marts.fct_cases "
        "where seizure_month between date '2024-11-01' and date '2025-10-01' "
        "and (created_at_utc is null or created_at_utc <= ?)",
        [known_at],
    ).iloc[0]
    assert (then["n_cases"], then["n_late"]) == (expected["n"], expected["late"])
    assert then["n_cases"] < now["n_cases"]  # cases entered since were not known then
    assert then["late_share"] < now["late_share"]  # and those entered late are the ones missing
