from actions.case import case_id
from tests.unit.actions.conftest import a_tracker


def test_a_case_id_holds_no_phone_number_and_fits_the_ledger():
    tracker = a_tracker({"order_number": "100482", "complaint_type": "late_delivery"})
    tracker.sender_id = "31612345678"
    ident = case_id(tracker)
    assert "31612345678" not in ident
    assert ident.startswith("100482:late_delivery:")
    assert len(ident) <= 64


def test_the_same_conversation_and_order_give_the_same_case():
    first = a_tracker({"order_number": "100482", "complaint_type": "late_delivery"})
    second = a_tracker({"order_number": "100482", "complaint_type": "late_delivery"})
    assert case_id(first) == case_id(second)
    other = a_tracker({"order_number": "100517", "complaint_type": "late_delivery"})
    assert case_id(other) != case_id(first)
