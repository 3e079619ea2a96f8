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
    page.get_by_label("Quick period", exact=True).click()
    page.get_by_role("option", name="Last 12 full months", exact=True).click()
    wait_until_idle(page, expect_run=True)
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
    "dg": [title for _, title in PAGES] + ["Audit log"],
    "analyst": [title for _, title in PAGES],
    "formation_officer": [title for _, title in PAGES],
    "admin": ["Audit log", "Users"],
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
