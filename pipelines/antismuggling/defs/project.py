"""The one dbt project the warehouse is built with."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
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


def dbt_executable() -> str:
    """The venv's own dbt: found without PATH, and naming it spares dagster-dbt a version probe."""
    candidate = Path(sys.executable).parent / "dbt"
    return str(candidate) if candidate.exists() else "dbt"


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
    if manifest.exists() and manifest.stat().st_mtime >= newest:
        return manifest
    manifest.parent.mkdir(parents=True, exist_ok=True)
    with open(manifest.parent / "parse.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # concurrent processes parse once, not over each other
        if not manifest.exists() or manifest.stat().st_mtime < newest:
            env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "False"}
            env.setdefault(WAREHOUSE_PATH_ENV, str(manifest.parent / "parse-only.duckdb"))
            subprocess.run(
                [dbt_executable(), "parse", "--quiet", "--project-dir", str(DBT_PROJECT_DIR),
                 "--profiles-dir", str(DBT_PROJECT_DIR)],
                check=True, env=env, cwd=DBT_PROJECT_DIR,
            )
    return manifest
