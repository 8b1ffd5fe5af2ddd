"""Rewriting one slide without a model: shorter (summarise harder) or longer (more from the source)."""

from __future__ import annotations

import enum
import math
import re
from dataclasses import replace

from deckgen.content.embedded._sections import Section, Unit, clean_title, units_of
from deckgen.content.embedded._summarize import (
    Weights,
    score_sentence,
    shorten_sentence,
    split_sentences,
)
from deckgen.domain import Bullet, Column, Deck, PreconditionFailed, Quote, Slide, Table, limits

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
    # Shorter, and still a whole sentence: an aside or a trailing clause goes, never the sentence's end.
    sentences = split_sentences(text)
    first = shorten_sentence(sentences[0], _SHORT_BULLET) if sentences else None
    return first if first is not None and len(first) >= _MIN_CLAUSE else text


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
        # Without the "(cont.)" a continued slide's title carries, in whatever language.
        title = re.sub("\\s*[(\uff08][^()\uff08\uff09]*[)\uff09]$", "", slide.title).casefold()
        found = [s for s in sections if clean_title(s.title).casefold() == title]
    return found


def _shown(deck: Deck) -> set[str]:
    return {_normal(b.text) for slide in deck.slides for b in slide.bullets} | {
        _normal(sentence) for slide in deck.slides for sentence in split_sentences(slide.body)
    }


def _normal(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold()))


def longer(slide: Slide, sections: list[Section], deck: Deck) -> Slide:
    """The slide with more of its sections' sentences that no slide of the deck shows yet, best first.

    Raises `PreconditionFailed` when there is nothing more to add, rather than returning the slide as
    it was.
    """
    found = _sections_of(slide, sections)
    units = [u for s in found for part in s.parts for u in units_of(s, part, None)]
    shown = _shown(deck)
    fresh = [
        u
        for u in units
        if _normal(u.text) not in shown and not any(_normal(line.text) in shown for line in u.lines())
    ]
    if not fresh:
        raise PreconditionFailed(
            f"The source documents hold nothing more about “{slide.title}” than the deck already shows, "
            "so “more detail” cannot add to this slide without a language model. Set OPENAI_API_KEY (and "
            "OPENAI_BASE_URL for a self-hosted OpenAI-compatible server) to have one write more.",
            reason="NOTHING_MORE_IN_SOURCES",
            subject="instruction",
        )
    if slide.body and not slide.bullets:
        body = slide.body
        for unit in sorted(fresh, key=lambda u: u.order):
            if len(body) + 1 + len(unit.text) <= limits.MAX_BODY_CHARS:
                body = f"{body} {unit.text}"
        if body == slide.body:
            raise _full(slide)
        return replace(slide, body=body)
    headers = {clean_title(s.title): s.index for s in found}
    groups = _groups(slide.bullets)
    grouped = len(found) > 1 and all(g[0].text in headers for g in groups)
    room = limits.MAX_BULLETS - len(slide.bullets)
    added: list[Unit] = []
    for unit in sorted(fresh, key=lambda u: (-u.score, u.order)):
        if unit.line_count() <= room:
            added.append(unit)
            room -= unit.line_count()
    if not added:
        raise _full(slide)
    if grouped:
        result: list[Bullet] = []
        for group in groups:
            section = headers[group[0].text]
            result += group
            for unit in sorted((u for u in added if u.section == section), key=lambda u: u.order):
                result += [
                    Bullet(line.text, min(line.level + 1, limits.MAX_BULLET_LEVEL)) for line in unit.lines()
                ]
        return replace(slide, bullets=tuple(result[: limits.MAX_BULLETS]))
    entries: list[tuple[float, list[Bullet]]] = []
    last = -1.0
    by_first = {u.lines()[0].text: u.order for u in units}
    for group in groups:
        last = float(by_first.get(group[0].text, last + 0.5))
        entries.append((last, group))
    entries += [(float(u.order), u.lines()) for u in added]
    entries.sort(key=lambda entry: entry[0])
    bullets = [b for _, group in entries for b in group][: limits.MAX_BULLETS]
    return replace(slide, bullets=tuple(bullets))


def _full(slide: Slide) -> PreconditionFailed:
    return PreconditionFailed(
        f"“{slide.title}” already holds as much as a slide can show, so “more detail” cannot add to it; "
        "split it, or ask for “shorter” first.",
        reason="SLIDE_FULL",
        subject="instruction",
    )
