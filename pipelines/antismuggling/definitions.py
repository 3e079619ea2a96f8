"""The Dagster code location: ``dagster dev -m antismuggling.definitions``.

Built lazily (``@dg.definitions``) so importing the package stays cheap; the dbt manifest is
parsed only when the definitions are first loaded.
"""

from __future__ import annotations

import dagster as dg

from antismuggling.config import Settings, keep_files_private, load_settings


def build_definitions(settings: Settings | None = None) -> dg.Definitions:
    keep_files_private()  # the code location runs in Dagster's processes too: their files stay private
    from antismuggling.defs.assets.ingest import hs_reference, raw_tables
    from antismuggling.defs.assets.publish import build_publish_asset
    from antismuggling.defs.assets.warehouse import build_dbt_assets
    from antismuggling.defs.checks import build_quality_checks
    from antismuggling.defs.jobs import refresh_job
    from antismuggling.defs.resources import build_resources
    from antismuggling.defs.schedules import daily_refresh_schedule
    from antismuggling.defs.sensors import source_watermark_sensor

    warehouse_models = build_dbt_assets()
    mart_keys = [key for key in warehouse_models.keys if key.path[0] == "marts"]
    ingest = dg.Definitions(assets=[raw_tables, hs_reference])
    warehouse = dg.Definitions(assets=[warehouse_models])
    published_marts = build_publish_asset(mart_keys)
    publish = dg.Definitions(assets=[published_marts])
    quality = dg.Definitions(
        asset_checks=build_quality_checks([*raw_tables.keys, *warehouse_models.keys, *published_marts.keys])
    )
    orchestration = dg.Definitions(
        jobs=[refresh_job], schedules=[daily_refresh_schedule], sensors=[source_watermark_sensor]
    )
    return dg.Definitions.merge(ingest, warehouse, publish, quality, orchestration).with_resources(
        build_resources(settings or load_settings())
    )


@dg.definitions
def defs() -> dg.Definitions:
    return build_definitions()
