"""Shared test material: the example documents and checks that every slide respects the bounds."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from deckgen.domain import Bullet, GenerationSpec, Slide, SourceDocument, TextMode, limits

__all__ = ["EXAMPLES", "TINY", "assert_within_bounds", "example", "spec_for", "tiny"]

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

TINY = b"# Tiny\n\nA very small document. It has two sentences.\n"


def example(name: str) -> SourceDocument:
    media_type = "text/markdown" if name.endswith(".md") else "text/plain"
    return SourceDocument(name=name, media_type=media_type, content=(EXAMPLES / name).read_bytes())


def tiny() -> SourceDocument:
    return SourceDocument(name="tiny.md", media_type="text/markdown", content=TINY)


def spec_for(*sources: SourceDocument, **changes: Any) -> GenerationSpec:
    return replace(GenerationSpec(sources=sources, text_mode=TextMode.CONDENSE), **changes)


def _bullets_ok(bullets: tuple[Bullet, ...]) -> None:
    assert len(bullets) <= limits.MAX_BULLETS
    for bullet in bullets:
        assert 0 < len(bullet.text) <= limits.MAX_BULLET_CHARS, bullet
        assert 0 <= bullet.level <= limits.MAX_BULLET_LEVEL


def assert_within_bounds(slide: Slide) -> None:
    assert 0 < len(slide.title) <= limits.MAX_TITLE_CHARS, slide.title
    assert len(slide.body) <= limits.MAX_BODY_CHARS
    _bullets_ok(slide.bullets)
    for column in (slide.left, slide.right):
        if column is not None:
            _bullets_ok(column.bullets)
    if slide.table is not None:
        assert len(slide.table.rows) <= limits.MAX_TABLE_ROWS
        assert len(slide.table.header) <= limits.MAX_TABLE_COLUMNS
        assert all(len(row) == len(slide.table.header) for row in slide.table.rows)
    if slide.quote is not None:
        assert len(slide.quote.text) <= limits.MAX_BODY_CHARS
