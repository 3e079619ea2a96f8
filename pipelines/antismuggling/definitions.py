"""The Dagster code location: ``dagster dev -m antismuggling.definitions``.

Built lazily (``@dg.definitions``) so importing the package stays cheap; the dbt manifest is
parsed only when the definitions are first loaded.
"""

from __future__ import annotations

import logging

import dagster as dg

from antismuggling.config import Settings, keep_files_private, load_settings


class _SkippedBuildChecks(logging.Filter):
    """A refresh with nothing new skips the dbt build (``raw_tables``), and with it the results
    of its tests: Dagster would warn once per blocking dbt test that it emitted none."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "emitted no result in step" not in record.getMessage()


def build_definitions(settings: Settings | None = None) -> dg.Definitions:
    keep_files_private()  # the code location runs in Dagster's processes too: their files stay private
    skipped_checks = logging.getLogger("dagster._core.execution.plan.active")
    if not any(isinstance(f, _SkippedBuildChecks) for f in skipped_checks.filters):
        skipped_checks.addFilter(_SkippedBuildChecks())
    from antismuggling.defs.assets.ingest import hs_reference, raw_tables
    from antismuggling.defs.assets.publish import build_publish_asset
    from antismuggling.defs.assets.warehouse import build_dbt_assets
    from antismuggling.defs.checks import build_quality_checks
    from antismuggling.defs.jobs import refresh_job
    from antismuggling.defs.resources import build_resources
    from antismuggling.defs.schedules import daily_refresh_schedule
    from antismuggling.defs.sensors import source_watermark_sensor
    from antismuggling.feeds.config import FeedsConfigError
    from antismuggling.feeds.dagster_defs import build_feed_definitions

    warehouse_models = build_dbt_assets()
    # the snapshot holds the marts and the partner feeds' tables (schema feeds)
    published_keys = [key for key in warehouse_models.keys if key.path[0] in ("marts", "feeds")]
    ingest = dg.Definitions(assets=[raw_tables, hs_reference])
    warehouse = dg.Definitions(assets=[warehouse_models])
    published_marts = build_publish_asset(published_keys)
    publish = dg.Definitions(assets=[published_marts])
    quality = dg.Definitions(
        asset_checks=build_quality_checks([*raw_tables.keys, *warehouse_models.keys, *published_marts.keys])
    )
    orchestration = dg.Definitions(
        jobs=[refresh_job], schedules=[daily_refresh_schedule], sensors=[source_watermark_sensor]
    )
    settings = settings or load_settings()
    # one asset, job and schedule per partner feed, after published/marts (not in the refresh job);
    # a site's feeds configuration that does not load leaves the feeds out, not the refresh
    try:
        feeds = build_feed_definitions(settings)
    except FeedsConfigError as exc:
        logging.getLogger(__name__).error("partner feeds left out of the code location: %s", exc)
        feeds = dg.Definitions()
    return dg.Definitions.merge(ingest, warehouse, publish, quality, orchestration, feeds).with_resources(
        build_resources(settings)
    )


@dg.definitions
def defs() -> dg.Definitions:
    return build_definitions()
