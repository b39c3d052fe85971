"""The CX dashboard in a real browser: scores and quadrants, watching a new moment arrive, and
a draft mandate replayed on the recorded moments.

Debian's Chromium driven by Playwright, as in test_browser.py, against a real desk process
(`python -m desk`) over a journey store filled through MomentStore; no Rasa is needed.
"""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from herstel.bootstrap import prepare
from herstel.clock import SystemClock
from herstel.launcher import free_port
from herstel.money import Money
from herstel.settings import ROOT, Settings
from journeys.db import create_engine_for
from journeys.moment import RecoveryMoment
from journeys.moments import MomentStore
from tests.support.browser import Console
from tests.support.drafts import CAP_BELOW_BOT, generous_draft
from tests.support.moments import SHOWER_OIL, moment

pytestmark = pytest.mark.e2e

TWO_DAYS_AGO = datetime.now(UTC) - timedelta(days=2)
# Twelve pleased laptop customers who recommend the shop and twelve left unresolved who do
# not: enough NPS answers on both sides to place complaint handling in a quadrant.
PLEASED = [
    replace(moment(n, csat=10, ces=7, nps=10), created_at=TWO_DAYS_AGO + timedelta(minutes=n))
    for n in range(10, 22)
]
UNRESOLVED = [
    replace(
        moment(n, resolved=False, csat=2, ces=1, nps=0),
        created_at=TWO_DAYS_AGO + timedelta(minutes=n),
    )
    for n in range(22, 34)
]
LATE_LAPTOPS = len(PLEASED) + len(UNRESOLVED)


def in_a_thread(work: Coroutine[Any, Any, Any]) -> Any:
    # Playwright's sync API keeps an event loop in this thread: run ours in another.
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, work).result()


async def record(url: str, *moments: RecoveryMoment) -> None:
    engine = create_engine_for(url)
    try:
        store = MomentStore(engine)
        for m in moments:
            await store.record(m)
    finally:
        await engine.dispose()


@dataclass
class Desk:
    url: str
    database_url: str


@contextmanager
def running_desk(var_dir: Path, token: str = "") -> Iterator[Desk]:
    """`python -m desk` on a free loopback port over var_dir's (prepared) journey store."""
    port = free_port()
    env = dict(os.environ, HERSTEL_VAR_DIR=str(var_dir), PYTHONPATH=str(ROOT))
    env.update(HERSTEL_DASHBOARD_TOKEN=token, HERSTEL_SLACK_BOT_TOKEN="")
    log_path = var_dir / "desk.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "desk", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_for(f"{url}/health", process, log_path)
            yield Desk(url, Settings(var_dir=var_dir).journey_db_url)
        finally:
            process.terminate()
            process.wait(10)


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    """A desk over a journey store holding 24 late laptops from two days ago."""
    var_dir = tmp_path_factory.mktemp("var-dashboard")
    settings = Settings(var_dir=var_dir)
    in_a_thread(prepare(settings, SystemClock()))
    in_a_thread(record(settings.journey_db_url, *PLEASED, *UNRESOLVED))
    with running_desk(var_dir) as running:
        yield running


def _wait_for(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the desk stopped:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the desk did not answer on {url}:\n{log.read_text()}")


def test_the_manager_sees_scores_and_quadrants_and_watches_a_new_moment_arrive(
    desk: Desk,
    page: Page,
    tmp_path: Path,
):
    console = Console(page)
    page.goto(f"{desk.url}/dashboard")
    expect(page.locator("#updated")).to_contain_text("Updated")
    expect(page.locator("#mandate-in-force")).to_contain_text("Mandate in force: default")
    recovery = page.locator('.tile[data-score="Recovery score"]')
    expect(recovery.locator(".tile-note")).to_have_text(f"{LATE_LAPTOPS} recovery moments")
    for name in ("Journey score", "Effectiveness", "Ease", "Emotion", "Recovery uplift", "NPS"):
        expect(page.locator(f'.tile[data-score="{name}"] .tile-value')).to_have_text(
            re.compile(r"^[+−]?\d")
        )
    expect(page.locator('.tile[data-score="NPS"] .tile-value')).to_have_text("+0")
    amplify = page.locator('.quadrant[data-quadrant="amplify"]')
    expect(amplify).to_contain_text("complaint handling")
    expect(amplify).to_contain_text("impact +200 NPS points")
    expect(page.locator('.quadrant[data-quadrant="fix_first"]')).to_contain_text(
        "no touchpoint type here"
    )
    expect(page.locator("#unplaced")).to_contain_text("delivery")
    expect(page.locator("#cost")).to_contain_text(f"€{LATE_LAPTOPS * 10}")
    expect(page.locator("#budgets")).to_contain_text("this month: voucher")
    expect(page.locator("#recent tr[data-case-id]")).to_have_count(10)
    groups = page.locator("#groups")
    expect(groups.locator("th", has_text="in Dutch")).to_have_count(1)
    expect(groups.locator("th", has_text=re.compile(r"^mandate "))).to_have_count(1)
    page.screenshot(path=tmp_path / "dashboard.png", full_page=True)

    # Nothing in the last 24 hours: an empty state, not zeros that look like data.
    page.get_by_label("Period").select_option(label="last 24 hours")
    expect(page.locator("#empty")).to_be_visible()
    expect(page.locator("#empty")).to_contain_text("No recovery moments were recorded")
    expect(page.locator("#report")).to_be_hidden()

    # A conversation ends with a moment: the page shows it at its next refresh (10 s).
    now = datetime.now(UTC)
    oil = replace(SHOWER_OIL, case_id="100517:damaged_product:live", created_at=now)
    in_a_thread(record(desk.database_url, oil))
    expect(recovery.locator(".tile-note")).to_have_text("1 recovery moment", timeout=15_000)
    expect(page.locator("#empty")).to_be_hidden()
    expect(page.locator("#recent tr[data-case-id]")).to_have_count(1)
    expect(page.locator("#recent")).to_contain_text("replacement €24.95, treat €3.50")
    expect(page.locator("#cost")).to_contain_text("€28.45")
    page.screenshot(path=tmp_path / "dashboard-live.png", full_page=True)
    assert console.errors == []


def test_the_manager_replays_a_draft_and_sees_what_it_would_cost(
    desk: Desk,
    page: Page,
    tmp_path: Path,
):
    console = Console(page)
    page.goto(f"{desk.url}/dashboard")
    draft = page.get_by_label("Draft mandate (YAML)")
    expect(draft).to_have_value(re.compile(r"^# Herstel default mandate"))

    # Every late laptop gets €12.50 instead of €10 under the draft.
    draft.fill(generous_draft())
    page.get_by_role("button", name="Replay recorded moments").click()
    overall = page.locator("#comparison-overall")
    cost = overall.locator('tr[data-row="cost"]')
    extra = Money(250 * LATE_LAPTOPS, "EUR").format()
    expect(cost.locator("td").nth(2)).to_have_text(f"+{extra}")
    expect(page.locator("#replay-result")).to_contain_text("against draft generous")
    expect(page.locator("#replay-result")).to_contain_text("late delivery")
    page.screenshot(path=tmp_path / "dashboard-replay.png", full_page=True)

    # A draft that does not pass the check: the checker's words, no comparison.
    draft.fill(CAP_BELOW_BOT)
    page.get_by_role("button", name="Replay recorded moments").click()
    problem = page.locator("#replay-result [role=alert]")
    expect(problem).to_contain_text("the draft does not pass the check")
    expect(problem.locator("ul.errors li")).to_contain_text(
        re.compile(r"^draft:\d+: error: levels\.agent\.per_gesture\.voucher: ")
    )
    expect(page.locator("#comparison-overall")).to_have_count(0)

    page.get_by_role("button", name="Start again from the mandate in force").click()
    expect(draft).to_have_value(re.compile(r"^# Herstel default mandate"))
    # Chromium reports the refused draft's 400 as a console error; nothing else may appear.
    [refused] = console.errors
    assert "status of 400" in refused and "/dashboard/api/simulate" in refused


def test_with_a_token_the_page_asks_for_it_and_an_empty_store_shows_the_empty_state(
    tmp_path_factory: pytest.TempPathFactory,
    page: Page,
):
    var_dir = tmp_path_factory.mktemp("var-dashboard-token")
    in_a_thread(prepare(Settings(var_dir=var_dir), SystemClock()))
    console = Console(page)
    with running_desk(var_dir, token="browser-test-token") as guarded:
        page.goto(f"{guarded.url}/dashboard")
        expect(page.locator("#problem")).to_contain_text("a bearer token is required")
        expect(page.locator("#empty")).to_be_hidden()  # nothing is known yet: no empty state
        page.get_by_label("Dashboard token").fill("browser-test-token")
        page.get_by_role("button", name="Open").click()
        expect(page.locator("#empty")).to_be_visible()
        expect(page.locator("#empty")).to_contain_text("Nothing recorded yet")
        expect(page.locator("#report")).to_be_hidden()
        expect(page.locator("#problem")).to_have_text("")
        expect(page.locator("#token-form")).to_be_hidden()
        expect(page.get_by_label("Draft mandate (YAML)")).to_have_value(
            re.compile(r"^# Herstel default mandate")
        )
    # Before the token: the report and the mandate were refused (401), nothing else failed.
    assert len(console.errors) >= 2 and all("status of 401" in e for e in console.errors)
