"""Reading what a caller received: event streams and the PPTX files they point to."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from pptx import Presentation as open_pptx
from pptx.presentation import Presentation as PptxPresentation

from deckgen.v1 import presentation_service_pb2 as spb

__all__ = ["assert_gap_free", "kinds", "open_deck", "slide_texts", "text_runs"]


def kinds(events: Sequence[spb.GenerationEvent]) -> list[str]:
    return [str(event.WhichOneof("event")) for event in events]


def assert_gap_free(events: Sequence[spb.GenerationEvent], start: int = 1) -> None:
    sequences = [event.sequence for event in events]
    assert sequences == list(range(start, start + len(events))), sequences


def open_deck(data: bytes) -> PptxPresentation:
    return open_pptx(io.BytesIO(data))


def slide_texts(deck: PptxPresentation) -> list[str]:
    """All text of each slide, shapes in z-order, joined by newlines."""
    texts = []
    for slide in deck.slides:
        parts = []
        for shape in slide.shapes:
            if shape.has_text_frame:
                parts.append(shape.text_frame.text)
            if shape.has_table:
                parts.extend(cell.text for row in shape.table.rows for cell in row.cells)
        texts.append("\n".join(parts))
    return texts


def text_runs(deck: PptxPresentation) -> list[Any]:
    """Every text run of every text frame, slide by slide (tables not included)."""
    return [
        run
        for slide in deck.slides
        for shape in slide.shapes
        if shape.has_text_frame
        for paragraph in shape.text_frame.paragraphs
        for run in paragraph.runs
    ]
