"""Shared fixtures: a real PostgreSQL server and a warehouse built by the real pipeline."""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import pytest

from postgres_server import PostgresServer, PostgresUnavailable

SHARED_DIR = Path(__file__).resolve().parents[2] / "shared"
HS2022_CSV = SHARED_DIR / "reference" / "hs2022" / "harmonized-system.csv"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

_database_numbers = itertools.count(1)


@pytest.fixture(scope="session")
def postgres_server():
    try:
        server = PostgresServer().start()
    except PostgresUnavailable as exc:
        if IN_CI:
            raise
        pytest.skip(f"{exc}; .ci/run installs it")
    server.wait_ready()
    yield server
    server.stop()


@pytest.fixture
def pg_url(postgres_server) -> str:
    """A fresh, empty database on the test server."""
    return postgres_server.create_database(f"ops_{os.getpid()}_{next(_database_numbers)}")


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    """An empty data directory, made the current one for the test."""
    data = tmp_path / "home"
    monkeypatch.setenv("ANTISMUGGLING_HOME", str(data))
    monkeypatch.delenv("ANTISMUGGLING_OPS_URL", raising=False)
    return data


@pytest.fixture(scope="session")
def published_settings(tmp_path_factory):
    """A small generated store, fully refreshed and published by the real pipeline."""
    from antismuggling.config import load_settings
    from antismuggling.refresh import run_refresh
    from antismuggling.store.generate import generate_store

    root = tmp_path_factory.mktemp("published")
    saved = {k: os.environ.get(k) for k in ("ANTISMUGGLING_HOME", "ANTISMUGGLING_OPS_URL")}
    os.environ["ANTISMUGGLING_HOME"] = str(root / "home")
    os.environ["ANTISMUGGLING_OPS_URL"] = f"sqlite:///{root / 'ops.db'}"
    settings = load_settings()
    generate_store(settings.ops_url, 3000, 7, progress=False)
    outcome = run_refresh(settings, full=True)
    assert outcome.success, outcome.error
    yield settings
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
