"""bot/action_response_check.py, in Rasa's own environment: the same verdicts as Rasa's check."""

from __future__ import annotations

import json
import subprocess

from herstel.rasa_env import rasa_environ
from herstel.settings import ROOT

SCRIPT = ROOT / "tests" / "integration" / "rasa_env" / "action_response_cases.py"


def test_same_verdicts_as_rasa_with_rasas_error_message() -> None:
    result = subprocess.run(
        [str(ROOT / ".venv-rasa" / "bin" / "python"), str(SCRIPT)],
        cwd=ROOT,
        env=rasa_environ(ROOT),
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    cases = json.loads(result.stdout.strip().splitlines()[-1])
    assert cases.pop("installed") is True
    assert cases["events and responses"]["ours"] == "valid"
    for name in ("unknown event", "event without a name", "events not a list"):
        ours, plain = cases[name]["ours"], cases[name]["jsonschema"]
        assert ours.startswith("invalid"), name
        assert ours.startswith(plain), name  # the same error, with Rasa's advice added
        assert "Failed to validate Action server response" in ours, name
    for name, verdicts in cases.items():
        assert verdicts["ours"].startswith(verdicts["jsonschema"]), name
