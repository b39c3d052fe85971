"""Run by Rasa's Python: bot/turn_guard.py against a real local action endpoint that fails in
each way, and Rasa's Agent with a processor whose store is down. Prints the outcomes (JSON)."""

import asyncio
import json
import socket
import time

from aiohttp import web
from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.core.agent import Agent
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.lock_store import InMemoryLockStore, LockError
from rasa.core.tracker_store import FailSafeTrackerStore, InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

import bot.components  # noqa: F401  (imported as Rasa imports it: installs the guard)
from bot import turn_guard

DOMAIN = Domain.load("bot/domain")
FAILED = {"events": [], "responses": [{"response": "utter_technical_problem"}]}
FINE = {"events": [{"event": "slot", "name": "order_verified", "value": True}], "responses": []}


async def endpoint(request: web.Request) -> web.Response:
    how = request.match_info["how"]
    if how == "error":
        return web.json_response({"error": "boom"}, status=500)
    if how == "failed":
        return web.json_response(FAILED)
    if how == "reject":
        return web.json_response({"action_name": "validate_order_form", "error": "no"}, status=400)
    if how == "hang":
        await asyncio.sleep(30)
    return web.json_response(FINE)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def run_action(url: str) -> str:
    tracker = DialogueStateTracker("c-1", DOMAIN.slots)
    tracker.update(SlotSet("language", "en"))
    action = RemoteAction("action_check_parcel", EndpointConfig(url))
    started = time.monotonic()
    try:
        events = await action.run(CollectingOutputChannel(), None, tracker, DOMAIN)
        return f"events: {[e.type_name for e in events]}"
    except turn_guard.TurnFailed as failed:
        return f"turn failed ({failed.language}, {time.monotonic() - started:.1f}s)"
    except ActionExecutionRejection:
        return "rejected"


class StoreDown:
    async def handle_message(self, message: UserMessage) -> None:
        raise ConnectionRefusedError("the tracker store's database is down")


class ActionDown:
    async def handle_message(self, message: UserMessage) -> None:
        await message.output_channel.send_text_message(message.sender_id, "(said before)")
        raise turn_guard.TurnFailed("action x: down", "nl")


class Answers:
    async def handle_message(self, message: UserMessage) -> None:
        await message.output_channel.send_text_message(message.sender_id, "(answered)")


class LockLostAfterTheTurn(InMemoryLockStore):
    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        raise LockError("Redis went away")


async def handle(processor: object, text: str, lock_store: object = None) -> list[str]:
    agent = Agent(domain=DOMAIN, lock_store=lock_store)  # type: ignore[arg-type]
    agent.processor = processor  # type: ignore[assignment]
    channel = CollectingOutputChannel()
    replies = await agent.handle_message(UserMessage(text, channel, "+31612345678"))
    return [m.get("text") for m in replies or []]


class Primary(InMemoryTrackerStore):
    async def retrieve(self, sender_id):  # type: ignore[no-untyped-def]
        raise ConnectionRefusedError("down")


async def main() -> dict:
    app = web.Application()
    app.router.add_post("/{how}", endpoint)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    base = f"http://127.0.0.1:{port}"
    turn_guard.ACTION_TIMEOUT_SECONDS = 0.5
    found = {
        f"action {how}": await run_action(f"{base}/{how}")
        for how in ("fine", "error", "failed", "reject", "hang")
    }
    found["action unreachable"] = await run_action(f"http://127.0.0.1:{free_port()}/webhook")
    found["store down, Dutch text"] = await handle(StoreDown(), "mijn pakket is er niet")
    found["store down, English text"] = await handle(StoreDown(), "my parcel did not come")
    found["store down, no language"] = await handle(StoreDown(), "100482")
    found["action down mid-turn"] = await handle(ActionDown(), "3512 JE")
    found["lock lost after the turn"] = await handle(Answers(), "ja", LockLostAfterTheTurn())
    store = FailSafeTrackerStore(Primary(DOMAIN))
    try:
        found["failing tracker store"] = repr(await store.retrieve("c-1"))
    except ConnectionRefusedError:
        found["failing tracker store"] = "raised"
    await runner.cleanup()
    return found


print(json.dumps(asyncio.run(main())))
