"""Fixtures every test folder may use: journey-store databases (SQLite, real PostgreSQL)."""

pytest_plugins = ["tests.support.fixtures"]
