"""WhatsApp Cloud API: settings, signatures, webhook parsing and message rendering.

No Rasa, Sanic or aiohttp imports: this runs inside the Rasa server (bot/connectors/
whatsapp.py) and is tested from the project's own Python 3.11 suite.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.language import detect_language

SIGNATURE_HEADER = "X-Hub-Signature-256"
_SIGNATURE_PREFIX = "sha256="

# Limits of the Cloud API's messages endpoint (Meta's "interactive reply buttons" and
# "interactive list messages" references). Longer values are refused with HTTP 400.
TEXT_LIMIT = 4096
INTERACTIVE_BODY_LIMIT = 1024
MAX_REPLY_BUTTONS = 3
BUTTON_TITLE_LIMIT = 20
BUTTON_ID_LIMIT = 256
MAX_LIST_ROWS = 10
ROW_TITLE_LIMIT = 24
ROW_ID_LIMIT = 200
LIST_BUTTON_LIMIT = 20
SECTION_TITLE_LIMIT = 24

DEFAULT_API_URL = "https://graph.facebook.com"
# Graph API versions are retired about two years after release; override when this one is.
DEFAULT_API_VERSION = "v23.0"

ENV_APP_SECRET = "HERSTEL_WHATSAPP_APP_SECRET"
ENV_VERIFY_TOKEN = "HERSTEL_WHATSAPP_VERIFY_TOKEN"
ENV_ACCESS_TOKEN = "HERSTEL_WHATSAPP_ACCESS_TOKEN"
ENV_PHONE_NUMBER_ID = "HERSTEL_WHATSAPP_PHONE_NUMBER_ID"
ENV_API_URL = "HERSTEL_WHATSAPP_API_URL"
ENV_API_VERSION = "HERSTEL_WHATSAPP_API_VERSION"


# -- settings -------------------------------------------------------------------------


@dataclass(frozen=True)
class WhatsAppSettings:
    """Read from the environment only, so secrets never sit in credentials.yml."""

    app_secret: str = field(default="", repr=False)
    verify_token: str = field(default="", repr=False)
    access_token: str = field(default="", repr=False)
    phone_number_id: str = ""
    api_url: str = DEFAULT_API_URL
    api_version: str = DEFAULT_API_VERSION

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> WhatsAppSettings:
        def get(name: str) -> str:
            return environ.get(name, "").strip()

        return cls(
            app_secret=get(ENV_APP_SECRET),
            verify_token=get(ENV_VERIFY_TOKEN),
            access_token=get(ENV_ACCESS_TOKEN),
            phone_number_id=get(ENV_PHONE_NUMBER_ID),
            api_url=(get(ENV_API_URL) or DEFAULT_API_URL).rstrip("/"),
            api_version=get(ENV_API_VERSION) or DEFAULT_API_VERSION,
        )

    def missing(self) -> list[str]:
        """Names of the required variables that are not set (never their values)."""
        required = {
            ENV_APP_SECRET: self.app_secret,
            ENV_VERIFY_TOKEN: self.verify_token,
            ENV_ACCESS_TOKEN: self.access_token,
            ENV_PHONE_NUMBER_ID: self.phone_number_id,
        }
        return [name for name, value in required.items() if not value]

    @property
    def configured(self) -> bool:
        # Receiving without being able to answer would swallow customers' messages.
        return not self.missing()

    @property
    def messages_url(self) -> str:
        return f"{self.api_url}/{self.api_version}/{self.phone_number_id}/messages"


def sender_ref(wa_id: str) -> str:
    """A short, stable stand-in for a phone number in logs."""
    return hashlib.sha256(wa_id.encode()).hexdigest()[:10]


# -- signatures -----------------------------------------------------------------------


def signature_for(app_secret: str, body: bytes) -> str:
    """The X-Hub-Signature-256 value Meta sends: HMAC-SHA256 of the raw body."""
    digest = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return _SIGNATURE_PREFIX + digest


def signature_is_valid(app_secret: str, body: bytes, header: str | None) -> bool:
    """Constant-time check of the header against the raw body, before any parsing."""
    if not app_secret or not header:
        return False
    header = header.strip()
    if not header.lower().startswith(_SIGNATURE_PREFIX):
        return False
    given = _SIGNATURE_PREFIX + header[len(_SIGNATURE_PREFIX) :].lower()
    return hmac.compare_digest(given.encode(), signature_for(app_secret, body).encode())


def verification_challenge(
    verify_token: str, mode: str | None, token: str | None, challenge: str | None
) -> str | None:
    """Meta's subscription handshake: the challenge to echo, or None to refuse."""
    if not verify_token or mode != "subscribe" or token is None or challenge is None:
        return None
    if not hmac.compare_digest(token.encode(), verify_token.encode()):
        return None
    return challenge


# -- incoming webhooks ----------------------------------------------------------------


class MalformedWebhook(ValueError):
    """The body is not the JSON object the Cloud API sends."""


@dataclass(frozen=True)
class Incoming:
    """One customer message, as Rasa should see it."""

    message_id: str
    sender: str  # the customer's wa_id (a phone number): never log it
    phone_number_id: str  # our business number the message was sent to
    kind: str  # text | button_reply | list_reply | button | caption | unsupported
    text: str  # typed text, or the tapped option's id (a Rasa payload such as "/affirm")


# Message types a person expects no answer to.
_SILENT_TYPES = frozenset({"reaction", "system", "ephemeral", "request_welcome"})
_CAPTIONED_TYPES = frozenset({"image", "video", "document"})


def parse_webhook(body: bytes) -> list[Incoming]:
    """The messages in a webhook body; status updates and other events give none."""
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise MalformedWebhook(f"not JSON: {error}") from None
    if not isinstance(data, dict):
        raise MalformedWebhook("not a JSON object")
    if data.get("object") != "whatsapp_business_account":
        return []  # another product's webhook on the same app: nothing for us
    entries = data.get("entry", [])
    if not isinstance(entries, list):
        raise MalformedWebhook("entry is not a list")
    found: list[Incoming] = []
    for entry in entries:
        for change in _dicts(entry.get("changes") if isinstance(entry, dict) else None):
            if change.get("field") != "messages":
                continue
            value = change.get("value")
            if not isinstance(value, dict):
                continue
            metadata = value.get("metadata")
            phone_number_id = str((metadata or {}).get("phone_number_id", ""))
            # value["statuses"] (sent, delivered, read, failed) are acknowledged, not turns.
            for message in _dicts(value.get("messages")):
                incoming = _incoming(message, phone_number_id)
                if incoming is not None:
                    found.append(incoming)
    return found


def _dicts(items: Any) -> list[dict[str, Any]]:
    return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []


def _incoming(message: dict[str, Any], phone_number_id: str) -> Incoming | None:
    message_id, sender = message.get("id"), message.get("from")
    if not isinstance(message_id, str) or not isinstance(sender, str) or not message_id:
        return None
    if message.get("type") in _SILENT_TYPES:
        return None
    kind, text = _content(message)
    if not text or not text.strip():
        return Incoming(message_id, sender, phone_number_id, "unsupported", "")
    return Incoming(message_id, sender, phone_number_id, kind, text)


def _content(message: dict[str, Any]) -> tuple[str, str | None]:
    kind = str(message.get("type"))
    if kind == "text":
        return kind, _field(message, "text", "body")
    if kind == "interactive":
        interactive = message.get("interactive")
        reply_kind = interactive.get("type") if isinstance(interactive, dict) else None
        if isinstance(interactive, dict) and reply_kind in ("button_reply", "list_reply"):
            # The id we sent is the Rasa button's payload: it comes back as the message.
            return reply_kind, _field(interactive, reply_kind, "id")
    if kind == "button":  # a template's quick-reply button
        return kind, _field(message, "button", "payload") or _field(message, "button", "text")
    if kind in _CAPTIONED_TYPES:
        return "caption", _field(message, kind, "caption")
    return "unsupported", None


def _field(container: dict[str, Any], key: str, name: str) -> str | None:
    inner = container.get(key)
    value = inner.get(name) if isinstance(inner, dict) else None
    return value if isinstance(value, str) else None


# Said by the connector itself: the dialogue only ever sees text.
UNSUPPORTED_NOTICE = (
    "Ik kan (nog) geen foto's, spraakberichten of bestanden lezen. Wil je het in een "
    "berichtje beschrijven?\n\nI can't read photos, voice messages or files yet. "
    "Could you describe it in a message?"
)


# -- outgoing messages ----------------------------------------------------------------


@dataclass(frozen=True)
class Option:
    """A Rasa button: the title the customer sees, the payload that comes back."""

    title: str
    payload: str

    @classmethod
    def from_button(cls, button: Mapping[str, Any]) -> Option:
        title = str(button.get("title") or "").strip()
        payload = str(button.get("payload") or title).strip()
        return cls(title, payload)


@dataclass(frozen=True)
class ButtonMessage:
    """How a text with buttons goes out.

    `lead` (the beginning of an over-long text) then `interactive`; if the options do not
    fit an interactive message, or the API refuses it, `numbered` text instead, after
    which a reply "n" means `payloads[n - 1]`.
    """

    lead: list[dict[str, Any]]
    interactive: dict[str, Any] | None
    numbered: list[dict[str, Any]]
    payloads: tuple[str, ...]


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Pieces of at most `limit` characters, cut at a paragraph, line or word if possible."""
    pieces: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        window = rest[: limit + 1]
        cut = -1
        for separator in ("\n\n", "\n", " "):
            cut = window.rfind(separator, limit // 2)
            if cut > 0:
                break
        if cut <= 0:
            cut = limit
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces


def text_messages(to: str, text: str) -> list[dict[str, Any]]:
    """One or more Cloud API text messages (at most 4096 characters each)."""
    return [
        _envelope(to, "text", {"text": {"preview_url": False, "body": piece}})
        for piece in split_text(text)
    ]


def button_message(to: str, text: str, buttons: Sequence[Mapping[str, Any]]) -> ButtonMessage:
    """Reply buttons for up to 3 options, a list for up to 10, numbered text beyond."""
    options = [Option.from_button(button) for button in buttons]
    payloads = tuple(option.payload for option in options)
    pieces = split_text(text, INTERACTIVE_BODY_LIMIT)
    body = pieces[-1] if pieces else ""
    interactive = _interactive(body, options) if body else None
    if interactive is None:
        return ButtonMessage([], None, text_messages(to, numbered_text(text, options)), payloads)
    return ButtonMessage(
        lead=[m for piece in pieces[:-1] for m in text_messages(to, piece)],
        interactive=_envelope(to, "interactive", {"interactive": interactive}),
        numbered=text_messages(to, numbered_text(body, options)),
        payloads=payloads,
    )


def numbered_text(text: str, options: Sequence[Option]) -> str:
    lines = "\n".join(f"{number}. {option.title}" for number, option in enumerate(options, 1))
    return f"{text.strip()}\n\n{lines}" if text.strip() else lines


def list_button_label(text: str) -> str:
    """The label of the button that opens a list, in the language of the question."""
    language = detect_language(text)
    if language == "nl":
        return "Kies een antwoord"
    if language == "en":
        return "Choose an answer"
    return "Kies / Choose"


def _interactive(body: str, options: Sequence[Option]) -> dict[str, Any] | None:
    if not options or not _distinct(options):
        return None
    if _fits(options, MAX_REPLY_BUTTONS, BUTTON_TITLE_LIMIT, BUTTON_ID_LIMIT):
        buttons = [{"type": "reply", "reply": {"id": o.payload, "title": o.title}} for o in options]
        return {"type": "button", "body": {"text": body}, "action": {"buttons": buttons}}
    if _fits(options, MAX_LIST_ROWS, ROW_TITLE_LIMIT, ROW_ID_LIMIT):
        label = list_button_label(body)
        rows = [{"id": o.payload, "title": o.title} for o in options]
        section = {"title": label[:SECTION_TITLE_LIMIT], "rows": rows}
        return {
            "type": "list",
            "body": {"text": body},
            "action": {"button": label[:LIST_BUTTON_LIMIT], "sections": [section]},
        }
    return None  # too many, or too long: numbered text keeps every title whole


def _distinct(options: Sequence[Option]) -> bool:
    # Meta refuses repeated ids; repeated titles could not be told apart by the customer.
    titles = [option.title for option in options]
    payloads = [option.payload for option in options]
    return len(set(titles)) == len(titles) and len(set(payloads)) == len(payloads)


def _fits(options: Sequence[Option], count: int, title_limit: int, id_limit: int) -> bool:
    return len(options) <= count and all(
        0 < len(o.title) <= title_limit and 0 < len(o.payload) <= id_limit for o in options
    )


def _envelope(to: str, kind: str, content: dict[str, Any]) -> dict[str, Any]:
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "type": kind,
        **content,
    }


# -- conversation memory --------------------------------------------------------------


class _Lru(OrderedDict[str, Any]):
    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def put(self, key: str, value: Any) -> None:
        self[key] = value
        self.move_to_end(key)
        while len(self) > self.size:
            self.popitem(last=False)


class SeenMessages:
    """Message ids already handed to Rasa: Meta retries a webhook until it gets a 200.

    A bounded in-memory LRU, so it holds per Rasa process and is lost on restart; several
    Rasa servers share theirs in Redis instead (whatsapp_memory.RedisMemory).
    """

    def __init__(self, size: int = 10_000) -> None:
        self._ids = _Lru(size)

    def first_time(self, message_id: str) -> bool:
        """True once per id: the caller should handle the message now."""
        if message_id in self._ids:
            self._ids.move_to_end(message_id)
            return False
        self._ids.put(message_id, True)
        return True

    def forget(self, message_id: str) -> None:
        """Handling failed: let Meta's retry through."""
        self._ids.pop(message_id, None)


_NUMBER_REPLY = re.compile(r"^\s*(\d{1,2})\s*[.)]?\s*$")


class NumberedOptions:
    """Per customer, the payloads of the numbered options last sent as plain text.

    Bounded in-memory LRU (per Rasa process; shared in Redis by whatsapp_memory.RedisMemory).
    Options hold until the customer's next message, whatever it says: after that the
    conversation has moved on.
    """

    def __init__(self, size: int = 10_000) -> None:
        self._by_sender = _Lru(size)

    def remember(self, sender: str, payloads: Sequence[str]) -> None:
        self._by_sender.put(sender, tuple(payloads))

    def forget(self, sender: str) -> None:
        self._by_sender.pop(sender, None)

    def take(self, sender: str, text: str) -> str | None:
        """The payload a reply such as "3" stands for, else None; forgets the options."""
        return numbered_choice(self._by_sender.pop(sender, ()), text)


def numbered_choice(payloads: Sequence[str], text: str) -> str | None:
    """The payload a reply such as "3" or "3." picks from numbered options, else None."""
    match = _NUMBER_REPLY.match(text)
    if not match:
        return None
    number = int(match.group(1))
    return payloads[number - 1] if 1 <= number <= len(payloads) else None
