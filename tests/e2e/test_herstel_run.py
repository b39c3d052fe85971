"""`herstel run` as an operator starts it: a process that dies is started again, and SIGTERM
(what Ctrl-C and process managers send) stops everything, leaving no process behind."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from herstel.launcher import free_port
from herstel.settings import ROOT

pytestmark = pytest.mark.e2e


def _stat(pid: int) -> list[str] | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1].split()
    except OSError:
        return None


def descendants(root: int) -> set[int]:
    """Every live process below root (children, their workers, ...)."""
    parents = {}
    for entry in Path("/proc").glob("[0-9]*"):
        fields = _stat(int(entry.name))
        if fields and fields[0] != "Z":
            parents[int(entry.name)] = int(fields[1])
    found, frontier = set(), {root}
    while frontier:
        frontier = {pid for pid, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def parent(pid: int) -> int | None:
    fields = _stat(pid)
    return int(fields[1]) if fields else None


def alive(pid: int) -> bool:
    fields = _stat(pid)
    return fields is not None and fields[0] != "Z"


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


class Console:
    """herstel run's output, read line by line in the background."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.lines: list[str] = []
        self._queue: queue.Queue[str] = queue.Queue()
        assert proc.stdout is not None
        stream = proc.stdout
        threading.Thread(
            target=lambda: [self._queue.put(line) for line in stream], daemon=True
        ).start()

    def wait_for(self, text: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not any(text in line for line in self.lines):
            try:
                self.lines.append(self._queue.get(timeout=max(0.1, deadline - time.monotonic())))
            except queue.Empty:
                if time.monotonic() > deadline:
                    raise AssertionError(f"{text!r} never came:\n{''.join(self.lines)}") from None


def test_herstel_run_restarts_what_dies_and_stops_everything_on_sigterm(tmp_path: Path) -> None:
    ports = [str(free_port()) for _ in range(4)]
    args = ["--rasa-port", ports[0], "--actions-port", ports[1], "--simulator-port", ports[2],
            "--desk-port", ports[3]]  # fmt: skip
    env = {**os.environ, "HERSTEL_VAR_DIR": str(tmp_path), "PYTHONUNBUFFERED": "1"}
    for name in ("HERSTEL_DATABASE_URL", "HERSTEL_SHOP_DATABASE_URL", "HERSTEL_SLACK_BOT_TOKEN"):
        env.pop(name, None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "herstel.cli", "run", *args], cwd=ROOT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    console, everything = Console(proc), set()
    try:
        console.wait_for("Herstel is running.", timeout=240)
        everything = descendants(proc.pid)
        [actions] = [
            p for p in everything if "rasa_sdk" in cmdline(p) and _stat(p)[1] == str(proc.pid)
        ]  # type: ignore[index]
        os.kill(actions, signal.SIGKILL)
        console.wait_for("actions exited (killed by SIGKILL)", timeout=30)
        console.wait_for("actions started again (restart 1", timeout=30)
        everything |= descendants(proc.pid)
        assert len(everything) >= 6  # four processes, the action server's and Sanic's workers
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0
        console.wait_for("Stopped.", timeout=5)
        time.sleep(0.5)
        assert [(pid, cmdline(pid)) for pid in everything if alive(pid)] == []
    finally:
        if proc.poll() is None:
            proc.kill()
        for pid in everything:  # never leave a stray server behind, even when failing
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
