"""`herstel policies check | explain | simulate`, run through main() and register()."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from policies.cli import main, register

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "policies"
CASES = FIXTURES / "cases.jsonl"
DRAFT = Path(__file__).resolve().parents[3] / "policies" / "examples" / "stricter.yml"
LAPTOP = [
    "--complaint",
    "late_delivery",
    "--hours-late",
    "26",
    "--order-value",
    "899.00",
    "--segment",
    "regular",
    "--channel",
    "webchat",
    "--evidence",
    "out_for_delivery",
    "--now",
    "2025-03-04T12:00:00+01:00",
]
BROKEN = """\
name: broken
shipping_fee: 4.95
levels:
  bot: {}
  agent: {}
rules:
  - id: late
    match:
      complaint: late_delivery
      segment: []
    ladder:
      - kind: voucher
        amuont: 10
        level: bot
"""
NEVER_MATCHES = """\
name: never
shipping_fee: 4.95
levels:
  bot: {per_gesture: {voucher: 15}}
  agent: {per_gesture: {voucher: 50}}
rules:
  - id: late
    match:
      hours_late: {at_least: 48, less_than: 24}
    ladder:
      - kind: voucher
        amount: 10
        level: bot
"""


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_check_passes_the_shipped_policies(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check")
    assert code == 0
    assert "default.yml: ok: policy default version" in out
    assert "stricter.yml: ok: policy stricter-draft" in out


def test_check_fails_a_broken_file_naming_file_line_and_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "broken.yml"
    path.write_text(BROKEN, encoding="utf-8")
    code, out, _ = run(capsys, "check", str(path))
    assert code == 1
    assert f"{path}:13: error: rules[0].ladder[0].amuont: unknown field 'amuont'" in out
    assert "1 file(s) checked, 1 with errors" in out


def test_check_fails_a_rule_that_can_never_match(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "never.yml"
    path.write_text(NEVER_MATCHES, encoding="utf-8")
    code, out, _ = run(capsys, "check", str(path))
    assert code == 1
    assert f"{path}:9: error: rules[0].match.hours_late: contradictory range" in out


def test_check_reports_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "broken.yml"
    path.write_text(BROKEN, encoding="utf-8")
    code, out, _ = run(capsys, "check", str(path), "--format", "json")
    report = json.loads(out)
    assert code == 1 and report["ok"] is False
    assert "amuont" in report["files"][0]["errors"][0]


def test_explain_prints_the_gestures_levels_and_reasons(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "explain", *LAPTOP)
    assert code == 0
    assert "rule: late-slot-missed" in out
    assert "Needs a person: no" in out
    assert "The bot offers voucher €10" in out
    assert "rule 'late-slot-missed' matched" in out


def test_explain_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "explain", *LAPTOP, "--format", "json")
    data = json.loads(out)
    assert code == 0
    assert data["rule"] == "late-slot-missed"
    assert [(g["kind"], g["cost"]["minor"], g["level"]) for g in data["gestures"]] == [
        ("apology", 0, "bot"),
        ("shipping_refund", 495, "bot"),
        ("voucher", 1000, "bot"),
    ]
    assert data["gestures"][2]["unasked"] is True


def test_explain_reads_a_case_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case = {
        "complaint": "damaged_product",
        "damage": "partial",
        "order_value": "24.95",
        "channel": "whatsapp",
        "history": {"treats_this_month": 1},
    }
    path = tmp_path / "case.json"
    path.write_text(json.dumps(case), encoding="utf-8")
    code, out, _ = run(capsys, "explain", "--case", str(path), "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["rule"] == "leaking-or-broken"
    assert "treat" not in [g["kind"] for g in data["gestures"]]
    assert data["dropped"][0]["kind"] == "treat"


def test_explain_refuses_a_bad_case_and_a_broken_policy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "explain", "--complaint", "late", "--order-value", "10")
    assert code == 1 and "invalid case: complaint" in err
    broken = tmp_path / "broken.yml"
    broken.write_text(BROKEN, encoding="utf-8")
    code, _, err = run(capsys, "explain", "--policy", str(broken), *LAPTOP)
    assert code == 1 and f"{broken}:13:" in err


def test_simulate_compares_the_draft_with_the_current_policy(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(capsys, "simulate", str(DRAFT), "--cases", str(CASES))
    assert code == 0
    assert f"Replayed 50 case(s) from {CASES}" in out
    assert "draft:   stricter-draft" in out
    for line in ("settled by the bot", "escalated", "late delivery (", "damaged product ("):
        assert line in out
    assert err == ""  # no progress bar unless asked or on a terminal


def test_simulate_as_json_with_a_since_window_and_progress(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(
        capsys,
        "simulate",
        str(DRAFT),
        "--cases",
        str(CASES),
        "--since",
        "7d",
        "--now",
        "2025-03-03T00:00:00+00:00",
        "--format",
        "json",
        "--progress",
    )
    data = json.loads(out)
    assert code == 0
    assert 0 < data["cases"] < 50
    overall = data["draft"]["overall"]
    assert overall["bot_share"] + overall["escalated_share"] == pytest.approx(1)
    assert data["difference"]["overall"]["cost"]["minor"] == (
        overall["cost"]["minor"] - data["current"]["overall"]["cost"]["minor"]
    )
    assert "100%" in err


def test_simulate_names_the_line_of_a_broken_record(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    records = tmp_path / "cases.jsonl"
    lines = CASES.read_text(encoding="utf-8").splitlines()[:2]
    records.write_text("\n".join([*lines, '{"case_id": "x"}']) + "\n", encoding="utf-8")
    code, _, err = run(capsys, "simulate", str(DRAFT), "--cases", str(records))
    assert code == 1 and f"{records}:3:" in err


def test_register_adds_the_policies_command_to_a_parent_cli(
    capsys: pytest.CaptureFixture[str],
) -> None:
    parser = argparse.ArgumentParser(prog="herstel")
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["policies", "explain", *LAPTOP, "--format", "json"])
    assert args.handler(args) == 0
    assert json.loads(capsys.readouterr().out)["rule"] == "late-slot-missed"
