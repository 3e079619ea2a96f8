"""Dashboard sessions that outlive a reload: the user store's ``sessions`` table (only a
token's hash kept; ended by sign-out, idle time, disabling, a role change or a password
reset), the one-time sign-in tickets and the server routes that trade them for an HttpOnly
cookie (dashboard/server_hardening.py), and the address a sign-in lands on (no CNIC in it).

The same, end to end in a real browser: tests/test_browser.py (``test_a_reload_…`` onwards).
"""

from __future__ import annotations

import asyncio
import hashlib
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from access_helpers import use_cheap_argon2
from antismuggling.access.store import SESSION_TOUCH_SECONDS, UnknownUserError, UserStore, session_token_hash
from dashboard import server_hardening
from dashboard.server_hardening import SESSION_COOKIE, SessionTickets, add_session_routes, safe_next

PASSWORD = "Gr33n-Lantern-Kx"
ADMIN = "root.admin"
T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
IDLE = 30


@pytest.fixture
def store(tmp_path, monkeypatch) -> UserStore:
    use_cheap_argon2(monkeypatch)
    store = UserStore(tmp_path / "access" / "users.db", lockout_minutes=15)
    store.add_user("alice", "formation_officer", PASSWORD, formations=("lhr",), display_name="Alice Khan", actor=ADMIN)
    return store


def _session_rows(store: UserStore) -> list[dict]:
    con = sqlite3.connect(store.path)
    con.row_factory = sqlite3.Row
    try:
        return [dict(row) for row in con.execute("SELECT * FROM sessions")]
    finally:
        con.close()


def _actions(store: UserStore) -> list[str]:
    return [row["action"] for row in reversed(store.audit_rows())]


def _check(store: UserStore, token: str, at: datetime):
    return store.check_session(session_token_hash(token), idle_minutes=IDLE, now=at)


# --------------------------------------------------------------------------- the store


def test_only_the_hash_of_a_session_token_is_stored(store):
    token = store.start_session("alice", client="10.0.0.7", now=T0)
    assert len(token) >= 43  # 32 random bytes
    (row,) = _session_rows(store)
    assert row["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert token not in " ".join(str(value) for value in row.values())
    assert token.encode() not in store.path.read_bytes()
    assert (row["username"], row["client"], row["revoked_at"]) == ("alice", "10.0.0.7", None)
    check = _check(store, token, T0 + timedelta(minutes=5))
    assert check.ok and check.principal.username == "alice" and check.principal.formations == ("LHR",)
    assert store.start_session("alice", now=T0) != token  # every sign-in gets its own


def test_an_unknown_or_forged_token_opens_nothing(store):
    store.start_session("alice", now=T0)
    for token in ("", "not-a-token", session_token_hash("x")):
        assert _check(store, token, T0).reason == "unknown"
    # the stored hash is no token either: hashing it again names nothing
    (row,) = _session_rows(store)
    assert _check(store, row["token_hash"], T0).reason == "unknown"


def test_a_disabled_user_gets_no_session(store):
    store.disable("alice", actor=ADMIN)
    with pytest.raises(UnknownUserError):
        store.start_session("alice", now=T0)


def test_activity_is_written_at_most_once_a_minute(store):
    token = store.start_session("alice", now=T0)
    assert _check(store, token, T0 + timedelta(seconds=SESSION_TOUCH_SECONDS - 1)).ok
    assert _session_rows(store)[0]["last_seen_at"] == T0.isoformat(timespec="seconds")
    later = T0 + timedelta(seconds=SESSION_TOUCH_SECONDS + 1)
    assert _check(store, token, later).ok
    assert _session_rows(store)[0]["last_seen_at"] == later.isoformat(timespec="seconds")


def test_an_idle_session_expires_once_and_stays_ended(store):
    token = store.start_session("alice", client="10.0.0.7", now=T0)
    at = T0
    for _ in range(3):  # active every 20 minutes: an hour later, still signed in
        at += timedelta(minutes=20)
        assert _check(store, token, at).ok
    check = _check(store, token, at + timedelta(minutes=IDLE, seconds=1))
    assert (check.ok, check.reason) == (False, "expired")
    assert _actions(store).count("session_expired") == 1
    expired = store.audit_rows(action="session_expired")[0]
    assert (expired["username"], expired["client"]) == ("alice", "10.0.0.7")
    # from now on it is ended, not expired again (one audit row), even if used at once
    assert _check(store, token, at + timedelta(minutes=IDLE, seconds=2)).reason == "revoked"
    assert _actions(store).count("session_expired") == 1
    assert _session_rows(store)[0]["revoked_reason"] == "expired"


def test_the_idle_limit_comes_from_the_setting(store, monkeypatch):
    monkeypatch.setenv("ANTISMUGGLING_SESSION_IDLE_MINUTES", "5")
    token = store.start_session("alice", now=T0)
    assert store.check_session(session_token_hash(token), now=T0 + timedelta(minutes=4)).ok
    assert store.check_session(session_token_hash(token), now=T0 + timedelta(minutes=10)).reason == "expired"


def test_sign_out_ends_the_session(store):
    token = store.start_session("alice", now=T0)
    other = store.start_session("alice", now=T0)  # another browser of the same user
    assert store.end_session(session_token_hash(token), now=T0)
    assert not store.end_session(session_token_hash(token), now=T0)  # once
    assert _check(store, token, T0).reason == "revoked"
    assert _check(store, other, T0).ok


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda s: s.disable("alice", actor=ADMIN), "disabled"),
        (lambda s: s.set_role("alice", "analyst", actor=ADMIN), "role_changed"),
        (lambda s: s.set_role("alice", "formation_officer", ("lhr", "khi"), actor=ADMIN), "role_changed"),
        (lambda s: s.reset_password("alice", "Bl4ck-Canary-Qz!", actor=ADMIN), "password_reset"),
    ],
    ids=["disable", "role", "formations", "password-reset"],
)
def test_an_administrators_change_ends_every_session_of_the_user(store, change, reason):
    store.add_user("bob", "analyst", PASSWORD, actor=ADMIN)
    tokens = [store.start_session("alice", now=T0) for _ in range(2)]
    bobs = store.start_session("bob", now=T0)
    change(store)
    assert [_check(store, token, T0).reason for token in tokens] == ["revoked", "revoked"]
    assert {row["revoked_reason"] for row in _session_rows(store) if row["username"] == "alice"} == {reason}
    assert _check(store, bobs, T0).ok
    assert store.live_sessions("alice") == 0
    store.enable("alice", actor=ADMIN)  # enabling again does not bring an ended session back
    assert _check(store, tokens[0], T0).reason == "revoked"


def test_setting_the_same_role_again_ends_nothing(store):
    token = store.start_session("alice", now=T0)
    store.set_role("alice", "formation_officer", ("LHR",), actor=ADMIN)
    store.unlock("alice", actor=ADMIN)
    assert _check(store, token, T0).ok


def test_a_change_made_behind_the_stores_back_still_ends_the_session(store):
    """The session remembers the role, formations and password change it started with."""
    token = store.start_session("alice", now=T0)
    con = sqlite3.connect(store.path)
    with con:
        con.execute("UPDATE users SET formations = 'KHI' WHERE username = 'alice'")
    con.close()
    assert _check(store, token, T0).reason == "changed"
    assert _check(store, token, T0).reason == "revoked"


def test_a_store_of_the_previous_version_gains_the_sessions_table(tmp_path, monkeypatch):
    use_cheap_argon2(monkeypatch)
    path = tmp_path / "access" / "users.db"
    UserStore(path).add_user("alice", "analyst", PASSWORD, actor=ADMIN)
    con = sqlite3.connect(path)
    con.execute("DROP TABLE sessions")
    con.execute("PRAGMA user_version = 2")
    con.close()
    store = UserStore(path)
    assert store.get("alice") is not None
    token = store.start_session("alice", now=T0)
    assert _check(store, token, T0).ok


def test_old_ended_sessions_are_deleted_when_a_new_one_starts(store):
    token = store.start_session("alice", now=T0)
    store.end_session(session_token_hash(token), now=T0)
    store.start_session("alice", now=T0 + timedelta(days=8))
    assert [row["created_at"] for row in _session_rows(store)] == [(T0 + timedelta(days=8)).isoformat(timespec="seconds")]


# --------------------------------------------------------------------------- tickets and routes


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_ticket_works_once_and_not_for_long():
    clock = _Clock()
    tickets = SessionTickets(lifetime=30, clock=clock)
    ticket = tickets.issue("token-1")
    assert ticket != "token-1" and len(ticket) >= 43
    assert tickets.redeem(ticket) == "token-1"
    assert tickets.redeem(ticket) is None  # single use
    late = tickets.issue("token-2")
    clock.now += 30
    assert tickets.redeem(late) is None
    assert tickets.redeem("made-up") is None
    assert tickets.redeem("") is None


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/officers", "/officers"),
        ("/commodities?from=2024-01-01&to=2024-12-31", "/commodities?from=2024-01-01&to=2024-12-31"),
        ("/", "/"),
        (None, "/"),
        ("", "/"),
        ("officers", "/"),
        ("//evil.example/x", "/"),
        ("/\\evil.example", "/"),
        ("https://evil.example/", "/"),
        ("javascript:alert(1)", "/"),
        ("/x\r\nSet-Cookie: a=b", "/"),
        ("/x\x00", "/"),
    ],
)
def test_the_landing_address_is_a_path_on_this_server(target, expected):
    assert safe_next(target) == expected
    # under server.baseUrlPath: only the app's own paths
    assert safe_next(target, "/dash") == "/dash/"
    if expected != "/":
        assert safe_next(f"/dash{target}", "/dash") == f"/dash{expected}"
    assert safe_next("/dashboard-of-another-app", "/dash") == "/dash/"


def _call(app, method: str, path: str, query: str = "", headers: dict | None = None, scheme: str = "http"):
    """One HTTP request straight into an ASGI app: (status, [(header, value)], body)."""
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": scheme,
        "path": path, "raw_path": path.encode(), "query_string": query.encode(), "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()],
        "server": ("127.0.0.1", 8501), "client": ("127.0.0.1", 50000),
    }  # fmt: skip
    sent: list[dict] = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    head = sent[0]
    body = b"".join(m.get("body", b"") for m in sent[1:])
    return head["status"], [(k.decode(), v.decode()) for k, v in head["headers"]], body


def _app(tickets: SessionTickets, base: str = ""):
    """A Starlette app with a catch-all (as Streamlit's static files are), then the session routes."""
    from starlette.applications import Starlette
    from starlette.responses import PlainTextResponse
    from starlette.routing import Mount

    async def everything(scope, receive, send):
        await PlainTextResponse("static")(scope, receive, send)

    app = Starlette(routes=[Mount("/", app=everything)])
    assert add_session_routes(app, tickets, base)
    assert add_session_routes(app, tickets, base)  # twice: still one set
    assert sum(getattr(route, "path", "") == f"{base}/_session/start" for route in app.router.routes) == 1
    return app


def _cookies(headers) -> list[str]:
    return [value for name, value in headers if name == "set-cookie"]


def test_the_start_route_trades_a_ticket_for_an_httponly_strict_cookie():
    from urllib.parse import urlencode

    tickets = SessionTickets()
    app = _app(tickets)
    ticket = tickets.issue("the-token")
    query = urlencode({"ticket": ticket, "next": "/commodities?from=2024-01-01&to=2024-12-31"})
    status, headers, _ = _call(app, "GET", "/_session/start", query, {"Sec-Fetch-Site": "same-origin"})
    assert status == 303
    assert dict(headers)["location"] == "/commodities?from=2024-01-01&to=2024-12-31"
    (cookie,) = _cookies(headers)
    parts = [part.strip().lower() for part in cookie.split(";")]
    assert parts[0] == f"{SESSION_COOKIE}=the-token".lower()
    assert {"httponly", "samesite=strict", "path=/"} <= set(parts)
    assert "secure" not in parts and not any(p.startswith(("max-age", "expires")) for p in parts)
    # the same ticket again: no cookie, but still on to the page (which asks to sign in)
    status, headers, _ = _call(app, "GET", "/_session/start", query)
    assert status == 303 and _cookies(headers) == []
    # over https the cookie is Secure
    query = urlencode({"ticket": tickets.issue("t2"), "next": "/"})
    _, headers, _ = _call(app, "GET", "/_session/start", query, scheme="https")
    assert "secure" in [part.strip().lower() for part in _cookies(headers)[0].split(";")]


def test_the_start_route_goes_nowhere_else_and_refuses_other_sites():
    from urllib.parse import urlencode

    tickets = SessionTickets()
    app = _app(tickets)
    query = urlencode({"ticket": tickets.issue("tok"), "next": "//evil.example/"})
    status, headers, _ = _call(app, "GET", "/_session/start", query, {"Sec-Fetch-Site": "same-origin"})
    assert (status, dict(headers)["location"]) == (303, "/")
    # login CSRF: an attacker's ticket from their page, or in a link sent by mail or chat
    for site in ("cross-site", "same-site", "none"):
        ticket = tickets.issue("attacker")
        status, headers, _ = _call(app, "GET", "/_session/start", urlencode({"ticket": ticket}), {"Sec-Fetch-Site": site})
        assert status == 403 and _cookies(headers) == []
        assert tickets.redeem(ticket) == "attacker"  # not spent by the refused request
    status, _, body = _call(app, "GET", "/officers")
    assert (status, body) == (200, b"static")  # everything else still reaches Streamlit


def test_the_end_route_clears_the_cookie():
    app = _app(SessionTickets(), base="/dash")
    status, headers, _ = _call(app, "POST", "/dash/_session/end", headers={"Sec-Fetch-Site": "same-origin"})
    assert status == 204
    parts = [part.strip().lower() for part in _cookies(headers)[0].split(";")]
    assert parts[0] == f'{SESSION_COOKIE}=""'.lower() and "max-age=0" in parts and "path=/dash/" in parts
    assert _call(app, "POST", "/dash/_session/end", headers={"Sec-Fetch-Site": "cross-site"})[0] == 403
    _, headers, _ = _call(app, "GET", "/dash/_session/end")  # a link or an image cannot sign anyone out
    assert _cookies(headers) == []


def test_a_sign_in_address_carries_the_ticket_and_the_landing(monkeypatch):
    from urllib.parse import parse_qs, urlsplit

    url = server_hardening.start_url("TICKET", "/commodities?from=2024-01-01&to=2024-12-31")
    parts = urlsplit(url)
    assert parts.path == "/_session/start"
    assert parse_qs(parts.query) == {"ticket": ["TICKET"], "next": ["/commodities?from=2024-01-01&to=2024-12-31"]}


# --------------------------------------------------------------------------- the landing, in AppTest


def test_the_address_remembered_for_after_sign_in_has_no_cnic(home):
    """An AppTest has no cookies, no server routes: the sign-in form still works (the
    session is the Streamlit one), and the address it remembers drops a CNIC."""
    from streamlit.testing.v1 import AppTest

    from apptest_helpers import APP

    at = AppTest.from_file(str(APP), default_timeout=60)
    at.context["url"] = "http://dashboard.example/offenders"
    at.query_params["cnic"] = "35202-1234567-1"
    at.query_params["from"] = "2024-01-01"
    at.query_params["formation"] = ["II-PSH", "3520212345671"]
    at.run()
    assert not at.exception
    assert [t.label for t in at.text_input] == ["User ID", "Password"]  # the sign-in form, and nothing else
    assert at.session_state["_auth_requested"] == "/offenders?from=2024-01-01&formation=II-PSH"


def test_a_cnic_typed_as_the_page_is_not_remembered(home):
    from streamlit.testing.v1 import AppTest

    from apptest_helpers import APP

    at = AppTest.from_file(str(APP), default_timeout=60)
    at.context["url"] = "http://dashboard.example/35202-1234567-1"
    at.run()
    assert not at.exception
    assert at.session_state["_auth_requested"] == "/"
