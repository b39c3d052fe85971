"""Tell Dutch from English in a customer message; None when a message does not say."""

from __future__ import annotations

import re

from bot.language_words import DUTCH, ENGLISH

_WORD = re.compile(r"[a-zà-ÿ']+")
_POSTCODE = re.compile(r"\b\d{4}\s?[a-z]{2}\b")  # "3512 je" is a postcode, not the word "je"


def detect_language(text: str) -> str | None:
    """'nl', 'en', or None for messages such as '8', 'ok' or '100482'."""
    words = _WORD.findall(_POSTCODE.sub(" ", text.lower()))
    dutch = sum(word in DUTCH for word in words)
    english = sum(word in ENGLISH for word in words)
    if dutch == english:
        return None
    return "nl" if dutch > english else "en"
