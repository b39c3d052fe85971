"""The test stories in tests/stories replayed against the trained dialogue model.

`rasa test core --fail-on-prediction-errors` predicts every bot action of every story from
the events before it (intent-only user steps: the dialogue model is tested, not NLU) and
stops at the first action the model gets wrong. No action server is needed: the custom
actions' slot events are written in the stories.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from herstel.model import ensure_model
from herstel.rasa_env import rasa_command, rasa_environ
from herstel.settings import ROOT

pytestmark = pytest.mark.e2e

STORIES = ROOT / "tests" / "stories"
TIMEOUT_SECONDS = 900  # loading the model is most of it: about a minute on 2 shared cores
FAILED_STORIES = "failed_test_stories.yml"
WRONG_PREDICTION = "Model predicted a wrong action"
COLOUR_END = "\x1b[0m"  # Rasa prints the failed story in colour, then its logs
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def run_stories(model: Path, stories: Path, out: Path) -> subprocess.CompletedProcess[str]:
    command = rasa_command(
        ROOT,
        "test",
        "core",
        "--model",
        str(model),
        "--stories",
        str(stories),
        "--fail-on-prediction-errors",
        "--no-plot",
        "--out",
        str(out),
    )
    return subprocess.run(
        command,
        cwd=ROOT,
        env=rasa_environ(ROOT),
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
        check=False,
    )


def failure_report(result: subprocess.CompletedProcess[str], out: Path) -> str:
    """What went wrong: the story Rasa stopped at (with the wrong prediction marked), else
    the failed stories file, else the end of Rasa's output."""
    output = f"{result.stdout}\n{result.stderr}"
    parts = [f"rasa test core exited with {result.returncode}."]
    if WRONG_PREDICTION in output:
        story = output[output.rindex(WRONG_PREDICTION) :]
        story = story.split(COLOUR_END, 1)[0]
        parts.append(ANSI.sub("", story).strip())
    failed = out / FAILED_STORIES
    if failed.exists() and not failed.read_text(encoding="utf-8").startswith("# None"):
        parts.append(f"{FAILED_STORIES}:\n{failed.read_text(encoding='utf-8')}")
    if len(parts) == 1:
        parts.append(ANSI.sub("", output)[-6000:])
    return "\n\n".join(parts)


def test_every_dialogue_path_in_the_test_stories_is_predicted(tmp_path: Path):
    assert sorted(STORIES.glob("*.yml")), f"no test stories in {STORIES}"
    model = ensure_model(ROOT)
    result = run_stories(model, STORIES, tmp_path)
    failed = tmp_path / FAILED_STORIES
    all_good = failed.exists() and failed.read_text(encoding="utf-8").startswith("# None")
    passed = result.returncode == 0 and all_good
    assert passed, failure_report(result, tmp_path)
