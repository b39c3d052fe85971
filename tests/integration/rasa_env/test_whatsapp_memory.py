"""The WhatsApp channel's memory shared in a real Redis by two Rasa servers' connectors
(bot/connectors/whatsapp_memory.py runs in Rasa's environment, which has the Redis client)."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator

import pytest

from herstel.rasa_env import rasa_environ
from herstel.settings import ROOT
from tests.support.redis import RedisServer, RedisUnavailable, throwaway_redis

SCRIPT = ROOT / "tests" / "integration" / "rasa_env" / "whatsapp_memory_cases.py"


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    try:
        with throwaway_redis() as server:
            yield server
    except RedisUnavailable as missing:
        pytest.fail(str(missing), pytrace=False)


def test_two_servers_handle_a_message_once_and_share_numbered_options(redis_server) -> None:
    python = str(ROOT / ".venv-rasa" / "bin" / "python")
    result = subprocess.run(
        [python, str(SCRIPT), redis_server.host, str(redis_server.port)],
        cwd=ROOT,
        env=rasa_environ(ROOT),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found["first delivery on A"] is True
    assert found["retry on B"] is False
    assert found["retry on B after A failed"] is True
    assert sorted(found["racing deliveries"]) == [False, False, False, True]
    assert found["'2' on B"] == "/deny"
    assert found["'2' again on A"] is None  # used up
    assert found["words on B"] is None
    assert found["'1' after words"] is None  # the conversation moved on
    assert found["'1' after forgetting"] is None
    # Message ids are kept (until Meta stops retrying); no phone number in a key.
    assert found["keys"] == ["herstel:whatsapp:seen:wamid.1", "herstel:whatsapp:seen:wamid.2"]
    assert found["from env"] == ["ProcessMemory", "RedisMemory"]
