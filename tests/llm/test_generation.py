"""Topic-only and document decks through a model: streaming, concurrency, usage, images, caching."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from deckgen.v1 import presentation_pb2 as pb
from deckgen.v1 import presentation_service_pb2 as spb
from tests.llm.conftest import generate, kinds, llm_server, warnings
from tests.support.deck_model import DeckModel, slide_number, task_of
from tests.support.decks import assert_gap_free, open_deck
from tests.support.fake_llm import FakeLLMServer, RecordedRequest, Reply

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


async def download(stub: object, name: str) -> bytes:
    chunks = [c async for c in stub.DownloadArtifact(spb.DownloadArtifactRequest(name=name))]  # type: ignore[attr-defined]
    return b"".join(chunk.data for chunk in chunks)


def event_time(event: spb.GenerationEvent) -> float:
    return event.create_time.seconds + event.create_time.nanos / 1e9


async def test_topic_only_streams_outline_items_then_slides_over_time(
    tmp_path: Path, llm: FakeLLMServer
) -> None:
    llm.responder = DeckModel(tokens_per_second=400).respond
    async with llm_server(tmp_path, llm) as server:
        events = await generate(
            server, spb.GeneratePresentationRequest(topic="Low-latency services", slide_count=7)
        )
        assert_gap_free(events)
        sequence = kinds(events)
        assert sequence[0] == "accepted" and sequence[-1] == "completed"
        items = [e for e in events if e.HasField("outline_item")]
        assert [e.outline_item.index for e in items] == list(range(7))
        assert items[0].outline_item.item.layout == pb.LAYOUT_TITLE
        assert items[-1].outline_item.item.layout == pb.LAYOUT_CLOSING
        # Outline items arrive one by one while the model writes, not all together at the end.
        item_times = [event_time(e) for e in items]
        assert item_times[-1] - item_times[1] > 0.1
        slides = [e for e in events if e.HasField("slide")]
        assert sorted(e.slide.slide.index for e in slides) == list(range(7))
        # Every model-written slide reports its own usage; the completed event has the total.
        written = [e for e in slides if e.slide.slide.layout != pb.LAYOUT_TITLE]
        assert all(e.slide.usage.completion_tokens > 0 for e in written)
        usage = events[-1].completed.presentation.usage
        assert usage.completion_tokens == sum(r.tokens_sent for r in llm.chat_requests)
        assert usage.prompt_tokens > 0

        deck = events[-1].completed.presentation
        pptx = next(a for a in deck.artifacts if a.format == pb.ARTIFACT_FORMAT_PPTX)
        opened = open_deck(await download(server.stub, pptx.name))
        assert len(opened.slides) == 7
        notes = [s.notes_slide.notes_text_frame.text for s in opened.slides if s.has_notes_slide]
        assert any("concrete example" in text for text in notes)

    requests = llm.chat_requests
    assert task_of(requests[0]) == "outline"
    assert requests[0].body is not None and requests[0].body["model"] == "fake-outline"
    assert requests[0].headers["authorization"] == "Bearer sk-test-primary"
    slide_calls = [r for r in requests if task_of(r) == "slide"]
    assert len(slide_calls) == 6  # the title slide needs no model
    assert all(r.body is not None and r.body["model"] == "fake-slides" for r in slide_calls)
    assert all(
        r.body is not None and r.body["stream_options"] == {"include_usage": True} for r in slide_calls
    )
    first = slide_calls[0].body
    assert first is not None and first["response_format"]["type"] == "json_schema"


async def test_slides_are_written_while_the_outline_is_still_being_planned(
    tmp_path: Path, llm: FakeLLMServer
) -> None:
    llm.responder = DeckModel(tokens_per_second=150).respond
    async with llm_server(tmp_path, llm) as server:
        events = await generate(server, spb.GeneratePresentationRequest(topic="Pipelines", slide_count=9))
    sequence = kinds(events)
    first_slide = next(
        i for i, e in enumerate(events) if e.HasField("slide") and e.slide.slide.layout != pb.LAYOUT_TITLE
    )
    assert first_slide < sequence.index("outline")
    # Slides written early saw the outline so far and were told that more is coming.
    early = next(r for r in llm.chat_requests if slide_number(r) == 2)
    assert early.body is not None
    assert "more slides follow" in early.body["messages"][1]["content"]
    assert [e.slide.slide.index for e in events if e.HasField("slide")][-1] != 1


async def test_slides_are_written_concurrently_and_each_sent_when_complete(
    tmp_path: Path, llm: FakeLLMServer
) -> None:
    llm.responder = DeckModel(tokens_per_second=300).respond
    # Reads held for 0.1 s would hand out the outline's items in bursts and blur how many slides
    # overlap; what is measured here is the concurrency limit.
    async with llm_server(tmp_path, llm, LLM_CONCURRENCY="4", LLM_READ_HOLD="0") as server:
        events = await generate(server, spb.GeneratePresentationRequest(topic="Caching", slide_count=8))
    slide_calls = [r for r in llm.chat_requests if task_of(r) == "slide"]
    assert len(slide_calls) == 7
    # At most LLM_CONCURRENCY slides at once (the outline call runs beside them).
    spans = [(r.received_at, r.completed_at or 0.0) for r in slide_calls]
    overlap = max(sum(1 for s, e in spans if s <= start < e) for start, _ in spans)
    assert overlap == 4
    finished = {slide_number(r): r.finished_at for r in slide_calls}
    for event in events:
        if event.HasField("slide") and event.slide.slide.layout != pb.LAYOUT_TITLE:
            done = finished[event.slide.slide.index + 1]
            assert done is not None
            # Sent the moment the model finished that slide, not when the last one was done.
            assert 0 <= event_time(event) - done < 0.5


async def test_slide_replies_are_read_whole_and_the_outline_as_it_streams(
    tmp_path: Path, llm: FakeLLMServer
) -> None:
    # A slide's reply is wanted only whole: over plain HTTP it is asked on a connection the server
    # closes after it, which wakes the loop once. The outline's items start slides as they close, so
    # it streams on a kept connection; LLM_WHOLE_REPLIES=false reads slides that way too.
    llm.responder = DeckModel(tokens_per_second=300).respond
    for whole in ("true", "false"):
        async with llm_server(tmp_path / whole, llm, LLM_WHOLE_REPLIES=whole) as server:
            events = await generate(server, spb.GeneratePresentationRequest(topic="Tides", slide_count=5))
        assert kinds(events)[-1] == "completed"
    calls = llm.chat_requests
    outlines = [r.headers.get("connection", "") for r in calls if task_of(r) != "slide"]
    slides = [r.headers.get("connection", "") for r in calls if task_of(r) == "slide"]
    assert len(outlines) == 2 and "close" not in outlines, outlines
    assert len(slides) == 8 and slides[:4] == ["close"] * 4 and "close" not in slides[4:], slides


async def test_documents_ground_the_slides_in_relevant_passages(tmp_path: Path, llm: FakeLLMServer) -> None:
    source = spb.SourceDocument(
        name="intro-to-grpc.md",
        media_type="text/markdown",
        content=(EXAMPLES / "intro-to-grpc.md").read_bytes(),
    )

    def cite(request: object, reply: Reply) -> Reply:
        if task_of(request) == "slide":  # type: ignore[arg-type]
            return Reply(content=reply.content.replace('"sources": []', '"sources": ["S2", "S99"]'))
        return reply

    llm.responder = DeckModel(tweak=cite).respond
    request = spb.GeneratePresentationRequest(
        sources=[source], slide_count=5, text_mode=spb.TEXT_MODE_PRESERVE, language="de"
    )
    async with llm_server(tmp_path, llm) as server:
        events = await generate(server, request)
    outline_call = llm.chat_requests[0]
    assert outline_call.body is not None
    outline_prompt = "\n".join(m["content"] for m in outline_call.body["messages"])
    assert "[S2] (intro-to-grpc.md: An Introduction to gRPC > Why teams choose gRPC)" in outline_prompt
    assert "Keep the author's wording" in outline_prompt and "`de`" in outline_prompt
    slide = next(e.slide.slide for e in events if e.HasField("slide") and e.slide.slide.index == 1)
    # The model's citation of S2 becomes a source reference; the invented S99 is dropped.
    assert [(s.document, s.locator) for s in slide.sources] == [
        ("intro-to-grpc.md", "An Introduction to gRPC > Why teams choose gRPC")
    ]


async def test_pictures_are_generated_stored_and_placed(tmp_path: Path, llm: FakeLLMServer) -> None:
    llm.responder = DeckModel(image_items=frozenset({1, 2})).respond
    request = spb.GeneratePresentationRequest(
        topic="Observability", slide_count=5, image_mode=spb.IMAGE_MODE_GENERATED
    )
    async with llm_server(tmp_path, llm, IMAGES_MODEL="fake-image") as server:
        events = await generate(server, request)
        images = [e.image for e in events if e.HasField("image")]
        assert sorted(i.slide_index for i in images) == [1, 2]
        assert all(i.alt_text.startswith("Diagram illustrating") for i in images)
        assert all(i.artifact.format == pb.ARTIFACT_FORMAT_IMAGE for i in images)
        completed = events[-1].completed.presentation
        assert completed.usage.images == 2
        placed = [s for s in completed.deck.slides if s.layout == pb.LAYOUT_IMAGE_TEXT]
        assert [s.image.uri for s in placed] == [
            i.artifact.name for i in sorted(images, key=lambda i: i.slide_index)
        ]
        pptx = next(a for a in completed.artifacts if a.format == pb.ARTIFACT_FORMAT_PPTX)
        opened = open_deck(await download(server.stub, pptx.name))
        pictures = [shape for slide in opened.slides for shape in slide.shapes if shape.shape_type == 13]
        assert len(pictures) == 2
    image_calls = [r for r in llm.requests if r.path.endswith("/images/generations")]
    assert len(image_calls) == 2 and image_calls[0].body is not None
    assert image_calls[0].body["model"] == "fake-image"


async def test_a_failed_picture_leaves_a_good_slide_and_a_warning(tmp_path: Path, llm: FakeLLMServer) -> None:
    llm.responder = DeckModel(image_items=frozenset({1})).respond
    llm.enqueue(*[Reply(status=400, error_message="content policy")], path="/v1/images/generations")
    request = spb.GeneratePresentationRequest(topic="Ops", slide_count=4, image_mode=spb.IMAGE_MODE_GENERATED)
    async with llm_server(tmp_path, llm, IMAGES_MODEL="fake-image") as server:
        events = await generate(server, request)
    found = warnings(events)
    assert found["IMAGE_FAILED"][0].warning.slide_index == 1
    completed = events[-1].completed.presentation
    assert completed.deck.slides[1].layout == pb.LAYOUT_BULLETS
    assert not completed.deck.slides[1].HasField("image")


async def test_a_dead_images_api_is_skipped_once_its_circuit_opens_and_its_body_is_never_shown(
    tmp_path: Path, llm: FakeLLMServer
) -> None:
    leaked = "sk-proj-ImagesKeyShouldNeverShow42"
    llm.responder = DeckModel(image_items=frozenset(range(1, 7))).respond
    llm.enqueue(
        *[Reply(status=401, error_message=f"Incorrect API key provided: {leaked}")] * 10,
        path="/v1/images/generations",
    )
    request = spb.GeneratePresentationRequest(topic="Ops", slide_count=8, image_mode=spb.IMAGE_MODE_GENERATED)
    async with llm_server(
        tmp_path, llm, IMAGES_MODEL="fake-image", IMAGE_CONCURRENCY="1", LLM_BREAKER_THRESHOLD="2"
    ) as server:
        events = await generate(server, request)
    failed = warnings(events)["IMAGE_FAILED"]
    assert sorted(w.warning.slide_index for w in failed) == [1, 2, 3, 4, 5, 6]
    messages = [w.warning.message for w in failed]
    assert sum("HTTP 401 (API key refused)" in m for m in messages) == 2
    assert sum("circuit open" in m for m in messages) == 4
    assert not any(leaked in m or "Incorrect" in m for m in messages)
    assert len([r for r in llm.requests if r.path.endswith("/images/generations")]) == 2
    assert events[-1].HasField("completed")


async def test_identical_requests_reuse_the_content(tmp_path: Path, llm: FakeLLMServer) -> None:
    async with llm_server(tmp_path, llm, CACHE_ENABLED="true") as server:
        request = spb.GeneratePresentationRequest(topic="Cache me", slide_count=4)
        first = await generate(server, request)
        calls = len(llm.chat_requests)
        second = await generate(server, request)
    assert len(llm.chat_requests) == calls
    titles = [e.slide.slide.title for e in first if e.HasField("slide")]
    assert sorted(titles) == sorted(e.slide.slide.title for e in second if e.HasField("slide"))


async def test_regenerate_slide_goes_through_the_model(tmp_path: Path, llm: FakeLLMServer) -> None:
    async with llm_server(tmp_path, llm) as server:
        events = await generate(server, spb.GeneratePresentationRequest(topic="Retries", slide_count=4))
        name = events[0].accepted.presentation.name
        response = await server.stub.RegenerateSlide(
            spb.RegenerateSlideRequest(presentation=name, slide_index=2, instruction="add an example")
        )
    call = llm.chat_requests[-1]
    assert task_of(call) == "regenerate-slide"
    assert call.body is not None
    assert "Instruction: add an example" in call.body["messages"][1]["content"]
    assert response.slide.title == events[-1].completed.presentation.deck.slides[2].title


async def test_speaker_notes_off_tone_and_audience_reach_the_model(
    tmp_path: Path, llm: FakeLLMServer
) -> None:
    request = spb.GeneratePresentationRequest(
        topic="Queues",
        slide_count=3,
        speaker_notes=False,
        tone="playful",
        audience_level=spb.AUDIENCE_LEVEL_BEGINNER,
    )
    async with llm_server(tmp_path, llm) as server:
        events = await generate(server, request)
    slide_call = next(r for r in llm.chat_requests if task_of(r) == "slide")
    assert slide_call.body is not None
    system = slide_call.body["messages"][0]["content"]
    assert "Leave notes empty." in system and "Tone: playful." in system and "newcomers" in system
    deck = events[-1].completed.presentation.deck
    assert all(not slide.speaker_notes for slide in deck.slides)


async def test_allowed_layouts_are_respected_and_told_to_the_model(
    tmp_path: Path, llm: FakeLLMServer
) -> None:
    request = spb.GeneratePresentationRequest(
        topic="Restricted",
        slide_count=6,
        allowed_layouts=[pb.LAYOUT_TITLE, pb.LAYOUT_BULLETS, pb.LAYOUT_CLOSING],
    )
    async with llm_server(tmp_path, llm) as server:
        events = await generate(server, request)
    outline_call = llm.chat_requests[0]
    assert outline_call.body is not None
    assert "Layouts: bullets (default), closing" in outline_call.body["messages"][0]["content"]
    layouts = {s.layout for s in events[-1].completed.presentation.deck.slides}
    # The scripted model plans a two-column slide; it is re-cast as bullets.
    assert layouts <= {pb.LAYOUT_TITLE, pb.LAYOUT_BULLETS, pb.LAYOUT_CLOSING}


async def test_a_slide_too_long_for_its_box_is_announced_then_said_to_be_split(
    tmp_path: Path, llm: FakeLLMServer
) -> None:
    # The slide goes out first (its text is measured after its readers have written it), the
    # warning follows it, and the file has the parts.
    # A table of long cells: no size down to the minimum fits it on one slide.
    cell = ("latency budget per stage measured end to end " * 3)[:120]
    table = {"header": [f"Stage {n}" for n in range(6)], "rows": [[cell] * 6 for _ in range(8)]}

    def verbose_second_slide(request: RecordedRequest, reply: Reply) -> Reply:
        if task_of(request) != "slide" or slide_number(request) != 2:
            return reply
        slide = {**json.loads(reply.content), "layout": "table", "table": table}
        slide.pop("bullets", None)
        slide.pop("image_prompt", None)
        return replace(reply, content=json.dumps(slide))

    llm.responder = DeckModel(tokens_per_second=2000).with_tweak(verbose_second_slide).respond
    async with llm_server(tmp_path, llm) as server:
        events = await generate(server, spb.GeneratePresentationRequest(topic="Pipelines", slide_count=4))
        split = warnings(events).get("SLIDE_SPLIT_TO_FIT", [])
        assert [w.warning.slide_index for w in split] == [1], kinds(events)
        slide_at = next(i for i, e in enumerate(events) if e.HasField("slide") and e.slide.slide.index == 1)
        assert events.index(split[0]) > slide_at
        presentation = events[-1].completed.presentation
        pptx = next(a for a in presentation.artifacts if a.format == pb.ARTIFACT_FORMAT_PPTX)
        opened = open_deck(await download(server.stub, pptx.name))
    assert len(opened.slides) > 4
