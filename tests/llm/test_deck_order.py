"""Through a model, the deck keeps its shape whatever the model planned: title first, closing last,
pinned layouts kept (or a warning that says why not), and a regenerated slide that really changed."""

from __future__ import annotations

import json
from pathlib import Path

import grpc
import pytest

from deckgen.content._phrases import phrases
from deckgen.v1 import presentation_pb2 as pb
from deckgen.v1 import presentation_service_pb2 as spb
from tests.llm.conftest import generate, llm_server, warnings
from tests.support.deck_model import DeckModel, task_of
from tests.support.fake_llm import FakeLLMServer, RecordedRequest, Reply

_JAPANESE = (Path(__file__).resolve().parents[1] / "content" / "corpus" / "remote-work-ja.md").read_bytes()


def _outline(*items: tuple[str, str]) -> str:
    slides = [
        {"title": title, "layout": layout, "key_points": [f"{title} matters"]} for title, layout in items
    ]
    return json.dumps(
        {"title": "Retries that are safe", "subtitle": "Keys and fingerprints", "slides": slides}
    )


def _current(request: RecordedRequest) -> str:
    """The slide as the regenerate prompt shows it: what a lazy model sends back unchanged."""
    user = str((request.body or {})["messages"][1]["content"])
    return user.split(" now:\n", 1)[1].split("\n\n")[0]


def _planned(content: str) -> DeckModel:
    def tweak(request: RecordedRequest, reply: Reply) -> Reply:
        return Reply(content=content) if task_of(request) == "outline" else reply

    return DeckModel().with_tweak(tweak)


async def test_a_closing_slide_planned_mid_deck_goes_last_and_a_planned_title_slide_is_not_repeated(
    tmp_path: Path, llm: FakeLLMServer
) -> None:
    llm.responder = _planned(
        _outline(
            ("Retries that are safe", "title"),
            ("Why retries double-charge", "bullets"),
            ("Wrap-up and next steps", "closing"),
            ("Idempotency keys", "bullets"),
            ("Fingerprints catch reuse", "bullets"),
        )
    ).respond
    async with llm_server(tmp_path, llm) as server:
        events = await generate(server, spb.GeneratePresentationRequest(topic="Safe retries", slide_count=5))
    deck = events[-1].completed.presentation.deck
    assert [(s.title, s.layout) for s in deck.slides] == [
        ("Retries that are safe", pb.LAYOUT_TITLE),
        ("Why retries double-charge", pb.LAYOUT_BULLETS),
        ("Idempotency keys", pb.LAYOUT_BULLETS),
        ("Fingerprints catch reuse", pb.LAYOUT_BULLETS),
        ("Wrap-up and next steps", pb.LAYOUT_CLOSING),
    ]
    streamed = [
        (e.outline_item.index, e.outline_item.item.title) for e in events if e.HasField("outline_item")
    ]
    assert [index for index, _ in streamed] == list(range(5))
    assert streamed[-1] == (4, "Wrap-up and next steps")


@pytest.mark.parametrize(("language", "closing"), [("en", "Key takeaways"), ("de", "Das Wichtigste")])
async def test_a_deck_the_model_planned_without_a_closing_slide_gets_one_in_its_language(
    tmp_path: Path, llm: FakeLLMServer, language: str, closing: str
) -> None:
    llm.responder = _planned(
        _outline(("One", "bullets"), ("Two", "bullets"), ("Three", "bullets"), ("Four", "bullets"))
    ).respond
    async with llm_server(tmp_path, llm) as server:
        events = await generate(
            server, spb.GeneratePresentationRequest(topic="Safe retries", slide_count=5, language=language)
        )
    deck = events[-1].completed.presentation.deck
    assert [s.title for s in deck.slides] == ["Retries that are safe", "One", "Two", "Three", closing]
    assert deck.slides[-1].layout == pb.LAYOUT_CLOSING


def _edited_outline() -> pb.Outline:
    return pb.Outline(
        title="Retries that are safe",
        items=[
            pb.OutlineItem(title="Retries that are safe", layout=pb.LAYOUT_TITLE),
            pb.OutlineItem(
                title="Before and after keys", layout=pb.LAYOUT_TWO_COLUMNS, key_points=["before", "after"]
            ),
            pb.OutlineItem(title="What changed", layout=pb.LAYOUT_TIMELINE, key_points=["v1", "v2"]),
            pb.OutlineItem(title="Thanks", layout=pb.LAYOUT_CLOSING),
        ],
    )


async def test_pinned_layouts_of_an_edited_outline_are_kept(tmp_path: Path, llm: FakeLLMServer) -> None:
    timeline = json.dumps(
        {
            "layout": "timeline",
            "title": "What changed",
            "steps": [{"label": "v1", "title": "Keys optional"}, {"label": "v2", "title": "Keys required"}],
        }
    )

    def tweak(request: RecordedRequest, reply: Reply) -> Reply:
        # The model first ignores the pin (writes bullets), and keeps to it when told again.
        body = json.dumps(request.body)
        if "Write slide 3: What changed" in body:
            return Reply(content=timeline) if task_of(request) == "repair-slide" else reply
        return reply

    llm.responder = DeckModel().with_tweak(tweak).respond
    async with llm_server(tmp_path, llm) as server:
        events = await generate(server, spb.GeneratePresentationRequest(topic="x", outline=_edited_outline()))
    deck = events[-1].completed.presentation.deck
    assert [s.layout for s in deck.slides] == [
        pb.LAYOUT_TITLE,
        pb.LAYOUT_TWO_COLUMNS,
        pb.LAYOUT_TIMELINE,
        pb.LAYOUT_CLOSING,
    ]
    repair = next(r for r in llm.chat_requests if task_of(r) == "repair-slide")
    assert "pins this slide's layout to `timeline`" in json.dumps(repair.body)
    assert "LAYOUT_NOT_HONOURED" not in warnings(events)


async def test_a_pin_the_model_will_not_follow_is_reported_with_the_reason(
    tmp_path: Path, llm: FakeLLMServer
) -> None:
    async with llm_server(tmp_path, llm) as server:
        events = await generate(server, spb.GeneratePresentationRequest(topic="x", outline=_edited_outline()))
    found = warnings(events)["LAYOUT_NOT_HONOURED"]
    assert [w.warning.slide_index for w in found] == [2]
    message = found[0].warning.message
    assert "pinned to the `timeline` layout but is `bullets`" in message and "twice" in message


async def test_regenerate_more_detail_never_returns_the_same_slide(
    tmp_path: Path, llm: FakeLLMServer
) -> None:
    calls: list[str] = []

    def lazy_once(request: RecordedRequest, reply: Reply) -> Reply:
        body = json.dumps(request.body)
        if task_of(request) == "regenerate-slide":
            calls.append(body)
            if len(calls) == 1:  # the first answer is the slide as it was
                return Reply(content=_current(request))
        return reply

    llm.responder = DeckModel().with_tweak(lazy_once).respond
    async with llm_server(tmp_path, llm) as server:
        events = await generate(server, spb.GeneratePresentationRequest(topic="Retries", slide_count=4))
        before = events[-1].completed.presentation.deck.slides[2]
        name = events[0].accepted.presentation.name
        response = await server.stub.RegenerateSlide(
            spb.RegenerateSlideRequest(presentation=name, slide_index=2, instruction="more detail")
        )
    assert len(calls) == 2 and "the slide is unchanged" in calls[1]
    assert [b.text for b in response.slide.bullets] != [b.text for b in before.bullets]
    assert response.slide.bullets[-1].text == "Example: more detail"


async def test_a_model_that_never_changes_the_slide_gets_an_error_not_the_same_slide(
    tmp_path: Path, llm: FakeLLMServer
) -> None:
    def stubborn(request: RecordedRequest, reply: Reply) -> Reply:
        if task_of(request) in ("regenerate-slide", "repair-slide") and "Instruction:" in json.dumps(
            request.body
        ):
            return Reply(content=_current(request))
        return reply

    llm.responder = DeckModel().with_tweak(stubborn).respond
    async with llm_server(tmp_path, llm) as server:
        events = await generate(server, spb.GeneratePresentationRequest(topic="Retries", slide_count=4))
        name = events[0].accepted.presentation.name
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await server.stub.RegenerateSlide(
                spb.RegenerateSlideRequest(presentation=name, slide_index=2, instruction="more detail")
            )
    assert "unchanged" in (caught.value.details() or "")


async def test_left_at_the_default_language_the_model_writes_in_the_sources_language(
    tmp_path: Path, llm: FakeLLMServer
) -> None:
    source = spb.SourceDocument(name="remote-work-ja.md", media_type="text/markdown", content=_JAPANESE)
    llm.responder = _planned(
        _outline(("One", "bullets"), ("Two", "bullets"), ("Three", "bullets"), ("Four", "bullets"))
    ).respond
    async with llm_server(tmp_path, llm) as server:
        events = await generate(server, spb.GeneratePresentationRequest(sources=[source], slide_count=5))
    deck = events[-1].completed.presentation.deck
    assert deck.slides[-1].title == phrases("ja").takeaways  # the fixed string in the document's language
    prompts = [str((r.body or {})["messages"]) for r in llm.chat_requests]
    assert prompts and all("BCP-47 tag `ja`" in prompt for prompt in prompts)
