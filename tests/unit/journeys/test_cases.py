"""The case store: a failure is opened once and joined by every later conversation."""

from __future__ import annotations

from datetime import timedelta

from journeys.cases import SqlCaseStore
from policies import ComplaintType
from recovery.cases import CaseState, Failure, Where, case_key
from shop.model import OrderLine
from tests.builders import an_order

LATE = Failure("100482:late_delivery", "100482", "cus_1", ComplaintType.LATE_DELIVERY)
WEB = Where("web-1", "webchat", "nl")
WHATSAPP = Where("31612345678", "whatsapp", "en")


def test_a_case_is_the_order_and_complaint_and_the_line_where_it_matters() -> None:
    line = an_order().lines[0]
    assert case_key("100482", ComplaintType.LATE_DELIVERY, line) == "100482:late_delivery"
    assert (
        case_key("100517", ComplaintType.DAMAGED_PRODUCT, line) == "100517:damaged_product:LAP-14"
    )
    odd = OrderLine("sku with spaces|and pipes", "x", 1, line.unit_price)
    hashed = case_key("100517", ComplaintType.WRONG_ITEM, odd)
    assert hashed.startswith("case:") and len(hashed) <= 64 and "|" not in hashed


async def test_a_second_conversation_joins_the_case_and_the_case_follows_it(sqlite_store) -> None:
    store, now = SqlCaseStore(sqlite_store.engine), sqlite_store.clock.now()
    first, joined = await store.open(LATE, WEB, now)
    assert (joined, first.state, first.conversations) == (False, CaseState.OPEN, 1)
    again, joined = await store.open(LATE, WEB, now)  # the same conversation again
    assert joined and again.conversations == 1
    moved, joined = await store.open(LATE, WHATSAPP, now + timedelta(hours=1))
    assert joined and moved.where == WHATSAPP and moved.conversations == 2
    assert moved.opened_at == first.opened_at
    assert await store.get("nope") is None


async def test_a_granted_case_stays_granted_and_each_outcome_counts_a_revision(sqlite_store):
    store, now = SqlCaseStore(sqlite_store.engine), sqlite_store.clock.now()
    await store.open(LATE, WEB, now)
    offered = await store.move(LATE.case_id, CaseState.OFFERED, now, new_moment=True)
    granted = await store.move(LATE.case_id, CaseState.GRANTED, now, new_moment=True)
    closed = await store.move(LATE.case_id, CaseState.CLOSED, now, closed_by="agent:U1",
                              reason="asked again")  # fmt: skip
    assert (offered.moment_revision, granted.moment_revision) == (1, 2)
    assert (closed.state, closed.closed_by, closed.close_reason) == (
        CaseState.GRANTED,
        "agent:U1",
        "asked again",
    )
    assert await store.move("nope", CaseState.CLOSED, now) is None


async def test_complaints_are_the_customers_other_cases_in_the_window(sqlite_store) -> None:
    store, now = SqlCaseStore(sqlite_store.engine), sqlite_store.clock.now()
    for n, days_ago in enumerate((1, 2, 40)):
        failure = Failure(f"9{n}:late", f"9{n}", "cus_1", ComplaintType.LATE_DELIVERY)
        await store.open(failure, WEB, now - timedelta(days=days_ago))
    await store.open(LATE, WEB, now)
    assert await store.complaints("cus_1", now - timedelta(days=30), LATE.case_id) == 2
    assert await store.complaints("cus_2", now - timedelta(days=30), LATE.case_id) == 0
