"""Who may act on cards, and at which level: from configuration, never from a request."""

from __future__ import annotations

from dataclasses import dataclass

from policies import Level

# Without Slack, the local inbox offers these two so a newcomer can try both levels.
INBOX_AGENTS = "inbox-agent:Agent=agent,inbox-lead:Lead=lead"


@dataclass(frozen=True, slots=True)
class Agent:
    user_id: str
    name: str
    level: Level


class AgentDirectory:
    def __init__(self, agents: tuple[Agent, ...]) -> None:
        self._agents = {agent.user_id: agent for agent in agents}

    @classmethod
    def parse(cls, text: str) -> AgentDirectory:
        """'U123:Anna=lead,U456=agent': user id, optional display name, level."""
        agents = []
        for entry in filter(None, (part.strip() for part in text.split(","))):
            who, sep, level = entry.rpartition("=")
            if not sep or not who:
                raise ValueError(f"agent entry {entry!r}: expected <user id>[:<name>]=<level>")
            user_id, _, name = who.partition(":")
            try:
                parsed = Level(level.strip())
            except ValueError:
                raise ValueError(f"agent entry {entry!r}: level must be agent or lead") from None
            if parsed is Level.BOT:
                raise ValueError(f"agent entry {entry!r}: a person cannot have the bot's level")
            agents.append(Agent(user_id.strip(), name.strip() or user_id.strip(), parsed))
        return cls(tuple(agents))

    def get(self, user_id: str) -> Agent | None:
        return self._agents.get(user_id)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._agents.values())
