"""Partner feeds: scheduled, signed, verifiable deliveries from the published snapshot.

The contract is ``feeds.md`` (shared contracts); the data are the dbt models of schema
``feeds`` (``dbt_project/models/feeds``), published with the marts. This package:

=====================  ==========================================================================
``config``             committed defaults (``feeds.default.toml``) + the site's file, checked on load
``contracts``          the feed models' contracts, read from their dbt YAML
``personal_data``      what non-nominal feeds never carry (columns), and the scan of their values
``refs``               ``case_ref`` / ``item_ref``: HMAC-SHA256 under ``<home>/feeds/ref.secret``
``files``              rendering, CSV (RFC 4180) and parquet writers and readers
``ledger``             SQLite ledger: holdings per destination, deliveries, staged changes
``signing``            the feed-signing OpenPGP key (``<home>/feeds/gnupg``), signing, encryption
``destinations``       local drop folder and SFTP (pinned host key, retries, temp-then-rename)
``runner``             ``run_feed``: reconcile, read, diff, build, record, rename, commit
``verify``             ``verify_delivery``: what a partner runs
``checks``             contract, row-count and personal-data checks (the Dagster asset checks)
``dagster_defs``       assets, checks, jobs and schedules for the Dagster code location
``audit``              every finished delivery appended to the installation's audit trail
``schedule``           when a feed's cron fires next (the dashboard, ``feeds list``)
``catalogue``          what each feed carries and how it is doing (config, contracts, ledger)
``cli``                ``antismuggling feeds list | run | history | verify | key export``
=====================  ==========================================================================

Everything lives under ``<home>/feeds/`` (mode 0700): ``ledger.db``, ``outbox/`` (the local
drop folder), ``spool/`` (copies of SFTP deliveries), ``gnupg/``, ``signing-key.fpr``,
``ref.secret``, ``locks/`` and the site's ``feeds.toml``.
"""

from __future__ import annotations

from pathlib import Path

from antismuggling.config import Settings
from antismuggling.feeds.config import (
    DestinationConfig, EntityConfig, FeedConfig, FeedsConfig, FeedsConfigError, load_feeds_config,
)
from antismuggling.feeds.ledger import Delivery
from antismuggling.feeds.runner import (
    DeliveryResult, FeedBusyError, FeedDeliveryError, FeedError, FeedRunResult, FeedSummary, PersonalDataFound,
    export_public_key, feed_history, list_feeds, run_feed,
)
from antismuggling.feeds.verify import verify_delivery as _verify_delivery


def verify_delivery(folder: Path | str, public_key_path: Path | str | None = None, *,
                    settings: Settings | None = None, decrypted_dir: Path | None = None) -> list[str]:
    """Problems with a delivery folder (empty: all holds). Needs only the folder and a public key.

    Without ``public_key_path``, the installation's own key is used when ``settings`` are
    given (what ``antismuggling feeds verify DIR`` does without ``--key``). ``decrypted_dir``:
    decrypted copies of encrypted files, whose rows are then checked too.
    """
    if public_key_path is None and settings is not None:
        return _verify_delivery(folder, public_key=export_public_key(settings), decrypted_dir=decrypted_dir)
    return _verify_delivery(folder, public_key_path, decrypted_dir=decrypted_dir)


__all__ = [
    "Delivery", "DeliveryResult", "DestinationConfig", "EntityConfig", "FeedBusyError", "FeedConfig",
    "FeedDeliveryError", "FeedError", "FeedRunResult", "FeedSummary", "FeedsConfig", "FeedsConfigError",
    "PersonalDataFound", "export_public_key", "feed_history", "list_feeds", "load_feeds_config", "run_feed",
    "verify_delivery",
]
