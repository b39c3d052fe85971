"""Agents acting on an escalated case: levels, claiming, exactly-once, the customer told."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from carriers.fake import FakeCarrier
from carriers.model import ShipmentStatus
from escalation.case_file import Handover, case_file
from escalation.model import Act, Status, Why
from herstel.clock import FrozenClock
from herstel.money import Money
from journeys.moments import MomentStore
from policies import Channel, ComplaintType, load_default
from recovery.granting import Granter
from recovery.proposal import Complaint
from recovery.service import RecoveryService
from shop.memory import InMemoryShop
from shop.model import OrderLine
from tests.builders import NOW, a_shipment, an_order
from tests.support.escalation import RecordingConversations, escalation_service

CONVERSATION = "web-7f3a"
MISSING = Complaint(ComplaintType.MISSING_ITEM, Channel.WEBCHAT)


@pytest.fixture
def world(sqlite_store):  # type: ignore[no-untyped-def]
    """A missing laptop the carrier says was delivered: the bot may only hand it over."""

    def build(price: str = "899.00"):  # type: ignore[no-untyped-def]
        clock = FrozenClock(NOW)
        order = an_order(lines=(OrderLine("LAP-14", "laptop", 1, Money.of(price)),))
        shop = InMemoryShop([order])
        delivered = a_shipment(ShipmentStatus.DELIVERED, delivered_at=NOW - timedelta(hours=3))
        mandate = load_default()
        moments = MomentStore(sqlite_store.engine)
        recovery = RecoveryService(
            shop,
            {"postnl": FakeCarrier({"3SHRST100482": delivered})},
            clock,
            mandate,
            Granter(shop, sqlite_store.ledger, mandate),
            moments,
        )
        conversations = RecordingConversations()
        service = escalation_service(sqlite_store.engine, recovery, clock, conversations)
        return service, recovery, shop, conversations, moments

    return build


async def _escalated(service, recovery) -> str:  # type: ignore[no-untyped-def]
    diagnosis = await recovery.diagnose("100482", "3512JE")
    proposal = await recovery.propose(MISSING, diagnosis)
    handover = Handover(
        "100482:missing_item:abc", "abc", "webchat", "nl", Why.ABOVE_MANDATE, NOW,
        MISSING, diagnosis, proposal,
    )  # fmt: skip
    case = await service.open(case_file(handover), CONVERSATION)
    return case.file.case_id


async def test_the_case_file_carries_suggestions_with_the_level_each_needs(world):
    service, recovery, *_ = world()
    case = await service.case(await _escalated(service, recovery))
    assert [(s.key, s.level.value, s.cost.minor) for s in case.file.suggestions] == [
        ("replacement:1", "agent", 89900),
        ("full_refund:2", "agent", 89900),
    ]
    assert case.file.carrier is not None and case.file.carrier.evidence == "delivered_but_missing"
    assert case.state.status is Status.OPEN


async def test_an_agent_grants_once_and_the_customer_is_told_once(world):
    service, recovery, shop, conversations, moments = world()
    case_id = await _escalated(service, recovery)
    first, second = await asyncio.gather(
        service.act(Act.GRANT, case_id, "U-AGENT", offer_key="replacement:1"),
        service.act(Act.GRANT, case_id, "U-AGENT", offer_key="replacement:1"),
    )
    assert first.done and second.done
    assert [type(w).__name__ for w in shop.writes.values()] == ["ReplacementCreated"]
    assert [t[1] for t in conversations.triggered] == ["EXTERNAL_agent_decided"]
    case = await service.case(case_id)
    assert case.state.status is Status.RESOLVED and case.state.decided_by == "U-AGENT"
    assert case.state.outcome_messages[0]["response"].startswith("utter_granted_replacement")
    [moment] = [m async for m in moments.export()]
    assert moment["decided_by"] in ("agent:U-AGENT", "agent")
    later = await service.act(Act.GRANT, case_id, "U-OTHER", offer_key="full_refund:2")
    assert not later.done and "Already decided" in later.note
    assert len(shop.writes) == 1


async def test_an_agent_cannot_approve_what_needs_a_lead_but_a_lead_can(world):
    service, recovery, shop, conversations, _ = world(price="1299.00")
    case_id = await _escalated(service, recovery)
    refused = await service.act(Act.GRANT, case_id, "U-AGENT", offer_key="full_refund:2")
    assert not refused.done and "needs a lead" in refused.note
    assert shop.writes == {} and conversations.triggered == []
    approved = await service.act(Act.GRANT, case_id, "U-LEAD", offer_key="full_refund:2")
    assert approved.done
    assert [type(w).__name__ for w in shop.writes.values()] == ["RefundMade"]


async def test_a_button_value_is_not_authority(world):
    service, recovery, shop, _, _ = world()
    case_id = await _escalated(service, recovery)
    forged = await service.act(Act.GRANT, case_id, "U-AGENT", offer_key="voucher:9")
    stranger = await service.act(Act.GRANT, case_id, "U-NOBODY", offer_key="replacement:1")
    assert not forged.done and not stranger.done
    assert shop.writes == {}


async def test_the_first_claim_wins_and_others_see_who_has_it(world):
    service, recovery, *_ = world()
    case_id = await _escalated(service, recovery)
    results = await asyncio.gather(
        service.act(Act.CLAIM, case_id, "U-AGENT"), service.act(Act.CLAIM, case_id, "U-OTHER")
    )
    assert sorted(r.done for r in results) == [False, True]
    loser = next(r for r in results if not r.done)
    owner = (await service.case(case_id)).state.owner_name
    assert loser.note == f"{owner} has this case."
    other = "U-OTHER" if owner == "Anna" else "U-AGENT"
    assert not (await service.act(Act.GRANT, case_id, other, offer_key="replacement:1")).done


async def test_take_over_routes_the_customer_to_the_agent_until_handed_back(world):
    service, recovery, _, conversations, _ = world()
    case_id = await _escalated(service, recovery)
    assert not await service.customer_said(CONVERSATION, "hallo?")
    assert (await service.act(Act.TAKE_OVER, case_id, "U-AGENT")).done
    assert await service.customer_said(CONVERSATION, "is er iemand?")
    sent = await service.act(Act.WRITE, case_id, "U-AGENT", text="Hoi, ik ben Anna.")
    assert sent.done
    assert not (await service.act(Act.HAND_BACK, case_id, "U-OTHER")).done
    assert (await service.act(Act.HAND_BACK, case_id, "U-AGENT")).done
    assert not await service.customer_said(CONVERSATION, "dank je")
    case = await service.case(case_id)
    assert [(m.speaker, m.text) for m in case.state.thread] == [
        ("customer", "is er iemand?"),
        ("agent", "Hoi, ik ben Anna."),
    ]
    assert [(t[1], t[2]) for t in conversations.triggered] == [
        ("EXTERNAL_agent_took_over", {"agent_name": "Anna"}),
        ("EXTERNAL_agent_message", {"agent_text": "Hoi, ik ben Anna."}),
        ("EXTERNAL_agent_handed_back", {}),
    ]


async def test_an_empty_message_is_refused_and_nothing_is_sent(world):
    service, recovery, _, conversations, _ = world()
    case_id = await _escalated(service, recovery)
    result = await service.act(Act.WRITE, case_id, "U-AGENT", text="   ")
    assert not result.done and conversations.triggered == []


async def test_handing_over_twice_opens_one_case(world):
    service, recovery, *_ = world()
    await _escalated(service, recovery)
    await _escalated(service, recovery)
    assert len(await service.cases()) == 1
