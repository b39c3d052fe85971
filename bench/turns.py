"""Turn latency and throughput of our assistant against Rasa's `rasa init` reference bot."""

from __future__ import annotations

import asyncio
import statistics
import subprocess
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import aiohttp

from herstel.launcher import Ports, Stack, free_port
from herstel.model import ensure_model
from herstel.rasa_env import rasa_command, rasa_environ
from herstel.settings import ROOT

OURS = ["my parcel still hasn't arrived, order 100482", "3512 JE", "thanks"]
REFERENCE = ["hello", "I am sad", "yes"]
ROUNDS = {1: 30, 10: 8}  # conversations per worker, by concurrency


@dataclass(frozen=True)
class Figures:
    p50_ms: float
    p95_ms: float
    turns_per_s: float

    def row(self, label: str) -> str:
        return (
            f"{label:<34} p50 {self.p50_ms:7.1f} ms   p95 {self.p95_ms:7.1f} ms   "
            f"{self.turns_per_s:6.1f} turns/s"
        )


async def _converse(
    session: aiohttp.ClientSession, url: str, script: list[str], rounds: int
) -> list[float]:
    latencies = []
    for _ in range(rounds):
        sender = uuid.uuid4().hex
        for text in script:
            start = time.perf_counter()
            async with session.post(url, json={"sender": sender, "message": text}) as response:
                await response.read()
                response.raise_for_status()
            latencies.append(time.perf_counter() - start)
    return latencies


async def measure(rasa_url: str, script: list[str], concurrency: int) -> Figures:
    url = f"{rasa_url}/webhooks/rest/webhook"
    async with aiohttp.ClientSession() as session:
        await _converse(session, url, script, 2)  # warm up caches and lazy loading
        start = time.perf_counter()
        runs = await asyncio.gather(
            *(_converse(session, url, script, ROUNDS[concurrency]) for _ in range(concurrency))
        )
        elapsed = time.perf_counter() - start
    latencies = sorted(x for run in runs for x in run)
    p95 = latencies[int(0.95 * (len(latencies) - 1))]
    return Figures(statistics.median(latencies) * 1000, p95 * 1000, len(latencies) / elapsed)


def reference_model(workdir: Path) -> Path:
    """`rasa init`'s assistant, trained once into var/bench/reference."""
    model = workdir / "models" / "reference.tar.gz"
    if not model.exists():
        print("Creating and training the `rasa init` reference assistant...", flush=True)
        workdir.mkdir(parents=True, exist_ok=True)
        env = rasa_environ(ROOT)
        subprocess.run(
            rasa_command(ROOT, "init", "--no-prompt", "--init-dir", str(workdir)),
            cwd=workdir,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        subprocess.run(
            rasa_command(ROOT, "train", "--fixed-model-name", "reference", "--out", "models"),
            cwd=workdir,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return model


def serve_reference(workdir: Path, model: Path, port: int) -> subprocess.Popen[bytes]:
    """Served the way ours is: REST channel, API on, conversations in a SQLite tracker store."""
    endpoints = workdir / "bench-endpoints.yml"
    endpoints.write_text(
        f"tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: {workdir / 'tracker.db'}\n"
    )
    log = (workdir / "rasa.log").open("ab")
    args = ["run", "--enable-api", "--interface", "127.0.0.1", "--port", str(port)]
    args += ["--model", str(model), "--endpoints", str(endpoints)]
    return subprocess.Popen(
        rasa_command(ROOT, *args),
        cwd=workdir,
        env=rasa_environ(ROOT),
        stdout=log,
        stderr=subprocess.STDOUT,
    )


async def wait_until_up(url: str, within: float = 180) -> None:
    deadline = time.monotonic() + within
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            try:
                async with session.get(url) as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.5)
    raise RuntimeError(f"{url} did not come up within {within}s")


def main() -> None:
    workdir = ROOT / "var" / "bench" / "reference"
    results: dict[tuple[str, int], Figures] = {}
    model = ensure_model(ROOT)
    with Stack(Ports.free(), var_dir=ROOT / "var" / "bench" / "ours", model=model) as stack:
        for concurrency in ROUNDS:
            results["ours", concurrency] = asyncio.run(
                measure(stack.url("rasa"), OURS, concurrency)
            )
    ref_model, port = reference_model(workdir), free_port()
    proc = serve_reference(workdir, ref_model, port)
    try:
        asyncio.run(wait_until_up(f"http://127.0.0.1:{port}/"))
        for concurrency in ROUNDS:
            results["reference", concurrency] = asyncio.run(
                measure(f"http://127.0.0.1:{port}", REFERENCE, concurrency)
            )
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    print("\nTurn latency over the REST channel (late-delivery conversation vs `rasa init` bot)")
    for concurrency in ROUNDS:
        ours, ref = results["ours", concurrency], results["reference", concurrency]
        print(ours.row(f"herstel, {concurrency} conversation(s)"))
        print(ref.row(f"reference, {concurrency} conversation(s)"))
        print(
            f"  ratio ours/reference: p50 {ours.p50_ms / ref.p50_ms:.2f}, "
            f"throughput {ref.turns_per_s / ours.turns_per_s:.2f} (target <= 1.0)"
        )
