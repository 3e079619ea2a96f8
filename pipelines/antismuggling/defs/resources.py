"""Resources: where the warehouse and the store are, and the dbt command line."""

from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource

from antismuggling.config import Settings, load_settings
from antismuggling.defs.project import dbt_executable, dbt_project


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


def build_resources(settings: Settings | None = None) -> dict[str, object]:
    settings = settings or load_settings()
    return {
        "warehouse": WarehouseResource.from_settings(settings),
        "dbt": DbtCliResource(project_dir=dbt_project, dbt_executable=dbt_executable()),
    }
