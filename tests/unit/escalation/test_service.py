"""Agents acting on an escalated case: levels, claiming, exactly-once, the customer told."""

from __future__ import annotations

import asyncio

import pytest

from escalation.model import Act, Status
from tests.support.escalation import CONVERSATION, MissingLaptop


@pytest.fixture
def world(sqlite_store):  # type: ignore[no-untyped-def]
    def build(price: str = "899.00") -> MissingLaptop:
        return MissingLaptop.build(sqlite_store, price)

    return build


async def test_the_case_file_carries_suggestions_with_the_level_each_needs(world):
    w = world()
    case = await w.escalation.case(await w.escalate())
    assert [(s.key, s.level.value, s.cost.minor) for s in case.file.suggestions] == [
        ("replacement:1", "agent", 89900),
        ("full_refund:2", "agent", 89900),
    ]
    assert case.file.carrier is not None and case.file.carrier.evidence == "delivered_but_missing"
    assert case.state.status is Status.OPEN


async def test_an_agent_grants_once_and_the_customer_is_told_once(world):
    w = world()
    service, shop, conversations, moments = w.escalation, w.shop, w.conversations, w.moments
    case_id = await w.escalate()
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
    w = world(price="1299.00")
    service, shop, conversations = w.escalation, w.shop, w.conversations
    case_id = await w.escalate()
    refused = await service.act(Act.GRANT, case_id, "U-AGENT", offer_key="full_refund:2")
    assert not refused.done and "needs a lead" in refused.note
    assert shop.writes == {} and conversations.triggered == []
    approved = await service.act(Act.GRANT, case_id, "U-LEAD", offer_key="full_refund:2")
    assert approved.done
    assert [type(w).__name__ for w in shop.writes.values()] == ["RefundMade"]


async def test_a_button_value_is_not_authority(world):
    w = world()
    service, shop = w.escalation, w.shop
    case_id = await w.escalate()
    forged = await service.act(Act.GRANT, case_id, "U-AGENT", offer_key="voucher:9")
    stranger = await service.act(Act.GRANT, case_id, "U-NOBODY", offer_key="replacement:1")
    assert not forged.done and not stranger.done
    assert shop.writes == {}


async def test_the_first_claim_wins_and_others_see_who_has_it(world):
    w = world()
    service = w.escalation
    case_id = await w.escalate()
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
    w = world()
    service, conversations = w.escalation, w.conversations
    case_id = await w.escalate()
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
        ("EXTERNAL_agent_took_over", {"agent_name": "Anna", "case_id": case_id}),
        ("EXTERNAL_agent_message", {"agent_text": "Hoi, ik ben Anna.", "case_id": case_id}),
        ("EXTERNAL_agent_handed_back", {}),
    ]


async def test_the_agent_who_claimed_can_take_over_and_others_cannot(world):
    w = world()
    case_id = await w.escalate()
    assert (await w.escalation.act(Act.CLAIM, case_id, "U-AGENT")).done
    assert not (await w.escalation.act(Act.TAKE_OVER, case_id, "U-OTHER")).done
    assert (await w.escalation.act(Act.TAKE_OVER, case_id, "U-AGENT")).done
    assert (await w.escalation.case(case_id)).state.status is Status.TAKEN_OVER


async def test_an_empty_message_is_refused_and_nothing_is_sent(world):
    w = world()
    service, conversations = w.escalation, w.conversations
    case_id = await w.escalate()
    result = await service.act(Act.WRITE, case_id, "U-AGENT", text="   ")
    assert not result.done and conversations.triggered == []


async def test_handing_over_twice_opens_one_case(world):
    w = world()
    await w.escalate()
    await w.escalate()
    assert len(await w.escalation.cases()) == 1


async def test_two_agents_clicking_different_gestures_at_once_give_one(world):
    w = world()
    service, shop = w.escalation, w.shop
    case_id = await w.escalate()
    replace, refund = await asyncio.gather(
        service.act(Act.GRANT, case_id, "U-AGENT", offer_key="replacement:1"),
        service.act(Act.GRANT, case_id, "U-LEAD", offer_key="full_refund:2"),
    )
    assert len(shop.writes) == 1  # the case got one decision, not two
    assert sum(r.done for r in (replace, refund)) == 1
    refused = refund if replace.done else replace
    assert "already" in refused.note.lower()


async def test_an_agent_closes_a_case_without_a_gesture_with_a_reason(world):
    w = world()
    service, shop, conversations, moments = w.escalation, w.shop, w.conversations, w.moments
    case_id = await w.escalate()
    empty = await service.act(Act.CLOSE, case_id, "U-AGENT", text="   ")
    assert not empty.done and conversations.triggered == []
    done = await service.act(Act.CLOSE, case_id, "U-AGENT", text="Parcel found at the neighbours")
    assert done.done and shop.writes == {}
    case = await service.case(case_id)
    assert case.state.status is Status.RESOLVED
    assert case.state.outcome_messages == ({"response": "utter_agent_closed"},)
    assert [t[1] for t in conversations.triggered] == ["EXTERNAL_agent_decided"]
    [moment] = [m async for m in moments.export()]
    assert (moment["outcome"], moment["decided_by"], moment["agent_id"]) == (
        "closed",
        "agent",
        "U-AGENT",
    )
    assert moment["close_reason"] == "Parcel found at the neighbours"
    assert moment["resolved"] is True and moment["gestures"] == []
    again = await service.act(Act.GRANT, case_id, "U-AGENT", offer_key="replacement:1")
    assert "Already done: closed" in again.note and shop.writes == {}


async def test_the_decision_reaches_the_conversation_the_customer_moved_to(world):
    w = world()
    service, conversations = w.escalation, w.conversations
    case_id = await w.escalate()
    await service.follow(case_id, "whatsapp-31600000000")
    await service.act(Act.GRANT, case_id, "U-AGENT", offer_key="replacement:1")
    assert [t[0] for t in conversations.triggered] == ["whatsapp-31600000000"]
    assert await service.outcome_for("whatsapp-31600000000", case_id)
    assert await service.outcome_for(CONVERSATION, case_id) == ()
