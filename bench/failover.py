"""A dead primary and a live backup: what the circuit breaker saves.

A 10-slide topic deck through a real server on loopback, whose backup is the loopback LLM server
(`tests/support/fake_llm.py`) writing 200 tokens/s after 100 ms, first with the backup as the only
provider, then behind a primary that answers every call with HTTP 503. Prints the calls that reached
the dead primary (limit 6: without a breaker it was three per call, 30) and the deck's time against
the backup's alone (limit 1.15: without a breaker 1.4).

Usage: python bench/failover.py [--slides N] [--runs N]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from deckgen.v1 import presentation_service_pb2 as spb  # noqa: E402
from tests.support.deck_model import DeckModel  # noqa: E402
from tests.support.fake_llm import FakeLLMServer, Reply  # noqa: E402
from tests.support.servers import running_server, server_settings  # noqa: E402

LIMITS = {"primary_calls": 6.0, "time_ratio": 1.15}


async def deck_seconds(overrides: dict[str, str], slides: int, runs: int) -> list[float]:
    """Seconds per deck, each run on a fresh server (so each starts with a closed circuit)."""
    times = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as storage:
            settings = server_settings(Path(storage), LOG_LEVEL="ERROR", CACHE_ENABLED="false", **overrides)
            async with running_server(settings) as server:
                request = spb.GeneratePresentationRequest(topic="Failover", slide_count=slides)
                started = time.perf_counter()
                events = [event async for event in server.stub.GeneratePresentation(request, timeout=120)]
                times.append(time.perf_counter() - started)
                assert events[-1].HasField("completed"), events[-1]
    return times


async def main(slides: int, runs: int) -> int:
    with FakeLLMServer() as backup, FakeLLMServer() as dead:
        backup.responder = DeckModel(ttft=0.1, tokens_per_second=200).respond
        dead.responder = lambda request: Reply(status=503)
        alone = await deck_seconds({"OPENAI_BASE_URL": backup.base_url}, slides, runs)
        behind = await deck_seconds(
            {"OPENAI_BASE_URL": dead.base_url, "LLM_BACKUP_BASE_URLS": backup.base_url}, slides, runs
        )
        primary_calls = len(dead.chat_requests) / runs
    figures = {
        "primary_calls": primary_calls,
        "time_ratio": statistics.median(behind) / statistics.median(alone),
    }
    print(
        f"backup alone {statistics.median(alone):.2f} s, behind a dead primary "
        f"{statistics.median(behind):.2f} s; calls to the dead primary per deck {primary_calls:.1f}"
    )
    for name, value in figures.items():
        print(f"{name}: {value:.2f} (limit {LIMITS[name]:.2f}, ratio {value / LIMITS[name]:.2f})")
    return 0 if all(figures[name] <= LIMITS[name] for name in LIMITS) else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--slides", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    arguments = parser.parse_args()
    raise SystemExit(asyncio.run(main(arguments.slides, arguments.runs)))
