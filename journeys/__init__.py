"""Journeys: the journey store. Gesture ledger and budgets, customers, journeys, touchpoints and
recovery moments with their 3E scores (docs/scores.md), the report, and the outbox that keeps
moments while the store is down."""
