"""Run one of this folder's scripts with Rasa's own Python; what it printed last, as JSON."""

from __future__ import annotations

import json
import subprocess
from typing import Any

from herstel.rasa_env import rasa_environ
from herstel.settings import ROOT

HERE = ROOT / "tests" / "integration" / "rasa_env"


def run_script(name: str, *args: str, timeout: float = 300) -> Any:
    result = subprocess.run(
        [str(ROOT / ".venv-rasa" / "bin" / "python"), str(HERE / name), *args],
        cwd=ROOT,
        env=rasa_environ(ROOT),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])
