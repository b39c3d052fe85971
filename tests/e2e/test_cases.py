"""A case is a failure, not a conversation, and the mandate is the only judge: racing
conversations on one failure, the mid-range damage a person settles, and the live decisions
`herstel policies simulate` replays exactly."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from herstel.launcher import Stack
from tests.e2e.conftest import Customer, Orders
from tests.e2e.test_escalation import buttons, card_for
from tests.support.slack_standin import SlackStandIn

pytestmark = pytest.mark.e2e

CODE = re.compile(r"je code is (HRST-\w{4}-\w{4})")


def herstel(stack: Stack, *args: str) -> str:
    env = {**os.environ, "HERSTEL_VAR_DIR": str(stack.var_dir)}
    done = subprocess.run(
        [sys.executable, "-m", "herstel.cli", *args], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def exported(stack: Stack) -> list[dict]:
    return [json.loads(line) for line in herstel(stack, "journeys", "export").splitlines()]


def test_two_conversations_racing_on_one_failure_give_one_voucher(stack: Stack, orders: Orders):
    number = orders.like("100482")
    tabs = [Customer(stack, f"race-{n}-{number}") for n in range(2)]  # two tabs, one customer
    for tab in tabs:
        tab.says("Hoi, mijn laptop zou voor 12 uur komen en hij is er nog steeds niet")
        tab.says(number)
        assert "tegoedbon van €10" in tab.says("3512 JE")
    start, replies = threading.Barrier(2), {}

    def yes(tab: Customer) -> None:
        start.wait()
        replies[tab.sender] = tab.says("ja graag")

    threads = [threading.Thread(target=yes, args=(tab,)) for tab in tabs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    codes = {m.group(1) for reply in replies.values() if (m := CODE.search(reply))}
    assert len(codes) == 1, replies  # the same voucher, whichever tab said yes first
    [moment] = [m for m in exported(stack) if m["order_number"] == number]
    assert [g["ref"] for g in moment["gestures"]] == list(codes)
    # A third tab later: told what the failure got, and nothing more.
    later = Customer(stack, f"race-later-{number}")
    later.says(f"my laptop still hasn't arrived, order {number}")
    told = later.says("3512 JE")
    assert "already put right" in told and codes.pop() in told


def test_a_damaged_order_of_150_to_500_euros_reaches_a_person_for_the_replacement(
    customer: Customer, orders: Orders, slack: SlackStandIn
):
    number = orders.like("100302")  # a desk chair of €349
    customer.says("my new desk chair arrived broken")
    customer.says(number)
    told = customer.says("2511 CV")
    assert "colleague" in told
    assert "treat" not in told.lower() and "Shall I go ahead?" not in told
    card, _ = card_for(slack, customer, number)
    assert "replacement:2" in buttons(card.blocks)
    assert "within an agent" in json.dumps(card.blocks).lower()


def test_the_live_decisions_replay_exactly_under_the_mandate_in_force(
    stack: Stack, customer: Customer, orders: Orders, tmp_path: Path
):
    number = orders.like("100302")  # on time: the facts are the answer, then the survey
    customer.says(f"my parcel {number} is late")
    assert "score" in customer.says("2511 CV")
    cases = tmp_path / "live.jsonl"
    moments = exported(stack)
    cases.write_text("".join(json.dumps(m) + "\n" for m in moments), encoding="utf-8")
    assert any(m["order_number"] == number and m["outcome"] == "facts" for m in moments)
    result = json.loads(
        herstel(stack, "policies", "simulate", "policies/default.yml", "--cases", str(cases),
                "--format", "json")
    )  # fmt: skip
    parity = result["parity"]
    assert parity["checked"] == len(moments) and parity["mismatched"] == 0, parity["examples"]
