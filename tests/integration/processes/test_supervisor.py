"""herstel/supervisor.py with real process trees: restarts with back-off, stops leave nothing."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from herstel.supervisor import Backoff, Supervisor

PY = sys.executable
QUICK = Backoff(first=0.1, most=0.4, stable_after=5.0)
# A main process that forks a worker (as Sanic does) and writes both pids, then waits.
WITH_WORKER = """
import os, subprocess, sys, time
worker = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
with open(sys.argv[1], "a") as f:
    f.write(f"{os.getpid()} {worker.pid}\\n")
time.sleep(600)
"""


@pytest.fixture
def supervisor() -> Iterator[Supervisor]:
    supervisor = Supervisor(QUICK, stop_timeout=2)
    yield supervisor
    supervisor.stop()


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ", 1)[1][0] != "Z"  # a zombie is gone, only unreaped
    except FileNotFoundError:
        return False


def eventually(check: Callable[[], bool], timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError("the condition never held")


def pids_in(path: Path) -> list[tuple[int, int]]:
    if not path.exists():
        return []
    return [tuple(map(int, line.split())) for line in path.read_text().splitlines()]  # type: ignore[misc]


def test_a_child_that_exits_is_started_again_with_growing_back_off_and_a_log_line(
    supervisor: Supervisor, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    starts = tmp_path / "starts"
    script = f"open({str(starts)!r}, 'a').write('x'); raise SystemExit(3)"
    with caplog.at_level(logging.WARNING, logger="herstel.supervisor"):
        supervisor.start("flaky", [PY, "-c", script], env=dict(os.environ), cwd=tmp_path,
                         log_path=tmp_path / "flaky.log")  # fmt: skip
        eventually(lambda: supervisor.restarts("flaky") >= 3)
    assert supervisor.first_exit("flaky") == 3
    assert len(starts.read_text()) >= 3
    assert "flaky exited (exit code 3)" in caplog.text
    assert "flaky started again (restart 1" in caplog.text
    assert "--- herstel: restart 1 ---" in (tmp_path / "flaky.log").read_text()


def test_back_off_doubles_up_to_its_limit() -> None:
    backoff = Backoff(first=1, most=30)
    assert [backoff.delay(n) for n in range(1, 8)] == [1, 2, 4, 8, 16, 30, 30]


def test_killing_only_the_main_process_kills_its_orphaned_worker_and_starts_both_again(
    supervisor: Supervisor, tmp_path: Path
) -> None:
    pids = tmp_path / "pids"
    supervisor.start("server", [PY, "-c", WITH_WORKER, str(pids)], env=dict(os.environ),
                     cwd=tmp_path, log_path=tmp_path / "server.log")  # fmt: skip
    eventually(lambda: len(pids_in(pids)) == 1)
    [(main, worker)] = pids_in(pids)
    supervisor.kill("server", group=False)  # as a crash of the main process alone would
    eventually(lambda: len(pids_in(pids)) == 2)
    assert not alive(main) and not alive(worker)
    (new_main, new_worker) = pids_in(pids)[1]
    assert alive(new_main) and alive(new_worker)
    assert supervisor.pid("server") == new_main


def test_stop_ends_every_child_and_the_workers_it_forked(tmp_path: Path) -> None:
    supervisor = Supervisor(QUICK, stop_timeout=2)
    files = [tmp_path / "a", tmp_path / "b"]
    for name, path in zip(("a", "b"), files, strict=True):
        supervisor.start(name, [PY, "-c", WITH_WORKER, str(path)], env=dict(os.environ),
                         cwd=tmp_path, log_path=tmp_path / f"{name}.log")  # fmt: skip
    eventually(lambda: all(pids_in(path) for path in files))
    everything = [pid for path in files for pid in pids_in(path)[0]]
    started = time.monotonic()
    supervisor.stop()
    assert time.monotonic() - started < 5
    assert [pid for pid in everything if alive(pid)] == []
    assert "a" not in supervisor


def test_a_child_that_ignores_sigterm_is_killed_after_the_stop_timeout(tmp_path: Path) -> None:
    supervisor = Supervisor(QUICK, stop_timeout=0.5)
    ready = tmp_path / "ready"
    script = (
        "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
        f"open({str(ready)!r}, 'w').write('y'); time.sleep(600)"
    )
    supervisor.start("stubborn", [PY, "-c", script], env=dict(os.environ), cwd=tmp_path,
                     log_path=tmp_path / "stubborn.log")  # fmt: skip
    eventually(ready.exists)
    pid = supervisor.pid("stubborn")
    supervisor.stop()
    assert not alive(pid)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="parent-death signal: Linux")
def test_children_go_too_when_the_supervising_process_is_killed_outright(tmp_path: Path) -> None:
    pids = tmp_path / "pids"
    runner = (
        "import os, sys, time\n"
        "from pathlib import Path\n"
        "from herstel.supervisor import Supervisor\n"
        "s = Supervisor()\n"
        f"here = Path({str(tmp_path)!r})\n"
        f"s.start('child', [sys.executable, '-c', {WITH_WORKER!r}, {str(pids)!r}],"
        " env=dict(os.environ), cwd=here, log_path=here / 'c.log')\n"
        "time.sleep(600)\n"
    )
    parent = subprocess.Popen([PY, "-c", runner], cwd=Path(__file__).resolve().parents[3])
    try:
        eventually(lambda: len(pids_in(pids)) == 1)
        [(main, _worker)] = pids_in(pids)
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        eventually(lambda: not alive(main), timeout=10)
    finally:
        if parent.poll() is None:
            parent.kill()
        for pid in [pid for pair in pids_in(pids) for pid in pair]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)  # this test's worker has no Sanic to stop it


def test_a_program_that_cannot_be_started_again_is_retried_until_it_can(
    supervisor: Supervisor, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    program = tmp_path / "server.sh"
    program.write_text(f"#!/bin/sh\nrm -f '{program}'\nexec sleep 600\n")
    program.chmod(0o755)
    supervisor.start("gone", [str(program)], env=dict(os.environ), cwd=tmp_path,
                     log_path=tmp_path / "gone.log")  # fmt: skip
    eventually(lambda: not program.exists())
    with caplog.at_level(logging.WARNING, logger="herstel.supervisor"):
        supervisor.kill("gone")
        eventually(lambda: "gone exited (could not be started)" in caplog.text)
        program.write_text("#!/bin/sh\nexec sleep 600\n")  # deployed again
        program.chmod(0o755)
        eventually(lambda: "gone started again" in caplog.text)
    assert alive(supervisor.pid("gone"))
