"""Partner feeds: what goes to n-CEN, the National Targeting Center, the Single Window and the
partner LEAs, on which schedule, whether it arrived, and column by column what each carries.
For the Director General and administrators.

Read from the feeds configuration, the dbt contracts of the feed models and the delivery
ledger (``<home>/feeds/ledger.db``); never from the feeds' rows, which no reader's view of a
snapshot holds.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from antismuggling.config import load_settings
from dashboard import ui
from dashboard.formatting import MISSING, format_pkt, to_pkt

PAGE = "partner_feeds"
PAGE_TITLE = "Partner feeds"
HISTORY_ROWS = 500
MAX_FAILURES = 20


def _rows(d) -> str:
    return f"I {d.rows_i:,} · U {d.rows_u:,} · D {d.rows_d:,}"


def _local(moment) -> str:
    return MISSING if moment is None else f"{moment:%Y-%m-%d %H:%M} {moment.tzname()}"


def _delivered(d) -> str:
    if d is None:
        return "never"
    local = to_pkt(d.finished_at or d.created_at)
    return f"{local:%Y-%m-%d %H:%M} · seq {d.seq}" if local else f"seq {d.seq}"


def render() -> None:
    from antismuggling.feeds import FeedsConfigError, feed_history, load_feeds_config
    from antismuggling.feeds.catalogue import (
        FAILURE_WINDOW_DAYS, NEVER_IN_NON_NOMINAL, feed_columns, feed_statuses, personal_data_label,
    )
    from antismuggling.feeds.schedule import describe

    settings = load_settings()
    try:
        config = load_feeds_config(settings)
    except FeedsConfigError as exc:
        st.error(f"The feeds configuration does not load, so no feed runs until it is fixed: {exc}")
        return
    history = feed_history(settings, limit=None)
    statuses = feed_statuses(settings, config, history)
    failures = f"Failures ({FAILURE_WINDOW_DAYS} days)"

    overview = pd.DataFrame(
        {
            "Feed": [s.feed.id for s in statuses],
            "Personal data": [personal_data_label(s.feed) for s in statuses],
            # the mode beside the schedule, and the long partner names last, keep what a
            # reader checks (last and next delivery, failures) within the page
            "Deliveries": [f"{s.feed.mode}, " + (describe(s.feed.schedule, s.feed.timezone) if s.feed.enabled
                                                   else "switched off") for s in statuses],
            "Last delivery": [_delivered(s.last_delivered) for s in statuses],
            "Next delivery": [_local(s.next_delivery) for s in statuses],
            failures: [s.failures for s in statuses],
            "Partner": [s.feed.partner for s in statuses],
        }
    )
    st.subheader("Feeds")
    ui.table(overview, name="partner feeds", key=f"{PAGE}_overview", column_config={failures: ui.count_column(failures)})
    recent = [d for d in history if d.status in ("failed", "abandoned")][:MAX_FAILURES]
    if recent:
        st.markdown("**Recent failures** (nothing was recorded as delivered; the next run sends what they missed)")
        ui.table(
            pd.DataFrame({
                "When (PKT)": [format_pkt(d.finished_at or d.created_at) for d in recent],
                "Feed": [d.feed for d in recent],
                "Destination": [d.destination for d in recent],
                "Status": [d.status for d in recent],
                "Error": [d.error or "" for d in recent],
            }),
            name="feed failures", key=f"{PAGE}_failures",
        )
    st.caption(
        "Each delivery is a signed folder a partner checks with `gpg --verify manifest.json.asc manifest.json` and "
        "`antismuggling feeds verify FOLDER --key KEY`; `antismuggling feeds key export` gives the public key. "
        "Configuration: " + ", ".join(f"`{p}`" for p in config.sources) + "."
    )

    st.subheader("What each feed carries")
    chosen = st.selectbox("Feed", [s.feed.id for s in statuses], key=f"{PAGE}_feed",
                          format_func=lambda f: f"{f}: {config.feed(f).partner}")
    feed = config.feed(chosen)
    status = next(s for s in statuses if s.feed.id == chosen)
    columns = feed_columns(feed)
    last = status.last_delivered
    st.markdown(
        f"**{feed.partner}**: personal data {personal_data_label(feed)}, {feed.mode} deliveries of "
        + ", ".join(f"`{e.name}`" for e in feed.entities)
        + (f", only cases with {', '.join(f'{c} in {list(v)}' for c, v in feed.filter)}" if feed.filter else "")
        + f", {feed.format.upper()}, to " + ", ".join(f"`{d}`" for d in feed.destinations) + ". "
        + (f"Last delivery: seq {last.seq} ({last.mode}, {_rows(last)}) to `{last.destination}`."
           if last else "Not delivered yet.")
    )
    if not feed.nominal:
        st.caption("Never carries: " + "; ".join(NEVER_IN_NON_NOMINAL) + ".")
    carried = pd.DataFrame(
        {
            "File": [f"{c.entity}.{feed.format}" for c in columns],
            "Column": [c.column for c in columns],
            "Type": [c.type for c in columns],
            "Key": ["key" if c.key else "" for c in columns],
            "What it holds": [c.description for c in columns],
        }
    )
    ui.table(carried, name=f"feed {feed.id} columns", key=f"{PAGE}_columns", height=420, column_config={
        "File": st.column_config.TextColumn("File", width="small"),
        "Column": st.column_config.TextColumn("Column", width="medium"),
        "Type": st.column_config.TextColumn("Type", width="small"),
        "Key": st.column_config.TextColumn("Key", width="small"),
        "What it holds": st.column_config.TextColumn("What it holds", width="large"),
    })

    st.subheader("Deliveries")
    shown = history[:HISTORY_ROWS]
    if not shown:
        ui.empty("No feed has been delivered yet: the schedules run them, or `antismuggling feeds run FEED`.")
        return
    deliveries = pd.DataFrame(
        {
            "When (PKT)": [format_pkt(d.finished_at or d.created_at) for d in shown],
            "Feed": [d.feed for d in shown],
            "Destination": [d.destination for d in shown],
            "Seq": [d.seq for d in shown],
            "Mode": [d.mode for d in shown],
            "Status": [d.status for d in shown],
            "I": [d.rows_i for d in shown],
            "U": [d.rows_u for d in shown],
            "D": [d.rows_d for d in shown],
            "Started by": [d.started_by or MISSING for d in shown],
            "Error": [d.error or "" for d in shown],
            "Manifest SHA-256": [d.manifest_sha256 or MISSING for d in shown],
        }
    )
    ui.table(deliveries, name="feed deliveries", key=f"{PAGE}_deliveries",
             column_config={c: ui.count_column(c) for c in ("Seq", "I", "U", "D")})
    note = f"Newest first; the latest {HISTORY_ROWS:,}." if len(history) > HISTORY_ROWS else "Newest first."
    st.caption(note + " Every delivery is also in the audit log (actions feed_delivery, feed_delivery_failed).")


ui.run_administration_page(
    PAGE_TITLE,
    lambda principal: principal.can_view_feeds,
    "The partner feeds page is for the Director General and administrators.",
    render,
)
