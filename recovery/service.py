"""The recovery service: check the facts, propose within the mandate, carry out exactly once,
and record what came of every case."""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping

from carriers.errors import CarrierError, CarrierUnavailable, ShipmentNotFound
from carriers.lateness import lateness
from carriers.model import Carrier
from herstel.clock import Clock
from journeys.moments import MomentStore
from policies import CarrierEvidence, Level, Mandate, Offer
from recovery.casebook import CaseBook, CaseView
from recovery.cases import Where
from recovery.diagnosis import Diagnosis, Finding
from recovery.granting import AlreadyDecided, Granted, Granter, NotGranted
from recovery.moments import NO_CONVERSATION, Conversation, Outcome
from recovery.proposal import Complaint, Proposal, affected_line, propose
from recovery.standing import StandingReader
from shop.model import Order, Shop

log = logging.getLogger(__name__)


class NeedsHigherLevel(NotGranted):
    """The gesture is in the mandate, but above the level of whoever asked for it."""

    def __init__(self, level: Level) -> None:
        super().__init__(f"needs a {level.value}")
        self.level = level


def offer_key(offer: Offer) -> str:
    """How a conversation remembers an offer between turns."""
    return f"{offer.kind.value}:{offer.step}"


class RecoveryService:
    def __init__(
        self,
        shop: Shop,
        carriers: Mapping[str, Carrier],
        clock: Clock,
        mandate: Mandate | None = None,
        granter: Granter | None = None,
        moments: MomentStore | None = None,
        standing: StandingReader | None = None,
        cases: CaseBook | None = None,
    ) -> None:
        self._shop = shop
        self._carriers = carriers
        self._clock = clock
        self._mandate = mandate
        self._granter = granter
        self._moments = moments
        self._standing = standing
        self._cases = cases

    # --- the facts ---------------------------------------------------------------------

    async def diagnose(self, order_number: str, second_fact: str) -> Diagnosis:
        """Look the order up, check the second fact (postcode or e-mail), then ask its carrier.

        An unknown order and a wrong second fact give the same finding, so order numbers
        cannot be enumerated.
        """
        order = await self._shop.find_order(order_number)
        if order is None or second_fact not in (order.postcode, order.email.lower()):
            log.info("order %s not found or identity mismatch", order_number)
            return Diagnosis(Finding.ORDER_NOT_FOUND, self._clock.now())
        return await self._track(order)

    async def find_by_contact(self, email: str, postcode: str) -> Order | None:
        """The order for a customer who lost the number: the e-mail and postcode must match."""
        return await self._shop.find_latest_order(email, postcode)

    async def diagnose_verified(self, order_number: str) -> Diagnosis:
        """For an agent: the conversation already checked who the customer is."""
        order = await self._shop.find_order(order_number)
        if order is None:
            return Diagnosis(Finding.ORDER_NOT_FOUND, self._clock.now())
        return await self._track(order)

    async def _track(self, order: Order) -> Diagnosis:
        carrier = self._carriers.get(order.carrier)
        if carrier is None:
            log.error("order %s ships with unconfigured carrier %s", order.number, order.carrier)
            return Diagnosis(Finding.CARRIER_UNAVAILABLE, self._clock.now(), order)
        try:
            shipment = await carrier.track(order.tracking_number)
        except ShipmentNotFound:
            return Diagnosis(Finding.NOT_YET_AT_CARRIER, self._clock.now(), order)
        except CarrierUnavailable as exc:
            log.warning("carrier %s unavailable for order %s: %s", order.carrier, order.number, exc)
            return Diagnosis(Finding.CARRIER_UNAVAILABLE, self._clock.now(), order)
        except CarrierError:
            log.exception("carrier %s failed for order %s", order.carrier, order.number)
            return Diagnosis(Finding.CARRIER_UNAVAILABLE, self._clock.now(), order)
        now = self._clock.now()
        late_by = lateness(order.promised_by, shipment, now)
        return Diagnosis(Finding.FOUND, now, order, shipment, late_by)

    # --- the case and the mandate's decision ---------------------------------------------

    @property
    def cases(self) -> CaseBook | None:
        return self._cases

    async def open_case(
        self, complaint: Complaint, diagnosis: Diagnosis, where: Where
    ) -> CaseView | None:
        """The failure's case, opened or joined by this conversation (None: no case store)."""
        if self._cases is None or diagnosis.order is None:
            return None
        return await self._cases.open(complaint, diagnosis, where)

    async def propose(
        self, complaint: Complaint, diagnosis: Diagnosis, case_id: str | None = None
    ) -> Proposal | None:
        """The mandate's decision for a complaint about a verified order, and what the bot
        does with it; None without a mandate or an order. Nothing here overrides the policy.

        The engine also weighs the customer's earlier complaints and gestures, what this
        order already got and the budgets' usage; the ledger checks them all again, atomically,
        when money is reserved.
        """
        order = diagnosis.order
        if self._mandate is None or order is None:
            return None
        now = self._clock.now()
        standing = None
        if self._standing is not None:
            standing = await self._standing.read(
                order.customer_id, order.number, case_id or "", now
            )
        return propose(
            self._mandate,
            complaint,
            diagnosis,
            now=now,
            history=standing.history if standing else None,
            usage=standing.usage if standing else None,
            given_on_order=standing.given_on_order if standing else None,
            case_id=case_id,
        )

    def why_to_person(self, proposal: Proposal) -> str:
        """Why the mandate has a person decide, in the words the conversation tells the
        customer: high_value (an escalation on the order's value), carrier_facts (a lost or
        missing parcel), else above_mandate."""
        assert self._mandate is not None
        on_value = {e.id for e in self._mandate.compiled.escalations if e.on_value}
        if any(
            r.code == "escalate_when" and r.args[0] in on_value for r in proposal.decision.reasons
        ):
            return "high_value"
        evidence = proposal.case.evidence if proposal.case is not None else None
        if evidence in (CarrierEvidence.LOST, CarrierEvidence.DELIVERED_BUT_MISSING):
            return "carrier_facts"
        return "above_mandate"

    def next_offer(self, proposal: Proposal, declined: Collection[str]) -> Offer | None:
        """One rung up the ladder: the next bot-grantable offer costing more than those declined."""
        if proposal.to_person:
            return None
        ladder = proposal.decision.for_level(Level.BOT)
        turned_down = [o.cost.minor for o in ladder if offer_key(o) in declined]
        ceiling = max(turned_down, default=0)
        return next((o for o in ladder if o.cost.minor > ceiling), None)

    async def past_gestures(self, customer_id: str) -> list:
        """Ledger rows of the customer's latest gestures, for an agent's card."""
        return await self._granter.history(customer_id) if self._granter else []

    async def record_score(self, case_id: str, scale: str, score: int) -> bool:
        """A customer's score (csat, ces, nps) on the case's recovery moment."""
        if self._moments is None:
            return False
        return await self._moments.add_score(case_id, scale, score)

    # --- what came of the case -----------------------------------------------------------

    async def came_to(
        self,
        case_id: str,
        complaint: Complaint,
        diagnosis: Diagnosis,
        proposal: Proposal,
        outcome: Outcome,
        conversation: Conversation = NO_CONVERSATION,
    ) -> None:
        """Record an outcome without a gesture (facts, an offer made, offers declined)."""
        if self._cases is not None:
            await self._cases.came_to(
                case_id, complaint, diagnosis, proposal, outcome, conversation
            )

    async def handed_over(self, case_id: str) -> None:
        if self._cases is not None:
            await self._cases.handed_over(case_id)

    async def accept(
        self,
        case_id: str,
        complaint: Complaint,
        diagnosis: Diagnosis,
        offered: Collection[str],
        *,
        conversation: Conversation = NO_CONVERSATION,
    ) -> tuple[Granted, ...]:
        """Carry out what the customer said yes to, after checking it is still allowed."""
        proposal = await self.propose(complaint, diagnosis, case_id)
        if proposal is None or self._granter is None or diagnosis.order is None:
            raise NotGranted("nothing to grant for this case")
        if proposal.to_person:
            raise NotGranted("the mandate now has a person decide this case")
        allowed = {offer_key(o): o for o in proposal.decision.for_level(Level.BOT)}
        missing = [key for key in offered if key not in allowed]
        if missing:
            raise NotGranted(f"no longer within the bot's mandate: {', '.join(missing)}")
        offers = tuple(allowed[key] for key in offered)
        return await self._grant(
            case_id, complaint, diagnosis, proposal, offers, "bot", Level.BOT, conversation
        )

    async def grant_as(
        self,
        case_id: str,
        complaint: Complaint,
        order_number: str,
        key: str,
        *,
        decided_by: str,
        level: Level,
        conversation: Conversation,
    ) -> tuple[Diagnosis, tuple[Granted, ...]]:
        """A person's decision: the mandate is asked again now, whatever the card said."""
        diagnosis = await self.diagnose_verified(order_number)
        proposal = await self.propose(complaint, diagnosis, case_id) if diagnosis.order else None
        if proposal is None or self._granter is None:
            raise NotGranted("nothing to grant for this case any more")
        offer = next((o for o in proposal.decision.gestures if offer_key(o) == key), None)
        if offer is None:
            raise NotGranted(f"the mandate no longer allows {key} for this case")
        if not offer.may_be_granted_by(level):
            raise NeedsHigherLevel(offer.level)
        granted = await self._grant(
            case_id, complaint, diagnosis, proposal, (offer,), decided_by, level, conversation
        )
        return diagnosis, granted

    async def close_as(
        self,
        case_id: str,
        complaint: Complaint,
        order_number: str,
        *,
        decided_by: str,
        reason: str,
        conversation: Conversation,
    ) -> Diagnosis:
        """A person closes the case without a gesture, for a reason: that is its moment."""
        diagnosis = await self.diagnose_verified(order_number)
        proposal = await self.propose(complaint, diagnosis, case_id) if diagnosis.order else None
        if proposal is None:
            raise NotGranted("this case has no verified order to close")
        outcome = Outcome("closed", decided_by=decided_by, reason=reason)
        await self.came_to(case_id, complaint, diagnosis, proposal, outcome, conversation)
        return diagnosis

    async def _grant(
        self,
        case_id: str,
        complaint: Complaint,
        diagnosis: Diagnosis,
        proposal: Proposal,
        offers: tuple[Offer, ...],
        decided_by: str,
        level: Level,
        conversation: Conversation,
    ) -> tuple[Granted, ...]:
        assert self._granter is not None and diagnosis.order is not None
        item = affected_line(diagnosis.order, complaint)
        try:
            granted = await self._granter.grant(
                case_id,
                diagnosis.order,
                item,
                offers,
                decided_by=decided_by,
                level=level,
                rule_id=proposal.decision.rule_id,
            )
        except AlreadyDecided:
            log.info("case %s: already decided; nothing granted again", case_id)
            raise
        outcome = Outcome("gesture", granted, decided_by)
        # A replay (a repeated yes, a racing twin) changes nothing: its moment is written.
        if self._cases is not None and any(g.new for g in granted):
            await self._cases.came_to(
                case_id, complaint, diagnosis, proposal, outcome, conversation
            )
        return granted
