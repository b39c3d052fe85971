"""The launcher's extra Rasa server: same model and settings, its own port and name."""

import sys
from pathlib import Path

import pytest

from herstel.launcher import Ports, Stack


def fake_stack(root: Path) -> Stack:
    rasa = root / ".venv-rasa" / "bin" / "rasa"
    rasa.parent.mkdir(parents=True)
    rasa.touch()
    return Stack(Ports(5005, 5055, 8090, 8080), root=root, model=root / "m.tar.gz")


def option(args: list[str], name: str) -> str:
    return args[args.index(name) + 1]


def test_another_rasa_server_runs_the_same_model_on_its_own_port(tmp_path: Path) -> None:
    stack = fake_stack(tmp_path)
    first, second = stack._rasa_args(), stack._rasa_args(6001)
    assert (option(first, "--port"), option(second, "--port")) == ("5005", "6001")
    assert option(second, "--model") == option(first, "--model") == str(tmp_path / "m.tar.gz")
    assert option(second, "--auth-token") == stack.rasa_token  # callers use one token for all
    assert [a for a in first if a != "5005"] == [a for a in second if a != "6001"]


def test_a_second_process_with_a_name_already_running_is_refused(tmp_path: Path) -> None:
    stack = fake_stack(tmp_path)
    sleeper = [sys.executable, "-c", "import time; time.sleep(60)"]
    stack.supervisor.start("rasa-2", sleeper, env={}, cwd=tmp_path, log_path=tmp_path / "r.log")
    try:
        with pytest.raises(ValueError, match="rasa-2"):
            stack.start_rasa(6001)
    finally:
        stack.stop()
