"""Rewriting one slide without a model: shorter (summarise harder) or longer (more from the source)."""

from __future__ import annotations

import enum
import math
import re
from dataclasses import replace

from deckgen.content.embedded._sections import Section, Unit, units_of
from deckgen.content.embedded._summarize import Weights, score_sentence, split_clauses, split_sentences
from deckgen.domain import Bullet, Column, Deck, Quote, Slide, Table, limits

__all__ = ["Direction", "direction", "longer", "shorter"]

_SHORT_BULLET = 100
"""Bullets longer than this are cut back to their first clause by "shorter"."""
_MIN_CLAUSE = 25


class Direction(enum.Enum):
    SHORTER = "shorter"
    LONGER = "longer"


_SHORTER = re.compile(
    r"\b(short(?:er|en)?|fewer|concise|simplif(?:y|ied)|simpler|brief(?:er)?|trim|tighten|condense"
    r"|less text)\b"
)
_LONGER = re.compile(
    r"\b(long(?:er)?|more details?|detail(?:s|ed)?|expand|elaborate|in depth|more depth|fuller)\b"
)


def direction(instruction: str) -> Direction | None:
    """What a free-form instruction asks for, when it is one of the two this engine can follow."""
    text = instruction.casefold()
    short, long = bool(_SHORTER.search(text)), bool(_LONGER.search(text))
    if short == long:
        return None
    return Direction.SHORTER if short else Direction.LONGER


def _groups(bullets: tuple[Bullet, ...]) -> list[list[Bullet]]:
    groups: list[list[Bullet]] = []
    for bullet in bullets:
        if bullet.level == 0 or not groups:
            groups.append([bullet])
        else:
            groups[-1].append(bullet)
    return groups


def _tighten(text: str) -> str:
    if len(text) <= _SHORT_BULLET:
        return text
    first = split_clauses(text, _SHORT_BULLET)[0]
    return first if len(first) >= _MIN_CLAUSE else text


def _fewer(bullets: tuple[Bullet, ...], weights: Weights) -> tuple[Bullet, ...]:
    groups = _groups(bullets)
    keep = len(groups) if len(groups) < 2 else min(len(groups) - 1, math.ceil(len(groups) * 0.6))
    ranked = sorted(
        range(len(groups)),
        key=lambda i: (-score_sentence(" ".join(b.text for b in groups[i]), weights), i),
    )
    chosen = sorted(ranked[:keep])
    return tuple(Bullet(_tighten(groups[i][0].text), 0) for i in chosen)


def shorter(slide: Slide, deck: Deck) -> Slide:
    weights = Weights(
        [b.text for s in deck.slides for b in s.bullets] + [s.body for s in deck.slides if s.body]
    )
    if slide.bullets:
        slide = replace(slide, bullets=_fewer(slide.bullets, weights))
    if slide.body:
        sentences = split_sentences(slide.body.replace("\n\n", " "))
        if len(sentences) >= 2 and "\n" not in slide.body.replace("\n\n", ""):
            keep = max(1, len(sentences) // 2)
            ranked = sorted(range(len(sentences)), key=lambda i: (-score_sentence(sentences[i], weights), i))
            slide = replace(slide, body=" ".join(sentences[i] for i in sorted(ranked[:keep])))
    if slide.quote is not None:
        sentences = split_sentences(slide.quote.text)
        if len(sentences) >= 2:
            best = max(range(len(sentences)), key=lambda i: (score_sentence(sentences[i], weights), -i))
            slide = replace(slide, quote=Quote(sentences[best], slide.quote.attribution))
    if slide.table is not None and len(slide.table.rows) > 4:
        slide = replace(
            slide, table=Table(slide.table.header, slide.table.rows[: math.ceil(len(slide.table.rows) / 2)])
        )
    if slide.left is not None:
        slide = replace(slide, left=_fewer_column(slide.left, weights))
    if slide.right is not None:
        slide = replace(slide, right=_fewer_column(slide.right, weights))
    return slide


def _fewer_column(column: Column, weights: Weights) -> Column:
    return replace(column, bullets=_fewer(column.bullets, weights)) if len(column.bullets) >= 2 else column


def _line_range(locator: str) -> tuple[int, int] | None:
    match = re.search(r"lines (\d+)\D+(\d+)", locator)
    return (int(match.group(1)), int(match.group(2))) if match else None


def _sections_of(slide: Slide, sections: list[Section]) -> list[Section]:
    found: list[Section] = []
    for ref in slide.sources:
        span = _line_range(ref.locator)
        if span is None:
            continue
        found += [
            s
            for s in sections
            if s.document == ref.document
            and s.first_line <= span[1]
            and span[0] <= s.last_line
            and s not in found
        ]
    if not found:
        title = slide.title.removesuffix(" (cont.)").casefold()
        found = [s for s in sections if s.title.casefold() == title]
    return found


def longer(slide: Slide, sections: list[Section]) -> Slide:
    """The slide with more of its section's sentences, best first, up to the bullet bound."""
    if not slide.bullets and slide.body:
        return slide
    units = [u for s in _sections_of(slide, sections) for part in s.parts for u in units_of(s, part, None)]
    shown = {b.text for b in slide.bullets}
    entries: list[tuple[float, list[Bullet]]] = []
    last = -1.0
    by_first = {u.lines()[0].text: u.order for u in units}
    for group in _groups(slide.bullets):
        last = float(by_first.get(group[0].text, last + 0.5))
        entries.append((last, group))
    fresh = [u for u in units if not any(line.text in shown for line in u.lines())]
    room = limits.MAX_BULLETS - len(slide.bullets)
    added: list[Unit] = []
    for unit in sorted(fresh, key=lambda u: (-u.score, u.order)):
        if unit.line_count() <= room:
            added.append(unit)
            room -= unit.line_count()
    if not added:
        return slide
    entries += [(float(u.order), u.lines()) for u in added]
    entries.sort(key=lambda entry: entry[0])
    bullets = [b for _, group in entries for b in group][: limits.MAX_BULLETS]
    return replace(slide, bullets=tuple(bullets))
