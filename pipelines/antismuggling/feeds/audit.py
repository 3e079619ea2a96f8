"""Every delivery in the installation's append-only audit trail (the dashboard's and the CLI's).

After each run of a feed, every finished delivery of the ledger that the trail does not hold
yet is appended (:func:`audit_deliveries`), then marked ``audited`` in the ledger. So a
delivery adopted after a crash is audited by the run that adopted it, and one whose audit row
could not be written (the user store locked or unwritable) by the next run: at least once,
never lost. One row per delivery:

=========  ===========================================================================
username   who or which schedule started it (``cli:<user>``, ``dagster:schedule <name> run <id>``)
action     ``feed_delivery`` (delivered), ``feed_delivery_failed``, ``feed_delivery_abandoned``
target     ``<feed>/<destination>/<folder>``
n_rows     data rows delivered (I + U + D)
detail     ``feed=… destination=… seq=… mode=… I=… U=… D=… manifest_sha256=… snapshot=… location=…``
           (and ``error=…`` for one that did not arrive)
client     the host that ran it
=========  ===========================================================================
"""

from __future__ import annotations

import socket
from collections.abc import Callable

from antismuggling.config import Settings
from antismuggling.feeds.ledger import Delivery, Ledger

ACTIONS = {
    "delivered": "feed_delivery",
    "failed": "feed_delivery_failed",
    "abandoned": "feed_delivery_abandoned",
}
MAX_ERROR = 300


def audit_fields(delivery: Delivery) -> dict:
    """The audit row of one finished delivery (keyword arguments of ``UserStore.audit``)."""
    rows = delivery.rows_by_op
    parts = [
        f"feed={delivery.feed}", f"destination={delivery.destination}", f"seq={delivery.seq}",
        f"previous_seq={delivery.previous_seq if delivery.previous_seq is not None else '-'}",
        f"mode={delivery.mode}", f"I={rows['I']}", f"U={rows['U']}", f"D={rows['D']}",
        f"manifest_sha256={delivery.manifest_sha256 or '-'}", f"snapshot={delivery.snapshot or '-'}",
        f"location={delivery.location or '-'}",
    ]
    if delivery.status != "delivered" and delivery.error:
        error = " ".join(delivery.error.split())
        parts.append(f"error={error[:MAX_ERROR]}{'…' if len(error) > MAX_ERROR else ''}")
    return {
        "username": delivery.started_by or "unknown",
        "action": ACTIONS[delivery.status],
        "target": f"{delivery.feed}/{delivery.destination}/{delivery.folder or delivery.seq}",
        "n_rows": sum(rows.values()) if delivery.status == "delivered" else 0,
        "detail": " ".join(parts),
    }


def audit_deliveries(settings: Settings, ledger: Ledger, log: Callable[[str], None] | None = None) -> int:
    """Append every finished, not yet audited delivery to the audit trail; how many were."""
    from antismuggling.access.store import UserStore

    pending = ledger.unaudited()
    if not pending:
        return 0
    done = 0
    try:
        store = UserStore.from_settings(settings)
        client = socket.gethostname()
        for delivery in pending:
            store.audit(client=client, **audit_fields(delivery))
            ledger.mark_audited(delivery.id)
            done += 1
    except Exception as exc:  # noqa: BLE001 - the delivery stands; its audit row comes with the next run
        if log:
            log(f"could not write the audit trail ({type(exc).__name__}: {exc}); the next run of a feed writes it")
    return done
