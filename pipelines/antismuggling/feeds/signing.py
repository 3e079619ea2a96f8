"""The installation's feed-signing key (OpenPGP, via python-gnupg and the system's gpg).

The keyring is ``<home>/feeds/gnupg`` (mode 0700). On first use an Ed25519 signing key
without a passphrase is generated in batch mode (no prompt: the pipeline signs
unattended; the key is protected by the file permissions of the data directory). Its
fingerprint is kept in ``<home>/feeds/signing-key.fpr``; a site that prefers a key of its
own imports it into that keyring and writes its fingerprint there.

Partners verify a delivery with nothing but the folder and the exported public key
(``export_public_key``; ``verify.verify_delivery``).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import socket
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path

GNUPG_DIR = "gnupg"
FINGERPRINT_FILE = "signing-key.fpr"


class SigningError(RuntimeError):
    pass


def gpg_binary() -> str:
    found = shutil.which("gpg") or ("/usr/bin/gpg" if os.access("/usr/bin/gpg", os.X_OK) else None)
    if not found:
        raise SigningError("gpg is not installed (Debian/Ubuntu: apt-get install gnupg)")
    return found


# gpg-agent puts its sockets in the keyring directory; a socket's path must fit in sun_path
# (108 bytes), and the longest name is S.gpg-agent.browser.
_LONGEST_SOCKET_PATH = 100


def short_home(home: Path) -> Path:
    """``home``, or for a path too long for gpg-agent's sockets a short link to it in a private
    per-user folder of the temporary directory (the same link for the same keyring)."""
    if len(str(home)) + len("/S.gpg-agent.browser") <= _LONGEST_SOCKET_PATH:
        return home
    links = Path(tempfile.gettempdir()) / f"asgpg-{os.getuid()}"
    links.mkdir(mode=0o700, exist_ok=True)
    info = links.lstat()
    if info.st_uid != os.getuid() or not links.is_dir() or links.is_symlink() or info.st_mode & 0o077:
        raise SigningError(f"{links} is not a private folder of this user; remove it")
    link = links / hashlib.sha256(str(home.resolve()).encode()).hexdigest()[:16]
    if not (link.is_symlink() and os.readlink(link) == str(home.resolve())):
        link.unlink(missing_ok=True)
        link.symlink_to(home.resolve(), target_is_directory=True)
    return link


def _gpg(home: Path):
    import gnupg

    return gnupg.GPG(gpgbinary=gpg_binary(), gnupghome=str(short_home(home)))


def kill_agent(home: Path) -> None:
    """Stop the gpg-agent gpg started for ``home`` (temporary keyrings must not leave one behind)."""
    gpgconf = shutil.which("gpgconf") or "/usr/bin/gpgconf"
    if os.access(gpgconf, os.X_OK):
        subprocess.run([gpgconf, "--homedir", str(short_home(home)), "--kill", "all"], capture_output=True, check=False)


@contextmanager
def temporary_keyring():
    """A throw-away GNUPGHOME (short path: gpg-agent's socket must fit in sun_path)."""
    home = Path(tempfile.mkdtemp(prefix="asgpg-"))
    os.chmod(home, 0o700)
    try:
        yield home, _gpg(home)
    finally:
        kill_agent(home)
        shutil.rmtree(home, ignore_errors=True)


class Signer:
    """The installation's signing key in ``<feeds_dir>/gnupg``."""

    def __init__(self, feeds_dir: Path):
        self.feeds_dir = Path(feeds_dir)
        self.home = self.feeds_dir / GNUPG_DIR
        self._fingerprint: str | None = None

    def _ensure_home(self):
        self.home.mkdir(parents=True, exist_ok=True)
        os.chmod(self.home, 0o700)
        return _gpg(self.home)

    @property
    def fingerprint(self) -> str:
        if self._fingerprint is None:
            self._fingerprint = self._ensure_key()
        return self._fingerprint

    def _ensure_key(self) -> str:
        gpg = self._ensure_home()
        fpr_file = self.feeds_dir / FINGERPRINT_FILE
        with open(self.feeds_dir / "gnupg.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # two first runs create one key, not two
            secret = {k["fingerprint"] for k in gpg.list_keys(secret=True)}
            if fpr_file.is_file():
                fingerprint = fpr_file.read_text().strip().upper()
                if fingerprint not in secret:
                    raise SigningError(f"{fpr_file} names key {fingerprint}, which is not a secret key in {self.home}")
                return fingerprint
            if secret:
                fingerprint = sorted(secret)[0]
            else:
                params = gpg.gen_key_input(
                    key_type="EDDSA", key_curve="ed25519", key_usage="sign",
                    name_real=f"antismuggling feed signing ({socket.gethostname()})",
                    name_comment="partner feeds", name_email=f"feeds@{socket.gethostname()}",
                    expire_date=0, no_protection=True,
                )
                result = gpg.gen_key(params)
                if not result.fingerprint:
                    raise SigningError(f"gpg could not create the feed-signing key: {result.stderr.strip()[-500:]}")
                fingerprint = result.fingerprint
            tmp = fpr_file.with_suffix(".tmp")
            tmp.write_text(fingerprint + "\n")
            os.replace(tmp, fpr_file)
            return fingerprint

    def sign_detached(self, path: Path) -> Path:
        """``<path>.asc``: detached, ASCII-armoured signature of ``path``."""
        gpg = self._ensure_home()
        out = path.with_name(path.name + ".asc")
        with path.open("rb") as fh:
            result = gpg.sign_file(fh, keyid=self.fingerprint, detach=True, clearsign=False, binary=False,
                                   output=str(out))
        if not result or not out.is_file() or out.stat().st_size == 0:
            raise SigningError(f"gpg could not sign {path.name}: {getattr(result, 'stderr', '')[-500:]}")
        return out

    def export_public_key(self) -> str:
        gpg = self._ensure_home()
        armored = gpg.export_keys(self.fingerprint, armor=True)
        if not armored or "BEGIN PGP PUBLIC KEY BLOCK" not in armored:
            raise SigningError("gpg could not export the feed-signing public key")
        return armored

    def import_recipient(self, key_file: Path) -> str:
        """Import a partner's public key; its fingerprint (of the key that will be encrypted to)."""
        gpg = self._ensure_home()
        try:
            data = Path(key_file).read_bytes()
        except OSError as exc:
            raise SigningError(f"cannot read the partner's public key {key_file}: {exc}") from None
        result = gpg.import_keys(data)
        fingerprints = [f for f in (result.fingerprints or []) if f]
        if not fingerprints:
            raise SigningError(f"{key_file} holds no OpenPGP public key")
        return fingerprints[0]

    def encrypt_file(self, path: Path, recipient: str) -> Path:
        """``<path>.gpg``, encrypted (binary OpenPGP) to ``recipient``; the plaintext is left for the caller."""
        gpg = self._ensure_home()
        out = path.with_name(path.name + ".gpg")
        with path.open("rb") as fh:
            result = gpg.encrypt_file(fh, recipients=[recipient], always_trust=True, armor=False, output=str(out))
        if not result.ok:
            raise SigningError(f"gpg could not encrypt {path.name}: {result.status} {result.stderr.strip()[-300:]}")
        return out
