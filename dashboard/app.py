"""Streamlit entry point: page config and navigation. Each page lives in ``pages/``.

Run with ``uv run streamlit run dashboard/app.py``. Pages read the published marts through
:mod:`dashboard.data` only; the period and formation filters follow the user from page to
page and live in the URL (:mod:`dashboard.filters`).
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

_DASHBOARD_DIR = Path(__file__).resolve().parent

APP_TITLE = "Anti-Smuggling Analytics"
PAGES_DIR = _DASHBOARD_DIR / "pages"

st.set_page_config(page_title=APP_TITLE, page_icon="🛃", layout="wide")

# No ``:material/`` icons: the browser would fetch them from the internet.
PAGES = {
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

with st.sidebar:
    st.markdown(f"### {APP_TITLE}")
    st.caption("Seizure intelligence from the published marts")

st.navigation(PAGES, position="sidebar").run()
