"""Streamlit entry point: page config and navigation. Each page lives in ``pages/``.

Run with ``uv run streamlit run dashboard/app.py``. Pages read the published marts through
:mod:`dashboard.data` only.
"""

from __future__ import annotations

import sys
from pathlib import Path

_DASHBOARD_DIR = Path(__file__).resolve().parent
_PROJECT_ROOT = str(_DASHBOARD_DIR.parent)
if _PROJECT_ROOT not in sys.path:  # make `dashboard` importable from the pages
    sys.path.insert(0, _PROJECT_ROOT)

import streamlit as st  # noqa: E402

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
