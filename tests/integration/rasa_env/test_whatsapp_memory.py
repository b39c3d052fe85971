"""The WhatsApp channel's memory shared in a real Redis by two Rasa servers' connectors
(bot/connectors/whatsapp_memory.py runs in Rasa's environment, which has the Redis client)."""

from __future__ import annotations

from tests.integration.rasa_env.rasa_python import run_script
from tests.support.redis import RedisServer


def test_two_servers_handle_a_message_once_and_share_numbered_options(
    redis_server: RedisServer,
) -> None:
    found = run_script("whatsapp_memory_cases.py", redis_server.host, str(redis_server.port))
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
