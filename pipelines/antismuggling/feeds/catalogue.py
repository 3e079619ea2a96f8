"""What each feed is and how it is doing, from the configuration, the contracts and the ledger.

For the dashboard's Partner feeds page and ``feeds list``: no feed row is read here (nothing
of the snapshot's schema ``feeds``), only the feeds configuration, the dbt contracts of the
feed models (columns, types, descriptions) and the delivery ledger (seq, time, status, rows
by op, errors).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from antismuggling.config import Settings
from antismuggling.feeds.config import FeedConfig, FeedsConfig, load_feeds_config
from antismuggling.feeds.contracts import feed_model_contracts
from antismuggling.feeds.files import OP_COLUMN, SEQ_COLUMN
from antismuggling.feeds.ledger import Delivery
from antismuggling.feeds.personal_data import NON_NOMINAL
from antismuggling.feeds.refs import PSEUDONYMS
from antismuggling.feeds.schedule import next_fire

FAILURE_WINDOW_DAYS = 30
PSEUDONYM_NOTE = "keyed reference: HMAC-SHA256 of {source} under the installation's secret (stable, not reversible)"
# What a non-nominal feed never carries (contract: feeds.md), as the page and README say it.
NEVER_IN_NON_NOMINAL = (
    "CNIC", "passport", "any name", "father's name", "date of birth", "home district",
    "registration / chassis / engine number", "case number", "FIR number", "officer ids or names",
    "free text typed in the store (remarks, route, item description, concealment as typed)",
    "the store's row ids (case_id, item_id: replaced by case_ref, item_ref)",
)


@dataclass(frozen=True)
class ColumnInfo:
    entity: str
    column: str
    type: str
    key: bool
    description: str


@dataclass(frozen=True)
class FeedStatus:
    feed: FeedConfig
    last_delivered: Delivery | None        # the newest delivered, over the feed's destinations
    next_delivery: datetime | None          # in the feed's time zone; None when switched off
    failures: int                           # failed or abandoned attempts in the last FAILURE_WINDOW_DAYS
    last_failure: Delivery | None
    deliveries: int                         # delivered, ever


def feed_columns(feed: FeedConfig) -> list[ColumnInfo]:
    """Every column of every file of ``feed``, in file order, with its type and meaning."""
    contracts = feed_model_contracts()
    out: list[ColumnInfo] = []
    for entity in feed.entities:
        contract = contracts.get(entity.table) if entity.schema == "feeds" else None
        descriptions = dict(contract.descriptions) if contract else {}
        types = dict(entity.contract_types)
        out.append(ColumnInfo(entity.name, OP_COLUMN[0], OP_COLUMN[1], False,
                              "I new key, U changed content, D key no longer in the feed (only key columns filled)"))
        out.append(ColumnInfo(entity.name, SEQ_COLUMN[0], SEQ_COLUMN[1], False, "the delivery's seq"))
        pseudonyms = dict(entity.pseudonyms)
        for source, delivered in zip(entity.source_columns, entity.columns):
            if source in pseudonyms:
                kind, text = "VARCHAR", PSEUDONYM_NOTE.format(source=source)
            else:
                kind, text = types.get(source, ""), descriptions.get(source, "")
            out.append(ColumnInfo(entity.name, delivered, kind, delivered in entity.key, text))
    return out


def feed_statuses(settings: Settings, config: FeedsConfig | None = None, history: list[Delivery] | None = None,
                  now: datetime | None = None) -> list[FeedStatus]:
    """Each configured feed with its last and next delivery and its recent failures."""
    from antismuggling.feeds.runner import feed_history

    config = config or load_feeds_config(settings)
    now = now or datetime.now(timezone.utc)
    history = feed_history(settings) if history is None else history
    since_utc = (now - timedelta(days=FAILURE_WINDOW_DAYS)).astimezone(timezone.utc).replace(microsecond=0)
    since = since_utc.isoformat().replace("+00:00", "Z")
    statuses = []
    for feed in config.feeds.values():
        mine = [d for d in history if d.feed == feed.id]      # newest first
        delivered = [d for d in mine if d.status == "delivered"]
        failed = [d for d in mine if d.status in ("failed", "abandoned")]
        statuses.append(FeedStatus(
            feed=feed,
            last_delivered=max(delivered, key=lambda d: d.finished_at or d.created_at) if delivered else None,
            next_delivery=next_fire(feed.schedule, feed.timezone, now) if feed.enabled else None,
            failures=sum(1 for d in failed if (d.finished_at or d.created_at) >= since),
            last_failure=failed[0] if failed else None,
            deliveries=len(delivered),
        ))
    return statuses


def personal_data_label(feed: FeedConfig) -> str:
    return "none (non-nominal)" if feed.personal_data == NON_NOMINAL else "nominal"


__all__ = ["ColumnInfo", "FeedStatus", "NEVER_IN_NON_NOMINAL", "PSEUDONYMS", "feed_columns", "feed_statuses",
           "personal_data_label"]
