"""Slack v0 request signatures: the published known answers, and every way a request fails."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from escalation.signing import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    BadSignature,
    sign_slack_request,
    verify_slack_request,
)

VECTORS = json.loads(
    (Path(__file__).parents[2] / "fixtures" / "slack" / "signature_test_vectors.json").read_text()
)
SDK = VECTORS["slack_v0_python_slack_sdk"]
RASA = VECTORS["slack_v0_rasa_test_suite"]
SECRET, TS, BODY = SDK["signing_secret"], SDK["timestamp"], SDK["body"].encode()
NOW = float(TS) + 12  # a request that arrived twelve seconds ago


def headers(timestamp: str = TS, signature: str = SDK["expected"]) -> dict[str, str]:
    return {TIMESTAMP_HEADER: timestamp, SIGNATURE_HEADER: signature}


@pytest.mark.parametrize("vector", [SDK, RASA], ids=["slack-docs", "rasa"])
def test_known_answers(vector: dict[str, str]) -> None:
    body = vector["body"].encode()
    assert (
        sign_slack_request(vector["signing_secret"], vector["timestamp"], body)
        == (vector["expected"])
    )
    verify_slack_request(
        vector["signing_secret"],
        headers(vector["timestamp"], vector["expected"]),
        body,
        now=float(vector["timestamp"]),
    )


def test_a_genuine_recent_request_passes_with_headers_in_any_case() -> None:
    verify_slack_request(SECRET, headers(), BODY, now=NOW)
    lower = {k.lower(): v for k, v in headers().items()}
    verify_slack_request(SECRET, lower, BODY, now=NOW)


def test_the_edges_of_the_window_still_pass() -> None:
    verify_slack_request(SECRET, headers(), BODY, now=float(TS) + 300)
    verify_slack_request(SECRET, headers(), BODY, now=float(TS) - 300)


def test_a_tampered_body_is_rejected() -> None:
    tampered = BODY.replace(b"user_name=roadrunner", b"user_name=coyote")
    with pytest.raises(BadSignature, match="does not match"):
        verify_slack_request(SECRET, headers(), tampered, now=NOW)


def test_one_extra_byte_is_rejected() -> None:
    with pytest.raises(BadSignature, match="does not match"):
        verify_slack_request(SECRET, headers(), BODY + b"&", now=NOW)


def test_a_tampered_timestamp_is_rejected() -> None:
    # Replaying a captured body with a fresh timestamp: the old signature no longer matches.
    fresh = str(int(TS) + 3600)
    with pytest.raises(BadSignature, match="does not match"):
        verify_slack_request(SECRET, headers(timestamp=fresh), BODY, now=float(fresh))


def test_an_expired_request_is_rejected_even_with_a_good_signature() -> None:
    with pytest.raises(BadSignature, match="old, outside the 300 s window"):
        verify_slack_request(SECRET, headers(), BODY, now=float(TS) + 301)


def test_a_request_from_the_future_is_rejected() -> None:
    with pytest.raises(BadSignature, match="in the future"):
        verify_slack_request(SECRET, headers(), BODY, now=float(TS) - 301)


def test_an_unsigned_request_is_rejected() -> None:
    with pytest.raises(BadSignature, match=f"missing {SIGNATURE_HEADER}"):
        verify_slack_request(SECRET, {TIMESTAMP_HEADER: TS}, BODY, now=NOW)
    with pytest.raises(BadSignature, match=f"missing {TIMESTAMP_HEADER}"):
        verify_slack_request(SECRET, {SIGNATURE_HEADER: SDK["expected"]}, BODY, now=NOW)
    with pytest.raises(BadSignature, match="missing"):
        verify_slack_request(SECRET, {}, BODY, now=NOW)


@pytest.mark.parametrize("timestamp", ["abc", "1531420618.5", "-1531420618", "1e9", " ", "١٢٣"])
def test_a_timestamp_that_is_not_whole_seconds_is_rejected(timestamp: str) -> None:
    with pytest.raises(BadSignature):
        verify_slack_request(SECRET, headers(timestamp=timestamp), BODY, now=NOW)


def test_the_wrong_secret_is_rejected() -> None:
    with pytest.raises(BadSignature, match="does not match"):
        verify_slack_request("another-secret", headers(), BODY, now=NOW)


@pytest.mark.parametrize(
    "signature",
    [
        SDK["expected"].removeprefix("v0="),  # no version
        "v1=" + SDK["expected"].removeprefix("v0="),  # another version
        SDK["expected"].upper(),
        SDK["expected"][:-1],
        "v0=é" + SDK["expected"][4:],  # non-ASCII must not crash compare_digest
    ],
)
def test_malformed_signatures_are_rejected(signature: str) -> None:
    with pytest.raises(BadSignature, match="does not match"):
        verify_slack_request(SECRET, headers(signature=signature), BODY, now=NOW)


def test_an_empty_secret_rejects_everything() -> None:
    signature = sign_slack_request("", TS, BODY)
    with pytest.raises(BadSignature, match="no signing secret"):
        verify_slack_request("", headers(signature=signature), BODY, now=NOW)


def test_signing_covers_the_raw_bytes() -> None:
    body = b"payload=%7B%22a%22%3A%22%C3%A9%22%7D"
    signature = sign_slack_request(SECRET, 1_700_000_000, body)
    verify_slack_request(SECRET, headers("1700000000", signature), body, now=1_700_000_000.0)
    assert signature.startswith("v0=") and len(signature) == 3 + 64
