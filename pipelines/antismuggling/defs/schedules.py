"""Schedules."""

from __future__ import annotations

import dagster as dg

from antismuggling.defs.jobs import refresh_job

# Nightly, after the formations' working day, Pakistan time.
daily_refresh_schedule = dg.ScheduleDefinition(
    name="daily_refresh",
    job=refresh_job,
    cron_schedule="0 2 * * *",
    execution_timezone="Asia/Karachi",
    default_status=dg.DefaultScheduleStatus.RUNNING,
)
