"""Resources: where the warehouse and the store are, and the dbt command line."""

import importlib.metadata
import os
from functools import cached_property
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource
from packaging import version

from antismuggling.config import OPS_URL_ENV, Settings, load_settings
from antismuggling.defs.project import dbt_executable, dbt_project
from antismuggling.store.urls import redact_url


class WarehouseResource(dg.ConfigurableResource):
    """The data directory and the operational store URL, from the environment by default."""

    home: str
    ops_url: str

    @classmethod
    def from_settings(cls, settings: Settings) -> "WarehouseResource":
        if redact_url(settings.ops_url) == settings.ops_url:
            return cls(home=str(settings.home), ops_url=settings.ops_url)
        # Dagster stores a resource's configured values in every run's job snapshot (run history,
        # the UI's launchpad, GraphQL); an EnvVar is stored by name only and read when a run starts.
        os.environ[OPS_URL_ENV] = settings.ops_url  # already there unless it came from the config file
        return cls(home=str(settings.home), ops_url=dg.EnvVar(OPS_URL_ENV))

    @property
    def settings(self) -> Settings:
        return Settings(home=Path(self.home), ops_url=self.ops_url)


class VenvDbtCliResource(DbtCliResource):
    """dagster-dbt's dbt command line, told the version of the dbt it runs instead of asking it:
    the executable is this venv's own dbt (``dbt_executable``), so its version is the installed
    dbt-core package's, and dagster-dbt's ``dbt --version`` probe (3 s: it imports dbt) is
    spared on every build."""

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(importlib.metadata.version("dbt-core"))


def build_resources(settings: Settings | None = None) -> dict[str, object]:
    settings = settings or load_settings()
    return {
        "warehouse": WarehouseResource.from_settings(settings),
        "dbt": VenvDbtCliResource(project_dir=dbt_project, dbt_executable=dbt_executable()),
    }
