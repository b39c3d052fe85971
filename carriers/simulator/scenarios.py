"""The simulator's scenario file: one story per tracking number, times relative to its clock."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from herstel.reltime import parse_offset

DEFAULT_SCENARIOS = Path(__file__).with_name("scenarios.yml")

State = Literal[
    "announced",
    "received",
    "sorted",
    "in_transit",
    "delayed",
    "out_for_delivery",
    "attempt_failed",
    "at_pickup_point",
    "delivered",
    "returned",
    "lost",
]
Behaviour = Literal["normal", "not_found", "rate_limited", "slow", "server_error"]


class ScenarioFileError(ValueError):
    """The scenario file is missing, not YAML, or does not fit the schema."""


def _offset(value: Any) -> timedelta:
    if not isinstance(value, str):
        raise ValueError(f"a relative time is a quoted string like '-3h', got {value!r}")
    return timedelta(0) if value.strip() == "now" else parse_offset(value)


Offset = Annotated[timedelta, BeforeValidator(_offset)]
TrackingNumber = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{8,40}$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Event(_Strict):
    at: Offset
    state: State
    description: str | None = None  # replaces the carrier's usual wording for this state
    location: str | None = None  # shown by DHL; PostNL events carry no place names


class Window(_Strict):
    start: Offset = Field(alias="from")
    end: Offset = Field(alias="to")

    @model_validator(mode="after")
    def _ordered(self) -> Window:
        if self.end < self.start:
            raise ValueError("expected_window ends before it starts")
        return self


class PickupPoint(_Strict):
    name: str
    street: str
    house_number: str
    postcode: str
    city: str

    @property
    def label(self) -> str:
        return f"{self.name}, {self.street} {self.house_number}, {self.city}"


class Scenario(_Strict):
    carrier: Literal["postnl", "dhl"]
    story: str = ""
    behaviour: Behaviour = "normal"
    promised_by: Offset | None = None  # the shop's promise, for readers; never served
    expected_window: Window | None = None
    pickup_point: PickupPoint | None = None
    delay_seconds: float = Field(default=30.0, ge=0)
    events: tuple[Event, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        if self.behaviour in ("normal", "slow") and not self.events:
            raise ValueError(f"behaviour {self.behaviour!r} needs at least one event")
        times = [event.at for event in self.events]
        if times != sorted(times):
            raise ValueError("events must be in time order, oldest first")
        if self.events and self.current.state == "at_pickup_point" and not self.pickup_point:
            raise ValueError("a parcel at a pick-up point needs pickup_point")
        return self

    @property
    def current(self) -> Event:
        return self.events[-1]


class ScenarioFile(_Strict):
    shipments: dict[TrackingNumber, Scenario]


def load_scenarios(path: Path | str = DEFAULT_SCENARIOS) -> dict[str, Scenario]:
    """Read and validate a scenario file; any problem names the tracking number and field."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
        # A generated demo world is JSON (quick at scale); its parcel stories are "shipments".
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
        if path.suffix == ".json" and isinstance(data, dict):
            data = {"shipments": data.get("shipments", {})}
    except OSError as exc:
        raise ScenarioFileError(f"{path}: cannot read scenario file: {exc}") from exc
    except (yaml.YAMLError, ValueError) as exc:
        raise ScenarioFileError(f"{path}: not valid YAML: {exc}") from exc
    try:
        return dict(ScenarioFile.model_validate(data).shipments)
    except ValidationError as exc:
        raise ScenarioFileError(_describe(path, exc)) from exc


def _describe(path: Path, exc: ValidationError) -> str:
    lines = [f"{path}: {exc.error_count()} problem(s) in the scenario file:"]
    for error in exc.errors():
        where = ".".join(str(part) for part in error["loc"]) or "(top level)"
        lines.append(f"  {where}: {error['msg']}")
    return "\n".join(lines)


class ScenarioBook(Mapping[str, Scenario]):
    """The scenario file's stories plus a demo world's, which may appear or change while the
    simulator runs (`herstel demo seed`); the world file is looked at at most once a second."""

    def __init__(self, base: dict[str, Scenario], world: Path | None = None) -> None:
        self._base = base
        self._world = world
        self._stamp: float | None = None
        self._checked = 0.0
        self._all = dict(base)

    def _fresh(self) -> dict[str, Scenario]:
        if self._world is None or time.monotonic() - self._checked < 1.0:
            return self._all
        self._checked = time.monotonic()
        stamp = self._world.stat().st_mtime if self._world.exists() else None
        if stamp != self._stamp:
            self._stamp = stamp
            world = load_scenarios(self._world) if stamp is not None else {}
            self._all = {**self._base, **world}
        return self._all

    def __getitem__(self, number: str) -> Scenario:
        return self._fresh()[number]

    def __iter__(self) -> Iterator[str]:
        return iter(self._fresh())

    def __len__(self) -> int:
        return len(self._fresh())
