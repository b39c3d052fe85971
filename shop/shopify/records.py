"""How Herstel's idempotency key is recorded on what it creates in Shopify, so that a retry
(after a timeout, a restart, on another server) finds the earlier result before writing again.

- gift card: its code is derived from the key (HMAC with a secret), so a second create with
  the same key is refused by Shopify as TAKEN and the first card is found by its code;
- refund: `refundCreate` carries the key in Shopify's @idempotent directive, and the refund's
  note carries our reference, read back from the order's refunds;
- replacement: the draft order (and the order it completes into) is tagged with the reference;
- every gesture tags the original order with the reference, so the order names its gestures.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid

MARK = "herstel"
_NAMESPACE = uuid.UUID("6f1c2b9e-58a4-4c52-9d0e-4b1f3a7c8d21")


def reference(key: str) -> str:
    """'herstel-' and 20 hex digits: a tag and a note marker that name the key, not reveal it."""
    return f"{MARK}-{hashlib.sha256(key.encode()).hexdigest()[:20]}"


def gift_card_code(key: str, secret: str) -> str:
    """16 letters and digits (Shopify takes 8-20), unguessable without the secret."""
    digest = hmac.new(secret.encode(), key.encode(), hashlib.sha256).digest()
    return base64.b32encode(digest).decode()[:16]


def idempotency_key(key: str) -> str:
    """A UUID for Shopify's @idempotent directive, the same for the same key everywhere."""
    return str(uuid.uuid5(_NAMESPACE, key))
