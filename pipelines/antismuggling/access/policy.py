"""Sign-in policy: lockout after repeated failures and the dashboard's idle-session timeout."""

import os

MAX_FAILED_ATTEMPTS = 5
DEFAULT_LOCKOUT_MINUTES = 15
DEFAULT_SESSION_IDLE_MINUTES = 30

LOCKOUT_MINUTES_ENV = "ANTISMUGGLING_LOCKOUT_MINUTES"
SESSION_IDLE_MINUTES_ENV = "ANTISMUGGLING_SESSION_IDLE_MINUTES"


def _positive_int_from_env(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        raise ValueError(f"{name} must be a whole number of minutes of at least 1, not {raw!r}")
    return value


def lockout_minutes() -> int:
    """How long an account stays locked after MAX_FAILED_ATTEMPTS failed sign-ins in a row."""
    return _positive_int_from_env(LOCKOUT_MINUTES_ENV, DEFAULT_LOCKOUT_MINUTES)


def session_idle_minutes() -> int:
    """Minutes without activity after which a dashboard session must sign in again."""
    return _positive_int_from_env(SESSION_IDLE_MINUTES_ENV, DEFAULT_SESSION_IDLE_MINUTES)
