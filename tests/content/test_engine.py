import asyncio
from dataclasses import replace

import pytest

from deckgen.content import ContentEngine, SlideDraft
from deckgen.content.embedded import EmbeddedEngine
from deckgen.domain import (
    Bullet,
    Deck,
    GenerationSpec,
    InvalidRequest,
    Layout,
    Outline,
    OutlineItem,
    PreconditionFailed,
    Slide,
    SourceDocument,
    TextMode,
    Usage,
)

from ._helpers import assert_within_bounds, example, spec_for, tiny


async def _outline(
    engine: EmbeddedEngine, spec: GenerationSpec
) -> tuple[Outline, list[tuple[int, OutlineItem]]]:
    seen: list[tuple[int, OutlineItem]] = []

    async def emit(index: int, item: OutlineItem) -> None:
        seen.append((index, item))

    result = await engine.outline(spec, emit)
    assert result.usage == Usage()
    return result.outline, seen


async def _slides(engine: EmbeddedEngine, spec: GenerationSpec, outline: Outline) -> list[SlideDraft]:
    return [draft async for draft in engine.slides(spec, outline)]


def test_satisfies_the_port() -> None:
    engine: ContentEngine = EmbeddedEngine()
    assert engine is not None


def test_topic_only_needs_a_model() -> None:
    with pytest.raises(PreconditionFailed) as caught:
        EmbeddedEngine().check(GenerationSpec(topic="Rust for beginners"))
    error = caught.value
    assert error.reason == "LLM_NOT_CONFIGURED"
    assert error.subject == "OPENAI_API_KEY"
    assert "Set OPENAI_API_KEY" in error.message and "OPENAI_BASE_URL" in error.message
    assert "source documents" in error.message


def test_generate_mode_needs_a_model() -> None:
    with pytest.raises(PreconditionFailed) as caught:
        EmbeddedEngine().check(spec_for(tiny(), text_mode=TextMode.GENERATE))
    assert caught.value.reason == "LLM_NOT_CONFIGURED"
    assert "CONDENSE or PRESERVE" in caught.value.message


def test_unsupported_media_type_and_empty_document_are_field_violations() -> None:
    pdf = SourceDocument(name="a.pdf", media_type="application/pdf", content=b"%PDF")
    empty = SourceDocument(name="b.md", media_type="text/markdown", content=b" \n\n")
    with pytest.raises(InvalidRequest) as caught:
        EmbeddedEngine().check(spec_for(tiny(), pdf, empty))
    fields = [v.field for v in caught.value.violations]
    assert fields == ["sources[1].media_type", "sources[2].content"]
    assert "supported: text/markdown, text/plain" in caught.value.violations[0].description


def test_media_type_parameters_are_accepted() -> None:
    source = SourceDocument(name="n", media_type="text/plain; charset=utf-8", content=b"Hello there.")
    EmbeddedEngine().check(spec_for(source))


async def test_outline_comes_whole_and_slides_follow_it() -> None:
    engine = EmbeddedEngine()
    spec = spec_for(example("intro-to-grpc.md"), slide_count=12)
    outline, seen = await _outline(engine, spec)
    assert seen == []  # made at once: announced whole (by the pipeline's `outline` event), not item by item
    assert len(outline.items) == 12
    assert outline.title == "An Introduction to gRPC"
    assert outline.items[0].layout == Layout.TITLE and outline.items[-1].layout == Layout.CLOSING
    drafts = await _slides(engine, spec, outline)
    assert [d.index for d in drafts] == list(range(12))
    for draft, item in zip(drafts, outline.items, strict=True):
        assert draft.slide.title == item.title and draft.slide.layout == item.layout
        assert draft.usage == Usage()
        assert_within_bounds(draft.slide)


async def test_outline_items_carry_key_points() -> None:
    outline, _ = await _outline(EmbeddedEngine(), spec_for(example("quarterly-report.md")))
    bullets = [item for item in outline.items if item.layout == Layout.BULLETS]
    assert bullets and all(item.key_points for item in bullets)
    assert all(len(point) <= 80 for item in outline.items for point in item.key_points)


async def test_outline_emission_yields_to_the_event_loop() -> None:
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0)

    task = asyncio.create_task(ticker())
    await asyncio.sleep(0)
    await _outline(EmbeddedEngine(), spec_for(example("quarterly-report.md")))
    task.cancel()
    assert ticks > 3


async def test_edited_outline_is_matched_to_source_content() -> None:
    engine = EmbeddedEngine()
    spec = spec_for(example("quarterly-report.md"))
    outline, _ = await _outline(engine, spec)
    items = list(outline.items)
    risks_index = next(i for i, item in enumerate(items) if item.title == "Risks")
    risks = items[risks_index]
    renamed = replace(
        risks, title="Risks we are watching", key_points=(risks.key_points[1], "Our own new point")
    )
    costs = next(item for item in items if item.title == "Costs and margin")
    edited = Outline(
        title=outline.title,
        items=(
            items[0],
            renamed,
            costs,
            OutlineItem(title="Board questions", key_points=("Is the rental budget enough?",)),
            OutlineItem(title="What drove it", key_points=("loyalty programme online orders checkout",)),
            items[-1],
        ),
    )
    drafts = await _slides(engine, spec, edited)
    slides = [d.slide for d in drafts]
    assert [s.title for s in slides] == [item.title for item in edited.items]
    assert [b.text for b in slides[1].bullets] == [
        "Two suppliers in Vietnam have warned of cotton price rises of up to 12%.",
        "Our own new point",
    ]
    assert slides[2].bullets[0].text.startswith("Freight costs per order fell 9%")
    assert [b.text for b in slides[3].bullets] == ["Is the rental budget enough?"]
    assert "loyalty programme now accounts for 38%" in " ".join(b.text for b in slides[4].bullets)
    assert slides[4].sources[0].document == "quarterly-report.md"


async def test_item_without_content_or_key_points_needs_a_model() -> None:
    engine = EmbeddedEngine()
    spec = spec_for(example("quarterly-report.md"))
    outline = Outline(title="Q3", items=(OutlineItem(title="Competitor landscape in Asia"),))
    with pytest.raises(PreconditionFailed) as caught:
        await _slides(engine, spec, outline)
    assert caught.value.reason == "LLM_NOT_CONFIGURED"
    assert "Competitor landscape in Asia" in caught.value.message


async def test_outline_without_sources_builds_slides_from_key_points() -> None:
    outline = Outline(
        title="Rust for beginners",
        subtitle="A first look",
        items=(
            OutlineItem(title="Rust for beginners", layout=Layout.TITLE),
            OutlineItem(title="Why Rust", key_points=("Memory safety without a garbage collector", "Fast")),
            OutlineItem(title="Ownership", layout=Layout.SECTION),
            OutlineItem(title="Thanks", layout=Layout.CLOSING, key_points=("Questions?",)),
        ),
    )
    spec = GenerationSpec(topic="Rust", outline=outline)
    engine = EmbeddedEngine()
    engine.check(spec)
    slides = [d.slide for d in await _slides(engine, spec, outline)]
    assert [s.layout for s in slides] == [Layout.TITLE, Layout.BULLETS, Layout.SECTION, Layout.CLOSING]
    assert slides[0].subtitle == "A first look"
    assert [b.text for b in slides[1].bullets] == ["Memory safety without a garbage collector", "Fast"]
    planned, seen = await _outline(engine, spec)
    assert planned.items == outline.items and seen == []


def _deck_slide(*texts: str) -> Deck:
    bullets = tuple(Bullet(text) for text in texts)
    return Deck(
        title="D", slides=(Slide(Layout.TITLE, "D"), Slide(Layout.BULLETS, "Day two", bullets=bullets))
    )


async def test_regenerate_shorter_keeps_title_and_layout_with_fewer_bullets() -> None:
    engine = EmbeddedEngine()
    spec = spec_for(example("field-notes.txt"), slide_count=8)
    outline, _ = await _outline(engine, spec)
    slides = tuple(d.slide for d in await _slides(engine, spec, outline))
    deck = Deck(title=outline.title, slides=slides)
    index = next(i for i, s in enumerate(slides) if len(s.bullets) >= 3)
    slide, usage = await engine.regenerate_slide(spec, deck, index, "Make it shorter please")
    assert usage == Usage()
    assert slide.title == slides[index].title and slide.layout == slides[index].layout
    assert len(slide.bullets) < len(slides[index].bullets)
    original = " ".join(b.text for b in slides[index].bullets)
    assert all(b.text.split()[0] in original for b in slide.bullets)


async def test_regenerate_longer_adds_sentences_from_the_source() -> None:
    engine = EmbeddedEngine()
    spec = spec_for(example("field-notes.txt"))
    outline, _ = await _outline(engine, spec)
    slides = tuple(d.slide for d in await _slides(engine, spec, outline))
    index = next(i for i, s in enumerate(slides) if s.title == "Day two")
    deck = Deck(title=outline.title, slides=slides)
    slide, _ = await engine.regenerate_slide(spec, deck, index, "more detail")
    texts = [b.text for b in slide.bullets]
    assert len(texts) > len(slides[index].bullets)
    assert (
        "The ditch has silted up since March, and cord-grass now covers much of its southern bank." in texts
    )
    assert texts.index("Transects E and F run along the old drainage ditch.") == 0
    assert_within_bounds(slide)


async def test_regenerate_free_form_needs_a_model() -> None:
    engine = EmbeddedEngine()
    with pytest.raises(PreconditionFailed) as caught:
        await engine.regenerate_slide(spec_for(tiny()), _deck_slide("a"), 1, "make it funnier")
    assert caught.value.reason == "LLM_NOT_CONFIGURED"
    assert "shorter" in caught.value.message and "longer" in caught.value.message
    with pytest.raises(InvalidRequest):
        await engine.regenerate_slide(spec_for(tiny()), _deck_slide("a"), 5, "shorter")


async def test_preserve_mode_streams_verbatim_text() -> None:
    engine = EmbeddedEngine()
    spec = spec_for(example("field-notes.txt"), text_mode=TextMode.PRESERVE)
    outline, _ = await _outline(engine, spec)
    slides = [d.slide for d in await _slides(engine, spec, outline)]
    body = " ".join(s.body for s in slides)
    assert "Two little egrets fed in the shallow pools behind the sea wall." in body


@pytest.mark.parametrize("slide_count", [6, 8, 12])
async def test_a_code_sample_merged_with_text_stays_code_never_a_bullet(slide_count: int) -> None:
    engine = EmbeddedEngine()
    spec = spec_for(example("intro-to-grpc.md"), slide_count=slide_count)
    outline, _ = await _outline(engine, spec)
    slides = [draft.slide for draft in await _slides(engine, spec, outline)]
    bullets = [bullet.text for slide in slides for bullet in slide.bullets]
    assert not any("Inventory {" in text or text.rstrip().endswith("{") for text in bullets), bullets
    samples = [slide.code.text for slide in slides if slide.code is not None]
    if slide_count >= 8:  # at 6 slides the sections are compacted to one line each, samples left out
        assert any(text.startswith("service Inventory {\n  rpc GetItem") for text in samples), samples
