"""Whether what the customer says went wrong fits what the carrier says happened."""

from __future__ import annotations

from carriers.model import ShipmentStatus
from policies import ComplaintType
from recovery.diagnosis import Diagnosis

# Statuses in which the parcel has not reached the customer (yet).
_NOT_DELIVERED = {
    ShipmentStatus.PENDING,
    ShipmentStatus.IN_TRANSIT,
    ShipmentStatus.OUT_FOR_DELIVERY,
    ShipmentStatus.DELIVERY_DELAYED,
    ShipmentStatus.ON_HOLD,
    ShipmentStatus.READY_FOR_PICKUP,
    ShipmentStatus.DELIVERY_FAILED,
}
# Complaints about what was in the box: the box must have arrived.
_ABOUT_THE_GOODS = {
    ComplaintType.DAMAGED_PRODUCT,
    ComplaintType.WRONG_ITEM,
    ComplaintType.MISSING_ITEM,
}


def contradicts(complaint: ComplaintType | None, diagnosis: Diagnosis) -> bool:
    """True when the carrier's facts say otherwise than the complaint.

    Missing, damaged or wrong while the carrier has not delivered; late while the carrier
    delivered in time. The facts are told, and the mandate decides with the evidence.
    """
    shipment = diagnosis.shipment
    if complaint is None or shipment is None:
        return False
    if complaint in _ABOUT_THE_GOODS:
        return shipment.status in _NOT_DELIVERED
    if complaint is ComplaintType.LATE_DELIVERY:
        return shipment.status is ShipmentStatus.DELIVERED and not diagnosis.is_late
    return False
