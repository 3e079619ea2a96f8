"""The Streamlit dashboard: ``app.py`` is the entry point, one file per page under ``views/``.

Only :mod:`dashboard.data` runs queries; :mod:`dashboard.formatting` formats numbers and
times; :mod:`dashboard.ui` holds the scaffolding every page shares (page frame, charts,
tables with CSV / Excel downloads); :mod:`dashboard.filters` keeps the period and formation
filters (and each page's own choices) across pages and in the URL; :mod:`dashboard.search_keys`
normalises a typed vehicle number or CNIC the way the marts do.
"""
