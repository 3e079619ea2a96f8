"""Jobs are asset selections."""

from __future__ import annotations

import dagster as dg

REFRESH_JOB_NAME = "refresh"

# One step at a time: every step opens the same DuckDB build file for writing.
refresh_job = dg.define_asset_job(
    REFRESH_JOB_NAME,
    selection=dg.AssetSelection.all(),
    executor_def=dg.in_process_executor,
    description="Load the operational store, build and test every model, publish the marts.",
)
