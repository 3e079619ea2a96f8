"""A real OpenSSH server for the SFTP tests: 127.0.0.1, a free port, keys made on the spot.

    server = SshServer(tmp_path / "sshd").start()
    server.port, server.host_key_line, server.client_key, server.user
    server.stop(); server.start()      # same port, same keys: "down, then back"

Everything lives under the given directory: host key, client key pair, authorized_keys,
sshd_config, pid and log file. sshd runs in the foreground (``-D -e``) as a child of the
test process. Only public-key authentication is allowed and SFTP is served by
``internal-sftp``. ``StrictModes no`` because pytest's temporary directories are not laid
out the way sshd wants a home; as root, sshd also needs its privilege-separation directory
(``/run/sshd``), which is created when missing.
"""

from __future__ import annotations

import getpass
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

SSHD_CANDIDATES = ("/usr/sbin/sshd", "/usr/local/sbin/sshd")


class SshUnavailable(RuntimeError):
    pass


def find_sshd() -> str | None:
    for candidate in SSHD_CANDIDATES:
        if os.access(candidate, os.X_OK):
            return candidate
    return shutil.which("sshd")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SshServer:
    def __init__(self, directory: Path, port: int | None = None):
        self.sshd = find_sshd()
        self.keygen = shutil.which("ssh-keygen") or "/usr/bin/ssh-keygen"
        if self.sshd is None or not os.access(self.keygen, os.X_OK):
            raise SshUnavailable("OpenSSH server binaries (sshd, ssh-keygen) are not installed")
        self.dir = Path(directory)
        self.dir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.dir, 0o700)
        self.port = port or free_port()
        self.user = getpass.getuser()
        self.host_key = self.dir / "ssh_host_ed25519_key"
        self.client_key = self.dir / "client_ed25519"
        self.authorized_keys = self.dir / "authorized_keys"
        self.config = self.dir / "sshd_config"
        self.log = self.dir / "sshd.log"
        self.process: subprocess.Popen | None = None
        self._make_keys()
        self._write_config()

    # -- keys and configuration ---------------------------------------------------------------

    def _keygen(self, path: Path, comment: str) -> None:
        if not path.exists():
            subprocess.run([self.keygen, "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", str(path)],
                           check=True, capture_output=True)

    def _make_keys(self) -> None:
        self._keygen(self.host_key, "test-host")
        self._keygen(self.client_key, "test-client")
        self.authorized_keys.write_text(Path(f"{self.client_key}.pub").read_text())
        os.chmod(self.authorized_keys, 0o600)

    @property
    def host_key_line(self) -> str:
        """The server's public host key, `ssh-ed25519 AAAA...` (what a site pins)."""
        kind, blob = Path(f"{self.host_key}.pub").read_text().split()[:2]
        return f"{kind} {blob}"

    def other_host_key_line(self) -> str:
        """A valid host key that is not this server's (for the mismatch test)."""
        other = self.dir / "other_host_key"
        self._keygen(other, "not-the-host")
        kind, blob = Path(f"{other}.pub").read_text().split()[:2]
        return f"{kind} {blob}"

    def _write_config(self) -> None:
        lines = [
            f"Port {self.port}",
            "ListenAddress 127.0.0.1",
            f"HostKey {self.host_key}",
            f"PidFile {self.dir / 'sshd.pid'}",
            f"AuthorizedKeysFile {self.authorized_keys}",
            "PubkeyAuthentication yes",
            "PasswordAuthentication no",
            "KbdInteractiveAuthentication no",
            "UsePAM no",
            "StrictModes no",
            "PermitRootLogin prohibit-password",
            f"AllowUsers {self.user}",
            "Subsystem sftp internal-sftp",
            "MaxStartups 50",
            "LogLevel ERROR",
        ]
        self.config.write_text("\n".join(lines) + "\n")

    # -- process ------------------------------------------------------------------------------

    def start(self, timeout: float = 10.0) -> "SshServer":
        if self.process is not None and self.process.poll() is None:
            return self
        if os.geteuid() == 0:
            Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
        check = subprocess.run([self.sshd, "-t", "-f", str(self.config)], capture_output=True, text=True)
        if check.returncode != 0:
            raise SshUnavailable(f"sshd rejects its test configuration: {check.stderr.strip()}")
        log = self.log.open("ab")
        self.process = subprocess.Popen(
            [self.sshd, "-D", "-e", "-f", str(self.config)], stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SshUnavailable(f"sshd exited at start: {self.log.read_text(errors='replace')[-2000:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                    if sock.recv(4).startswith(b"SSH-"):
                        return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise SshUnavailable(f"sshd did not answer on port {self.port} within {timeout} s")

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        # the listening socket is gone with the process; wait until the port refuses
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                time.sleep(0.05)
            except OSError:
                return
