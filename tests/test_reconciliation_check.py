"""Reconciliation: source live rows = mart rows + quarantined rows, values to the paisa."""

from __future__ import annotations

import shutil
from decimal import Decimal

import dagster as dg
import duckdb
import pytest
from antismuggling.config import Settings
from antismuggling.defs.assets.publish import PUBLISHED_KEY
from antismuggling.defs.checks import RECONCILIATION_CHECK, connect_read_only, reconciliation_check
from antismuggling.defs.resources import WarehouseResource
from antismuggling.publish import POINTER_NAME, connect_published, current_snapshot_path
from antismuggling.quality.reconciliation import reconcile
from antismuggling.store.urls import parse_store_url
from reconcile import source_figures_sqlite


def run_reconciliation(settings: Settings):
    raw = connect_read_only(settings.warehouse_path)
    marts = connect_published(settings)
    try:
        return reconcile(raw, marts)
    finally:
        raw.close()
        marts.close()


def run_check(settings: Settings) -> dg.AssetCheckEvaluation:
    """The asset check itself, executed by Dagster against ``settings``."""
    defs = dg.Definitions(
        assets=[dg.AssetSpec(PUBLISHED_KEY)],
        asset_checks=[reconciliation_check],
        resources={"warehouse": WarehouseResource.from_settings(settings)},
        jobs=[dg.define_asset_job("reconcile_only", selection=dg.AssetSelection.checks(reconciliation_check))],
    )
    result = defs.resolve_job_def("reconcile_only").execute_in_process(instance=dg.DagsterInstance.ephemeral())
    (evaluation,) = result.get_asset_check_evaluations()
    return evaluation


@pytest.fixture
def copied(published_settings, tmp_path) -> Settings:
    """A private copy of the published warehouse and snapshot, to tamper with."""
    source = published_settings
    settings = Settings(home=tmp_path / "home", ops_url=source.ops_url)
    settings.ensure_dirs()
    shutil.copy(source.warehouse_path, settings.warehouse_path)
    snapshot = current_snapshot_path(source)
    shutil.copy(snapshot, settings.published_dir / snapshot.name)
    (settings.published_dir / POINTER_NAME).write_text(snapshot.name + "\n")
    return settings


def tamper(settings: Settings, sql: str) -> None:
    con = duckdb.connect(str(current_snapshot_path(settings)))
    try:
        con.execute(sql)
    finally:
        con.close()


def test_reconciles_on_a_generated_store(published_settings):
    result = run_reconciliation(published_settings)
    assert result.passed, result.problems
    counts = {c.table: c for c in result.counts}
    values = {v.name: v for v in result.values}
    # The source side agrees with a second, plain-Python reading of the store itself.
    figures = source_figures_sqlite(parse_store_url(published_settings.ops_url).path)
    assert counts["cases"].source_live == len(figures.live_case_ids)
    assert counts["seizure_items"].in_marts == len(figures.live_item_ids)
    assert counts["seizure_items"].quarantined == len(figures.orphan_item_ids) > 0
    assert values["goods_value"].source == figures.goods_value
    assert values["vehicle_value"].source == figures.vehicle_value
    assert values["total_value"].marts == figures.goods_value + figures.vehicle_value
    assert all(isinstance(v.source, Decimal) and isinstance(v.marts, Decimal) for v in result.values)
    assert {"cases", "seizure_items", "case_vehicles", "case_persons"} <= set(counts)
    assert counts["case_persons"].quarantined > 0 and counts["case_vehicles"].quarantined > 0


def test_the_asset_check_passes(published_settings):
    evaluation = run_check(published_settings)
    assert evaluation.passed and evaluation.check_name == RECONCILIATION_CHECK
    metadata = evaluation.metadata
    assert metadata["cases_difference"].value == 0
    assert metadata["total_value_difference_pkr"].value == "0.00"
    assert metadata["snapshot"].value == current_snapshot_path(published_settings).name


def test_fails_when_a_published_case_is_deleted(copied):
    con = connect_published(copied)
    case_id, total, goods, vehicles = con.execute(
        "select case_id, total_value_pkr, goods_value_pkr, vehicle_value_pkr from marts.fct_cases "
        "where goods_value_pkr > 0 and vehicle_value_pkr > 0 order by case_id limit 1"
    ).fetchone()
    con.close()
    tamper(copied, f"delete from marts.fct_cases where case_id = {case_id}")

    result = run_reconciliation(copied)
    assert not result.passed
    counts = {c.table: c for c in result.counts}
    values = {v.name: v for v in result.values}
    assert counts["cases"].difference == 1
    assert counts["seizure_items"].ok  # the items mart is untouched
    assert values["total_value"].difference == total
    assert values["goods_value"].difference == goods and values["vehicle_value"].difference == vehicles
    assert values["item_value"].ok
    assert any(p.startswith("cases:") for p in result.problems)

    evaluation = run_check(copied)
    assert not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.ERROR
    assert evaluation.metadata["cases_difference"].value == 1
    assert evaluation.metadata["total_value_difference_pkr"].value == str(total)


def test_fails_on_a_single_paisa(copied):
    tamper(copied, "update marts.fct_cases set total_value_pkr = total_value_pkr + 0.01 "
                   "where case_id = (select min(case_id) from marts.fct_cases)")
    result = run_reconciliation(copied)
    assert all(c.ok for c in result.counts)
    assert [v.name for v in result.values if not v.ok] == ["total_value"]
    assert next(v for v in result.values if v.name == "total_value").difference == Decimal("-0.01")


def test_fails_when_a_quarantined_row_goes_missing(copied):
    tamper(copied, "delete from marts.data_quality_issues where source_table = 'seizure_items' and "
                   "severity = 'quarantined' and source_pk = (select min(source_pk) from marts.data_quality_issues "
                   "where source_table = 'seizure_items' and severity = 'quarantined')")
    result = run_reconciliation(copied)
    assert [c.table for c in result.counts if not c.ok] == ["seizure_items"]
    assert next(c for c in result.counts if c.table == "seizure_items").difference == 1
