"""Cards in Slack: a thin adapter over slack_sdk's AsyncWebClient.

Every failure (Slack said no, Slack cannot be reached, too slow) comes out as
SlackUnavailable, so a caller can degrade (keep the case in the local inbox, retry later)
instead of losing the customer's escalation to a stack trace. Messages carry no personal
data into the logs: errors name the method and Slack's error code only.
"""

from __future__ import annotations

import logging
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from escalation.cards import case_card, clip, close_modal, thread_message, write_modal
from escalation.model import Case, Message

log = logging.getLogger(__name__)

# Seconds. A hand-over must not hang on Slack: the customer's turn has 10 s in all, and a card
# Slack did not take in time is posted again later (card_queue.py).
DEFAULT_TIMEOUT = 5


class SlackUnavailable(Exception):
    """Slack refused or could not be reached; error is Slack's code when it answered (else
    http_<status> or the failure's type); retry_after is Slack's Retry-After (429), if any."""

    def __init__(self, method: str, error: str, retry_after: float | None = None) -> None:
        super().__init__(f"Slack {method} failed: {error}")
        self.method = method
        self.error = error
        self.retry_after = retry_after


class SlackCards:
    def __init__(self, client: AsyncWebClient, *, show_names: bool = False) -> None:
        self._client = client
        self._show_names = show_names

    @classmethod
    def connect(
        cls,
        token: str,
        *,
        base_url: str | None = None,
        timeout: int = DEFAULT_TIMEOUT,
        show_names: bool = False,
    ) -> SlackCards:
        """A client for this bot token; base_url points it elsewhere (a stand-in in tests)."""
        kwargs: dict[str, Any] = {"token": token, "timeout": timeout}
        if base_url is not None:
            kwargs["base_url"] = base_url if base_url.endswith("/") else base_url + "/"
        return cls(AsyncWebClient(**kwargs), show_names=show_names)

    async def post_case(self, channel: str, case: Case) -> tuple[str, str]:
        """Post the case's card; returns the channel id and the message ts to update it by."""
        card = case_card(case, show_names=self._show_names)
        data = await self._call(
            "chat.postMessage",
            self._client.chat_postMessage,
            channel=channel,
            unfurl_links=False,
            unfurl_media=False,
            **card,
        )
        channel_id, ts = data.get("channel"), data.get("ts")
        if not isinstance(channel_id, str) or not isinstance(ts, str):
            raise SlackUnavailable("chat.postMessage", "no channel or ts in the answer")
        return channel_id, ts

    async def update_case(self, case: Case) -> None:
        """Redraw the card from the case's current state (owner, outcome, buttons)."""
        channel, ts = self._where(case)
        card = case_card(case, show_names=self._show_names)
        await self._call("chat.update", self._client.chat_update, channel=channel, ts=ts, **card)

    async def post_thread(self, case: Case, message: Message) -> None:
        """Post a customer message or an agent reply under the card."""
        channel, ts = self._where(case)
        await self._call(
            "chat.postMessage",
            self._client.chat_postMessage,
            channel=channel,
            thread_ts=ts,
            unfurl_links=False,
            unfurl_media=False,
            **thread_message(message),
        )

    async def open_write_modal(self, trigger_id: str, case: Case) -> None:
        """Open the write-to-customer modal; the trigger is valid for three seconds only."""
        await self._call(
            "views.open", self._client.views_open, trigger_id=trigger_id, view=write_modal(case)
        )

    async def open_close_modal(self, trigger_id: str, case: Case) -> None:
        """Open the close-without-a-gesture modal (a reason); valid for three seconds only."""
        await self._call(
            "views.open", self._client.views_open, trigger_id=trigger_id, view=close_modal(case)
        )

    async def post_notice(self, channel: str, text: str) -> None:
        """A message to every agent in the channel (e.g. that Slack is reachable again)."""
        await self._call(
            "chat.postMessage", self._client.chat_postMessage, channel=channel,
            text=clip(text, 3000), unfurl_links=False, unfurl_media=False,
        )  # fmt: skip

    async def tell_agent(self, case: Case, user_id: str, text: str) -> None:
        """A note only this agent sees, next to the card (e.g. why a click did nothing)."""
        channel, _ = self._where(case)
        await self._call(
            "chat.postEphemeral",
            self._client.chat_postEphemeral,
            channel=channel,
            user=user_id,
            text=clip(text, 3000),
        )

    @staticmethod
    def _where(case: Case) -> tuple[str, str]:
        channel, ts = case.state.slack_channel, case.state.slack_ts
        if not channel or not ts:
            raise ValueError(f"case {case.file.case_id} has no Slack card yet")
        return channel, ts

    async def _call(self, method: str, call: Any, **kwargs: Any) -> dict[str, Any]:
        try:
            response = await call(**kwargs)
        except SlackApiError as e:
            raise self._refused(method, e) from e
        except SlackClientError as e:
            raise self._unavailable(method, type(e).__name__) from e
        except (aiohttp.ClientError, TimeoutError) as e:
            raise self._unavailable(method, type(e).__name__) from e
        data = response.data
        if not isinstance(data, dict):
            raise self._unavailable(method, "answer is not JSON")
        return data

    @classmethod
    def _refused(cls, method: str, e: SlackApiError) -> SlackUnavailable:
        response = e.response
        if response is None:
            return cls._unavailable(method, "error")
        error = response.get("error") if isinstance(response.data, dict) else None
        retry_after = _seconds((response.headers or {}).get("Retry-After"))
        return cls._unavailable(method, str(error or f"http_{response.status_code}"), retry_after)

    @staticmethod
    def _unavailable(method: str, error: str, retry_after: float | None = None) -> SlackUnavailable:
        log.warning("Slack %s failed: %s", method, error)
        return SlackUnavailable(method, error, retry_after)


def _seconds(value: object) -> float | None:
    if isinstance(value, list):  # aiohttp's headers as slack_sdk hands them on
        value = value[0] if value else None
    try:
        seconds = float(str(value)) if value is not None else None
    except ValueError:
        return None
    return seconds if seconds is not None and 0 <= seconds < 86400 else None
