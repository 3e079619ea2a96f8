"""Dagster definitions of the partner feeds: one asset per feed, its checks, job and schedule.

Merge into the code location with ``dg.Definitions.merge(..., build_feed_definitions(settings))``:

- asset ``deliveries/<feed>`` (group ``feed_deliveries``), after ``published/marts``: runs
  :func:`~antismuggling.feeds.runner.run_feed` for every destination of the feed; fails the
  step when any destination failed (the ledger records nothing as delivered for it);
- checks on it: ``contract`` (the snapshot's feed tables have their contract's columns and
  types), ``row_counts`` (rows against the marts, the feed's filter applied), and for
  non-nominal feeds ``personal_data`` (the last deliveries rescanned);
- job ``feed_<feed>`` (dashes become underscores) selecting that asset and its checks;
- schedule ``feed_<feed>_schedule``: the feed's cron in its time zone (Asia/Karachi by
  default), running unless the feed is switched off, with a run key per schedule window
  (``<feed>:<scheduled time>``) so a window is never delivered twice by the scheduler.

The refresh job must not select these assets (they have their own schedules): select
``dg.AssetSelection.all() - dg.AssetSelection.groups(FEED_GROUP)`` there.
"""

from typing import Optional

import dagster as dg

from antismuggling.config import Settings, load_settings
from antismuggling.feeds.checks import contract_check, personal_data_check, row_count_check
from antismuggling.feeds.config import FeedConfig, load_feeds_config
from antismuggling.feeds.runner import FeedDeliveryError, run_feed

FEED_GROUP = "feed_deliveries"
PUBLISHED_KEY = dg.AssetKey(["published", "marts"])


def feed_asset_key(feed_id: str) -> dg.AssetKey:
    return dg.AssetKey(["deliveries", feed_id])


def feed_job_name(feed_id: str) -> str:
    return "feed_" + feed_id.replace("-", "_")


def _settings(context) -> Settings:
    warehouse = getattr(context.resources, "warehouse", None)
    return warehouse.settings if warehouse is not None else load_settings()


def _started_by(context) -> str:
    """Who the ledger and the audit trail name: the schedule (and run) or the run alone."""
    schedule = context.run.tags.get("dagster/schedule_name")
    if schedule:
        return f"dagster:schedule {schedule} run {context.run.run_id}"
    return f"dagster:run {context.run.run_id}"


def _build_asset(feed: FeedConfig) -> dg.AssetsDefinition:
    @dg.asset(
        key=feed_asset_key(feed.id), deps=[PUBLISHED_KEY], group_name=FEED_GROUP, kinds={"file"},
        required_resource_keys={"warehouse"}, name=None,
        description=f"Feed `{feed.id}` for {feed.partner} ({feed.personal_data}, {feed.mode}): "
                    f"{', '.join(e.name for e in feed.entities)} to {', '.join(feed.destinations)}.",
        tags={"feed": feed.id},
    )
    def _delivery(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        settings = _settings(context)
        try:
            result = run_feed(settings, feed.id, started_by=_started_by(context), log=context.log.info)
        except FeedDeliveryError as exc:
            for d in exc.result.deliveries:
                context.log.error(f"{d.destination}: {d.status} {d.error or ''}")
            raise
        metadata: dict[str, object] = {"snapshot": result.snapshot}
        for d in result.deliveries:
            metadata[f"{d.destination}_seq"] = d.seq
            metadata[f"{d.destination}_mode"] = d.mode
            metadata[f"{d.destination}_rows"] = dg.MetadataValue.json(d.rows_by_op)
            metadata[f"{d.destination}_location"] = d.location
            metadata[f"{d.destination}_manifest_sha256"] = d.manifest_sha256
        return dg.MaterializeResult(metadata=metadata)

    return _delivery


def _build_checks(feed: FeedConfig) -> list[dg.AssetChecksDefinition]:
    key = feed_asset_key(feed.id)
    prefix = feed.id.replace("-", "_")

    @dg.asset_check(asset=key, name="contract", required_resource_keys={"warehouse"},
                    description="The snapshot's feed tables have exactly their contract's columns and types.")
    def _contract(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
        problems = contract_check(_settings(context), feed)
        return dg.AssetCheckResult(passed=not problems, metadata={"problems": dg.MetadataValue.json(problems)})

    @dg.asset_check(asset=key, name="row_counts", required_resource_keys={"warehouse"},
                    description="Every entity has as many rows as its marts (feed filter applied).")
    def _row_counts(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
        problems, counts = row_count_check(_settings(context), feed)
        return dg.AssetCheckResult(passed=not problems, metadata={
            "problems": dg.MetadataValue.json(problems), "rows": dg.MetadataValue.json(counts)})

    _contract.__name__ = f"{prefix}_contract"
    _row_counts.__name__ = f"{prefix}_row_counts"
    checks = [_contract, _row_counts]
    if not feed.nominal:
        @dg.asset_check(asset=key, name="personal_data", required_resource_keys={"warehouse"}, blocking=False,
                        description="The last deliveries hold no CNIC-, passport- or plate-shaped value and no "
                                    "name or number known from the snapshot.")
        def _personal_data(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
            settings = _settings(context)
            problems = personal_data_check(settings, load_feeds_config(settings), feed)
            return dg.AssetCheckResult(passed=not problems, severity=dg.AssetCheckSeverity.ERROR,
                                       metadata={"findings": dg.MetadataValue.json(problems[:50])})

        checks.append(_personal_data)
    return checks


def _build_schedule(feed: FeedConfig, job) -> dg.ScheduleDefinition:
    @dg.schedule(
        name=f"{feed_job_name(feed.id)}_schedule", cron_schedule=feed.schedule, execution_timezone=feed.timezone,
        job=job,
        default_status=dg.DefaultScheduleStatus.RUNNING if feed.enabled else dg.DefaultScheduleStatus.STOPPED,
        description=f"Feed {feed.id}: {feed.schedule} ({feed.timezone}).",
    )
    def _schedule(context: dg.ScheduleEvaluationContext):
        if not feed.enabled:
            return dg.SkipReason(f"feed {feed.id} is switched off")
        window = context.scheduled_execution_time.isoformat()
        return dg.RunRequest(run_key=f"{feed.id}:{window}", tags={"feed": feed.id, "schedule_window": window})

    return _schedule


def build_feed_definitions(settings: Optional[Settings] = None) -> dg.Definitions:
    config = load_feeds_config(settings or load_settings())
    assets, checks, jobs, schedules = [], [], [], []
    for feed in config.feeds.values():
        asset = _build_asset(feed)
        job = dg.define_asset_job(
            feed_job_name(feed.id), selection=dg.AssetSelection.assets(asset.key),
            executor_def=dg.in_process_executor,
            description=f"Deliver feed {feed.id} from the current published snapshot.",
            tags={"feed": feed.id},
        )
        assets.append(asset)
        checks += _build_checks(feed)
        jobs.append(job)
        schedules.append(_build_schedule(feed, job))
    return dg.Definitions(assets=assets, asset_checks=checks, jobs=jobs, schedules=schedules)
