"""The Streamlit dashboard: ``app.py`` is the entry point, one file per page under ``pages/``.

Only :mod:`dashboard.data` runs queries; :mod:`dashboard.formatting` formats numbers and
times; :mod:`dashboard.ui` holds the scaffolding every page shares.
"""
