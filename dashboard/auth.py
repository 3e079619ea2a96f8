"""Who is using the dashboard: sign-in, session expiry, sign-out and the audit trail.

:func:`require_principal` runs before any page: without a signed-in, enabled user it draws
the sign-in form and stops the script, so no page renders for an anonymous session. Each
run re-reads the user from the user store, so disabling an account or changing its role
takes effect on the user's next click; a session idle for longer than
``ANTISMUGGLING_SESSION_IDLE_MINUTES`` (30 by default) must sign in again.

Passwords are checked by :class:`antismuggling.access.store.UserStore` (argon2 hashes,
lockout after 5 failures in a row on an account, and a pause for an address after 20 failures
from it, :func:`client`); sites with an identity provider may configure Streamlit's OIDC
sign-in (``[auth]`` in ``~/.streamlit/secrets.toml``, outside the repository), whose users
are mapped to the same roles through their ``oidc_subject`` (the e-mail the provider
reports, when it has verified it).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import streamlit as st

from antismuggling.access.policy import session_idle_minutes
from antismuggling.access.roles import ROLE_DESCRIPTIONS, Principal
from antismuggling.access.store import UserStore
from antismuggling.config import load_settings

_PRINCIPAL = "_auth_principal"
_LAST_ACTIVITY = "_auth_last_activity"
_NOTICE = "_auth_notice"

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

    def record_download(*, target: str, n_rows: int, detail: str) -> None:
        current = user_store().active_principal(principal.username) if principal else None
        if current is None or current != principal or time.monotonic() - drawn_at > session_idle_minutes() * 60:
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
    script stops there."""
    principal = _session_principal()
    if principal is None:
        _sign_in_form()
        st.stop()
    st.session_state[_LAST_ACTIVITY] = time.monotonic()
    return principal


def _session_principal() -> Principal | None:
    principal = current_principal()
    if principal is None:
        return _oidc_principal()
    idle_limit = session_idle_minutes() * 60
    last = st.session_state.get(_LAST_ACTIVITY, time.monotonic())
    if time.monotonic() - last > idle_limit:
        audit("session_expired")
        _forget(f"Your session expired after {session_idle_minutes()} minutes without activity. Sign in again.")
        if _oidc_signed_in():
            st.logout()  # else the provider's session would sign the user straight back in
        return None
    fresh = user_store().active_principal(principal.username)
    if fresh is None:
        _forget("Your account is no longer active. Ask an administrator.")
        return None
    if fresh != principal:
        st.session_state[_PRINCIPAL] = fresh
    return fresh


def _forget(notice: str | None = None) -> None:
    """End the session's sign-in. The address loses its query too: the next user of this
    tab must not open on the previous user's look-up or filters."""
    for key in (_PRINCIPAL, _LAST_ACTIVITY):
        st.session_state.pop(key, None)
    st.query_params.clear()
    if notice:
        st.session_state[_NOTICE] = notice


def _start_session(principal: Principal) -> None:
    # A new session starts clean: nothing another user chose or revealed survives it.
    for key in list(st.session_state.keys()):
        del st.session_state[key]
    st.session_state[_PRINCIPAL] = principal
    st.session_state[_LAST_ACTIVITY] = time.monotonic()


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
        _start_session(result.principal)
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
    with st.form("sign_in", clear_on_submit=False, enter_to_submit=True):
        st.text_input("User ID", key="_sign_in_user", max_chars=32, autocomplete="username")
        st.text_input("Password", key="_sign_in_password", type="password", max_chars=256, autocomplete="current-password")
        st.form_submit_button("Sign in", on_click=_on_sign_in, type="primary")
    if _oidc_configured():
        st.button("Sign in with your organisation's account", on_click=st.login)


def sign_out() -> None:
    audit("logout")
    was_oidc = _oidc_signed_in()
    _forget("You are signed out.")
    if was_oidc:
        st.logout()


def sidebar_identity(principal: Principal) -> None:
    """Who is signed in, what their role lets them see, and the sign-out button."""
    st.markdown(f"**{principal.display_name}** · {ROLE_LABELS.get(principal.role, principal.role)}")
    description = ROLE_DESCRIPTIONS.get(principal.role, "")
    st.caption(f"{description} ({', '.join(principal.formations)})" if principal.is_scoped else description)
    st.button("Sign out", on_click=sign_out, key="_sign_out")

