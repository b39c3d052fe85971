"""An agent's decision or message that Rasa did not take reaches the customer later, in order."""

from __future__ import annotations

from datetime import timedelta

from escalation.card_queue import retry_delay
from escalation.deliveries import GIVE_UP_AFTER
from escalation.model import Act
from herstel.clock import FrozenClock
from tests.builders import NOW
from tests.support.escalation import CONVERSATION, FlakySlack, MissingLaptop


def world(store):  # type: ignore[no-untyped-def]
    clock, slack = FrozenClock(NOW), FlakySlack()
    w = MissingLaptop.build(store, clock=clock, cards=slack)
    return w, w.courier(store, clock, slack), clock


async def test_a_decision_rasa_did_not_take_is_told_once_rasa_is_back(sqlite_store):
    w, courier, clock = world(sqlite_store)
    case_id = await w.escalate()
    w.conversations.down = True
    done = await w.escalation.act(Act.GRANT, case_id, "U-AGENT", offer_key="replacement:1")
    assert done.done  # the decision stands; the customer is told when Rasa takes it
    assert w.conversations.triggered == []
    clock.advance(retry_delay(1))
    assert await courier.tell_due() == 0  # still down: waits longer
    w.conversations.down = False
    clock.advance(retry_delay(2))
    assert await courier.tell_due() == 1
    assert w.conversations.triggered == [
        (CONVERSATION, "EXTERNAL_agent_decided", {"case_id": case_id})
    ]
    clock.advance(timedelta(hours=1))
    assert await courier.tell_due() == 0  # told once


async def test_what_follows_a_waiting_event_waits_behind_it_and_arrives_in_order(sqlite_store):
    w, courier, clock = world(sqlite_store)
    case_id = await w.escalate()
    w.conversations.down = True
    await w.escalation.act(Act.TAKE_OVER, case_id, "U-AGENT")
    w.conversations.down = False  # back, but the take-over has not been told yet
    await w.escalation.act(Act.WRITE, case_id, "U-AGENT", text="Ik kijk even mee.")
    assert w.conversations.triggered == []  # the message must not overtake the take-over
    clock.advance(retry_delay(1))
    while await courier.tell_due():
        pass
    assert [t[1] for t in w.conversations.triggered] == [
        "EXTERNAL_agent_took_over",
        "EXTERNAL_agent_message",
    ]


async def test_after_a_day_of_trying_the_agents_are_told_to_reach_the_customer_otherwise(
    sqlite_store,
):
    w, courier, clock = world(sqlite_store)
    case_id = await w.escalate()
    w.conversations.down = True
    await w.escalation.act(Act.GRANT, case_id, "U-AGENT", offer_key="replacement:1")
    clock.advance(GIVE_UP_AFTER)
    assert await courier.tell_due() == 0
    case = await w.escalation.case(case_id)
    assert "could not be told this for a day" in case.state.thread[-1].text
    clock.advance(timedelta(hours=1))
    assert not await courier.deliveries.waiting_for(CONVERSATION)
