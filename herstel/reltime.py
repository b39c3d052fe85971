"""Relative times such as "-30m" or "+1d2h", used by demo data and the simulator."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

_PART = re.compile(r"(\d+)([dhms])")
_WHOLE = re.compile(r"^[+-](\d+[dhms])+$")
_UNITS = {"d": "days", "h": "hours", "m": "minutes", "s": "seconds"}


def parse_offset(text: str) -> timedelta:
    """'-1d2h' -> -(1 day 2 hours). Raises ValueError on anything else."""
    text = text.strip()
    if not _WHOLE.match(text):
        raise ValueError(f"not a relative time like '-30m' or '+1d2h': {text!r}")
    delta = sum(
        (timedelta(**{_UNITS[unit]: int(n)}) for n, unit in _PART.findall(text)), timedelta()
    )
    return -delta if text.startswith("-") else delta


def resolve(text: str, now: datetime) -> datetime:
    return now + parse_offset(text)
