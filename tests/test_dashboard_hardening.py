"""What the dashboard's server gives away without a sign-in, and what a guesser can try.

* Downloads (:mod:`dashboard.server_hardening`): a built file has a random URL, is served
  only for ``ANTISMUGGLING_DOWNLOAD_SECONDS`` and then answers 404; its content's hash (the
  URL stock Streamlit would give it, which anyone who can reproduce the table can work out)
  names nothing. Checked against a real ``streamlit run`` with plain HTTP, after a real
  browser built the download.
* ``/_stcore/metrics`` reports nothing; no other site's frame may drive the app; the agent
  API is off.
* Failed sign-ins from one address, over any accounts, pause that address (audited).
* No SQL the dashboard runs, for any role and any input, names the attached snapshot: every
  query reads the scoped views.
"""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from urllib.parse import urlparse

import duckdb
import pandas as pd
import pytest
from streamlit.runtime.media_file_storage import MediaFileKind, MediaFileStorageError
from streamlit.runtime.memory_media_file_storage import (
    MemoryMediaFileStorage,
    _calculate_file_id,
    get_extension_for_mimetype,
)
from streamlit.testing.v1 import AppTest

from access_helpers import use_cheap_argon2
from antismuggling.access import policy
from antismuggling.access.scope import SNAPSHOT_ALIAS
from antismuggling.access.store import UserStore
from antismuggling.config import load_settings
from apptest_helpers import APP, TEST_PASSWORD, assert_clean, open_app, sign_in, snapshot_scalar, texts, user_for
from browser import DashboardServer, launch_chromium, require_browser, sign_in as browser_sign_in, wait_until_idle
from dashboard.server_hardening import ExpiringDownloads, expire_downloads

DOWNLOAD_SECONDS = 5  # the test server's lifetime of a download (60 in production)
SIGN_IN_TITLE = "Anti-Smuggling Analytics"


def _get(url: str, method: str = "GET") -> tuple[int, bytes]:
    """A plain HTTP request, without the browser's cookies or session."""
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method=method), timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, b""


def _audit(action: str) -> pd.DataFrame:
    rows = UserStore.from_settings(load_settings()).audit_rows(limit=10_000, action=action)
    return pd.DataFrame(rows, columns=["seq", "at_utc", "username", "action", "target", "n_rows", "detail", "client"])


# --------------------------------------------------------------------------- downloads


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_download_file_has_a_random_name_and_a_short_life():
    storage, clock = MemoryMediaFileStorage("/media"), _Clock()
    expire_downloads(storage, 60, clock)
    assert isinstance(storage, ExpiringDownloads)
    expire_downloads(storage, 60, clock)  # installing twice changes nothing
    content = b"case_no,value\n1,2\n"
    first = storage.load_and_get_id(content, "text/csv", MediaFileKind.DOWNLOADABLE, "cases.csv")
    second = storage.load_and_get_id(content, "text/csv", MediaFileKind.DOWNLOADABLE, "cases.csv")
    assert len({first, second, _calculate_file_id(content, "text/csv", "cases.csv")}) == 3
    assert storage.get_url(first) == f"/media/{first}.csv"
    clock.now += 59
    assert storage.get_file(f"{first}.csv").content == content
    clock.now += 1
    with pytest.raises(MediaFileStorageError):
        storage.get_file(f"{first}.csv")
    with pytest.raises(MediaFileStorageError):
        storage.get_file(f"{second}.csv")
    # images and other media keep Streamlit's ids and stay while a session shows them
    image = storage.load_and_get_id(b"\x89PNG", "image/png", MediaFileKind.MEDIA)
    assert image == _calculate_file_id(b"\x89PNG", "image/png")
    clock.now += 3600
    assert storage.get_file(f"{image}.png").content == b"\x89PNG"


@pytest.fixture(scope="module")
def server(published_settings, tmp_path_factory):
    require_browser()
    log = tmp_path_factory.mktemp("streamlit-hardening") / "streamlit.log"
    dashboard = DashboardServer(
        published_settings.home, log_path=log, env={policy.DOWNLOAD_SECONDS_ENV: str(DOWNLOAD_SECONDS)}
    )
    dashboard.start()
    yield dashboard
    dashboard.stop()


@pytest.fixture(scope="module")
def signed_in_page(server):
    """A browser signed in as a Director General on the overview (so app.py has run)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
        page.goto(server.url)
        wait_until_idle(page, timeout=120)
        browser_sign_in(page, user_for("dg"), TEST_PASSWORD)
        yield page
        browser.close()


def test_a_download_is_served_for_seconds_and_to_nobody_who_works_out_its_name(server, signed_in_page, tmp_path):
    page = signed_in_page
    downloads_before = len(_audit("download"))
    with page.expect_download() as download:
        page.get_by_role("button", name="Download CSV").first.click()
    built_at = time.monotonic()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)  # the browser gets its file (Streamlit's frontend fetches it twice)
    url = download.value.url
    assert urlparse(url).path.startswith("/media/")
    downloads = _audit("download")
    assert len(downloads) == downloads_before + 1  # the click was audited, from this machine
    assert downloads.iloc[0]["client"] == "localhost"

    # The URL stock Streamlit would serve this file at, which a client who can rebuild the
    # table (another user of the same scope, say) can work out from its content: nothing there.
    content = saved.read_bytes()
    name_from_content = _calculate_file_id(content, "text/csv", saved.name) + get_extension_for_mimetype("text/csv")
    assert urlparse(url).path != f"/media/{name_from_content}"
    assert _get(f"{server.url}/media/{name_from_content}")[0] == 404

    # The real URL, without the session's cookies: only within its few seconds (only that
    # session was told it), then never again, not even a HEAD.
    status, body = _get(url)
    if time.monotonic() - built_at < DOWNLOAD_SECONDS - 1:
        assert (status, body) == (200, content)
    time.sleep(max(0.0, built_at + DOWNLOAD_SECONDS + 0.5 - time.monotonic()))
    assert _get(url)[0] == 404
    assert _get(url, "HEAD")[0] == 404
    assert len(_audit("download")) == downloads_before + 1


def test_the_metrics_endpoint_reports_nothing(server, signed_in_page):
    status, body = _get(f"{server.url}/_stcore/metrics")
    lines = [line for line in body.decode().splitlines() if line and not line.startswith("#")]
    assert status == 200 and lines == [], lines[:5]


def test_no_other_site_may_drive_the_app_and_the_agent_api_is_off(server):
    status, body = _get(f"{server.url}/_stcore/host-config")
    assert status == 200 and json.loads(body)["allowedOrigins"] == []
    status, body = _get(f"{server.url}/_stcore/agent/openapi.json")
    assert json.loads(body)["info"]["x-streamlit-agent-api"] == "disabled"


# --------------------------------------------------------------------------- sign-in throttle


def test_failed_sign_ins_from_one_address_pause_it(published_settings, monkeypatch):
    from dashboard import auth

    use_cheap_argon2(monkeypatch)
    guesser, colleague = "10.9.8.7", "10.9.8.6"
    address = {"now": guesser}
    monkeypatch.setattr(auth, "client", lambda: address["now"])
    victim = user_for("analyst")
    store = UserStore.from_settings(load_settings())
    at = AppTest.from_file(str(APP), default_timeout=120).run()
    # guesses spread over many accounts, none of them locked by its own count
    for n in range(policy.MAX_FAILED_ATTEMPTS_PER_ADDRESS):
        sign_in(at, f"guess.{n % 7}", "Wrong-Password-123!")
        assert texts(at.warning) == "Wrong user ID or password."
    sign_in(at, victim, TEST_PASSWORD)  # even the right password: the address is paused
    assert "Too many failed sign-ins from your network address" in texts(at.warning)
    assert [t.value for t in at.title] == [SIGN_IN_TITLE]
    assert store.get(victim).failed_attempts == 0  # the account itself was never tried

    address["now"] = colleague  # someone else, elsewhere, signs in as usual
    sign_in(at, victim, TEST_PASSWORD)
    assert_clean(at)
    assert [t.value for t in at.title] != [SIGN_IN_TITLE]

    throttled = _audit("address_throttled")
    assert (throttled["client"] == guesser).sum() == 1
    refused = _audit("login_refused_throttled")
    assert ((refused["client"] == guesser) & (refused["username"] == victim)).sum() == 1


def test_an_address_is_paused_for_the_lockout_window_only(home, monkeypatch):
    use_cheap_argon2(monkeypatch)
    store = UserStore(home / "access" / "users.db", lockout_minutes=15)
    store.add_user("alice", "analyst", TEST_PASSWORD, actor="test")
    start = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    for n in range(policy.MAX_FAILED_ATTEMPTS_PER_ADDRESS):
        store.authenticate(f"nobody{n}", "Wrong-Password-123!", client="10.0.0.9", now=start + timedelta(seconds=n))
    assert store.authenticate("alice", TEST_PASSWORD, client="10.0.0.9", now=start + timedelta(minutes=1)).reason == "throttled"
    assert store.authenticate("alice", TEST_PASSWORD, client="", now=start + timedelta(minutes=1)).ok  # the command line
    assert store.authenticate("alice", TEST_PASSWORD, client="10.0.0.10", now=start + timedelta(minutes=1)).ok
    # the first failures leave the window: the address may try again
    assert store.authenticate("alice", TEST_PASSWORD, client="10.0.0.9", now=start + timedelta(minutes=15, seconds=1)).ok


# --------------------------------------------------------------------------- no SQL reaches the snapshot


def _tables_and_functions(sql: str) -> list[tuple[str, str, str, str]]:
    """(kind, catalog, schema, name) of every table and table function ``sql`` reads, from
    DuckDB's own parser."""
    con = duckdb.connect()
    try:
        tree = json.loads(con.execute("select json_serialize_sql(?)", [sql]).fetchone()[0])
    finally:
        con.close()
    assert not tree.get("error"), (sql, tree.get("error_message"))
    found = []

    def walk(node) -> None:
        if isinstance(node, dict):
            if node.get("type") == "BASE_TABLE":
                found.append(("table", node.get("catalog_name") or "", node.get("schema_name") or "", node["table_name"]))
            elif node.get("type") == "TABLE_FUNCTION":
                found.append(("function", "", "", (node.get("function") or {}).get("function_name", "")))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(tree)
    return found


def _reaches_beyond_the_views(sql: str) -> list[tuple[str, str, str, str]]:
    """What ``sql`` reads other than the scoped views (or its own CTEs and a series of dates)."""
    return [
        ref for ref in _tables_and_functions(sql)
        if (ref[0] == "table" and (ref[1] != "" or ref[2] not in ("marts", "meta", "information_schema", "")))
        or (ref[0] == "function" and ref[3] != "generate_series")
    ] + ([("text", "", "", SNAPSHOT_ALIAS)] if re.search(rf"\b{SNAPSHOT_ALIAS}\b", sql) else [])


def test_the_sql_checker_sees_a_query_of_the_snapshot():
    assert _reaches_beyond_the_views(f"select * from {SNAPSHOT_ALIAS}.marts.fct_cases")
    assert _reaches_beyond_the_views(f"select * from query_table('{SNAPSHOT_ALIAS}.marts.fct_cases')")
    assert _reaches_beyond_the_views("select * from read_csv('/etc/passwd')")
    assert not _reaches_beyond_the_views("with m as (select 1) select * from m join marts.fct_cases using (case_id)")


@pytest.mark.parametrize("role", ["dg", "analyst", "formation_officer"])
def test_no_query_of_any_page_names_the_snapshot(published_settings, monkeypatch, role):
    """The scoped views are the only way to the snapshot the dashboard takes: materialising
    them and detaching the snapshot costs 0.5 to 3 s and 90 to 440 MB per connection on a
    100k-case store (a connection is opened per page run), so this proves instead that no
    query names it, on every page, look-up and download of each role, hostile input included."""
    from dashboard import data

    executed: list[str] = []
    execute = data._ScopedConnection.execute

    def recording(self, sql, params=None):
        executed.append(sql)
        return execute(self, sql, params)

    monkeypatch.setattr(data._ScopedConnection, "execute", recording)
    formations = ()
    if role == "formation_officer":
        formations = (snapshot_scalar(published_settings, "select min(formation_code) from marts.fct_cases"),)
    at = open_app(role, formations)
    for page in ("formation", "commodities", "routes", "officers", "data_quality", "vehicles", "offenders"):
        at.switch_page(f"views/{page}.py").run()
        assert_clean(at)
    for typed in ("' OR 1=1 --", f"x'); select * from {SNAPSHOT_ALIAS}.marts.dim_offenders; --", "35202-1234567-1"):
        at.switch_page("views/vehicles.py").run()
        at.text_input(key="vehicles_query").input(typed).run()
        at.switch_page("views/offenders.py").run()
        at.text_input(key="offenders_query").input(typed).run()
        assert_clean(at)
    assert len(executed) > 20
    beyond = {sql: _reaches_beyond_the_views(sql) for sql in set(executed)}
    assert not {sql: refs for sql, refs in beyond.items() if refs}
