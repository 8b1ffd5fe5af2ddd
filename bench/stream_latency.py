"""Streaming latency with a model: the real server (own process) against the loopback LLM server.

The LLM writes 50 tokens/s after 300 ms to first token. For a 10-slide deck the script prints the
time to the first slide event, the total, the physical limit (the outline's duration plus the
longest slide's, as the LLM server logged them) and total/limit; how long after the LLM server
finished writing each slide its event reached the client; and the service's CPU time per deck.

Usage: python bench/stream_latency.py [--runs N] [--slides N] [--rate TOKENS_PER_S] [--ttft S]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import grpc

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from deckgen.v1 import presentation_pb2 as pb  # noqa: E402
from deckgen.v1 import presentation_service_pb2 as spb  # noqa: E402
from deckgen.v1 import presentation_service_pb2_grpc as spb_grpc  # noqa: E402
from tests.support.deck_model import DeckModel, slide_number, task_of  # noqa: E402
from tests.support.fake_llm import FakeLLMServer  # noqa: E402
from tests.support.servers import start_child_server  # noqa: E402

# Targets from the issues: close to physics, well under the one-call generators' ~41 s; with a terse
# plan (issue 14) the whole deck within 12 s and its first slide within 2 s.
LIMITS = {"ratio_total_to_limit": 1.10, "total_s": 12.0, "first_slide_s": 2.0, "slide_event_lag_ms": 20.0}
API_KEY = "sk-bench"


@dataclass
class Run:
    first_slide_s: float
    first_written_slide_s: float
    total_s: float
    limit_s: float
    lags_ms: list[float]
    cpu_ms: float
    outline_s: float
    longest_slide_s: float


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def one_deck(target: str, llm: FakeLLMServer, pid: int, slides: int, run: int) -> Run:
    llm.reset()
    llm.responder = MODEL.respond
    request = spb.GeneratePresentationRequest(topic=f"Latency budgets, take {run}", slide_count=slides)
    arrivals: list[tuple[float, spb.GenerationEvent]] = []
    cpu_before = cpu_seconds(pid)
    async with grpc.aio.insecure_channel(target) as channel:
        stub = spb_grpc.PresentationServiceStub(channel)
        start = time.time()
        async for event in stub.GeneratePresentation(request, timeout=120):
            arrivals.append((time.time(), event))
    cpu = cpu_seconds(pid) - cpu_before
    assert arrivals[-1][1].HasField("completed"), arrivals[-1][1]
    calls = llm.chat_requests
    outline = next(r for r in calls if task_of(r) == "outline")
    written = {slide_number(r): r for r in calls if task_of(r) == "slide"}
    assert outline.finished_at is not None and all(r.finished_at for r in written.values())
    outline_s = outline.finished_at - outline.received_at
    longest = max((r.finished_at or 0) - r.received_at for r in written.values())
    slide_events = [(t, e) for t, e in arrivals if e.HasField("slide")]
    lags = []
    for arrived, event in slide_events:
        call = written.get(event.slide.slide.index + 1)
        if call is not None and call.finished_at is not None:
            lags.append((arrived - call.finished_at) * 1000)
    model_slides = [t for t, e in slide_events if e.slide.slide.layout != pb.LAYOUT_TITLE]
    return Run(
        first_slide_s=slide_events[0][0] - start,
        first_written_slide_s=min(model_slides) - start,
        total_s=arrivals[-1][0] - start,
        limit_s=outline_s + longest,
        lags_ms=lags,
        cpu_ms=cpu * 1000,
        outline_s=outline_s,
        longest_slide_s=longest,
    )


MODEL = DeckModel()


def main() -> int:
    global MODEL
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--slides", type=int, default=10)
    parser.add_argument("--rate", type=float, default=50.0, help="tokens per second")
    parser.add_argument("--ttft", type=float, default=0.3, help="seconds to first token")
    args = parser.parse_args()
    MODEL = DeckModel(ttft=args.ttft, tokens_per_second=args.rate)
    with tempfile.TemporaryDirectory() as storage, FakeLLMServer(api_key=API_KEY) as llm:
        child = start_child_server(
            {
                "STORAGE_DIR": storage,
                "OPENAI_BASE_URL": llm.base_url,
                "OPENAI_API_KEY": API_KEY,
                "CACHE_ENABLED": "false",
                "LOG_LEVEL": "WARNING",
            }
        )
        try:
            target = f"127.0.0.1:{child.port}"
            asyncio.run(one_deck(target, llm, child.process.pid, 3, 0))  # warm-up: imports, fonts, pools
            runs = [
                asyncio.run(one_deck(target, llm, child.process.pid, args.slides, n + 1))
                for n in range(args.runs)
            ]
        finally:
            child.stop()
    print(
        f"{args.slides}-slide deck from a topic, {args.runs} runs; loopback LLM at {args.rate:g} tokens/s, "
        f"{args.ttft * 1000:.0f} ms to first token; server in its own process"
    )
    for n, run in enumerate(runs, start=1):
        print(
            f"  run {n}: first slide event {run.first_slide_s:5.2f} s (first written slide "
            f"{run.first_written_slide_s:5.2f} s), total {run.total_s:5.2f} s, limit {run.limit_s:5.2f} s "
            f"(outline {run.outline_s:4.2f} + longest slide {run.longest_slide_s:4.2f}), "
            f"max slide lag {max(run.lags_ms):5.1f} ms, CPU {run.cpu_ms:5.0f} ms"
        )
    figures = {
        "ratio_total_to_limit": max(r.total_s / r.limit_s for r in runs),
        "total_s": max(r.total_s for r in runs),
        "first_slide_s": max(r.first_slide_s for r in runs),
        "slide_event_lag_ms": max(max(r.lags_ms) for r in runs),
    }
    print(f"  service CPU per deck (median): {statistics.median(r.cpu_ms for r in runs):.0f} ms")
    worst = 0.0
    for name, value in figures.items():
        ratio = value / LIMITS[name]
        worst = max(worst, ratio)
        print(f"  {name:<22} {value:8.3f}   limit {LIMITS[name]:7.2f}   ratio {ratio:4.2f}")
    return 0 if worst <= 1.0 else 1


if __name__ == "__main__":
    sys.exit(main())
