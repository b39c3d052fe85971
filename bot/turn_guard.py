"""The Rasa side of "never silence": a turn that fails anywhere is answered and not stored.

Rasa 3.6 logs "the action's events are lost" when a custom action cannot be reached, answers
5xx or times out, and carries on without a word to the customer; a tracker store that fails
hands back a blank conversation; a failed lock store ends the request with nothing at all.
Installed when Rasa imports our components, this guard changes three things:

- A custom action call that fails (unreachable, 5xx, timeout, an answer that breaks Rasa's
  schema) or that the action server answers with FAILED_TURN (actions/guard.py) ends the
  whole turn at once with TurnFailed.
- Handling a customer message (every channel goes through Agent.handle_message) catches that
  and any other failure: the customer hears FAILED_TURN in their language, and the turn is
  not saved, so sending the message again resumes exactly where the conversation was.
- The tracker store fails loudly instead of falling back to a fresh, empty conversation that
  lives only in this process's memory.

A turn the desk triggers (an agent's decision) that fails is an error for the desk to see,
not an apology to a customer who wrote nothing.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from typing import Any

from herstel.failures import FAILED_TURN, describe
from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.core.agent import Agent
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.tracker_store import FailSafeTrackerStore
from rasa.shared.core.events import BotUttered, SlotSet
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException

from bot.language import detect_language

log = logging.getLogger(__name__)

# Above the action server's own deadline (actions/guard.py), so that its answer comes first.
ACTION_TIMEOUT_SECONDS = 12.0


class TurnFailed(BaseException):
    """A part behind the turn failed: the turn ends here, unstored.

    A BaseException, like asyncio.CancelledError, so that it passes the catch-all in Rasa's
    processor that would log "the action's events are lost" and carry on silently.
    """

    def __init__(self, reason: str, language: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.language = language


_run_remote = RemoteAction.run
_handle_message = Agent.handle_message
_trigger_intent = Agent.trigger_intent


async def _guarded_run(
    self: RemoteAction, output_channel: Any, nlg: Any, tracker: DialogueStateTracker, domain: Any
) -> list:
    language = tracker.get_slot("language")
    try:
        events = await asyncio.wait_for(
            _run_remote(self, output_channel, nlg, tracker, domain), ACTION_TIMEOUT_SECONDS
        )
    except ActionExecutionRejection:
        raise  # a form declining a message: ordinary dialogue, not a failure
    except Exception as exc:
        raise TurnFailed(f"action {self.name()}: {describe(exc)}", language) from None
    if any(_is_failed_turn(event) for event in events):
        raise TurnFailed(f"action {self.name()} failed on the action server", language)
    return events


def _is_failed_turn(event: Any) -> bool:
    return isinstance(event, BotUttered) and event.metadata.get("utter_action") == FAILED_TURN


async def _guarded_handle_message(self: Agent, message: UserMessage) -> Any:
    if not self.is_ready():
        return await _handle_message(self, message)  # Rasa logs and ignores the message
    stored = False
    try:  # Agent.handle_message's own steps, with the failures around them told apart
        async with self.lock_store.lock(message.sender_id):
            await self.processor.handle_message(message)  # type: ignore[union-attr]
            stored = True
    except (TurnFailed, Exception) as exc:  # a store down, an action failed, a bug
        failed = exc if isinstance(exc, TurnFailed) else None
        reason = failed.reason if failed else describe(exc)
        ref = _ref(message.sender_id)
        if stored:  # only releasing the lock failed: the turn itself is answered and saved
            log.warning("conversation %s: the lock was not released: %s", ref, reason)
        else:
            log.error("turn failed in conversation %s: %s", ref, reason)
            language = (failed.language if failed else None) or detect_language(message.text or "")
            await _apologise(self, message, language)
    channel = message.output_channel
    return channel.messages if isinstance(channel, CollectingOutputChannel) else None


async def _guarded_trigger_intent(self: Agent, *args: Any, **kwargs: Any) -> None:
    try:
        await _trigger_intent(self, *args, **kwargs)
    except TurnFailed as failed:
        raise RasaException(f"the triggered turn failed: {failed.reason}") from None


async def _apologise(agent: Agent, message: UserMessage, language: str | None) -> None:
    """FAILED_TURN in the customer's language, rendered from the domain without the stored
    conversation (the store may be what failed)."""
    try:
        domain = agent.domain
        tracker = DialogueStateTracker(message.sender_id or "unknown", domain.slots)
        if language in ("nl", "en"):
            tracker.update(SlotSet("language", language))
        channel = message.output_channel
        reply = await agent.nlg.generate(FAILED_TURN, tracker, channel.name())
        if reply:
            await channel.send_response(message.sender_id, reply)
    except Exception as exc:  # the channel itself may be what is down
        log.error("the apology could not be sent: %s", describe(exc))


def _ref(sender_id: str | None) -> str:
    # The sender id may be a phone number: only a pseudonym goes into the log.
    return hashlib.sha256((sender_id or "").encode()).hexdigest()[:16]


def _fail_loudly(self: FailSafeTrackerStore, error: Exception) -> None:
    raise error


def install() -> None:
    """Idempotent; called when Rasa imports our components."""
    RemoteAction.run = _guarded_run  # type: ignore[method-assign]
    Agent.handle_message = _guarded_handle_message  # type: ignore[method-assign]
    Agent.trigger_intent = _guarded_trigger_intent  # type: ignore[method-assign]
    FailSafeTrackerStore.on_tracker_store_error = _fail_loudly  # type: ignore[method-assign]
    FailSafeTrackerStore.on_tracker_store_retrieve_error = _fail_loudly  # type: ignore[method-assign]
