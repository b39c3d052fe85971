"""A throwaway Redis server on a free loopback port, for tests.

The test environment has no Redis client library (Rasa's has one), so this speaks the few
RESP commands tests need over a plain socket.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

INSTALL_HINT = "run scripts/services.sh to install the Redis server"
Reply = bytes | int | list["Reply"] | None


class RedisUnavailable(RuntimeError):
    """redis-server is not installed."""


class RedisError(RuntimeError):
    """The server answered with an error reply."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _encode(*args: str | bytes) -> bytes:
    parts = [f"*{len(args)}\r\n".encode()]
    for arg in args:
        data = arg.encode() if isinstance(arg, str) else arg
        parts.append(b"$%d\r\n%s\r\n" % (len(data), data))
    return b"".join(parts)


def _read(stream: BinaryIO) -> Reply:
    line = stream.readline()
    if not line:
        raise ConnectionError("Redis closed the connection")
    kind, rest = line[:1], line[1:-2]
    if kind == b"+":
        return rest
    if kind == b"-":
        raise RedisError(rest.decode())
    if kind == b":":
        return int(rest)
    if kind == b"$":
        size = int(rest)
        return None if size < 0 else stream.read(size + 2)[:-2]
    if kind == b"*":
        size = int(rest)
        return None if size < 0 else [_read(stream) for _ in range(size)]
    raise RedisError(f"unexpected reply {line!r}")


@dataclass
class Monitor:
    """Every command the server received while watching, as MONITOR prints them."""

    lines: list[str] = field(default_factory=list)

    def calls_on(self, key: str) -> list[tuple[str, str]]:
        """(command name in upper case, the rest of the line) for each command on key."""
        quoted = f'"{key}"'
        found = []
        for line in self.lines:
            # 1700000000.123456 [1 127.0.0.1:53422] "SET" "lock:abc" "{\"tickets\": ...}"
            words = line.split("] ", 1)[-1].split(" ", 2)
            if len(words) > 1 and words[1] == quoted:
                found.append((words[0].strip('"').upper(), words[2] if len(words) > 2 else ""))
        return found

    def commands_on(self, key: str) -> list[str]:
        """The command names (upper case) that touched key, in order."""
        return [name for name, _ in self.calls_on(key)]


@dataclass(frozen=True)
class RedisServer:
    host: str
    port: int
    data_dir: Path

    def command(self, *args: str, db: int = 0) -> Reply:
        """Send one command (to logical database db) on a fresh connection; the reply."""
        with (
            socket.create_connection((self.host, self.port), timeout=5) as conn,
            conn.makefile("rb") as stream,
        ):
            if db:
                conn.sendall(_encode("SELECT", str(db)))
                _read(stream)
            conn.sendall(_encode(*args))
            return _read(stream)

    def ping(self) -> bool:
        try:
            return self.command("PING") == b"PONG"
        except (OSError, RedisError):
            return False

    @contextlib.contextmanager
    def monitor(self) -> Iterator[Monitor]:
        """Record every command the server gets (from any client) until the block ends."""
        seen = Monitor()
        conn = socket.create_connection((self.host, self.port), timeout=5)
        stream = conn.makefile("rb")
        conn.sendall(_encode("MONITOR"))
        if _read(stream) != b"OK":
            raise RedisError("MONITOR was refused")
        conn.settimeout(None)

        def collect() -> None:
            with contextlib.suppress(OSError, ValueError):
                for raw in stream:
                    seen.lines.append(raw.decode(errors="replace").rstrip("\r\n").lstrip("+"))

        reader = threading.Thread(target=collect, daemon=True)
        reader.start()
        try:
            yield seen
        finally:
            # MONITOR lines arrive asynchronously: a short grace period for the last ones.
            time.sleep(0.2)
            conn.shutdown(socket.SHUT_RDWR)
            conn.close()
            reader.join(timeout=5)


def server_binary() -> str:
    found = shutil.which("redis-server") or (
        "/usr/bin/redis-server" if Path("/usr/bin/redis-server").exists() else None
    )
    if not found:
        raise RedisUnavailable(f"no redis-server on PATH: {INSTALL_HINT}")
    return found


@contextlib.contextmanager
def throwaway_redis(timeout: float = 15) -> Iterator[RedisServer]:
    """Start redis-server in a temp dir without persistence, yield it once it answers PING,
    then stop it and delete the dir."""
    binary = server_binary()
    root = Path(tempfile.mkdtemp(prefix="herstel-redis-"))
    try:
        for _attempt in range(3):  # another process may take the free port in the meantime
            server = RedisServer("127.0.0.1", free_port(), root)
            log = (root / "server.log").open("ab")
            proc = subprocess.Popen(
                [binary, "--port", str(server.port), "--bind", "127.0.0.1", "--save", "",
                 "--appendonly", "no", "--dir", str(root), "--daemonize", "no"],
                stdout=log, stderr=subprocess.STDOUT, cwd=root,
            )  # fmt: skip
            try:
                if _wait_for_ping(server, proc, timeout):
                    yield server
                    return
            finally:
                if proc.poll() is None:
                    proc.terminate()
                    try:
                        proc.wait(timeout=10)
                    except subprocess.TimeoutExpired:
                        proc.kill()
                        proc.wait()
                log.close()
        raise RuntimeError(f"redis-server did not start:\n{_tail(root / 'server.log')}")
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _wait_for_ping(server: RedisServer, proc: subprocess.Popen[bytes], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False  # exited: most likely the port was taken
        if server.ping():
            return True
        time.sleep(0.05)
    raise RuntimeError(f"redis-server did not answer PING within {timeout:.0f}s")


def _tail(log: Path) -> str:
    try:
        return "\n".join(log.read_text().splitlines()[-20:])
    except OSError:
        return "(no server log)"


@dataclass
class RestartableRedis:
    """A Redis of a test's own, to restart as an outage would (no persistence: its keys go)."""

    server: RedisServer
    _proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 15) -> None:
        log = (self.server.data_dir / "server.log").open("ab")
        self._proc = subprocess.Popen(
            [server_binary(), "--port", str(self.server.port), "--bind", "127.0.0.1", "--save",
             "", "--appendonly", "no", "--dir", str(self.server.data_dir), "--daemonize", "no"],
            stdout=log, stderr=subprocess.STDOUT, cwd=self.server.data_dir,
        )  # fmt: skip
        log.close()
        if not _wait_for_ping(self.server, self._proc, timeout):
            raise RuntimeError(
                f"redis-server did not start:\n{_tail(self.server.data_dir / 'server.log')}"
            )

    def stop(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
            self._proc.wait(timeout=10)

    def restart(self) -> None:
        self.stop()
        self.start()


@contextlib.contextmanager
def restartable_redis() -> Iterator[RestartableRedis]:
    root = Path(tempfile.mkdtemp(prefix="herstel-redis-"))
    redis = RestartableRedis(RedisServer("127.0.0.1", free_port(), root))
    try:
        redis.start()
        yield redis
    finally:
        redis.stop()
        shutil.rmtree(root, ignore_errors=True)
