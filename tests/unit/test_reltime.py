from datetime import timedelta

import pytest

from herstel.reltime import parse_offset


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("-30m", -timedelta(minutes=30)),
        ("+1d2h", timedelta(days=1, hours=2)),
        ("+45s", timedelta(seconds=45)),
    ],
)
def test_relative_times_parse_to_signed_durations(text, expected):
    assert parse_offset(text) == expected


@pytest.mark.parametrize("text", ["30m", "-", "-1x", "yesterday", "-1d 2h"])
def test_anything_else_is_refused_with_the_text_named(text):
    with pytest.raises(ValueError, match="relative time"):
        parse_offset(text)
