"""A deck written as it is planned: its cover goes out as soon as the plan names it, and the plan is
read less often where an item only starts its own slide."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncGenerator
from pathlib import Path

from deckgen.content import OutlineResult, SlideDraft
from deckgen.content.llm import LLMEngine
from deckgen.domain import GenerationSpec, OutlineItem
from deckgen.providers.llm import ChatEnd, ChatEvent, ChatRequest, TextDelta
from deckgen.v1 import presentation_service_pb2 as spb
from tests.llm.conftest import generate, llm_server
from tests.support.deck_model import DeckModel, outline_json, slide_json
from tests.support.fake_llm import FakeLLMServer

READ_HOLD, OUTLINE_HOLD = 0.1, 0.3


class _Scripted:
    """A model that writes the terse plan of `slide_count` slides in four-character tokens and
    notes, after each one, how long the engine lets the next one wait (`ReadPace.hold`)."""

    name = "scripted"

    def __init__(self, slide_count: int) -> None:
        self.plan = outline_json(slide_count - 1, True, "Caching", terse=True)
        self.holds: list[tuple[str, float]] = []
        """(the plan's text so far, the hold asked for the token after it)."""

    async def stream(self, request: ChatRequest) -> AsyncGenerator[ChatEvent, None]:
        if request.purpose == "outline":
            text = self.plan
        else:
            title = request.messages[-1].content.split("Write slide ", 1)[1].split(": ", 1)[1].split("\n")[0]
            text = slide_json(title, "bullets", True, False)
        for start in range(0, len(text), 4):
            yield TextDelta(text[start : start + 4])
            await asyncio.sleep(0)
            if request.purpose == "outline":
                assert request.pace is not None
                self.holds.append((text[: start + 4], request.pace.hold))
        yield ChatEnd(10, len(text) // 4, "stop", self.name, "m")


async def _written_as_planned(
    model: _Scripted, slide_count: int
) -> tuple[dict[int, OutlineItem], dict[int, SlideDraft], OutlineResult]:
    """The engine's outline with slides written as it streams: the items planned, the slides
    written (each by index) once every one has finished, and the outline."""
    engine = LLMEngine(model, read_hold=READ_HOLD, outline_hold=OUTLINE_HOLD)
    planned: dict[int, OutlineItem] = {}
    written: dict[int, SlideDraft] = {}

    async def emit(index: int, item: OutlineItem) -> None:
        planned[index] = item

    async def emit_slide(draft: SlideDraft) -> None:
        written[draft.index] = draft

    spec = GenerationSpec(topic="Caching", slide_count=slide_count)
    result = await engine.outline(spec, emit, emit_slide=emit_slide)
    assert result.ahead is not None
    await asyncio.gather(*result.ahead.tasks.values())  # type: ignore[attr-defined]
    return planned, written, result


async def test_the_plan_is_read_less_often_between_its_cover_and_its_last_item() -> None:
    model = _Scripted(slide_count=6)
    planned, _, _ = await _written_as_planned(model, slide_count=6)
    assert list(planned) == [0, 1, 2, 3, 4, 5]

    plan = model.plan
    cover_done = plan.index('"slides"')  # the subtitle has closed by then
    last_item = plan.index("{", plan.index("Key takeaways") - 12)
    held = {hold for text, hold in model.holds if hold > 0}
    assert held == {READ_HOLD, OUTLINE_HOLD}
    for text, hold in model.holds:
        if hold == 0:
            continue  # at the top level, where the next token may close the plan
        if len(text) < cover_done:
            assert hold == READ_HOLD, text  # the first slide waits on the cover
        elif len(text) > last_item:
            assert hold == READ_HOLD, text  # the deck's end waits on the last item
    middle = [hold for text, hold in model.holds if cover_done + 20 < len(text) < last_item - 4 and hold]
    assert middle and set(middle) == {OUTLINE_HOLD}


async def test_an_outline_asked_for_first_is_read_as_ever() -> None:
    model = _Scripted(slide_count=6)
    engine = LLMEngine(model, read_hold=READ_HOLD, outline_hold=OUTLINE_HOLD)

    async def emit(index: int, item: OutlineItem) -> None:
        pass

    await engine.outline(GenerationSpec(topic="Caching", slide_count=6), emit)
    assert {hold for _, hold in model.holds} <= {0.0, READ_HOLD}


async def test_the_cover_goes_out_before_the_plan_reaches_its_first_item(
    tmp_path: Path, llm: FakeLLMServer
) -> None:
    # At 40 tokens/s the first item takes the model most of a second after the subtitle.
    llm.responder = DeckModel(tokens_per_second=40).respond
    async with llm_server(tmp_path, llm) as server:
        events = await generate(server, spb.GeneratePresentationRequest(topic="Caching", slide_count=3))
    assert events[-1].HasField("completed")
    order = [
        ("slide", e.slide.slide.index) if e.HasField("slide") else ("item", e.outline_item.index)
        for e in events
        if e.HasField("slide") or e.HasField("outline_item")
    ]
    assert order.index(("slide", 0)) < order.index(("item", 1)), order
    cover = next(e.slide.slide for e in events if e.HasField("slide") and e.slide.slide.index == 0)
    assert cover.title == json.loads(outline_json(1, True, "Caching", terse=True))["title"]


class _RepairedPlan(_Scripted):
    """A first plan that names the deck but plans no slide, then a repaired one that renames it."""

    def __init__(self) -> None:
        super().__init__(slide_count=4)
        self.calls = 0
        self.full = json.loads(self.plan)

    async def stream(self, request: ChatRequest) -> AsyncGenerator[ChatEvent, None]:
        if request.purpose == "outline":
            self.calls += 1
            self.plan = (
                json.dumps({"title": "Named first", "subtitle": "As first planned", "slides": []})
                if self.calls == 1
                else json.dumps({**self.full, "title": "Renamed by the repair"})
            )
        async for event in super().stream(request):
            yield event


async def test_a_cover_sent_early_is_the_title_the_deck_keeps_when_the_plan_is_repaired() -> None:
    model = _RepairedPlan()
    planned, written, result = await _written_as_planned(model, slide_count=4)
    assert model.calls == 2
    cover = written[0].slide
    assert planned[0].title == cover.title == result.outline.title == result.outline.items[0].title
    assert cover.title == "Named first"
