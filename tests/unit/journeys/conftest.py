"""Unit tests of the journey store run on SQLite files in tmp_path."""

from tests.support.fixtures import clock, sqlite_store, sqlite_template  # noqa: F401
