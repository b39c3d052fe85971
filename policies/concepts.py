"""The words of the mandate: complaint types, severities, segments, levels, gesture kinds."""

from __future__ import annotations

from enum import StrEnum


class ComplaintType(StrEnum):
    LATE_DELIVERY = "late_delivery"
    DAMAGED_PRODUCT = "damaged_product"
    WRONG_ITEM = "wrong_item"
    MISSING_ITEM = "missing_item"
    OTHER = "other"


class DamageExtent(StrEnum):
    COSMETIC = "cosmetic"
    PARTIAL = "partial"
    UNUSABLE = "unusable"


class Segment(StrEnum):
    NEW = "new"
    REGULAR = "regular"
    VIP = "vip"


class Channel(StrEnum):
    WEBCHAT = "webchat"
    WHATSAPP = "whatsapp"


class CarrierEvidence(StrEnum):
    DELIVERED = "delivered"
    DELIVERED_BUT_MISSING = "delivered_but_missing"  # carrier says delivered, customer says no
    LOST = "lost"
    IN_TRANSIT = "in_transit"
    DELAYED = "delayed"
    OUT_FOR_DELIVERY = "out_for_delivery"
    UNKNOWN = "unknown"


class GestureKind(StrEnum):
    APOLOGY = "apology"
    SHIPPING_REFUND = "shipping_refund"
    VOUCHER = "voucher"
    REPLACEMENT = "replacement"
    PARTIAL_REFUND = "partial_refund"
    FULL_REFUND = "full_refund"
    TREAT = "treat"


# Kinds that put money (or shop credit) in the customer's hands: what a money demand can pick.
MONEY_KINDS = frozenset(
    {
        GestureKind.SHIPPING_REFUND,
        GestureKind.VOUCHER,
        GestureKind.PARTIAL_REFUND,
        GestureKind.FULL_REFUND,
    }
)


class Fact(StrEnum):
    """Facts an apology should state, so it is concrete rather than generic."""

    CARRIER_STATUS = "carrier_status"
    DELIVERY_WINDOW = "delivery_window"
    HOURS_LATE = "hours_late"
    DAMAGE = "damage"
    NEXT_STEP = "next_step"


class Level(StrEnum):
    """Who may grant: bot < agent < lead. Compare with <, <= (by rank, not by spelling)."""

    BOT = "bot"
    AGENT = "agent"
    LEAD = "lead"

    @property
    def rank(self) -> int:
        return _RANK[self]

    def __lt__(self, other: object) -> bool:
        return self.rank < Level(other).rank  # type: ignore[arg-type]

    def __le__(self, other: object) -> bool:
        return self.rank <= Level(other).rank  # type: ignore[arg-type]

    def __gt__(self, other: object) -> bool:
        return self.rank > Level(other).rank  # type: ignore[arg-type]

    def __ge__(self, other: object) -> bool:
        return self.rank >= Level(other).rank  # type: ignore[arg-type]


_RANK = {Level.BOT: 0, Level.AGENT: 1, Level.LEAD: 2}
LEVELS: tuple[Level, ...] = (Level.BOT, Level.AGENT, Level.LEAD)  # by rank
