"""Escalation to service agents: Slack cards, signed interactivity, the local inbox."""
