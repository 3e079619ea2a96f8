"""Quoting for the few statements DuckDB cannot parameterise (ATTACH, LOAD)."""


def quote_literal(text: str) -> str:
    """A SQL string literal: single quotes doubled, no other escapes needed in DuckDB."""
    return "'" + str(text).replace("'", "''") + "'"
