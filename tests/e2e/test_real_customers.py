"""Conversations that open the way real customers write: long, messy, in both languages.

None of these opening messages is a training line (tests/unit/bot/test_heldout_separate.py
keeps the held-out set apart; these are written for this file).
"""

import pytest

pytestmark = pytest.mark.e2e


def test_a_long_english_story_about_a_missed_morning_delivery_is_heard_as_late(customer):
    first = customer.says(
        "ok so i literally took the morning off because ur email said my laptop would be here"
        " before 12 and its now almost 1 and nobody has even rung the bell, order 100482"
    )
    assert "look into it right away" in first  # a late delivery, not a generic complaint
    answer = customer.says("3512JE")
    assert "delivery van" in answer and "later than we promised" in answer


def test_a_dutch_customer_who_waited_at_home_all_morning_is_heard_as_late(customer):
    first = customer.says(
        "goedemiddag ik heb vanochtend de hele tijd thuis zitten wachten want jullie zeiden voor"
        " twaalven maar er is gewoon niemand langsgekomen. bestelnummer 100482"
    )
    assert "Wat vervelend" in first
    assert "postcode" in first
    assert "bezorgbus" in customer.says("3512 JE")


def test_damage_described_by_what_the_customer_sees_is_heard_as_damage(customer):
    first = customer.says(
        "just opened my parcel and the bottle has a crack in it, theres oil soaked into"
        " everything else in the box 😩 order 100517"
    )
    assert "not how it should have arrived" in first
    offer = customer.says("1011 AB")
    assert "keep" in offer  # the replacement to keep, as the mandate gives for leaks


def test_a_dutch_whatsapp_style_damage_message_is_heard_as_damage(customer):
    first = customer.says(
        "hee net mn pakketje open gemaakt en de fles is gebarsten, alles zit onder de olie 😩😩"
        " bestelling 100517"
    )
    assert "Oei" in first
    assert "1011 AB" not in first and "postcode" in first


def test_a_parcel_reported_missing_that_the_carrier_still_has_is_told_so(customer):
    customer.says(
        "hello?? tracking for order 100482 says my parcel was handed over but i have nothing"
        " here, not at the door not at the neighbours"
    )
    answer = customer.says("3512 JE")
    assert "You said it's missing, but PostNL hasn't delivered it yet" in answer
    assert "delivery van" in answer


def test_two_complaints_in_one_message_are_both_heard(customer):
    first = customer.says(
        "my order 100517 turned up 2 days late and when i opened it the bottle was leaking"
        " all over the box"
    )
    assert ("damaged as well" in first) or ("came late on top of that" in first)
    offer = customer.says("1011 AB")
    assert "keep" in offer  # the case follows the damage, which needs the fix


def test_a_rant_that_ends_by_asking_for_a_person_is_handed_over(customer):
    reply = customer.says(
        "i have been going back and forth with this chat for ages, my parcel is a week late"
        " and nobody tells me anything. i want to speak to an actual person from your team"
    )
    assert "pass you to a colleague" in reply


def test_a_dutch_rant_that_ends_by_asking_for_a_person_is_handed_over(customer):
    reply = customer.says(
        "ik heb nu al drie keer gemaild en twee keer gebeld en niemand lost iets op. ik wil"
        " gewoon met een mens van jullie praten, niet met een computer"
    )
    assert "Ik geef je door aan een collega" in reply


def test_app_and_login_trouble_is_not_taken_for_a_delivery_complaint(customer):
    reply = customer.says(
        "every time i open your app to look at my orders it logs me out and says my password"
        " is wrong even tho i just reset it"
    )
    assert "I can't help with that here" in reply
