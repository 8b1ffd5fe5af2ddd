"""Stream lifecycle: resuming after a drop, client cancellation and deadlines stop the work."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import grpc
import pytest

from deckgen.v1 import presentation_pb2 as pb
from deckgen.v1 import presentation_service_pb2 as spb
from deckgen.v1 import presentation_service_pb2_grpc as spb_grpc
from tests.support.decks import assert_gap_free
from tests.support.engines import SlowEngine
from tests.support.servers import running_server, server_settings, start_child_server
from tests.support.streams import read_rest


def source(examples: Path) -> spb.SourceDocument:
    return spb.SourceDocument(
        name="g.md", media_type="text/markdown", content=(examples / "intro-to-grpc.md").read_bytes()
    )


async def test_resume_after_a_dropped_stream_continues_without_gaps(tmp_path: Path, examples: Path) -> None:
    async with running_server(server_settings(tmp_path / "a", DETACH_GRACE="5"), SlowEngine(0.05)) as server:
        first_call = server.stub.GeneratePresentation(
            spb.GeneratePresentationRequest(sources=[source(examples)], slide_count=6)
        )
        received = []
        async for event in first_call:
            received.append(event)
            if event.HasField("slide"):
                break
        first_call.cancel()  # the connection drops mid-stream; the generation goes on for DETACH_GRACE
        await asyncio.sleep(0.2)
        resumed = [
            event
            async for event in server.stub.GeneratePresentation(
                spb.GeneratePresentationRequest(resume_token=received[-1].resume_token)
            )
        ]
        assert_gap_free(received + resumed)
        assert resumed[-1].HasField("completed")
        assert len([e for e in received + resumed if e.HasField("slide")]) == 6


async def test_a_second_reader_keeps_the_generation_alive(tmp_path: Path, examples: Path) -> None:
    async with running_server(server_settings(tmp_path / "a"), SlowEngine(0.05)) as server:
        first_call = server.stub.GeneratePresentation(
            spb.GeneratePresentationRequest(sources=[source(examples)], slide_count=6)
        )
        accepted = await first_call.read()
        watcher = server.stub.GeneratePresentation(
            spb.GeneratePresentationRequest(resume_token=accepted.resume_token)
        )
        await watcher.read()
        first_call.cancel()
        rest = await read_rest(watcher)
        assert rest[-1].HasField("completed")
        assert len([e for e in rest if e.HasField("slide")]) == 6


async def test_resume_after_completion_replays_the_tail(tmp_path: Path, examples: Path) -> None:
    async with running_server(server_settings(tmp_path / "a")) as server:
        request = spb.GeneratePresentationRequest(sources=[source(examples)])
        events = [e async for e in server.stub.GeneratePresentation(request)]
        middle = events[len(events) // 2]
        tail = [
            e
            async for e in server.stub.GeneratePresentation(
                spb.GeneratePresentationRequest(resume_token=middle.resume_token)
            )
        ]
        assert [e.sequence for e in tail] == [e.sequence for e in events if e.sequence > middle.sequence]
        assert tail[-1] == events[-1]


async def test_client_cancel_stops_the_generation(tmp_path: Path, examples: Path) -> None:
    engine = SlowEngine(0.3)
    # With no grace, the caller leaving is the caller cancelling: the work (and its cost) stops.
    async with running_server(server_settings(tmp_path / "a", DETACH_GRACE="0"), engine) as server:
        call = server.stub.GeneratePresentation(
            spb.GeneratePresentationRequest(sources=[source(examples)], slide_count=20)
        )
        accepted = await call.read()
        name = accepted.accepted.presentation.name
        # Leave while the engine is busy writing slides, not before it started.
        while not (await call.read()).HasField("slide"):
            pass
        call.cancel()
        await asyncio.wait_for(engine.cancelled.wait(), 2)
        assert engine.slides_written < 20
        presentation = await server.stub.GetPresentation(spb.GetPresentationRequest(name=name))
        assert presentation.state == pb.Presentation.STATE_CANCELLED
        assert not presentation.artifacts
        assert not list((tmp_path / "a").rglob("*.pptx"))


async def test_deadline_ends_the_generation_with_deadline_exceeded(tmp_path: Path, examples: Path) -> None:
    engine = SlowEngine(0.3)
    async with running_server(server_settings(tmp_path / "a"), engine) as server:
        call = server.stub.GeneratePresentation(
            spb.GeneratePresentationRequest(sources=[source(examples)], slide_count=20), timeout=1.0
        )
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await read_rest(call)
        assert caught.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
        await asyncio.wait_for(engine.cancelled.wait(), 2)
        assert engine.slides_written < 20


async def test_server_timeout_fails_the_stream_after_events(tmp_path: Path, examples: Path) -> None:
    engine = SlowEngine(0.3)
    async with running_server(server_settings(tmp_path / "a", TIMEOUT="0.8"), engine) as server:
        received: list[spb.GenerationEvent] = []

        async def consume() -> None:
            async for event in server.stub.GeneratePresentation(
                spb.GeneratePresentationRequest(sources=[source(examples)], slide_count=20)
            ):
                received.append(event)

        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await consume()
        assert caught.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
        assert "TIMEOUT" in (caught.value.details() or "")
        assert received and received[0].HasField("accepted")
        assert_gap_free(received)
        assert not list((tmp_path / "a").rglob("*.pptx"))


async def test_a_slide_reaches_the_caller_before_its_text_is_measured(tmp_path: Path, examples: Path) -> None:
    # Fitting a slide of new text takes the loop's thread for milliseconds (here, 0.4 s). The
    # caller only learns of a split from a warning after the slide, so the slide goes out first.
    child = start_child_server(
        {"STORAGE_DIR": str(tmp_path), "CACHE_ENABLED": "false", "RENDER_PROCESSES": "0"},
        slide_delay=0.05,
        engine="slow-fit=0.4",
    )
    try:
        arrived: dict[str, float] = {}
        async with grpc.aio.insecure_channel(child.target) as channel:
            stub = spb_grpc.PresentationServiceStub(channel)
            request = spb.GeneratePresentationRequest(sources=[source(examples)], slide_count=3)
            async for event in stub.GeneratePresentation(request, timeout=60):
                if event.HasField("slide"):
                    arrived.setdefault(event.slide.slide.title, time.time())
    finally:
        child.stop()
    fitted = {
        title: float(ended)
        for _, _, ended, title in (
            line.rstrip("\n").split(" ", 3) for line in child.log if line.startswith("FIT ")
        )
    }
    assert len(arrived) == 3 and set(arrived) <= set(fitted), (arrived, fitted)
    late = {
        title: round(arrived[title] - fitted[title], 3)
        for title in arrived
        if arrived[title] >= fitted[title] - 0.2
    }
    assert not late, f"slides that waited for their fit (seconds after it ended): {late}"
