"""Keyed references: how a non-nominal feed names a case or an item without its id.

``case_ref`` = HMAC-SHA256 of the case id under the installation's secret, written as
base32 (RFC 4648, upper case, no padding: 52 characters of A-Z and 2-7). Stable across
deliveries (the same secret, the same id), not reversible without the secret, and never
shaped like a CNIC (hex could hold 13 digits in a row; this alphabet has no 0, 1, 8, 9).

The secret never enters the warehouse or a snapshot: it is ``<home>/feeds/ref.secret``
(32 random bytes as hex, mode 0600), created on first use. Back it up with the ledger: a
new secret renames every case for the partners, and the next deliveries would have to be
``--full``.

DuckDB has ``sha256`` but no HMAC, and a secret passed into dbt would end up in its logs
and compiled SQL; so the refs are computed here, at delivery time, from the ids in the
snapshot's feed tables, and the ids themselves are dropped before anything is written.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from pathlib import Path

SECRET_NAME = "ref.secret"

# Source column -> the keyed reference that replaces it in non-nominal feeds.
PSEUDONYMS = {"case_id": "case_ref", "item_id": "item_ref"}


def _read_or_create_secret(path: Path) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
    if path.stat().st_mode & 0o077:
        os.chmod(path, 0o600)
    text = path.read_text(encoding="ascii").strip()
    try:
        secret = bytes.fromhex(text)
    except ValueError:
        raise RuntimeError(f"{path} is not a hex secret: restore it from backup") from None
    if len(secret) < 16:
        raise RuntimeError(f"{path} holds a secret shorter than 16 bytes: restore it from backup")
    return secret


class RefHasher:
    """Computes ``case_ref`` / ``item_ref`` values."""

    def __init__(self, secret: bytes):
        self._secret = secret

    @classmethod
    def for_feeds_dir(cls, feeds_dir: Path) -> "RefHasher":
        return cls(_read_or_create_secret(Path(feeds_dir) / SECRET_NAME))

    def ref(self, column: str, value: object) -> str | None:
        """The reference replacing ``value`` of source column ``column`` (case_id, item_id)."""
        if value is None:
            return None
        message = f"{column}:{value}".encode()
        digest = hmac.new(self._secret, message, hashlib.sha256).digest()
        return base64.b32encode(digest).decode("ascii").rstrip("=")
