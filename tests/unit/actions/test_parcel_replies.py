"""What the customer is told for each thing the shop and carrier can report."""

from dataclasses import replace
from datetime import timedelta

import pytest

from actions.parcel_replies import disagreement_reply, parcel_reply
from carriers.model import ShipmentStatus, TrackingEvent
from recovery.diagnosis import Diagnosis, Finding
from tests.builders import NOW, a_shipment, an_order


def found(shipment, late_by=timedelta(0)) -> Diagnosis:
    return Diagnosis(Finding.FOUND, NOW, an_order(), shipment, late_by)


@pytest.mark.parametrize(
    ("status", "late", "expected"),
    [
        (ShipmentStatus.OUT_FOR_DELIVERY, True, "utter_parcel_out_for_delivery_late"),
        (ShipmentStatus.OUT_FOR_DELIVERY, False, "utter_parcel_out_for_delivery_on_time"),
        (ShipmentStatus.IN_TRANSIT, True, "utter_parcel_on_the_way_late"),
        (ShipmentStatus.DELIVERY_DELAYED, True, "utter_parcel_on_the_way_late"),
        (ShipmentStatus.IN_TRANSIT, False, "utter_parcel_on_the_way_on_time"),
        (ShipmentStatus.PENDING, False, "utter_parcel_on_the_way_on_time"),
        (ShipmentStatus.LOST, True, "utter_parcel_lost"),
        (ShipmentStatus.RETURN_TO_SENDER, False, "utter_parcel_returned"),
        (ShipmentStatus.DELIVERY_FAILED, False, "utter_parcel_delivery_failed"),
        (ShipmentStatus.CANCELLED, False, "utter_parcel_status_unclear"),
        (ShipmentStatus.UNKNOWN, False, "utter_parcel_status_unclear"),
    ],
)
def test_each_carrier_status_has_its_own_answer(status, late, expected):
    late_by = timedelta(hours=2) if late else timedelta(0)
    assert parcel_reply(found(a_shipment(status), late_by), "en").response == expected


def test_without_a_carrier_window_the_answer_says_so_instead_of_inventing_one():
    reply = parcel_reply(found(a_shipment(expected=None), timedelta(hours=1)), "en")
    assert reply.response == "utter_parcel_out_for_delivery_late_no_window"
    assert "start" not in reply.params


def test_a_delivered_parcel_reports_when_in_the_customers_language():
    shipment = a_shipment(
        ShipmentStatus.DELIVERED, delivered_at=NOW - timedelta(days=1), expected=None
    )
    reply = parcel_reply(found(shipment), "nl")
    assert reply.response == "utter_parcel_delivered"
    assert reply.params["day"] == "gisteren"
    assert reply.params["time"] == "12:30"


def test_a_parcel_at_a_pick_up_point_names_the_place():
    events = (TrackingEvent(NOW, "J02", "at pick-up point", "Primera Oudegracht, Utrecht"),)
    shipment = a_shipment(ShipmentStatus.READY_FOR_PICKUP, events=events)
    reply = parcel_reply(found(shipment), "en")
    assert reply.params["location"] == "Primera Oudegracht, Utrecht"


@pytest.mark.parametrize(
    ("finding", "expected"),
    [
        (Finding.ORDER_NOT_FOUND, "utter_order_not_found"),
        (Finding.NOT_YET_AT_CARRIER, "utter_parcel_not_yet_at_carrier"),
        (Finding.CARRIER_UNAVAILABLE, "utter_carrier_unavailable"),
    ],
)
def test_what_could_not_be_found_is_said_plainly(finding, expected):
    order = None if finding is Finding.ORDER_NOT_FOUND else an_order()
    reply = parcel_reply(Diagnosis(finding, NOW, order), "nl")
    assert reply.response == expected
    if order is not None:
        assert reply.params["carrier"] == "PostNL"


def test_the_carrier_is_named_as_customers_know_it():
    diagnosis = replace(found(a_shipment()), order=an_order(carrier="dhl"))
    assert parcel_reply(diagnosis, "en").params["carrier"] == "DHL"


def test_a_missing_parcel_still_in_the_van_is_told_as_the_carrier_sees_it():
    reply = disagreement_reply("missing_item", found(a_shipment(ShipmentStatus.OUT_FOR_DELIVERY)))
    assert reply is not None
    assert reply.response == "utter_facts_differ_missing_item"
    assert reply.params == {"carrier": "PostNL"}


def test_no_disagreement_when_the_facts_fit_or_there_is_no_complaint():
    delivered = found(a_shipment(ShipmentStatus.DELIVERED))
    assert disagreement_reply("missing_item", delivered) is None
    assert disagreement_reply(None, found(a_shipment(ShipmentStatus.OUT_FOR_DELIVERY))) is None
    assert disagreement_reply("other", found(a_shipment(ShipmentStatus.IN_TRANSIT))) is None
