"""Where deliveries go: a local drop folder, or a partner's SFTP server.

Every delivery is first built complete in a local folder: for ``local`` destinations that
is the drop folder itself (``<root>/<feed>/<destination>/``), for SFTP destinations the spool
``<home>/feeds/spool/<feed>/<destination>/``, which keeps a copy of everything that was sent.

SFTP (paramiko):

- the server's host key is *pinned* in the configuration (``host_key = "ssh-ed25519 AAAA..."``);
  any other key is refused before authenticating (:class:`HostKeyMismatch`), and is never
  retried;
- authentication with a key file only (no password, no agent);
- upload into ``<remote_dir>/<feed>/<destination>/.tmp-<name>/``, then one rename to
  ``<name>``: the partner never sees a partial folder under a final name;
- connection failures are retried ``retries`` times with exponential backoff
  (``backoff_seconds`` × 2^attempt); then the delivery fails with a clear message
  (:class:`DestinationUnreachable`) and nothing is recorded as delivered.
"""

from __future__ import annotations

import base64
import hashlib
import posixpath
import socket
import stat
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from antismuggling.feeds.config import DestinationConfig


class DestinationError(RuntimeError):
    """A delivery could not be placed at its destination."""

    def __init__(self, message: str, *, rename_attempted: bool = False):
        super().__init__(message)
        # True when the final rename was sent and its outcome is unknown (connection lost):
        # the delivery may be in place; the next run checks before doing anything else.
        self.rename_attempted = rename_attempted


class HostKeyMismatch(DestinationError):
    pass


class DestinationUnreachable(DestinationError):
    pass


class AuthenticationFailed(DestinationError):
    pass


def _rsa_aliases(kind: str) -> tuple[str, ...]:
    return ("rsa-sha2-512", "rsa-sha2-256") if kind == "ssh-rsa" else (kind,)


def key_fingerprint(blob: bytes) -> str:
    return "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")


@dataclass
class SftpSession:
    transport: object
    sftp: object

    def close(self) -> None:
        try:
            self.sftp.close()
        finally:
            self.transport.close()


def open_sftp(dest: DestinationConfig) -> SftpSession:
    """One connection, host key checked against the pinned one, key-file authentication."""
    import paramiko

    pinned_kind, pinned_b64 = dest.host_key.split()[:2]
    try:
        pinned_blob = base64.b64decode(pinned_b64)
    except ValueError:
        raise HostKeyMismatch(f"{dest.name}: the pinned host_key is not base64") from None
    where = f"{dest.host}:{dest.port}"
    try:
        sock = socket.create_connection((dest.host, dest.port), timeout=dest.timeout_seconds)
    except OSError as exc:
        raise DestinationUnreachable(f"{dest.name}: cannot connect to {where}: {exc.strerror or exc}") from None
    transport = paramiko.Transport(sock)
    try:
        options = transport.get_security_options()
        wanted = tuple(k for k in _rsa_aliases(pinned_kind) if k in options.key_types)
        if not wanted:
            raise HostKeyMismatch(f"{dest.name}: pinned host key type {pinned_kind} is not supported")
        options.key_types = wanted
        transport.banner_timeout = dest.timeout_seconds
        try:
            transport.start_client(timeout=dest.timeout_seconds)
        except paramiko.SSHException as exc:
            if "Incompatible ssh" in str(exc) or "no acceptable host key" in str(exc).lower():
                raise HostKeyMismatch(
                    f"{dest.name}: {where} offers no host key of the pinned type {pinned_kind}: refused") from None
            raise DestinationUnreachable(f"{dest.name}: SSH handshake with {where} failed: {exc}") from None
        except (EOFError, OSError) as exc:
            raise DestinationUnreachable(f"{dest.name}: SSH handshake with {where} failed: {exc}") from None
        server_key = transport.get_remote_server_key()
        if server_key.asbytes() != pinned_blob:
            raise HostKeyMismatch(
                f"{dest.name}: host key of {where} is {key_fingerprint(server_key.asbytes())}, "
                f"not the pinned {key_fingerprint(pinned_blob)}: refused (was the server replaced, "
                "or is someone in between?)")
        try:
            pkey = paramiko.PKey.from_path(str(dest.key_file))
        except (OSError, paramiko.SSHException) as exc:
            raise AuthenticationFailed(f"{dest.name}: cannot read the key file {dest.key_file}: {exc}") from None
        try:
            transport.auth_publickey(dest.user, pkey)
        except paramiko.AuthenticationException:
            raise AuthenticationFailed(f"{dest.name}: {where} refused key authentication for user {dest.user}") from None
        except (paramiko.SSHException, EOFError, OSError) as exc:
            raise DestinationUnreachable(f"{dest.name}: authentication with {where} failed: {exc}") from None
        try:
            sftp = paramiko.SFTPClient.from_transport(transport)
        except (paramiko.SSHException, EOFError, OSError) as exc:
            raise DestinationUnreachable(f"{dest.name}: {where} has no SFTP service: {exc}") from None
        return SftpSession(transport, sftp)
    except BaseException:
        transport.close()
        raise


def with_retries(dest: DestinationConfig, action: Callable[[SftpSession], object], *,
                 log: Callable[[str], None] | None = None):
    """Run ``action`` on a fresh connection, retrying connection failures with backoff."""
    import paramiko

    last: Exception | None = None
    rename_attempted = False
    for attempt in range(dest.retries):
        if attempt:
            delay = dest.backoff_seconds * (2 ** (attempt - 1))
            if log:
                log(f"{dest.name}: retry {attempt} of {dest.retries - 1} in {delay:g} s ({last})")
            time.sleep(delay)
        try:
            session = open_sftp(dest)
        except (HostKeyMismatch, AuthenticationFailed):
            raise
        except DestinationUnreachable as exc:
            last = exc
            continue
        try:
            return action(session)
        except DestinationError as exc:
            if exc.rename_attempted:
                rename_attempted = True
            if isinstance(exc, (HostKeyMismatch, AuthenticationFailed)):
                raise
            last = exc
        except (paramiko.SSHException, EOFError, OSError) as exc:
            last = DestinationUnreachable(f"{dest.name}: connection to {dest.host}:{dest.port} lost: {exc}")
        finally:
            try:
                session.close()
            except Exception:  # noqa: BLE001 - closing a dead connection
                pass
    raise DestinationUnreachable(
        f"{dest.name}: {dest.host}:{dest.port} unreachable after {dest.retries} attempt(s): {last}",
        rename_attempted=rename_attempted)


# ---------------------------------------------------------------------------------------------
# Remote operations


def _exists(sftp, path: str) -> bool:
    try:
        sftp.stat(path)
        return True
    except FileNotFoundError:
        return False
    except OSError as exc:
        if getattr(exc, "errno", None) == 2:
            return False
        raise


def _makedirs(sftp, path: str) -> None:
    parts = [p for p in path.split("/") if p]
    current = "/" if path.startswith("/") else ""
    for part in parts:
        current = posixpath.join(current, part) if current else part
        if not _exists(sftp, current):
            sftp.mkdir(current)


def _rmtree(sftp, path: str) -> None:
    for entry in sftp.listdir_attr(path):
        child = posixpath.join(path, entry.filename)
        if stat.S_ISDIR(entry.st_mode or 0):
            _rmtree(sftp, child)
        else:
            sftp.remove(child)
    sftp.rmdir(path)


def remote_folder(dest: DestinationConfig, feed_id: str, name: str | None = None) -> str:
    base = posixpath.join(dest.remote_dir, feed_id, dest.name)
    return posixpath.join(base, name) if name else base


def remote_manifest_sha256(sftp, folder: str) -> str | None:
    path = posixpath.join(folder, "manifest.json")
    if not _exists(sftp, path):
        return None
    digest = hashlib.sha256()
    with sftp.open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def upload_delivery(dest: DestinationConfig, feed_id: str, local_folder: Path, manifest_sha256: str, *,
                    log: Callable[[str], None] | None = None) -> str:
    """Upload a complete local delivery folder; the remote path of the delivery."""
    name = local_folder.name
    base = remote_folder(dest, feed_id)
    final = posixpath.join(base, name)
    tmp = posixpath.join(base, f".tmp-{name}")
    files = sorted(p for p in local_folder.iterdir() if p.is_file())

    def action(session: SftpSession) -> str:
        sftp = session.sftp
        _makedirs(sftp, base)
        if _exists(sftp, final):
            # an earlier attempt renamed it and lost the connection before hearing back
            if remote_manifest_sha256(sftp, final) == manifest_sha256:
                return final
            raise DestinationError(f"{dest.name}: {final} exists with other content; refusing to overwrite")
        if _exists(sftp, tmp):
            _rmtree(sftp, tmp)
        sftp.mkdir(tmp)
        for path in files:
            sftp.put(str(path), posixpath.join(tmp, path.name), confirm=True)
        try:
            try:
                sftp.posix_rename(tmp, final)  # posix-rename@openssh.com: atomic
            except OSError as exc:
                if "unsupported" not in str(exc).lower():
                    raise
                sftp.rename(tmp, final)  # plain SFTP rename (fails if the target exists, which it does not)
        except Exception as exc:  # noqa: BLE001 - the rename was sent: its outcome is unknown
            raise DestinationError(f"{dest.name}: rename of {tmp} failed: {exc}", rename_attempted=True) from None
        return final

    return with_retries(dest, action, log=log)


def check_remote_delivery(dest: DestinationConfig, feed_id: str, name: str, manifest_sha256: str | None) -> bool:
    """Is the delivery ``name`` in place on the server with this manifest? Cleans a leftover temp folder."""
    base = remote_folder(dest, feed_id)

    def action(session: SftpSession) -> bool:
        sftp = session.sftp
        final = posixpath.join(base, name)
        if _exists(sftp, final):
            return remote_manifest_sha256(sftp, final) == manifest_sha256
        tmp = posixpath.join(base, f".tmp-{name}")
        if _exists(sftp, tmp):
            _rmtree(sftp, tmp)
        return False

    return with_retries(dest, action)


def list_remote(dest: DestinationConfig, feed_id: str) -> list[str]:
    """Names of the folders under the destination's feed folder (for tests and operators)."""
    base = remote_folder(dest, feed_id)

    def action(session: SftpSession) -> list[str]:
        if not _exists(session.sftp, base):
            return []
        return sorted(session.sftp.listdir(base))

    return with_retries(dest, action)
