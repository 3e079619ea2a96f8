"""The dashboard in a real headless Chromium: `streamlit run dashboard/app.py` over the marts
the real pipeline published (``published_settings``), every page opened from the sidebar,
checked on what a user sees, photographed under tests/screenshots/, and not one request
leaving localhost (no CDN, no map tiles, no web fonts, no icons from the internet).

Needs Debian's ``chromium`` (``apt-get install -y chromium``) and the ``playwright`` Python
package (dev dependency; its own browser downloads are never used). Skipped with the reason
when Chromium is missing outside CI; fails in CI.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from urllib.parse import urlparse

import duckdb
import pytest

from antismuggling.access.store import UserStore
from antismuggling.config import load_settings
from apptest_helpers import NOT_AFTER_TODAY, TEST_PASSWORD, user_for
from browser import (
    PAGES,
    DashboardServer,
    RequestLog,
    choose_option,
    launch_chromium,
    main_text,
    require_browser,
    screenshot,
    sign_in,
    wait_until_idle,
)

SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
VIEWPORT = {"width": 1440, "height": 900}

# What each page must show once loaded (besides its title).
EXPECTED_TEXT = {
    "": ("Live cases", "Repeat vehicles", "Formation league table", "By seizure month", "Data freshness"),
    "formation": ("Backlog by seizure month and age", "Upload lag: days from seizure to entry", "Officers"),
    "commodities": ("Seized goods value by HS code", "HS sections", "Notified items"),
    "routes": ("Origin → seizure point → destination", "Seizure points and routes", "Routes"),
    "officers": ("Officers credited", "Distribution", "An officer's cases"),
    "vehicles": ("Registration, chassis or engine number", "Vehicles seized again"),
    "offenders": ("CNIC", "Repeat offenders"),
    "data-quality": ("Freshness", "Rows quarantined", "By check and formation", "Source data changed up to"),
}
CHARTS_EXPECTED = {"": 5, "formation": 4, "commodities": 2, "routes": 2, "officers": 1, "data-quality": 2}


@pytest.fixture(scope="module")
def dashboard(published_settings, tmp_path_factory):
    require_browser()
    log = tmp_path_factory.mktemp("streamlit") / "streamlit.log"
    server = DashboardServer(published_settings.home, log_path=log)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def chromium(dashboard):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def browser(dashboard, chromium):
    """One page signed in as a Director General, shared by the tests in order."""
    context = chromium.new_context(viewport=VIEWPORT, device_scale_factor=1)
    page = context.new_page()
    requests = RequestLog(page)
    page.goto(dashboard.url)
    wait_until_idle(page, timeout=120)
    sign_in(page, user_for("dg"), TEST_PASSWORD)
    yield page, requests
    context.close()


def _assert_no_errors(page) -> None:
    exceptions = page.locator('[data-testid="stException"]')
    assert exceptions.count() == 0, exceptions.first.inner_text()
    errors = page.locator('[data-testid="stAlertContentError"]')
    assert errors.count() == 0, errors.first.inner_text()


def _open_from_sidebar(page, title: str) -> None:
    page.locator('[data-testid="stSidebarNav"]').get_by_text(title, exact=True).click()
    wait_until_idle(page, expect_run=True)


def _snapshot_value(settings, sql: str, params: list | None = None):
    from antismuggling.publish import current_snapshot_path

    con = duckdb.connect(str(current_snapshot_path(settings)), read_only=True)
    try:
        return con.execute(sql, params or []).fetchone()[0]
    finally:
        con.close()


# --------------------------------------------------------------------------- tests


def test_every_page_opens_and_shows_its_content(browser, dashboard):
    page, requests = browser
    for path, title in PAGES:
        _open_from_sidebar(page, title)
        assert urlparse(page.url).path.strip("/") == path, page.url
        assert page.locator("h1").first.inner_text().strip() == title
        _assert_no_errors(page)
        text = main_text(page)
        for expected in EXPECTED_TEXT[path]:
            assert expected in text, f"{title}: {expected!r} not shown"
        drawn = page.locator(".js-plotly-plot .main-svg").count()
        assert drawn >= CHARTS_EXPECTED.get(path, 0), f"{title}: {drawn} charts drawn"
        screenshot(page, SCREENSHOTS / f"{path or 'overview'}.png")
    assert requests.external() == []


def test_filters_follow_the_user_and_live_in_the_url(browser, dashboard, published_settings):
    from dashboard import data
    from dashboard.filters import preset_period

    page, requests = browser
    options = data.filter_options(data.current_snapshot(data.Scope()))
    expected_start, _ = preset_period("Last 12 full months", options)
    _open_from_sidebar(page, "Overview")
    # a quick period: the last 12 full months
    choose_option(page, "Quick period", "Last 12 full months")
    start = expected_start.isoformat()
    if expected_start != options.min_date:  # a period at the very start is the default: not in the URL
        assert f"from={start}" in page.url, page.url

    _open_from_sidebar(page, "Routes")
    if expected_start != options.min_date:
        assert f"from={start}" in page.url, page.url
    date_box = page.locator('[data-testid="stDateInput"] input').first.input_value()
    assert start in date_box or f"{start[8:10]}/{start[5:7]}/{start[0:4]}" in date_box, date_box
    screenshot(page, SCREENSHOTS / "routes-last-12-months.png")

    # the address opens the same view in a new session, once signed in
    url = page.url
    page.goto(url)
    wait_until_idle(page)
    sign_in(page, user_for("dg"), TEST_PASSWORD)
    assert page.locator('[data-testid="stDateInput"] input').first.input_value() == date_box
    assert requests.external() == []


def test_vehicle_and_cnic_look_ups(browser, published_settings):
    page, requests = browser
    registration = _snapshot_value(
        published_settings,
        "select registration_no from marts.dim_vehicles where n_seizures >= 2 and registration_no is not null "
        "and n_registration_numbers = 1 order by n_seizures desc, vehicle_key limit 1",
    )
    _open_from_sidebar(page, "Vehicle look-up")
    box = page.get_by_label("Registration, chassis or engine number", exact=True)
    box.fill(registration.lower()[:3] + "-" + registration.lower()[3:])
    box.press("Enter")
    wait_until_idle(page, expect_run=True)
    _assert_no_errors(page)
    assert f"Vehicle {registration}" in main_text(page)
    screenshot(page, SCREENSHOTS / "vehicle-look-up.png")

    cnic = _snapshot_value(
        published_settings,
        "select cnic from marts.dim_offenders where is_repeat_offender order by n_cases desc, cnic limit 1",
    )
    _open_from_sidebar(page, "Offender profile")
    box = page.get_by_label("CNIC", exact=True)
    box.fill(cnic.replace("-", ""))
    box.press("Enter")
    wait_until_idle(page, expect_run=True)
    _assert_no_errors(page)
    assert f"CNIC {cnic}" in main_text(page)
    screenshot(page, SCREENSHOTS / "offender-profile.png")
    assert requests.external() == []


def test_a_league_table_row_opens_the_formation(browser, published_settings):
    page, requests = browser
    _open_from_sidebar(page, "Overview")
    top = _snapshot_value(
        published_settings,
        "select formation_code from marts.mart_formation_accountability group by 1 "
        "order by sum(total_value_pkr) desc, sum(n_cases) desc, 1 limit 1",
    )
    league = page.locator('[data-testid="stDataFrame"]').first
    league.scroll_into_view_if_needed()
    wait_until_idle(page)
    box = league.bounding_box()
    # the selection checkbox of the first row: left column, below the 35 px header
    page.mouse.click(box["x"] + 16, box["y"] + 35 + 17)
    page.wait_for_url(re.compile(r"/formation\?"), timeout=30_000)
    wait_until_idle(page)
    assert f"unit={top}" in page.url
    assert page.locator("h1").first.inner_text().strip() == "Formation accountability"
    assert top in main_text(page)
    screenshot(page, SCREENSHOTS / "formation-from-league-table.png")
    assert requests.external() == []


def test_tables_download_as_csv_and_excel(browser, published_settings, tmp_path):
    import pandas as pd

    from dashboard.ui import EXCEL_AVAILABLE

    page, requests = browser
    _open_from_sidebar(page, "Overview")
    n_formations = _snapshot_value(
        published_settings, "select count(distinct formation_code) from marts.mart_formation_accountability"
    )
    with page.expect_download() as download:
        page.get_by_role("button", name="Download CSV").first.click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    assert path.name == "formation-league-table.csv"
    league = pd.read_csv(path, encoding="utf-8-sig")
    assert len(league) == n_formations
    assert {"formation_code", "total_value_pkr", "confiscation_rate"} <= set(league.columns)

    excel = page.get_by_role("button", name="Download Excel").first
    if not EXCEL_AVAILABLE:
        assert excel.is_disabled()
        return
    with page.expect_download() as download:
        excel.click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    assert path.suffix == ".xlsx"
    assert len(pd.read_excel(path)) == n_formations
    assert requests.external() == []


# --------------------------------------------------------------------------- roles

ROLE_PAGES = {
    "dg": [title for _, title in PAGES] + ["Audit log", "Partner feeds"],
    "analyst": [title for _, title in PAGES],
    "formation_officer": [title for _, title in PAGES],
    "admin": ["Audit log", "Partner feeds", "Users"],
}


def _nav_titles(page) -> list[str]:
    links = page.locator('[data-testid="stSidebarNav"] a')
    return [links.nth(i).inner_text().strip() for i in range(links.count())]


def test_each_role_signs_in_and_sees_what_it_may(dashboard, chromium, published_settings):
    """Sign in as each role in a fresh browser; record what every page of its navigation shows
    (tests/screenshots/roles.json and role-*.png)."""
    import json

    officer_formation = _snapshot_value(
        published_settings, "select formation_code from marts.fct_cases group by 1 order by count(*) desc, 1 limit 1"
    )
    expected_cases = {
        "dg": _snapshot_value(published_settings, f"select count(*) from marts.fct_cases where {NOT_AFTER_TODAY}"),
        "formation_officer": _snapshot_value(
            published_settings, f"select count(*) from marts.fct_cases where formation_code = ? and {NOT_AFTER_TODAY}", [officer_formation]
        ),
    }
    expected_cases["analyst"] = expected_cases["dg"]
    person_of_formation = _snapshot_value(
        published_settings,
        "select o.cnic from marts.dim_offenders o join marts.fct_case_persons p using (offender_key) "
        "where p.formation_code = ? group by o.cnic order by count(*) desc, o.cnic limit 1",
        [officer_formation],
    )
    seen: dict[str, dict[str, str]] = {}
    for role, titles in ROLE_PAGES.items():
        username = user_for(role, (officer_formation,) if role == "formation_officer" else ())
        context = chromium.new_context(viewport=VIEWPORT, device_scale_factor=1)
        page = context.new_page()
        requests = RequestLog(page)
        page.goto(dashboard.url)
        wait_until_idle(page, timeout=120)
        assert page.locator('[data-testid="stSidebarNav"]').count() == 0  # nothing before sign-in
        sign_in(page, username, TEST_PASSWORD)
        assert _nav_titles(page) == titles, role
        seen[role] = {}
        for title in titles:
            _open_from_sidebar(page, title)
            _assert_no_errors(page)
            text = main_text(page)
            seen[role][title] = " ".join(text.split())[:400]
            screenshot(page, SCREENSHOTS / f"role-{role}-{title.lower().replace(' ', '-')}.png")
            if title == "Overview":
                tile = page.locator('[data-testid="stMetric"]').filter(has_text="Live cases").first
                value = tile.locator('[data-testid="stMetricValue"]').inner_text()
                assert int(value.replace(",", "")) == expected_cases[role], (role, value)
            if title == "Offender profile":
                box = page.get_by_label("CNIC", exact=True)
                box.fill(person_of_formation.replace("-", ""))
                box.press("Enter")
                wait_until_idle(page, expect_run=True)
                _assert_no_errors(page)
                text = main_text(page)
                seen[role][title + ", a CNIC typed"] = " ".join(text.split())[:400]
                screenshot(page, SCREENSHOTS / f"role-{role}-offender-looked-up.png")
                full_cnics = re.findall(r"\b\d{5}-\d{7}-\d\b", text)
                masked_cnics = re.findall(r"\b\d{5}-\*{7}-\d\b", text)
                if role == "analyst":
                    assert not full_cnics and masked_cnics, text[:500]
                else:
                    assert person_of_formation in full_cnics and not masked_cnics, text[:500]
        assert requests.external() == []
        context.close()
    # six wrong passwords in a row: the fifth locks the account, the sixth is refused as locked
    context = chromium.new_context(viewport=VIEWPORT, device_scale_factor=1)
    page = context.new_page()
    page.goto(dashboard.url)
    wait_until_idle(page, timeout=120)
    victim = user_for("analyst")
    store = UserStore.from_settings(load_settings())
    store.unlock(victim, actor="test")
    messages = []
    for _ in range(6):
        sign_in(page, victim, "Not-The-Password-1!", expect_success=False)
        messages.append(page.locator('[data-testid="stAlertContentWarning"]').first.inner_text().strip())
    screenshot(page, SCREENSHOTS / "six-wrong-passwords.png")
    sign_in(page, victim, TEST_PASSWORD, expect_success=False)
    messages.append(page.locator('[data-testid="stAlertContentWarning"]').first.inner_text().strip())
    context.close()
    store.unlock(victim, actor="test")
    seen["six wrong passwords, then the right one"] = dict(enumerate(messages, start=1))
    (SCREENSHOTS / "roles.json").write_text(json.dumps(seen, indent=2, default=str))
    assert messages[:5] == ["Wrong user ID or password."] * 5
    assert all("locked" in m for m in messages[5:])


def test_vehicle_identity_conflict_is_shown(browser, published_settings):
    """A registration shared by records of two chassis numbers: one vehicle by the rule, the
    conflict said on the page and the seizures grouped by chassis
    (tests/screenshots/vehicle-identity-conflict.png)."""
    page, requests = browser
    registration, n_seizures = (
        _snapshot_value(
            published_settings,
            f"""
            select {column} from marts.dim_vehicles d
            where d.has_identity_conflict and d.n_distinct_chassis = 2 and d.n_registration_numbers = 1
              and d.vehicle_key in (
                  select vehicle_key from marts.mart_vehicle_recidivism where registration_no = d.registration_no
                  group by vehicle_key having count(distinct chassis_no) = 2)
              and not exists (  -- the registration names no other vehicle's chassis or engine
                  select 1 from marts.mart_vehicle_recidivism o
                  where o.vehicle_key <> d.vehicle_key and d.registration_no in (o.registration_no, o.chassis_no, o.engine_no))
            order by d.n_seizures desc, d.vehicle_key limit 1
            """,
        )
        for column in ("d.registration_no", "d.n_seizures")
    )
    assert registration is not None, "the test warehouse has no registration linking two chassis"
    _open_from_sidebar(page, "Vehicle look-up")
    box = page.get_by_label("Registration, chassis or engine number", exact=True)
    box.fill(registration.lower())
    box.press("Enter")
    wait_until_idle(page, expect_run=True)
    _assert_no_errors(page)
    text = main_text(page)
    assert f"Vehicle {registration}" in text
    assert f"registration {registration} links 2 chassis numbers: possible plate reuse" in text
    assert "Seizures by chassis number" in text
    tile = page.locator('[data-testid="stMetric"]').filter(has_text="Seizures").first
    assert int(tile.locator('[data-testid="stMetricValue"]').inner_text().replace(",", "")) == n_seizures
    screenshot(page, SCREENSHOTS / "vehicle-identity-conflict.png")
    assert requests.external() == []


# --------------------------------------------------------------------------- sessions

from urllib.parse import unquote_plus  # noqa: E402

from browser import sign_out, signed_in_as  # noqa: E402

SESSION_COOKIE = "antismuggling_session"
# A CNIC in any format: dashes or spaces or neither (looked for in addresses once decoded).
CNIC_SHAPED = re.compile(r"(?<![0-9A-Za-z])\d{5}[-\s]?\d{7}[-\s]?\d(?![0-9A-Za-z])")


def _carries_cnic(url: str) -> bool:
    """The address, %-decoded twice (a query inside a query), holds a CNIC-shaped value."""
    return bool(CNIC_SHAPED.search(unquote_plus(unquote_plus(url))))


def _session_test_page(chromium):
    context = chromium.new_context(viewport=VIEWPORT, device_scale_factor=1)
    return context, context.new_page()


def _session_visit(page, url: str) -> None:
    page.goto(url)
    wait_until_idle(page, timeout=120)


def _shows_only_the_sign_in_form(page) -> None:
    sidebar = page.locator('[data-testid="stSidebar"], [data-testid="stExpandSidebarButton"]')
    assert not [i for i in range(sidebar.count()) if sidebar.nth(i).is_visible()]  # a tab that had one: hidden
    assert page.locator('[data-testid="stSidebarNav"]').count() == 0
    inputs = page.locator('[data-testid="stMain"] input')
    assert [inputs.nth(i).get_attribute("aria-label") for i in range(inputs.count())] == ["User ID", "Password"]
    assert page.locator("h1").first.inner_text().strip() == "Anti-Smuggling Analytics"
    text = main_text(page)
    for title in [t for _, t in PAGES] + ["Audit log", "Users"]:
        assert title not in text.splitlines(), title
    assert page.locator('[data-testid="stMetric"], [data-testid="stDataFrame"], .js-plotly-plot').count() == 0


def _session_cookie(context) -> dict:
    (cookie,) = [c for c in context.cookies() if c["name"] == SESSION_COOKIE]
    return cookie


def _date_inputs(page) -> str:
    boxes = page.locator('[data-testid="stDateInput"] input')
    return " ".join(boxes.nth(i).input_value() for i in range(boxes.count()))


def _shows_dates(page, *days: str, timeout: float = 30.0) -> bool:
    """Whether the date boxes show ``days``; a loaded machine may draw them a moment after the
    page looked settled, so this waits up to ``timeout`` before saying no."""
    deadline = time.monotonic() + timeout
    while True:
        shown = _date_inputs(page)
        if all(day in shown or f"{day[8:10]}/{day[5:7]}/{day[0:4]}" in shown or day.replace("-", "/") in shown for day in days):
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)


def _session_row(token: str) -> dict | None:
    import hashlib
    import sqlite3

    con = sqlite3.connect(load_settings().users_db_path)
    con.row_factory = sqlite3.Row
    try:
        row = con.execute(
            "select * from sessions where token_hash = ?", (hashlib.sha256(token.encode()).hexdigest(),)
        ).fetchone()
        return dict(row) if row else None
    finally:
        con.close()


def _audited(action: str, username: str) -> int:
    rows = UserStore.from_settings(load_settings()).audit_rows(limit=100_000, action=action, username=username)
    return len(rows)


def test_the_first_visit_to_a_fresh_server_shows_only_the_sign_in_form(published_settings, chromium, tmp_path):
    """Before the folder rename, a fresh server's first page listed the raw page files
    (``audit``, ``users`` …) in the sidebar to anyone: a server of its own, visited once."""
    server = DashboardServer(published_settings.home, log_path=tmp_path / "fresh.log").start()
    try:
        context, page = _session_test_page(chromium)
        _session_visit(page, server.url)
        screenshot(page, SCREENSHOTS / "before-sign-in.png")
        _shows_only_the_sign_in_form(page)
        links = page.locator("a[href]")
        hrefs = [links.nth(i).get_attribute("href") or "" for i in range(links.count())]
        assert not [h for h in hrefs if urlparse(h).path.strip("/") in {"audit", "users", "overview", "officers"}], hrefs
        _session_visit(page, f"{server.url}/users")  # a page's own address shows the same
        _shows_only_the_sign_in_form(page)
        context.close()
    finally:
        server.stop()


def test_a_reload_keeps_the_user_signed_in_with_an_httponly_strict_cookie(dashboard, chromium, published_settings):
    user = user_for("dg")
    context, page = _session_test_page(chromium)
    _session_visit(page, dashboard.url)
    resumed = _audited("session_resumed", user)
    sign_in(page, user, TEST_PASSWORD)
    cookie = _session_cookie(context)
    assert (cookie["httpOnly"], cookie["sameSite"], cookie["path"], cookie["secure"]) == (True, "Strict", "/", False)
    assert cookie["expires"] == -1  # gone with the browser; the server ends it sooner when idle
    assert SESSION_COOKIE not in page.evaluate("document.cookie")  # no script can read it
    row = _session_row(cookie["value"])
    assert row is not None and row["username"] == user and row["revoked_at"] is None
    assert cookie["value"].encode() not in load_settings().users_db_path.read_bytes()  # only its hash is kept

    _open_from_sidebar(page, "Routes")
    page.reload()
    wait_until_idle(page, timeout=120)
    assert signed_in_as(page) == user
    assert page.locator("h1").first.inner_text().strip() == "Routes"
    assert page.get_by_label("User ID", exact=True).count() == 0
    _assert_no_errors(page)
    screenshot(page, SCREENSHOTS / "session-after-reload.png")
    assert _audited("session_resumed", user) == resumed + 2  # the landing after sign-in, and the reload
    context.close()


def test_a_new_tab_opens_a_shared_link_signed_in_with_its_filters(dashboard, chromium):
    user = user_for("dg")
    context, page = _session_test_page(chromium)
    _session_visit(page, dashboard.url)
    sign_in(page, user, TEST_PASSWORD)
    tab = context.new_page()
    requests = RequestLog(tab)
    _session_visit(tab, f"{dashboard.url}/commodities?from=2024-01-01&to=2024-12-31")
    assert signed_in_as(tab) == user
    assert tab.locator("h1").first.inner_text().strip() == "Commodities"
    assert _shows_dates(tab, "2024-01-01", "2024-12-31"), _date_inputs(tab)
    assert "from=2024-01-01" in tab.url and "to=2024-12-31" in tab.url
    _assert_no_errors(tab)
    screenshot(tab, SCREENSHOTS / "shared-link-new-tab.png")
    assert requests.external() == []
    context.close()


def test_a_signed_out_user_signs_in_and_lands_on_the_page_asked_for(dashboard, chromium):
    context, page = _session_test_page(chromium)
    requests = RequestLog(page)
    _session_visit(page, f"{dashboard.url}/officers?from=2024-01-01&to=2024-12-31")
    _shows_only_the_sign_in_form(page)
    sign_in(page, user_for("dg"), TEST_PASSWORD)
    assert urlparse(page.url).path == "/officers", page.url
    assert "from=2024-01-01" in page.url and "to=2024-12-31" in page.url
    assert page.locator("h1").first.inner_text().strip() == "Officer performance"
    assert _shows_dates(page, "2024-01-01", "2024-12-31"), _date_inputs(page)
    _assert_no_errors(page)
    screenshot(page, SCREENSHOTS / "deep-link-after-sign-in.png")
    # the ticket went through one address and no further: nothing else carries it
    starts = [url for url in requests.urls if "/_session/start" in url]
    assert len(starts) == 1
    ticket = dict(part.split("=", 1) for part in urlparse(starts[0]).query.split("&"))["ticket"]
    assert not [url for url in requests.urls if ticket in url and url != starts[0]]
    assert ticket not in page.url
    assert requests.external() == []
    context.close()


def test_sign_out_ends_the_session_in_every_tab_and_for_every_copy_of_the_cookie(dashboard, chromium):
    user = user_for("dg")
    context, page = _session_test_page(chromium)
    _session_visit(page, dashboard.url)
    sign_in(page, user, TEST_PASSWORD)
    token = _session_cookie(context)["value"]
    tab = context.new_page()
    _session_visit(tab, f"{dashboard.url}/routes")
    assert signed_in_as(tab) == user

    sign_out(page)
    assert "You are signed out." in main_text(page)
    assert _session_row(token)["revoked_reason"] == "logout"
    deadline = 50  # the sign-in form's script clears the cookie
    while deadline and [c for c in context.cookies() if c["name"] == SESSION_COOKIE]:
        page.wait_for_timeout(100)
        deadline -= 1
    assert [c for c in context.cookies() if c["name"] == SESSION_COOKIE] == []
    page.reload()
    wait_until_idle(page, timeout=120)
    _shows_only_the_sign_in_form(page)
    screenshot(page, SCREENSHOTS / "signed-out-after-reload.png")

    # the other tab is signed out at its next click
    tab.locator('[data-testid="stSidebarNav"]').get_by_text("Overview", exact=True).click()
    tab.get_by_label("User ID", exact=True).wait_for(timeout=30_000)
    wait_until_idle(tab)
    _shows_only_the_sign_in_form(tab)

    # a copy of the old cookie, replayed from another browser, opens nothing
    thief, stolen = _session_test_page(chromium)
    thief.add_cookies([{"name": SESSION_COOKIE, "value": token, "url": dashboard.url, "httpOnly": True, "sameSite": "Strict"}])
    _session_visit(stolen, f"{dashboard.url}/officers")
    _shows_only_the_sign_in_form(stolen)
    thief.close()
    context.close()


def test_an_idle_session_asks_to_sign_in_again_on_reload(dashboard, chromium):
    import sqlite3
    from datetime import UTC, datetime, timedelta

    from antismuggling.access.store import session_token_hash

    user = user_for("analyst")
    context, page = _session_test_page(chromium)
    _session_visit(page, f"{dashboard.url}/routes")
    sign_in(page, user, TEST_PASSWORD)
    token = _session_cookie(context)["value"]
    expired = _audited("session_expired", user)
    # the browser was left for 31 minutes (the default limit is 30)
    con = sqlite3.connect(load_settings().users_db_path)
    with con:
        con.execute(
            "update sessions set last_seen_at = ? where token_hash = ?",
            ((datetime.now(UTC) - timedelta(minutes=31)).isoformat(timespec="seconds"), session_token_hash(token)),
        )
    con.close()
    page.reload()
    wait_until_idle(page, timeout=120)
    _shows_only_the_sign_in_form(page)
    assert "Your session expired after 30 minutes without activity" in main_text(page)
    assert _audited("session_expired", user) == expired + 1
    sign_in(page, user, TEST_PASSWORD)  # and back on the page
    assert page.locator("h1").first.inner_text().strip() == "Routes"
    context.close()


def test_no_address_in_the_browser_ever_carries_a_cnic(dashboard, chromium, published_settings):
    """A CNIC typed, or even one in a link someone was sent, never reaches the next address:
    not the sign-in's way to the landing page, not the page's own address, not a reload."""
    cnic = _snapshot_value(
        published_settings,
        "select cnic from marts.dim_offenders where is_repeat_offender order by n_cases desc, cnic limit 1",
    )
    context, page = _session_test_page(chromium)
    requests = RequestLog(page)
    seen: list[str] = []
    page.on("framenavigated", lambda frame: seen.append(frame.url))
    _session_visit(page, f"{dashboard.url}/offenders?cnic={cnic}&from=2024-01-01")
    assert _carries_cnic(requests.urls[0])  # the link itself, as sent (and shown until sign-in)
    first, first_seen = len(requests.urls), len(seen)
    sign_in(page, user_for("dg"), TEST_PASSWORD)
    assert urlparse(page.url).path == "/offenders" and "from=2024-01-01" in page.url, page.url
    box = page.get_by_label("CNIC", exact=True)
    box.fill(cnic.replace("-", " "))
    box.press("Enter")
    wait_until_idle(page, expect_run=True)
    assert f"CNIC {cnic}" in main_text(page)
    seen.append(page.url)
    page.reload()
    wait_until_idle(page, timeout=120)
    seen.append(page.url)
    assert any("/_session/start" in url for url in requests.urls[first:])
    leaked = [url for url in requests.urls[first:] + seen[first_seen:] if _carries_cnic(url)]
    assert leaked == []
    assert requests.external() == []
    context.close()


def test_data_quality_page_shows_the_expectation_results(browser, published_settings):
    """The suites' latest results under "Expectation results", failures first, with no value of
    the data in them (tests/screenshots/data-quality-expectations.png)."""
    page, requests = browser
    n_results, n_failed = (
        _snapshot_value(published_settings, f"select {column} from meta.expectation_results")
        for column in ("count(*)", "count(*) filter (where status = 'failed')")
    )
    assert n_results > 0
    _open_from_sidebar(page, "Data quality and freshness")
    _assert_no_errors(page)
    heading = page.get_by_role("heading", name="Expectation results")
    heading.evaluate("element => element.scrollIntoView({block: 'start'})")
    wait_until_idle(page)
    text = main_text(page)
    assert "carries no expectation-suite results" not in text
    section = text[text.index("Expectation results"):]
    assert "Expectations checked" in section and "Hard rules failed" in section
    tile = page.locator('[data-testid="stMetric"]').filter(has_text="Expectations checked").first
    assert int(tile.locator('[data-testid="stMetricValue"]').inner_text().replace(",", "")) == n_results
    tile = page.locator('[data-testid="stMetric"]').filter(has_text=re.compile(r"^\s*Failed")).first
    assert int(tile.locator('[data-testid="stMetricValue"]').inner_text().replace(",", "")) == n_failed
    assert not re.search(r"\b\d{5}-?\d{7}-?\d\b", section)
    page.screenshot(path=str(SCREENSHOTS / "data-quality-expectations.png"))
    assert requests.external() == []


def test_partner_feeds_page_shows_every_feed_and_what_it_carries(browser, published_settings):
    """After real deliveries: each feed's partner, class, schedule, last and next delivery, and
    the columns of the chosen feed (tests/screenshots/partner-feeds.png)."""
    from antismuggling.feeds import run_feed
    from antismuggling.feeds.signing import kill_agent

    try:
        for feed in ("ncen", "cen", "ntc", "psw"):
            run_feed(published_settings, feed, started_by="test")
        run_feed(published_settings, "ntc", started_by="test")  # nothing changed: a zero-row delta
    finally:
        kill_agent(published_settings.home / "feeds" / "gnupg")
    page, requests = browser
    _open_from_sidebar(page, "Partner feeds")
    _assert_no_errors(page)
    assert page.locator("h1").first.inner_text().strip() == "Partner feeds"
    text = main_text(page)
    for expected in ("Feeds", "What each feed carries", "Deliveries", "gpg --verify manifest.json.asc manifest.json"):
        assert expected in text, expected
    assert not re.search(r"\b\d{5}-?\d{7}-?\d\b", text)  # feed metadata, never a feed's rows
    screenshot(page, SCREENSHOTS / "partner-feeds.png")
    assert requests.external() == []


# --------------------------------------------------------------------------- routes map


def test_routes_map_is_drawn_on_borders_offline(browser, dashboard):
    """The Routes map draws country borders, coastline and Pakistan's provinces from the
    outlines bundled with the dashboard (no topojson, no tiles: no request leaves the
    machine), with the places on top; photographed at 1400 px as routes-map.png."""
    from PIL import Image

    page, requests = browser
    page.set_viewport_size({"width": 1400, "height": 900})
    try:
        _open_from_sidebar(page, "Routes")
        _assert_no_errors(page)
        chart = page.locator(".js-plotly-plot").filter(has_text="Border crossings").first
        chart.scroll_into_view_if_needed()
        chart.locator(".main-svg").first.wait_for(timeout=30_000)
        wait_until_idle(page)
        names = chart.evaluate("gd => gd.data.map(t => t.name)")
        for name in ("land", "Pakistan", "coastline", "country borders", "provinces", "Seizure points"):
            assert name in names, names
        # each outline is drawn as SVG paths (one per unbroken line) across the map
        drawn = chart.evaluate(
            """gd => Array.from(gd.querySelectorAll('.scatterlayer .trace')).map((g, i) => {
                const lines = Array.from(g.querySelectorAll('path.js-line'));
                const box = g.getBBox();
                return {name: gd.data[i].name, paths: lines.length,
                        d: lines.reduce((n, p) => n + (p.getAttribute('d') || '').length, 0),
                        width: box.width, height: box.height};
            })"""
        )
        by_name = {t["name"]: t for t in drawn}
        for name in ("coastline", "country borders", "provinces"):
            line = by_name[name]
            assert line["paths"] >= 5 and line["d"] > 2000 and line["width"] > 300 and line["height"] > 200, line
        assert names.index("country borders") < names.index("Seizure points")
        path = SCREENSHOTS / "routes-map.png"
        chart.screenshot(path=str(path))
        # the borders are visible: pixels of their colour (#7d8a97) in the picture
        image = Image.open(path).convert("RGB")
        border = sum(
            n
            for n, (r, g, b) in image.getcolors(image.width * image.height)
            if abs(r - 0x7D) <= 12 and abs(g - 0x8A) <= 12 and abs(b - 0x97) <= 12
        )
        assert border > 500, f"{border} pixels of border colour"
        screenshot(page, SCREENSHOTS / "routes-page.png")
    finally:
        page.set_viewport_size(VIEWPORT)
    assert requests.external() == []
    assert not [url for url in requests.urls if "topojson" in url or url.endswith(("_110m.json", "_50m.json"))]


# --------------------------------------------------------------------------- like-for-like comparisons


def test_overview_compares_like_for_like(dashboard, chromium, published_settings):
    """The Overview on the last 12 full months: the period ends where the data ends, the
    year-on-year tooltip says how the year before is counted, and the recent months' bars
    carry their probable completeness (tests/screenshots/overview-like-for-like.png, with
    the Live cases tooltip open)."""
    context = chromium.new_context(viewport={"width": 1440, "height": 1480}, device_scale_factor=1)
    page = context.new_page()
    requests = RequestLog(page)
    try:
        page.goto(dashboard.url)
        wait_until_idle(page, timeout=120)
        sign_in(page, user_for("dg"), TEST_PASSWORD)
        choose_option(page, "Quick period", "Last 12 full months")
        _assert_no_errors(page)
        text = main_text(page)
        assert "Data up to 31 Oct 2026 (the latest day the store has records for)" in text
        assert "as it stood on 31 Oct 2025" in text
        assert "still pending 90 days after seizure" in text
        bar_labels = page.locator(".js-plotly-plot text.bartext")
        assert bar_labels.count() >= 1
        assert re.fullmatch(r"≈\d+ %\s*entered", bar_labels.last.text_content().strip())

        tile = page.locator('[data-testid="stMetric"]').filter(has_text="Live cases").first
        tile.scroll_into_view_if_needed()
        tile.locator('[data-testid="stTooltipHoverTarget"], [data-testid="stTooltipIcon"]').first.hover()
        tooltip = page.locator('[data-testid="stTooltipContent"]').first
        tooltip.wait_for(state="visible", timeout=10_000)
        assert "as it stood on 31 Oct 2025" in tooltip.inner_text()
        page.wait_for_timeout(300)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "overview-like-for-like.png"))  # the viewport: the tooltip stays open
        assert requests.external() == []
    finally:
        context.close()


# --------------------------------------------------------------------------- commodities, yardsticks, labels

NARROW = {"width": 1400, "height": 900}
# The data grid behind st.dataframe draws on a canvas: its columns as drawn (title, width)
# and each cell's displayed text come from the grid's own props, read off the canvas's
# React fiber; text widths are measured with the grid's fonts. The grid starts text one cell
# padding in and clips it at the column's edge: a heading or a cell is cut off when its text
# and that padding are wider than the column (by more than 2 px: a pixel of a letter's side
# bearing is not cut off).
_GRID_JS = """f => {
  const canvas = f.querySelector('canvas');
  const key = canvas && Object.keys(canvas).find(k => k.startsWith('__reactFiber'));
  let fiber = key ? canvas[key] : null, grid = null;
  for (let i = 0; fiber && i < 60 && !grid; i++, fiber = fiber.return) {
    const p = fiber.memoizedProps || {};
    if (Array.isArray(p.columns) && typeof p.getCellContent === 'function') grid = p;
  }
  if (!grid) return null;
  const style = getComputedStyle(f.querySelector('.stDataFrameGlideDataEditor'));
  const family = style.getPropertyValue('--gdg-font-family').trim();
  const pad = parseFloat(style.getPropertyValue('--gdg-cell-horizontal-padding')) || 8;
  const ctx = document.createElement('canvas').getContext('2d');
  const measure = (text, font) => { ctx.font = font; return ctx.measureText(text).width; };
  const headerFont = style.getPropertyValue('--gdg-header-font-style').trim() + ' ' + family;
  const cellFont = style.getPropertyValue('--gdg-base-font-style').trim() + ' ' + family;
  const scroller = f.querySelector('.dvn-scroller');
  const columns = grid.columns.map((c, j) => {
    let widest = 0, widestText = '';
    const cells = [];
    for (let r = 0; r < Math.min(grid.rows, 500); r++) {
      let cell; try { cell = grid.getCellContent([j, r]); } catch (e) { continue; }
      if (!cell || (cell.kind !== 'text' && cell.kind !== 'number')) continue;
      const text = String(cell.displayData ?? '');
      cells.push(text);
      const w = measure(text, cellFont);
      if (w > widest) { widest = w; widestText = text; }
    }
    return {title: c.title || '', width: c.width, header: measure(c.title || '', headerFont), widest, widestText, cells};
  });
  return {columns, pad, overflow: scroller ? scroller.scrollWidth - scroller.clientWidth : 0};
}"""
# Metric labels and values are ellipsized by CSS (text-overflow) when they do not fit.
_ELLIPSIZED_JS = """() => [...document.querySelectorAll(
    '[data-testid="stMain"] [data-testid="stMetricLabel"] .stMarkdownEllipsis,'
    + '[data-testid="stMain"] [data-testid="stMetricValue"] .stMarkdownEllipsis')]
  .filter(e => e.scrollWidth > e.clientWidth + 0.5).map(e => e.innerText)"""
# Free text that may be longer than any column (HS descriptions, names recorded, details):
# cut off by design, whole in the downloads and tooltips.
_FREE_TEXT_COLUMNS = {"Description", "Names recorded", "Roles", "Example", "Detail", "Meaning", "Seizure point",
                      "Origin", "Destination", "Route", "Check", "Published mart"}


_SLACK_PX = 2


def _grid(frame) -> dict:
    info = frame.evaluate(_GRID_JS)
    assert info is not None, "no column widths found: the data grid's internals changed"
    return info


def _cut_off(frame, *, cells: bool) -> list[str]:
    """Headings (and, with ``cells``, text cells and columns out of sight) a table cuts off."""
    info = _grid(frame)
    pad = info["pad"]
    problems = []
    for column in info["columns"]:
        title, width = column["title"], column["width"]
        if not title:  # the row-selection column
            continue
        if column["header"] + pad > width + _SLACK_PX:
            problems.append(f"heading {title!r}: {column['header']:.0f} px in {width} px")
        if cells and title not in _FREE_TEXT_COLUMNS and column["widest"] + pad > width + _SLACK_PX:
            problems.append(f"{title!r} cell {column['widestText']!r}: {column['widest']:.0f} px in {width} px")
    if cells and info["overflow"] > 1:
        problems.append(f"{info['overflow']:.0f} px of columns scrolled out of sight")
    return problems


def _column_cells(frame, title: str) -> list[str]:
    return next(c["cells"] for c in _grid(frame)["columns"] if c["title"] == title)


def _new_page(chromium, dashboard, viewport=NARROW):
    context = chromium.new_context(viewport=viewport, device_scale_factor=1)
    page = context.new_page()
    console: list[tuple[str, str]] = []
    page.on("console", lambda message: console.append((message.type, message.text)))
    page.goto(dashboard.url)
    wait_until_idle(page, timeout=120)
    sign_in(page, user_for("dg"), TEST_PASSWORD)
    return context, page, console


def _pick_option(page, label: str, starts_with: str) -> None:
    """Choose, in the selectbox labelled ``label``, the option whose text starts with ``starts_with``."""
    box = page.locator('[data-testid="stSelectbox"]').filter(has=page.get_by_text(label, exact=True)).first
    box.click()
    page.keyboard.type(starts_with.rstrip(" ·"))  # long lists show their first options only: narrow them down
    page.get_by_role("option").filter(has_text=re.compile("^" + re.escape(starts_with))).first.click()
    wait_until_idle(page, expect_run=True, timeout=120)


def _amount(text: str) -> float:
    """ "4.01 B" / "184 M" / "950,000" as rupees."""
    number, _, suffix = text.strip().partition(" ")
    return float(number.replace(",", "")) * {"": 1.0, "M": 1e6, "B": 1e9}[suffix.strip()]


def _tile_value(page, label: str) -> str:
    tile = page.locator('[data-testid="stMetric"]').filter(
        has=page.locator('[data-testid="stMetricLabel"]', has_text=re.compile("^" + re.escape(label) + "$"))
    )
    assert tile.count() == 1, label
    return tile.locator('[data-testid="stMetricValue"]').inner_text().strip()


def test_commodities_subheading_level_agrees_and_logs_no_nan(dashboard, chromium, published_settings):
    """Drill down section → chapter → heading → subheading: no "NaN" path in the console at
    any step; at subheading level the table lists the heading's subheadings, the tiles agree
    with the chosen row, the captions say the same, and the treemap shows the subheading's
    share of its heading as the table does (tests/screenshots/commodities-subheading.png)."""
    section, chapter, heading, subheading = (
        _snapshot_value(published_settings, sql)
        for sql in (
            f"select {column} from marts.fct_seizure_items where hs6 is not null group by hs_section, hs2, hs4, hs6 "
            "order by sum(value_pkr) desc limit 1"
            for column in ("hs_section", "hs2", "hs4", "hs6")
        )
    )
    context, page, console = _new_page(chromium, dashboard)
    try:
        _open_from_sidebar(page, "Commodities")
        for label, code in (("Section", section), ("Chapter", chapter), ("Heading", heading), ("Subheading", subheading)):
            _pick_option(page, label, f"{code} ·")
            page.wait_for_timeout(500)  # Plotly draws after the run
            bad = [text for kind, text in console if kind in ("error", "warning") and ("NaN" in text or "Expected number" in text)]
            assert not bad, (label, bad[:3])
        assert f"hs={subheading}" in page.url
        _assert_no_errors(page)
        text = main_text(page)
        assert f"Subheadings under heading {heading}" in text
        # the text says a comparison was made exactly when the tiles show one
        year_before = _tile_value(page, "A year before (PKR)")
        change = _tile_value(page, "Change on a year before")
        if year_before == "–":
            assert change == "–" and "No comparison with a year before" in text
        else:
            assert "No comparison with a year before" not in text
            table = page.locator('[data-testid="stDataFrame"]').filter(
                has=page.locator("th", has_text=re.compile("^Code$"))
            ).first
            codes = _column_cells(table, "Code")
            row = codes.index(subheading)
            last_year_column = next(c for c in _grid(table)["columns"] if c["title"].startswith("A year before"))
            unit = {"": 1.0, "M": 1e6, "B": 1e9}[re.search(r"\(PKR ?([MB]?)\)", last_year_column["title"]).group(1)]
            in_table = float(last_year_column["cells"][row].replace(",", "")) * unit
            assert _amount(year_before) == pytest.approx(in_table, rel=0.01)
            assert change == _column_cells(table, "Change")[row].replace(" %", "%").replace(" ", "")
            share = float(_column_cells(table, "Share")[row].rstrip(" %"))
            box = page.locator(".js-plotly-plot g.slice").filter(has_text=subheading).first
            assert f"{share:.0f}%" in box.text_content()
        screenshot(page, SCREENSHOTS / "commodities-subheading.png")
    finally:
        context.close()


def test_nothing_is_cut_off_at_1400_px(dashboard, chromium, published_settings):
    """At a 1400 px window no tile's label or value and no table heading is cut off on any
    page; on the Overview's league table, the Formation accountability and Officer
    performance pages, no name or figure either, and no column is out of sight. Formation
    names tell CE-PSH from II-PSH; each officer table has one money unit
    (tests/screenshots/league-table-names.png, formation-yardsticks.png, officers-one-unit.png)."""
    officer = int(
        _snapshot_value(
            published_settings,
            "select officer_id from marts.fct_officer_case_credits group by 1 order by count(*) desc, 1 limit 1",
        )
    )
    officer_name = _snapshot_value(
        published_settings, "select any_value(full_name) from marts.mart_officer_performance where officer_id = ?", [officer]
    )
    context, page, _ = _new_page(chromium, dashboard)
    problems: dict[str, list[str]] = {}
    try:
        for path, title in PAGES:
            _open_from_sidebar(page, title)
            _assert_no_errors(page)
            if title == "Formation accountability":  # a period with changes on the year before, every table open
                choose_option(page, "Quick period", "Last 12 full months")
                for summary in page.locator('[data-testid="stExpander"] summary').all():
                    summary.click()
                    wait_until_idle(page)
            if title == "Officer performance":  # the chosen officer's tiles and cases too
                _pick_option(page, "Officer", f"{officer_name} ·")
            owned = title in ("Overview", "Formation accountability", "Officer performance")
            found = [f"tile {text!r} ellipsized" for text in page.evaluate(_ELLIPSIZED_JS)]
            frames = page.locator('[data-testid="stDataFrame"]')
            for i in range(frames.count()):
                frame = frames.nth(i)
                if not frame.is_visible():
                    continue
                frame.scroll_into_view_if_needed()
                is_league = title == "Overview" and i == 0
                found += [f"table {i}: {p}" for p in _cut_off(frame, cells=owned and (title != "Overview" or is_league))]
                if title == "Officer performance":  # one money unit per table
                    units = {m.group(1) for c in _grid(frame)["columns"] if (m := re.search(r"\(PKR ?([MB]?)\)", c["title"]))}
                    assert len(units) <= 1, (i, units)
            if found:
                problems[title] = found
            if title == "Overview":
                league = frames.first
                names = dict(zip(_column_cells(league, "Formation"), _column_cells(league, "Name"), strict=True))
                assert names["CE-PSH"] == "Peshawar (Enforcement)" and names["II-PSH"] == "Peshawar (I&I)"
                assert len(set(names.values())) == len(names)
                league.scroll_into_view_if_needed()
                league.screenshot(path=str(SCREENSHOTS / "league-table-names.png"))
            if title == "Formation accountability":
                text = main_text(page)
                assert re.search(r"\d(st|nd|rd|th) of \d+ \(most first\) · national median", text)
                assert "as it stood on 31 Oct 2025" in text
                screenshot(page, SCREENSHOTS / "formation-yardsticks.png")
            if title == "Officer performance":
                screenshot(page, SCREENSHOTS / "officers-one-unit.png")
        assert not problems, problems
    finally:
        context.close()
