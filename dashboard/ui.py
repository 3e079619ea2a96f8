"""Page scaffolding shared by every dashboard page: the "nothing published" state and the
freshness line. Queries stay in :mod:`dashboard.data`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone

import duckdb
import streamlit as st

from dashboard import data
from dashboard.formatting import format_pkt

NOTHING_PUBLISHED_TITLE = "No marts have been published yet."


def show_nothing_published() -> None:
    st.info(
        f"**{NOTHING_PUBLISHED_TITLE}**\n\n"
        "Run `antismuggling refresh` to load the operational store, build the marts and "
        "publish them, then reload this page.\n\n"
        f"Looked for published marts in `{data.published_dir()}`.",
        icon=":material/info:",
    )


def run_page(title: str, render: Callable[[str], None]) -> None:
    """Title the page, then render it against the current snapshot, or explain why there is
    nothing to show.

    ``render`` receives the snapshot key to pass to the :mod:`dashboard.data` functions.
    """
    st.title(title)
    snapshot = data.current_snapshot()
    if snapshot is None:
        show_nothing_published()
        return
    try:
        render(snapshot)
    except data.NothingPublishedError:
        show_nothing_published()
    except data.SnapshotChanged:
        # A refresh published new marts mid-render: start over on the new snapshot.
        st.rerun()
    except (duckdb.CatalogException, duckdb.BinderException) as exc:
        st.error(
            "The published marts do not have the tables or columns this page needs; they may "
            "come from an older version of the pipeline. Run `antismuggling refresh` to "
            f"publish them again.\n\nDetail: `{exc}`",
            icon=":material/error:",
        )


def _age(published_at: datetime | None) -> str:
    if published_at is None:
        return ""
    moment = published_at if published_at.tzinfo else published_at.replace(tzinfo=timezone.utc)
    seconds = (datetime.now(timezone.utc) - moment).total_seconds()
    if seconds < 0:
        return ""
    if seconds < 90:
        return "just now"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min ago"
    if seconds < 36 * 3600:
        return f"{seconds / 3600:.0f} h ago"
    return f"{seconds / 86400:.0f} days ago"


def freshness_caption(snapshot: str) -> None:
    """One line under a page title: when the marts were published, and up to when the source."""
    info = data.publish_info(snapshot)
    age = _age(info.published_at)
    parts = [f"Marts published {format_pkt(info.published_at)}" + (f" ({age})" if age else "")]
    watermark = info.details.get("source_watermark")
    if watermark:
        parts.append(f"source data changed up to {format_pkt(str(watermark))}")
    st.caption(" · ".join(parts))
