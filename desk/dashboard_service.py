"""What the CX dashboard shows, and a draft mandate replayed on the recorded moments.

No web code here: the desk's routes pass requests in and answers out. The numbers come from
`journeys.report.build_report` (as `herstel journeys report` prints them), the replay from
`policies.simulate.compare` (as `herstel policies simulate` prints it).
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncEngine

from herstel.clock import Clock
from herstel.money import Money
from journeys.ledger import GestureLedger
from journeys.moments import MomentStore
from journeys.outbox import Outbox
from journeys.periods import spec_for
from journeys.report import build_report
from policies import Level, Mandate, PolicyError, load_mandate_text
from policies.checks import verdict
from policies.replay import RecoveryRecord
from policies.simulate import compare
from recovery.granting import budget_limits

# The four quadrants of docs/scores.md, the moments of truth first.
QUADRANTS = ("fix_first", "amplify", "improve", "overserving")
RECENT = 10
# The latest moments are looked for in the last day first, then further back.
RECENT_WINDOWS = (timedelta(days=1), timedelta(days=7), timedelta(days=30))
DRAFT_SOURCE = "draft"
# Per recent moment: what a CX manager reads; pseudonymous ids only, no agent ids, no codes.
RECENT_FIELDS = (
    "case_id",
    "customer_id",
    "occurred_at",
    "complaint_type",
    "channel",
    "language",
    "decided_by",
    "mandate_version",
    "effectiveness",
    "ease",
    "emotion",
    "recovery_score",
    "uplift",
    "csat",
    "ces",
    "nps",
)


class DraftRejected(ValueError):
    """The draft does not pass `herstel policies check`; errors as the checker words them."""

    def __init__(self, errors: list[str], warnings: list[str] | None = None) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors
        self.warnings = warnings or []


class ReplayBusy(RuntimeError):
    """A replay is already running; one at a time keeps the desk responsive."""


@dataclass(frozen=True, slots=True)
class Draft:
    mandate: Mandate
    warnings: list[str]


def check_draft(text: str) -> Draft:
    """Load and check a draft as `herstel policies check` does; DraftRejected on errors."""
    found = verdict(lambda: load_mandate_text(text, source=DRAFT_SOURCE))
    if found.errors or found.mandate is None:
        raise DraftRejected(found.errors, found.warnings)
    return Draft(found.mandate, found.warnings)


class DashboardService:
    def __init__(
        self,
        engine: AsyncEngine,
        mandate: Mandate,
        policy_file: Path,
        clock: Clock,
        *,
        outbox: Outbox | None = None,
    ) -> None:
        self._moments = MomentStore(engine)
        self._engine = engine
        self._ledger = GestureLedger(engine, clock)
        self._mandate = mandate
        self._policy_file = policy_file
        self._clock = clock
        self._outbox = outbox
        self._replaying = asyncio.Lock()

    async def report(self, period: timedelta | None = None) -> dict[str, Any]:
        """Scores, moments of truth, cost and budgets, the latest moments; period: look-back."""
        now = self._clock.now()
        since = now - period if period is not None else None
        report = await build_report(self._engine, since)
        moments = report["recovery_moments"]
        return {
            "generated_at": now.isoformat(),
            "since": report["since"],
            "empty": moments["overall"]["moments"] == 0 and report["journeys"]["journeys"] == 0,
            "mandate": {"name": self._mandate.name, "version": self._mandate.version},
            "thresholds": report["thresholds"],
            "recovery_moments": moments,
            "journeys": report["journeys"],
            "moments_of_truth": report["moments_of_truth"],
            "quadrants": quadrants(report["moments_of_truth"]),
            "budgets": await self._budgets(now),
            "recent": await self._recent(now, since),
            "outbox": await self._outbox.pending() if self._outbox else 0,
        }

    async def _budgets(self, now: datetime) -> dict[str, Any]:
        """The mandate's day and month budgets and what the ledger says is spent of them."""
        limits = [x for x in budget_limits(self._mandate, Level.BOT) if x.scope in ("day", "month")]
        usage = await self._ledger.usage(now, limits)
        lines = []
        for limit in limits:
            line = usage.lines[spec_for(limit, now, None).key]
            lines.append(
                {
                    "period": limit.scope,
                    "kind": limit.kind or "overall",
                    "limit": money(line.limit),
                    "spent": money(line.spent),
                    "remaining": money(line.remaining),
                    "used": line.spent.minor / line.limit.minor if line.limit.minor else None,
                }
            )
        over = self._mandate.policy.budgets.over_budget
        return {"lines": lines, "over_budget": over.value if over else None}

    async def _recent(self, now: datetime, since: datetime | None) -> list[dict[str, Any]]:
        """The latest moments, newest first: the export read over a short window, widened
        until enough are found (the export reads oldest first)."""
        latest: deque[dict[str, Any]] = deque(maxlen=RECENT)
        for window in RECENT_WINDOWS:
            start = now - window if since is None else max(now - window, since)
            latest.clear()
            async for line in self._moments.export(start):
                latest.append(line)
            if len(latest) == RECENT or (since is not None and start == since):
                break
        return [recent_view(line) for line in reversed(latest)]

    async def mandate(self) -> dict[str, Any]:
        """The mandate in force, and its file's text to start a draft from."""
        text = await asyncio.to_thread(_read_text, self._policy_file)
        in_file = None
        if text is not None:
            try:
                in_file = load_mandate_text(text, source=str(self._policy_file)).version
            except PolicyError:
                in_file = None
        return {
            "name": self._mandate.name,
            "version": self._mandate.version,
            "file": self._policy_file.name,
            "text": text,
            "file_version": in_file,  # differs from version when the file changed since start
        }

    async def simulate(self, draft_text: str, period: timedelta | None = None) -> dict[str, Any]:
        """Replay the recorded moments under the mandate in force and the draft.

        Raises DraftRejected (nothing replayed) when the draft fails the check, ReplayBusy
        while another replay runs.
        """
        if self._replaying.locked():
            raise ReplayBusy("a replay is already running")
        async with self._replaying:
            draft = await asyncio.to_thread(check_draft, draft_text)
            since = self._clock.now() - period if period is not None else None
            records, skipped = await self._records(since)
            try:
                result = await asyncio.to_thread(compare, records, draft.mandate, self._mandate)
            except ValueError as exc:  # e.g. the draft is in another currency
                raise DraftRejected([f"{DRAFT_SOURCE}: error: {exc}"], draft.warnings) from None
        result["source"] = "journey store"
        result["since"] = since.isoformat() if since else None
        result["skipped"] = skipped
        result["warnings"] = draft.warnings
        return result

    async def _records(self, since: datetime | None) -> tuple[list[RecoveryRecord], dict[str, Any]]:
        """The recorded moments as `herstel policies simulate` reads them, in time order."""
        records: list[RecoveryRecord] = []
        skipped = 0
        reason = None
        async for line in self._moments.export(since):
            try:
                records.append(RecoveryRecord.model_validate(line))
            except ValidationError as exc:  # e.g. a moment recorded without an order value
                skipped += 1
                first = exc.errors(include_url=False)[0]
                reason = reason or f"{'.'.join(map(str, first['loc']))}: {first['msg']}"
        records.sort(key=lambda r: r.occurred_at)  # budgets fill up in time order
        return records, {"moments": skipped, "first_reason": reason}


def quadrants(truths: Iterable[Mapping[str, Any]]) -> dict[str, list[Mapping[str, Any]]]:
    """Touchpoint types per quadrant; "unknown" holds those with too few NPS answers."""
    placed: dict[str, list[Mapping[str, Any]]] = {q: [] for q in (*QUADRANTS, "unknown")}
    for truth in truths:
        placed.setdefault(truth["quadrant"], []).append(truth)
    return placed


def recent_view(line: Mapping[str, Any]) -> dict[str, Any]:
    """One exported moment as the dashboard lists it: no agent id, no voucher codes."""
    currency = line["amount"]["currency"]
    view = {name: line.get(name) for name in RECENT_FIELDS}
    view["amount"] = money(Money(line["amount"]["minor"], currency))
    view["gestures"] = [
        {"kind": g["kind"], "amount": money(Money(g["amount_minor"], currency))}
        for g in line["gestures"]
    ]
    return view


def money(value: Money) -> dict[str, Any]:
    """Exact money for the page: minor units, currency, and the text to show."""
    return {"minor": value.minor, "currency": value.currency, "text": value.format()}


def _read_text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
