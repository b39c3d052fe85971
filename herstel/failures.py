"""Words both sides of a turn share about failures (imported by the action server and by Rasa,
so only the standard library here)."""

from __future__ import annotations

import traceback

# The one response that says "this turn failed": the action server's guard answers a failed
# action with it, and Rasa's turn guard then says it and leaves the turn unstored.
FAILED_TURN = "utter_technical_problem"


def describe(exc: BaseException) -> str:
    """The exception chain by type and where each was raised, without messages: a message may
    carry customer data (SQL parameters, an address), a type and a line never do."""
    parts = []
    seen: BaseException | None = exc
    while seen is not None and len(parts) < 4:
        frames = traceback.extract_tb(seen.__traceback__)
        where = f" at {_short(frames[-1].filename)}:{frames[-1].lineno}" if frames else ""
        parts.append(f"{type(seen).__name__}{where}")
        seen = seen.__cause__ or seen.__context__
    return " <- ".join(parts)


def _short(filename: str) -> str:
    marker = "site-packages/"
    if marker in filename:
        return filename.split(marker, 1)[1]
    return "/".join(filename.split("/")[-2:])
