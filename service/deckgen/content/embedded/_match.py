"""Slides for an outline a person may have edited: each item is matched back to source content.

An item keeps its planned slide when it is unchanged. A renamed or reordered item finds its slide by
title similarity, then by the words its key points share with the slide. An item that matches no
slide but a section is built from that section. Anything else is written from its key points, and an
item with neither content nor key points needs a model to write it.
"""

from __future__ import annotations

import re
from dataclasses import replace
from difflib import SequenceMatcher

from deckgen.content._base import EngineWarning
from deckgen.content.embedded._markdown import QuoteBlock, TableBlock
from deckgen.content.embedded._planner import Plan, render_bullets
from deckgen.content.embedded._sections import Section, Unit, sentence_pieces, units_of
from deckgen.content.embedded._summarize import clip, words
from deckgen.domain import (
    Bullet,
    Layout,
    Outline,
    OutlineItem,
    PreconditionFailed,
    Quote,
    Slide,
    SourceRef,
    Table,
    limits,
    restrict_layout,
)

__all__ = ["pin", "slides_for_outline", "similarity"]

_TITLE_MATCH = 0.75
_OVERLAP_MATCH = 0.5
_NEEDS_TEXT = (
    Layout.BULLETS,
    Layout.TWO_COLUMNS,
    Layout.TABLE,
    Layout.QUOTE,
    Layout.IMAGE_TEXT,
    Layout.CHART,
)


def _normal(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold().replace("(cont.)", "")))


def similarity(a: str, b: str) -> float:
    left, right = _normal(a), _normal(b)
    if not left or not right:
        return 0.0
    if left == right:
        return 1.0
    a_words, b_words = set(left.split()), set(right.split())
    jaccard = len(a_words & b_words) / len(a_words | b_words)
    return max(jaccard, SequenceMatcher(None, left, right).ratio())


def _overlap(points: tuple[str, ...], text: str) -> float:
    wanted = set(words(" ".join(points)))
    if not wanted:
        return 0.0
    return len(wanted & set(words(text))) / len(wanted)


def _slide_text(slide: Slide) -> str:
    parts = [slide.title, slide.subtitle, slide.body, *(b.text for b in slide.bullets)]
    if slide.table is not None:
        parts += [*slide.table.header, *(cell for row in slide.table.rows for cell in row)]
    if slide.quote is not None:
        parts.append(slide.quote.text)
    for column in (slide.left, slide.right):
        if column is not None:
            parts += [column.heading, *(b.text for b in column.bullets)]
    return " ".join(parts)


def _section_text(section: Section) -> str:
    return " ".join([section.title, *(s for part in section.parts for s in part.sentences)])


def _closest(candidates: list[int], position: int) -> int:
    return min(candidates, key=lambda j: (abs(j - position), j))


def _find_planned(item: OutlineItem, position: int, plan: Plan, used: set[int]) -> int | None:
    free = [j for j in range(len(plan.items)) if j not in used]
    exact = [j for j in free if plan.items[j] == item]
    if exact:
        return _closest(exact, position)
    framing = (Layout.TITLE, Layout.CLOSING)
    eligible = [j for j in free if (plan.items[j].layout in framing) == (item.layout in framing)]
    by_title = [(similarity(item.title, plan.items[j].title), j) for j in eligible]
    best = max((score for score, _ in by_title), default=0.0)
    if best >= _TITLE_MATCH:
        return _closest([j for score, j in by_title if score >= best - 1e-9], position)
    if item.key_points:
        by_points = [(_overlap(item.key_points, _slide_text(plan.slides[j])), j) for j in eligible]
        best = max((score for score, _ in by_points), default=0.0)
        if best >= _OVERLAP_MATCH:
            return _closest([j for score, j in by_points if score >= best - 1e-9], position)
    return None


def _find_section(item: OutlineItem, plan: Plan) -> Section | None:
    scored = [(similarity(item.title, section.title), -section.index, section) for section in plan.sections]
    if scored:
        score, _, section = max(scored, key=lambda entry: (entry[0], entry[1]))
        if score >= _TITLE_MATCH:
            return section
    if item.key_points:
        overlaps = [(_overlap(item.key_points, _section_text(s)), -s.index, s) for s in plan.sections]
        if overlaps:
            score, _, section = max(overlaps, key=lambda entry: (entry[0], entry[1]))
            if score >= _OVERLAP_MATCH:
                return section
    return None


def _point_bullets(points: tuple[str, ...]) -> list[list[Bullet]]:
    groups = []
    for point in points:
        pieces = sentence_pieces(point)
        if pieces:
            groups.append([Bullet(piece, 0 if i == 0 else 1) for i, piece in enumerate(pieces)])
    return groups


def _fill(groups: list[list[Bullet]]) -> tuple[Bullet, ...]:
    bullets: list[Bullet] = []
    for group in groups:
        if len(bullets) + len(group) > limits.MAX_BULLETS:
            break
        bullets.extend(group)
    if not bullets and groups:
        bullets = groups[0][: limits.MAX_BULLETS]
    return tuple(bullets)


def _bullet_groups(bullets: tuple[Bullet, ...]) -> list[list[Bullet]]:
    groups: list[list[Bullet]] = []
    for bullet in bullets:
        if bullet.level == 0 or not groups:
            groups.append([bullet])
        else:
            groups[-1].append(bullet)
    return groups


def _adapt(slide: Slide, item: OutlineItem, planned: OutlineItem) -> Slide:
    """The planned slide under the item's title, its bullets following the item's edited key points."""
    slide = replace(slide, title=clip(item.title, limits.MAX_TITLE_CHARS) or slide.title)
    if item.key_points == planned.key_points or not slide.bullets:
        return slide
    groups = _bullet_groups(slide.bullets)
    by_point = dict(zip(planned.key_points, groups, strict=False))
    chosen: list[list[Bullet]] = []
    for point in item.key_points:
        group = by_point.get(point)
        if group is None:
            scored = [(_overlap((point,), " ".join(b.text for b in g)), i) for i, g in enumerate(groups)]
            score, best = max(scored, default=(0.0, -1))
            group = groups[best] if score >= _OVERLAP_MATCH else None
        if group is None:
            chosen.extend(_point_bullets((point,)))
        elif group not in chosen:
            chosen.append(group)
    return replace(slide, bullets=_fill(chosen))


def _from_section(item: OutlineItem, section: Section, speaker_notes: bool) -> Slide:
    title = clip(item.title, limits.MAX_TITLE_CHARS) or section.title
    notes = f"Based on “{section.title}”." if speaker_notes else ""
    base = Slide(Layout.BULLETS, title, notes=notes, sources=_refs(section))
    for part in section.parts:
        if item.layout == Layout.TABLE and isinstance(part.block, TableBlock):
            table = Table(
                part.block.header[: limits.MAX_TABLE_COLUMNS],
                tuple(row[: limits.MAX_TABLE_COLUMNS] for row in part.block.rows[: limits.MAX_TABLE_ROWS]),
            )
            return replace(base, layout=Layout.TABLE, table=table)
        if item.layout == Layout.QUOTE and isinstance(part.block, QuoteBlock):
            text = clip(part.block.text, limits.MAX_BODY_CHARS)
            return replace(base, layout=Layout.QUOTE, quote=Quote(text, part.block.attribution))
    units = [unit for part in section.parts for unit in units_of(section, part, None)]
    if item.key_points:
        groups: list[list[Bullet]] = []
        taken: set[int] = set()
        for point in item.key_points:
            scored = [
                (_overlap((point,), unit.text), -i, i) for i, unit in enumerate(units) if i not in taken
            ]
            score, _, best = max(scored, default=(0.0, 0, -1))
            if score >= _OVERLAP_MATCH:
                taken.add(best)
                groups.append(list(units[best].lines()))
            else:
                groups.extend(_point_bullets((point,)))
        return replace(base, bullets=_fill(groups))
    ranked = sorted(units, key=lambda u: (-u.score, u.order))
    kept: list[Unit] = []
    for unit in ranked:
        if sum(u.line_count() for u in kept) + unit.line_count() <= limits.MAX_BULLETS:
            kept.append(unit)
    return replace(base, bullets=render_bullets(sorted(kept, key=lambda u: u.order)))


def _refs(section: Section) -> tuple[SourceRef, ...]:
    return (SourceRef(document=section.document, locator=section.locator),)


def _from_points(item: OutlineItem, outline: Outline, speaker_notes: bool) -> Slide:
    title = clip(item.title, limits.MAX_TITLE_CHARS)
    notes = (
        clip(f"{item.title}: {'; '.join(item.key_points)}.", 300) if speaker_notes and item.key_points else ""
    )
    if item.layout == Layout.TITLE:
        subtitle = outline.subtitle or (item.key_points[0] if item.key_points else "")
        return Slide(Layout.TITLE, title, subtitle=clip(subtitle, limits.MAX_BULLET_CHARS), notes=notes)
    if item.layout == Layout.SECTION:
        return Slide(Layout.SECTION, title, notes=notes)
    if item.layout == Layout.QUOTE and item.key_points:
        return Slide(
            Layout.QUOTE, title, quote=Quote(clip(item.key_points[0], limits.MAX_BODY_CHARS)), notes=notes
        )
    if not item.key_points and item.layout in _NEEDS_TEXT:
        raise PreconditionFailed(
            f"Outline item {item.title!r} has no key points and matches nothing in the sources; writing "
            "its text needs a language model, and none is configured. Add key points to the item, or "
            "set OPENAI_API_KEY (and OPENAI_BASE_URL for a self-hosted OpenAI-compatible server).",
            reason="LLM_NOT_CONFIGURED",
            subject="OPENAI_API_KEY",
        )
    layout = Layout.CLOSING if item.layout == Layout.CLOSING else Layout.BULLETS
    return Slide(layout, title, bullets=_fill(_point_bullets(item.key_points)), notes=notes)


_LISTS = (Layout.BULLETS, Layout.AGENDA, Layout.CLOSING)


def pin(slide: Slide, item: OutlineItem, index: int) -> tuple[Slide, EngineWarning | None]:
    """The slide in the layout its outline item pins, or as it is with a warning that says why not."""
    if slide.layout is item.layout:
        return slide, None
    if item.layout in _LISTS and slide.layout in _LISTS and slide.bullets:
        return replace(slide, layout=item.layout), None
    if item.layout is Layout.SECTION:
        return Slide(Layout.SECTION, slide.title, notes=slide.notes, sources=slide.sources), None
    if item.layout is Layout.TABLE and slide.chart is not None:
        return restrict_layout(slide, (Layout.TABLE,)), None
    return slide, EngineWarning(
        "LAYOUT_NOT_HONOURED",
        f"Slide {index + 1} (“{item.title}”) was pinned to the `{item.layout.value}` layout but is "
        f"`{slide.layout.value}`: its source material has no {_NEEDS[item.layout]}, and turning it into "
        "one needs a language model.",
        index,
    )


_NEEDS = {
    Layout.CHART: "numbers to chart",
    Layout.TABLE: "table",
    Layout.STATISTIC: "headline figures",
    Layout.TIMELINE: "dated or ordered steps",
    Layout.QUOTE: "quotation",
    Layout.TWO_COLUMNS: "two lists to set side by side",
    Layout.IMAGE_TEXT: "picture",
    Layout.BULLETS: "points to list",
    Layout.AGENDA: "points to list",
    Layout.CLOSING: "points to list",
    Layout.TITLE: "title",
}


def slides_for_outline(outline: Outline, plan: Plan | None, *, speaker_notes: bool) -> list[Slide]:
    """One slide per outline item, in the outline's order."""
    slides: list[Slide] = []
    used: set[int] = set()
    for position, item in enumerate(outline.items):
        found = _find_planned(item, position, plan, used) if plan is not None else None
        if plan is not None and found is not None:
            used.add(found)
            slide = _adapt(plan.slides[found], item, plan.items[found])
            if not speaker_notes:
                slide = replace(slide, notes="")
            slides.append(slide)
            continue
        section = _find_section(item, plan) if plan is not None and item.layout in _NEEDS_TEXT else None
        if section is not None:
            slides.append(_from_section(item, section, speaker_notes))
        else:
            slides.append(_from_points(item, outline, speaker_notes))
    return slides
