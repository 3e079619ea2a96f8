"""Jobs are asset selections."""

from __future__ import annotations

import dagster as dg

from antismuggling.feeds.dagster_defs import FEED_GROUP

REFRESH_JOB_NAME = "refresh"

# One step at a time: every step opens the same DuckDB build file for writing. The partner
# feeds' deliveries are not part of it: each feed has its own job and schedule.
refresh_job = dg.define_asset_job(
    REFRESH_JOB_NAME,
    selection=dg.AssetSelection.all() - dg.AssetSelection.groups(FEED_GROUP),
    executor_def=dg.in_process_executor,
    description="Load the operational store, build and test every model, publish the marts.",
)
