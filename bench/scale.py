"""Scaling on one Redis: decks per second with 1, 2 and 3 server processes, the latency each event
gains on the Redis path, and time to first slide with and without Redis.

Usage: python bench/scale.py [--seconds S] [--redis URL] [--rounds N] [--first-slide-only]

Every process is `deckgen serve` (API and worker) on the embedded engine, sharing one Redis: a
redis-server of the benchmark's own (so its CPU and command counts are the decks' alone), or the one
at --redis (under a key prefix of its own, removed at the end). Clients spread over the processes.
Prints each figure and its ratio to the issue's target (a ratio <= 1 meets it), and what one deck
costs Redis: how many decks per second one Redis core would sustain.

Time to first slide: a server with in-process coordination and one on Redis run side by side in
this process, their decks alternating (so that other load on the machine weighs on both alike); the
ratio is the median of --rounds rounds' ratios. --first-slide-only skips the rest.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import grpc
import redis.asyncio as redis
from grpc_health.v1 import health_pb2, health_pb2_grpc

from deckgen.config import load_settings
from deckgen.domain._events import Progress, Stage
from deckgen.providers.queue import EventLog, MemoryEventLog
from deckgen.providers.redis import Keys, RedisEventLog, connect
from deckgen.server import build_app, close_adapters, create_server, set_serving
from deckgen.v1 import presentation_service_pb2 as spb
from deckgen.v1 import presentation_service_pb2_grpc as spb_grpc

ROOT = Path(__file__).resolve().parents[1]
TARGETS = {"efficiency_min": 0.8, "added_p99_ms": 5.0, "first_slide_ratio_max": 1.10}
FIRST_SLIDE_RUNS = 10
"""Decks each way in one round of the time-to-first-slide comparison."""


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def request() -> spb.GeneratePresentationRequest:
    content = (ROOT / "examples" / "intro-to-grpc.md").read_bytes()
    source = spb.SourceDocument(name="intro-to-grpc.md", media_type="text/markdown", content=content)
    return spb.GeneratePresentationRequest(sources=[source], slide_count=8)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def wait_serving(target: str) -> None:
    deadline = time.monotonic() + 180  # a loaded machine starts processes slowly
    async with grpc.aio.insecure_channel(target) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        while True:
            try:
                reply = await stub.Check(health_pb2.HealthCheckRequest(service="readiness"), timeout=2)
                if reply.status == health_pb2.HealthCheckResponse.SERVING:
                    return
            except grpc.aio.AioRpcError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{target} did not become ready")
            await asyncio.sleep(0.2)


@asynccontextmanager
async def processes(count: int, redis_url: str, prefix: str, storage: str) -> AsyncIterator[list[str]]:
    ports = [free_port() for _ in range(count)]
    children = []
    for port in ports:
        env = {
            **os.environ,
            "ENVIRONMENT": "test",
            "API_PORT": str(port),
            "API_HOST": "127.0.0.1",
            "REDIS_URL": redis_url,
            "REDIS_KEY_PREFIX": prefix,
            # Shared state needs one resume-token key on every replica.
            "RESUME_TOKEN_SECRET": "bench-scale-resume-token-secret",
            "STORAGE_DIR": storage,
            "METRICS_ENABLED": "false",
            "EXPORT_ENABLED": "false",
            "CACHE_ENABLED": "false",
            "LOG_LEVEL": "ERROR",
            "MAX_QUEUED_GENERATIONS": "10000",
            # One core per process: with a render worker each, one process already keeps both cores
            # busy, and the efficiency would measure the machine, not what sharing Redis costs.
            "RENDER_PROCESSES": os.environ.get("RENDER_PROCESSES", "0"),
        }
        command = [sys.executable, "-m", "deckgen.cli", "serve"]
        children.append(
            await asyncio.create_subprocess_exec(
                *command, cwd=ROOT, env=env, stderr=asyncio.subprocess.DEVNULL
            )
        )
    targets = [f"127.0.0.1:{port}" for port in ports]
    try:
        await asyncio.gather(*(wait_serving(t) for t in targets))
        yield targets
    finally:
        for child in children:
            child.terminate()
        for child in children:
            await asyncio.wait_for(child.wait(), 30)


async def redis_cost(client: redis.Redis) -> tuple[int, float]:
    """Commands processed and CPU seconds used by the Redis server so far."""
    stats = await client.info("stats")
    cpu = await client.info("cpu")
    return int(stats["total_commands_processed"]), float(cpu["used_cpu_sys"]) + float(cpu["used_cpu_user"])


@asynccontextmanager
async def private_redis() -> AsyncIterator[str]:
    port = free_port()
    server = await asyncio.create_subprocess_exec(
        "redis-server",
        *("--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"),
        stdout=asyncio.subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    try:
        probe = redis.Redis.from_url(url)
        for _ in range(100):
            try:
                await probe.ping()
                break
            except redis.ConnectionError:
                await asyncio.sleep(0.05)
        await probe.aclose()
        yield url
    finally:
        server.terminate()
        await server.wait()


async def decks_per_second(targets: list[str], seconds: float, per_process: int) -> tuple[float, int]:
    channels = [grpc.aio.insecure_channel(t) for t in targets]
    stubs = [spb_grpc.PresentationServiceStub(c) for c in channels]
    done = 0
    stop = time.monotonic() + seconds

    async def client(stub: spb_grpc.PresentationServiceStub) -> None:
        nonlocal done
        while time.monotonic() < stop:
            events = [e async for e in stub.GeneratePresentation(request(), timeout=120)]
            if events[-1].HasField("completed") and time.monotonic() <= stop:
                done += 1

    # Warm-up: imports, fonts and connections in every process.
    await asyncio.gather(*(client_once(stub) for stub in stubs))
    stop = time.monotonic() + seconds
    started = time.monotonic()
    await asyncio.gather(*(client(stub) for stub in stubs for _ in range(per_process)))
    for channel in channels:
        await channel.close()
    return done / (min(time.monotonic(), stop) - started), done


async def client_once(stub: spb_grpc.PresentationServiceStub) -> None:
    async for _ in stub.GeneratePresentation(request(), timeout=120):
        pass


async def event_latency(log: EventLog, count: int) -> list[float]:
    """Milliseconds from the start of an append to the reader holding the event."""
    stream = uuid.uuid4().hex
    await log.create(stream)
    sent: dict[int, float] = {}
    seen: list[float] = []

    async def read() -> None:
        async for event in log.read(stream):
            seen.append((time.perf_counter() - sent[event.sequence]) * 1000)
            if len(seen) == count:
                return

    reader = asyncio.create_task(read())
    await asyncio.sleep(0.05)
    for index in range(count):
        sent[index + 1] = time.perf_counter()
        await log.append(stream, Progress(Stage.SLIDES, index / count, f"slide {index}"))
        await asyncio.sleep(0.002)  # paced like a fast generation, so reads block and wake
    await reader
    await log.delete(stream)
    return seen


@asynccontextmanager
async def first_slide_server(redis_url: str, prefix: str, storage: str) -> AsyncIterator[str]:
    """A server in this process (in-process coordination, or Redis's with `redis_url`)."""
    environ = {
        "ENVIRONMENT": "test",
        "STORAGE_DIR": storage,
        "LOG_LEVEL": "ERROR",
        "CACHE_ENABLED": "false",
        "METRICS_ENABLED": "false",
        "API_PORT": "0",
    }
    if redis_url:
        environ |= {
            "REDIS_URL": redis_url,
            "REDIS_KEY_PREFIX": prefix,
            "RESUME_TOKEN_SECRET": "bench-scale-resume-token-secret",
        }
    settings = load_settings(environ)
    app = build_app(settings)
    server, port, app = await create_server(settings, app)
    await server.start()
    await set_serving(app, True)
    try:
        yield f"127.0.0.1:{port}"
    finally:
        await server.stop(0)
        await close_adapters(app)


async def first_slide_once(stub: spb_grpc.PresentationServiceStub) -> float:
    """Milliseconds from the call to its first slide (the rest of the deck is read, untimed)."""
    start = time.perf_counter()
    took = 0.0
    async for event in stub.GeneratePresentation(request()):
        if event.HasField("slide") and not took:
            took = (time.perf_counter() - start) * 1000
    return took


async def first_slide_ratios(
    redis_url: str, prefix: str, storage: str, rounds: int, runs: int
) -> list[float]:
    """Ratios Redis / in-process of the median time to first slide, one per round.

    Both servers run side by side and their decks alternate, so that whatever else the machine
    does weighs on both alike; the median of several rounds steadies the ratio further.
    """
    ratios: list[float] = []
    local_all: list[float] = []
    shared_all: list[float] = []
    async with (
        first_slide_server("", "", storage) as local_target,
        first_slide_server(redis_url, prefix, storage) as shared_target,
        grpc.aio.insecure_channel(local_target) as local_channel,
        grpc.aio.insecure_channel(shared_target) as shared_channel,
    ):
        local = spb_grpc.PresentationServiceStub(local_channel)
        shared = spb_grpc.PresentationServiceStub(shared_channel)
        for stub in (local, shared, local, shared):
            await client_once(stub)  # warm-up: imports, fonts, connections
        for round_number in range(rounds):
            local_times: list[float] = []
            shared_times: list[float] = []
            for run in range(runs):
                # Which goes first alternates too: a deck slowed by the one before it is not always
                # the same side's.
                order = ((local, local_times), (shared, shared_times))
                for stub, times in order if run % 2 == 0 else order[::-1]:
                    times.append(await first_slide_once(stub))
            ratio = statistics.median(shared_times) / statistics.median(local_times)
            ratios.append(ratio)
            local_all += local_times
            shared_all += shared_times
            print(
                f"  round {round_number + 1}: in-process {statistics.median(local_times):.1f} ms, "
                f"redis {statistics.median(shared_times):.1f} ms, ratio {ratio:.2f} "
                f"(load average {load_average()})"
            )
    print(
        f"time to first slide p50 over {len(local_all)} decks each: in-process "
        f"{statistics.median(local_all):.1f} ms, redis {statistics.median(shared_all):.1f} ms"
    )
    return ratios


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


async def scaling(seconds: float, redis_url: str, prefix: str, storage: str, client: redis.Redis) -> None:
    """Decks per second with 1, 2 and 3 processes, what a deck costs Redis, what an event gains."""
    cores = os.cpu_count() or 1
    render = os.environ.get("RENDER_PROCESSES", "0")
    print(
        f"decks per second (embedded engine, 8 slides, {cores} cores, {seconds:.0f} s each, "
        f"RENDER_PROCESSES={render}), load average {load_average()}"
    )
    rates: dict[int, float] = {}
    commands = cpu = 0.0
    decks = 0
    for count in (1, 2, 3):
        async with processes(count, redis_url, f"{prefix}{count}:", storage) as targets:
            before = await redis_cost(client)
            rates[count], finished = await decks_per_second(targets, seconds, per_process=3)
            after = await redis_cost(client)
            commands += after[0] - before[0]
            cpu += after[1] - before[1]
            decks += finished
        efficiency = rates[count] / (rates[1] * count)
        print(
            f"  {count} process(es): {rates[count]:6.2f} decks/s  efficiency {efficiency:4.2f} "
            f"(target >= {TARGETS['efficiency_min']} up to {cores} processes; "
            f"ratio {TARGETS['efficiency_min'] / efficiency:4.2f})"
        )

    if decks:
        per_deck_ms = cpu * 1000 / decks
        print(
            f"Redis per deck: {commands / decks:.0f} commands, {per_deck_ms:.2f} ms CPU "
            f"(one Redis core: ~{1000 / max(per_deck_ms, 1e-6):.0f} decks/s; includes the "
            "warm-up decks and blocked reads)"
        )

    shared = connect(redis_url)
    redis_log = RedisEventLog(shared, Keys(prefix), retention=60, lifetime=60)
    memory = await event_latency(MemoryEventLog(), 2000)
    remote = await event_latency(redis_log, 2000)
    await shared.aclose()
    for name, values in (("in-process", memory), ("redis", remote)):
        p50, p99 = percentile(values, 0.5), percentile(values, 0.99)
        print(f"event append -> reader, {name:10}: p50 {p50:6.3f} ms  p99 {p99:6.3f} ms")
    added_p50 = percentile(remote, 0.5) - percentile(memory, 0.5)
    added_p99 = percentile(remote, 0.99) - percentile(memory, 0.99)
    print(
        f"added by Redis per event: p50 {added_p50:.3f} ms  p99 {added_p99:.3f} ms "
        f"(target <= {TARGETS['added_p99_ms']} ms; ratio {added_p99 / TARGETS['added_p99_ms']:.2f})"
    )


async def main(seconds: float, redis_url: str, rounds: int, first_slide_only: bool) -> int:
    if not redis_url:
        async with private_redis() as url:
            return await measure(seconds, url, rounds, first_slide_only)
    return await measure(seconds, redis_url, rounds, first_slide_only)


async def measure(seconds: float, redis_url: str, rounds: int, first_slide_only: bool) -> int:
    prefix = f"bench-{uuid.uuid4().hex}:"
    client = redis.Redis.from_url(redis_url)
    try:
        with tempfile.TemporaryDirectory() as storage:
            if not first_slide_only:
                await scaling(seconds, redis_url, prefix, storage, client)
            print(f"time to first slide: {rounds} round(s) of {FIRST_SLIDE_RUNS} decks each way, alternating")
            ratios = await first_slide_ratios(redis_url, f"{prefix}ttfs:", storage, rounds, FIRST_SLIDE_RUNS)
            ratio = statistics.median(ratios)
            print(
                f"time to first slide, redis / in-process: median of the rounds' ratios {ratio:.2f} "
                f"(target <= {TARGETS['first_slide_ratio_max']}; "
                f"ratio to target {ratio / TARGETS['first_slide_ratio_max']:.2f}), "
                f"load average {load_average()}"
            )
    finally:
        keys = [key async for key in client.scan_iter(match=f"{prefix}*", count=1000)]
        if keys:
            await client.delete(*keys)
        await client.aclose()
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--redis", default="", help="an existing Redis; default: one of the bench's own")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of the time-to-first-slide ratio")
    parser.add_argument(
        "--first-slide-only", action="store_true", help="measure only the time to first slide"
    )
    args = parser.parse_args()
    raise SystemExit(asyncio.run(main(args.seconds, args.redis, args.rounds, args.first_slide_only)))
