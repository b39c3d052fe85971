"""Engine input: the case, the customer's recent history and today's budget usage."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, PlainValidator

from herstel.money import Money
from policies.concepts import CarrierEvidence, Channel, ComplaintType, DamageExtent, Segment

_EMPTY: Mapping[str, Money] = MappingProxyType({})


def _nothing_spent() -> Mapping[str, Money]:
    return _EMPTY  # one shared read-only empty mapping


@dataclass(frozen=True, slots=True)
class History:
    """This customer's recent past, counted by the caller over the mandate's history_days."""

    complaints: int = 0  # previous complaints in the window (this one not included)
    gestures: int = 0  # gestures granted in the window
    given: Money | None = None  # money value of those gestures; None: nothing
    treats_this_month: int = 0  # treats given this calendar month
    window_days: int | None = None  # the window the counts cover, if the caller knows it


@dataclass(frozen=True, slots=True)
class BudgetUsage:
    """What is already spent today and this month, read from the budget store."""

    day_spent: Money | None = None
    month_spent: Money | None = None
    day_by_kind: Mapping[str, Money] = field(default_factory=_nothing_spent)  # kind -> spent
    month_by_kind: Mapping[str, Money] = field(default_factory=_nothing_spent)


NO_HISTORY = History()
NO_USAGE = BudgetUsage()


@dataclass(frozen=True, slots=True)
class Case:
    """One recovery moment as the engine sees it. Money is in the policy's currency."""

    complaint: ComplaintType
    order_value: Money
    segment: Segment = Segment.REGULAR
    channel: Channel = Channel.WEBCHAT
    evidence: CarrierEvidence = CarrierEvidence.UNKNOWN
    hours_late: float | None = None
    damage: DamageExtent | None = None
    item_value: Money | None = None  # what a replacement costs; None: the order value
    shipping_paid: Money | None = None  # what a shipping refund costs; None: policy default
    given_on_order: Money | None = None  # already given on this order
    demand: Money | None = None  # what the customer asked for, if they named an amount
    history: History = NO_HISTORY
    budget: BudgetUsage = NO_USAGE
    case_id: str | None = None


def parse_money(value: Any) -> Money:
    """Money from JSON: {"minor": 1250, "currency": "EUR"}, "12.50", "12.50 EUR" or 12.5."""
    if isinstance(value, Money):
        return value
    if isinstance(value, dict):
        minor, currency = value.get("minor"), value.get("currency", "EUR")
        known = 1 + ("currency" in value)
        if len(value) != known or type(minor) is not int or type(currency) is not str:
            raise ValueError('expected {"minor": <int>, "currency": "EUR"}')
        return Money(minor, currency)
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"expected an amount like 12.50, got {value!r}")
    amount, _, currency = str(value).strip().partition(" ")
    try:
        return Money.of(amount, currency.strip() or "EUR")
    except (ArithmeticError, ValueError):
        raise ValueError(f"expected an amount like 12.50, got {value!r}") from None


MoneyJson = Annotated[
    Money,
    PlainValidator(parse_money),
    PlainSerializer(lambda m: {"minor": m.minor, "currency": m.currency}, return_type=dict),
]


class _Input(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class HistoryInput(_Input):
    complaints: int = Field(default=0, ge=0)
    gestures: int = Field(default=0, ge=0)
    given: MoneyJson | None = None
    treats_this_month: int = Field(default=0, ge=0)
    window_days: int | None = Field(default=None, ge=1)


class BudgetInput(_Input):
    day_spent: MoneyJson | None = None
    month_spent: MoneyJson | None = None
    day_by_kind: dict[str, MoneyJson] = {}
    month_by_kind: dict[str, MoneyJson] = {}


class CaseInput(_Input):
    """A case as JSON (explain --case FILE.json, the bot's action server)."""

    complaint: ComplaintType
    order_value: MoneyJson
    segment: Segment = Segment.REGULAR
    channel: Channel = Channel.WEBCHAT
    evidence: CarrierEvidence = CarrierEvidence.UNKNOWN
    hours_late: float | None = Field(default=None, ge=0)
    damage: DamageExtent | None = None
    item_value: MoneyJson | None = None
    shipping_paid: MoneyJson | None = None
    given_on_order: MoneyJson | None = None
    demand: MoneyJson | None = None
    history: HistoryInput = HistoryInput()
    budget: BudgetInput = BudgetInput()
    case_id: str | None = None

    def to_case(self) -> Case:
        values = {name: getattr(self, name) for name in type(self).model_fields}
        h = self.history  # by attribute: model_dump would turn its Money into JSON
        values["history"] = History(
            h.complaints, h.gestures, h.given, h.treats_this_month, h.window_days
        )
        values["budget"] = BudgetUsage(
            self.budget.day_spent,
            self.budget.month_spent,
            MappingProxyType(dict(self.budget.day_by_kind)),
            MappingProxyType(dict(self.budget.month_by_kind)),
        )
        return Case(**values)


def case_to_json(case: Case) -> dict[str, Any]:
    """The case as CaseInput reads it back: what the engine decided on, for a replay."""
    values: dict[str, Any] = {name: getattr(case, name) for name in CaseInput.model_fields}
    h, b = case.history, case.budget
    values["history"] = HistoryInput(
        complaints=h.complaints,
        gestures=h.gestures,
        given=h.given,
        treats_this_month=h.treats_this_month,
        window_days=h.window_days,
    )
    values["budget"] = BudgetInput(
        day_spent=b.day_spent,
        month_spent=b.month_spent,
        day_by_kind=dict(b.day_by_kind),
        month_by_kind=dict(b.month_by_kind),
    )
    return CaseInput(**values).model_dump(mode="json", exclude_none=True)
