"""Simulated customers for fault tests, over Rasa's REST channel.

Every message a customer sends is recorded with what came back and how long it took. Told
that something went wrong and to send it again (the bot's apology after a failure), they do,
a moment later, as a patient customer would; anything else unexpected fails the test with
the whole conversation.
"""

from __future__ import annotations

import json
import random
import re
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

# utter_technical_problem's words, in both languages (bot/domain/responses.yml).
APOLOGY_EN = "please send it again"
APOLOGY_NL = "stuur het over een minuutje nog eens"
CODE = re.compile(r"\b(HRST-\w{4}-\w{4})\b")
ANSWER_WITHIN = 15.0  # seconds: any answer slower than this counts as none


@dataclass(frozen=True)
class Exchange:
    server: str
    text: str
    replies: tuple[str, ...]
    sent_at: float  # time.monotonic()
    seconds: float

    @property
    def answered(self) -> bool:
        return any(r.strip() for r in self.replies) and self.seconds <= ANSWER_WITHIN

    @property
    def apology(self) -> bool:
        joined = "\n".join(self.replies)
        return APOLOGY_EN in joined or APOLOGY_NL in joined


@dataclass
class SimulatedCustomer:
    servers: Sequence[str]  # Rasa servers, taken in turn (several share the conversation)
    language: str = "en"
    sender: str = field(default_factory=lambda: f"sim-{uuid.uuid4().hex[:12]}")
    exchanges: list[Exchange] = field(default_factory=list)
    think: tuple[float, float] = (0.3, 0.9)  # seconds between a reply and the next message
    _turn: int = 0

    def send(self, text: str) -> str:
        server = self.servers[self._turn % len(self.servers)]
        self._turn += 1
        body = json.dumps({"sender": self.sender, "message": text}).encode()
        request = urllib.request.Request(
            f"{server}/webhooks/rest/webhook",
            data=body,
            headers={"Content-Type": "application/json"},
        )
        started = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=ANSWER_WITHIN + 15) as response:
                replies = tuple(m.get("text") or "" for m in json.loads(response.read()))
        except (urllib.error.URLError, OSError, ValueError):
            replies = ()  # no answer at all: what this suite exists to rule out
        self.exchanges.append(Exchange(server, text, replies, started, time.monotonic() - started))
        return "\n".join(replies)

    def says(self, text: str, expect: str | re.Pattern[str], patience: float = 90) -> str:
        """Send text until the reply holds `expect`. An apology, even after other replies (the
        turn failed when it was being saved), is answered by sending the message again."""
        deadline = time.monotonic() + patience
        while True:
            reply = self.send(text)
            if self.exchanges[-1].apology and time.monotonic() < deadline:
                time.sleep(0.5)
                continue
            found = expect.search(reply) if isinstance(expect, re.Pattern) else expect in reply
            if not found:
                raise AssertionError(
                    f"{text!r} got {reply!r}, expected {expect!r}\n{self.transcript()}"
                )
            time.sleep(random.uniform(*self.think))
            return reply

    def transcript(self) -> str:
        return "\n".join(
            f"[{e.seconds:.1f}s] > {e.text}\n  " + "\n  ".join(e.replies) for e in self.exchanges
        )


LATE_LAPTOP = {
    "en": [
        ("my parcel still hasn't arrived, order {order}", "postcode"),
        ("3512 JE", "Shall I go ahead?"),
        ("yes please", CODE),
        ("8", "how easy"),
    ],
    "nl": [
        ("Hoi, mijn laptop zou voor 12 uur komen en is er nog steeds niet, order {order}",
         "postcode"),
        ("3512 JE", "Zal ik dat regelen?"),
        ("ja graag", CODE),
        ("8", "hoe makkelijk"),
    ],
}  # fmt: skip


def late_laptop(customer: SimulatedCustomer, order: str) -> str:
    """The late-laptop conversation to its end; returns the voucher code the customer was told."""
    code = ""
    for text, expect in LATE_LAPTOP[customer.language]:
        reply = customer.says(text.format(order=order), expect)
        found = CODE.search(reply)
        code = found.group(1) if found else code
    return code


@dataclass
class Crowd:
    """Customers holding conversations at the same time, each on an order of their own."""

    customers: list[SimulatedCustomer]
    orders: list[str]
    codes: dict[str, str] = field(default_factory=dict)  # sender -> voucher code told

    @classmethod
    def of(cls, servers: Sequence[str], orders: Sequence[str]) -> Crowd:
        customers = [
            SimulatedCustomer(servers, language=("en", "nl")[i % 2]) for i in range(len(orders))
        ]
        return cls(customers, list(orders))

    def converse(self, fault: Callable[[], None] | None = None, stagger: float = 0.3) -> None:
        """Every customer has the late-laptop conversation; `fault` runs alongside them."""
        lock = threading.Lock()

        def one(i: int) -> None:
            time.sleep(i * stagger)
            code = late_laptop(self.customers[i], self.orders[i])
            with lock:
                self.codes[self.customers[i].sender] = code

        with ThreadPoolExecutor(len(self.customers) + 1) as pool:
            futures = [pool.submit(one, i) for i in range(len(self.customers))]
            if fault is not None:
                fault()
            for future in futures:
                future.result()

    @property
    def exchanges(self) -> list[Exchange]:
        return [e for c in self.customers for e in c.exchanges]

    def unanswered(self) -> list[Exchange]:
        return [e for e in self.exchanges if not e.answered]

    def apologies_after(self, moment: float) -> list[Exchange]:
        return [e for e in self.exchanges if e.apology and e.sent_at > moment]
