"""Titles a model writes in Markdown come out plain, and what it put in a code span as written."""

from __future__ import annotations

import dataclasses
import itertools
import json
import random
import re
from pathlib import Path

from deckgen.content.llm import _engine
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


# The code span pattern before, kept as the definition of how a title splits into prose and code:
# tried from every backtick of a run, it read the rest of the run each time (a title of 20,000
# backticks: 8 s, growing with the square).
_OLD_CODE_SPAN = re.compile(r"`+([^`]+?)`+")


def test_a_title_splits_into_prose_and_code_as_it_did() -> None:
    pieces = ("`", "a", " ", "*", "\n")
    for length in range(9):
        for combination in itertools.product(pieces, repeat=length):
            text = "".join(combination)
            assert _engine._CODE_SPAN.split(text) == _OLD_CODE_SPAN.split(text), repr(text)
    chance = random.Random("title")
    for _ in range(3000):
        text = "".join(chance.choice(("```", *pieces)) for _ in range(chance.randint(10, 60)))
        assert _engine._CODE_SPAN.split(text) == _OLD_CODE_SPAN.split(text), repr(text)


def test_a_hostile_title_is_made_plain_in_linear_time() -> None:
    assert _engine._plain("`" * 100_000 + "a") == "a"
    assert _engine._plain("**Title** " + "`" * 100_000) == "Title"
    assert _engine._plain("`" * 50_000 + "a b" + "`" * 50_000 + " c") == "a b c"
