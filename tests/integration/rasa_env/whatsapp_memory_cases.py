"""Run by Rasa's Python against a Redis server (host and port as arguments): what two Rasa
servers' WhatsApp memories say to each other, printed as JSON."""

import asyncio
import json
import sys

from redis.asyncio import Redis

from bot.connectors.whatsapp_memory import RedisMemory, memory_from_env

WA_ID = "31687654321"
DB = 3  # a database of its own on the session's Redis, emptied first


async def main(host: str, port: int) -> dict[str, object]:
    await Redis(host=host, port=port, db=DB).flushdb()
    a, b = (RedisMemory(Redis(host=host, port=port, db=DB)) for _ in range(2))
    found: dict[str, object] = {}
    found["first delivery on A"] = await a.first_time("wamid.1")
    found["retry on B"] = await b.first_time("wamid.1")
    await a.forget_message("wamid.1")  # A failed to hand it to Rasa
    found["retry on B after A failed"] = await b.first_time("wamid.1")
    found["racing deliveries"] = await asyncio.gather(
        *(memory.first_time("wamid.2") for memory in (a, b, a, b))
    )
    await a.remember_options(WA_ID, ["/affirm", "/deny"])
    found["'2' on B"] = await b.take_choice(WA_ID, "2")
    found["'2' again on A"] = await a.take_choice(WA_ID, "2")
    await a.remember_options(WA_ID, ["/affirm", "/deny"])
    found["words on B"] = await b.take_choice(WA_ID, "ja hoor")
    found["'1' after words"] = await a.take_choice(WA_ID, "1")
    await a.remember_options(WA_ID, ["/affirm"])
    await b.forget_options(WA_ID)
    found["'1' after forgetting"] = await a.take_choice(WA_ID, "1")
    found["keys"] = sorted(k.decode() for k in await Redis(host=host, port=port, db=DB).keys("*"))
    found["from env"] = [
        type(memory_from_env(env)).__name__
        for env in ({}, {"HERSTEL_LOCK_STORE_HOST": host, "HERSTEL_LOCK_STORE_PORT": str(port)})
    ]
    for memory in (a, b):
        await memory.close()
    return found


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(sys.argv[1], int(sys.argv[2])))))
