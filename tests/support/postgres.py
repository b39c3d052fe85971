"""A throwaway PostgreSQL cluster on a free loopback port, for tests and benchmarks."""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SERVER_GLOB = "/usr/lib/postgresql/*/bin"
SERVICE_USER = "postgres"  # created by Debian's postgresql package; the server refuses root
INSTALL_HINT = "run scripts/services.sh to install the PostgreSQL server"


class PostgresUnavailable(RuntimeError):
    """The PostgreSQL server binaries (or the user to run them as) are missing."""


@dataclass(frozen=True)
class PostgresServer:
    host: str
    port: int
    user: str
    data_dir: Path

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+asyncpg://{self.user}@{self.host}:{self.port}/{database}"

    def dsn(self, database: str = "postgres") -> str:
        """A plain libpq/asyncpg DSN (no SQLAlchemy driver part)."""
        return f"postgresql://{self.user}@{self.host}:{self.port}/{database}"


def server_bindir() -> Path:
    """The newest installed server's bin folder, or PostgresUnavailable saying what to do."""
    found = [Path(p) for p in glob.glob(SERVER_GLOB) if (Path(p) / "initdb").exists()]
    if not found:
        raise PostgresUnavailable(f"no initdb under {SERVER_GLOB}: {INSTALL_HINT}")
    return max(found, key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_server_user(argv: list[str]) -> list[str]:
    """Root may not run initdb/postgres: run them as the postgres system user instead."""
    if os.geteuid() != 0:
        return argv
    try:
        pwd.getpwnam(SERVICE_USER)
    except KeyError:
        raise PostgresUnavailable(f"no {SERVICE_USER!r} user: {INSTALL_HINT}") from None
    return ["runuser", "-u", SERVICE_USER, "--", *argv]


def _run(argv: list[str]) -> None:
    done = subprocess.run(_as_server_user(argv), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{argv[0]} failed ({done.returncode}): {done.stderr or done.stdout}")


def _own(path: Path) -> None:
    if os.geteuid() == 0:
        shutil.chown(path, SERVICE_USER, SERVICE_USER)


def _configure(data: Path, sockets: Path, port: int, durable: bool) -> None:
    # Trust, but only on 127.0.0.1: no socket logins, nothing from other hosts.
    (data / "pg_hba.conf").write_text("host all all 127.0.0.1/32 trust\n")
    settings = {
        "listen_addresses": "'127.0.0.1'",
        "port": str(port),
        "unix_socket_directories": f"'{sockets}'",
        "max_connections": "200",
        "fsync": "on" if durable else "off",  # a throwaway cluster need not survive a crash
        "synchronous_commit": "on" if durable else "off",
        "full_page_writes": "on" if durable else "off",
    }
    with (data / "postgresql.conf").open("a") as conf:
        conf.writelines(f"{name} = {value}\n" for name, value in settings.items())


@contextlib.contextmanager
def throwaway_postgres(*, durable: bool = False) -> Iterator[PostgresServer]:
    """Start a fresh cluster in a temp dir, yield it, then stop it and delete everything."""
    bindir = server_bindir()
    root = Path(tempfile.mkdtemp(prefix="herstel-pg-"))
    data, sockets = root / "data", root / "sockets"
    try:
        sockets.mkdir(mode=0o700)
        _own(root)
        _own(sockets)
        _run([str(bindir / "initdb"), "-D", str(data), "-U", SERVICE_USER, "-A", "trust",
              "-E", "UTF8", "--locale=C", "--no-sync"])  # fmt: skip
        server = _start(bindir, data, sockets, durable)
        try:
            yield server
        finally:
            if is_running(server):  # a test may have stopped it (stop_server)
                _run([str(bindir / "pg_ctl"), "stop", "-D", str(data), "-m", "immediate", "-w"])
    finally:
        shutil.rmtree(root, ignore_errors=True)


def is_running(server: PostgresServer) -> bool:
    return (server.data_dir / "postmaster.pid").exists()


def stop_server(server: PostgresServer) -> None:
    """Stop the server as an outage would: connections are cut, new ones refused."""
    _run([str(server_bindir() / "pg_ctl"), "stop", "-D", str(server.data_dir), "-m", "fast",
          "-w"])  # fmt: skip


def start_server(server: PostgresServer) -> None:
    """Start a stopped server again, on the same port with the same data."""
    log = server.data_dir.parent / "server.log"
    _run([str(server_bindir() / "pg_ctl"), "start", "-D", str(server.data_dir), "-l", str(log),
          "-w", "-t", "60"])  # fmt: skip


def _start(bindir: Path, data: Path, sockets: Path, durable: bool) -> PostgresServer:
    """Start on a free port; retry if another process took the port in the meantime."""
    conf = (data / "postgresql.conf").read_text()
    for attempt in range(3):
        (data / "postgresql.conf").write_text(conf)
        port = free_port()
        _configure(data, sockets, port, durable)
        log = data.parent / "server.log"
        try:
            _run(
                [str(bindir / "pg_ctl"), "start", "-D", str(data), "-l", str(log), "-w", "-t", "60"]
            )
            return PostgresServer("127.0.0.1", port, SERVICE_USER, data)
        except RuntimeError:
            if attempt == 2:
                raise RuntimeError(f"PostgreSQL did not start:\n{_tail(log)}") from None
    raise AssertionError("unreachable")


def _tail(log: Path) -> str:
    try:
        return "\n".join(log.read_text().splitlines()[-20:])
    except OSError:
        return "(no server log)"
