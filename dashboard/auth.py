"""Who is using the dashboard: sign-in, sessions that outlive a reload, expiry, sign-out and
the audit trail.

:func:`require_principal` runs before any page: without a signed-in, enabled user it draws
the sign-in form and stops the script, so no page renders for an anonymous session.

A password sign-in starts a session in the user store (:meth:`UserStore.start_session`: a
random token, of which the store keeps only the SHA-256). The browser gets the token in the
HttpOnly, SameSite=Strict cookie ``antismuggling_session``, which no script can read or set:
the sign-in hands this Streamlit session a one-time ticket for it, and the page goes to
``/_session/start`` (:mod:`dashboard.server_hardening`), which sets the cookie and sends the
browser on to the page and filters first asked for (``/officers?from=…``; never a CNIC). A
reload, a new tab or a shared link then opens signed in: the cookie comes with Streamlit's
WebSocket, and its session is looked up (audited once per Streamlit session as
``session_resumed``). Each run checks the session and re-reads the user from the store:
sign-out ends it (and clears the cookie), as do ``ANTISMUGGLING_SESSION_IDLE_MINUTES`` (30 by
default) without activity in any tab (``session_expired``), disabling the account, changing
its role or formations, and resetting its password. Without the cookie routes (an AppTest) a
sign-in lasts as long as the Streamlit session, with the same idle limit.

Passwords are checked by :class:`antismuggling.access.store.UserStore` (argon2 hashes,
lockout after 5 failures in a row on an account, and a pause for an address after 20 failures
from it, :func:`client`); sites with an identity provider may configure Streamlit's OIDC
sign-in (``[auth]`` in ``~/.streamlit/secrets.toml``, outside the repository), whose users
are mapped to the same roles through their ``oidc_subject`` (the e-mail the provider
reports, when it has verified it).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from urllib.parse import urlencode, urlsplit

import streamlit as st

from antismuggling.access.policy import session_idle_minutes
from antismuggling.access.roles import ROLE_DESCRIPTIONS, Principal
from antismuggling.access.store import UserStore, session_token_hash
from antismuggling.config import load_settings
from dashboard import server_hardening

_PRINCIPAL = "_auth_principal"
_LAST_ACTIVITY = "_auth_last_activity"
_NOTICE = "_auth_notice"
_SESSION = "_auth_session"  # hash of the user-store session this Streamlit session stands on
_DEAD_COOKIE = "_auth_dead_cookie"  # hash of a cookie found ended: not looked up again
_REQUESTED = "_auth_requested"  # the page and query the address asked for before sign-in
_GO = "_auth_go"  # after a sign-in: the address that trades the ticket for the cookie
_CLEAR_COOKIE = "_auth_clear_cookie"
_HAD_PAGES = "_auth_had_pages"  # the browser was sent the pages' navigation, and keeps it
# A CNIC in any format (13 digits, dashes or spaces optional): never carried to another address.
_CNIC_SHAPED = re.compile(r"(?<![0-9A-Za-z])\d{5}[-\s]?\d{7}[-\s]?\d(?![0-9A-Za-z])")
_PAGE_PATH = re.compile(r"[A-Za-z0-9_-]*")

ROLE_LABELS = {
    "dg": "Director General",
    "analyst": "Analyst",
    "formation_officer": "Formation officer",
    "admin": "Administrator",
}


def user_store() -> UserStore:
    return UserStore.from_settings(load_settings())


LOCAL_CLIENT = "localhost"


def client() -> str:
    """The address a sign-in, and every audit row, is attributed to; failed sign-ins are
    throttled per address (:meth:`UserStore.authenticate`). The browser's address as
    Streamlit sees it; Streamlit reports none for a connection from this machine, which is a
    user on the server or a reverse proxy on it: then the address the proxy appended last to
    ``X-Forwarded-For`` (earlier ones come from the client and may be made up), else
    ``localhost``. '' when there is no request at all (an AppTest or bare run)."""
    try:
        address = st.context.ip_address
        if address:
            return str(address)
        forwarded = [
            hop.strip() for value in st.context.headers.get_all("X-Forwarded-For") for hop in value.split(",")
        ]
        return next((hop for hop in reversed(forwarded) if hop), LOCAL_CLIENT)
    except Exception:  # no runtime, so no request
        return ""


def current_principal() -> Principal | None:
    """The signed-in user of this session, without drawing anything."""
    return st.session_state.get(_PRINCIPAL)


def audit_recorder() -> Callable[..., None]:
    """``record(action, target=…, n_rows=…, detail=…)`` appending to the audit log on behalf of
    this session's user; usable outside the script run too (a download built on request)."""
    principal = current_principal()
    username = principal.username if principal else None
    where = client()

    def record(action: str, *, target: str | None = None, n_rows: int | None = None, detail: str | None = None) -> None:
        user_store().audit(username, action, target=target, n_rows=n_rows, detail=detail, client=where)

    return record


def download_recorder() -> Callable[..., None]:
    """``record(target=…, n_rows=…, detail=…)`` for a download built on request, after the
    script run that drew its button: it refuses (PermissionError) when the session would have
    expired by then or the account was disabled or changed since, else audits the download."""
    principal = current_principal()
    drawn_at = time.monotonic()
    record = audit_recorder()
    session = st.session_state.get(_SESSION)
    where = client()

    def record_download(*, target: str, n_rows: int, detail: str) -> None:
        store = user_store()
        current = store.active_principal(principal.username) if principal else None
        if current is None or current != principal or time.monotonic() - drawn_at > session_idle_minutes() * 60:
            raise PermissionError("the session behind this download has ended; sign in again")
        if session and not store.check_session(session, client=where).ok:  # signed out, maybe in another tab
            raise PermissionError("the session behind this download has ended; sign in again")
        record("download", target=target, n_rows=n_rows, detail=detail)

    return record_download


def audit(action: str, *, target: str | None = None, n_rows: int | None = None, detail: str | None = None) -> None:
    """Append to the audit log on behalf of the signed-in user."""
    audit_recorder()(action, target=target, n_rows=n_rows, detail=detail)


def audit_lookup(action: str, target: str, *, n_rows: int, detail: str | None = None, search: str | None = None) -> None:
    """Record a look-up once per new search (``search``, by default ``target``), not on every
    rerun that redraws its result."""
    last = f"_audit_last_{action}"
    search = target if search is None else search
    if st.session_state.get(last) != search:
        audit(action, target=target, n_rows=n_rows, detail=detail)
        st.session_state[last] = search


def require_principal() -> Principal:
    """The signed-in user, refreshed from the user store; otherwise the sign-in form, and the
    script stops there. Just after a sign-in, the page instead goes to the address that sets
    the session cookie (and on to the page first asked for)."""
    principal = _session_principal()
    if principal is None:
        _remember_requested()
        if st.session_state.get(_HAD_PAGES):
            _signed_out_navigation()
        _sign_in_form()
        st.stop()
    go = st.session_state.pop(_GO, None)
    if go:
        _go_to(go)
        st.stop()
    st.session_state[_LAST_ACTIVITY] = time.monotonic()
    return principal


def _expired_notice() -> str:
    return f"Your session expired after {session_idle_minutes()} minutes without activity. Sign in again."


_INACTIVE = "Your account is no longer active. Ask an administrator."
_CHANGED = "Your account was changed by an administrator. Sign in again."
_SIGNED_OUT = "You are signed out."
# What a session that ended says, by SessionCheck.reason or, when it had ended before, .ended_as.
_ENDED_NOTICES = {
    "inactive": _INACTIVE,
    "disabled": _INACTIVE,
    "changed": _CHANGED,
    "role_changed": _CHANGED,
    "password_reset": _CHANGED,
}


def _ended_notice(check) -> str:
    why = check.ended_as if check.reason == "revoked" else check.reason
    if why == "expired":
        return _expired_notice()
    return _ENDED_NOTICES.get(why, _SIGNED_OUT)


def _session_principal() -> Principal | None:
    principal = current_principal()
    if principal is None:
        return _cookie_principal() or _oidc_principal()
    session = st.session_state.get(_SESSION)
    if session:  # a user-store session, shared by this browser's tabs: it keeps the idle time
        check = user_store().check_session(session, client=client())
        if not check.ok:
            _forget(_ended_notice(check))
            return None
        fresh = check.principal
    else:
        idle_limit = session_idle_minutes() * 60
        last = st.session_state.get(_LAST_ACTIVITY, time.monotonic())
        if time.monotonic() - last > idle_limit:
            audit("session_expired")
            _forget(_expired_notice())
            if _oidc_signed_in():
                st.logout()  # else the provider's session would sign the user straight back in
            return None
        fresh = user_store().active_principal(principal.username)
        if fresh is None:
            _forget(_INACTIVE)
            return None
    if fresh != principal:
        st.session_state[_PRINCIPAL] = fresh
    return fresh


def _session_cookie() -> str | None:
    """The session token the browser sent with this session's WebSocket, if any."""
    try:
        token = st.context.cookies.get(server_hardening.SESSION_COOKIE)
    except Exception:  # no runtime, so no request
        return None
    return token if isinstance(token, str) and 0 < len(token) <= 200 else None


def _cookie_principal() -> Principal | None:
    """The user of a live session named by the browser's cookie (a reload, a new tab, a
    shared link): this Streamlit session starts on it, audited once."""
    token = _session_cookie()
    if token is None:
        return None
    session = session_token_hash(token)
    if st.session_state.get(_DEAD_COOKIE) == session:
        return None
    check = user_store().check_session(session, client=client())
    if not check.ok:
        st.session_state[_DEAD_COOKIE] = session
        st.session_state[_CLEAR_COOKIE] = True
        if check.reason != "unknown" and check.ended_as != "logout":  # say why, unless the user signed out
            st.session_state[_NOTICE] = _ended_notice(check)
        return None  # the address stays: after sign-in the user lands on what it asks for
    _start_session(check.principal, session)
    audit("session_resumed")
    return check.principal


def _forget(notice: str | None = None) -> None:
    """End the session's sign-in. The address loses its query too: the next user of this
    tab must not open on the previous user's look-up or filters."""
    session = st.session_state.pop(_SESSION, None)
    if session:
        st.session_state[_DEAD_COOKIE] = session  # the cookie this WebSocket brought is dead now
        st.session_state[_CLEAR_COOKIE] = True
    for key in (_PRINCIPAL, _LAST_ACTIVITY):
        st.session_state.pop(key, None)
    st.query_params.clear()
    st.session_state[_REQUESTED] = f"{server_hardening.base_path()}/"
    st.session_state[_HAD_PAGES] = True
    if notice:
        st.session_state[_NOTICE] = notice


def _start_session(principal: Principal, session: str | None = None) -> None:
    # A new session starts clean: nothing another user chose or revealed survives it.
    for key in list(st.session_state.keys()):
        del st.session_state[key]
    st.session_state[_PRINCIPAL] = principal
    st.session_state[_LAST_ACTIVITY] = time.monotonic()
    if session:
        st.session_state[_SESSION] = session


def requested_address() -> str:
    """The page and query string this session's address asks for, as a path on this server
    (``/officers?from=2024-01-01``), for the landing after sign-in. A ``cnic`` parameter, or
    any value shaped like a CNIC, is left out: a CNIC is never put into an address."""
    base = server_hardening.base_path()
    try:
        url = st.context.url
    except Exception:  # no runtime, so no request
        url = None
    path = urlsplit(url).path if isinstance(url, str) else ""
    page = path[len(base):].strip("/") if path.startswith(f"{base}/") else ""
    if not _PAGE_PATH.fullmatch(page) or _CNIC_SHAPED.search(page):
        page = ""
    query = []
    for key in st.query_params:
        if key.lower() == "cnic" or _CNIC_SHAPED.search(key):
            continue
        query += [(key, value) for value in st.query_params.get_all(key) if not _CNIC_SHAPED.search(value)]
    return f"{base}/{page}" + (f"?{urlencode(query)}" if query else "")


def _remember_requested() -> None:
    """Keep the address the session opened on (its first run), to land there after sign-in."""
    if _REQUESTED not in st.session_state:
        st.session_state[_REQUESTED] = requested_address()


def _no_page() -> None:
    """Stands for the page the address names while the sign-in form shows; never run."""


def _signed_out_navigation() -> None:
    """Streamlit's frontend keeps the last navigation it was sent: after a sign-out or an
    ended session, the sidebar would go on listing the pages. The sign-in form then sends its
    own, hidden, with no page but the one the address names (so the address stays as it is).
    (A session that never signed in has had no navigation: nothing to replace.)"""
    base = server_hardening.base_path()
    path = urlsplit(st.session_state.get(_REQUESTED) or "/").path
    page = path[len(base):].strip("/") if path.startswith(f"{base}/") else ""
    pages = [st.Page(_no_page, title="Sign in", url_path="sign-in", default=True)]
    if page and page != "sign-in":
        pages.append(st.Page(_no_page, title="Sign in", url_path=page))
    try:
        st.navigation(pages, position="hidden")
    except Exception:  # noqa: BLE001 - a page script run on its own (AppTest) may not navigate
        pass
    # An emptied sidebar stays open in a tab that had one: hide it, and its opener.
    st.html('<style>[data-testid="stSidebar"], [data-testid="stExpandSidebarButton"] {display: none !important;}</style>')


def _run_script(code: str) -> None:
    """Run ``code`` in the page (Streamlit's own frontend, not a frame)."""
    safe = code.replace("<", "\\u003c")  # a '<' is only ever inside a JSON string here
    st.html(f"<script>{safe}</script>", unsafe_allow_javascript=True)


def _go_to(address: str) -> None:
    """Leave for ``address`` (the sign-in ticket's), replacing this page in the history."""
    st.title("Anti-Smuggling Analytics")
    st.caption("Signing in…")
    _run_script(f"window.location.replace({json.dumps(address)});")


def _oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def _oidc_signed_in() -> bool:
    return _oidc_configured() and bool(getattr(st.user, "is_logged_in", False))


def _oidc_principal() -> Principal | None:
    """A user signed in through the identity provider and known to the user store."""
    if not _oidc_signed_in():
        return None
    if st.user.get("email_verified") is False:  # an address the provider has not verified maps to nobody
        st.error("Your identity provider has not verified your e-mail address. Ask an administrator.")
        st.button("Sign out", on_click=st.logout)
        st.stop()
    subject = str(st.user.get("email") or st.user.get("sub") or "")
    principal = user_store().principal_for_oidc(subject, client=client())
    if principal is None:
        st.error(f"{subject or 'This identity'} has no account on this dashboard. Ask an administrator.")
        st.button("Sign out", on_click=st.logout)
        st.stop()
    _start_session(principal)
    return principal


def _on_sign_in() -> None:
    username = (st.session_state.get("_sign_in_user") or "").strip()
    password = st.session_state.get("_sign_in_password") or ""
    st.session_state["_sign_in_password"] = ""  # never kept in the session
    if not username or not password:
        st.session_state[_NOTICE] = "Type your user ID and password."
        return
    result = user_store().authenticate(username, password, client=client())
    if result.ok and result.principal is not None:
        requested = st.session_state.get(_REQUESTED) or f"{server_hardening.base_path()}/"
        session = go = None
        if server_hardening.session_cookies_available():
            token = user_store().start_session(result.principal.username, client=client())
            session = session_token_hash(token)
            go = server_hardening.start_url(server_hardening.issue_ticket(token), requested)
        _start_session(result.principal, session)
        if go:
            st.session_state[_GO] = go
        return
    st.session_state[_NOTICE] = {
        "locked": "This account is locked after too many failed attempts. Try again later or ask an administrator.",
        "disabled": "This account is disabled. Ask an administrator.",
        "throttled": "Too many failed sign-ins from your network address. Try again later or ask an administrator.",
    }.get(result.reason, "Wrong user ID or password.")


def _sign_in_form() -> None:
    st.title("Anti-Smuggling Analytics")
    st.caption("Authorised users only. Every sign-in, look-up and download is recorded.")
    notice = st.session_state.pop(_NOTICE, None)
    if notice:
        st.warning(notice)
    if st.session_state.pop(_CLEAR_COOKIE, False) and server_hardening.session_cookies_available():
        _run_script(f"fetch({json.dumps(server_hardening.end_url())}, {{method: 'POST', credentials: 'same-origin'}});")
    with st.form("sign_in", clear_on_submit=False, enter_to_submit=True):
        st.text_input("User ID", key="_sign_in_user", max_chars=32, autocomplete="username")
        st.text_input("Password", key="_sign_in_password", type="password", max_chars=256, autocomplete="current-password")
        st.form_submit_button("Sign in", on_click=_on_sign_in, type="primary")
    if _oidc_configured():
        st.button("Sign in with your organisation's account", on_click=st.login)


def sign_out() -> None:
    """End the session here and in the user store (every tab of the browser); the sign-in
    form that follows clears the cookie."""
    audit("logout")
    session = st.session_state.get(_SESSION)
    if session:
        user_store().end_session(session)
    was_oidc = _oidc_signed_in()
    _forget(_SIGNED_OUT)
    if was_oidc:
        st.logout()


def sidebar_identity(principal: Principal) -> None:
    """Who is signed in, what their role lets them see, and the sign-out button."""
    st.markdown(f"**{principal.display_name}** · {ROLE_LABELS.get(principal.role, principal.role)}")
    description = ROLE_DESCRIPTIONS.get(principal.role, "")
    st.caption(f"{description} ({', '.join(principal.formations)})" if principal.is_scoped else description)
    st.button("Sign out", on_click=sign_out, key="_sign_out")

