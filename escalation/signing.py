"""Slack request signatures (v0): is this request from Slack, and recent?

Slack signs "v0:<timestamp>:<raw body>" with HMAC-SHA256 under the app's signing secret and
sends the hex digest as "v0=<hex>" in X-Slack-Signature, the timestamp (Unix seconds) in
X-Slack-Request-Timestamp. Verify on the raw bytes, before parsing anything: a body parsed
and re-encoded is not the body that was signed.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping

TIMESTAMP_HEADER = "X-Slack-Request-Timestamp"
SIGNATURE_HEADER = "X-Slack-Signature"
VERSION = "v0"
TOLERANCE_SECONDS = 300  # Slack's window against replays, in either direction

_TIMESTAMP = re.compile(r"[0-9]{1,12}")


class BadSignature(Exception):
    """The request is not provably from Slack, or not from the last five minutes."""


def sign_slack_request(secret: str, timestamp: str | int, body: bytes) -> str:
    """The X-Slack-Signature value Slack sends for this body at this timestamp."""
    base = f"{VERSION}:{timestamp}:".encode() + body
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return f"{VERSION}={digest}"


def _header(headers: Mapping[str, str], name: str) -> str | None:
    # aiohttp's headers ignore case already; a plain dict from a test may not.
    value = headers.get(name)
    if value is not None:
        return value
    lowered = name.lower()
    return next((v for k, v in headers.items() if k.lower() == lowered), None)


def verify_slack_request(
    signing_secret: str, headers: Mapping[str, str], body: bytes, now: float
) -> None:
    """Return quietly for a genuine, recent request; else raise BadSignature with the reason."""
    if not signing_secret:
        # Fail closed: an empty secret would make every signature computable by anyone.
        raise BadSignature("no signing secret configured")
    timestamp = _header(headers, TIMESTAMP_HEADER)
    signature = _header(headers, SIGNATURE_HEADER)
    if not timestamp:
        raise BadSignature(f"missing {TIMESTAMP_HEADER} header")
    if not signature:
        raise BadSignature(f"missing {SIGNATURE_HEADER} header")
    timestamp = timestamp.strip()
    if not _TIMESTAMP.fullmatch(timestamp):
        raise BadSignature("timestamp is not a number of seconds")
    age = now - int(timestamp)
    if age > TOLERANCE_SECONDS:
        raise BadSignature(
            f"timestamp is {int(age)} s old, outside the {TOLERANCE_SECONDS} s window"
        )
    if age < -TOLERANCE_SECONDS:
        raise BadSignature(
            f"timestamp is {int(-age)} s in the future, outside the {TOLERANCE_SECONDS} s window"
        )
    expected = sign_slack_request(signing_secret, timestamp, body)
    # Bytes on both sides: compare_digest refuses non-ASCII str, and a header may hold any.
    if not hmac.compare_digest(expected.encode(), signature.strip().encode("utf-8", "replace")):
        raise BadSignature("signature does not match the body")
