"""What a model writes never fails the render: characters no file can hold are dropped, and
over-long deck titles are cut to what a document property holds (issue 10, item 3)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from deckgen.v1 import presentation_pb2 as pb
from deckgen.v1 import presentation_service_pb2 as spb
from tests.llm.conftest import generate, llm_server
from tests.llm.test_generation import download
from tests.support.deck_model import DeckModel, task_of
from tests.support.decks import open_deck
from tests.support.fake_llm import FakeLLMServer, RecordedRequest, Reply

LONG_TITLE = "Growth\u0001 " + "and more growth " * 30


def hostile(request: RecordedRequest, reply: Reply) -> Reply:
    data = json.loads(reply.content)
    if task_of(request) == "outline":
        data["title"] = LONG_TITLE
        data["subtitle"] = "What\u000b matters\u001b"
    elif "bullets" in data:
        data["bullets"][0]["text"] = "Speed\u0008 matters\u0000 most"
    return dataclasses.replace(reply, content=json.dumps(data))


async def test_control_characters_and_long_titles_from_a_model_do_not_fail_the_render(
    tmp_path: Path, llm: FakeLLMServer
) -> None:
    llm.responder = DeckModel().with_tweak(hostile).respond
    async with llm_server(tmp_path, llm) as server:
        events = await generate(
            server,
            spb.GeneratePresentationRequest(
                topic="Growth", slide_count=4, output_formats=[pb.ARTIFACT_FORMAT_PPTX]
            ),
        )
        assert events[-1].HasField("completed"), events[-1]
        presentation = events[-1].completed.presentation
        pptx = next(a for a in presentation.artifacts if a.format == pb.ARTIFACT_FORMAT_PPTX)
        opened = open_deck(await download(server.stub, pptx.name))
    title = opened.core_properties.title
    assert len(title) <= 255 and title.startswith("Growth and more growth")
    texts = [
        shape.text_frame.text for slide in opened.slides for shape in slide.shapes if shape.has_text_frame
    ]
    assert any("Speed matters most" in text for text in texts)
    assert not any(char in text for text in texts for char in "\u0000\u0001\u0008\u000b\u001b")
