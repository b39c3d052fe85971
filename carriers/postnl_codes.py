"""PostNL status, phase and event codes mapped to the canonical ShipmentStatus."""

from __future__ import annotations

from carriers.model import ShipmentStatus as S

# From PostNL's "T&T status codes" reference; the comment is PostNL's own description.
STATUS_CODES: dict[str, S] = {
    "1": S.PENDING,  # Zending voorgemeld
    "2": S.IN_TRANSIT,  # Zending in ontvangst genomen
    "3": S.IN_TRANSIT,  # Zending afgehaald (collected from the sender)
    "4": S.PENDING,  # Zending niet afgehaald (not yet collected from the sender)
    "5": S.IN_TRANSIT,  # Zending gesorteerd
    "6": S.DELIVERY_DELAYED,  # Zending niet gesorteerd: it misses this round
    "7": S.OUT_FOR_DELIVERY,  # Zending in distributieproces
    "8": S.DELIVERY_FAILED,  # Zending niet afgeleverd
    "9": S.ON_HOLD,  # Zending bij douane
    "11": S.DELIVERED,  # Zending afgeleverd
    "12": S.READY_FOR_PICKUP,  # Zending beschikbaar op afhaallocatie
    "13": S.PENDING,  # Voorgemeld: nog niet aangenomen
    "14": S.CANCELLED,  # Voorgemeld: definitief niet aangenomen
    "15": S.LOST,  # Manco collectie
    "16": S.LOST,  # Manco sortering
    "17": S.LOST,  # Manco distributie
    "18": S.LOST,  # Definitief manco
    "19": S.RETURN_TO_SENDER,  # Zending afgekeurd: it will not be delivered, the sender must act
    "20": S.ON_HOLD,  # Zending in inklaringsproces (customs clearance)
    "21": S.IN_TRANSIT,  # Zending in voorraad
    "22": S.DELIVERED,  # Zending afgehaald van Postkantoor (collected by the customer)
    "23": S.IN_TRANSIT,  # Afhaalopdracht gecollecteerd
    "27": S.RETURN_TO_SENDER,  # Retour onbestelbaar
    "28": S.RETURN_TO_SENDER,  # Retour foutieve aflevercode
    "31": S.IN_TRANSIT,  # Klaar voor transport naar land van bestemming
    "99": S.UNKNOWN,  # Niet van toepassing
}

# A code we have not seen still has a phase: collection, sorting, distribution, delivered.
PHASE_CODES: dict[str, S] = {
    "1": S.PENDING,
    "2": S.IN_TRANSIT,
    "3": S.IN_TRANSIT,
    "4": S.DELIVERED,
}

_RETURN_EVENTS = ("H16", "H25", "K43", "Y16", "Y18", "Y19", "Y20", "Y21", "Y40")
_DELAY_EVENTS = ("J07", "Y08", "Y43")  # postponed to next working day, new time, closed
# Status 8 ("not delivered") and the transit statuses hide outcomes only the latest event tells.
EVENT_REFINEMENTS: dict[str, S] = (
    dict.fromkeys(_RETURN_EVENTS, S.RETURN_TO_SENDER)
    | dict.fromkeys(_DELAY_EVENTS, S.DELIVERY_DELAYED)
    | {"Y71": S.LOST}  # Zending is vermist
)
_REFINABLE = frozenset({S.DELIVERY_FAILED, S.IN_TRANSIT, S.OUT_FOR_DELIVERY})

# Events that mean "waiting for you at a PostNL point or parcel locker".
PICKUP_EVENTS = frozenset({"I08", "J02", "J12", "J52", "X05"})


def classify(status_code: str, phase_code: str | None, latest_event: str | None) -> S:
    """The canonical status from PostNL's status code, its phase and the latest event code."""
    status = STATUS_CODES.get(status_code) or PHASE_CODES.get(phase_code or "", S.UNKNOWN)
    if status in _REFINABLE and latest_event in EVENT_REFINEMENTS:
        return EVENT_REFINEMENTS[latest_event]
    return status
