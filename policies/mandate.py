"""A loaded policy: the validated file, its content version, where it came from, its fast form."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from policies.compiled import CompiledMandate, compile_policy
from policies.model import Policy


def policy_version(policy: Policy) -> str:
    """First 12 hex of sha256 over the canonical JSON of the policy.

    Canonical (sorted keys, exact amounts, defaults filled in) so comments and layout do not
    change the version, but any change to what the policy decides does.
    """
    canonical = json.dumps(policy.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:12]


@dataclass(frozen=True, eq=False)
class Mandate:
    policy: Policy
    version: str
    source: str = "<memory>"
    lines: Mapping[tuple[str | int, ...], int] = field(default_factory=dict, repr=False)
    compiled: CompiledMandate = field(init=False, repr=False)

    def __post_init__(self) -> None:
        # Precompute once per load what every decision would otherwise redo.
        object.__setattr__(self, "compiled", compile_policy(self.policy, self.version))

    @classmethod
    def from_policy(
        cls,
        policy: Policy,
        *,
        source: str = "<memory>",
        lines: Mapping[tuple[str | int, ...], int] | None = None,
    ) -> Mandate:
        return cls(policy, policy_version(policy), source, MappingProxyType(dict(lines or {})))

    @property
    def name(self) -> str:
        return self.policy.name

    def line_of(self, *path: str | int) -> int | None:
        """Line in the source file of the deepest existing part of a field path."""
        return line_of(self.lines, path)


def line_of(lines: Mapping[tuple[str | int, ...], int], path: tuple[str | int, ...]) -> int | None:
    """The line of the deepest part of path that exists in the file."""
    for end in range(len(path), -1, -1):
        line = lines.get(path[:end])
        if line is not None:
            return line
    return None
