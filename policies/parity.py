"""Parity: do recorded live cases, replayed under the mandate that decided them, get exactly
the decisions production made? Then `policies simulate` predicts production."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from policies.engine import decide
from policies.mandate import Mandate
from policies.plan import bot_plan
from policies.replay import RecoveryRecord

SHOWN = 20  # mismatches listed in full; the count covers them all

Decided = tuple[str | None, bool, tuple[tuple[str, int, int], ...]]


def _live(record: RecoveryRecord) -> Decided:
    assert record.live is not None
    offers = tuple((str(o.kind), o.step, o.minor) for o in record.live.offers)
    return record.live.rule, record.live.to_person, offers


def _replayed(record: RecoveryRecord, mandate: Mandate) -> Decided:
    assert record.inputs is not None and record.live is not None
    decision = decide(record.inputs.to_case(), mandate, now=record.live.at)
    plan = bot_plan(decision)
    offers = tuple((str(o.kind), o.step, o.cost.minor) for o in plan.offers)
    return decision.rule_id, plan.to_person, offers


def parity(records: Sequence[RecoveryRecord], mandate: Mandate) -> dict[str, Any]:
    """Replay every record decided live under this mandate (same version) on its recorded
    inputs: the rule, whether a person decides, and what the bot offers must all agree."""
    checked = matched = 0
    mismatched: list[dict[str, Any]] = []
    for record in records:
        if (
            record.live is None
            or record.inputs is None
            or record.mandate_version != mandate.version
        ):
            continue
        checked += 1
        live, replayed = _live(record), _replayed(record, mandate)
        if live == replayed:
            matched += 1
        elif len(mismatched) < SHOWN:
            mismatched.append({"case_id": record.case_id, "live": live, "replayed": replayed})
    return {
        "mandate_version": mandate.version,
        "checked": checked,
        "matched": matched,
        "mismatched": checked - matched,
        "examples": mismatched,
        "not_checked": len(records) - checked,  # other mandate versions, or from before 0007
    }


def render(result: dict[str, Any]) -> str:
    if not result["checked"]:
        return "Parity: no case recorded live under this mandate version to compare with."
    line = (
        f"Parity with production: {result['matched']} of {result['checked']} live decisions "
        f"under version {result['mandate_version']} replayed exactly"
    )
    lines = [line + (" (all)." if not result["mismatched"] else ".")]
    for m in result["examples"]:
        lines.append(f"  differs: case {m['case_id']}: live {m['live']}, replayed {m['replayed']}")
    return "\n".join(lines)
