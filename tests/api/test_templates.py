"""Templates over the API: upload once, name it in requests, get decks drawn with its layouts."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import grpc
import pytest
from pptx import Presentation as new_pptx
from pptx.enum.shapes import PP_PLACEHOLDER

from deckgen.v1 import presentation_pb2 as pb
from deckgen.v1 import presentation_service_pb2 as spb
from tests.support.decks import open_deck
from tests.support.servers import RunningServer
from tests.support.status import rich_error

MD = "text/markdown"


def default_template() -> bytes:
    buffer = io.BytesIO()
    new_pptx().save(buffer)
    return buffer.getvalue()


def template_without_body_layouts() -> bytes:
    prs: Any = new_pptx()  # python-pptx's annotations trip mypy on placeholder iteration
    text_kinds = {PP_PLACEHOLDER.BODY, PP_PLACEHOLDER.OBJECT}
    for layout in list(prs.slide_layouts):
        if any(p.placeholder_format.type in text_kinds for p in layout.placeholders):
            prs.slide_layouts.remove(layout)
    buffer = io.BytesIO()
    prs.save(buffer)
    return buffer.getvalue()


async def create(server: RunningServer, content: bytes, name: str = "Corporate") -> pb.Template:
    template: pb.Template = await server.stub.CreateTemplate(
        spb.CreateTemplateRequest(template=pb.Template(display_name=name), content=content)
    )
    return template


async def test_upload_once_then_get_it_and_upload_again_harmlessly(server: RunningServer) -> None:
    content = default_template()
    template = await create(server, content)
    assert template.name.startswith("templates/") and template.display_name == "Corporate"
    assert pb.LAYOUT_BULLETS in template.layouts and pb.LAYOUT_TITLE in template.layouts
    assert "Title and Content" in template.layout_names
    fetched = await server.stub.GetTemplate(spb.GetTemplateRequest(name=template.name))
    assert fetched == template
    again = await create(server, content, "Retried")
    assert again.name == template.name


async def test_a_file_that_is_not_a_presentation_is_invalid(server: RunningServer) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await create(server, b"PK\x03\x04 certainly not a pptx")
    error = rich_error(caught.value)
    assert error.code == grpc.StatusCode.INVALID_ARGUMENT and "content" in error.violations


async def test_a_template_without_what_bullets_need_is_refused_with_the_reason(server: RunningServer) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await create(server, template_without_body_layouts())
    error = rich_error(caught.value)
    assert error.code == grpc.StatusCode.FAILED_PRECONDITION
    assert error.reason == "TEMPLATE_INCOMPLETE"
    assert "body" in error.message.lower()


async def test_decks_named_with_a_template_use_its_layouts(server: RunningServer, examples: Path) -> None:
    template = await create(server, default_template())
    source = spb.SourceDocument(
        name="g.md", media_type=MD, content=(examples / "intro-to-grpc.md").read_bytes()
    )
    events = [
        e
        async for e in server.stub.GeneratePresentation(
            spb.GeneratePresentationRequest(sources=[source], slide_count=6, template=template.name)
        )
    ]
    completed = events[-1].completed.presentation
    assert completed.deck.template == template.name
    pptx = next(a for a in completed.artifacts if a.format == pb.ARTIFACT_FORMAT_PPTX)
    chunks = [c async for c in server.stub.DownloadArtifact(spb.DownloadArtifactRequest(name=pptx.name))]
    deck = open_deck(b"".join(c.data for c in chunks))
    assert len(deck.slides) == 6
    used = {slide.slide_layout.name for slide in deck.slides}
    assert used <= set(template.layout_names) and "Title Slide" in used
    assert deck.slides[1].shapes.title.text == completed.deck.slides[1].title


async def test_an_unknown_template_fails_before_any_work(server: RunningServer) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        async for _ in server.stub.GeneratePresentation(
            spb.GeneratePresentationRequest(
                sources=[spb.SourceDocument(name="a.md", media_type=MD, content=b"# A\n\nText.")],
                template="templates/nosuchtemplate",
            )
        ):
            pass
    error = rich_error(caught.value)
    assert error.code == grpc.StatusCode.NOT_FOUND
    assert error.resource == ("deckgen.v1.Template", "templates/nosuchtemplate")
