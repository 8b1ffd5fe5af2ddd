"""SIGTERM in a real server process: health flips at once, streams drain, late ones end clearly."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from deckgen.v1 import presentation_service_pb2 as spb
from deckgen.v1 import presentation_service_pb2_grpc as spb_grpc
from tests.support.servers import ChildServer, start_child_server
from tests.support.status import rich_error
from tests.support.streams import read_rest

ROOT = Path(__file__).resolve().parents[1]


def request() -> spb.GeneratePresentationRequest:
    content = (ROOT / "examples" / "intro-to-grpc.md").read_bytes()
    return spb.GeneratePresentationRequest(
        sources=[spb.SourceDocument(name="g.md", media_type="text/markdown", content=content)], slide_count=8
    )


@pytest.fixture
def child(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[ChildServer]:
    grace, delay = request.param
    server = start_child_server(
        {"STORAGE_DIR": str(tmp_path), "SHUTDOWN_GRACE": str(grace)}, slide_delay=delay
    )
    yield server
    server.stop(timeout=10, kill=True)


@pytest.mark.parametrize("child", [(10.0, 0.15)], indirect=True)
async def test_sigterm_drains_an_in_flight_stream(child: ChildServer) -> None:
    async with grpc.aio.insecure_channel(child.target) as channel:
        stub = spb_grpc.PresentationServiceStub(channel)
        health = health_pb2_grpc.HealthStub(channel)
        watch = health.Watch(health_pb2.HealthCheckRequest(service="deckgen.v1.PresentationService"))
        assert (await watch.read()).status == health_pb2.HealthCheckResponse.SERVING
        call = stub.GeneratePresentation(request())
        assert (await call.read()).HasField("accepted")

        child.process.send_signal(signal.SIGTERM)
        assert (await asyncio.wait_for(watch.read(), 2)).status == health_pb2.HealthCheckResponse.NOT_SERVING
        # A new call on the draining server is refused...
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            async for _ in stub.GeneratePresentation(request(), timeout=5):
                pass
        assert refused.value.code() == grpc.StatusCode.UNAVAILABLE
        assert rich_error(refused.value).reason == "SERVER_SHUTTING_DOWN"
        # ...while the stream in flight runs to completion.
        rest = await read_rest(call)
        assert rest[-1].HasField("completed")
        assert len([e for e in rest if e.HasField("slide")]) == 8
    assert await asyncio.to_thread(child.process.wait, 15) == 0


@pytest.mark.parametrize("child", [(0.5, 0.5)], indirect=True)
async def test_streams_still_running_after_the_grace_end_with_unavailable(child: ChildServer) -> None:
    async with grpc.aio.insecure_channel(child.target) as channel:
        stub = spb_grpc.PresentationServiceStub(channel)
        call = stub.GeneratePresentation(request())
        assert (await call.read()).HasField("accepted")
        child.process.send_signal(signal.SIGTERM)
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await read_rest(call)
        error = rich_error(caught.value)
        assert error.code == grpc.StatusCode.UNAVAILABLE
        assert error.reason == "SERVER_SHUTTING_DOWN"
        assert error.retry_after is not None
    assert await asyncio.to_thread(child.process.wait, 15) == 0
