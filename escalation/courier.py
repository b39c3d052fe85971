"""Posts the cards Slack did not take at hand-over, until it takes them; then says it is back.

Runs in the desk. Cards wait durably in the journey store (card_queue.py), so a restart of any
process loses none; meanwhile the local inbox shows those cases with a note.
"""

from __future__ import annotations

import asyncio
import logging

from escalation.card_queue import CardQueue
from escalation.service import Cards, EscalationService
from herstel.failures import describe

log = logging.getLogger(__name__)

EVERY_SECONDS = 5.0


class CardCourier:
    def __init__(
        self, service: EscalationService, queue: CardQueue, cards: Cards, channel: str
    ) -> None:
        self._service = service
        self.queue = queue
        self._cards = cards
        self._channel = channel

    async def deliver_due(self) -> int:
        """Try every due card once, oldest first; returns how many were posted. After a card
        Slack refuses, the rest waits for its own next attempt."""
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

    async def keep_delivering(self, every: float = EVERY_SECONDS) -> None:
        while True:
            try:
                await self.deliver_due()
            except Exception as exc:  # the store may be down too: try again next round
                log.warning("the card courier could not run: %s", describe(exc))
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
