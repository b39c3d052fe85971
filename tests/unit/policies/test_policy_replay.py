"""Replay records, the case fixture, the generator and the simulation's bookkeeping."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from herstel.clock import AMSTERDAM
from policies import Level, Mandate, load_mandate
from policies.replay import generate_records, read_records, write_records
from policies.simulate import compare, replay

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "policies" / "cases.jsonl"
DRAFT = Path(__file__).resolve().parents[3] / "policies" / "examples" / "stricter.yml"


def test_the_fixture_holds_about_fifty_valid_records_including_the_founding_stories() -> None:
    records = read_records(FIXTURE)
    assert len(records) == 50
    ids = {r.case_id for r in records}
    assert {"HR-STORY-LAPTOP", "HR-STORY-SHOWER-OIL"} <= ids
    assert len({r.complaint_type for r in records}) == 5


def test_a_record_becomes_the_case_it_describes() -> None:
    record = next(r for r in read_records(FIXTURE) if r.case_id == "HR-STORY-SHOWER-OIL")
    case = record.to_case()
    assert (case.complaint, case.damage, case.evidence) == (
        "damaged_product",
        "partial",
        "delivered",
    )
    assert (case.order_value, case.segment, case.channel) == (
        record.order_value,
        "regular",
        "whatsapp",
    )
    assert case.case_id == record.case_id and case.item_value is None


def test_the_generator_is_deterministic_and_round_trips_through_json_lines(
    tmp_path: Path,
) -> None:
    first = list(generate_records(200, seed=3))
    assert first == list(generate_records(200, seed=3))
    assert first != list(generate_records(200, seed=4))
    path = tmp_path / "cases.jsonl"
    assert write_records(first, path) == 200
    assert read_records(path) == first
    assert [r.occurred_at for r in first] == sorted(r.occurred_at for r in first)


def test_replaying_the_default_policy_settles_most_cases_by_bot(default: Mandate) -> None:
    run = replay(read_records(FIXTURE), default)
    assert run.overall.cases == 50
    assert run.overall.by_bot + run.overall.escalated == 50
    assert run.by_type["other"].escalated == run.by_type["other"].cases
    assert run.overall.gestures["apology"] == 50
    assert run.overall.by_bot > run.overall.escalated


def test_budgets_fill_up_during_a_replay(default: Mandate) -> None:
    shop_midnight = datetime(2025, 1, 1, tzinfo=AMSTERDAM)
    records = list(generate_records(3000, seed=11, start=shop_midnight, days=0.99))
    tight = load_mandate(DRAFT)  # 400 euros of vouchers a day, nobody may exceed it
    run = replay(records, tight)
    assert 0 < run.overall.gestures["voucher"] * 5 <= 400  # vouchers are 5 or 10 euros
    assert replay(records, default).overall.gestures["voucher"] > run.overall.gestures["voucher"]


def test_the_comparison_reports_the_draft_minus_the_current_policy(default: Mandate) -> None:
    records = read_records(FIXTURE)
    result = compare(records, load_mandate(DRAFT), default)
    difference = result["difference"]["overall"]
    assert difference["cost"]["minor"] == (
        result["draft"]["overall"]["cost"]["minor"] - result["current"]["overall"]["cost"]["minor"]
    )
    recorded = result["recorded"]["overall"]
    assert recorded["cases"] == 50
    bot_share = sum(r.decided_by is Level.BOT for r in records) / 50
    assert recorded["bot_share"] == round(bot_share, 4)
