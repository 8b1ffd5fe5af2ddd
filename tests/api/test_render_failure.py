"""A render that fails after every slide was streamed keeps the slides (issue 10, item 3): the
stream ends with FAILED_PRECONDITION / RENDER_FAILED, not INTERNAL, the deck JSON is stored and
announced, and GetPresentation returns the deck.

The failure used is a real one: a template stored before uploads were checked, whose master links
pictures outside the file. Drawing with it is refused, and nothing is fetched.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import grpc
import pytest

from deckgen.v1 import presentation_pb2 as pb
from deckgen.v1 import presentation_service_pb2 as spb
from tests.api.test_templates import create, default_template
from tests.support.hostile import PictureServer, blue_png, linked_picture_template
from tests.support.servers import RunningServer
from tests.support.status import rich_error

MD = "text/markdown"


async def collect(stream: AsyncIterator[spb.GenerationEvent], into: list[spb.GenerationEvent]) -> None:
    async for event in stream:
        into.append(event)


def write(path: Path, data: bytes) -> None:
    path.write_bytes(data)


async def test_a_render_failure_after_the_slides_keeps_the_deck_and_says_render_failed(
    server: RunningServer,
    examples: Path,
    pictures: PictureServer,
    tmp_path: Path,
) -> None:
    template = await create(server, default_template())
    # As if stored by a server from before uploads were checked.
    secret = tmp_path / "secret.png"
    write(secret, blue_png())
    stored = tmp_path / "artifacts" / template.name / "template.pptx"
    write(stored, linked_picture_template(pictures.url(), secret.as_uri()))

    source = spb.SourceDocument(
        name="g.md", media_type=MD, content=(examples / "intro-to-grpc.md").read_bytes()
    )
    request = spb.GeneratePresentationRequest(
        sources=[source], slide_count=5, template=template.name, output_formats=[pb.ARTIFACT_FORMAT_PPTX]
    )
    events: list[spb.GenerationEvent] = []
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await collect(server.stub.GeneratePresentation(request), events)
    error = rich_error(caught.value)
    assert error.code == grpc.StatusCode.FAILED_PRECONDITION
    assert error.reason == "RENDER_FAILED"
    slides = [e.slide.slide for e in events if e.HasField("slide")]
    assert len(slides) == 5
    deck_json = next(e.artifact.artifact for e in events if e.HasField("artifact"))
    assert deck_json.format == pb.ARTIFACT_FORMAT_JSON

    presentation_name = events[0].accepted.presentation.name
    kept = await server.stub.GetPresentation(spb.GetPresentationRequest(name=presentation_name))
    assert kept.state == pb.Presentation.STATE_FAILED and "RenderPresentation" in kept.error_message
    assert [s.title for s in kept.deck.slides] == [s.title for s in slides]
    assert deck_json.name in [a.name for a in kept.artifacts]
    chunks = [c async for c in server.stub.DownloadArtifact(spb.DownloadArtifactRequest(name=deck_json.name))]
    stored_deck = json.loads(b"".join(c.data for c in chunks))
    assert [s["title"] for s in stored_deck["slides"]] == [s.title for s in slides]
    assert pictures.connections == 0
