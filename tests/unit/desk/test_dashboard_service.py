"""The dashboard's service: the journey report shaped for the page, and drafts replayed, over a
real SQLite journey store filled through MomentStore."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from desk.dashboard_service import DashboardService, DraftRejected, check_draft
from herstel.money import Money
from journeys.moments import MomentStore
from journeys.records import ReservationRequest
from journeys.report import build_report
from policies import DEFAULT_POLICY_PATH, Level, load_default
from policies import cli as policies_cli
from recovery.granting import budget_limits
from tests.support.drafts import CAP_BELOW_BOT, DEFAULT_TEXT, NOT_AN_AMOUNT, generous_draft
from tests.support.fixtures import Store
from tests.support.moments import AT, LAPTOP, SHOWER_OIL, moment

LATE_LAPTOPS = [moment(1), moment(2), moment(3)]


@pytest.fixture
def service(sqlite_store: Store) -> DashboardService:
    return DashboardService(
        sqlite_store.engine, load_default(), DEFAULT_POLICY_PATH, sqlite_store.clock
    )


async def record(store: Store, *moments) -> None:  # type: ignore[no-untyped-def]
    writer = MomentStore(store.engine)
    for m in moments:
        await writer.record(m)


# --- the report -----------------------------------------------------------------------------


async def test_an_empty_store_says_it_is_empty_and_shows_no_numbers(service):
    report = await service.report()
    assert report["empty"] is True
    overall = report["recovery_moments"]["overall"]
    assert overall["moments"] == 0
    assert overall["effectiveness"] is None and overall["cost"] == []
    assert report["recent"] == []
    assert all(types == [] for types in report["quadrants"].values())


async def test_the_report_carries_the_journey_reports_scores_and_exact_cost(service, sqlite_store):
    await record(sqlite_store, LAPTOP, SHOWER_OIL)
    report = await service.report()
    expected = await build_report(sqlite_store.engine)
    assert report["empty"] is False
    assert report["recovery_moments"] == expected["recovery_moments"]
    assert report["journeys"] == expected["journeys"]
    overall = report["recovery_moments"]["overall"]
    assert overall["moments"] == 2
    assert overall["effectiveness"] == 1.0
    assert overall["cost"] == [{"minor": 3845, "currency": "EUR", "text": "€38.45"}]
    assert set(report["recovery_moments"]["by_complaint"]) == {"late_delivery", "damaged_product"}
    assert list(report["recovery_moments"]["by_level"]) == ["bot", "agent"]
    assert report["mandate"] == {"name": "default", "version": load_default().version}


async def test_a_period_leaves_older_moments_out(service, sqlite_store):
    old = replace(moment(9), created_at=AT - timedelta(days=40))
    await record(sqlite_store, LAPTOP, old)
    assert (await service.report())["recovery_moments"]["overall"]["moments"] == 2
    recent = await service.report(timedelta(days=30))
    assert recent["recovery_moments"]["overall"]["moments"] == 1
    assert [m["case_id"] for m in recent["recent"]] == [LAPTOP.case_id]


async def test_types_fall_into_the_quadrants_of_docs_scores(service, sqlite_store):
    # 12 pleased customers who recommend the shop, 12 left unresolved who do not: the
    # complaint handling touchpoint has enough NPS answers on both sides to be placed.
    pleased = [moment(n, csat=10, ces=7, nps=10) for n in range(12)]
    unresolved = [moment(n, resolved=False, csat=2, ces=1, nps=0) for n in range(12, 24)]
    await record(sqlite_store, *pleased, *unresolved)
    report = await service.report()
    placed = {q: [t["type"] for t in types] for q, types in report["quadrants"].items()}
    [handling] = [t for t in report["moments_of_truth"] if t["type"] == "complaint_handling"]
    assert handling["impact"] == 200.0  # NPS 100 where it satisfied, -100 where it did not
    assert handling["satisfaction"] >= 0.7  # the mean over both sides
    assert placed["amplify"] == ["complaint_handling"]
    assert placed["unknown"] == ["delivery"]  # failures never satisfy: no pleased side
    assert placed["fix_first"] == placed["improve"] == placed["overserving"] == []


async def test_recent_moments_are_newest_first_without_agent_ids_or_codes(service, sqlite_store):
    await record(sqlite_store, LAPTOP, SHOWER_OIL)
    recent = (await service.report())["recent"]
    assert [m["case_id"] for m in recent] == [SHOWER_OIL.case_id, LAPTOP.case_id]
    oil = recent[0]
    assert oil["customer_id"] == "cus_0002" and oil["decided_by"] == "agent"
    assert oil["gestures"] == [
        {"kind": "replacement", "amount": {"minor": 2495, "currency": "EUR", "text": "€24.95"}},
        {"kind": "treat", "amount": {"minor": 350, "currency": "EUR", "text": "€3.50"}},
    ]
    assert oil["amount"]["text"] == "€28.45"
    shown = json.dumps(recent)
    assert "U042" not in shown and "RPL-1" not in shown and "HRST-AAAA-BBBB" not in shown
    assert "agent_id" not in oil and "order_number" not in oil


async def test_only_the_latest_ten_moments_are_listed(service, sqlite_store):
    await record(sqlite_store, *[moment(n) for n in range(14)])
    recent = (await service.report())["recent"]
    assert [m["case_id"] for m in recent] == [moment(n).case_id for n in range(13, 3, -1)]


async def test_budgets_show_what_the_ledger_spent_against_the_mandate(service, sqlite_store):
    mandate = load_default()
    await sqlite_store.ledger.reserve(
        ReservationRequest(
            "k-1", LAPTOP.case_id, "cus_0001", "100482", "voucher", Money.of("10"), "bot",
            mandate.version, budget_limits(mandate, Level.BOT),
        )
    )  # fmt: skip
    budgets = (await service.report())["budgets"]
    lines = {(b["period"], b["kind"]): b for b in budgets["lines"]}
    assert set(lines) == {(p, k) for p in ("day", "month") for k in ("overall", "voucher", "treat")}
    voucher = lines[("day", "voucher")]
    assert voucher["spent"] == {"minor": 1000, "currency": "EUR", "text": "€10"}
    assert voucher["limit"]["text"] == "€750" and voucher["remaining"]["text"] == "€740"
    assert voucher["used"] == pytest.approx(1000 / 75000)
    assert lines[("month", "overall")]["spent"]["minor"] == 1000
    assert lines[("day", "treat")]["spent"]["minor"] == 0
    assert budgets["over_budget"] == "lead"


async def test_the_mandate_comes_with_its_file_text(service):
    mandate = await service.mandate()
    assert mandate["text"] == DEFAULT_TEXT
    assert mandate["version"] == mandate["file_version"] == load_default().version
    assert mandate["file"] == "default.yml"


# --- replaying a draft ----------------------------------------------------------------------


async def test_a_more_generous_draft_costs_more_on_the_recorded_moments(service, sqlite_store):
    await record(sqlite_store, *LATE_LAPTOPS, SHOWER_OIL)
    result = await service.simulate(generous_draft())
    assert result["cases"] == 4
    assert result["current"]["policy"]["name"] == "default"
    assert result["draft"]["policy"]["name"] == "generous"
    # In force: 3 vouchers of €10; for the shower oil a replacement (€24.95), a treat (€3.50)
    # and a full refund (€24.95): €83.40. The draft gives €2.50 more per voucher.
    assert result["current"]["overall"]["cost"]["minor"] == 8340
    assert result["draft"]["overall"]["cost"]["minor"] == 9090
    assert result["difference"]["overall"]["cost"] == {
        "minor": 750, "currency": "EUR", "text": "€7.50"
    }  # fmt: skip
    late = result["difference"]["by_complaint"]["late_delivery"]
    assert late["cost"]["minor"] == 750 and late["gestures"]["voucher"] == 0
    assert result["difference"]["by_complaint"]["damaged_product"]["cost"]["minor"] == 0
    assert result["recorded"]["overall"]["cost"]["minor"] == 3 * 1000 + 2845
    assert result["skipped"] == {"moments": 0, "first_reason": None}


async def test_the_replay_is_what_policies_simulate_says_of_the_export(
    service, sqlite_store, tmp_path: Path, capsys
):
    await record(sqlite_store, *LATE_LAPTOPS, SHOWER_OIL)
    cases = tmp_path / "moments.jsonl"  # what `herstel journeys export` writes
    with cases.open("w", encoding="utf-8") as out:
        async for line in MomentStore(sqlite_store.engine).export():
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
    draft = tmp_path / "draft.yml"
    draft.write_text(generous_draft(), encoding="utf-8")
    capsys.readouterr()
    argv = ["simulate", str(draft), "--cases", str(cases), "--format", "json"]
    assert policies_cli.main(argv) == 0
    printed = json.loads(capsys.readouterr().out)

    ours = await service.simulate(generous_draft())
    for extra in ("source", "since", "skipped", "warnings"):
        ours.pop(extra)
    printed.pop("source")
    assert ours == printed


async def test_only_recent_moments_are_replayed_with_a_period(service, sqlite_store):
    old = replace(moment(9), created_at=AT - timedelta(days=40))
    await record(sqlite_store, *LATE_LAPTOPS, old)
    result = await service.simulate(generous_draft(), timedelta(days=30))
    assert result["cases"] == 3
    assert result["difference"]["overall"]["cost"]["minor"] == 750


async def test_moments_without_an_order_value_are_skipped_and_counted(service, sqlite_store):
    await record(sqlite_store, moment(1), replace(moment(2), order_value=None))
    result = await service.simulate(generous_draft())
    assert result["cases"] == 1
    assert result["skipped"]["moments"] == 1
    assert "order_value" in result["skipped"]["first_reason"]


@pytest.mark.parametrize("text", [CAP_BELOW_BOT, NOT_AN_AMOUNT, "name: [unclosed"])
def test_a_bad_draft_gets_the_messages_of_policies_check(text, tmp_path: Path, capsys):
    path = tmp_path / "draft"
    path.write_text(text, encoding="utf-8")
    capsys.readouterr()
    assert policies_cli.main(["check", str(path), "--format", "json"]) == 1
    [checked] = json.loads(capsys.readouterr().out)["files"]
    with pytest.raises(DraftRejected) as rejected:
        check_draft(text)
    said = [e.replace(str(path), "draft") for e in checked["errors"]]
    assert rejected.value.errors == said and said
    assert rejected.value.warnings == [w.replace(str(path), "draft") for w in checked["warnings"]]


def test_the_checker_names_the_line_and_field_of_a_bad_amount():
    with pytest.raises(DraftRejected) as rejected:
        check_draft(NOT_AN_AMOUNT)
    [error] = rejected.value.errors
    line = NOT_AN_AMOUNT.splitlines().index("        amount: lots") + 1
    assert error.startswith(f"draft:{line}: error: rules[")
    assert "amount" in error and "lots" in error


async def test_a_bad_draft_replays_nothing(service, sqlite_store):
    await record(sqlite_store, LAPTOP)
    with pytest.raises(DraftRejected):
        await service.simulate(CAP_BELOW_BOT)
    assert (await service.mandate())["version"] == load_default().version
