"""bot/action_response_check.py, in Rasa's own environment: the same verdicts as Rasa's check."""

from __future__ import annotations

from tests.integration.rasa_env.rasa_python import run_script


def test_same_verdicts_as_rasa_with_rasas_error_message() -> None:
    cases = run_script("action_response_cases.py")
    assert cases.pop("installed") is True
    assert cases["events and responses"]["ours"] == "valid"
    for name in ("unknown event", "event without a name", "events not a list"):
        ours, plain = cases[name]["ours"], cases[name]["jsonschema"]
        assert ours.startswith("invalid"), name
        assert ours.startswith(plain), name  # the same error, with Rasa's advice added
        assert "Failed to validate Action server response" in ours, name
    for name, verdicts in cases.items():
        assert verdicts["ours"].startswith(verdicts["jsonschema"]), name
