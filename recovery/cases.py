"""A case is a failure, not a conversation: one order's complaint (and order line, where the
complaint is about one item). Every conversation about it, on any channel, joins the same case,
and every idempotency key derives from the case id."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from policies import ComplaintType
from shop.model import OrderLine

MAX_CASE_ID = 64  # the journey store's case_id columns
_PLAIN = re.compile(r"[A-Za-z0-9._#/-]+")
# Complaints about one item of the order: each item is its own failure.
_PER_LINE = {ComplaintType.DAMAGED_PRODUCT, ComplaintType.WRONG_ITEM, ComplaintType.MISSING_ITEM}


class CaseState(StrEnum):
    OPEN = "open"  # verified and being looked at: nothing offered or decided yet
    OFFERED = "offered"  # the bot put an offer to the customer
    GRANTED = "granted"  # a gesture was carried out (by the bot or a person)
    WITH_PERSON = "with_person"  # handed to a person, who has not decided yet
    CLOSED = "closed"  # settled without a gesture: the facts were the answer, or a person closed it


def case_key(order_number: str, complaint: ComplaintType, line: OrderLine | None = None) -> str:
    """The case id: readable where the parts allow ('100482:late_delivery'), hashed otherwise."""
    parts = [order_number, complaint.value]
    if complaint in _PER_LINE and line is not None:
        parts.append(line.sku)
    key = ":".join(parts)
    if len(key) <= MAX_CASE_ID and all(_PLAIN.fullmatch(p) for p in parts):
        return key
    digest = hashlib.blake2b(key.encode(), digest_size=16, person=b"herstel-case").hexdigest()
    return f"case:{digest}"


@dataclass(frozen=True, slots=True)
class Failure:
    """What a case is about."""

    case_id: str
    order_number: str
    customer_id: str
    complaint: ComplaintType
    line_sku: str | None = None


@dataclass(frozen=True, slots=True)
class Where:
    """The conversation the customer is on now."""

    conversation_id: str  # the channel's sender id (a phone number on WhatsApp): never logged
    channel: str
    language: str


@dataclass(frozen=True, slots=True)
class CaseRecord:
    case_id: str
    order_number: str
    customer_id: str
    complaint: ComplaintType
    line_sku: str | None
    state: CaseState
    where: Where
    conversations: int  # how many conversations joined the case, the first included
    opened_at: datetime
    updated_at: datetime
    closed_by: str | None = None  # "bot" or "agent:U123"
    close_reason: str | None = None
    moment_revision: int = 0  # the revision of the case's latest recovery moment


class CaseStore(Protocol):
    """Where cases are kept (journeys/cases.py on the journey store)."""

    async def open(self, failure: Failure, where: Where, now: datetime) -> tuple[CaseRecord, bool]:
        """The case, created if new; it now points at `where`. True: it existed (joined)."""
        ...

    async def get(self, case_id: str) -> CaseRecord | None: ...

    async def move(
        self,
        case_id: str,
        state: CaseState,
        now: datetime,
        *,
        closed_by: str | None = None,
        reason: str | None = None,
        new_moment: bool = False,
    ) -> CaseRecord | None:
        """Set the state (a granted case stays granted) and, with new_moment, count up the
        revision of its recovery moment (in moment_revision); None: no such case."""
        ...

    async def complaints(self, customer_id: str, since: datetime, other_than: str) -> int:
        """The customer's other cases opened since then."""
        ...
