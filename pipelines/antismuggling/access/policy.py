"""Sign-in policy: lockout after repeated failures (per account and per client address), the
dashboard's idle-session timeout, the life of a sign-in ticket, and how long a built download
is served."""

import os

MAX_FAILED_ATTEMPTS = 5
# Failed sign-ins from one client address, over any accounts, within the lockout window
# (ANTISMUGGLING_LOCKOUT_MINUTES) after which that address may not try again until they age
# out of it. Higher than the per-account limit: people behind one proxy or NAT share an
# address, and one of them mistyping must not lock the others out.
MAX_FAILED_ATTEMPTS_PER_ADDRESS = 20
DEFAULT_LOCKOUT_MINUTES = 15
DEFAULT_SESSION_IDLE_MINUTES = 30
DEFAULT_DOWNLOAD_SECONDS = 60
# A sign-in hands the browser a one-time ticket that it trades for its session cookie at once
# (dashboard/server_hardening.py); unused this long, the ticket is void.
SESSION_TICKET_SECONDS = 30

LOCKOUT_MINUTES_ENV = "ANTISMUGGLING_LOCKOUT_MINUTES"
SESSION_IDLE_MINUTES_ENV = "ANTISMUGGLING_SESSION_IDLE_MINUTES"
DOWNLOAD_SECONDS_ENV = "ANTISMUGGLING_DOWNLOAD_SECONDS"


def _positive_int_from_env(name: str, default: int, unit: str = "minutes") -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        raise ValueError(f"{name} must be a whole number of {unit} of at least 1, not {raw!r}")
    return value


def lockout_minutes() -> int:
    """How long an account stays locked after MAX_FAILED_ATTEMPTS failed sign-ins in a row,
    and the window over which an address's failures count."""
    return _positive_int_from_env(LOCKOUT_MINUTES_ENV, DEFAULT_LOCKOUT_MINUTES)


def session_idle_minutes() -> int:
    """Minutes without activity after which a dashboard session must sign in again: the
    session ends in the user store (every tab and reload of the browser with it)."""
    return _positive_int_from_env(SESSION_IDLE_MINUTES_ENV, DEFAULT_SESSION_IDLE_MINUTES)


def download_seconds() -> int:
    """Seconds a download file is served after it is built (the browser fetches it at once)."""
    return _positive_int_from_env(DOWNLOAD_SECONDS_ENV, DEFAULT_DOWNLOAD_SECONDS, unit="seconds")
