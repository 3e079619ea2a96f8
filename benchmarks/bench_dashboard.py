"""How fast the dashboard answers a user, measured in a real headless Chromium.

    uv run python benchmarks/bench_dashboard.py /path/to/ANTISMUGGLING_HOME [--runs 3]

Starts ``streamlit run dashboard/app.py`` over the published marts of that data directory
(build one with ``antismuggling generate --cases 100000 … && antismuggling refresh --full``),
signs in as a ``bench.<role>`` user of that data directory (``--role``, dg by default; its
password is random and reset on each run), opens the app in Chromium (Debian's
``chromium``, driven by Playwright) and prints, per page:

* open (first): seconds from the click in the sidebar until the page has finished drawing,
  the first time the page is opened in the session (its queries not cached yet; the app
  itself already loaded once, which is not counted);
* open (again): the same on later visits (queries answered from the cache);
* filter change: seconds from choosing a quick period (the page's period filter) until the
  page has redrawn, alternating "Last 12 full months" and "Whole period", so every change
  runs new queries the first time.

"Finished drawing" is the moment Streamlit's script run is over and the page stopped
changing (charts drawn); the short quiet window used to detect it is not counted.
Targets on a 100k-case store: under 2 s per page, under 1 s per filter change.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from browser import (  # noqa: E402
    PAGES,
    DashboardServer,
    RequestLog,
    find_chromium,
    launch_chromium,
    sign_in,
    wait_until_idle,
)

PAGE_TARGET_S = 2.0
FILTER_TARGET_S = 1.0
PRESETS = ("Last 12 full months", "Whole period")


def _scalar(settings_home: Path, sql: str):
    import duckdb

    pointer = settings_home / "published" / "CURRENT"
    if not pointer.is_file():
        return None
    con = duckdb.connect(str(settings_home / "published" / pointer.read_text().strip()), read_only=True)
    try:
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()


def _rows(settings_home: Path) -> int | None:
    return _scalar(settings_home, "select count(*) from marts.fct_cases")


def _bench_user(home: Path, role: str) -> tuple[str, str]:
    """A ``bench.<role>`` user of that data directory with a fresh random password (held in
    memory only); a formation officer gets the busiest formation."""
    import os
    import secrets

    from antismuggling.access.store import UserStore
    from antismuggling.config import load_settings

    os.environ["ANTISMUGGLING_HOME"] = str(home)
    store = UserStore.from_settings(load_settings())
    username = f"bench.{role.replace('_', '')}"
    password = "Aa1!" + secrets.token_urlsafe(18)
    formations: tuple[str, ...] = ()
    if role == "formation_officer":
        formations = (_scalar(home, "select formation_code from marts.fct_cases group by 1 order by count(*) desc limit 1"),)
    if store.get(username) is None:
        store.add_user(username, role, password, formations=formations, actor="benchmark")
    else:
        store.set_role(username, role, formations, actor="benchmark")
        store.reset_password(username, password, actor="benchmark")
    return username, password


def _click_sidebar(page, title: str) -> float:
    start = time.monotonic()
    page.locator('[data-testid="stSidebarNav"]').get_by_text(title, exact=True).click()
    return wait_until_idle(page, expect_run=True, timeout=120) - start


def _change_period(page, preset: str) -> float:
    quick = page.get_by_label("Quick period", exact=True).first
    if not quick.is_visible():  # the look-up pages keep their filters in an expander
        page.locator('[data-testid="stExpander"] summary').filter(has_text="Period and formations").first.click()
        quick.wait_for(state="visible")
        time.sleep(0.3)  # the expander's opening animation
    option = page.get_by_role("option", name=preset, exact=True)
    for _ in range(3):
        quick.click()
        try:
            option.wait_for(state="visible", timeout=2000)
            break
        except Exception:  # noqa: BLE001 - the list did not open: click again
            page.keyboard.press("Escape")
    start = time.monotonic()
    option.click()
    return wait_until_idle(page, expect_run=True, timeout=120) - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("home", type=Path, help="ANTISMUGGLING_HOME holding published marts")
    parser.add_argument("--runs", type=int, default=3, help="filter changes and repeat visits per page")
    parser.add_argument("--pages", nargs="*", help="only these pages (titles as in the sidebar)")
    parser.add_argument(
        "--role", default="dg", choices=("dg", "analyst", "formation_officer"), help="whose view to measure"
    )
    args = parser.parse_args()

    chromium = find_chromium()
    if chromium is None:
        print("chromium is not installed (Debian: apt-get install -y chromium)", file=sys.stderr)
        return 2
    n_cases = _rows(args.home)
    if n_cases is None:
        print(f"nothing is published under {args.home}", file=sys.stderr)
        return 2
    username, password = _bench_user(args.home, args.role)

    from playwright.sync_api import sync_playwright

    log_path = Path("/tmp") / f"bench_dashboard_{args.home.name}.log"
    results: dict[str, dict[str, list[float]]] = {}
    with DashboardServer(args.home, log_path=log_path) as server, sync_playwright() as playwright:
        browser = launch_chromium(playwright, chromium)
        context = browser.new_context(viewport={"width": 1440, "height": 900})
        page = context.new_page()
        requests = RequestLog(page)

        page.goto(server.url)
        wait_until_idle(page, timeout=180)
        start = time.monotonic()
        sign_in(page, username, password)
        first_load = wait_until_idle(page, timeout=180) - start
        print(f"store: {n_cases:,} live cases ({args.home}); signed in as {username} ({args.role})")
        print(f"sign-in to the first page drawn (server cold: imports, connections): {first_load:.2f} s\n")

        # first visit of every page, in sidebar order (the overview last: it was the first load)
        order = [p for p in PAGES if p[0]] + [p for p in PAGES if not p[0]]
        if args.pages:
            order = [p for p in order if p[1] in args.pages]
        for path, title in order:
            results[path] = {"first": [_click_sidebar(page, title)], "again": [], "filter": []}
        for _ in range(args.runs):
            for path, title in order:
                results[path]["again"].append(_click_sidebar(page, title))
        for path, title in order:
            _click_sidebar(page, title)
            for run in range(args.runs * 2):
                results[path]["filter"].append(_change_period(page, PRESETS[run % 2]))

        external = requests.external()
        context.close()
        browser.close()

    width = max(len(title) for _, title in PAGES)
    print(f"{'page':<{width}}  open (first)  open (again, median / max)  filter change (median / max)")
    worst_open = worst_filter = 0.0
    for path, title in PAGES:
        if path not in results:
            continue
        r = results[path]
        worst_open = max(worst_open, r["first"][0], *r["again"])
        worst_filter = max(worst_filter, *r["filter"])
        print(
            f"{title:<{width}}  {r['first'][0]:>10.2f} s  {statistics.median(r['again']):>14.2f} s / {max(r['again']):.2f} s"
            f"  {statistics.median(r['filter']):>10.2f} s / {max(r['filter']):.2f} s"
        )
    print(
        f"\nslowest page open {worst_open:.2f} s (target {PAGE_TARGET_S:.0f} s), "
        f"slowest filter change {worst_filter:.2f} s (target {FILTER_TARGET_S:.0f} s)"
    )
    print(f"requests that left localhost: {len(external)}" + (f" e.g. {external[:3]}" if external else ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
