"""PPTX files are written in worker processes (RENDER_PROCESSES), off the server's event loop: the
file comes out as the in-thread writer makes it, a worker that dies is replaced, and workers do not
outlive a server that was killed."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import hashlib
import multiprocessing
import os
import signal
import time
from collections.abc import AsyncIterator
from multiprocessing.process import BaseProcess
from pathlib import Path

import grpc
import pytest

from deckgen.render import RenderPool
from deckgen.v1 import presentation_pb2 as pb
from deckgen.v1 import presentation_service_pb2 as spb
from deckgen.v1 import presentation_service_pb2_grpc as spb_grpc
from tests.api.test_generate_presentation import download, generate, markdown_source
from tests.support.decks import kinds, open_deck
from tests.support.servers import RunningServer, running_server, server_settings, start_child_server


@pytest.fixture
async def pooled(tmp_path: Path) -> AsyncIterator[RunningServer]:
    settings = server_settings(tmp_path / "pooled", RENDER_PROCESSES="1", CACHE_ENABLED="false")
    async with running_server(settings) as running:
        yield running


@pytest.fixture
async def threaded(tmp_path: Path) -> AsyncIterator[RunningServer]:
    settings = server_settings(tmp_path / "threaded", RENDER_PROCESSES="0", CACHE_ENABLED="false")
    async with running_server(settings) as running:
        yield running


def request(examples: Path) -> spb.GeneratePresentationRequest:
    return spb.GeneratePresentationRequest(
        sources=[markdown_source(examples)], slide_count=8, output_formats=[pb.ARTIFACT_FORMAT_PPTX]
    )


async def pptx_of(server: RunningServer, events: list[spb.GenerationEvent]) -> bytes:
    artifact = next(e.artifact.artifact for e in events if e.HasField("artifact"))
    _, data = await download(server, artifact.name)
    return data


def workers() -> list[BaseProcess]:
    return [child for child in multiprocessing.active_children() if child.pid != os.getpid()]


async def test_a_worker_process_writes_the_same_file_as_a_thread(
    pooled: RunningServer, threaded: RunningServer, examples: Path
) -> None:
    before = {child.pid for child in workers()}
    pooled_events = await generate(pooled, request(examples))
    threaded_events = await generate(threaded, request(examples))

    assert kinds(pooled_events)[-1] == "completed"
    assert {child.pid for child in workers()} - before, "no render worker process was started"
    pooled_file = await pptx_of(pooled, pooled_events)
    threaded_file = await pptx_of(threaded, threaded_events)
    assert hashlib.sha256(pooled_file).digest() == hashlib.sha256(threaded_file).digest()
    assert len(open_deck(pooled_file).slides) == 8


async def test_a_render_worker_that_died_is_replaced(pooled: RunningServer, examples: Path) -> None:
    before = {child.pid for child in workers()}
    assert kinds(await generate(pooled, request(examples)))[-1] == "completed"
    started = [child for child in workers() if child.pid not in before]
    assert started
    for child in started:
        assert child.pid is not None
        os.kill(child.pid, signal.SIGKILL)
        child.join(timeout=10)
    await asyncio.sleep(0.5)  # the pool notices its worker is gone

    events = await generate(pooled, request(examples))

    assert kinds(events)[-1] == "completed"
    assert len(open_deck(await pptx_of(pooled, events)).slides) == 8


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        with contextlib.suppress(OSError):
            found.extend(int(child) for child in task.read_text().split())
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _gone(pids: list[int], timeout: float) -> list[int]:
    """Waits up to `timeout` s for the processes to end; those still alive."""
    deadline = time.monotonic() + timeout
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.2)
    return [pid for pid in pids if _alive(pid)]


async def test_render_workers_end_with_a_killed_server(tmp_path: Path, examples: Path) -> None:
    child = start_child_server({"STORAGE_DIR": str(tmp_path), "RENDER_PROCESSES": "1"})
    try:
        async with grpc.aio.insecure_channel(child.target) as channel:
            stub = spb_grpc.PresentationServiceStub(channel)
            events = [event async for event in stub.GeneratePresentation(request(examples), timeout=60)]
        assert kinds(events)[-1] == "completed"
        pids = _children(child.process.pid)
        assert pids, "the server started no render worker"
    finally:
        child.stop(kill=True)  # no shutdown: nothing tells the workers to stop
    assert await asyncio.to_thread(_gone, pids, 30.0) == [], "render workers outlived their server"


async def test_a_warmed_worker_leaves_its_start_up_heap_out_of_collections() -> None:
    # What warming loaded (python-pptx, lxml, fonts, the template) lives as long as the worker: a
    # full collection walking it again for every few decks is CPU each deck pays.
    pool = RenderPool(1)
    try:
        await pool.start()
        # One worker takes its calls in turn: this one runs after the warm-up.
        frozen, threshold = await asyncio.get_running_loop().run_in_executor(pool._pool(), _heap_settings)
    finally:
        await pool.aclose()
    assert frozen > 10_000, frozen
    assert threshold[0] >= 10_000, threshold


def _heap_settings() -> tuple[int, tuple[int, int, int]]:
    return gc.get_freeze_count(), gc.get_threshold()
