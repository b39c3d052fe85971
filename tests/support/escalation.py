"""Escalation test doubles behind the same small interfaces the real adapters implement."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from carriers.fake import FakeCarrier
from carriers.model import ShipmentStatus
from escalation.agents import AgentDirectory
from escalation.card_queue import CardQueue
from escalation.case_file import Handover, case_file
from escalation.conversations import ConversationUnreachable
from escalation.courier import Courier
from escalation.deliveries import Deliveries
from escalation.inbox import InboxCards
from escalation.model import Case, Message, Why
from escalation.service import EscalationService
from escalation.slack import SlackUnavailable
from escalation.store import EscalationStore
from herstel.bootstrap import recovery_service
from herstel.clock import Clock, FrozenClock
from herstel.money import Money
from journeys.moments import MomentStore
from policies import Channel, ComplaintType, load_default
from recovery.proposal import Complaint
from recovery.service import RecoveryService
from shop.memory import InMemoryShop
from shop.model import OrderLine
from tests.builders import NOW, a_shipment, an_order

MISSING = Complaint(ComplaintType.MISSING_ITEM, Channel.WEBCHAT)
CONVERSATION = "web-7f3a"

AGENTS = "U-AGENT:Anna=agent,U-LEAD:Lars=lead,U-OTHER:Olga=agent"


@dataclass
class RecordingConversations:
    """Stands in for Rasa's HTTP API: records every event pushed into a conversation."""

    triggered: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    down: bool = False  # Rasa (or the action server behind it) not taking events

    async def trigger(
        self, conversation_id: str, intent: str, entities: dict[str, str] | None = None
    ) -> None:
        if self.down:
            raise ConversationUnreachable("rasa answered 500: the triggered turn failed")
        self.triggered.append((conversation_id, intent, dict(entities or {})))


def escalation_service(
    engine, recovery: RecoveryService, clock: Clock, conversations=None, cards=None, channel=""
) -> EscalationService:  # type: ignore[no-untyped-def]
    return EscalationService(
        EscalationStore(engine, clock),
        recovery,
        cards or InboxCards(),
        conversations or RecordingConversations(),
        AgentDirectory.parse(AGENTS),
        clock,
        channel=channel,
        queue=CardQueue(engine, clock),
        deliveries=Deliveries(engine, clock),
    )


@dataclass
class MissingLaptop:
    """A laptop the carrier says was delivered and the customer never got: the bot may
    only hand it over. Real services over the test store; the shop and carrier are fakes."""

    recovery: RecoveryService
    escalation: EscalationService
    shop: InMemoryShop
    conversations: RecordingConversations
    moments: MomentStore

    @classmethod
    def build(cls, store, price: str = "899.00", clock=None, cards=None) -> MissingLaptop:  # type: ignore[no-untyped-def]
        clock = clock or FrozenClock(NOW)
        order = an_order(lines=(OrderLine("LAP-14", "laptop", 1, Money.of(price)),))
        shop = InMemoryShop([order])
        delivered = a_shipment(ShipmentStatus.DELIVERED, delivered_at=NOW - timedelta(hours=3))
        moments = MomentStore(store.engine)
        carriers = {"postnl": FakeCarrier({"3SHRST100482": delivered})}
        recovery = recovery_service(shop, carriers, clock, load_default(), store.engine, moments)
        conversations = RecordingConversations()
        escalation = escalation_service(
            store.engine, recovery, clock, conversations, cards, channel="C-CASES"
        )
        return cls(recovery, escalation, shop, conversations, moments)

    def courier(self, store, clock: Clock, cards) -> Courier:  # type: ignore[no-untyped-def]
        """What the desk runs over the same store: posts waiting cards, tells waiting events."""
        return Courier(
            self.escalation, cards, "C-CASES", CardQueue(store.engine, clock),
            self.conversations, Deliveries(store.engine, clock),
        )  # fmt: skip

    async def escalate(self, language: str = "nl") -> str:
        """Hand the case over as the bot would; returns the case id."""
        diagnosis = await self.recovery.diagnose("100482", "3512JE")
        proposal = await self.recovery.propose(MISSING, diagnosis)
        handover = Handover(
            "100482:missing_item:abc", "abc", "webchat", language, Why.ABOVE_MANDATE, NOW,
            MISSING, diagnosis, proposal,
        )  # fmt: skip
        case = await self.escalation.open(case_file(handover), CONVERSATION)
        return case.file.case_id


@dataclass
class FlakySlack:
    """Cards behind the same interface as SlackCards: refuses while `down` holds an error."""

    down: SlackUnavailable | None = None
    posted: list[str] = field(default_factory=list)  # case ids, in order
    threads: list[tuple[str, str]] = field(default_factory=list)  # (case id, text)
    notices: list[str] = field(default_factory=list)

    async def post_case(self, channel: str, case: Case) -> tuple[str, str]:
        if self.down:
            raise self.down
        self.posted.append(case.file.case_id)
        return channel, f"{len(self.posted)}.000100"

    async def update_case(self, case: Case) -> None:
        return None

    async def post_thread(self, case: Case, message: Message) -> None:
        self.threads.append((case.file.case_id, message.text))

    async def open_write_modal(self, trigger_id: str, case: Case) -> None:
        return None

    async def tell_agent(self, case: Case, user_id: str, text: str) -> None:
        return None

    async def post_notice(self, channel: str, text: str) -> None:
        if self.down:
            raise self.down
        self.notices.append(text)


DOWN = SlackUnavailable("chat.postMessage", "http_503")
