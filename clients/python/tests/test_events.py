"""Folding event streams into deck state, and collecting outlines."""

from __future__ import annotations

import pytest

from deckgen.client import DeckgenClient, DeckProgress, collect_outline, event_kind
from deckgen.v1.presentation_service_pb2 import GenerationEvent

from .fake_service import ARTIFACT, PRESENTATION, FakeService, deck_events, outline_events


def test_event_kind() -> None:
    assert [event_kind(e) for e in deck_events(1)] == [
        "accepted",
        "outline",
        "slide",
        "artifact",
        "completed",
    ]
    assert event_kind(GenerationEvent()) == ""


def test_progress_folds_a_whole_generation() -> None:
    progress = DeckProgress()
    events = deck_events(3)
    for event in events[:4]:  # accepted, outline, slides 2 and 1
        progress.apply(event)

    assert progress.presentation == PRESENTATION
    assert sorted(progress.slides) == [1, 2]
    assert [s.index for s in progress.ordered_slides()] == [1, 2]
    assert progress.total_slides == 3
    assert not progress.done
    assert progress.deck().title == "Tide pools"

    for event in events:  # replaying from the start applies nothing twice
        progress.apply(event)

    assert progress.done
    assert progress.last_sequence == events[-1].sequence
    assert progress.resume_token == events[-1].resume_token
    assert list(progress.artifacts) == [ARTIFACT]
    assert progress.usage.prompt_tokens == 30
    assert len(progress.deck().slides) == 3
    assert progress.fraction == 1.0


def test_progress_follows_the_fraction_slides_carry() -> None:
    progress = DeckProgress()
    events = deck_events(2)
    events[2].slide.fraction = 0.475
    events[3].slide.fraction = 0.8
    for event in events[:3]:
        progress.apply(event)
    assert progress.fraction == pytest.approx(0.475)
    assert progress.stage == GenerationEvent.STAGE_SLIDES
    progress.apply(events[3])
    assert progress.fraction == pytest.approx(0.8)


def test_collect_outline_from_stream(target: str, service: FakeService) -> None:
    service.events = outline_events(3)
    service.break_after = 2

    with DeckgenClient(target) as client:
        outline = collect_outline(client.generate_outline(topic="Tide pools", audience_level="advanced"))

    assert [item.title for item in outline.items] == ["O0", "O1", "O2"]
    assert service.requests[0].audience_level == 3
    assert service.requests[1].resume_token == "tok-2"


def test_collect_outline_from_items_alone() -> None:
    items = [e for e in outline_events(2) if event_kind(e) == "outline_item"]
    assert [i.title for i in collect_outline(items).items] == ["O0", "O1"]


def test_collect_outline_without_outline() -> None:
    with pytest.raises(ValueError, match="without an outline"):
        collect_outline([])
