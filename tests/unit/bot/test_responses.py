"""Every response exists in English and Dutch; every response an action names exists."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[3]
RESPONSES = {
    name: variants
    for path in sorted((ROOT / "bot/domain").glob("*.yml"))
    for name, variants in (yaml.safe_load(path.read_text()).get("responses") or {}).items()
}
NL = [{"type": "slot", "name": "language", "value": "nl"}]


def test_every_response_has_an_english_default_and_a_dutch_variant():
    missing = []
    for name, variants in RESPONSES.items():
        if not any("condition" not in v for v in variants):
            missing.append(f"{name}: en")
        if not any(v.get("condition") == NL for v in variants):
            missing.append(f"{name}: nl")
    assert missing == []


def test_both_languages_use_the_same_placeholders():
    for name, variants in RESPONSES.items():
        placeholders = {frozenset(re.findall(r"{(\w+)}", v["text"])) for v in variants}
        assert len(placeholders) == 1, name


def test_every_response_named_in_the_actions_exists():
    named = set()
    for path in (ROOT / "actions").glob("*.py"):
        named |= set(re.findall(r'"(utter_\w+)"', path.read_text()))
    named |= {
        f"utter_parcel_{s}_{t}{w}"
        for s in ("out_for_delivery", "on_the_way")
        for t in ("late", "on_time")
        for w in ("", "_no_window")
    }
    assert named - set(RESPONSES) == set()
