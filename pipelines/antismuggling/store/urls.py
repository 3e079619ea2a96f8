"""Store URLs: the one string that names an operational store.

Accepted forms (see docs/architecture.md and the store contract):

- ``sqlite:///relative/path.db`` or ``sqlite:///abs/path.db`` (three slashes, then the path),
- ``sqlite:////abs/path.db`` (four slashes: an absolute path),
- ``postgresql://user:pass@host:port/db`` (``postgres://`` is accepted as an alias).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import parse_qsl, unquote, urlsplit, urlunsplit

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


HIDDEN = "***"
# user:password@ in any URL of a message (DuckDB's postgres scanner quotes the whole DSN).
_URL_PASSWORD = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.-]*://[^\s:/?#@'\"]*:)[^\s'\"]*(?=@)")
# password=... as a URL query parameter (ends at & or #) ...
_QUERY_PASSWORD = re.compile(r"(?i)(?P<head>[?&][a-z_]*pass(?:word|wd)?=)[^&#\s'\"]*")
# ... or in libpq's keyword form, password=secret or password='quoted secret'.
_KEYWORD_PASSWORD = re.compile(r"(?i)(?P<head>(?<![?&\w])[a-z_]*pass(?:word|wd)?\s*=\s*)(?:'(?:[^'\\]|\\.)*'|[^\s'\"]+)")
_SHORTEST_LITERAL_SECRET = 4  # shorter ones would blank out ordinary text; the patterns still apply


def url_passwords(url: str) -> set[str]:
    """The passwords a store URL carries (userinfo or ``password=`` parameter), as written and decoded."""
    if not isinstance(url, str) or "://" not in url:
        return set()
    found: set[str] = set()
    try:
        parts = urlsplit(url.strip())
        netloc_password = parts.netloc.rpartition("@")[0].partition(":")[2] if "@" in parts.netloc else ""
        found.add(netloc_password)
        found.update(v for k, v in parse_qsl(parts.query, keep_blank_values=True) if "pass" in k.lower())
    except ValueError:
        pass
    return {form for secret in found if secret for form in (secret, unquote(secret))}


def redact_secrets(text: str, urls: Iterable[str] = ()) -> str:
    """``text`` with every password hidden: of connection strings in URL or libpq keyword form,
    and (literally, wherever they appear) those of ``urls``."""
    if not isinstance(text, str):
        return text
    for secret in sorted({s for url in urls for s in url_passwords(url)}, key=len, reverse=True):
        if len(secret) >= _SHORTEST_LITERAL_SECRET:
            text = text.replace(secret, HIDDEN)
    text = _URL_PASSWORD.sub(lambda m: m["head"] + HIDDEN, text)
    text = _QUERY_PASSWORD.sub(lambda m: m["head"] + HIDDEN, text)
    return _KEYWORD_PASSWORD.sub(lambda m: m["head"] + HIDDEN, text)


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)


def exception_without_secrets(exc: BaseException, urls: Iterable[str] = ()) -> BaseException:
    """``exc`` itself if no message of its chain holds a secret, else a copy of it with the
    message redacted and no chain: ``raise ... from exc`` keeps the original (and its DSN) in
    ``__cause__``, which tracebacks print and Dagster stores in the run history."""
    urls = list(urls)
    if all(redact_secrets(str(e), urls) == str(e) for e in _chain(exc)):
        return exc
    message = "; caused by ".join(
        redact_secrets(str(e) if e is exc else f"{type(e).__name__}: {e}", urls) for e in _chain(exc)
    )
    try:
        clean = type(exc)(message)
        if str(clean) != message:
            raise TypeError
    except Exception:  # an exception class that does not take one message
        clean = RuntimeError(f"{type(exc).__name__}: {message}")
    return clean


@contextmanager
def secrets_hidden(*urls: str) -> Iterator[None]:
    """Let no error escape with a store password in it (see ``exception_without_secrets``)."""
    try:
        yield
    except Exception as exc:
        clean = exception_without_secrets(exc, urls)
        if clean is exc:
            raise
        raise clean from None
