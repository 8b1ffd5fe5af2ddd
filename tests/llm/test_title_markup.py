"""Titles a model writes in Markdown come out plain, and what it put in a code span as written."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from deckgen.v1 import presentation_service_pb2 as spb
from tests.llm.conftest import generate, llm_server
from tests.support.deck_model import DeckModel, task_of
from tests.support.fake_llm import FakeLLMServer, RecordedRequest, Reply

TITLES = {
    "## **What** `__init__.py` exports": "What __init__.py exports",
    "Passing `**kwargs` along": "Passing **kwargs along",
    "_Why_ it __matters__": "Why it matters",
}


def marked_up(request: RecordedRequest, reply: Reply) -> Reply:
    data = json.loads(reply.content)
    if task_of(request) == "outline":
        for slide, title in zip(data["slides"], TITLES, strict=False):
            slide["title"] = title
    return dataclasses.replace(reply, content=json.dumps(data))


async def test_markdown_titles_are_plain_and_code_spans_keep_their_text(
    tmp_path: Path, llm: FakeLLMServer
) -> None:
    llm.responder = DeckModel().with_tweak(marked_up).respond
    async with llm_server(tmp_path, llm) as server:
        events = await generate(
            server, spb.GeneratePresentationRequest(topic="Python packages", slide_count=6)
        )
    assert events[-1].HasField("completed"), events[-1]
    outline = [item.title for item in events[-1].completed.presentation.outline.items]
    slides = [slide.title for slide in events[-1].completed.presentation.deck.slides]
    for expected in TITLES.values():
        assert expected in outline, outline
        assert expected in slides, slides
