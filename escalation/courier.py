"""Delivers what could not be delivered at once: cards Slack did not take (then tells the
channel Slack is back), and agents' decisions and messages Rasa did not take.

Runs in the desk. Both wait durably in the journey store (card_queue.py, deliveries.py), so a
restart of any process loses none; meanwhile the local inbox shows the cases not in Slack.
"""

from __future__ import annotations

import asyncio
import logging

from escalation.card_queue import CardQueue
from escalation.conversations import Conversations, ConversationUnreachable
from escalation.deliveries import Deliveries
from escalation.service import Cards, EscalationService
from herstel.failures import describe

log = logging.getLogger(__name__)

EVERY_SECONDS = 5.0
GAVE_UP = (
    "The customer could not be told this for a day (the bot was unreachable): {intent}. "
    "Please reach them another way."
)


class Courier:
    def __init__(
        self,
        service: EscalationService,
        cards: Cards,
        channel: str,
        queue: CardQueue,
        conversations: Conversations,
        deliveries: Deliveries,
    ) -> None:
        self._service = service
        self._cards = cards
        self._channel = channel
        self.queue = queue
        self._conversations = conversations
        self.deliveries = deliveries

    async def deliver_due(self) -> int:
        """Everything due, once; returns how many cards were posted and events told."""
        return await self.post_due_cards() + await self.tell_due()

    async def post_due_cards(self) -> int:
        """Try every due card once, oldest first. After a card Slack refuses, the rest waits
        for its own next attempt."""
        posted, late = 0, 0
        for case_id, failed_before in await self.queue.claim_due():
            case = await self._service.case(case_id)
            if case.state.slack_ts is None:
                case = await self._service.deliver_card(case)
                if case.state.slack_ts is None:
                    break
            else:
                await self.queue.delivered(case_id)  # posted, and only the bookkeeping failed
            posted += 1
            late += failed_before > 0
        if late:
            log.info("Slack took %d card(s) that had waited", late)
            await self._tell_agents_slack_is_back(late)
        return posted

    async def tell_due(self) -> int:
        """Trigger again what Rasa did not take, the oldest of each conversation first."""
        told = 0
        for delivery in await self.deliveries.claim_due():
            try:
                await self._conversations.trigger(
                    delivery.conversation_id, delivery.intent, delivery.entities
                )
            except ConversationUnreachable as exc:
                if not await self.deliveries.failed(delivery, str(exc)):
                    await self._service.note(
                        delivery.case_id, GAVE_UP.format(intent=delivery.intent)
                    )
                continue
            await self.deliveries.delivered(delivery)
            told += 1
        return told

    async def keep_delivering(self, every: float = EVERY_SECONDS) -> None:
        while True:
            try:
                await self.deliver_due()
            except Exception as exc:  # the store may be down too: try again next round
                log.warning("the courier could not run: %s", describe(exc))
            await asyncio.sleep(every)

    async def _tell_agents_slack_is_back(self, late: int) -> None:
        cases = "1 case" if late == 1 else f"{late} cases"
        text = (
            f"Slack is reachable again. {cases} handed over while it was not "
            f"{'is' if late == 1 else 'are'} posted now; each card says when it came in. "
            "Meanwhile they were in the local agent inbox."
        )
        try:
            await self._cards.post_notice(self._channel, text)
        except Exception as exc:
            log.warning("agents could not be told that Slack is back: %s", describe(exc))
