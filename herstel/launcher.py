"""Start Herstel's processes on loopback, wait until each answers, stop them together."""

from __future__ import annotations

import os
import secrets
import socket
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from demoworld import WORLD_FILE
from herstel.rasa_env import rasa_command, rasa_environ
from herstel.settings import ROOT
from herstel.supervisor import Supervisor


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Ports:
    rasa: int = 5005
    actions: int = 5055
    simulator: int = 8090
    desk: int = 8080

    @classmethod
    def free(cls) -> Ports:
        return cls(free_port(), free_port(), free_port(), free_port())


@dataclass
class Stack:
    """The running processes: carrier simulator, action server, Rasa server, desk."""

    ports: Ports = field(default_factory=Ports)
    root: Path = ROOT
    var_dir: Path = ROOT / "var"
    model: Path = ROOT / "models" / "herstel.tar.gz"
    simulator_now: str | None = None  # freeze the simulator's clock (ISO 8601), for tests
    # Hex: a urlsafe token may start with "-", which rasa's argument parser takes for an option.
    rasa_token: str = field(default_factory=lambda: secrets.token_hex(24))
    extra_env: dict[str, str] = field(default_factory=dict)
    supervisor: Supervisor = field(default_factory=Supervisor)  # restarts what exits

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{getattr(self.ports, name)}"

    @property
    def log_dir(self) -> Path:
        return self.var_dir / "log"

    def app_env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            HERSTEL_VAR_DIR=str(self.var_dir),
            HERSTEL_POSTNL_BASE_URL=self.url("simulator"),
            HERSTEL_DHL_BASE_URL=self.url("simulator"),
            HERSTEL_RASA_URL=self.url("rasa"),
            HERSTEL_RASA_TOKEN=self.rasa_token,
            PYTHONPATH=str(self.root),
        )
        env.update(self.extra_env)
        return env

    def rasa_env(self) -> dict[str, str]:
        # Embedded stores unless the environment names others (PostgreSQL, Redis).
        stores = {
            "HERSTEL_TRACKER_DIALECT": "sqlite",
            "HERSTEL_TRACKER_HOST": "",
            "HERSTEL_TRACKER_DB": str(self.var_dir / "rasa-tracker.db"),
            "HERSTEL_TRACKER_USER": "",
            "HERSTEL_TRACKER_PASSWORD": "",
            "HERSTEL_LOCK_STORE": "in_memory",
            "HERSTEL_LOCK_STORE_HOST": "",
            "HERSTEL_LOCK_STORE_PORT": "6379",
        }
        env = rasa_environ(self.root, {k: os.environ.get(k, v) for k, v in stores.items()})
        env["HERSTEL_ACTION_ENDPOINT"] = f"{self.url('actions')}/webhook"
        env.update(self.extra_env)
        return env

    def start(self) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        python = sys.executable
        sim = [python, "-m", "carriers.simulator", "--port", str(self.ports.simulator)]
        sim += ["--world", str(self.var_dir / WORLD_FILE)]  # herstel demo seed
        if self.simulator_now:
            sim += ["--now", self.simulator_now]
        self._spawn("simulator", sim, self.app_env())
        self._spawn("desk", [python, "-m", "desk", "--port", str(self.ports.desk)], self.app_env())
        self._spawn(
            "actions",
            [python, "-m", "rasa_sdk", "--actions", "actions", "--port", str(self.ports.actions)],
            self.app_env(),
        )
        self._spawn("rasa", self._rasa_args(), self.rasa_env())
        self._wait("simulator", f"{self.url('simulator')}/_simulator/health", 30)
        self._wait("desk", f"{self.url('desk')}/health", 30)
        self._wait("actions", f"{self.url('actions')}/health", 60)
        self._wait("rasa", f"{self.url('rasa')}/status?token={self.rasa_token}", 180)

    def start_rasa(self, port: int, name: str = "rasa-2") -> str:
        """Start one more Rasa server (same model, env and action server) once the stack runs;
        stopped with the rest. Returns its URL. Servers share conversations only through a
        shared tracker store and lock store (PostgreSQL and Redis), as in production."""
        if name in self.supervisor:
            raise ValueError(f"a process named {name!r} already runs")
        self._spawn(name, self._rasa_args(port), self.rasa_env())
        url = f"http://127.0.0.1:{port}"
        self._wait(name, f"{url}/status?token={self.rasa_token}", 180)
        return url

    def _rasa_args(self, port: int | None = None) -> list[str]:
        return rasa_command(
            self.root,
            "run",
            "--enable-api",
            "--auth-token",
            self.rasa_token,
            "--cors",
            "*",
            "--interface",
            "127.0.0.1",
            "--port",
            str(port or self.ports.rasa),
            "--model",
            str(self.model),
            "--endpoints",
            "bot/endpoints.yml",
            "--credentials",
            "bot/credentials.yml",
        )

    def _spawn(self, name: str, args: list[str], env: dict[str, str]) -> None:
        log = self.log_dir / f"{name}.log"
        self.supervisor.start(name, args, env=env, cwd=self.root, log_path=log)

    def _wait(self, name: str, url: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            code = self.supervisor.first_exit(name)
            if code is not None:  # at start-up an exit is a set-up problem: do not retry it
                self.stop()
                raise RuntimeError(f"{name} exited with {code}; see {self.log_dir}/{name}.log")
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(
            f"{name} did not answer within {timeout:.0f}s; see {self.log_dir}/{name}.log"
        )

    def stop(self) -> None:
        self.supervisor.stop()

    def __enter__(self) -> Stack:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
