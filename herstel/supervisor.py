"""Keep child processes running: restart one that exits, with back-off; stop them all cleanly.

Each child runs in a process group of its own, so a stop reaches the workers it forked too
(the action server's Sanic runs its handlers in a worker process: killing only its main
process would leave the worker serving, unsupervised, on the port). When a child's main
process exits, whatever is left of its group is killed before it is started again. On Linux
a child also gets SIGTERM if the supervising thread dies, so even a `kill -9` of `herstel run`
leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Backoff:
    """Seconds before restart n (1-based): first, doubling, at most `most`. A child that ran
    for `stable_after` seconds before it exited starts again from `first`."""

    first: float = 1.0
    most: float = 30.0
    stable_after: float = 60.0

    def delay(self, restart: int) -> float:
        return min(self.most, self.first * 2 ** (restart - 1))


@dataclass
class _Child:
    name: str
    args: list[str]
    env: dict[str, str]
    cwd: Path
    log_path: Path
    proc: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    restarts: int = 0  # how often it was started again
    streak: int = 0  # restarts since it last ran stably: sets the back-off
    first_exit: int | None = None  # the return code of its first exit
    spawned: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread | None = None


class Supervisor:
    def __init__(self, backoff: Backoff | None = None, stop_timeout: float = 15.0) -> None:
        self._backoff = backoff or Backoff()
        self._stop_timeout = stop_timeout
        self._children: dict[str, _Child] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()

    # --- what the launcher uses --------------------------------------------------------

    def start(self, name: str, args: list[str], *, env: dict[str, str], cwd: Path,
              log_path: Path) -> None:  # fmt: skip
        """Start a child and keep it running until stop()."""
        if name in self._children:
            raise ValueError(f"a process named {name!r} is already supervised")
        child = _Child(name, args, env, cwd, log_path)
        self._children[name] = child
        # The watching thread also spawns: on Linux the child's parent-death signal is tied
        # to the thread that started it.
        child.thread = threading.Thread(target=self._watch, args=(child,), name=f"watch-{name}")
        child.thread.daemon = True
        child.thread.start()
        child.spawned.wait()
        if child.proc is None:
            raise RuntimeError(f"{name} could not be started; see {log_path}")

    def __contains__(self, name: str) -> bool:
        return name in self._children

    def pid(self, name: str) -> int:
        proc = self._children[name].proc
        assert proc is not None
        return proc.pid

    def restarts(self, name: str) -> int:
        return self._children[name].restarts

    def first_exit(self, name: str) -> int | None:
        """The return code of the child's first exit; None while it never exited."""
        return self._children[name].first_exit

    def kill(self, name: str, sig: signal.Signals = signal.SIGKILL, *, group: bool = True) -> None:
        """Send sig to the child's whole process group, or to its main process only (for
        fault tests: what a crash or the OOM killer would do)."""
        pid = self.pid(name)
        with contextlib.suppress(ProcessLookupError):
            if group:
                os.killpg(pid, sig)
            else:
                os.kill(pid, sig)

    def stop(self) -> None:
        """SIGTERM every child's group, last started first; SIGKILL what is left after the
        timeout. Returns once every child and its workers are gone."""
        with self._lock:
            self._stopping.set()
            children = list(reversed(self._children.values()))
        for child in children:
            _signal_group(child, signal.SIGTERM)
        deadline = time.monotonic() + self._stop_timeout
        for child in children:
            if child.proc is not None:
                try:
                    child.proc.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    log.warning("%s did not stop in time; killing it", child.name)
            _signal_group(child, signal.SIGKILL)  # its workers, if they outlived it
            if child.proc is not None:
                child.proc.wait()
                _wait_until_gone(child.proc.pid)
        for child in children:
            if child.thread is not None:
                child.thread.join(timeout=5)
        self._children.clear()
        self._stopping.clear()

    # --- inside ------------------------------------------------------------------------

    def _watch(self, child: _Child) -> None:
        self._spawn(child)
        child.spawned.set()
        if child.proc is None:
            return  # start() reports it
        while True:
            code = child.proc.wait() if child.proc is not None else None
            if self._stopping.is_set():
                return
            if child.proc is not None:
                _signal_group(child, signal.SIGKILL)  # workers orphaned by their main process
                _wait_until_gone(child.proc.pid)  # so that the port is free again
            if child.first_exit is None and code is not None:
                child.first_exit = code
            ran = time.monotonic() - child.started_at
            child.streak = 1 if ran >= self._backoff.stable_after else child.streak + 1
            delay = self._backoff.delay(child.streak)
            how = _exit_text(code) if code is not None else "could not be started"
            log.warning("%s exited (%s) after %.0fs; starting it again in %.0fs",
                        child.name, how, ran, delay)  # fmt: skip
            if self._stopping.wait(delay):
                return
            with self._lock:
                if self._stopping.is_set():
                    return
                child.restarts += 1
                self._spawn(child)
            if child.proc is not None:
                log.warning("%s started again (restart %d, pid %d)", child.name,
                            child.restarts, child.proc.pid)  # fmt: skip

    def _spawn(self, child: _Child) -> None:
        child.log_path.parent.mkdir(parents=True, exist_ok=True)
        with child.log_path.open("ab") as log_file:
            if child.restarts:
                log_file.write(f"--- herstel: restart {child.restarts} ---\n".encode())
                log_file.flush()
            try:
                child.proc = subprocess.Popen(
                    child.args,
                    cwd=child.cwd,
                    env=child.env,
                    stdin=subprocess.DEVNULL,
                    stdout=log_file,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,  # its own process group, out of the terminal's
                    preexec_fn=_die_with_parent(),
                )
            except OSError:
                log.exception("%s could not be started", child.name)
                child.proc = None
        child.started_at = time.monotonic()


def _signal_group(child: _Child, sig: signal.Signals) -> None:
    if child.proc is None:
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(child.proc.pid, sig)


def _wait_until_gone(group: int, timeout: float = 5.0) -> None:
    """Until no process of the group is left but zombies (an orphan's is reaped by init)."""
    proc = Path("/proc")
    if not proc.is_dir():
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(
        _in_group(stat, group) for stat in proc.glob("[0-9]*/stat")
    ):
        time.sleep(0.02)


def _in_group(stat: Path, group: int) -> bool:
    try:
        fields = stat.read_text().rsplit(") ", 1)[1].split()
    except (OSError, IndexError):
        return False
    return fields[0] != "Z" and int(fields[2]) == group


def _exit_text(code: int) -> str:
    if code < 0:
        with contextlib.suppress(ValueError):
            return f"killed by {signal.Signals(-code).name}"
    return f"exit code {code}"


def _die_with_parent() -> Callable[[], None] | None:
    """On Linux: the child gets SIGTERM when the thread that started it dies."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    pr_set_pdeathsig = 1

    def preexec() -> None:
        prctl(pr_set_pdeathsig, int(signal.SIGTERM))

    return preexec
