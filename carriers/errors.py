"""Typed carrier failures the bot can explain to a customer."""

from __future__ import annotations


class CarrierError(Exception):
    """Base for every carrier failure."""


class ShipmentNotFound(CarrierError):
    """The carrier does not (yet) know this tracking number."""


class CarrierUnavailable(CarrierError):
    """The carrier did not answer usefully: timeout, 5xx, open circuit."""


class CarrierRateLimited(CarrierUnavailable):
    """Quota exhausted (429)."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class CarrierAuthError(CarrierError):
    """The API key was refused (401/403): an operator must fix configuration."""


class CarrierResponseError(CarrierError):
    """The carrier answered with something we could not parse."""
