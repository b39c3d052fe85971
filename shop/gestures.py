"""What the shop does to make things right, and the results it returns."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from herstel.money import Money


@dataclass(frozen=True, slots=True)
class VoucherIssued:
    code: str
    amount: Money
    valid_until: datetime


@dataclass(frozen=True, slots=True)
class ReplacementCreated:
    replacement_order: str
    keep_damaged: bool
    expected_delivery: datetime


@dataclass(frozen=True, slots=True)
class RefundMade:
    reference: str
    amount: Money


@dataclass(frozen=True, slots=True)
class TreatAdded:
    reference: str
    description: str


ShopResult = VoucherIssued | ReplacementCreated | RefundMade | TreatAdded
