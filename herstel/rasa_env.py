"""How to call Rasa, which lives in its own Python 3.10 environment (.venv-rasa)."""

from __future__ import annotations

import os
from pathlib import Path

QUIET = {
    "RASA_TELEMETRY_ENABLED": "false",
    "TF_CPP_MIN_LOG_LEVEL": "3",
    "TF_ENABLE_ONEDNN_OPTS": "0",
    "PYTHONWARNINGS": "ignore",
    "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    "LOG_LEVEL_LIBRARIES": "ERROR",
}


def rasa_command(root: Path, *args: str) -> list[str]:
    rasa = root / ".venv-rasa" / "bin" / "rasa"
    if not rasa.exists():
        raise SystemExit(f"Rasa is not installed at {rasa}; run `make setup` first.")
    return [str(rasa), *args]


def rasa_environ(root: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update(QUIET)
    # Rasa imports our NLU component (bot.components) from the project root.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(root), env.get("PYTHONPATH")]))
    env.update(extra or {})
    return env
