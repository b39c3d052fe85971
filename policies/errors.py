"""Errors raised while loading or checking a policy file."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a policy file, located as precisely as we can."""

    file: str
    line: int | None
    path: str  # dotted field path, e.g. rules[2].ladder[0].amount
    message: str  # what is wrong and what was expected

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        field = f" {self.path}:" if self.path else ""
        return f"{where}:{field} {self.message}"


class PolicyError(ValueError):
    """A policy file could not be loaded; str() lists every problem, one per line."""

    def __init__(self, problems: list[Problem] | tuple[Problem, ...]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
