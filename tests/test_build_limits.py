"""The build stays within its memory: every DuckDB connection of the build (the load's and
the checks' in the pipeline's process, dbt's) runs under the build's memory limit
(``ANTISMUGGLING_BUILD_MEMORY_LIMIT``) and spills beside the build database beyond it."""

from __future__ import annotations

import duckdb

from antismuggling.config import BUILD_MEMORY_LIMIT_ENV, CHECK_MEMORY_LIMIT_ENV, build_temp_dir, load_settings
from antismuggling.defs.checks import connect_read_only
from antismuggling.defs.project import dbt_warehouse_environment
from antismuggling.ingest import connect_warehouse
from antismuggling.publish import POINTER_NAME, connect_published
from dbt_helpers import make_warehouse, run_dbt

SETTINGS_SQL = "select current_setting('memory_limit') as memory_limit, current_setting('temp_directory') as temp_directory"


def test_the_pipelines_connections_take_the_builds_limit(tmp_path, monkeypatch):
    monkeypatch.setenv("ANTISMUGGLING_HOME", str(tmp_path / "home"))
    monkeypatch.setenv(BUILD_MEMORY_LIMIT_ENV, "700MB")
    monkeypatch.setenv(CHECK_MEMORY_LIMIT_ENV, "300MB")
    settings = load_settings()
    assert (settings.build_memory_limit, settings.check_memory_limit) == ("700MB", "300MB")
    assert dbt_warehouse_environment(settings.warehouse_path, settings.build_memory_limit)[BUILD_MEMORY_LIMIT_ENV] == "700MB"
    expected = ("667.5 MiB", str(build_temp_dir(settings.warehouse_path)))
    con = connect_warehouse(settings.warehouse_path)
    try:
        assert con.execute(SETTINGS_SQL).fetchone() == expected
    finally:
        con.close()
    # the suites' own limit (their batches wait in DuckDB), spilling where the build does
    con = connect_read_only(settings.warehouse_path, settings.check_memory_limit)
    try:
        assert con.execute(SETTINGS_SQL).fetchone() == ("286.1 MiB", expected[1])
    finally:
        con.close()


def test_the_reconciliation_reads_the_snapshot_under_the_checks_limit(tmp_path, monkeypatch):
    monkeypatch.setenv("ANTISMUGGLING_HOME", str(tmp_path / "home"))
    monkeypatch.setenv(CHECK_MEMORY_LIMIT_ENV, "300MB")
    settings = load_settings()
    settings.published_dir.mkdir(parents=True)
    duckdb.connect(str(settings.published_dir / "snapshot-1.duckdb")).close()
    (settings.published_dir / POINTER_NAME).write_text("snapshot-1.duckdb\n")
    con = connect_published(settings)
    try:
        assert con.execute(SETTINGS_SQL).fetchone() == ("286.1 MiB", str(build_temp_dir(settings.warehouse_path)))
    finally:
        con.close()


def test_dbt_builds_under_the_builds_limit(tmp_path):
    warehouse = make_warehouse(tmp_path, {})
    result = run_dbt(warehouse, ["show", "--inline", SETTINGS_SQL], memory_limit="700MB")
    row = result.result.results[0].agate_table.rows[0]
    assert (row["memory_limit"], row["temp_directory"]) == ("667.5 MiB", str(build_temp_dir(warehouse)))


def test_a_build_goes_on_after_a_model_spilled(tmp_path):
    """Once a query has spilled, DuckDB refuses to be told its temp directory again: the nodes
    after it must not be (dbt-duckdb's `settings` are set again on each node's cursor)."""
    project = tmp_path / "spill_project"
    (project / "models").mkdir(parents=True)
    (project / "dbt_project.yml").write_text(
        "name: spill_probe\nversion: '1.0'\nprofile: antismuggling\nmodels:\n  +materialized: table\n"
    )
    # sorting ~150 MB of text under a 64 MB limit spills
    (project / "models" / "sorted_hashes.sql").write_text(
        "select md5(cast(range as varchar)) || md5(cast(-range as varchar)) as h from range(1500000) order by h"
    )
    (project / "models" / "after_spill.sql").write_text("select count(*) as n from {{ ref('sorted_hashes') }}")
    warehouse = tmp_path / "build.duckdb"
    run_dbt(warehouse, ["run", "--threads", "1"], memory_limit="64MB", project_dir=project)
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        assert con.execute("select n from main.after_spill").fetchone() == (1_500_000,)
    finally:
        con.close()
