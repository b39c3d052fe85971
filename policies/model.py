"""The policy file schema: frozen pydantic models that reject unknown fields."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    ValidationInfo,
    field_validator,
    model_validator,
)

from herstel.money import Money
from policies.concepts import (
    CarrierEvidence,
    Channel,
    ComplaintType,
    DamageExtent,
    Fact,
    GestureKind,
    Level,
    Segment,
)


def _to_money(value: Any, info: ValidationInfo) -> Money:
    """Amounts are written in the policy's currency: 12.50, "12.50" or 12."""
    currency = (info.context or {}).get("currency", "EUR")
    if isinstance(value, Money):
        if value.currency != currency:
            raise ValueError(f"expected an amount in {currency}, got {value.currency}")
        money = value
    elif isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        raise ValueError(f"expected an amount like 12.50, got {value!r}")
    else:
        text = repr(value) if isinstance(value, float) else str(value).strip()
        try:
            money = Money.of(text, currency)
        except (ArithmeticError, ValueError):
            raise ValueError(
                f"expected an amount like 12.50 (at most cents, {currency}), got {value!r}"
            ) from None
    if money.minor < 0:
        raise ValueError(f"expected an amount of zero or more, got {value!r}")
    return money


Amount = Annotated[
    Money,
    PlainValidator(_to_money),
    PlainSerializer(lambda m: str(m.amount), return_type=str),
]
Percent = Annotated[Decimal, Field(gt=0, le=100)]


def _one_or_many(value: Any) -> Any:
    # CX managers may write `complaint: late_delivery` for a list of one.
    return [value] if isinstance(value, str) else value


_OneOrMany = BeforeValidator(_one_or_many)
Complaints = Annotated[tuple[ComplaintType, ...], _OneOrMany]
Damages = Annotated[tuple[DamageExtent, ...], _OneOrMany]
Segments = Annotated[tuple[Segment, ...], _OneOrMany]
Channels = Annotated[tuple[Channel, ...], _OneOrMany]
Evidences = Annotated[tuple[CarrierEvidence, ...], _OneOrMany]
Facts = Annotated[tuple[Fact, ...], _OneOrMany]


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class _Range(_Strict):
    """A range with words instead of min/max, so the edges are never ambiguous."""

    @model_validator(mode="after")
    def _one_bound_each_side(self) -> _Range:
        values = self.model_dump()
        if values["at_least"] is not None and values["more_than"] is not None:
            raise ValueError("use either at_least or more_than, not both")
        if values["at_most"] is not None and values["less_than"] is not None:
            raise ValueError("use either at_most or less_than, not both")
        if all(v is None for v in values.values()):
            raise ValueError("expected at least one of at_least, more_than, at_most, less_than")
        return self


class HoursRange(_Range):
    at_least: float | None = None
    more_than: float | None = None
    at_most: float | None = None
    less_than: float | None = None


class MoneyRange(_Range):
    at_least: Amount | None = None
    more_than: Amount | None = None
    at_most: Amount | None = None
    less_than: Amount | None = None


class Match(_Strict):
    """What a case must look like for a rule to apply; a missing key matches anything."""

    complaint: Complaints | None = None
    # "unknown": the carrier gave no facts to measure lateness by.
    hours_late: HoursRange | Literal["unknown"] | None = None
    damage: Damages | None = None
    order_value: MoneyRange | None = None
    segment: Segments | None = None
    channel: Channels | None = None
    evidence: Evidences | None = None
    max_previous_complaints: Annotated[int, Field(ge=0)] | None = None
    active_from: date | None = None
    active_until: date | None = None


class _Gesture(_Strict):
    level: Level
    unasked: bool = False  # offer proactively, without waiting for the customer to ask
    note: str | None = None  # shown to agents, never to customers


class Apology(_Gesture):
    kind: Literal["apology"]
    level: Level = Level.BOT
    unasked: bool = True  # we always say sorry first
    facts: Facts = ()


class ShippingRefund(_Gesture):
    kind: Literal["shipping_refund"]
    max: Amount | None = None  # above this the gesture needs the next level


class Voucher(_Gesture):
    kind: Literal["voucher"]
    amount: Amount | None = None
    percent: Percent | None = None  # of the order value
    max: Amount | None = None  # with percent: the voucher never exceeds this

    @model_validator(mode="after")
    def _amount_or_percent(self) -> Voucher:
        if (self.amount is None) == (self.percent is None):
            raise ValueError("a voucher needs either amount or percent (with max)")
        if self.percent is not None and self.max is None:
            raise ValueError("a percent voucher needs a max")
        if self.amount is not None and self.max is not None:
            raise ValueError("a fixed voucher has no max: its amount is its value")
        return self


class Replacement(_Gesture):
    kind: Literal["replacement"]
    keep_damaged: bool = False  # the customer keeps the damaged item (no return trip)
    max: Amount | None = None  # above this item value the gesture needs the next level


class PartialRefund(_Gesture):
    kind: Literal["partial_refund"]
    percent: Percent
    max: Amount


class FullRefund(_Gesture):
    kind: Literal["full_refund"]
    max: Amount | None = None  # above this order value the gesture needs the next level


class Treat(_Gesture):
    kind: Literal["treat"]
    item: str = Field(min_length=1)
    value: Amount
    monthly_limit: Annotated[int, Field(ge=1)] | None = None  # per customer


Gesture = Annotated[
    Apology | ShippingRefund | Voucher | Replacement | PartialRefund | FullRefund | Treat,
    Field(discriminator="kind"),
]


class Rule(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    description: str | None = None
    match: Match = Match()
    ladder: tuple[Gesture, ...] = Field(min_length=1)
    escalate: bool = False  # hand the case to a human even when the bot may grant something


class Escalation(_Strict):
    """Cases a person decides whatever rule matches (a lost parcel, a high-value order)."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    description: str | None = None
    match: Match


class LevelCaps(_Strict):
    per_gesture: dict[GestureKind, Amount] = {}  # the most one gesture of a kind may cost
    per_order: Amount | None = None  # total given on one order, this gesture included
    per_customer: Amount | None = None  # total given to one customer within history_days


class Levels(_Strict):
    bot: LevelCaps
    agent: LevelCaps
    lead: LevelCaps = LevelCaps()  # no caps unless stated


BudgetScope = Literal[
    "overall",
    "shipping_refund",
    "voucher",
    "replacement",
    "partial_refund",
    "full_refund",
    "treat",
]


class Budgets(_Strict):
    day: dict[BudgetScope, Amount] = {}
    month: dict[BudgetScope, Amount] = {}
    over_budget: Level | None = None  # who may still grant once a budget is spent; none: nobody


class Policy(_Strict):
    """A whole policy file."""

    name: str = Field(min_length=1)
    description: str | None = None
    currency: str = "EUR"
    history_days: Annotated[int, Field(ge=1)] = 30
    shipping_fee: Amount  # what a case's shipping refund costs when the case does not say
    levels: Levels
    budgets: Budgets = Budgets()
    # Checked on every case besides its rule: any that fits hands the case to a person, who
    # then sees the rule's ladder as suggestions.
    escalate_when: tuple[Escalation, ...] = ()
    rules: tuple[Rule, ...] = Field(min_length=1)

    @field_validator("currency")
    @classmethod
    def _known_currency(cls, value: str) -> str:
        try:
            Money.zero(value)
        except ValueError:
            raise ValueError(f"expected a currency code like EUR, got {value!r}") from None
        return value

    @field_validator("rules", "escalate_when")
    @classmethod
    def _unique_ids(
        cls, items: tuple[Rule | Escalation, ...], info: ValidationInfo
    ) -> tuple[Rule | Escalation, ...]:
        what = "rule id" if info.field_name == "rules" else "id"
        seen: set[str] = set()
        for item in items:
            if item.id in seen:
                raise ValueError(f"{what} {item.id!r} is used twice; ids must be unique")
            seen.add(item.id)
        return items


def money_context(data: Any) -> dict[str, str]:
    """Validation context: amounts are parsed in the file's currency (EUR if unreadable)."""
    currency = data.get("currency") if isinstance(data, dict) else None
    try:
        Money.zero(currency)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        currency = "EUR"
    return {"currency": str(currency)}


__all__ = [
    "Amount",
    "Apology",
    "Budgets",
    "Escalation",
    "FullRefund",
    "Gesture",
    "HoursRange",
    "LevelCaps",
    "Levels",
    "Match",
    "MoneyRange",
    "PartialRefund",
    "Policy",
    "Replacement",
    "Rule",
    "ShippingRefund",
    "Treat",
    "Voucher",
    "money_context",
]
