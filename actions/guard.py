"""The one guard every custom action runs under: a failure behind an action is never silence.

rasa-sdk answers an action that raises with HTTP 500, a traceback in the log and nothing for
the customer. Here every action rasa-sdk registers runs inside `Guarded`: within a deadline,
and when anything behind it fails (database, shop, Slack, a bug) the action answers with
FAILED_TURN alone, whatever it had said or set before it failed. The Rasa side
(bot/turn_guard.py) reads that answer as a failed turn: the customer hears the apology in
their language and the turn is not stored, so sending the message again resumes exactly where
the conversation was (an offer still open, a form still asking). Gestures are idempotent, so
a retried "yes" issues nothing twice.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import ActionExecutor, CollectingDispatcher
from rasa_sdk.interfaces import ActionExecutionRejection

from actions.case import conversation_ref
from herstel.failures import FAILED_TURN, describe

log = logging.getLogger(__name__)

# Below the Rasa side's own timeout for an action call (bot/turn_guard.py), so the customer
# hears this guard's answer first. The carrier lookup has its own, shorter, deadline.
DEADLINE_SECONDS = 10.0

Run = Callable[[CollectingDispatcher, Tracker, dict[str, Any]], Awaitable[Any]]


class Guarded:
    """An action's run as rasa-sdk registers it. A class, not a closure: rasa-sdk pickles its
    registry into each Sanic worker."""

    def __init__(self, name: str, run: Run, deadline: float = DEADLINE_SECONDS) -> None:
        self.name = name
        self.run = run
        self.deadline = deadline

    async def __call__(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        started = time.monotonic()
        try:
            async with asyncio.timeout(self.deadline):
                return await self.run(dispatcher, tracker, domain) or []
        except ActionExecutionRejection:
            raise  # an action declining the message: ordinary dialogue, Rasa predicts another
        except Exception as exc:  # the guard's whole point: nothing escapes as silence
            log.error(
                "action %s failed in conversation %s after %.1fs: %s",
                self.name,
                conversation_ref(tracker),
                time.monotonic() - started,
                describe(exc),
            )
            dispatcher.messages.clear()  # half an answer is not the outcome
            dispatcher.utter_message(response=FAILED_TURN)
            return []


_register = ActionExecutor.register_function


def _register_guarded(self: ActionExecutor, action_name: str, f: Callable) -> None:
    _register(self, action_name, f if isinstance(f, Guarded) else Guarded(action_name, f))


def install() -> None:
    """Idempotent; actions/__init__.py calls it before rasa-sdk registers our actions."""
    ActionExecutor.register_function = _register_guarded  # type: ignore[method-assign]
