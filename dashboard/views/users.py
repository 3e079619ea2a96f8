"""Users of the dashboard, their roles and state (administrators only). Changes are made with
``antismuggling users …`` on the server, where they are recorded in the audit log."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import auth, ui

PAGE = "users"
PAGE_TITLE = "Users"


def render() -> None:
    users = auth.user_store().list_users()
    if not users:
        ui.empty("No users yet: add them with `antismuggling users add`.")
        return
    table = pd.DataFrame(
        {
            "User": [u.username for u in users],
            "Name": [u.display_name or "" for u in users],
            "Role": [auth.ROLE_LABELS.get(u.role, u.role) for u in users],
            "Formations": [", ".join(u.formations) or "all" for u in users],
            "State": [u.status() for u in users],
            "Last sign-in (UTC)": [u.last_login_at or "" for u in users],
        }
    )
    ui.table(table, name="users", key=f"{PAGE}_list")
    st.caption(
        "Add, disable, unlock or change a user on the server: `antismuggling users add|disable|enable|unlock|"
        "reset-password|set-role`. Passwords are stored only as argon2 hashes."
    )


ui.run_administration_page(
    PAGE_TITLE, lambda principal: principal.can_manage_users, "The user list is for administrators.", render
)
