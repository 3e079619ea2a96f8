"""The one dbt project the warehouse is built with."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from dagster_dbt import DbtProject

from antismuggling.children import child_environment, launcher_for
from antismuggling.config import (
    BUILD_MEMORY_LIMIT_ENV, DBT_PROJECT_DIR, DEFAULT_BUILD_MEMORY_LIMIT, Settings, build_temp_dir, make_private_dir,
    next_snapshot_path,
)

WAREHOUSE_PATH_ENV = "ANTISMUGGLING_WAREHOUSE_PATH"
NEXT_SNAPSHOT_PATH_ENV = "ANTISMUGGLING_NEXT_SNAPSHOT_PATH"
BUILD_TEMP_DIR_ENV = "ANTISMUGGLING_BUILD_TEMP_DIR"
DBT_LAUNCHER = DBT_PROJECT_DIR / "target" / "antismuggling-dbt"

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def export_dbt_environment(settings: Settings) -> None:
    """dbt (a subprocess dagster-dbt starts with this process's environment) finds the warehouse,
    and the launcher this process and its children lock, through the environment; telemetry stays off."""
    os.environ.update(child_environment(settings.children_lock_path, env={}))
    os.environ.update(dbt_warehouse_environment(settings.warehouse_path, settings.build_memory_limit))
    os.environ["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "False"
    os.environ["DO_NOT_TRACK"] = "1"


def dbt_warehouse_environment(warehouse_path: Path, memory_limit: str = DEFAULT_BUILD_MEMORY_LIMIT) -> dict[str, str]:
    """The variables dbt_project/profiles.yml reads: the build database, the one the marts and
    feeds are built in, and the build's memory limit and spill directory (read by this
    process's own connections too: ingest.connect_warehouse)."""
    return {
        WAREHOUSE_PATH_ENV: str(warehouse_path),
        NEXT_SNAPSHOT_PATH_ENV: str(next_snapshot_path(warehouse_path)),
        BUILD_MEMORY_LIMIT_ENV: memory_limit,
        BUILD_TEMP_DIR_ENV: str(build_temp_dir(warehouse_path)),
    }


KEEP_DBT_TARGETS = 3  # dbt's artifacts and debug log of the last builds, for a look after a failure


def dbt_target_path(settings: Settings, run_id: str) -> Path:
    """A new folder for one dbt build's artifacts and log, under the data directory (so private
    to its owner); older ones beyond the last few are removed."""
    root = settings.warehouse_dir / "dbt"
    make_private_dir(root)
    builds = [p for p in root.iterdir() if p.is_dir()]
    for old in sorted(builds, key=lambda p: p.stat().st_mtime)[: -(KEEP_DBT_TARGETS - 1) or None]:
        shutil.rmtree(old, ignore_errors=True)
    target = root / f"{time.strftime('%Y%m%dT%H%M%S')}-{run_id[:8]}"
    make_private_dir(target)
    # dagster-dbt seeds the folder with the project's partial parse unless it is there already,
    # with shutil.copy, which keeps the source's mode (0644): copy it here as a private file.
    # The last build's own is preferred: dbt reparses everything when the profile differs, and
    # the project's was written by a parse against another warehouse path.
    for partial_parse in (kept_partial_parse(settings), dbt_project.project_dir / "target" / PARTIAL_PARSE):
        if partial_parse.is_file():
            shutil.copyfile(partial_parse, target / PARTIAL_PARSE)
            break
    return target


PARTIAL_PARSE = "partial_parse.msgpack"


def kept_partial_parse(settings: Settings) -> Path:
    return settings.warehouse_dir / "dbt" / PARTIAL_PARSE


def keep_partial_parse(settings: Settings, target: Path) -> None:
    """Keep a build's partial parse for the next build of this warehouse (atomically: a build
    killed while copying leaves the previous one)."""
    produced = target / PARTIAL_PARSE
    if produced.is_file():
        kept = kept_partial_parse(settings)
        tmp = kept.with_suffix(".tmp")
        shutil.copyfile(produced, tmp)
        os.replace(tmp, kept)


def dbt_executable() -> str:
    """The venv's own dbt (found without PATH; its version is the installed package's, see
    resources.VenvDbtCliResource), started through a launcher that ties it to the process
    starting it (``antismuggling.children``)."""
    candidate = Path(sys.executable).parent / "dbt"
    return str(launcher_for(str(candidate) if candidate.exists() else shutil.which("dbt") or "dbt", DBT_LAUNCHER))


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
            env = {**child_environment(), "DBT_SEND_ANONYMOUS_USAGE_STATS": "False"}
            parse_warehouse = Path(env.get(WAREHOUSE_PATH_ENV) or manifest.parent / "parse-only.duckdb")
            env = {**dbt_warehouse_environment(parse_warehouse), **env}
            # Parsed into a folder of its own and moved into place whole: a process that finds
            # the manifest (without the lock) never reads one dbt is still writing.
            parsed = Path(tempfile.mkdtemp(prefix=".parse-", dir=manifest.parent))
            try:
                subprocess.run(
                    [dbt_executable(), "parse", "--quiet", "--project-dir", str(DBT_PROJECT_DIR),
                     "--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", str(parsed)],
                    check=True, env=env, cwd=DBT_PROJECT_DIR,
                )
                # Dated as the files it read, not as the end of the parse: a file edited while
                # dbt parsed is newer, so the next load parses again.
                os.utime(parsed / manifest.name, (newest, newest))
                if (parsed / PARTIAL_PARSE).is_file():
                    os.replace(parsed / PARTIAL_PARSE, manifest.parent / PARTIAL_PARSE)
                os.replace(parsed / manifest.name, manifest)
            finally:
                shutil.rmtree(parsed, ignore_errors=True)
    return manifest
