"""Carrier timestamps turned into timezone-aware datetimes in Europe/Amsterdam."""

from __future__ import annotations

from datetime import datetime

from herstel.clock import AMSTERDAM

# PostNL writes Amsterdam wall-clock time without an offset, sometimes with milliseconds.
_POSTNL_FORMATS = ("%d-%m-%Y %H:%M:%S", "%d-%m-%Y %H:%M:%S.%f")
POSTNL_FORMAT = _POSTNL_FORMATS[0]


def parse_postnl_timestamp(text: str) -> datetime:
    """'26-03-2021 15:06:53' or '07-03-2018 23:22:56.326' -> aware datetime in Amsterdam."""
    for fmt in _POSTNL_FORMATS:
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=AMSTERDAM)
        except ValueError:
            continue
    raise ValueError(f"not a PostNL timestamp: {text!r}")


def parse_iso(text: str) -> datetime:
    """ISO 8601 -> aware datetime in Amsterdam.

    A value without an offset (PostNL's ETAFrom, some DHL services) is Dutch local time.
    """
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=AMSTERDAM)
    return parsed.astimezone(AMSTERDAM)


def format_postnl_timestamp(at: datetime) -> str:
    return at.astimezone(AMSTERDAM).strftime(POSTNL_FORMAT)


def format_local_iso(at: datetime) -> str:
    """Amsterdam wall-clock time without offset, as in PostNL's Expectation."""
    return at.astimezone(AMSTERDAM).replace(tzinfo=None).isoformat(timespec="seconds")
