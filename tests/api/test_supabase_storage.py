"""Artifacts in Supabase Storage, through a loopback server speaking its REST routes."""

from __future__ import annotations

import asyncio
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest

from deckgen.v1 import presentation_pb2 as pb
from deckgen.v1 import presentation_service_pb2 as spb
from tests.support.fake_supabase import FakeSupabaseServer, Fault
from tests.support.servers import running_server, server_settings
from tests.support.status import rich_error

KEY = "service-role-test-key"
BUCKET = "decks"


@pytest.fixture
def supabase() -> Iterator[FakeSupabaseServer]:
    with FakeSupabaseServer(key=KEY) as server:
        yield server


def settings(tmp_path: Path, supabase: FakeSupabaseServer) -> object:
    return server_settings(
        tmp_path,
        STORAGE_BACKEND="supabase",
        SUPABASE_URL=supabase.url,
        SUPABASE_SERVICE_ROLE_KEY=KEY,
        SUPABASE_BUCKET=BUCKET,
        SIGNED_URL_EXPIRY="600",
    )


def request(examples: Path) -> spb.GeneratePresentationRequest:
    content = (examples / "intro-to-grpc.md").read_bytes()
    return spb.GeneratePresentationRequest(
        sources=[spb.SourceDocument(name="g.md", media_type="text/markdown", content=content)],
        slide_count=5,
        output_formats=[pb.ARTIFACT_FORMAT_PPTX, pb.ARTIFACT_FORMAT_JSON],
    )


async def test_artifacts_land_in_the_bucket_with_signed_urls_that_work(
    tmp_path: Path, supabase: FakeSupabaseServer, examples: Path
) -> None:
    async with running_server(settings(tmp_path, supabase)) as server:  # type: ignore[arg-type]
        events = [e async for e in server.stub.GeneratePresentation(request(examples))]
        artifacts = [e.artifact.artifact for e in events if e.HasField("artifact")]
        pptx = next(a for a in artifacts if a.format == pb.ARTIFACT_FORMAT_PPTX)
        presentation = events[0].accepted.presentation.name.split("/")[1]
        stored = supabase.objects(BUCKET)
        assert f"presentations/{presentation}/deck.pptx" in stored
        assert stored[f"presentations/{presentation}/deck.pptx"].content_type.startswith(
            "application/vnd.openxmlformats-officedocument.presentationml"
        )
        assert supabase.bucket_info(BUCKET) is not None
        # The signed URL in the event fetches the very bytes DownloadArtifact streams.
        fetched = await asyncio.to_thread(lambda: urllib.request.urlopen(pptx.uri, timeout=5).read())
        chunks = [c async for c in server.stub.DownloadArtifact(spb.DownloadArtifactRequest(name=pptx.name))]
        assert fetched == b"".join(c.data for c in chunks) and len(fetched) == pptx.size_bytes
        assert "token=" in pptx.uri


async def test_a_storage_outage_fails_the_files_step_after_the_slides_streamed(
    tmp_path: Path, supabase: FakeSupabaseServer, examples: Path
) -> None:
    async with running_server(settings(tmp_path, supabase)) as server:  # type: ignore[arg-type]
        supabase.fail_next(None, Fault("status", 503, method="POST", path_prefix="/object/"))
        received: list[spb.GenerationEvent] = []

        async def consume() -> None:
            async for event in server.stub.GeneratePresentation(request(examples)):
                received.append(event)

        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await consume()
    error = rich_error(caught.value)
    assert error.code == grpc.StatusCode.UNAVAILABLE and error.reason == "STORAGE_UNAVAILABLE"
    assert error.retry_after is not None
    assert len([e for e in received if e.HasField("slide")]) == 5
    assert not [e for e in received if e.HasField("artifact")]
    supabase.clear_faults()
    assert not [k for k in supabase.objects(BUCKET) if k.startswith("presentations/")]
