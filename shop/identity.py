"""The shop's identifier formats: what a valid order number and postcode look like."""

from __future__ import annotations

import re

_ORDER_NUMBER = re.compile(r"^#?\s*([1-9][0-9]{5})$")
_EMAIL = re.compile(r"^[^\s@]+@[^\s@]+\.[a-z]{2,}$")
_POSTCODE = re.compile(r"^([1-9][0-9]{3})\s*([A-Za-z]{2})$")


def parse_order_number(text: str) -> str | None:
    """'#100482' or ' 100482 ' -> '100482'; None if it is not an order number."""
    match = _ORDER_NUMBER.match(text.strip())
    return match.group(1) if match else None


def parse_email(text: str) -> str | None:
    """'Anna@Example.NL' -> 'anna@example.nl'; None if it is not an e-mail address."""
    text = text.strip().lower()
    return text if _EMAIL.match(text) else None


def parse_postcode(text: str) -> str | None:
    """'3512 je' -> '3512JE'; None if it is not a Dutch postcode."""
    match = _POSTCODE.match(text.strip())
    return f"{match.group(1)}{match.group(2).upper()}" if match else None
