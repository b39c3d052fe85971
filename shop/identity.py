"""The shop's identifier formats: order numbers, postcodes and e-mail addresses in free text."""

from __future__ import annotations

import re

_ORDER_NUMBER = re.compile(r"(?<!\d)#?\s*([1-9]\d{5})(?!\d)")
_POSTCODE = re.compile(r"(?<![\dA-Za-z])([1-9]\d{3})\s?([A-Za-z]{2})(?![A-Za-z])")
_EMAIL = re.compile(r"[^\s@<>(),;:]+@[^\s@<>(),;:]+\.[A-Za-z]{2,}")


def find_order_number(text: str) -> str | None:
    """'order #100482 please' -> '100482'; None if no order number is in the text."""
    match = _ORDER_NUMBER.search(text)
    return match.group(1) if match else None


def find_postcode(text: str) -> str | None:
    """'it's 3512 je' -> '3512JE'; None if no Dutch postcode is in the text."""
    match = _POSTCODE.search(text)
    return f"{match.group(1)}{match.group(2).upper()}" if match else None


def find_email(text: str) -> str | None:
    """The e-mail address in the text, lower case; None if there is none."""
    email = _EMAIL.search(text)
    return email.group(0).lower() if email else None


def find_second_fact(text: str) -> str | None:
    """The e-mail address (lower case) or postcode in the text that proves an order is yours."""
    return find_email(text) or find_postcode(text)
