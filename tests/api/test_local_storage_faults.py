"""The local disk full, read-only or left dirty by a crash: clear statuses, honest readiness, no debris."""

from __future__ import annotations

import os
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from deckgen.v1 import presentation_service_pb2 as spb
from tests.support.disks import fill, read_only, tiny_filesystem
from tests.support.servers import RunningServer, running_server, server_settings
from tests.support.status import rich_error

MD = "text/markdown"


def request(examples: Path) -> spb.GeneratePresentationRequest:
    content = (examples / "intro-to-grpc.md").read_bytes()
    return spb.GeneratePresentationRequest(
        sources=[spb.SourceDocument(name="g.md", media_type=MD, content=content)], slide_count=4
    )


async def readiness(server: RunningServer) -> int:
    monitor = server.app.monitor
    assert monitor is not None
    await monitor.check_now()
    stub = health_pb2_grpc.HealthStub(server.channel)
    return int((await stub.Check(health_pb2.HealthCheckRequest(service="readiness"))).status)


async def generate_error(
    server: RunningServer, examples: Path
) -> tuple[list[spb.GenerationEvent], grpc.aio.AioRpcError]:
    seen: list[spb.GenerationEvent] = []
    try:
        async for event in server.stub.GeneratePresentation(request(examples), timeout=60):
            seen.append(event)
    except grpc.aio.AioRpcError as error:
        return seen, error
    raise AssertionError("the generation succeeded on a broken disk")


def presentations(root: Path) -> list[str]:
    base = root / "presentations"
    return sorted(p.name for p in base.iterdir()) if base.is_dir() else []


async def test_a_full_disk_is_unavailable_readiness_says_so_and_nothing_half_written_stays(
    tmp_path: Path, examples: Path
) -> None:
    with tiny_filesystem(tmp_path / "disk", "2m") as disk:
        async with running_server(server_settings(disk)) as server:
            assert await readiness(server) == health_pb2.HealthCheckResponse.SERVING
            filler = fill(disk)
            seen, caught = await generate_error(server, examples)
            assert any(e.HasField("slide") for e in seen)
            error = rich_error(caught)
            assert (error.code, error.reason) == (grpc.StatusCode.UNAVAILABLE, "STORAGE_UNAVAILABLE")
            assert error.retry_after is not None and "ENOSPC" in error.message
            assert str(disk) not in error.message
            assert presentations(disk) == []
            assert not list(disk.rglob(".tmp-*"))
            assert await readiness(server) == health_pb2.HealthCheckResponse.NOT_SERVING
            filler.unlink()
            assert await readiness(server) == health_pb2.HealthCheckResponse.SERVING
            events = [e async for e in server.stub.GeneratePresentation(request(examples), timeout=60)]
            assert events[-1].HasField("completed")


async def test_a_read_only_disk_is_unavailable_for_render_and_readiness(
    tmp_path: Path, examples: Path
) -> None:
    (tmp_path / "disk").mkdir()
    with read_only(tmp_path / "disk") as disk:
        async with running_server(server_settings(disk)) as server:
            _, caught = await generate_error(server, examples)
            error = rich_error(caught)
            assert (error.code, error.reason) == (grpc.StatusCode.UNAVAILABLE, "STORAGE_UNAVAILABLE")
            assert await readiness(server) == health_pb2.HealthCheckResponse.NOT_SERVING
            assert presentations(disk) == []


async def test_start_up_sweeps_what_a_crash_left_and_keeps_finished_decks(
    tmp_path: Path, examples: Path
) -> None:
    root = tmp_path / "store"
    async with running_server(server_settings(root)) as server:
        events = [e async for e in server.stub.GeneratePresentation(request(examples), timeout=60)]
    finished = events[0].accepted.presentation.name.split("/")[1]
    orphan = root / "presentations" / "6f0c1a55-0000-4000-8000-00000000dead"
    (orphan / "previews").mkdir(parents=True)
    (orphan / "previews" / "1.png").write_bytes(b"png")
    (root / "presentations" / finished / ".tmp-x1").write_bytes(b"half")
    old = 1_000_000_000.0
    for path in [*root.rglob("*"), root]:
        os.utime(path, (old, old))

    async with running_server(server_settings(root)) as server:
        for job in server.app.startup:
            await job()
        assert presentations(root) == [finished]
        assert not list(root.rglob(".tmp-*"))
        got = await server.stub.GetPresentation(spb.GetPresentationRequest(name=f"presentations/{finished}"))
        assert got.artifacts
        for artifact in got.artifacts:
            assert artifact.uri == ""  # a local file never shows the server's path


async def test_placeholder_names_from_the_readme_get_a_helpful_error(server: RunningServer) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await server.stub.GetPresentation(spb.GetPresentationRequest(name="presentations/<id>"))
    violation = rich_error(caught.value).violations["name"]
    assert "`presentations/{presentation}`" in violation and "placeholder" in violation

    with pytest.raises(grpc.aio.AioRpcError) as caught:
        async for _ in server.stub.DownloadArtifact(
            spb.DownloadArtifactRequest(name="presentations/<id>/artifacts/deck.pptx")
        ):
            pass
    error = rich_error(caught.value)
    assert error.code == grpc.StatusCode.INVALID_ARGUMENT
    assert "artifacts/{artifact}" in error.violations["name"] and "placeholder" in error.violations["name"]
