import pytest

from bot.language import detect_language


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mijn pakket is nog steeds niet binnen", "nl"),
        ("nog steeds niks binnen!!! bestelling 4 dagen te laat", "nl"),
        ("mijn order is nog steeds niet delivered", "nl"),
        ("my parcel still hasn't arrived", "en"),
        ("the remote arrived like this", "en"),
        ("says delivered but I never got it", "en"),
        ("ja graag", "nl"),
        ("yes please", "en"),
    ],
)
def test_the_language_of_a_complaint_is_recognised(text, expected):
    assert detect_language(text) == expected


@pytest.mark.parametrize("text", ["8", "100482", "3512 JE", "ok", "", "👍"])
def test_messages_that_do_not_say_leave_the_language_as_it_was(text):
    assert detect_language(text) is None
