"""A generation's life on one server: retries after refusals and departures, odd resume tokens,
and what a process killed mid-generation still answers after a restart."""

from __future__ import annotations

import asyncio
import signal
import uuid
from pathlib import Path

import grpc
import pytest

from deckgen.v1 import presentation_pb2 as pb
from deckgen.v1 import presentation_service_pb2 as spb
from deckgen.v1 import presentation_service_pb2_grpc as spb_grpc
from tests.support.engines import SlowEngine
from tests.support.servers import running_server, server_settings, start_child_server
from tests.support.status import rich_error
from tests.support.streams import read_rest


def source(examples: Path) -> spb.SourceDocument:
    return spb.SourceDocument(
        name="g.md", media_type="text/markdown", content=(examples / "intro-to-grpc.md").read_bytes()
    )


async def test_a_resume_token_past_the_end_is_invalid(tmp_path: Path, examples: Path) -> None:
    async with running_server(server_settings(tmp_path / "a")) as server:
        events = [
            e
            async for e in server.stub.GeneratePresentation(
                spb.GeneratePresentationRequest(sources=[source(examples)], slide_count=3)
            )
        ]
        presentation_id = events[0].accepted.presentation.name.removeprefix("presentations/")
        # The same stream, further than it will ever go (signed as the server signs its tokens).
        beyond = server.app.servicer.resume_tokens.encode(
            "anonymous", presentation_id, events[-1].sequence + 5
        )
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await read_rest(
                server.stub.GeneratePresentation(spb.GeneratePresentationRequest(resume_token=beyond))
            )
        error = rich_error(caught.value)
        assert error.code == grpc.StatusCode.INVALID_ARGUMENT
        assert "resume_token" in error.violations


async def test_a_refused_request_id_starts_afresh_when_retried(tmp_path: Path, examples: Path) -> None:
    settings = server_settings(tmp_path / "a", MAX_CONCURRENT_GENERATIONS="1")
    async with running_server(settings, SlowEngine(0.05)) as server:
        busy = server.stub.GeneratePresentation(
            spb.GeneratePresentationRequest(sources=[source(examples)], slide_count=6)
        )
        assert (await busy.read()).HasField("accepted")
        retried = spb.GeneratePresentationRequest(
            request_id=str(uuid.uuid4()), sources=[source(examples)], slide_count=3
        )
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await read_rest(server.stub.GeneratePresentation(retried))
        assert refused.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
        assert (await read_rest(busy))[-1].HasField("completed")
        # Nothing of the refused attempt is joined: the retry runs and completes.
        events = await read_rest(server.stub.GeneratePresentation(retried))
        assert events[0].HasField("accepted") and events[-1].HasField("completed")


async def test_a_generation_its_reader_left_is_not_replayed_as_cancelled(
    tmp_path: Path, examples: Path
) -> None:
    engine = SlowEngine(0.1)
    async with running_server(server_settings(tmp_path / "a", DETACH_GRACE="0"), engine) as server:
        request = spb.GeneratePresentationRequest(
            request_id=str(uuid.uuid4()), sources=[source(examples)], slide_count=8
        )
        call = server.stub.GeneratePresentation(request)
        first = await call.read()
        while not (await call.read()).HasField("slide"):
            pass
        call.cancel()
        await asyncio.wait_for(engine.cancelled.wait(), 5)
        name = first.accepted.presentation.name
        for _ in range(50):
            left = await server.stub.GetPresentation(spb.GetPresentationRequest(name=name))
            if left.state == pb.Presentation.STATE_CANCELLED:
                break
            await asyncio.sleep(0.05)
        assert left.state == pb.Presentation.STATE_CANCELLED
        again = await read_rest(server.stub.GeneratePresentation(request))
        assert again[-1].HasField("completed")
        assert again[0].accepted.presentation.name != name


async def test_files_announced_before_a_kill_are_served_after_a_restart(
    tmp_path: Path, examples: Path
) -> None:
    env = {"STORAGE_DIR": str(tmp_path / "store"), "METRICS_ENABLED": "false"}
    child = start_child_server(env, slide_delay=0.02)
    try:
        async with grpc.aio.insecure_channel(child.target) as channel:
            stub = spb_grpc.PresentationServiceStub(channel)
            call = stub.GeneratePresentation(
                spb.GeneratePresentationRequest(
                    sources=[source(examples)],
                    slide_count=6,
                    output_formats=[pb.ARTIFACT_FORMAT_PPTX, pb.ARTIFACT_FORMAT_JSON],
                )
            )
            name = ""
            async for event in call:
                if event.HasField("accepted"):
                    name = event.accepted.presentation.name
                if event.HasField("artifact"):
                    child.process.send_signal(signal.SIGKILL)  # the first file is announced
                    break
            call.cancel()
    finally:
        await asyncio.to_thread(child.stop, 10, True)

    restarted = start_child_server(env)
    try:
        async with grpc.aio.insecure_channel(restarted.target) as channel:
            stub = spb_grpc.PresentationServiceStub(channel)
            presentation = await stub.GetPresentation(spb.GetPresentationRequest(name=name))
            assert presentation.state in (pb.Presentation.STATE_FAILED, pb.Presentation.STATE_SUCCEEDED)
            pptx = next(a for a in presentation.artifacts if a.name.endswith("deck.pptx"))
            chunks = [c async for c in stub.DownloadArtifact(spb.DownloadArtifactRequest(name=pptx.name))]
            assert sum(len(c.data) for c in chunks) == pptx.size_bytes
    finally:
        await asyncio.to_thread(restarted.stop, 15)
