"""GeneratePresentation end to end: a Markdown document in, a streamed deck and a PPTX out."""

from __future__ import annotations

import hashlib
from pathlib import Path

import grpc
import pytest

from deckgen.v1 import presentation_pb2 as pb
from deckgen.v1 import presentation_service_pb2 as spb
from tests.support.decks import assert_gap_free, kinds, open_deck, slide_texts
from tests.support.servers import RunningServer


def markdown_source(examples: Path, name: str = "intro-to-grpc.md") -> spb.SourceDocument:
    return spb.SourceDocument(name=name, media_type="text/markdown", content=(examples / name).read_bytes())


async def generate(
    server: RunningServer, request: spb.GeneratePresentationRequest
) -> list[spb.GenerationEvent]:
    return [event async for event in server.stub.GeneratePresentation(request, timeout=60)]


async def download(server: RunningServer, name: str) -> tuple[pb.Artifact, bytes]:
    chunks = [chunk async for chunk in server.stub.DownloadArtifact(spb.DownloadArtifactRequest(name=name))]
    return chunks[0].artifact, b"".join(chunk.data for chunk in chunks)


async def test_markdown_source_streams_outline_then_slides_then_artifact(
    server: RunningServer, examples: Path
) -> None:
    request = spb.GeneratePresentationRequest(sources=[markdown_source(examples)], slide_count=8)
    events = await generate(server, request)

    assert_gap_free(events)
    sequence = kinds(events)
    assert sequence[0] == "accepted"
    assert sequence[-1] == "completed"
    slides = [e.slide for e in events if e.HasField("slide")]
    # Planned at once without a model: the outline comes whole, not item by item first.
    assert "outline_item" not in sequence and sequence.count("outline") == 1
    assert len(slides) == 8
    # The outline is complete before the first slide, and every file comes after the last slide.
    assert sequence.index("outline") < sequence.index("slide")
    assert max(i for i, k in enumerate(sequence) if k == "slide") < sequence.index("artifact")
    assert sorted(s.slide.index for s in slides) == list(range(8))
    assert all(s.total_slides == 8 for s in slides)
    assert slides[0].slide.layout == pb.LAYOUT_TITLE
    assert slides[-1].slide.layout == pb.LAYOUT_CLOSING
    outline = next(e.outline.outline for e in events if e.HasField("outline"))
    assert [item.title for item in outline.items] == [s.slide.title for s in slides]
    presentation_name = events[0].accepted.presentation.name
    assert all(e.presentation == presentation_name for e in events)
    assert all(e.resume_token for e in events)

    completed = events[-1].completed.presentation
    assert completed.state == pb.Presentation.STATE_SUCCEEDED
    assert len(completed.deck.slides) == 8
    (artifact_event,) = [e.artifact.artifact for e in events if e.HasField("artifact")]
    assert artifact_event.format == pb.ARTIFACT_FORMAT_PPTX
    assert artifact_event.name == f"{presentation_name}/artifacts/deck.pptx"

    artifact, data = await download(server, artifact_event.name)
    assert len(data) == artifact.size_bytes == artifact_event.size_bytes
    assert hashlib.sha256(data).hexdigest() == artifact_event.sha256
    deck = open_deck(data)
    assert len(deck.slides) == 8
    assert deck.slide_width is not None and deck.slide_height is not None
    assert deck.slide_width * 9 == deck.slide_height * 16
    texts = slide_texts(deck)
    for streamed, text in zip(slides, texts, strict=True):
        assert streamed.slide.title.split()[0] in text
    notes = [s.notes_slide.notes_text_frame.text for s in deck.slides if s.has_notes_slide]
    assert any(note.strip() for note in notes)


async def test_every_slide_count_is_honoured_or_warned(server: RunningServer, examples: Path) -> None:
    for count in (1, 3, 12, 30):
        request = spb.GeneratePresentationRequest(
            sources=[markdown_source(examples, "quarterly-report.md")], slide_count=count
        )
        events = await generate(server, request)
        completed = events[-1].completed.presentation
        made = len([e for e in events if e.HasField("slide")])
        # Exactly the count, or fewer with a warning that says so: documents are never padded.
        short = [e.warning for e in events if e.HasField("warning") and e.warning.code == "FEWER_SLIDES"]
        assert made == count or (made < count and short and f"not the {count} requested" in short[0].message)
        assert made == count or count == 30, count  # the report fills 12 slides, not 30
        _, data = await download(server, completed.artifacts[0].name)
        assert len(open_deck(data).slides) == made, count


async def test_plain_text_and_json_artifact(server: RunningServer, examples: Path) -> None:
    source = spb.SourceDocument(
        name="field-notes.txt", media_type="text/plain", content=(examples / "field-notes.txt").read_bytes()
    )
    request = spb.GeneratePresentationRequest(
        sources=[source],
        theme="midnight",
        speaker_notes=False,
        output_formats=[pb.ARTIFACT_FORMAT_PPTX, pb.ARTIFACT_FORMAT_JSON],
    )
    events = await generate(server, request)
    artifacts = {a.format: a for a in (e.artifact.artifact for e in events if e.HasField("artifact"))}
    assert set(artifacts) == {pb.ARTIFACT_FORMAT_PPTX, pb.ARTIFACT_FORMAT_JSON}
    _, data = await download(server, artifacts[pb.ARTIFACT_FORMAT_JSON].name)
    from google.protobuf import json_format

    deck = json_format.Parse(data, pb.Deck())
    assert deck.theme == "midnight"
    assert deck.slides and all(not slide.speaker_notes for slide in deck.slides)
    completed = events[-1].completed.presentation
    assert [s.title for s in deck.slides] == [s.title for s in completed.deck.slides]


async def test_get_presentation_and_download_with_offset(server: RunningServer, examples: Path) -> None:
    events = await generate(server, spb.GeneratePresentationRequest(sources=[markdown_source(examples)]))
    name = events[0].accepted.presentation.name
    presentation = await server.stub.GetPresentation(spb.GetPresentationRequest(name=name))
    assert presentation.state == pb.Presentation.STATE_SUCCEEDED
    assert presentation.deck.slides
    artifact = presentation.artifacts[0]
    _, whole = await download(server, artifact.name)
    tail = [
        c
        async for c in server.stub.DownloadArtifact(
            spb.DownloadArtifactRequest(name=artifact.name, offset=1000)
        )
    ]
    assert tail[0].offset == 1000
    assert b"".join(c.data for c in tail) == whole[1000:]


async def test_presentation_survives_a_restart_through_the_store(tmp_path: Path, examples: Path) -> None:
    from tests.support.servers import running_server, server_settings

    settings = server_settings(tmp_path / "store")
    async with running_server(settings) as first:
        events = await generate(first, spb.GeneratePresentationRequest(sources=[markdown_source(examples)]))
    name = events[0].accepted.presentation.name
    async with running_server(settings) as second:
        presentation = await second.stub.GetPresentation(spb.GetPresentationRequest(name=name))
        assert presentation.state == pb.Presentation.STATE_SUCCEEDED
        _, data = await download(second, presentation.artifacts[0].name)
        assert hashlib.sha256(data).hexdigest() == presentation.artifacts[0].sha256


async def test_list_themes_pages(server: RunningServer) -> None:
    everything = await server.stub.ListThemes(spb.ListThemesRequest())
    assert len(everything.themes) >= 3
    assert everything.themes[0].id == "default"
    assert not everything.next_page_token
    first = await server.stub.ListThemes(spb.ListThemesRequest(page_size=2))
    rest = await server.stub.ListThemes(spb.ListThemesRequest(page_token=first.next_page_token))
    assert [t.id for t in (*first.themes, *rest.themes)] == [t.id for t in everything.themes]


async def test_slides_carry_the_progress_and_no_progress_event_repeats_another(
    server: RunningServer, examples: Path
) -> None:
    request = spb.GeneratePresentationRequest(sources=[markdown_source(examples)], slide_count=6)
    events = await generate(server, request)
    sequence = kinds(events)

    # Each slide says how far the generation is; no progress event between the slides says it again.
    fractions = [e.slide.fraction for e in events if e.HasField("slide")]
    assert fractions == sorted(fractions) and len(set(fractions)) == 6
    assert fractions[0] > 0.15 and fractions[-1] == pytest.approx(0.8)
    first_slide = sequence.index("slide")
    last_slide = max(i for i, kind in enumerate(sequence) if kind == "slide")
    assert "progress" not in sequence[first_slide:last_slide]
    # Nor one that the outline, the first slide or `completed` make redundant: the outline is at
    # hand without a model, so none announces its planning either.
    assert "progress" not in sequence[: sequence.index("outline") + 1]
    assert sequence[-2] != "progress"
    # The render, which takes a while, is still announced.
    render = [e.progress for e in events[last_slide:] if e.HasField("progress")]
    assert [p.stage for p in render][:1] == [spb.GenerationEvent.STAGE_RENDER]


async def test_outline_review_then_generate_from_edited_outline(
    server: RunningServer, examples: Path
) -> None:
    source = markdown_source(examples)
    events = [
        e
        async for e in server.stub.GenerateOutline(
            spb.GenerateOutlineRequest(sources=[source], slide_count=6)
        )
    ]
    assert_gap_free(events)
    assert kinds(events)[0] == "accepted" and kinds(events)[-1] == "completed"
    assert "slide" not in kinds(events)
    outline = next(e.outline.outline for e in events if e.HasField("outline"))
    assert len(outline.items) == 6

    edited = pb.Outline()
    edited.CopyFrom(outline)
    edited.items[1].title = "Why teams pick gRPC"
    del edited.items[2]
    request = spb.GeneratePresentationRequest(sources=[source], outline=edited)
    generated = await generate(server, request)
    slides = [e.slide.slide for e in generated if e.HasField("slide")]
    assert len(slides) == 5
    assert slides[1].title == "Why teams pick gRPC"
    # The caller's own outline is announced back whole, as it will be drawn.
    assert "outline_item" not in kinds(generated)
    announced = next(e.outline.outline for e in generated if e.HasField("outline"))
    assert [item.title for item in announced.items] == [s.title for s in slides]


async def test_outline_without_sources_needs_no_model(server: RunningServer) -> None:
    outline = pb.Outline(
        title="Team offsite",
        items=[
            pb.OutlineItem(title="Team offsite", layout=pb.LAYOUT_TITLE),
            pb.OutlineItem(title="Agenda", key_points=["Morning: retrospective", "Afternoon: planning"]),
            pb.OutlineItem(title="Thank you", layout=pb.LAYOUT_CLOSING),
        ],
    )
    events = await generate(server, spb.GeneratePresentationRequest(topic="Team offsite", outline=outline))
    slides = [e.slide.slide for e in events if e.HasField("slide")]
    assert [s.title for s in slides] == ["Team offsite", "Agenda", "Thank you"]
    assert [b.text for b in slides[1].bullets] == ["Morning: retrospective", "Afternoon: planning"]


async def test_render_presentation_from_an_edited_deck(server: RunningServer) -> None:
    deck = pb.Deck(
        title="Edited",
        theme="editorial",
        slides=[
            pb.Slide(layout=pb.LAYOUT_TITLE, title="Edited deck", subtitle="By hand"),
            pb.Slide(
                title="Numbers",
                table=pb.Table(header=["Quarter", "Revenue"], rows=[pb.TableRow(cells=["Q1", "1.2M"])]),
            ),
            pb.Slide(layout=pb.LAYOUT_QUOTE, quote=pb.Quote(text="Simple is hard.", attribution="Someone")),
            pb.Slide(
                layout=pb.LAYOUT_BULLETS,
                title="Points",
                bullets=[pb.Bullet(text="one"), pb.Bullet(text="sub", level=1)],
            ),
        ],
    )
    response = await server.stub.RenderPresentation(spb.RenderPresentationRequest(deck=deck))
    presentation = response.presentation
    assert presentation.state == pb.Presentation.STATE_SUCCEEDED
    assert presentation.deck.slides[1].layout == pb.LAYOUT_TABLE  # inferred from the content
    _, data = await download(server, presentation.artifacts[0].name)
    rendered = open_deck(data)
    assert len(rendered.slides) == 4
    assert "1.2M" in slide_texts(rendered)[1]


async def test_regenerate_slide_shorter(server: RunningServer, examples: Path) -> None:
    events = await generate(
        server, spb.GeneratePresentationRequest(sources=[markdown_source(examples)], slide_count=6)
    )
    deck = events[-1].completed.presentation.deck
    index = next(i for i, s in enumerate(deck.slides) if len(s.bullets) >= 3)
    response = await server.stub.RegenerateSlide(
        spb.RegenerateSlideRequest(
            presentation=events[0].accepted.presentation.name, slide_index=index, instruction="shorter"
        )
    )
    assert response.slide.index == index
    assert response.slide.title == deck.slides[index].title
    before = sum(len(b.text) for b in deck.slides[index].bullets)
    after = sum(len(b.text) for b in response.slide.bullets) + len(response.slide.body)
    assert after < before


async def test_identical_request_id_joins_the_same_generation(server: RunningServer, examples: Path) -> None:
    request = spb.GeneratePresentationRequest(
        request_id="0b6f3c1e-5d4e-4c54-9d1c-8b0f5a7e2d11", sources=[markdown_source(examples)]
    )
    first = await generate(server, request)
    second = await generate(server, request)
    assert first[0].accepted.presentation.name == second[0].accepted.presentation.name
    assert [e.sequence for e in first] == [e.sequence for e in second]

    different = spb.GeneratePresentationRequest(
        request_id=request.request_id, topic="something else", sources=[markdown_source(examples)]
    )
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await generate(server, different)
    assert caught.value.code() == grpc.StatusCode.ALREADY_EXISTS
