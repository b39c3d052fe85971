"""Without PostgreSQL installed, the tests say how to get it instead of skipping."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import postgres
from tests.support.postgres import PostgresUnavailable, server_bindir


def test_missing_server_binaries_point_to_the_services_script(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(postgres, "SERVER_GLOB", "/nonexistent/postgresql/*/bin")
    with pytest.raises(PostgresUnavailable, match=r"scripts/services\.sh"):
        server_bindir()


def test_the_newest_installed_server_is_chosen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for version in ("9", "15", "13"):
        (tmp_path / version / "bin").mkdir(parents=True)
        (tmp_path / version / "bin" / "initdb").touch()
    monkeypatch.setattr(postgres, "SERVER_GLOB", str(tmp_path / "*" / "bin"))
    assert server_bindir() == tmp_path / "15" / "bin"
