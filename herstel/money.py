"""Exact money: integer minor units with an ISO 4217 currency."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

_MINOR_DIGITS = {"EUR": 2, "USD": 2, "GBP": 2, "JPY": 0}


class CurrencyMismatch(ValueError):
    """Two amounts in different currencies were combined."""


@dataclass(frozen=True, order=False, slots=True)
class Money:
    minor: int
    currency: str = "EUR"

    def __post_init__(self) -> None:
        if not isinstance(self.minor, int) or isinstance(self.minor, bool):
            raise TypeError(f"Money.minor must be an int, got {type(self.minor).__name__}")
        if self.currency not in _MINOR_DIGITS:
            raise ValueError(f"unsupported currency {self.currency!r}")

    @classmethod
    def of(cls, amount: str | int | Decimal, currency: str = "EUR") -> Money:
        """Build from a decimal amount in major units, e.g. Money.of("12.50")."""
        digits = _MINOR_DIGITS.get(currency)
        if digits is None:
            raise ValueError(f"unsupported currency {currency!r}")
        value = Decimal(str(amount)) * (10**digits)
        if value != value.to_integral_value():
            raise ValueError(f"{amount} has more precision than {currency} allows")
        return cls(int(value), currency)

    @classmethod
    def zero(cls, currency: str = "EUR") -> Money:
        return cls(0, currency)

    @property
    def amount(self) -> Decimal:
        return Decimal(self.minor).scaleb(-_MINOR_DIGITS[self.currency])

    def _same(self, other: Money) -> None:
        if self.currency != other.currency:
            raise CurrencyMismatch(f"{self.currency} vs {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.minor + other.minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.minor - other.minor, self.currency)

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.minor < other.minor

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.minor <= other.minor

    def __gt__(self, other: Money) -> bool:
        self._same(other)
        return self.minor > other.minor

    def __ge__(self, other: Money) -> bool:
        self._same(other)
        return self.minor >= other.minor

    def percent(self, pct: Decimal | int) -> Money:
        """pct percent of this amount, rounded half-even to the minor unit."""
        value = (Decimal(self.minor) * Decimal(pct) / 100).quantize(Decimal(1), ROUND_HALF_EVEN)
        return Money(int(value), self.currency)

    def min(self, other: Money) -> Money:
        return self if self <= other else other

    def format(self, language: str = "en") -> str:
        """Human form: €10, €12.50 (en) or €10, €12,50 (nl)."""
        symbol = {"EUR": "€", "USD": "$", "GBP": "£"}.get(self.currency, self.currency + " ")
        amount = self.amount
        text = f"{amount:,.0f}" if amount == amount.to_integral_value() else f"{amount:,.2f}"
        if language == "nl":
            text = text.replace(",", "_").replace(".", ",").replace("_", ".")
        return f"{symbol}{text}"

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"
