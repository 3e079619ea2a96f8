"""Streamlit entry point: sign-in, page config and navigation. Each page lives in ``views/``.

Not ``pages/``: a folder of that name beside this script switches on Streamlit's legacy
multipage mode, which lists the page files in the sidebar before anyone has signed in.

Run with ``uv run streamlit run dashboard/app.py``. Nothing renders before sign-in
(:mod:`dashboard.auth`); each role gets the pages it may use, and every page reads the
published marts through :mod:`dashboard.data`, which shows each user only their scope. The
period and formation filters follow the user from page to page and live in the URL
(:mod:`dashboard.filters`).
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from dashboard import auth, server_hardening

_DASHBOARD_DIR = Path(__file__).resolve().parent

APP_TITLE = "Anti-Smuggling Analytics"
PAGES_DIR = _DASHBOARD_DIR / "views"

server_hardening.install()  # before anything is drawn: downloads expire, metrics say nothing
st.set_page_config(page_title=APP_TITLE, page_icon="🛃", layout="wide")

principal = auth.require_principal()

# No ``:material/`` icons: the browser would fetch them from the internet.
DATA_PAGES = {
    "Leadership": [
        st.Page(PAGES_DIR / "overview.py", title="Overview", url_path="overview", default=True),
        st.Page(PAGES_DIR / "formation.py", title="Formation accountability", url_path="formation"),
    ],
    "Analysis": [
        st.Page(PAGES_DIR / "commodities.py", title="Commodities", url_path="commodities"),
        st.Page(PAGES_DIR / "routes.py", title="Routes", url_path="routes"),
        st.Page(PAGES_DIR / "officers.py", title="Officer performance", url_path="officers"),
    ],
    "Look-up": [
        st.Page(PAGES_DIR / "vehicles.py", title="Vehicle look-up", url_path="vehicles"),
        st.Page(PAGES_DIR / "offenders.py", title="Offender profile", url_path="offenders"),
    ],
    "Data": [
        st.Page(PAGES_DIR / "data_quality.py", title="Data quality and freshness", url_path="data-quality"),
    ],
}


def pages_for(
    role_sees_data: bool, views_audit: bool, manages_users: bool, views_feeds: bool = False
) -> dict[str, list]:
    pages = dict(DATA_PAGES) if role_sees_data else {}
    administration = []
    if views_audit:
        administration.append(
            st.Page(PAGES_DIR / "audit.py", title="Audit log", url_path="audit", default=not role_sees_data)
        )
    if views_feeds:
        administration.append(st.Page(PAGES_DIR / "feeds.py", title="Partner feeds", url_path="partner-feeds"))
    if manages_users:
        administration.append(st.Page(PAGES_DIR / "users.py", title="Users", url_path="users"))
    if administration:
        pages["Administration"] = administration
    return pages


with st.sidebar:
    st.markdown(f"### {APP_TITLE}")
    st.caption("Seizure intelligence from the published marts")
    auth.sidebar_identity(principal)

st.navigation(
    pages_for(principal.sees_data, principal.can_view_audit, principal.can_manage_users, principal.can_view_feeds),
    position="sidebar",
).run()
