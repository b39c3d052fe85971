"""`herstel journeys export|report|flush`: the moments as JSON lines, the report, the outbox."""

import asyncio
import json
import sqlite3
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

from herstel.cli import main
from journeys.db import VERSION_TABLE, alembic_config, create_engine_for, migrate
from journeys.generate import generate_moments
from journeys.moments import MomentStore
from journeys.outbox import Outbox
from policies.replay import read_records
from tests.support.moments import LAPTOP, SHOWER_OIL
from tests.unit.journeys.before_0005 import insert_old, old_and_new

ROOT = Path(__file__).resolve().parents[3]


def _in_thread(work: Callable[[], Awaitable[None]]) -> None:
    with ThreadPoolExecutor(1) as thread:  # its own event loop, away from pytest-asyncio's
        thread.submit(asyncio.run, work()).result()


def _store(folder: Path, moments: list, scores: tuple = ()) -> None:
    url = f"sqlite+aiosqlite:///{folder / 'herstel.db'}"

    async def work() -> None:
        await migrate(url)
        engine = create_engine_for(url)
        try:
            store = MomentStore(engine)
            await store.record_many(moments)
            for case, scale, score in scores:
                await store.add_score(case, scale, score)
        finally:
            await engine.dispose()

    _in_thread(work)


@pytest.fixture
def var_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HERSTEL_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("HERSTEL_DATABASE_URL", raising=False)
    return tmp_path


def test_export_writes_one_json_line_per_recovery_moment(var_dir, capsys):
    _store(var_dir, [LAPTOP, LAPTOP])  # recorded once per case
    assert main(["journeys", "export", "--format", "jsonl"]) == 0
    out, err = capsys.readouterr()
    [line] = out.splitlines()
    moment = json.loads(line)
    assert moment["amount"] == {"minor": 1000, "currency": "EUR"}
    assert moment["gestures"] == [
        {"kind": "voucher", "amount_minor": 1000, "ref": "HRST-AAAA-BBBB"}
    ]
    assert moment["language"] == "nl" and moment["mandate_version"] == "ce74d1b104bc"
    assert moment["customer_turns"] == 4 and moment["seconds_to_resolution"] == 180.0
    assert 0 <= moment["effectiveness"] <= 1 and moment["journey_id"]
    assert "1 recovery moment(s)" in err


def test_a_bad_since_is_refused_with_a_clear_message(var_dir, capsys):
    assert main(["journeys", "export", "--since", "a while"]) == 2
    assert "--since" in capsys.readouterr().err
    assert main(["journeys", "report", "--since", "a while"]) == 2


def test_the_policy_simulator_replays_the_export_file(var_dir, capsys):
    moments = [LAPTOP, SHOWER_OIL, *generate_moments(40, seed=5)]
    _store(var_dir, moments, [(LAPTOP.case_id, "csat", 9)])
    assert main(["journeys", "export", "--format", "jsonl"]) == 0
    exported = var_dir / "moments.jsonl"
    exported.write_text(capsys.readouterr().out)
    records = {r.case_id: r for r in read_records(exported)}
    assert len(records) == len(moments)
    laptop, oil = records[LAPTOP.case_id], records[SHOWER_OIL.case_id]
    assert (laptop.complaint_type, laptop.hours_late, laptop.carrier_evidence) == (
        "late_delivery", 1.1, "out_for_delivery"
    )  # fmt: skip
    assert laptop.order_value.minor == 89_900 and laptop.segment == "regular"
    assert (laptop.gesture, laptop.amount.minor, laptop.decided_by) == ("voucher", 1000, "bot")
    assert (oil.damage_extent, oil.segment, oil.channel) == ("partial", "vip", "whatsapp")
    assert (oil.gesture, oil.decided_by, oil.demand.minor) == ("replacement", "agent", 1000)
    stricter = ROOT / "policies" / "examples" / "stricter.yml"
    args = ["policies", "simulate", str(stricter), "--cases", str(exported), "--format", "json"]
    assert main(args) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["cases"] == len(moments)


def test_the_report_as_tables_and_as_json(var_dir, capsys):
    moments = [replace(m, nps=m.nps if m.nps is not None else 7) for m in generate_moments(300)]
    _store(var_dir, moments)
    assert main(["journeys", "report"]) == 0
    text = capsys.readouterr().out
    for heading in ("Recovery moments", "late delivery", "decided by bot", "consumption",
                    "Moments of truth", "complaint handling", "Outbox: 0 waiting"):  # fmt: skip
        assert heading in text
    assert main(["journeys", "report", "--format", "json", "--min-answers", "5"]) == 0
    report = json.loads(capsys.readouterr().out)
    overall = report["recovery_moments"]["overall"]
    assert overall["moments"] == 300
    assert overall["nps_answers"] == 300
    assert sum(g["moments"] for g in report["recovery_moments"]["by_complaint"].values()) == 300
    truth = {t["type"]: t for t in report["moments_of_truth"]}
    assert truth["complaint_handling"]["touchpoints"] == 300
    assert truth["complaint_handling"]["quadrant"] != "unknown"
    assert report["thresholds"]["min_answers"] == 5
    assert report["outbox"] == {"pending": 0, "dead": 0}


def test_flush_writes_what_the_outbox_holds(var_dir, capsys):
    _store(var_dir, [])
    _in_thread(lambda: Outbox.in_var_dir(var_dir).put_moment(LAPTOP))
    assert main(["journeys", "flush"]) == 0
    assert "1 moment(s) and 0 score(s) written" in capsys.readouterr().out
    assert main(["journeys", "export"]) == 0
    assert LAPTOP.case_id in capsys.readouterr().out


def test_backfill_gives_old_moments_their_journeys_and_can_run_again(var_dir, capsys):
    url = f"sqlite+aiosqlite:///{var_dir / 'herstel.db'}"
    old, _ = old_and_new()

    async def before_0005() -> None:
        await migrate(url, "0004")
        engine = create_engine_for(url)
        try:
            await insert_old(engine, old)
        finally:
            await engine.dispose()

    _in_thread(before_0005)
    assert main(["journeys", "backfill", "--batch", "50"]) == 0  # migrates first
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        "50 of 120 moment(s) backfilled (41%)",
        "100 of 120 moment(s) backfilled (83%)",
        "120 of 120 moment(s) backfilled (100%)",
        "done: 120 moment(s) now have their journey, touchpoints and 3E's",
    ]
    assert main(["journeys", "export"]) == 0
    exported = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(exported) == len(old) and all(m["journey_id"] for m in exported)
    assert main(["journeys", "backfill"]) == 0
    assert capsys.readouterr().out == "nothing to backfill: every moment has its journey\n"
    assert main(["journeys", "backfill", "--batch", "0"]) == 2


def test_migrate_brings_an_empty_store_up_to_date_and_is_safe_to_repeat(var_dir, capsys):
    assert main(["journeys", "migrate"]) == 0
    assert main(["journeys", "migrate"]) == 0
    assert capsys.readouterr().out.count("The journey store is up to date.") == 2
    with sqlite3.connect(var_dir / "herstel.db") as db:
        [(version,)] = db.execute(f"SELECT version_num FROM {VERSION_TABLE}").fetchall()
    assert version == ScriptDirectory.from_config(alembic_config()).get_current_head()
