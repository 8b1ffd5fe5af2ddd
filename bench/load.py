"""The service's own cost: CPU per deck, load that should add no latency, memory, cold start.

The server runs in its own process (tests/support/child_server.py, the real serve loop) and the
loopback model in another (bench/_model.py, tests/support/fake_llm.py paced like a real model), so
the CPU figures are the server's own, read from /proc/<pid>/stat: the server process and every
process below it (the render workers), as is its memory. Each scenario prints its figures
and their ratio to the limit (<= 1.00 is within the target); the exit status is non-zero when any
ratio is above 1.

Scenarios (pick with --scenario, several allowed; each runs in about a minute or less):
  cpu         model-written 10-slide decks one after another: server CPU per deck (PPTX only)
  embedded    embedded-engine 10-slide decks one after another: server CPU per deck
  render      a 20-slide deck of every layout to PPTX, in this process
  concurrent  --decks model-written decks at once after one alone: errors, p50/p99 total and its
              ratio to the deck alone, p99 delay from a slide's last model token to its event,
              RSS per in-flight deck beyond the idle baseline
  embedded-concurrent  --decks embedded decks at once (limits raised): errors, p99 first slide
  cold-start  process start to health SERVING
  long-document  decks of a ~200 KB document one by one: the latency of a cheap call meanwhile

Usage: python bench/load.py [--scenario NAME ...] [--decks N] [--runs N] [--rate T] [--ttft S] [--distinct]
       [--threads]
Wall-clock figures depend on what else runs on the machine: the load average is printed with them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from deckgen.v1 import presentation_pb2 as pb  # noqa: E402
from deckgen.v1 import presentation_service_pb2 as spb  # noqa: E402
from deckgen.v1 import presentation_service_pb2_grpc as spb_grpc  # noqa: E402
from tests.support.servers import ChildServer, start_child_server  # noqa: E402

API_KEY = "sk-bench"
LIMITS = {
    "cpu_per_model_deck_ms": 100.0,
    "cpu_per_embedded_deck_ms": 40.0,
    "render_20_slides_pptx_ms": 80.0,
    "concurrent_errors": 0.0,
    "concurrent_p99_total_to_alone": 1.25,
    "concurrent_p99_slide_lag_ms": 50.0,
    "rss_per_inflight_deck_mib": 1.0,
    "embedded_concurrent_errors": 0.0,
    "embedded_concurrent_p99_first_slide_s": 1.0,
    "cold_start_s": 1.5,
    "long_document_p99_call_ms": 50.0,
}
SOURCE = ROOT / "examples" / "intro-to-grpc.md"
SERVER_LOG = Path(tempfile.gettempdir()) / "deckgen-bench-server.log"
"""What the last server wrote to stderr (warnings and errors), for a run that went wrong."""
PPTX_ONLY = [pb.ARTIFACT_FORMAT_PPTX]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))] if ordered else float("nan")


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found.extend(int(child) for child in task.read_text().split())
        except OSError:
            continue
    return found


def process_tree(pid: int) -> list[int]:
    """`pid` and every process below it (the server's render workers)."""
    tree: list[int] = []
    pending = [pid]
    while pending:
        current = pending.pop()
        tree.append(current)
        pending.extend(_children(current))
    return tree


def cpu_seconds(pid: int) -> float:
    """CPU of `pid` and of its descendants, living (their own counters) or reaped (its cutime)."""
    total = 0.0
    for member in process_tree(pid):
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(value) for value in fields[11:15]) / os.sysconf("SC_CLK_TCK")
    return total


def thread_times(pid: int) -> dict[str, tuple[float, int]]:
    """Per thread of `pid` and its descendants: CPU seconds (schedstat, in ns) and times it went to
    sleep of its own accord (its wakes), keyed "process:name", the server's own loop thread as
    "server:loop" (threads of one name, gRPC's event engine's say, summed)."""
    found: dict[str, tuple[float, int]] = {}
    for member in process_tree(pid):
        for task in Path(f"/proc/{member}/task").glob("*"):
            try:
                name = (task / "comm").read_text().strip()
                ns = int((task / "schedstat").read_text().split()[0])
                status = (task / "status").read_text()
            except OSError:
                continue
            wakes = int(status.split("\nvoluntary_ctxt_switches:")[1].split()[0])
            process = "server" if member == pid else "worker"
            key = "server:loop" if task.name == str(pid) else f"{process}:{name}"
            seconds, count = found.get(key, (0.0, 0))
            found[key] = (seconds + ns / 1e9, count + wakes)
    return found


def rss_mib(pid: int) -> float:
    """Resident memory of `pid` and its descendants."""
    total = 0.0
    for member in process_tree(pid):
        try:
            status = Path(f"/proc/{member}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1]) / 1024
    return total


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


# -- processes ---------------------------------------------------------------------------------------


class Model:
    """bench/_model.py in its own process."""

    def __init__(self, rate: float, ttft: float) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable,
                str(ROOT / "bench" / "_model.py"),
                str(rate),
                str(ttft),
                API_KEY,
                *(["distinct"] if DISTINCT else []),
            ],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line.startswith("PORT "):
            self.process.kill()
            raise RuntimeError(f"the model did not start: {line!r}")
        self.base_url = f"http://127.0.0.1:{int(line.split()[1])}/v1"

    def _ask(self, command: str) -> str:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        return self.process.stdout.readline()

    def records(self) -> list[dict[str, object]]:
        records: list[dict[str, object]] = json.loads(self._ask("records"))
        return records

    def connections(self) -> int:
        """Connections the model has accepted so far."""
        return int(self._ask("connections"))

    def reset(self) -> None:
        self._ask("reset")

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)


@contextmanager
def server(extra: dict[str, str]) -> Iterator[ChildServer]:
    with tempfile.TemporaryDirectory() as storage:
        child = start_child_server(
            {
                "STORAGE_DIR": storage,
                "CACHE_ENABLED": "false",
                "EXPORT_ENABLED": "false",
                "LOG_LEVEL": "WARNING",
                "METRICS_ENABLED": "false",
                **extra,
            }
        )
        try:
            yield child
        finally:
            child.stop()
            SERVER_LOG.write_text(child.output)


@contextmanager
def model_server(
    rate: float, ttft: float, extra: dict[str, str] | None = None
) -> Iterator[tuple[Model, ChildServer]]:
    model = Model(rate, ttft)
    try:
        env = {"OPENAI_BASE_URL": model.base_url, "OPENAI_API_KEY": API_KEY, **(extra or {})}
        with server(env) as child:
            yield model, child
    finally:
        model.close()


# -- one deck ----------------------------------------------------------------------------------------


@dataclass
class Deck:
    topic: str
    first_slide_s: float = float("nan")
    total_s: float = float("nan")
    error: str = ""
    slides: list[tuple[int, float]] = field(default_factory=list)
    """(slide index, wall-clock arrival) of every slide event."""


def model_request(topic: str, slides: int = 10) -> spb.GeneratePresentationRequest:
    return spb.GeneratePresentationRequest(topic=topic, slide_count=slides, output_formats=PPTX_ONLY)


DISTINCT = False
"""--distinct: every embedded deck's document differs (a numbered line at its end), and the model
writes words of its own in every slide (bench/_model.py), so that nothing one deck parsed, planned
or measured serves the next, as with real callers' documents and real models' slides."""


def embedded_request(slides: int = 10, number: int = 0) -> spb.GeneratePresentationRequest:
    content = SOURCE.read_bytes()
    if DISTINCT:
        content += f"\n\nThis copy is number {number} of the benchmark's documents.\n".encode()
    source = spb.SourceDocument(name=SOURCE.name, media_type="text/markdown", content=content)
    return spb.GeneratePresentationRequest(sources=[source], slide_count=slides, output_formats=PPTX_ONLY)


async def one_deck(stub: spb_grpc.PresentationServiceStub, request: spb.GeneratePresentationRequest) -> Deck:
    deck = Deck(request.topic)
    start = time.perf_counter()
    wall = time.time() - start
    completed = False
    try:
        async for event in stub.GeneratePresentation(request, timeout=300):
            now = time.perf_counter()
            if event.HasField("slide"):
                if not deck.slides:
                    deck.first_slide_s = now - start
                deck.slides.append((event.slide.slide.index, wall + now))
            completed = completed or event.HasField("completed")
        deck.total_s = time.perf_counter() - start
        if not completed:
            deck.error = "the stream ended without a completed event"
    except grpc.aio.AioRpcError as error:
        deck.error = f"{error.code().name}: {error.details()}"
    return deck


async def decks(
    target: str, requests: list[spb.GeneratePresentationRequest], per_channel: int = 50
) -> list[Deck]:
    channels = [grpc.aio.insecure_channel(target) for _ in range(0, len(requests), per_channel)]
    try:
        stubs = [spb_grpc.PresentationServiceStub(c) for c in channels]
        return await asyncio.gather(*(one_deck(stubs[i // per_channel], r) for i, r in enumerate(requests)))
    finally:
        for channel in channels:
            await channel.close()


PROFILE: str = ""
PROFILE_OPTIONS: list[str] = []
THREADS = False
"""--threads: the cpu and embedded scenarios also print each thread's CPU and wakes per deck."""
IDLE_SAMPLE_S = 5.0
"""Seconds over which the cpu scenario measures what the server spends with no deck at all."""


@contextmanager
def profiled(pid: int) -> Iterator[None]:
    """With --profile PATH: py-spy samples the server meanwhile (.svg: flame graph, else collapsed stacks)."""
    if not PROFILE:
        yield
        return
    kind = "flamegraph" if PROFILE.endswith(".svg") else "raw"
    # Without stopping the server for each sample: stopped a thousand times a second, its threads
    # wake for it, and the deck's CPU figure grows tenfold.
    command = ["py-spy", "record", "--nonblocking", "--pid", str(pid), *PROFILE_OPTIONS]
    spy = subprocess.Popen(
        [*command, "--format", kind, "--output", PROFILE],
        stdout=subprocess.DEVNULL,
    )
    try:
        time.sleep(1.0)  # py-spy attaches
        yield
    finally:
        spy.send_signal(2)
        spy.wait(timeout=60)


def cpu_per_deck(
    child: ChildServer, make: Callable[[int], spb.GeneratePresentationRequest], runs: int
) -> tuple[float, list[Deck]]:
    pid = child.process.pid
    asyncio.run(decks(child.target, [make(0)]))  # warm-up: imports, fonts, connection pools
    with profiled(pid):
        before, threads = cpu_seconds(pid), thread_times(pid) if THREADS else {}
        results = [asyncio.run(decks(child.target, [make(n + 1)]))[0] for n in range(runs)]
        cpu = cpu_seconds(pid) - before
    if THREADS:
        after = thread_times(pid)
        for key, (seconds, wakes) in sorted(after.items(), key=lambda item: -item[1][0]):
            start = threads.get(key, (0.0, 0))
            spent = (seconds - start[0]) * 1000 / runs
            if spent >= 0.05:
                print(f"  thread {key:<28} {spent:7.2f} ms, {(wakes - start[1]) / runs:6.1f} wakes per deck")
    return cpu * 1000 / runs, results


def idle_cpu_per_s(pid: int) -> float:
    """CPU seconds a second the server spends with no deck at all (gRPC's timers, the service's
    periodic checks), from every thread's schedstat (ns): the process's tick counters are too coarse."""

    def spent() -> float:
        return sum(seconds for seconds, _ in thread_times(pid).values())

    start = spent()
    time.sleep(IDLE_SAMPLE_S)
    return (spent() - start) / IDLE_SAMPLE_S


def slide_lags_ms(results: list[Deck], records: list[dict[str, object]]) -> list[float]:
    finished = {
        (r["topic"], r["slide"]): float(r["finished_at"])  # type: ignore[arg-type]
        for r in records
        if r["task"] == "slide" and r["finished_at"] is not None
    }
    lags = []
    for deck in results:
        for index, arrived in deck.slides:
            done = finished.get((deck.topic, index + 1))
            if done is not None:
                lags.append((arrived - done) * 1000)
    return lags


# -- scenarios ---------------------------------------------------------------------------------------


def scenario_cpu(args: argparse.Namespace) -> dict[str, float]:
    with model_server(args.rate, args.ttft) as (model, child):
        opened = model.connections()
        cpu, results = cpu_per_deck(
            child, lambda n: model_request(f"CPU per deck, take {n}", args.slides), args.runs
        )
        connections = (model.connections() - opened) / args.runs
        # A lone deck keeps the server up for seconds, and its CPU includes that much of this.
        idle = idle_cpu_per_s(child.process.pid) * statistics.mean(d.total_s for d in results) * 1000
    errors = [d.error for d in results if d.error]
    assert not errors, errors
    print(
        f"cpu: {args.runs} model-written {args.slides}-slide decks one after another "
        f"({args.rate:g} tokens/s, TTFT {args.ttft * 1000:.0f} ms): server CPU {cpu:.0f} ms per deck; "
        f"total {statistics.median(d.total_s for d in results):.2f} s, first slide "
        f"{statistics.median(d.first_slide_s for d in results):.2f} s (median)"
    )
    # Counted in the figure all the same: a lone deck is billed for the seconds it keeps the server up.
    print(f"  of which the server spends idle over as long: {idle:.1f} ms (its timers, decks or not)")
    print(f"  connections the server opened to the model: {connections:.1f} per deck")
    return {"cpu_per_model_deck_ms": cpu}


def scenario_embedded(args: argparse.Namespace) -> dict[str, float]:
    with server({"CONTENT_ENGINE": "embedded"}) as child:
        runs = max(args.runs, 10)
        cpu, results = cpu_per_deck(child, lambda n: embedded_request(args.slides, n), runs)
    assert not [d.error for d in results if d.error]
    print(
        f"embedded: {runs} embedded {args.slides}-slide decks one after another: server CPU {cpu:.1f} ms "
        f"per deck; total {statistics.median(d.total_s for d in results) * 1000:.0f} ms (median)"
    )
    return {"cpu_per_embedded_deck_ms": cpu}


def scenario_render(args: argparse.Namespace) -> dict[str, float]:
    from bench.render import deck as every_layout
    from deckgen import render
    from tests.render.decks import IMAGE_URI, png

    theme, images, source = render.get_theme("default"), {IMAGE_URI: png()}, every_layout()
    render.render_pptx(source, theme, images)  # warm-up: fonts and imports
    times = []
    for _ in range(max(args.runs, 5)):
        started = time.process_time()
        render.render_pptx(source, theme, images)
        times.append((time.process_time() - started) * 1000)
    print(
        f"render: 20 slides of every layout to PPTX: {statistics.median(times):.0f} ms CPU "
        f"(median of {len(times)})"
    )
    return {"render_20_slides_pptx_ms": statistics.median(times)}


def scenario_concurrent(args: argparse.Namespace) -> dict[str, float]:
    # Not written back to `args`: with --scenario all, embedded-concurrent ran 100 decks, not 500.
    count = args.decks or 100
    extra = {"MAX_CONCURRENT_GENERATIONS": str(count * 2), "LLM_CONCURRENCY": "10"}
    with model_server(args.rate, args.ttft, extra) as (model, child):
        pid = child.process.pid
        asyncio.run(decks(child.target, [model_request("Warm-up deck", 3)]))
        alone = asyncio.run(decks(child.target, [model_request("One deck alone", args.slides)]))[0]
        assert not alone.error, alone.error
        time.sleep(0.5)
        idle_rss = rss_mib(pid)
        peak_rss = idle_rss
        sampling = True

        async def sample() -> None:
            nonlocal peak_rss
            while sampling:
                peak_rss = max(peak_rss, rss_mib(pid))
                await asyncio.sleep(0.1)

        async def burst() -> tuple[list[Deck], float]:
            nonlocal sampling
            sampler = asyncio.create_task(sample())
            model_before = cpu_seconds(model.process.pid)
            client_before = time.process_time()
            before = cpu_seconds(pid)
            requests = [model_request(f"Concurrent deck {n}", args.slides) for n in range(count)]
            with profiled(pid):
                results = await decks(child.target, requests)
            cpu = cpu_seconds(pid) - before
            model_cpu.append(cpu_seconds(model.process.pid) - model_before)
            client_cpu.append(time.process_time() - client_before)
            sampling = False
            await sampler
            return results, cpu

        model_cpu: list[float] = []
        client_cpu: list[float] = []
        started = time.perf_counter()
        results, cpu = asyncio.run(burst())
        elapsed = time.perf_counter() - started
        lags = slide_lags_ms(results, model.records())
    errors = [d.error for d in results if d.error]
    totals = [d.total_s for d in results if not d.error]
    firsts = [d.first_slide_s for d in results if not d.error]
    p99 = percentile(totals, 0.99)
    print(
        f"concurrent: {count} model-written {args.slides}-slide decks at once "
        f"({args.rate:g} tokens/s, TTFT {args.ttft * 1000:.0f} ms), load average {load_average()}\n"
        f"  alone: total {alone.total_s:.2f} s, first slide {alone.first_slide_s:.2f} s\n"
        f"  errors {len(errors)}{': ' + errors[0] if errors else ''}\n"
        f"  total p50 {percentile(totals, 0.5):.2f} s, p99 {p99:.2f} s; first slide p50 "
        f"{percentile(firsts, 0.5):.2f} s, p99 {percentile(firsts, 0.99):.2f} s\n"
        f"  slide lag (last model token -> event) p50 {percentile(lags, 0.5):.1f} ms, "
        f"p99 {percentile(lags, 0.99):.1f} ms over {len(lags)} slides; the ten longest: "
        f"{', '.join(f'{lag:.0f}' for lag in sorted(lags)[-10:])} ms\n"
        f"  server CPU {cpu * 1000 / count:.0f} ms per deck; RSS idle {idle_rss:.0f} MiB, peak "
        f"{peak_rss:.0f} MiB\n"
        # The loopback model is Python too: when it needs more than its share of the cores, the
        # latencies measure the model, not the service.
        f"  cores busy over the burst: server {cpu / elapsed:.2f}, model {model_cpu[0] / elapsed:.2f}, "
        f"this client {client_cpu[0] / elapsed:.2f}"
    )
    return {
        "concurrent_errors": float(len(errors)),
        "concurrent_p99_total_to_alone": p99 / alone.total_s,
        "concurrent_p99_slide_lag_ms": percentile(lags, 0.99),
        "rss_per_inflight_deck_mib": (peak_rss - idle_rss) / count,
    }


async def probed(target: str, work: Awaitable[list[Deck]]) -> tuple[list[Deck], list[float]]:
    """`work`, while a cheap call (ListThemes) is made every 20 ms on its own channel: its latency is
    how long anything the event loop has to do (an event to send) waits behind the CPU work."""
    delays: list[float] = []
    done = asyncio.Event()

    async def probe() -> None:
        async with grpc.aio.insecure_channel(target) as channel:
            stub = spb_grpc.PresentationServiceStub(channel)
            await stub.ListThemes(spb.ListThemesRequest(), timeout=30)
            while not done.is_set():
                started = time.perf_counter()
                await stub.ListThemes(spb.ListThemesRequest(), timeout=30)
                delays.append((time.perf_counter() - started) * 1000)
                await asyncio.sleep(0.02)

    prober = asyncio.create_task(probe())
    try:
        results = await work
    finally:
        done.set()
        await prober
    return results, delays


def scenario_embedded_concurrent(args: argparse.Namespace) -> dict[str, float]:
    count = args.decks or 500
    with server({"CONTENT_ENGINE": "embedded", "MAX_CONCURRENT_GENERATIONS": str(count * 2)}) as child:
        asyncio.run(decks(child.target, [embedded_request(args.slides)]))
        pid = child.process.pid
        before = cpu_seconds(pid)
        requests = [embedded_request(args.slides, n + 1) for n in range(count)]
        with profiled(pid):
            results, delays = asyncio.run(probed(child.target, decks(child.target, requests)))
        cpu = cpu_seconds(pid) - before
    errors = [d.error for d in results if d.error]
    firsts = [d.first_slide_s for d in results if not d.error]
    totals = [d.total_s for d in results if not d.error]
    print(
        f"embedded-concurrent: {count} embedded {args.slides}-slide decks at once, load average "
        f"{load_average()}\n  errors {len(errors)}{': ' + errors[0] if errors else ''}; first slide p50 "
        f"{percentile(firsts, 0.5):.2f} s, p99 {percentile(firsts, 0.99):.2f} s; total p99 "
        f"{percentile(totals, 0.99):.2f} s; server CPU {cpu * 1000 / count:.0f} ms per deck\n"
        f"  a cheap call meanwhile (ListThemes, {len(delays)} calls): p50 {percentile(delays, 0.5):.1f} ms, "
        f"p99 {percentile(delays, 0.99):.1f} ms, max {max(delays, default=float('nan')):.1f} ms"
    )
    return {
        "embedded_concurrent_errors": float(len(errors)),
        "embedded_concurrent_p99_first_slide_s": percentile(firsts, 0.99),
    }


LONG_DOCUMENT = ROOT / "tests" / "content" / "corpus" / "handbook.md"


def scenario_long_document(args: argparse.Namespace) -> dict[str, float]:
    """Decks of a long document (the corpus handbook eight times, ~200 KB) one after another while a
    cheap call is made every 20 ms: parsing, planning and writing such a deck is hundreds of
    milliseconds of CPU, and none of it may hold up what the event loop sends meanwhile."""
    text = LONG_DOCUMENT.read_bytes() * 8
    runs = max(args.runs, 3)

    def request(number: int) -> spb.GeneratePresentationRequest:
        content = text + f"\n\nCopy number {number}.\n".encode()
        source = spb.SourceDocument(name=LONG_DOCUMENT.name, media_type="text/markdown", content=content)
        return spb.GeneratePresentationRequest(sources=[source], slide_count=20, output_formats=PPTX_ONLY)

    async def one_by_one(target: str) -> list[Deck]:
        return [(await decks(target, [request(n + 1)]))[0] for n in range(runs)]

    with server({"CONTENT_ENGINE": "embedded"}) as child:
        asyncio.run(decks(child.target, [request(0)]))
        before = cpu_seconds(child.process.pid)
        results, delays = asyncio.run(probed(child.target, one_by_one(child.target)))
        cpu = cpu_seconds(child.process.pid) - before
    assert not [d.error for d in results if d.error], [d.error for d in results]
    print(
        f"long-document: {runs} 20-slide decks of a {len(text) // 1024} KB document one after another, "
        f"load average {load_average()}: server CPU {cpu * 1000 / runs:.0f} ms per deck, total "
        f"{statistics.median(d.total_s for d in results):.2f} s (median)\n"
        f"  a cheap call meanwhile (ListThemes, {len(delays)} calls): p50 {percentile(delays, 0.5):.1f} ms, "
        f"p99 {percentile(delays, 0.99):.1f} ms, max {max(delays, default=float('nan')):.1f} ms"
    )
    return {"long_document_p99_call_ms": percentile(delays, 0.99)}


async def serving(target: str, deadline: float) -> None:
    async with grpc.aio.insecure_channel(target) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        while time.perf_counter() < deadline:
            try:
                reply = await stub.Check(health_pb2.HealthCheckRequest(), timeout=1)
                if reply.status == health_pb2.HealthCheckResponse.SERVING:
                    return
            except grpc.aio.AioRpcError:
                pass
            await asyncio.sleep(0.005)
    raise TimeoutError("the server never reported SERVING")


def scenario_cold_start(args: argparse.Namespace) -> dict[str, float]:
    times = []
    for _ in range(max(args.runs, 3)):
        started = time.perf_counter()
        with server({"CONTENT_ENGINE": "embedded"}) as child:
            asyncio.run(serving(child.target, started + 30))
            times.append(time.perf_counter() - started)
    print(f"cold-start: process start to SERVING {statistics.median(times):.2f} s (median of {len(times)})")
    return {"cold_start_s": statistics.median(times)}


SCENARIOS = {
    "cpu": scenario_cpu,
    "embedded": scenario_embedded,
    "render": scenario_render,
    "concurrent": scenario_concurrent,
    "embedded-concurrent": scenario_embedded_concurrent,
    "cold-start": scenario_cold_start,
    "long-document": scenario_long_document,
}


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scenario", action="append", choices=[*SCENARIOS, "all"], default=None)
    parser.add_argument(
        "--decks",
        type=int,
        default=0,
        help="decks at once (default: concurrent 100, embedded-concurrent 500)",
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--slides", type=int, default=10)
    parser.add_argument("--rate", type=float, default=50.0, help="model tokens per second")
    parser.add_argument("--ttft", type=float, default=0.3, help="model seconds to first token")
    parser.add_argument("--profile", default="", help="py-spy output for the server (.svg or collapsed)")
    parser.add_argument(
        "--distinct",
        action="store_true",
        help="another document for every embedded deck, new words in every model-written slide",
    )
    parser.add_argument("--profile-rate", type=int, default=200, help="py-spy samples per second")
    parser.add_argument(
        "--profile-gil",
        action="store_true",
        help="sample only the thread holding the GIL: Python's CPU, without idle threads' waits",
    )
    parser.add_argument(
        "--profile-workers", action="store_true", help="also sample the server's render workers"
    )
    parser.add_argument(
        "--threads", action="store_true", help="cpu and embedded: each thread's CPU and wakes per deck"
    )
    args = parser.parse_args()
    global PROFILE, DISTINCT, THREADS
    PROFILE = args.profile
    DISTINCT = args.distinct
    THREADS = args.threads
    PROFILE_OPTIONS[:] = [
        "--rate",
        str(args.profile_rate),
        *(["--gil"] if args.profile_gil else []),
        *(["--subprocesses"] if args.profile_workers else []),
    ]
    chosen = args.scenario or ["cpu", "embedded", "render", "cold-start"]
    if "all" in chosen:
        chosen = list(SCENARIOS)
    print(f"load average {load_average()} on {os.cpu_count()} cores")
    figures: dict[str, float] = {}
    for name in chosen:
        figures.update(SCENARIOS[name](args))
    worst = 0.0
    for name, value in figures.items():
        limit = LIMITS[name]
        ratio = value / limit if limit else (0.0 if value == 0 else float("inf"))
        worst = max(worst, ratio)
        print(f"  {name:<40} {value:9.3f}   limit {limit:7.2f}   ratio {ratio:5.2f}")
    return 0 if worst <= 1.0 else 1


if __name__ == "__main__":
    sys.exit(main())
