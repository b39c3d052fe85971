"""Escalation test doubles behind the same small interfaces the real adapters implement."""

from __future__ import annotations

from dataclasses import dataclass, field

from escalation.agents import AgentDirectory
from escalation.inbox import InboxCards
from escalation.service import EscalationService
from escalation.store import EscalationStore
from herstel.clock import Clock
from recovery.service import RecoveryService

AGENTS = "U-AGENT:Anna=agent,U-LEAD:Lars=lead,U-OTHER:Olga=agent"


@dataclass
class RecordingConversations:
    """Stands in for Rasa's HTTP API: records every event pushed into a conversation."""

    triggered: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)

    async def trigger(
        self, conversation_id: str, intent: str, entities: dict[str, str] | None = None
    ) -> None:
        self.triggered.append((conversation_id, intent, dict(entities or {})))


def escalation_service(
    engine, recovery: RecoveryService, clock: Clock, conversations=None, cards=None
) -> EscalationService:  # type: ignore[no-untyped-def]
    return EscalationService(
        EscalationStore(engine, clock),
        recovery,
        cards or InboxCards(),
        conversations or RecordingConversations(),
        AgentDirectory.parse(AGENTS),
        clock,
    )
