"""Which scores to ask after a fix: CSAT and CES always, NPS for a configured share of cases."""

from __future__ import annotations

import hashlib


def asks_nps(case_id: str, percent: int) -> bool:
    """A stable sample by case id: a retried action, or a second look, gets the same answer.

    Asking NPS every time wears customers out and skews it towards the freshly recovered;
    a fixed share keeps the question rare and the sample unbiased.
    """
    bucket = int.from_bytes(hashlib.sha256(case_id.encode()).digest()[:4], "big") % 100
    return bucket < percent
