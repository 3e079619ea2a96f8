"""Publication: the marts copied into a new snapshot that readers switch to atomically."""

import dagster as dg

from antismuggling import changes
from antismuggling.build_inputs import DIGEST_KEY, input_digest
from antismuggling.defs.resources import WarehouseResource
from antismuggling.ingest import connect_warehouse
from antismuggling.locks import refresh_lock
from antismuggling.publish import publish_marts
from antismuggling.store.schema import TABLES
from antismuggling.store.urls import redact_url

PUBLISHED_KEY = dg.AssetKey(["published", "marts"])


def build_publish_asset(mart_keys: list[dg.AssetKey]) -> dg.AssetsDefinition:
    @dg.asset(key=PUBLISHED_KEY, deps=mart_keys, group_name="published", kinds={"duckdb"})
    def published_marts(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
        """Every mart copied into an immutable snapshot; ``published/CURRENT`` names it."""
        settings = warehouse.settings
        with refresh_lock(settings):
            con = connect_warehouse(settings.warehouse_path)
            try:
                metadata = {
                    "source_url": redact_url(settings.ops_url),
                    "run_id": context.run.run_id,
                    **_load_summary(con),
                }
                result = publish_marts(con, settings, metadata=metadata)
            finally:
                con.close()
        context.log.info("published %s", result.snapshot_path.name)
        return dg.MaterializeResult(
            metadata={
                "snapshot": result.snapshot_path.name,
                "published_at": result.published_at.isoformat(),
                **{f"rows_{name}": n for name, n in result.table_rows.items()},
                **{f"meta_rows_{name}": n for name, n in result.meta_rows.items()},
            }
        )

    return published_marts


def _load_summary(con) -> dict[str, object]:
    """Refresh mode and source watermark: the latest plausible ``updated_at`` seen in the store."""
    mode = con.execute(
        "select case when bool_or(mode = 'incremental') then 'incremental' else 'full' end from raw._load_state"
    ).fetchone()[0]
    # A typo'd future timestamp is not a watermark.
    per_table = " union all ".join(f"select updated_at_utc as seen_at from staging.stg_{table}" for table in TABLES)
    latest = con.execute(
        f"select max(seen_at) from ({per_table}) where seen_at <= now()::timestamp + interval 1 day"
    ).fetchone()[0]
    return {
        "refresh_mode": mode,
        "source_watermark": latest.isoformat() if latest else None,
        DIGEST_KEY: input_digest(con, changes.built_refresh_date(con)),
    }
