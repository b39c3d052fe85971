"""A card Slack does not take waits durably, is retried until posted, and agents are told."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta

import pytest

from escalation.card_queue import GRACE, retry_delay
from escalation.courier import Courier
from escalation.slack import SlackUnavailable
from escalation.store import EscalationStore
from herstel.clock import FrozenClock
from tests.builders import NOW
from tests.support.escalation import DOWN, FlakySlack, MissingLaptop


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


def world(store, clock: FrozenClock, slack: FlakySlack) -> tuple[MissingLaptop, Courier]:  # type: ignore[no-untyped-def]
    w = MissingLaptop.build(store, clock=clock, cards=slack)
    return w, w.courier(store, clock, slack)


async def test_a_card_slack_refused_is_posted_once_slack_is_back_and_agents_are_told(
    sqlite_store, clock
):
    slack = FlakySlack(down=DOWN)
    w, courier = world(sqlite_store, clock, slack)
    case_id = await w.escalate()
    [waiting] = (await courier.queue.waiting()).values()
    assert (waiting.case_id, waiting.attempts, waiting.error) == (case_id, 1, "http_503")

    clock.advance(retry_delay(1))
    assert await courier.deliver_due() == 0  # still down: tried again, and waits longer
    assert (await courier.queue.waiting())[case_id].attempts == 2
    assert slack.posted == []

    slack.down = None
    clock.advance(retry_delay(2))
    assert await courier.deliver_due() == 1
    assert slack.posted == [case_id]
    assert (await w.escalation.case(case_id)).state.slack_ts == "1.000100"
    [(thread_case, note)] = slack.threads
    assert thread_case == case_id and "while Slack could not be reached (2 tries)" in note
    [notice] = slack.notices
    assert "Slack is reachable again. 1 case handed over while it was not is posted" in notice
    assert await courier.queue.waiting() == {}
    clock.advance(timedelta(hours=1))
    assert await courier.deliver_due() == 0 and slack.posted == [case_id]  # once


async def test_slacks_retry_after_is_waited_for(sqlite_store, clock):
    slack = FlakySlack(down=SlackUnavailable("chat.postMessage", "ratelimited", retry_after=90))
    w, courier = world(sqlite_store, clock, slack)
    case_id = await w.escalate()
    assert (await courier.queue.waiting())[case_id].due_at == NOW + timedelta(seconds=90)
    slack.down = None
    clock.advance(timedelta(seconds=89))
    assert await courier.deliver_due() == 0
    clock.advance(timedelta(seconds=1))
    assert await courier.deliver_due() == 1


def test_retries_back_off_from_five_seconds_to_five_minutes():
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3, 4, 8, 20)] == [
        5, 10, 20, 40, 300, 300
    ]  # fmt: skip
    assert retry_delay(1, retry_after=30) == timedelta(seconds=30)


async def test_a_card_waits_through_a_restart_of_every_process(sqlite_store, clock):
    slack = FlakySlack(down=DOWN)
    w, _ = world(sqlite_store, clock, slack)
    case_id = await w.escalate()
    slack.down = None
    _, courier_after_restart = world(sqlite_store, clock, slack)  # new services, same store
    clock.advance(retry_delay(1))
    assert await courier_after_restart.deliver_due() == 1
    assert slack.posted == [case_id]


async def test_a_case_whose_process_died_before_posting_is_posted_after_the_grace(
    sqlite_store, clock
):
    slack = FlakySlack()
    w, courier = world(sqlite_store, clock, slack)
    case_id = await w.escalate()
    file = (await w.escalation.case(case_id)).file
    # Stored, and then the process died before it posted the card:
    await EscalationStore(sqlite_store.engine, clock).open(replace(file, case_id="x:1"), "c-2")
    assert await courier.deliver_due() == 0  # within the grace the hand-over's try holds it
    clock.advance(GRACE)
    assert await courier.deliver_due() == 1
    assert slack.posted == [case_id, "x:1"]


async def test_a_card_already_in_slack_is_not_posted_again_when_only_its_bookkeeping_failed(
    sqlite_store, clock
):
    slack = FlakySlack()
    w, courier = world(sqlite_store, clock, slack)
    case_id = await w.escalate()
    await courier.queue.hold(case_id)  # as if clearing its due time had failed
    clock.advance(GRACE)
    assert await courier.deliver_due() == 1
    assert slack.posted == [case_id] and await courier.queue.waiting() == {}


async def test_two_desks_never_post_the_same_card(sqlite_store, clock):
    slack = FlakySlack(down=DOWN)
    w, first = world(sqlite_store, clock, slack)
    case_id = await w.escalate()
    _, second = world(sqlite_store, clock, slack)
    slack.down = None
    clock.advance(retry_delay(1))
    await asyncio.gather(first.deliver_due(), second.deliver_due())
    assert slack.posted == [case_id]
