"""Rasa channel connectors (loaded by module path from bot/credentials.yml)."""
