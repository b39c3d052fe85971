"""`herstel journeys export`: recovery moments as JSON lines."""

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from herstel.cli import main
from herstel.money import Money
from journeys.db import create_engine_for, migrate
from journeys.moments import GestureGiven, MomentStore, RecoveryMoment

MOMENT = RecoveryMoment(
    case_id="100482:late_delivery:abc",
    customer_id="cus_0001",
    order_number="100482",
    complaint_type="late_delivery",
    carrier_evidence="out_for_delivery",
    carrier_status_code="7",
    hours_late=1.1,
    gestures=(GestureGiven("voucher", Money.of("10"), "HRST-AAAA-BBBB"),),
    decided_by="bot",
    mandate_version="ce74d1b104bc",
    language="nl",
    channel="webchat",
    created_at=datetime(2026, 11, 22, 12, 0, tzinfo=UTC),
)


async def _store_one(url: str) -> None:
    await migrate(url)
    engine = create_engine_for(url)
    try:
        await MomentStore(engine).record(MOMENT)
        await MomentStore(engine).record(MOMENT)  # recorded once per case
    finally:
        await engine.dispose()


def test_export_writes_one_json_line_per_recovery_moment(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("HERSTEL_VAR_DIR", str(tmp_path))
    url = f"sqlite+aiosqlite:///{tmp_path / 'herstel.db'}"
    with ThreadPoolExecutor(1) as thread:  # its own event loop, away from pytest-asyncio's
        thread.submit(asyncio.run, _store_one(url)).result()
    assert main(["journeys", "export", "--format", "jsonl"]) == 0
    out, err = capsys.readouterr()
    [line] = out.splitlines()
    moment = json.loads(line)
    assert moment["amount"] == {"minor": 1000, "currency": "EUR"}
    assert moment["gestures"] == [
        {"kind": "voucher", "amount_minor": 1000, "ref": "HRST-AAAA-BBBB"}
    ]
    assert moment["language"] == "nl" and moment["mandate_version"] == "ce74d1b104bc"
    assert "1 recovery moment(s)" in err


def test_a_bad_since_is_refused_with_a_clear_message(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("HERSTEL_VAR_DIR", str(tmp_path))
    assert main(["journeys", "export", "--since", "a while"]) == 2
    assert "--since" in capsys.readouterr().err
