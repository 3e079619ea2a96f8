"""The operational store: its URL, its DDL (the contract) and the deterministic demo generator."""

from antismuggling.store.generate import GenerationSummary, generate_store
from antismuggling.store.schema import PRIMARY_KEYS, TABLES, StoreNotEmptyError, create_schema
from antismuggling.store.urls import StoreURL, parse_store_url, redact_url

__all__ = [
    "PRIMARY_KEYS",
    "TABLES",
    "GenerationSummary",
    "StoreNotEmptyError",
    "StoreURL",
    "create_schema",
    "generate_store",
    "parse_store_url",
    "redact_url",
]
