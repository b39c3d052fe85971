"""Journeys: the store behind recovery journeys, starting with the gesture ledger and budgets."""
