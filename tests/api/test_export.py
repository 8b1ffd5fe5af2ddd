"""PDF and previews over the API, drawn by LibreOffice and poppler from the PPTX the caller downloads."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import grpc
import pytest
from PIL import Image

from deckgen.providers.export import export_available
from deckgen.v1 import presentation_pb2 as pb
from deckgen.v1 import presentation_service_pb2 as spb
from tests.support.servers import RunningServer, running_server, server_settings
from tests.support.status import rich_error

# CI installs LibreOffice (make system-deps); elsewhere a machine without it skips, saying why.
needs_export = pytest.mark.skipif(
    not export_available() and not os.environ.get("CI"),
    reason="LibreOffice/poppler not installed: run `make system-deps`",
)


def request(examples: Path, *formats: pb.ArtifactFormat) -> spb.GeneratePresentationRequest:
    content = (examples / "quarterly-report.md").read_bytes()
    return spb.GeneratePresentationRequest(
        sources=[spb.SourceDocument(name="q.md", media_type="text/markdown", content=content)],
        slide_count=6,
        output_formats=list(formats),
    )


async def download(server: RunningServer, name: str) -> bytes:
    chunks = [c async for c in server.stub.DownloadArtifact(spb.DownloadArtifactRequest(name=name))]
    return b"".join(c.data for c in chunks)


@needs_export
async def test_pdf_and_one_preview_per_slide_stream_as_artifacts(
    server: RunningServer, examples: Path
) -> None:
    events = [
        e
        async for e in server.stub.GeneratePresentation(
            request(examples, pb.ARTIFACT_FORMAT_PDF, pb.ARTIFACT_FORMAT_PNG)
        )
    ]
    artifacts = [e.artifact.artifact for e in events if e.HasField("artifact")]
    kinds = [a.format for a in artifacts]
    # The PPTX comes first: the PDF and previews are drawn from it.
    assert kinds[0] == pb.ARTIFACT_FORMAT_PPTX and kinds[1] == pb.ARTIFACT_FORMAT_PDF
    previews = [a for a in artifacts if a.format == pb.ARTIFACT_FORMAT_PNG]
    slides = len(events[-1].completed.presentation.deck.slides)
    assert sorted(a.slide_index for a in previews) == list(range(slides))
    assert all(a.media_type == "image/png" for a in previews)

    pdf = await download(server, artifacts[1].name)
    assert pdf.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == slides
    picture = Image.open(io.BytesIO(await download(server, previews[0].name)))
    assert picture.size == (1280, 720)
    stored = {a.name for a in events[-1].completed.presentation.artifacts}
    assert {a.name for a in artifacts} <= stored


async def test_without_the_tools_pdf_is_a_failed_precondition(tmp_path: Path, examples: Path) -> None:
    async with running_server(server_settings(tmp_path, EXPORT_ENABLED="false")) as server:
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            async for _ in server.stub.GeneratePresentation(request(examples, pb.ARTIFACT_FORMAT_PDF)):
                pass
    error = rich_error(caught.value)
    assert error.code == grpc.StatusCode.FAILED_PRECONDITION
    assert error.reason == "EXPORT_UNAVAILABLE" and "libreoffice" in error.message.lower()


@needs_export
async def test_an_announced_file_downloads_before_the_generation_ends(
    server: RunningServer, examples: Path
) -> None:
    call = server.stub.GeneratePresentation(request(examples, pb.ARTIFACT_FORMAT_PDF))
    async for event in call:
        if event.HasField("artifact") and event.artifact.artifact.format == pb.ARTIFACT_FORMAT_PPTX:
            # LibreOffice is still drawing the PDF: the PPTX is complete and must be downloadable.
            data = await download(server, event.artifact.artifact.name)
            assert len(data) == event.artifact.artifact.size_bytes
            assert not event.HasField("completed")
            break
    else:
        raise AssertionError("no PPTX artifact event")
    call.cancel()
