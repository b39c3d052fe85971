"""What agents do with an escalated case, whatever surface they click on (Slack or the inbox).

Every action re-checks on the server who may do what: a button's value is input, not
authority. Gestures go through the same RecoveryService as the bot's, so a double click or a
retried request gives one gesture.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

from escalation.agents import Agent, AgentDirectory
from escalation.card_queue import CardQueue
from escalation.conversations import Conversations, ConversationUnreachable
from escalation.deliveries import Deliveries
from escalation.model import (
    CLOSE_MODAL,
    CLOSE_REASON_MAX,
    WRITE_MODAL,
    Act,
    Case,
    CaseFile,
    Message,
    Status,
)
from escalation.store import EscalationStore, Stored
from herstel.clock import AMSTERDAM, Clock
from policies import Channel, ComplaintType, DamageExtent, Level
from recovery.confirmations import granted_messages
from recovery.granting import AlreadyDecided, NotGranted
from recovery.moments import Conversation
from recovery.proposal import Complaint, affected_line
from recovery.service import NeedsHigherLevel, RecoveryService

log = logging.getLogger(__name__)

CLOSED_RESPONSE = "utter_agent_closed"  # what the customer hears of a close without a gesture
# The external intents the bot answers (bot/domain/escalation.yml).
DECIDED = "EXTERNAL_agent_decided"
AGENT_MESSAGE = "EXTERNAL_agent_message"
TOOK_OVER = "EXTERNAL_agent_took_over"
HANDED_BACK = "EXTERNAL_agent_handed_back"


class Cards(Protocol):
    """Where agents see cases: Slack (escalation/slack.py) or the local inbox."""

    async def post_case(self, channel: str, case: Case) -> tuple[str, str]: ...
    async def update_case(self, case: Case) -> None: ...
    async def post_thread(self, case: Case, message: Message) -> None: ...
    async def open_write_modal(self, trigger_id: str, case: Case) -> None: ...
    async def open_close_modal(self, trigger_id: str, case: Case) -> None: ...
    async def tell_agent(self, case: Case, user_id: str, text: str) -> None: ...
    async def post_notice(self, channel: str, text: str) -> None: ...


@dataclass(frozen=True, slots=True)
class Result:
    """What happened to an agent's request, in words for that agent."""

    done: bool
    note: str
    case: Case | None = None


class EscalationService:
    def __init__(
        self,
        store: EscalationStore,
        recovery: RecoveryService,
        cards: Cards,
        conversations: Conversations,
        agents: AgentDirectory,
        clock: Clock,
        channel: str = "",
        queue: CardQueue | None = None,
        deliveries: Deliveries | None = None,
    ) -> None:
        self._store = store
        self._recovery = recovery
        self._cards = cards
        self._conversations = conversations
        self._agents = agents
        self._clock = clock
        self._channel = channel
        self._queue = queue  # where a card Slack did not take waits (card_queue.py)
        self._deliveries = deliveries  # where what Rasa did not take waits (deliveries.py)

    # --- from the bot ------------------------------------------------------------------

    async def open(self, file: CaseFile, conversation_id: str) -> Case:
        """Hand a case to agents; asking again for the same case posts no second card."""
        stored, new = await self._store.open(file, conversation_id)
        if not new:
            return stored.case
        return await self.deliver_card(stored.case)

    async def deliver_card(self, case: Case) -> Case:
        """Post the case's card where agents work; one Slack did not take waits in the queue
        (and in the local inbox) for the courier to try again."""
        case_id = case.file.case_id
        try:
            channel, ts = await self._cards.post_case(self._channel, case)
        except Exception as exc:
            error = getattr(exc, "error", None) or type(exc).__name__
            log.warning("case %s: the card could not be posted (%s); it waits", case_id, error)
            if self._queue is not None:
                await self._queue.failed(case_id, error, getattr(exc, "retry_after", None))
            return case
        stored = await self._store.change(
            case_id, lambda c: Case(c.file, c.state.but(slack_channel=channel, slack_ts=ts))
        )
        failed_before = await self._queue.delivered(case_id) if self._queue else 0
        if failed_before:
            note = Message("bot", late_note(stored.case, failed_before), self._clock.now())
            await self._thread(stored.case, note)
        return stored.case

    async def customer_said(self, conversation_id: str, text: str) -> bool:
        """A customer's message while an agent owns the conversation: into the card's thread."""
        active = await self._store.active_for(conversation_id)
        if active is None or active.case.state.status is not Status.TAKEN_OVER:
            return False
        message = Message("customer", text, self._clock.now())
        stored = await self._append(active.case.file.case_id, message)
        await self._thread(stored.case, message)
        return True

    async def note(self, case_id: str, text: str) -> None:
        """What agents must know about a case after the fact (e.g. the customer could not be
        told): kept with the case and posted in the card's thread."""
        stored = await self._append(case_id, Message("bot", text, self._clock.now()))
        await self._thread(stored.case, stored.case.state.thread[-1])

    async def follow(self, case_id: str, conversation_id: str) -> None:
        """The customer joined the case from another conversation (a new chat, WhatsApp):
        what agents decide and write reaches them there."""
        if await self._store.follow(case_id, conversation_id):
            log.info("case %s: the customer continues in another conversation", case_id)

    async def taken_over(self, conversation_id: str) -> bool:
        active = await self._store.active_for(conversation_id)
        return active is not None and active.case.state.status is Status.TAKEN_OVER

    async def outcome_for(self, conversation_id: str, case_id: str) -> tuple[dict, ...]:
        """What the bot says to confirm an agent's decision on the conversation's case."""
        stored = await self._store.get(case_id)
        if stored.conversation_id != conversation_id:
            return ()
        return stored.case.state.outcome_messages

    # --- from agents -------------------------------------------------------------------

    async def _claim(self, case_id: str, agent: Agent) -> Result:
        stored = await self._store.change(case_id, lambda c: _claimed(c, agent))
        state = stored.case.state
        if state.owner != agent.user_id:
            return Result(False, _refusal(stored.case), stored.case)
        await self._refresh(stored.case)
        return Result(True, "The case is yours.", stored.case)

    async def _grant(self, case_id: str, agent: Agent, key: str) -> Result:
        stored = await self._store.get(case_id)
        case = stored.case
        if case.state.status is Status.RESOLVED and case.state.decided_by == agent.user_id:
            return Result(True, f"Already done: {case.state.outcome}.", case)  # a double click
        if case.state.status is Status.RESOLVED or not _may_act(case, agent):
            return Result(False, _refusal(case), case)
        suggestion = case.file.suggestion(key)
        if suggestion is None or case.file.order_number is None:
            return Result(False, "That is not one of this case's suggestions.", case)
        complaint = _complaint(case.file)
        if complaint is None:
            return Result(False, "This case has no complaint to settle.", case)
        try:
            diagnosis, granted = await self._recovery.grant_as(
                case_id,
                complaint,
                case.file.order_number,
                key,
                decided_by=f"{agent.level.value}:{agent.user_id}",
                level=agent.level,
                conversation=_conversation(case),
            )
        except NeedsHigherLevel as exc:
            return Result(False, f"This needs a {exc.level.value}; ask one to approve it.", case)
        except AlreadyDecided:
            return Result(False, "This case was already compensated: nothing more is given.", case)
        except NotGranted as exc:
            return Result(False, f"Not granted: {exc}", case)
        assert diagnosis.order is not None
        item = affected_line(diagnosis.order, complaint)
        now = self._clock.now()
        messages = granted_messages(granted, item, case.file.language, now, complaint.type)
        outcome = ", ".join(f"{g.kind.value.replace('_', ' ')} {g.cost.format()}" for g in granted)
        return await self._resolve(case_id, agent, outcome, tuple(messages))

    async def _close(self, case_id: str, agent: Agent, reason: str) -> Result:
        """Close the case without a gesture, for a reason: the customer hears it, the case's
        recovery moment keeps who decided and why."""
        reason = " ".join(reason.split())
        if not reason:
            return Result(False, "Say why the case is closed without a gesture.")
        stored = await self._store.get(case_id)
        case = stored.case
        if case.state.status is Status.RESOLVED or not _may_act(case, agent):
            return Result(False, _refusal(case), case)
        complaint = _complaint(case.file)
        if complaint is not None and case.file.order_number is not None:
            try:
                await self._recovery.close_as(
                    case_id,
                    complaint,
                    case.file.order_number,
                    decided_by=f"{agent.level.value}:{agent.user_id}",
                    reason=reason[:CLOSE_REASON_MAX],
                    conversation=_conversation(case),
                )
            except NotGranted as exc:
                return Result(False, f"Not closed: {exc}", case)
        outcome = f"closed without a gesture: {reason[:CLOSE_REASON_MAX]}"
        return await self._resolve(case_id, agent, outcome, ({"response": CLOSED_RESPONSE},))

    async def _resolve(
        self, case_id: str, agent: Agent, outcome: str, messages: tuple[dict, ...]
    ) -> Result:
        """Mark the case decided, once: only the request that resolves it tells the customer."""
        now = self._clock.now()
        won = False

        def resolve(current: Case) -> Case | None:
            nonlocal won
            won = current.state.status is not Status.RESOLVED
            if not won:
                return None  # someone resolved it first; their outcome stands
            state = current.state.but(
                status=Status.RESOLVED,
                owner=current.state.owner or agent.user_id,
                owner_name=current.state.owner_name or agent.name,
                outcome=outcome,
                decided_by=agent.user_id,
                decided_at=now,
                outcome_messages=messages,
            )
            return Case(current.file, state)

        resolved = await self._store.change(case_id, resolve)
        if won:  # only the request that resolved the case tells the customer
            await self._tell(resolved, DECIDED, {"case_id": case_id})
        await self._refresh(resolved.case)
        return Result(True, f"Done: {outcome}.", resolved.case)

    async def _write(self, case_id: str, agent: Agent, text: str) -> Result:
        """An agent's personal message, sent only by this explicit action."""
        text = text.strip()
        if not text:
            return Result(False, "The message is empty.")
        stored = await self._store.change(case_id, lambda c: _claimed(c, agent))
        if not _may_act(stored.case, agent):
            return Result(False, _refusal(stored.case), stored.case)
        message = Message("agent", text, self._clock.now())
        stored = await self._append(case_id, message)
        await self._tell(stored, AGENT_MESSAGE, {"agent_text": text, "case_id": case_id})
        await self._refresh(stored.case)
        return Result(True, "Sent to the customer.", stored.case)

    async def _open_modal(
        self, case_id: str, agent: Agent, trigger_id: str, *, closing: bool = False
    ) -> Result:
        stored = await self._store.get(case_id)
        if not _may_act(stored.case, agent) or (
            closing and stored.case.state.status is Status.RESOLVED
        ):
            return Result(False, _refusal(stored.case), stored.case)
        if closing:
            await self._cards.open_close_modal(trigger_id, stored.case)
        else:
            await self._cards.open_write_modal(trigger_id, stored.case)
        return Result(True, "", stored.case)

    async def _take_over(self, case_id: str, agent: Agent) -> Result:
        def take(current: Case) -> Case | None:
            mine = _claimed(current, agent) or current
            if not _holds(mine, agent, Status.CLAIMED):
                return None
            return Case(mine.file, mine.state.but(status=Status.TAKEN_OVER))

        stored = await self._store.change(case_id, take)
        if not _holds(stored.case, agent, Status.TAKEN_OVER):
            return Result(False, _refusal(stored.case), stored.case)
        await self._tell(stored, TOOK_OVER, {"agent_name": agent.name, "case_id": case_id})
        await self._refresh(stored.case)
        return Result(True, "You have the conversation; the bot is silent.", stored.case)

    async def _hand_back(self, case_id: str, agent: Agent) -> Result:
        def give_back(current: Case) -> Case | None:
            if not _holds(current, agent, Status.TAKEN_OVER):
                return None
            return Case(current.file, current.state.but(status=Status.CLAIMED))

        stored = await self._store.change(case_id, give_back)
        if not _holds(stored.case, agent, Status.CLAIMED):
            return Result(False, _refusal(stored.case), stored.case)
        await self._tell(stored, HANDED_BACK)
        await self._refresh(stored.case)
        return Result(True, "The bot has the conversation again.", stored.case)

    async def act(
        self,
        action: str,
        case_id: str,
        user_id: str,
        *,
        offer_key: str | None = None,
        text: str | None = None,
        trigger_id: str | None = None,
    ) -> Result:
        """One entry for every surface: a card control (Act) or the written message."""
        agent = self._agents.get(user_id)
        if agent is None:
            return Result(False, "You are not set up as an agent in Herstel.")
        if action == Act.CLAIM:
            return await self._claim(case_id, agent)
        if action == Act.GRANT:
            return await self._grant(case_id, agent, offer_key or "")
        if action == Act.TAKE_OVER:
            return await self._take_over(case_id, agent)
        if action == Act.HAND_BACK:
            return await self._hand_back(case_id, agent)
        if action == Act.WRITE and trigger_id:
            return await self._open_modal(case_id, agent, trigger_id)
        if action in (Act.WRITE, WRITE_MODAL):
            return await self._write(case_id, agent, text or "")
        if action == Act.CLOSE and trigger_id:
            return await self._open_modal(case_id, agent, trigger_id, closing=True)
        if action in (Act.CLOSE, CLOSE_MODAL):
            return await self._close(case_id, agent, text or "")
        return Result(False, f"unknown action {action!r}")

    async def tell_agent(self, case_id: str, user_id: str, text: str) -> None:
        """Why a click did nothing, shown only to the agent who clicked."""
        try:
            stored = await self._store.get(case_id)
            await self._cards.tell_agent(stored.case, user_id, text)
        except Exception:
            log.exception("case %s: could not tell the agent", case_id)

    async def cases(self, limit: int = 50) -> list[Case]:
        return [stored.case for stored in await self._store.latest(limit)]

    async def case(self, case_id: str) -> Case:
        return (await self._store.get(case_id)).case

    # --- helpers -----------------------------------------------------------------------

    async def _append(self, case_id: str, message: Message) -> Stored:
        return await self._store.change(
            case_id,
            lambda c: Case(c.file, c.state.but(thread=(*c.state.thread, message))),
        )

    async def _tell(
        self, stored: Stored, intent: str, entities: dict[str, str] | None = None
    ) -> None:
        case_id, conversation = stored.case.file.case_id, stored.conversation_id
        entities, later = entities or {}, self._deliveries
        if later is not None and await later.waiting_for(conversation):
            # What agents did before still waits for Rasa: this follows it, in order.
            await later.add(case_id, conversation, intent, entities, error="queued", due_now=True)
            return
        try:
            await self._conversations.trigger(conversation, intent, entities)
        except ConversationUnreachable as exc:
            log.error("case %s: the customer could not be told (%s) yet: %s", case_id, intent, exc)
            if later is not None:
                await later.add(case_id, conversation, intent, entities, error=str(exc))

    async def _refresh(self, case: Case) -> None:
        if case.state.slack_ts is None:
            return
        try:
            await self._cards.update_case(case)
        except Exception:
            log.exception("case %s: the card could not be updated", case.file.case_id)

    async def _thread(self, case: Case, message: Message) -> None:
        if case.state.slack_ts is None:
            return
        try:
            await self._cards.post_thread(case, message)
        except Exception:
            log.exception("case %s: the thread could not be updated", case.file.case_id)


def late_note(case: Case, failed_attempts: int) -> str:
    opened = case.file.opened_at.astimezone(AMSTERDAM).strftime("%H:%M")
    tries = "1 try" if failed_attempts == 1 else f"{failed_attempts} tries"
    return (
        f"Handed over at {opened}, while Slack could not be reached ({tries}); posted now. "
        "Until now the case was in the local agent inbox; what was done there shows on this card."
    )


def _claimed(case: Case, agent: Agent) -> Case | None:
    """The case owned by agent if nobody else has it; unchanged (None) otherwise."""
    state = case.state
    if state.status is not Status.OPEN or state.owner is not None:
        return None
    return Case(
        case.file, state.but(status=Status.CLAIMED, owner=agent.user_id, owner_name=agent.name)
    )


def _holds(case: Case, agent: Agent, status: Status) -> bool:
    return case.state.status is status and case.state.owner == agent.user_id


def _may_act(case: Case, agent: Agent) -> bool:
    """The owner acts; on an unclaimed case anyone may; a lead may always step in."""
    owner = case.state.owner
    return owner is None or owner == agent.user_id or agent.level is Level.LEAD


def _refusal(case: Case) -> str:
    state = case.state
    if state.status is Status.RESOLVED:
        return f"Already decided by {state.decided_by}: {state.outcome}."
    return f"{state.owner_name or state.owner} has this case."


def _conversation(case: Case) -> Conversation:
    """The customer's effort includes what they wrote to the agent after the hand-over."""
    file = case.file
    since = sum(1 for m in case.state.thread if m.speaker == "customer")
    return Conversation(
        language=file.language,
        channel=file.channel,
        customer_turns=(file.customer_turns or 0) + since,
        started_at=file.started_at,
        tone_start=file.tone_start,
    )


def _complaint(file: CaseFile) -> Complaint | None:
    if file.complaint_type is None:
        return None
    channel = Channel.WHATSAPP if file.channel == Channel.WHATSAPP.value else Channel.WEBCHAT
    damage = DamageExtent(file.damage) if file.damage else None
    return Complaint(ComplaintType(file.complaint_type), channel, damage, file.product)
