"""A throw-away PostgreSQL server for the tests: a real cluster on a free loopback port.

PostgreSQL refuses to run as root, so as root the cluster is created and started as the
``postgres`` user.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path


class PostgresUnavailable(RuntimeError):
    pass


def _bin_dir() -> Path:
    found = shutil.which("pg_ctl")
    if found:
        return Path(os.path.realpath(found)).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), reverse=True)
    if candidates:
        return Path(candidates[0]).parent
    raise PostgresUnavailable("PostgreSQL server binaries not found (apt-get install postgresql)")


def _runuser() -> str:
    # runuser lives in sbin, which a minimal PATH may leave out.
    for candidate in (shutil.which("runuser"), "/usr/sbin/runuser", "/sbin/runuser"):
        if candidate and os.path.exists(candidate):
            return candidate
    raise PostgresUnavailable("runuser not found: cannot start PostgreSQL as the postgres user")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PostgresServer:
    def __init__(self) -> None:
        self.bin_dir = _bin_dir()
        self.root = Path(tempfile.mkdtemp(prefix="antismuggling-pg-"))
        self.data_dir = self.root / "data"
        self.port = _free_port()
        self.as_postgres = os.geteuid() == 0

    def _run(self, *args: str) -> None:
        command = [str(self.bin_dir / args[0]), *args[1:]]
        if self.as_postgres:
            command = [_runuser(), "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, text=True)

    def start(self) -> "PostgresServer":
        if self.as_postgres:
            shutil.chown(self.root, "postgres", "postgres")
        self.root.chmod(0o700)
        self._run("initdb", "-D", str(self.data_dir), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync")
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} -c fsync=off -c timezone=UTC"
        self._run("pg_ctl", "-D", str(self.data_dir), "-o", options, "-l", str(self.root / "server.log"), "-w", "start")
        return self

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data_dir), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as con:
            con.execute(f'create database "{name}"')
        return self.url(name)

    def create_password_user(self, user: str, password: str, database: str) -> str:
        """A role that must give its password over TCP (the cluster trusts everyone else), owning
        a new database; returns its URL with the password."""
        import psycopg
        from psycopg import sql

        with psycopg.connect(self.url(), autocommit=True) as con:
            con.execute(sql.SQL("create role {} login password {}").format(sql.Identifier(user), sql.Literal(password)))
            con.execute(sql.SQL("create database {} owner {}").format(sql.Identifier(database), sql.Identifier(user)))
        hba = self.data_dir / "pg_hba.conf"
        hba.write_text(f"host all {user} 127.0.0.1/32 scram-sha-256\n" + hba.read_text())  # first match wins
        self._run("pg_ctl", "-D", str(self.data_dir), "reload")
        deadline = time.monotonic() + 10
        while True:  # the reload is asynchronous: wait until a wrong password is refused
            try:
                psycopg.connect(f"postgresql://{user}:not-{password}@127.0.0.1:{self.port}/{database}").close()
            except psycopg.OperationalError as exc:
                if "password authentication failed" in str(exc):
                    break
            if time.monotonic() > deadline:
                raise RuntimeError("pg_hba.conf reload did not take effect")
            time.sleep(0.1)
        return f"postgresql://{user}:{password}@127.0.0.1:{self.port}/{database}"

    def wait_ready(self, timeout: float = 30) -> None:
        import psycopg

        deadline = time.monotonic() + timeout
        while True:
            try:
                psycopg.connect(self.url()).close()
                return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
