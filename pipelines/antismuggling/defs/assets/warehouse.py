"""The dbt models: staging, intermediate rules and the marts."""

import json
from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from antismuggling import changes
from antismuggling.defs.project import (
    dbt_project, dbt_target_path, ensure_manifest, export_dbt_environment, keep_partial_parse,
)
from antismuggling.defs.resources import WarehouseResource
from antismuggling.locks import refresh_lock

WAREHOUSE_STEP_PRIORITY = {"dagster/priority": "20"}  # above the suite steps' (defs/checks.py)


class WarehouseTranslator(DagsterDbtTranslator):
    """Models are keyed by schema and name (``marts/fct_cases``); sources keep ``raw/<table>``."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return dg.AssetKey([dbt_resource_props["source_name"], dbt_resource_props["name"]])
        schema = dbt_resource_props.get("config", {}).get("schema") or dbt_resource_props["schema"]
        return dg.AssetKey([schema, dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "source":
            return dbt_resource_props["source_name"]
        return dbt_resource_props.get("config", {}).get("schema") or "warehouse"

    def get_asset_check_spec(
        self, asset_spec: dg.AssetSpec, manifest: Mapping[str, Any], unique_id: str, project: DbtProject | None
    ) -> dg.AssetCheckSpec | None:
        """A dbt test as an asset check of the model it tests, described by the test's dbt
        ``description`` (a singular test's in ``tests/_singular_tests.yml``; dagster-dbt itself
        reads only ``meta.description``). A singular test reading several models names the one it
        checks in ``config.meta.dagster.ref``."""
        spec = super().get_asset_check_spec(asset_spec, manifest, unique_id, project)
        if spec is None or spec.description:
            return spec
        description = (manifest["nodes"].get(unique_id) or {}).get("description")
        if not description:
            return spec
        return dg.AssetCheckSpec(
            spec.name, asset=spec.asset_key, description=description, additional_deps=spec.additional_deps,
            blocking=spec.blocking, metadata=spec.metadata, automation_condition=spec.automation_condition,
            partitions_def=spec.partitions_def,
        )


def build_dbt_assets() -> dg.AssetsDefinition:
    # Before the suite steps (checks.SUITE_STEP_PRIORITY), though they could run first: while
    # dbt runs this process only waits, and imports Great Expectations for them meanwhile.
    @dbt_assets(manifest=ensure_manifest(), project=dbt_project, dagster_dbt_translator=WarehouseTranslator(),
                op_tags=WAREHOUSE_STEP_PRIORITY)
    def warehouse_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
        from antismuggling.quality.runner import prepare_in_background

        prepare_in_background()
        settings = warehouse.settings
        export_dbt_environment(settings)
        with refresh_lock(settings):
            # the case-scoped models rebuild only the cases changed since the last build
            # (antismuggling.changes), unless something no case key reaches changed
            pending = changes.pending_build(settings.warehouse_path)
            mode = changes.EVERYTHING if pending.everything else changes.CHANGED_CASES
            context.log.info("building %s for %s", mode, pending.refresh_date)
            args = ["build", "--vars", json.dumps(pending.dbt_vars())]
            args += ["--full-refresh"] if pending.everything else []
            target = dbt_target_path(settings, context.run.run_id)
            yield from dbt.cli(args, context=context, target_path=target).stream()
            keep_partial_parse(settings, target)
            if not context.is_subset:  # a subset leaves the other models' changes to take in
                changes.mark_built(settings.warehouse_path, pending, mode)

    return warehouse_models
