"""Brand overrides over the API: colours and fonts checked, the logo stored and found again on re-render."""

from __future__ import annotations

import io
from pathlib import Path

import grpc
import pytest
from PIL import Image

from deckgen.v1 import presentation_pb2 as pb
from deckgen.v1 import presentation_service_pb2 as spb
from tests.support.servers import RunningServer
from tests.support.status import rich_error

MD = "text/markdown"


def logo_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 40), (200, 30, 60)).save(buffer, format="PNG")
    return buffer.getvalue()


def source(examples: Path) -> spb.SourceDocument:
    return spb.SourceDocument(
        name="g.md", media_type=MD, content=(examples / "intro-to-grpc.md").read_bytes()
    )


async def download(server: RunningServer, name: str) -> bytes:
    chunks = [c async for c in server.stub.DownloadArtifact(spb.DownloadArtifactRequest(name=name))]
    return b"".join(c.data for c in chunks)


async def test_brand_is_kept_with_the_deck_and_its_logo_stored(server: RunningServer, examples: Path) -> None:
    brand = pb.Brand(primary_color="#0B5FFF", accent_color="FF7A00", heading_font="Georgia", logo=logo_png())
    request = spb.GeneratePresentationRequest(sources=[source(examples)], slide_count=4, brand=brand)
    events = [e async for e in server.stub.GeneratePresentation(request)]
    completed = events[-1].completed.presentation
    kept = completed.deck.brand
    assert (kept.primary_color, kept.accent_color, kept.heading_font) == ("0B5FFF", "FF7A00", "Georgia")
    assert not kept.logo and kept.logo_uri.endswith("/artifacts/brand/logo.png")
    assert await download(server, kept.logo_uri) == logo_png()

    # The deck as a client would send it back after editing: the logo is found by its name.
    rendered = await server.stub.RenderPresentation(spb.RenderPresentationRequest(deck=completed.deck))
    assert rendered.presentation.deck.brand.logo_uri == kept.logo_uri


async def test_bad_brand_values_are_field_violations(server: RunningServer, examples: Path) -> None:
    brand = pb.Brand(primary_color="blue", body_font="x" * 80, logo=b"GIF89a not allowed")
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        async for _ in server.stub.GeneratePresentation(
            spb.GeneratePresentationRequest(sources=[source(examples)], brand=brand)
        ):
            pass
    error = rich_error(caught.value)
    assert error.code == grpc.StatusCode.INVALID_ARGUMENT
    assert set(error.violations) == {"brand.primary_color", "brand.body_font", "brand.logo"}


async def test_allowed_layouts_must_leave_somewhere_for_content(
    server: RunningServer, examples: Path
) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        async for _ in server.stub.GeneratePresentation(
            spb.GeneratePresentationRequest(
                sources=[source(examples)], allowed_layouts=[pb.LAYOUT_CHART, pb.LAYOUT_UNSPECIFIED]
            )
        ):
            pass
    error = rich_error(caught.value)
    assert set(error.violations) == {"allowed_layouts", "allowed_layouts[1]"}


async def test_an_unreadable_brand_colour_is_adjusted_and_the_caller_told(
    server: RunningServer, examples: Path
) -> None:
    brand = pb.Brand(primary_color="FFF4B0")  # pale yellow titles on a white theme: unreadable
    request = spb.GeneratePresentationRequest(sources=[source(examples)], slide_count=3, brand=brand)
    events = [e async for e in server.stub.GeneratePresentation(request)]
    adjusted = [
        e.warning.message for e in events if e.HasField("warning") and e.warning.code == "BRAND_ADJUSTED"
    ]
    assert adjusted and "FFF4B0" in adjusted[0]
    assert events[-1].HasField("completed")
