"""Streamlit entry point: page config and navigation. Each page lives in ``pages/``.

Run with ``uv run streamlit run dashboard/app.py``. Pages read the published marts through
:mod:`dashboard.data` only.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

_DASHBOARD_DIR = Path(__file__).resolve().parent

APP_TITLE = "Anti-Smuggling Analytics"
PAGES_DIR = _DASHBOARD_DIR / "pages"

st.set_page_config(page_title=APP_TITLE, page_icon="🛃", layout="wide")

# One st.Page per file under pages/; add new pages here (a section per audience when there
# are enough of them).
pages = [
    st.Page(PAGES_DIR / "overview.py", title="Overview", icon=":material/dashboard:", default=True),
]

with st.sidebar:
    st.markdown(f"### {APP_TITLE}")
    st.caption("Seizure intelligence from the published marts")

st.navigation(pages, position="sidebar").run()
