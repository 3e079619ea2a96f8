"""Resources: where the warehouse and the store are, and the dbt command line."""

import sys
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource

from antismuggling.config import Settings, load_settings
from antismuggling.defs.project import dbt_project


class WarehouseResource(dg.ConfigurableResource):
    """The data directory and the operational store URL, from the environment by default."""

    home: str
    ops_url: str

    @classmethod
    def from_settings(cls, settings: Settings) -> "WarehouseResource":
        return cls(home=str(settings.home), ops_url=settings.ops_url)

    @property
    def settings(self) -> Settings:
        return Settings(home=Path(self.home), ops_url=self.ops_url)


def _venv_dbt() -> str:
    # Naming the executable spares DbtCliResource a `dbt --version` probe (~3 s) per step.
    candidate = Path(sys.executable).parent / "dbt"
    return str(candidate) if candidate.exists() else "dbt"


def build_resources(settings: Settings | None = None) -> dict[str, object]:
    settings = settings or load_settings()
    return {
        "warehouse": WarehouseResource.from_settings(settings),
        "dbt": DbtCliResource(project_dir=dbt_project, dbt_executable=_venv_dbt()),
    }
