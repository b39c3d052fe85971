from datetime import timedelta

import pytest

from recovery import phrases
from tests.builders import NOW


@pytest.mark.parametrize(
    ("delta", "language", "expected"),
    [
        (timedelta(minutes=65), "en", "1 hour and 5 minutes"),
        (timedelta(minutes=65), "nl", "1 uur en 5 minuten"),
        (timedelta(minutes=33), "en", "35 minutes"),
        (timedelta(minutes=2), "nl", "5 minuten"),
        (timedelta(hours=2), "en", "2 hours"),
        (timedelta(days=1, hours=3), "nl", "1 dag"),
        (timedelta(days=2, hours=20), "en", "2 days"),
    ],
)
def test_durations_read_naturally_in_each_language(delta, language, expected):
    assert phrases.duration(delta, language) == expected


def test_times_are_shown_in_dutch_local_time():
    assert phrases.clock_time(NOW) == "12:30"  # 11:30 UTC in November


def test_days_are_relative_when_close_and_named_otherwise():
    assert phrases.day(NOW + timedelta(hours=1), NOW, "en") == "today"
    assert phrases.day(NOW + timedelta(days=1), NOW, "nl") == "morgen"
    assert phrases.day(NOW + timedelta(days=3), NOW, "nl") == "op maandag 23 november"
    assert phrases.day(NOW + timedelta(days=3), NOW, "en") == "on Monday 23 November"
