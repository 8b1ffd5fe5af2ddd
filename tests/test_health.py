"""Health and hostile connections: readiness tells the truth under load, at start and in a drain;
undecodable requests and requests that never come cannot hold or flood the server."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from deckgen import server as server_module
from deckgen.health import HealthMonitor
from deckgen.server import SERVICE_NAME, build_app, close_adapters, create_server, serve
from deckgen.v1 import presentation_pb2 as pb
from deckgen.v1 import presentation_service_pb2 as spb
from tests.support.servers import RunningServer, running_server, server_settings
from tests.support.status import rich_error

MD = "text/markdown"
SERVING = health_pb2.HealthCheckResponse.SERVING


def source(examples: Path) -> spb.SourceDocument:
    return spb.SourceDocument(
        name="g.md", media_type=MD, content=(examples / "intro-to-grpc.md").read_bytes()
    )


async def status(channel: grpc.aio.Channel, service: str, wait: float = 10) -> int:
    response = await health_pb2_grpc.HealthStub(channel).Check(
        health_pb2.HealthCheckRequest(service=service), timeout=wait
    )
    return int(response.status)


@asynccontextmanager
async def monitored(server: RunningServer) -> AsyncIterator[HealthMonitor]:
    monitor = server.app.monitor
    assert monitor is not None
    await monitor.start()
    try:
        yield monitor
    finally:
        await monitor.stop()


async def test_readiness_stays_serving_while_every_worker_thread_is_busy(
    tmp_path: Path, examples: Path
) -> None:
    settings = server_settings(tmp_path / "a", HEALTH_CHECK_INTERVAL="1")
    async with running_server(settings) as server, monitored(server):
        loop = asyncio.get_running_loop()
        # Renders and uploads run in the loop's default pool; fill it for ~3 check timeouts.
        threads = min(32, (os.cpu_count() or 1) + 4)
        busy = [loop.run_in_executor(None, time.sleep, 1.0) for _ in range(threads * 15)]
        burst = [
            asyncio.create_task(
                _drain(
                    server.stub.GeneratePresentation(
                        spb.GeneratePresentationRequest(sources=[source(examples)]), timeout=120
                    )
                )
            )
            for _ in range(8)
        ]
        seen = []
        while not all(b.done() for b in busy):
            seen.append(await status(server.channel, "readiness"))
            await asyncio.sleep(0.5)
        await asyncio.gather(*busy, *burst)
        assert len(seen) >= 10
        assert set(seen) == {SERVING}, seen


async def _drain(
    call: grpc.aio.UnaryStreamCall[spb.GeneratePresentationRequest, spb.GenerationEvent],
) -> None:
    async for _ in call:
        pass


async def test_a_check_that_fails_turns_readiness_off_at_once(tmp_path: Path) -> None:
    settings = server_settings(tmp_path / "a")
    async with running_server(settings) as server:
        failing = {"ok": True}

        async def check() -> None:
            if not failing["ok"]:
                raise OSError("disk gone")

        monitor = HealthMonitor(server.app.health, {"storage": check}, ("", SERVICE_NAME), 60)
        assert await monitor.check_now()
        failing["ok"] = False
        assert not await monitor.check_now()
        assert await status(server.channel, "readiness") != SERVING
        assert "disk gone" in monitor.failures["storage"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def test_nothing_is_serving_before_the_first_check(tmp_path: Path) -> None:
    port = _free_port()
    settings = server_settings(
        tmp_path / "a", API_HOST="127.0.0.1", API_PORT=str(port), METRICS_ENABLED="false"
    )
    gate = asyncio.Event()

    async def slow_check() -> None:
        await gate.wait()

    app = build_app(settings)
    app.monitor = HealthMonitor(app.health, {"slow": slow_check}, ("", SERVICE_NAME), 60)
    ready = asyncio.Event()
    task = asyncio.create_task(serve(settings, lambda _: ready.set(), app))
    seen: list[int | str] = []
    async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
        for _ in range(10):
            try:
                seen.append(await status(channel, "", wait=0.2))
            except grpc.aio.AioRpcError as error:
                seen.append(error.code().name)
            await asyncio.sleep(0.1)
        gate.set()
        await asyncio.wait_for(ready.wait(), 30)
        assert await status(channel, "") == SERVING
    assert SERVING not in seen, seen
    os.kill(os.getpid(), signal.SIGTERM)  # serve's own handler: drains and returns
    await asyncio.wait_for(task, 60)


async def test_nothing_says_serving_before_the_server_is_told(tmp_path: Path) -> None:
    settings = server_settings(tmp_path / "a")
    server, port, app = await create_server(settings, build_app(settings))
    await server.start()
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            assert await status(channel, "") != SERVING
            assert await status(channel, SERVICE_NAME) != SERVING
    finally:
        await server.stop(0)
        await close_adapters(app)  # the worker, the exporter's files, the limiter's store


async def test_a_draining_server_refuses_new_work_and_serves_reads(
    server: RunningServer, examples: Path
) -> None:
    events = [
        e
        async for e in server.stub.GeneratePresentation(
            spb.GeneratePresentationRequest(sources=[source(examples)], slide_count=4)
        )
    ]
    name = events[0].accepted.presentation.name
    artifact = next(e.artifact.artifact for e in events if e.HasField("artifact"))
    await server.app.service.drain(0.1)

    refused = [
        server.stub.RegenerateSlide(
            spb.RegenerateSlideRequest(presentation=name, slide_index=1, instruction="shorter")
        ),
        server.stub.CreateTemplate(spb.CreateTemplateRequest(content=b"x")),
        server.stub.RenderPresentation(
            spb.RenderPresentationRequest(deck=events[-1].completed.presentation.deck)
        ),
    ]
    for call in refused:
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await call
        error = rich_error(caught.value)
        assert (error.code, error.reason) == (grpc.StatusCode.UNAVAILABLE, "SERVER_SHUTTING_DOWN")
        assert error.retry_after is not None
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await _drain(
            server.stub.GeneratePresentation(spb.GeneratePresentationRequest(sources=[source(examples)]))
        )
    assert rich_error(caught.value).reason == "SERVER_SHUTTING_DOWN"

    # Reads of finished work go on: the presentation, its files, the themes, its stream.
    assert (
        await server.stub.GetPresentation(spb.GetPresentationRequest(name=name))
    ).state == pb.Presentation.STATE_SUCCEEDED
    data = b"".join(
        [c.data async for c in server.stub.DownloadArtifact(spb.DownloadArtifactRequest(name=artifact.name))]
    )
    assert len(data) == artifact.size_bytes
    assert (await server.stub.ListThemes(spb.ListThemesRequest())).themes
    replay = [
        e
        async for e in server.stub.GeneratePresentation(
            spb.GeneratePresentationRequest(resume_token=events[0].resume_token)
        )
    ]
    assert replay[-1].HasField("completed")


async def test_undecodable_requests_are_invalid_argument_and_logged_once(
    server: RunningServer, caplog: pytest.LogCaptureFixture
) -> None:
    raw_unary = server.channel.unary_unary("/deckgen.v1.PresentationService/GetPresentation")
    raw_stream = server.channel.unary_stream("/deckgen.v1.PresentationService/GeneratePresentation")
    with caplog.at_level(logging.INFO):
        for _ in range(20):
            with pytest.raises(grpc.aio.AioRpcError) as caught:
                await raw_unary(b"\xff\xff\xff\xff", timeout=10)
            assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
            with pytest.raises(grpc.aio.AioRpcError) as caught:
                async for _ in raw_stream(b"\x0a\xff\xff\xff\xff\x0f", timeout=10):
                    pass
            assert rich_error(caught.value).code == grpc.StatusCode.INVALID_ARGUMENT
        # A streaming handler written as a coroutine (health's Watch) is guarded too.
        watch = server.channel.unary_stream("/grpc.health.v1.Health/Watch")
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            async for _ in watch(b"\xff\xff", timeout=10):
                pass
        assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert len([r for r in caplog.records if "undecodable" in r.getMessage()]) == 1
    assert (await server.stub.ListThemes(spb.ListThemesRequest())).themes


async def test_a_call_whose_request_never_comes_is_ended_by_the_connection_age(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(server_module, "CONNECTION_AGE", 1.0)
    monkeypatch.setattr(server_module, "CONNECTION_AGE_GRACE", 1.0)
    settings = server_settings(tmp_path / "a", TIMEOUT="1")
    async with running_server(settings) as server:
        raw = server.channel.stream_stream("/deckgen.v1.PresentationService/GetPresentation")
        half_closed, silent = raw(), raw()
        await half_closed.done_writing()
        for call in (half_closed, silent):
            with pytest.raises(grpc.aio.AioRpcError) as caught:
                await asyncio.wait_for(call.read(), 60)
            assert caught.value.code() == grpc.StatusCode.UNAVAILABLE
        # New calls get a new connection.
        assert (await server.stub.ListThemes(spb.ListThemesRequest())).themes
