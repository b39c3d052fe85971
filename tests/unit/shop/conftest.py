"""A recorded-shape Shopify order and a scripted stand-in for the GraphQL client."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "shopify" / "order.json"
Answer = dict[str, Any] | Callable[[dict[str, Any]], dict[str, Any]] | Exception


@pytest.fixture
def order_node() -> dict[str, Any]:
    return copy.deepcopy(json.loads(FIXTURE.read_text(encoding="utf-8")))


class ScriptedClient:
    """Answers each operation from a script (data, a function of the variables, or an error)
    and records every call, as ShopifyClient.execute would be called."""

    def __init__(self, answers: dict[str, list[Answer]]) -> None:
        self.answers = answers
        self.calls: list[tuple[str, dict[str, Any], bool]] = []

    async def execute(
        self, operation: str, document: str, variables: dict[str, Any], *, repeatable: bool = True
    ) -> dict[str, Any]:
        self.calls.append((operation, copy.deepcopy(variables), repeatable))
        script = self.answers.get(operation)
        if not script:
            raise AssertionError(f"unexpected call {operation}")
        answer = script.pop(0) if len(script) > 1 else script[0]
        if isinstance(answer, Exception):
            raise answer
        return answer(variables) if callable(answer) else copy.deepcopy(answer)

    def operations(self) -> list[str]:
        return [operation for operation, _, _ in self.calls]
