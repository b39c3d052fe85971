"""Carrier wrappers: a short per-parcel cache and a circuit breaker, both still a Carrier."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

from carriers.errors import CarrierError, CarrierUnavailable
from carriers.model import Carrier, Shipment
from herstel.clock import Clock

log = logging.getLogger(__name__)


class CachedCarrier:
    """Remembers each answer for a short while so one conversation spends one lookup.

    Errors are not cached, and concurrent lookups of one parcel share one call.
    """

    def __init__(
        self, inner: Carrier, *, ttl_seconds: float = 60.0, clock: Clock, max_entries: int = 1024
    ) -> None:
        self.name = inner.name
        self._inner = inner
        self._ttl = timedelta(seconds=ttl_seconds)
        self._clock = clock
        self._max_entries = max_entries
        self._entries: dict[str, tuple[datetime, Shipment]] = {}
        self._in_flight: dict[str, asyncio.Future[Shipment]] = {}

    @property
    def inner(self) -> Carrier:
        return self._inner

    async def track(self, tracking_number: str) -> Shipment:
        key = tracking_number.strip().upper()
        entry = self._entries.get(key)
        if entry is not None and _utc_now(self._clock) < entry[0]:
            return entry[1]
        call = self._in_flight.get(key)
        if call is None:
            call = asyncio.ensure_future(self._fetch(key, tracking_number))
            self._in_flight[key] = call
            call.add_done_callback(lambda done: self._forget(key, done))
        # shield: one caller giving up must not cancel the call the others wait for.
        return await asyncio.shield(call)

    async def _fetch(self, key: str, tracking_number: str) -> Shipment:
        shipment = await self._inner.track(tracking_number)
        self._store(key, shipment)
        return shipment

    def _forget(self, key: str, done: asyncio.Future[Shipment]) -> None:
        if self._in_flight.get(key) is done:
            del self._in_flight[key]
        if not done.cancelled():
            done.exception()  # mark as retrieved even if every waiter left

    def _store(self, key: str, shipment: Shipment) -> None:
        now = _utc_now(self._clock)
        self._entries.pop(key, None)  # a refreshed entry becomes the newest
        if len(self._entries) >= self._max_entries:
            self._entries = {k: v for k, v in self._entries.items() if v[0] > now}
        while len(self._entries) >= self._max_entries:
            del self._entries[next(iter(self._entries))]  # oldest first: dicts keep order
        self._entries[key] = (now + self._ttl, shipment)


class CircuitBreakerCarrier:
    """Stops calling a carrier that keeps failing, then tries one call after a pause.

    Only CarrierUnavailable (timeouts, 5xx, 429) counts as a failure: an unknown parcel
    or a refused key is an answer, and says the carrier is up.
    """

    def __init__(
        self,
        inner: Carrier,
        *,
        failure_threshold: int = 5,
        reset_after_seconds: float = 30.0,
        clock: Clock,
    ) -> None:
        self.name = inner.name
        self._inner = inner
        self._threshold = failure_threshold
        self._reset_after = timedelta(seconds=reset_after_seconds)
        self._clock = clock
        self._failures = 0
        self._opened_at: datetime | None = None
        self._trial_running = False

    @property
    def inner(self) -> Carrier:
        return self._inner

    @property
    def is_open(self) -> bool:
        return self._opened_at is not None

    async def track(self, tracking_number: str) -> Shipment:
        trial = self._admit()
        try:
            shipment = await self._inner.track(tracking_number)
        except CarrierUnavailable:
            self._record_failure()
            raise
        except CarrierError:
            self._record_success()  # an answer, even an unwelcome one: the carrier is up
            raise
        finally:
            if trial:
                self._trial_running = False
        self._record_success()
        return shipment

    def _admit(self) -> bool:
        """Raise while open; True when this call is the half-open trial."""
        if self._opened_at is None:
            return False
        waited = _utc_now(self._clock) - self._opened_at
        if waited < self._reset_after or self._trial_running:
            left = max(self._reset_after - waited, timedelta(0)).total_seconds()
            raise CarrierUnavailable(f"{self.name} circuit open; next try in {left:.0f}s")
        self._trial_running = True
        return True

    def _record_failure(self) -> None:
        self._failures += 1
        if self._opened_at is not None or self._failures >= self._threshold:
            if self._opened_at is None:
                log.warning("%s circuit opened after %d failures", self.name, self._failures)
            self._opened_at = _utc_now(self._clock)

    def _record_success(self) -> None:
        if self._opened_at is not None:
            log.info("%s circuit closed", self.name)
        self._failures = 0
        self._opened_at = None


def _utc_now(clock: Clock) -> datetime:
    # Differences between two Europe/Amsterdam datetimes are wall-clock differences.
    return clock.now().astimezone(UTC)
