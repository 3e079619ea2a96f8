"""Where things live: settings from the environment (or an optional config file).

Every path the product writes is derived from one data directory, ``ANTISMUGGLING_HOME``;
the operational store is named by one URL, ``ANTISMUGGLING_OPS_URL``.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
DASHBOARD_DIR = PROJECT_ROOT / "dashboard"
EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"

CONFIG_FILE_ENV = "ANTISMUGGLING_CONFIG"
KEYS = ("ANTISMUGGLING_OPS_URL", "ANTISMUGGLING_HOME")


def _config_file_values() -> dict[str, str]:
    """Values from the optional TOML config file (same keys as the environment)."""
    path = os.environ.get(CONFIG_FILE_ENV)
    candidates = [Path(path)] if path else [Path.cwd() / "antismuggling.toml"]
    for candidate in candidates:
        if candidate.is_file():
            with candidate.open("rb") as fh:
                data = tomllib.load(fh)
            return {k: str(v) for k, v in data.items() if k in KEYS}
        if path:
            raise FileNotFoundError(f"config file {candidate} (from {CONFIG_FILE_ENV}) does not exist")
    return {}


@dataclass(frozen=True)
class Settings:
    home: Path
    ops_url: str

    @property
    def warehouse_dir(self) -> Path:
        return self.home / "warehouse"

    @property
    def warehouse_path(self) -> Path:
        """The build database: raw copy of the store plus every dbt schema. Only the pipeline opens it."""
        return self.warehouse_dir / "build.duckdb"

    @property
    def published_dir(self) -> Path:
        """Immutable published snapshots plus the CURRENT pointer readers follow."""
        return self.home / "published"

    @property
    def exports_dir(self) -> Path:
        return self.home / "exports"

    @property
    def dagster_home(self) -> Path:
        return self.home / "dagster"

    @property
    def access_dir(self) -> Path:
        """Users and the audit trail: private, and never under published/ or warehouse/ (which readers open)."""
        return self.home / "access"

    @property
    def users_db_path(self) -> Path:
        return self.access_dir / "users.db"

    @property
    def demo_store_path(self) -> Path:
        return self.home / "demo" / "ops.db"

    def ensure_dirs(self) -> None:
        for d in (self.warehouse_dir, self.published_dir, self.exports_dir, self.dagster_home):
            d.mkdir(parents=True, exist_ok=True)


def load_settings() -> Settings:
    file_values = _config_file_values()

    def get(key: str) -> str | None:
        return os.environ.get(key) or file_values.get(key)

    home = Path(get("ANTISMUGGLING_HOME") or PROJECT_ROOT / "data").expanduser().resolve()
    ops_url = get("ANTISMUGGLING_OPS_URL") or f"sqlite:///{home / 'demo' / 'ops.db'}"
    return Settings(home=home, ops_url=ops_url)
