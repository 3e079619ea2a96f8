"""Audit log: who signed in (or failed to), looked up a CNIC or vehicle, revealed an identity
or downloaded a table, and when. For the Director General and administrators."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pandas as pd
import streamlit as st

from dashboard import auth, ui
from dashboard.formatting import today_pkt

PAGE = "audit"
PAGE_TITLE = "Audit log"
MAX_ROWS = 5000
AUDITED_ACTIONS = (
    "login", "login_failed", "lockout", "login_refused_locked", "login_refused_disabled",
    "address_throttled", "login_refused_throttled", "logout",
    "session_expired", "cnic_lookup", "vehicle_lookup", "reveal", "download",
    "user_add", "user_disable", "user_enable", "user_unlock", "user_reset_password", "user_set_role",
    "feed_delivery", "feed_delivery_failed", "feed_delivery_abandoned",
)


def render() -> None:
    left, middle, right = st.columns([2, 2, 2])
    since = left.date_input("Since (PKT)", value=today_pkt() - timedelta(days=30), key=f"{PAGE}_since", format="DD/MM/YYYY")
    user = middle.text_input("User ID", key=f"{PAGE}_user", max_chars=32).strip().lower() or None
    action = right.selectbox("Action", AUDITED_ACTIONS, index=None, placeholder="Any action", key=f"{PAGE}_action")
    # PKT midnight is 19:00 UTC the day before
    since_utc = datetime.combine(since, time()) - timedelta(hours=5) if since else None
    rows = pd.DataFrame(auth.user_store().audit_rows(limit=MAX_ROWS, username=user, action=action, since=since_utc))
    if rows.empty:
        ui.empty("No audit entries match.")
        return
    rows["at_pkt"] = pd.to_datetime(rows["at_utc"], utc=True).dt.tz_convert("Asia/Karachi").dt.tz_localize(None)
    shown = rows[["at_pkt", "username", "action", "target", "n_rows", "detail", "client"]]
    ui.table(
        shown.rename(
            columns={
                "at_pkt": "When (PKT)",
                "username": "User",
                "action": "Action",
                "target": "What",
                "n_rows": "Rows",
                "detail": "Detail",
                "client": "From",
            }
        ),
        name="audit log",
        key=f"{PAGE}_log",
        export=shown,
        column_config={
            "When (PKT)": st.column_config.DatetimeColumn("When (PKT)", format="DD MMM YYYY, HH:mm:ss"),
            "Rows": ui.count_column("Rows"),
        },
    )
    note = f"Newest first; at most {MAX_ROWS:,} entries." if len(rows) >= MAX_ROWS else "Newest first."
    st.caption(note + " The log is append-only: entries cannot be changed or deleted. "
               "`antismuggling audit export` writes all of it to a CSV file.")


ui.run_administration_page(
    PAGE_TITLE,
    lambda principal: principal.can_view_audit,
    "The audit log is for the Director General and administrators.",
    render,
)
