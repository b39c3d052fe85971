"""Delivery tracking: one small interface, carrier adapters, status normalisation, a simulator."""
