"""The Dagster code location loads, wires every layer, and its assets materialize."""

from __future__ import annotations

import re
import subprocess

import dagster as dg

from antismuggling.config import load_settings
from antismuggling.definitions import build_definitions
from antismuggling.store.generate import generate_store
from antismuggling.store.schema import TABLES


def test_definitions_cover_every_layer(home):
    defs = build_definitions(load_settings())
    keys = {key.to_user_string() for key in defs.resolve_all_asset_keys()}
    assert {f"raw/{table}" for table in TABLES} <= keys
    assert {"marts/fct_cases", "marts/fct_seizure_items", "marts/data_quality_issues", "published/marts"} <= keys
    job = defs.resolve_job_def("refresh")
    assert {"load_operational_store", "warehouse_models", "published__marts"} <= {n.name for n in job.nodes}
    assert defs.resolve_schedule_def("daily_refresh").cron_schedule == "0 2 * * *"
    graph = defs.resolve_asset_graph()
    # Lineage runs from the source tables through dbt to the publication.
    assert dg.AssetKey(["raw", "cases"]) in graph.get(dg.AssetKey(["staging", "stg_cases"])).parent_keys
    assert dg.AssetKey(["marts", "fct_cases"]) in graph.get(dg.AssetKey(["published", "marts"])).parent_keys


def test_raw_assets_materialize(home, tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'ops.db'}"
    monkeypatch.setenv("ANTISMUGGLING_OPS_URL", url)
    generate_store(url, 300, 11, progress=False)
    settings = load_settings()
    defs = build_definitions(settings)
    raw = defs.resolve_assets_def(dg.AssetKey(["raw", "cases"]))
    result = dg.materialize([raw], run_config={"ops": {"load_operational_store": {"config": {"full": True}}}})
    assert result.success
    materialized = {e.asset_key.to_user_string(): e for e in result.get_asset_materialization_events()}
    assert set(materialized) == {f"raw/{t}" for t in TABLES}
    cases = materialized["raw/cases"].materialization.metadata
    assert cases["mode"].value == "full" and cases["rows_total"].value > 300


def test_the_dbt_resource_knows_the_version_of_the_dbt_it_runs(home):
    """dagster-dbt is told the dbt version instead of probing it on every build: what it is
    told must be what the executable it runs reports."""
    dbt = build_definitions(load_settings()).resources["dbt"]
    reported = subprocess.check_output([dbt.dbt_executable, "--version"], text=True)
    installed = re.search(r"installed:\s*(\d+\.\d+\.\d+)", reported).group(1)
    assert str(dbt._cli_version) == installed
