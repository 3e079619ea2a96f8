"""Load DuckDB's sqlite and postgres scanners from the wheels installed with the project.

DuckDB would otherwise download them at run time, and customs networks are air-gapped.
"""

from __future__ import annotations

import atexit
import importlib
import os
import shutil
import tempfile
from functools import cache
from pathlib import Path

import duckdb

from antismuggling.sqltext import quote_literal

# DuckDB derives the entry point from the file name, so the packaged files are linked under
# the extension's canonical name.
_CANONICAL = {"sqlite": "sqlite_scanner", "postgres": "postgres_scanner"}


@cache
def _extension_file(name: str) -> Path:
    module = importlib.import_module(f"duckdb_extension_{name}")
    version = duckdb.__version__
    packaged = Path(module.__file__).parent / "extensions" / f"v{version}" / f"{name}.duckdb_extension"
    if not packaged.is_file():
        raise RuntimeError(
            f"the DuckDB {name} extension for DuckDB v{version} is not installed "
            f"(expected {packaged}); reinstall the project with `uv sync`"
        )
    # The link lives beside the packaged file when the environment is ours to write, else in a
    # folder of this process's own (mkdtemp: mode 0700): never in a shared, guessable /tmp path
    # where another account could plant a library for us to load.
    link_dir = packaged.parent if os.access(packaged.parent, os.W_OK) else _private_link_dir()
    link = link_dir / f"{_CANONICAL[name]}.duckdb_extension"
    if link.resolve() != packaged.resolve():
        tmp = link_dir / f".{link.name}.{os.getpid()}"
        tmp.unlink(missing_ok=True)
        tmp.symlink_to(packaged)
        tmp.replace(link)
    return link


@cache
def _private_link_dir() -> Path:
    path = Path(tempfile.mkdtemp(prefix="antismuggling-duckdb-ext-"))
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path


def load_extension(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Load the ``sqlite`` or ``postgres`` scanner into ``con`` without touching the network."""
    con.execute(f"load {quote_literal(str(_extension_file(name)))}")
