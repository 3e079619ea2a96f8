"""Raw tables: the operational store mirrored into the warehouse, incrementally."""

import dagster as dg

from antismuggling.build_inputs import snapshot_is_current
from antismuggling.defs.resources import WarehouseResource
from antismuggling.ingest import load_operational_store
from antismuggling.locks import refresh_lock
from antismuggling.publish import mark_checked
from antismuggling.store.schema import TABLES
from antismuggling.store.urls import redact_url, secrets_hidden

RAW_GROUP = "raw"


class IngestConfig(dg.Config):
    full: bool = False
    """Reload every table from scratch instead of reading rows changed since the watermark."""


# Skippable: a load that brings nothing the current snapshot lacks materialises none of them,
# and Dagster then skips every step downstream (build, checks, publication).
raw_specs = [
    dg.AssetSpec(
        key=dg.AssetKey(["raw", table]),
        group_name=RAW_GROUP,
        description=f"Source table `{table}`, every column as text, merged by primary key.",
        kinds={"duckdb"},
        skippable=True,
    )
    for table in TABLES
]

hs_reference = dg.AssetSpec(
    key=dg.AssetKey(["reference", "hs_nomenclature"]),
    group_name="reference",
    description="Full HS nomenclature loaded by `antismuggling reference load-hs` (empty: the compact seed is used).",
    kinds={"duckdb"},
)


@dg.multi_asset(specs=raw_specs, name="load_operational_store", can_subset=False)
def raw_tables(context: dg.AssetExecutionContext, config: IngestConfig, warehouse: WarehouseResource):
    settings = warehouse.settings
    context.log.info("loading %s (%s)", redact_url(settings.ops_url), "full" if config.full else "incremental")

    def report(load):
        context.log.info(
            "%s: %s load read %d rows, changed %d, now %d (%.1f s)",
            load.table, load.mode, load.rows_read, load.rows_changed, load.rows_total, load.seconds,
        )

    # The lock serialises runs the daemon launches with `antismuggling refresh`; a scanner error
    # mid-load may quote the DSN as the attach does.
    with refresh_lock(settings), secrets_hidden(settings.ops_url):
        result = load_operational_store(settings.warehouse_path, settings.ops_url, full=config.full, on_table=report)
        current = None if config.full or result.rows_changed else snapshot_is_current(settings)
        if current is not None:
            mark_checked(settings, current.snapshot)
    if current is not None:
        context.log.info(
            "nothing new since %s: the build, its checks and the publication are skipped", current.snapshot.name
        )
    for load in result.tables:
        event = dg.AssetObservation if current is not None else dg.MaterializeResult
        yield event(
            asset_key=dg.AssetKey(["raw", load.table]),
            metadata={
                "mode": load.mode,
                "rows_read": load.rows_read,
                "rows_changed": load.rows_changed,
                "rows_total": dg.MetadataValue.int(load.rows_total),
                "watermark_date": str(load.watermark_date),
                "seconds": load.seconds,
                "source": result.source,
            },
        )
