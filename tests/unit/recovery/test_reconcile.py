"""Reconcile: the shop and the ledger agree afterwards, and it says what it did."""

from __future__ import annotations

from datetime import timedelta

from herstel.cli import main
from herstel.money import Money
from journeys.records import GestureState
from recovery.granting import reference
from recovery.reconcile import reconcile, summary
from shop.memory import InMemoryShop
from tests.builders import an_order
from tests.support.gestures import a_request, day_limit
from tests.support.ledger_db import ledger_rows, spent

DAY = "day:2026-11-22:all"


async def _reserve(store, key: str, amount: str = "10", limit: str = "100"):
    return await store.ledger.reserve(a_request(key=key, amount=amount, limits=[day_limit(limit)]))


async def test_each_kind_of_disagreement_is_repaired_once_and_said(sqlite_store) -> None:
    shop, order = InMemoryShop(), an_order()
    ledger, clock = sqlite_store.ledger, sqlite_store.clock
    # The shop made it, the answer got lost: reserved in the ledger.
    await _reserve(sqlite_store, "lost-answer")
    await shop.issue_voucher("lost-answer", order, Money.of("10"))
    # The shop never made it: a reservation left over.
    await _reserve(sqlite_store, "never-made")
    # Released (the shop failed), then made by a retry: money outside the ledger.
    outside = await _reserve(sqlite_store, "outside")
    await ledger.release(outside.id)
    await shop.issue_voucher("outside", order, Money.of("10"))
    # Issued in the ledger, unknown to the shop: only a person can sort it out.
    ghost = await _reserve(sqlite_store, "ghost")
    await ledger.issue(ghost.id, "HRST-GONE")
    assert await spent(sqlite_store.engine, DAY) == 3000

    clock.advance(timedelta(minutes=5))
    repairs = await reconcile(ledger, shop, clock.now())
    assert {r.idempotency_key: r.did for r in repairs} == {
        "lost-answer": "issued",
        "never-made": "released",
        "outside": "charged",
        "ghost": "reported",
    }
    states = {
        r.idempotency_key: (r.state, r.result_ref) for r in await ledger_rows(sqlite_store.engine)
    }
    code = reference(await shop.find_gesture("lost-answer", "100482", "voucher"))
    assert states["lost-answer"] == (GestureState.ISSUED, code)
    assert states["never-made"][0] == GestureState.RELEASED
    outside = reference(await shop.find_gesture("outside", "100482", "voucher"))
    assert states["outside"] == (GestureState.ISSUED, outside)
    assert await spent(sqlite_store.engine, DAY) == 3000  # lost, outside, ghost: 3 x 10
    assert "released" in summary(repairs)
    again = await reconcile(ledger, shop, clock.now())
    assert [r.did for r in again] == ["reported"]  # the rest agrees now


async def test_a_grant_still_in_flight_is_left_alone(sqlite_store) -> None:
    await _reserve(sqlite_store, "just-now")
    assert await reconcile(sqlite_store.ledger, InMemoryShop(), sqlite_store.clock.now()) == []
    [row] = await ledger_rows(sqlite_store.engine)
    assert row.state == GestureState.RESERVED


async def test_money_the_shop_gave_is_charged_even_past_the_budget(sqlite_store) -> None:
    shop, order = InMemoryShop(), an_order()
    first = await _reserve(sqlite_store, "first", amount="60", limit="100")
    await sqlite_store.ledger.release(first.id)
    await shop.issue_voucher("first", order, Money.of("60"))
    await _reserve(sqlite_store, "second", amount="60", limit="100")  # fits once released
    [repair] = await reconcile(sqlite_store.ledger, shop, sqlite_store.clock.now())
    assert repair.did == "charged"
    assert await spent(sqlite_store.engine, DAY) == 12000  # the truth: over the budget
    assert summary([]) == "Ledger and shop agree."


def test_the_command_line_says_the_shop_and_the_ledger_agree(tmp_path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("HERSTEL_VAR_DIR", str(tmp_path))
    assert main(["ledger", "reconcile", "--since", "2d"]) == 0
    assert capsys.readouterr().out.strip() == "Ledger and shop agree."
    assert main(["ledger", "reconcile", "--format", "json"]) == 0
    assert '"repairs": []' in capsys.readouterr().out
