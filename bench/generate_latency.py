"""Latency of a whole generation on the embedded engine, through a real server on loopback.

Usage: python bench/generate_latency.py [--runs N] [--slides N]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

import grpc

from deckgen.config import load_settings
from deckgen.server import create_server, set_serving
from deckgen.v1 import presentation_service_pb2 as spb
from deckgen.v1 import presentation_service_pb2_grpc as spb_grpc

ROOT = Path(__file__).resolve().parents[1]
# Targets for the embedded engine on 2 cores; a deck should feel instant.
LIMITS = {
    "first_slide_p95_ms": 150.0,
    "total_p95_ms": 1500.0,
    "cpu_per_deck_ms": 1200.0,
    "cached_total_p95_ms": 800.0,
}


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


async def one_deck(
    stub: spb_grpc.PresentationServiceStub, request: spb.GeneratePresentationRequest
) -> tuple[float, float]:
    start = time.perf_counter()
    first_slide = 0.0
    async for event in stub.GeneratePresentation(request):
        if event.HasField("slide") and not first_slide:
            first_slide = time.perf_counter() - start
    return first_slide * 1000, (time.perf_counter() - start) * 1000


async def measure(runs: int, slides: int, cache: bool) -> tuple[list[float], list[float], float]:
    with tempfile.TemporaryDirectory() as storage:
        settings = load_settings(
            {
                "ENVIRONMENT": "test",
                "STORAGE_DIR": storage,
                "LOG_LEVEL": "ERROR",
                "CACHE_ENABLED": str(cache).lower(),
            }
        )
        server, port, app = await create_server(settings)
        await server.start()
        await set_serving(app, True)
        content = (ROOT / "examples" / "intro-to-grpc.md").read_bytes()
        request = spb.GeneratePresentationRequest(
            sources=[
                spb.SourceDocument(name="intro-to-grpc.md", media_type="text/markdown", content=content)
            ],
            slide_count=slides,
        )
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = spb_grpc.PresentationServiceStub(channel)
            await one_deck(stub, request)  # warm-up: imports, font loading, caches
            cpu_before = time.process_time()
            results = [await one_deck(stub, request) for _ in range(runs)]
            cpu = (time.process_time() - cpu_before) * 1000 / runs
        await server.stop(0)
    return [r[0] for r in results], [r[1] for r in results], cpu


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--slides", type=int, default=10)
    args = parser.parse_args()
    first, total, cpu = asyncio.run(measure(args.runs, args.slides, cache=False))
    _, cached_total, _ = asyncio.run(measure(args.runs, args.slides, cache=True))
    figures = {
        "first_slide_p95_ms": percentile(first, 0.95),
        "total_p95_ms": percentile(total, 0.95),
        "cpu_per_deck_ms": cpu,
        "cached_total_p95_ms": percentile(cached_total, 0.95),
    }
    print(f"{args.slides}-slide deck from intro-to-grpc.md, {args.runs} runs, embedded engine, one process")
    print(
        f"  first slide p50 {statistics.median(first):7.1f} ms   total p50 {statistics.median(total):7.1f} ms"
    )
    worst = 0.0
    for name, value in figures.items():
        ratio = value / LIMITS[name]
        worst = max(worst, ratio)
        print(f"  {name:<22} {value:8.1f}   limit {LIMITS[name]:7.1f}   ratio {ratio:4.2f}")
    return 0 if worst <= 1.0 else 1


if __name__ == "__main__":
    sys.exit(main())
