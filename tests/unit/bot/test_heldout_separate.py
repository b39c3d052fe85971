"""The held-out NLU set (tests/nlu_heldout) is never trained on, and keeps enough of each kind."""

import re
from collections import Counter
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[3]
ANNOTATION = re.compile(r"\[([^\]]*)\]\([^)]*\)")


def examples(path: Path) -> list[tuple[str, str]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [
        (item["intent"], ANNOTATION.sub(r"\1", line.strip()[2:]).strip().casefold())
        for item in data.get("nlu", [])
        if "intent" in item
        for line in item["examples"].splitlines()
        if line.strip().startswith("- ")
    ]


def test_no_held_out_message_is_in_the_training_data():
    trained = {text for path in ROOT.glob("data/nlu/*/*.yml") for _, text in examples(path)}
    held_out = [text for path in ROOT.glob("tests/nlu_heldout/*.yml") for _, text in examples(path)]
    assert held_out
    assert [text for text in held_out if text in trained] == []


def test_the_held_out_set_covers_each_complaint_in_both_languages():
    for language in ("en", "nl"):
        counts = Counter(
            intent for intent, _ in examples(ROOT / f"tests/nlu_heldout/{language}.yml")
        )
        complaints = {i: n for i, n in counts.items() if i.startswith("complain_")}
        assert len(complaints) == 5 and min(complaints.values()) >= 8, (language, complaints)
        assert counts["out_of_scope"] >= 15 and counts["request_human"] >= 8, language
