"""parse_dhl against responses built from the examples in DHL's own OpenAPI file."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from carriers.dhl import parse_dhl
from carriers.errors import CarrierResponseError, ShipmentNotFound
from carriers.model import ShipmentStatus
from herstel.clock import AMSTERDAM


def _with_status(example: dict[str, Any], **fields: str) -> dict[str, Any]:
    shipment = example["shipments"][0]
    shipment["status"] = {"timestamp": "2025-03-14T10:00:00+01:00", **fields}
    return example


def test_the_spec_example_of_a_delivered_shipment_parses_with_all_its_facts(
    dhl_example: dict[str, Any],
) -> None:
    shipment = parse_dhl(dhl_example, "7777777770")

    assert shipment.carrier == "dhl"
    assert shipment.status is ShipmentStatus.DELIVERED
    assert shipment.carrier_status_code == "delivered"
    assert shipment.carrier_status_text == "JESSICA"
    # 07:53:47Z is 08:53:47 in Amsterdam in winter.
    assert shipment.delivered_at == datetime(2018, 3, 2, 8, 53, 47, tzinfo=AMSTERDAM)
    assert shipment.events[0].location == "Oderweg 2, AMSTERDAM"


def test_the_estimated_time_frame_becomes_the_expected_window(dhl_example: dict[str, Any]) -> None:
    expected = parse_dhl(dhl_example, "7777777770").expected

    assert expected is not None
    assert expected.start == datetime(2018, 8, 3, 2, 0, tzinfo=AMSTERDAM)  # 00:00Z, summer
    assert expected.end == datetime(2018, 8, 4, 0, 0, tzinfo=AMSTERDAM)  # 22:00Z


def test_only_an_estimated_time_of_delivery_gives_a_window_of_one_moment(
    dhl_example: dict[str, Any],
) -> None:
    del dhl_example["shipments"][0]["estimatedDeliveryTimeFrame"]

    expected = parse_dhl(dhl_example, "7777777770").expected
    assert expected is not None and expected.start == expected.end
    assert expected.start == datetime(2018, 8, 3, 2, 0, tzinfo=AMSTERDAM)


def test_times_are_converted_to_amsterdam(dhl_example: dict[str, Any]) -> None:
    shipment = parse_dhl(dhl_example, "7777777770")

    assert shipment.status_at is not None and shipment.status_at.tzinfo is AMSTERDAM
    assert all(event.at.tzinfo is AMSTERDAM for event in shipment.events)


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("pre-transit", ShipmentStatus.PENDING),
        ("transit", ShipmentStatus.IN_TRANSIT),
        ("delivered", ShipmentStatus.DELIVERED),
        ("failure", ShipmentStatus.DELIVERY_FAILED),
        ("unknown", ShipmentStatus.UNKNOWN),
        ("something-new", ShipmentStatus.UNKNOWN),
    ],
)
def test_status_codes_map_to_the_canonical_status(
    dhl_example: dict[str, Any], code: str, status: ShipmentStatus
) -> None:
    payload = _with_status(dhl_example, statusCode=code, description="Processed")
    assert parse_dhl(payload, "7777777770").status is status


@pytest.mark.parametrize(
    ("code", "field", "text", "status"),
    [
        ("transit", "description", "Delivery delayed due to weather", "delivery_delayed"),
        ("transit", "statusDetailed", "delivery-delayed", "delivery_delayed"),
        ("transit", "description", "The shipment has been loaded onto the delivery vehicle",
         "out_for_delivery"),
        ("transit", "description", "Ready for pickup at the DHL ServicePoint", "ready_for_pickup"),
        ("transit", "remark", "The shipment is being returned to the sender", "return_to_sender"),
        ("delivered", "description", "Returned to sender", "return_to_sender"),
        ("failure", "description", "Delivery attempt failed: not at home", "delivery_failed"),
        ("failure", "description", "The shipment could not be located", "lost"),
        ("transit", "status", "Shipment lost", "lost"),
        ("delivered", "description", "Delivered after a delay", "delivered"),
        ("pre-transit", "description", "Pickup scheduled with the sender", "pending"),
    ],
)  # fmt: skip
def test_status_texts_refine_the_status_code_only_where_they_can(
    dhl_example: dict[str, Any], code: str, field: str, text: str, status: str
) -> None:
    payload = _with_status(dhl_example, statusCode=code, **{field: text})
    assert parse_dhl(payload, "7777777770").status == status


def test_the_shipment_with_the_asked_tracking_number_is_chosen(
    dhl_example: dict[str, Any],
) -> None:
    other = {**dhl_example["shipments"][0], "id": "OTHER1", "status": {"statusCode": "transit"}}
    dhl_example["shipments"].insert(0, other)

    assert parse_dhl(dhl_example, "7777777770").status is ShipmentStatus.DELIVERED


def test_events_are_sorted_oldest_first(dhl_example: dict[str, Any]) -> None:
    shipment = dhl_example["shipments"][0]
    shipment["events"] = [
        {"timestamp": "2025-03-14T10:00:00+01:00", "statusCode": "transit", "description": "b"},
        {"timestamp": "2025-03-13T10:00:00+01:00", "statusCode": "transit", "description": "a"},
        {"timestamp": "2025-03-15T10:00:00+01:00", "statusCode": "delivered", "description": "c"},
    ]
    events = parse_dhl(dhl_example, "7777777770").events

    assert [event.description for event in events] == ["a", "b", "c"]


def test_an_empty_shipments_list_means_not_found() -> None:
    with pytest.raises(ShipmentNotFound):
        parse_dhl({"shipments": []}, "JVGL0560100307")


def test_the_spec_404_problem_body_reads_as_not_found(
    dhl_not_found_example: dict[str, Any],
) -> None:
    assert dhl_not_found_example["status"] == 404
    with pytest.raises(ShipmentNotFound):
        parse_dhl(dhl_not_found_example, "8264715546")


@pytest.mark.parametrize("payload", [{"shipments": "nope"}, ["not", "an", "object"]])
def test_a_malformed_response_is_a_response_error(payload: Any) -> None:
    with pytest.raises(CarrierResponseError):
        parse_dhl(payload, "JVGL0560100301")


def test_an_unreadable_timestamp_is_a_response_error(dhl_example: dict[str, Any]) -> None:
    dhl_example["shipments"][0]["status"]["timestamp"] = "last tuesday"

    with pytest.raises(CarrierResponseError) as raised:
        parse_dhl(dhl_example, "7777777770")
    assert isinstance(raised.value.__cause__, ValueError)
