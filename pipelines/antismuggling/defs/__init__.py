"""Dagster definitions, one module per domain, merged in ``antismuggling.definitions``."""
