from actions.case import case_id
from tests.unit.actions.conftest import a_tracker


def test_before_verification_a_case_is_the_conversations_and_holds_no_phone_number():
    tracker = a_tracker({"order_number": "100482", "complaint_type": "late_delivery"})
    tracker.sender_id = "31612345678"
    ident = case_id(tracker)
    assert "31612345678" not in ident
    assert ident.startswith("conversation:late_delivery:")
    assert len(ident) <= 64


def test_once_verified_the_case_is_the_failures_whatever_the_conversation():
    slots = {"order_number": "100482", "complaint_type": "late_delivery"}
    first = a_tracker({**slots, "case_id": "100482:late_delivery"})
    second = a_tracker({**slots, "case_id": "100482:late_delivery"})
    second.sender_id = "31612345678"
    assert case_id(first) == case_id(second) == "100482:late_delivery"
