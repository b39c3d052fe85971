"""Errors of the journey store: a budget said no, or the ledger was used wrongly."""

from __future__ import annotations

from herstel.money import Money


class LedgerError(Exception):
    """The ledger refused an operation: unknown id, wrong state, wrong currency, reused key."""


class IdempotencyConflict(LedgerError):
    """An idempotency key was reused for a different gesture."""


class LedgerCurrencyMismatch(LedgerError):
    """A reservation's currency differs from a budget counter's or a limit's."""


class BudgetExceeded(Exception):
    """Granting the gesture would take a budget over its limit; nothing was spent."""

    def __init__(self, budget_key: str, limit: Money, spent: Money, requested: Money) -> None:
        self.budget_key = budget_key
        self.limit = limit
        self.spent = spent
        self.requested = requested
        super().__init__(
            f"budget {budget_key}: {spent} spent of {limit}, {requested} requested does not fit"
        )
