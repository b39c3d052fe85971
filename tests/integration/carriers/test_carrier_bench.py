"""The benchmark runs end to end and reports both configurations."""

from __future__ import annotations

import re

import pytest

from carriers.bench import main

pytestmark = pytest.mark.integration


async def test_the_bench_reports_rate_and_p95_with_and_without_the_cache(
    capsys: pytest.CaptureFixture[str],
) -> None:
    await main(seconds=0.2, max_lookups=40, concurrency=2)

    lines = capsys.readouterr().out.splitlines()
    results = [line for line in lines if re.search(r"\d+ lookups .*/s .*p95 .* ms", line)]
    assert [line.split("  ")[0] for line in results] == ["adapter", "adapter + cache"]
    assert all(int(re.search(r"(\d+) lookups", line)[1]) > 0 for line in results)  # type: ignore[index]
