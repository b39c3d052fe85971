"""Errors of the journey store: a budget said no, or the ledger was used wrongly."""

from __future__ import annotations

from herstel.money import Money


class LedgerError(Exception):
    """The ledger refused an operation: unknown id, wrong state, wrong currency, reused key."""


class IdempotencyConflict(LedgerError):
    """An idempotency key was reused for a different gesture."""


class LedgerCurrencyMismatch(LedgerError):
    """A reservation's currency differs from a budget counter's or a limit's."""


class Refused(Exception):
    """The reservation would break a limit of the mandate; nothing was spent."""


class BudgetExceeded(Refused):
    """Granting the gesture would take a budget over its limit; nothing was spent."""

    def __init__(self, budget_key: str, limit: Money, spent: Money, requested: Money) -> None:
        self.budget_key = budget_key
        self.limit = limit
        self.spent = spent
        self.requested = requested
        super().__init__(
            f"budget {budget_key}: {spent} spent of {limit}, {requested} requested does not fit"
        )


class CountExceeded(Refused):
    """Too many of something (treats this month, the customer's complaints) for this gesture."""

    def __init__(self, counted: str, most: int, found: int) -> None:
        self.counted = counted
        self.most = most
        self.found = found
        super().__init__(f"{counted}: {found} with this one, at most {most}")


class CaseDecided(Refused):
    """The case already got its gestures under another decision; it is not compensated twice."""

    def __init__(self, case_id: str, decision: str) -> None:
        self.case_id = case_id
        self.decision = decision
        super().__init__(f"case {case_id} was already decided ({decision})")
