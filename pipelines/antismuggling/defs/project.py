"""The one dbt project the warehouse is built with."""

from __future__ import annotations

import os
from pathlib import Path

from dagster_dbt import DbtProject

from antismuggling.config import DBT_PROJECT_DIR, Settings

WAREHOUSE_PATH_ENV = "ANTISMUGGLING_WAREHOUSE_PATH"

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def export_dbt_environment(settings: Settings) -> None:
    """dbt (a subprocess) finds the warehouse through the environment; telemetry stays off."""
    os.environ[WAREHOUSE_PATH_ENV] = str(settings.warehouse_path)
    os.environ["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "False"
    os.environ["DO_NOT_TRACK"] = "1"


def ensure_manifest() -> Path:
    """Parse the dbt project when its manifest is missing or older than any project file."""
    manifest = dbt_project.manifest_path
    sources = [
        p
        for sub in ("models", "macros", "seeds", "snapshots", "tests")
        for p in (DBT_PROJECT_DIR / sub).rglob("*")
        if p.is_file()
    ] + [DBT_PROJECT_DIR / "dbt_project.yml", DBT_PROJECT_DIR / "profiles.yml"]
    newest = max((p.stat().st_mtime for p in sources if p.exists()), default=0)
    if not manifest.exists() or manifest.stat().st_mtime < newest:
        os.environ.setdefault(WAREHOUSE_PATH_ENV, str(DBT_PROJECT_DIR / "target" / "parse-only.duckdb"))
        dbt_project.preparer.prepare(dbt_project)
    return manifest
