"""Store URLs: the one string that names an operational store.

Accepted forms (see docs/architecture.md and the store contract):

- ``sqlite:///relative/path.db`` or ``sqlite:///abs/path.db`` (three slashes, then the path),
- ``sqlite:////abs/path.db`` (four slashes: an absolute path),
- ``postgresql://user:pass@host:port/db`` (``postgres://`` is accepted as an alias).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import unquote, urlsplit, urlunsplit

ACCEPTED_FORMS = (
    "sqlite:///relative/or/abs/path.db, sqlite:////abs/path.db, postgresql://user:pass@host:port/db (or postgres://...)"
)


@dataclass(frozen=True)
class StoreURL:
    """A parsed store URL.

    ``path`` is set for SQLite only; ``dsn`` is the libpq/psycopg conninfo URI for PostgreSQL
    (empty for SQLite); ``url`` is the string as given.
    """

    kind: Literal["sqlite", "postgresql"]
    url: str
    path: Path | None = None
    dsn: str = ""


def _invalid(url: str, why: str) -> ValueError:
    return ValueError(f"invalid store URL {redact_url(url)!r}: {why}. Accepted forms: {ACCEPTED_FORMS}")


def parse_store_url(url: str) -> StoreURL:
    """Parse a store URL; raise ``ValueError`` naming the accepted forms if it is not one."""
    if not isinstance(url, str) or not url.strip():
        raise _invalid(str(url), "empty URL")
    text = url.strip()
    scheme, sep, rest = text.partition("://")
    scheme = scheme.lower()
    if not sep:
        raise _invalid(text, "no scheme (expected 'sqlite://' or 'postgresql://')")

    if scheme == "sqlite":
        # sqlite:///x.db -> rest "/x.db" (relative path x.db); sqlite:////abs.db -> rest "//abs.db".
        if not rest.startswith("/"):
            raise _invalid(text, "a SQLite URL needs three slashes before the path (sqlite:///path.db)")
        raw_path = rest[1:]
        if raw_path.startswith("/"):
            raw_path = "/" + raw_path.lstrip("/")
        raw_path = unquote(raw_path.split("?", 1)[0])
        if not raw_path or raw_path.endswith("/"):
            raise _invalid(text, "no database file path after 'sqlite:///'")
        if raw_path == ":memory:":
            raise _invalid(text, "an in-memory SQLite database cannot be a store")
        return StoreURL(kind="sqlite", url=url, path=Path(raw_path))

    if scheme in ("postgresql", "postgres"):
        parts = urlsplit(text)
        if not parts.hostname and "host=" not in parts.query:
            raise _invalid(text, "no host in the PostgreSQL URL")
        database = parts.path.lstrip("/")
        if not database:
            raise _invalid(text, "no database name in the PostgreSQL URL (postgresql://user:pass@host:port/db)")
        try:
            parts.port  # noqa: B018 - raises ValueError on a non-numeric port
        except ValueError:
            raise _invalid(text, "the port is not a number") from None
        dsn = urlunsplit(("postgresql", parts.netloc, parts.path, parts.query, ""))
        return StoreURL(kind="postgresql", url=url, dsn=dsn)

    raise _invalid(text, f"unsupported scheme {scheme!r}")


def redact_url(url: str) -> str:
    """The URL with any password replaced by ``***`` (for logs and published metadata)."""
    if not isinstance(url, str) or "://" not in url:
        return url
    scheme, _, rest = url.partition("://")
    authority_end = len(rest)
    for stop in "/?#":
        position = rest.find(stop)
        if position != -1:
            authority_end = min(authority_end, position)
    authority, tail = rest[:authority_end], rest[authority_end:]
    if "@" in authority:
        userinfo, _, host = authority.rpartition("@")
        if ":" in userinfo:
            user = userinfo.split(":", 1)[0]
            authority = f"{user}:***@{host}"
    # libpq also takes a password as a query parameter.
    if "password=" in tail:
        head, _, query = tail.partition("?")
        fields = ["password=***" if field.lower().startswith("password=") else field for field in query.split("&")]
        tail = head + "?" + "&".join(fields)
    return f"{scheme}://{authority}{tail}"
