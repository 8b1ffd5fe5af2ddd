"""Sections into a deck: which slides, in which order, holding which units.

Planning works on drafts (a slide's material before it is laid out). Content drafts come from the
sections; the deck is then fitted to the slide count by merging or splitting drafts, so that every
step changes the count by exactly one.

Slide-count policy, title and closing slides included:

- 1 slide: the title slide alone, its subtitle the deck's most representative sentence.
- 2 slides: the title slide and the closing slide, which carries the main takeaways as bullets.
- n >= 3: title, n - 2 content slides, closing.
- unset: about one slide per section, at most 20 in all.

Too many drafts: section dividers go first, then adjacent drafts merge (same section first, then
same chapter, then any), keeping the best-scoring units within the bounds. Too few: CONDENSE takes
more key sentences per paragraph, then dividers are added, then drafts split; last come an agenda
slide, a key-takeaways slide and, for documents far too short for the count asked, recap slides.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

from deckgen.content.embedded._markdown import (
    CodeBlock,
    Document,
    ListBlock,
    Paragraph,
    QuoteBlock,
    TableBlock,
)
from deckgen.content.embedded._sections import Section, Unit, document_title, sectionize, units_of
from deckgen.content.embedded._summarize import clip, split_clauses, split_sentences
from deckgen.domain import (
    Bullet,
    Column,
    Layout,
    OutlineItem,
    Quote,
    Slide,
    SourceRef,
    Table,
    limits,
)

__all__ = [
    "DEFAULT_MAX_SLIDES",
    "Plan",
    "deck_title",
    "key_points",
    "plan_deck",
    "render_bullets",
    "trim_notes",
]

DEFAULT_MAX_SLIDES = 20
_NOTES_CHARS = 800
_KEY_POINT_CHARS = 80
_SUBTITLE_CHARS = 120
_TAKEAWAYS = 4
_DEFAULT_DENSITY = 2
_CONTINUED = " (cont.)"


@dataclass(slots=True)
class _Draft:
    kind: str
    """bullets | body | table | quote | code | columns | divider | agenda | takeaways | recap"""
    sections: list[Section]
    units: list[Unit] = field(default_factory=list)
    table: Table | None = None
    quote: Quote | None = None
    code: str = ""
    columns: tuple[Column, Column] | None = None
    title: str = ""
    continued: bool = False
    overflow: list[str] = field(default_factory=list)

    def size(self) -> int:
        """How full the draft is, in bullet lines (or the equivalent for other kinds)."""
        if self.kind == "body":
            return math.ceil(_body_length(self.units) / 100)
        if self.kind == "table" and self.table is not None:
            return len(self.table.rows)
        if self.kind in ("quote", "code", "columns"):
            return limits.MAX_BULLETS
        return sum(unit.line_count() for unit in self.units)


@dataclass(frozen=True, slots=True)
class Plan:
    title: str
    subtitle: str
    slides: tuple[Slide, ...]
    items: tuple[OutlineItem, ...]
    sections: tuple[Section, ...]


def _body_length(units: list[Unit]) -> int:
    length = 0
    previous: Unit | None = None
    for unit in units:
        if previous is not None:
            length += 2 if previous.group != unit.group else 1
        length += len(unit.text)
        previous = unit
    return length


def _body_text(units: list[Unit]) -> str:
    text = ""
    previous: Unit | None = None
    for unit in units:
        if previous is not None:
            text += "\n\n" if previous.group != unit.group else " "
        text += unit.text
        previous = unit
    return text


def _fits(kind: str, units: list[Unit]) -> bool:
    if kind == "body":
        return _body_length(units) <= limits.MAX_BODY_CHARS
    return sum(unit.line_count() for unit in units) <= limits.MAX_BULLETS


# --- building drafts from sections ---------------------------------------------------------------


def _pack(kind: str, section: Section, units: list[Unit]) -> list[_Draft]:
    """Units into as few drafts as the bounds allow, balanced so that no draft is left nearly empty."""
    if not units:
        return []
    if kind == "bullets":
        units = [piece for unit in units for piece in _split_tall(unit)]
        total = sum(unit.line_count() for unit in units)
        target = math.ceil(total / math.ceil(total / limits.MAX_BULLETS))
    else:
        units = [piece for unit in units for piece in _split_long_body(unit)]
        total = _body_length(units)
        target = math.ceil(total / math.ceil(total / limits.MAX_BODY_CHARS))
    drafts: list[_Draft] = []
    current: list[Unit] = []
    for unit in units:
        candidate = [*current, unit]
        full = (
            sum(u.line_count() for u in current) >= target
            if kind == "bullets"
            else _body_length(current) >= target
        )
        if current and (not _fits(kind, candidate) or full):
            drafts.append(_Draft(kind=kind, sections=[section], units=current))
            current = [unit]
        else:
            current = candidate
    if current:
        drafts.append(_Draft(kind=kind, sections=[section], units=current))
    for draft in drafts[1:]:
        draft.continued = True
    return drafts


def _split_tall(unit: Unit) -> list[Unit]:
    """A sentence so long it needs more bullets than a slide holds, as several units."""
    if unit.line_count() <= limits.MAX_BULLETS:
        return [unit]
    pieces = split_clauses(unit.text, limits.MAX_BULLET_CHARS)
    chunks = [pieces[i : i + limits.MAX_BULLETS] for i in range(0, len(pieces), limits.MAX_BULLETS)]
    return [
        replace(unit, text=" ".join(chunk), dropped=unit.dropped if i == 0 else ())
        for i, chunk in enumerate(chunks)
    ]


def _split_long_body(unit: Unit) -> list[Unit]:
    if len(unit.text) <= limits.MAX_BODY_CHARS:
        return [unit]
    return [replace(unit, text=piece) for piece in split_clauses(unit.text, limits.MAX_BODY_CHARS)]


def _table_drafts(section: Section, block: TableBlock) -> list[_Draft]:
    header = list(block.header)
    rows = [list(row) for row in block.rows]
    # Wide tables: the first column (usually the row labels) repeats on every slice.
    if len(header) > limits.MAX_TABLE_COLUMNS:
        step = limits.MAX_TABLE_COLUMNS - 1
        slices = [[0, *range(start, min(start + step, len(header)))] for start in range(1, len(header), step)]
    else:
        slices = [list(range(len(header)))]
    drafts: list[_Draft] = []
    for columns in slices:
        sliced_header = tuple(header[c] for c in columns)
        sliced_rows = [tuple(row[c] for c in columns) for row in rows]
        chunks = [
            sliced_rows[i : i + limits.MAX_TABLE_ROWS]
            for i in range(0, len(sliced_rows), limits.MAX_TABLE_ROWS)
        ]
        for chunk in chunks or [[]]:
            drafts.append(_Draft(kind="table", sections=[section], table=Table(sliced_header, tuple(chunk))))
    for draft in drafts[1:]:
        draft.continued = True
    return drafts


def _quote_drafts(
    section: Section, block: QuoteBlock, scores: tuple[float, ...], condense: bool
) -> list[_Draft]:
    if len(block.text) <= limits.MAX_BODY_CHARS:
        return [_Draft(kind="quote", sections=[section], quote=Quote(block.text, block.attribution))]
    sentences = split_sentences(block.text)
    if condense:
        ranked = sorted(range(len(sentences)), key=lambda i: (-scores[i] if i < len(scores) else 0.0, i))
        kept: list[int] = []
        for i in ranked:
            if len(" ".join(sentences[j] for j in sorted([*kept, i]))) <= limits.MAX_BODY_CHARS:
                kept.append(i)
        if kept:
            text = " ".join(sentences[j] for j in sorted(kept))
            draft = _Draft(kind="quote", sections=[section], quote=Quote(text, block.attribution))
            draft.overflow = [s for j, s in enumerate(sentences) if j not in kept]
            return [draft]
    pieces: list[str] = []
    for sentence in sentences:
        for piece in split_clauses(sentence, limits.MAX_BODY_CHARS):
            if pieces and len(pieces[-1]) + 1 + len(piece) <= limits.MAX_BODY_CHARS:
                pieces[-1] += " " + piece
            else:
                pieces.append(piece)
    drafts = [
        _Draft(kind="quote", sections=[section], quote=Quote(piece, block.attribution)) for piece in pieces
    ]
    for draft in drafts[1:]:
        draft.continued = True
    return drafts


def _code_drafts(section: Section, block: CodeBlock) -> list[_Draft]:
    chunks: list[str] = []
    for line in block.text.split("\n"):
        while len(line) > limits.MAX_BODY_CHARS:
            chunks.append(line[: limits.MAX_BODY_CHARS])
            line = line[limits.MAX_BODY_CHARS :]
        if chunks and len(chunks[-1]) + 1 + len(line) <= limits.MAX_BODY_CHARS:
            chunks[-1] += "\n" + line
        else:
            chunks.append(line)
    drafts = [_Draft(kind="code", sections=[section], code=chunk) for chunk in chunks if chunk.strip()]
    for draft in drafts[1:]:
        draft.continued = True
    return drafts


def _build(sections: list[Section], density: int | None) -> list[_Draft]:
    """Content drafts; `density` is key sentences per paragraph, None to keep every sentence verbatim."""
    drafts: list[_Draft] = []
    condense = density is not None
    for section in sections:
        if section.columns is not None:
            drafts.append(_Draft(kind="columns", sections=[section], columns=section.columns))
        pending: list[Unit] = []
        pending_kind = "bullets"
        for part in section.parts:
            block = part.block
            if isinstance(block, ListBlock | Paragraph):
                kind = "body" if isinstance(block, Paragraph) and not condense else "bullets"
                if kind != pending_kind:
                    drafts.extend(_pack(pending_kind, section, pending))
                    pending, pending_kind = [], kind
                pending.extend(units_of(section, part, density))
                continue
            drafts.extend(_pack(pending_kind, section, pending))
            pending = []
            if isinstance(block, TableBlock):
                drafts.extend(_table_drafts(section, block))
            elif isinstance(block, QuoteBlock):
                drafts.extend(_quote_drafts(section, block, part.scores, condense))
            elif isinstance(block, CodeBlock):
                drafts.extend(_code_drafts(section, block))
        drafts.extend(_pack(pending_kind, section, pending))
    return drafts


# --- fitting to a slide count --------------------------------------------------------------------


def _as_units(draft: _Draft) -> list[Unit]:
    """A draft's material as units, so that a table, quote or code sample can merge into bullets."""
    order = draft.sections[0].index * 1000 if draft.sections else 0
    if draft.kind in ("bullets", "body"):
        return list(draft.units)
    if draft.kind == "table" and draft.table is not None:
        header = draft.table.header
        return [
            Unit(
                ", ".join(f"{h}: {v}" if h else v for h, v in zip(header, row, strict=False) if v),
                0,
                0.2,
                order + i,
                -1,
            )
            for i, row in enumerate(draft.table.rows)
            if any(row)
        ]
    if draft.kind == "quote" and draft.quote is not None:
        by = f" — {draft.quote.attribution}" if draft.quote.attribution else ""
        return [Unit(f"“{draft.quote.text}”{by}", 0, 0.5, order, -2)]
    if draft.kind == "columns" and draft.columns is not None:
        return [
            Unit(f"{column.heading}: {bullet.text}", 0, 0.3, order + i, -3)
            for column in draft.columns
            for i, bullet in enumerate(column.bullets)
        ]
    if draft.kind == "code":
        first = next((line.strip() for line in draft.code.split("\n") if line.strip()), "")
        return [Unit(first, 0, 0.05, order, -4)] if first else []
    return []


def _merge(a: _Draft, b: _Draft, condense: bool) -> _Draft:
    kind = "body" if a.kind == b.kind == "body" else "bullets"
    units = _as_units(a) + _as_units(b)
    overflow = a.overflow + b.overflow
    if not _fits(kind, units):
        kept: list[Unit] = []
        if condense:
            for unit in sorted(units, key=lambda u: (-u.score, u.order)):
                trial = sorted([*kept, unit], key=lambda u: u.order)
                if _fits(kind, trial):
                    kept = trial
        else:
            for unit in units:
                if not _fits(kind, [*kept, unit]):
                    break
                kept.append(unit)
        kept_ids = {id(unit) for unit in kept}
        overflow += [unit.text for unit in units if id(unit) not in kept_ids]
        units = kept if kept else units[:1]
        if not _fits(kind, units):
            kind = "bullets"
    return _Draft(
        kind=kind,
        sections=_union(a.sections, b.sections),
        units=units,
        continued=a.continued,
        overflow=overflow,
    )


def _union(a: list[Section], b: list[Section]) -> list[Section]:
    seen = {section.index for section in a}
    return [*a, *(section for section in b if section.index not in seen)]


_TEXT_KINDS = ("bullets", "body")


def _merge_cost(a: _Draft, b: _Draft) -> int:
    same_section = a.sections[-1].index == b.sections[0].index
    same_chapter = a.sections[-1].chapter == b.sections[0].chapter
    text = a.kind in _TEXT_KINDS and b.kind in _TEXT_KINDS
    kind = "body" if a.kind == b.kind == "body" else "bullets"
    fits = text and _fits(kind, a.units + b.units)
    if fits:
        tier = 0 if same_section else 1 if same_chapter else 2
    elif text:
        tier = 3 if same_section else 4 if same_chapter else 5
    else:
        tier = 6 if same_section else 7 if same_chapter else 8
    return tier * 10_000 + a.size() + b.size()


def _reduce(drafts: list[_Draft], target: int, condense: bool) -> list[_Draft]:
    drafts = list(drafts)
    costs = [_merge_cost(drafts[i], drafts[i + 1]) for i in range(len(drafts) - 1)]
    while len(drafts) > max(target, 1):
        best = min(range(len(costs)), key=lambda i: (costs[i], i))
        drafts[best : best + 2] = [_merge(drafts[best], drafts[best + 1], condense)]
        del costs[best]
        if best < len(costs):
            costs[best] = _merge_cost(drafts[best], drafts[best + 1])
        if best > 0:
            costs[best - 1] = _merge_cost(drafts[best - 1], drafts[best])
    return drafts


def _line_total(units: list[Unit]) -> int:
    return sum(unit.line_count() for unit in units)


def _split_weight(draft: _Draft) -> int:
    """How much a draft gains from being split in two; 0 when it cannot be split."""
    if draft.kind in _TEXT_KINDS:
        if len(draft.units) >= 2:
            return 100 + draft.size()
        if len(draft.units) == 1 and draft.kind == "bullets" and draft.units[0].line_count() >= 2:
            return draft.size()
        return 0
    if draft.kind == "table" and draft.table is not None and len(draft.table.rows) >= 2:
        return 100 + len(draft.table.rows)
    if draft.kind == "code" and draft.code.count("\n") >= 1:
        return 50
    return 0


def _split(draft: _Draft) -> tuple[_Draft, _Draft]:
    second = replace(draft, continued=True, overflow=[])
    if draft.kind in _TEXT_KINDS and len(draft.units) >= 2:
        measure = _body_length if draft.kind == "body" else _line_total
        total = measure(draft.units)
        at = min(range(1, len(draft.units)), key=lambda i: (abs(2 * measure(draft.units[:i]) - total), i))
        return replace(draft, units=draft.units[:at]), replace(second, units=draft.units[at:])
    if draft.kind == "bullets":
        unit = draft.units[0]
        pieces = split_clauses(unit.text, limits.MAX_BULLET_CHARS)
        half = len(pieces) // 2
        left = replace(unit, text=" ".join(pieces[:half]))
        right = replace(unit, text=" ".join(pieces[half:]), dropped=())
        return replace(draft, units=[left]), replace(second, units=[right])
    if draft.kind == "table" and draft.table is not None:
        rows = draft.table.rows
        half = (len(rows) + 1) // 2
        return (
            replace(draft, table=Table(draft.table.header, rows[:half])),
            replace(second, table=Table(draft.table.header, rows[half:])),
        )
    lines = draft.code.split("\n")
    half = len(lines) // 2
    return replace(draft, code="\n".join(lines[:half])), replace(second, code="\n".join(lines[half:]))


def _expand_once(drafts: list[_Draft]) -> bool:
    weights = [_split_weight(draft) for draft in drafts]
    if not weights or max(weights) == 0:
        return False
    best = max(range(len(drafts)), key=lambda i: (weights[i], -i))
    drafts[best : best + 1] = list(_split(drafts[best]))
    return True


# --- the deck ------------------------------------------------------------------------------------


def trim_notes(sentences: list[str], limit: int = _NOTES_CHARS) -> str:
    """Sentences joined up to about `limit` characters, ending at a sentence boundary."""
    text = ""
    for sentence in sentences:
        candidate = f"{text} {sentence}".strip()
        if len(candidate) > limit and text:
            break
        text = candidate if len(candidate) <= limit else clip(candidate, limit)
    return text


def render_bullets(units: list[Unit]) -> tuple[Bullet, ...]:
    bullets: list[Bullet] = []
    for unit in units:
        bullets.extend(unit.lines())
    return _normalise_levels(bullets[: limits.MAX_BULLETS])


def _normalise_levels(bullets: list[Bullet]) -> tuple[Bullet, ...]:
    """No slide starts indented, and no bullet sits more than one level under the one before it."""
    result: list[Bullet] = []
    for bullet in bullets:
        ceiling = result[-1].level + 1 if result else 0
        level = max(0, min(bullet.level, ceiling, limits.MAX_BULLET_LEVEL))
        result.append(bullet if level == bullet.level else Bullet(bullet.text, level))
    return tuple(result)


def key_points(slide: Slide) -> tuple[str, ...]:
    """A few words per point of a slide, for the outline a person reviews."""
    if slide.layout == Layout.TABLE and slide.table is not None:
        return tuple(clip(cell, _KEY_POINT_CHARS) for cell in slide.table.header if cell)
    if slide.layout == Layout.QUOTE and slide.quote is not None:
        return (clip(slide.quote.text, _KEY_POINT_CHARS),)
    if slide.layout == Layout.TWO_COLUMNS and slide.left is not None and slide.right is not None:
        return (slide.left.heading, slide.right.heading)
    if slide.bullets:
        return tuple(clip(b.text, _KEY_POINT_CHARS) for b in slide.bullets if b.level == 0)
    if slide.body:
        first_lines = [split_sentences(paragraph)[:1] for paragraph in slide.body.split("\n\n")]
        return tuple(clip(line[0], _KEY_POINT_CHARS) for line in first_lines if line)[: limits.MAX_BULLETS]
    if slide.layout == Layout.TITLE and slide.subtitle:
        return (clip(slide.subtitle, _KEY_POINT_CHARS),)
    return ()


def _title(text: str) -> str:
    return clip(text, limits.MAX_TITLE_CHARS)


def _draft_title(draft: _Draft) -> str:
    if draft.title:
        return _title(draft.title)
    sections = draft.sections
    if len(sections) == 1:
        base = sections[0].title
    elif len(sections) == 2 and len(f"{sections[0].title} & {sections[1].title}") <= limits.MAX_TITLE_CHARS:
        base = f"{sections[0].title} & {sections[1].title}"
    elif len({s.chapter for s in sections}) == 1 and sections[0].chapter_title:
        base = sections[0].chapter_title
    else:
        base = sections[0].title
    if draft.continued:
        return clip(base, limits.MAX_TITLE_CHARS - len(_CONTINUED)) + _CONTINUED
    return _title(base)


def _sources(draft: _Draft) -> tuple[SourceRef, ...]:
    if not draft.sections:
        return ()
    by_document: dict[str, list[Section]] = {}
    for section in draft.sections:
        by_document.setdefault(section.document, []).append(section)
    refs = []
    for document, sections in by_document.items():
        first, last = sections[0], sections[-1]
        path = " > ".join(first.path)
        lines = f"lines {first.first_line}\u2013{last.last_line}"
        refs.append(SourceRef(document=document, locator=f"{path}, {lines}" if path else lines))
    return tuple(refs)


def _summary_line(slide: Slide) -> str:
    points = key_points(slide)
    if slide.layout == Layout.TABLE and slide.table is not None:
        return clip(f"Table of {len(slide.table.rows)} rows: {', '.join(points)}.", 300)
    if slide.layout == Layout.QUOTE and slide.quote is not None:
        who = f" from {slide.quote.attribution}" if slide.quote.attribution else ""
        return f"A quotation{who}."
    if slide.layout == Layout.SECTION:
        return f"Section: {slide.title}."
    if points:
        return clip(f"{slide.title}: {'; '.join(points)}.", 300)
    return f"{slide.title}."


def _slide(draft: _Draft, speaker_notes: bool, condense: bool) -> Slide:
    title = _draft_title(draft)
    sources = _sources(draft)
    if draft.kind == "bullets" or draft.kind in ("agenda", "takeaways", "recap"):
        slide = Slide(Layout.BULLETS, title, bullets=render_bullets(draft.units), sources=sources)
    elif draft.kind == "body":
        slide = Slide(Layout.BULLETS, title, body=_body_text(draft.units), sources=sources)
    elif draft.kind == "table":
        slide = Slide(Layout.TABLE, title, table=draft.table, sources=sources)
    elif draft.kind == "quote":
        slide = Slide(Layout.QUOTE, title, quote=draft.quote, sources=sources)
    elif draft.kind == "code":
        slide = Slide(Layout.BULLETS, title, body=draft.code, sources=sources)
    elif draft.kind == "columns" and draft.columns is not None:
        left, right = draft.columns
        slide = Slide(Layout.TWO_COLUMNS, title, left=left, right=right, sources=sources)
    else:
        slide = Slide(Layout.SECTION, title, sources=sources)
    if not speaker_notes:
        return slide
    fuller = [sentence for unit in draft.units for sentence in unit.dropped] + draft.overflow
    # Verbatim decks never drop text silently: what does not fit the slides is all in the notes.
    notes = (trim_notes(fuller) if condense else " ".join(fuller)) if fuller else _summary_line(slide)
    return replace(slide, notes=notes)


def _best_units(sections: list[Section], per_section: int) -> list[Unit]:
    best: list[Unit] = []
    for section in sections:
        units = [unit for part in section.parts for unit in units_of(section, part, 1)]
        units.sort(key=lambda u: (-u.score, u.order))
        best.extend(units[:per_section])
    return best


def _takeaways(sections: list[Section], count: int) -> list[Unit]:
    """The best unit of each of the best sections, as short single-line points, in reading order."""
    # A one-word list item is a poor takeaway; whole sentences are preferred when there are any.
    candidates = [unit for unit in _best_units(sections, 3) if len(unit.text.split()) >= 4]
    by_section: dict[int, Unit] = {}
    for unit in candidates:
        by_section.setdefault(unit.order // 1000, unit)
    candidates = list(by_section.values())
    candidates = candidates or _best_units(sections, 1)
    chosen = sorted(candidates, key=lambda u: (-u.score, u.order))[:count]
    points = []
    for unit in sorted(chosen, key=lambda u: u.order):
        first = split_clauses(unit.text, limits.MAX_BULLET_CHARS)[0]
        points.append(replace(unit, text=first, level=0, dropped=()))
    return points


def _deck_summary(sections: list[Section]) -> str:
    best = sorted(_best_units(sections, 1), key=lambda u: (-u.score, u.order))
    return clip(best[0].text, limits.MAX_BULLET_CHARS) if best else ""


def _first_paragraph_sentence(sections: list[Section]) -> str:
    for section in sections:
        for part in section.parts:
            if isinstance(part.block, Paragraph) and part.sentences:
                best = max(range(len(part.sentences)), key=lambda i: (part.scores[i], -i))
                sentence = part.sentences[best]
                return sentence if len(sentence) <= _SUBTITLE_CHARS else ""
    return ""


def _chapters(drafts: list[_Draft]) -> list[tuple[int, str]]:
    seen: dict[int, str] = {}
    for draft in drafts:
        for section in draft.sections:
            if section.chapter_title and section.chapter not in seen:
                seen[section.chapter] = section.chapter_title
    return list(seen.items())


def _with_dividers(drafts: list[_Draft]) -> list[_Draft]:
    result: list[_Draft] = []
    current: int | None = None
    for draft in drafts:
        section = draft.sections[0]
        if section.chapter != current and section.chapter_title:
            result.append(_Draft(kind="divider", sections=[section], title=section.chapter_title))
        current = section.chapter
        result.append(draft)
    return result


def _fit(
    sections: list[Section], condense: bool, target: int | None
) -> tuple[list[_Draft], list[_Draft], list[_Draft]]:
    """(front, content, back) drafts: front holds an agenda, back takeaways and recaps, when needed."""
    natural = _build(sections, _DEFAULT_DENSITY if condense else None)
    chapters = len(_chapters(natural))
    if target is None:
        content = natural
        limit = DEFAULT_MAX_SLIDES - 2
        if chapters >= 2 and len(content) >= max(8, 2 * chapters) and len(content) + chapters <= limit:
            return [], _with_dividers(content), []
        if len(content) > limit:
            content = _reduce(_build(sections, 1) if condense else content, limit, condense)
        return [], content, []

    dividers = chapters >= 2 and target - chapters >= max(len(natural), 2 * chapters, 8)
    content = _content(sections, condense, target - chapters if dividers else target, natural)
    gap = target - len(content) - (chapters if dividers else 0)
    if not dividers and gap >= chapters >= 2:
        dividers = True
        gap -= chapters
    if dividers:
        content = _with_dividers(content)
    front: list[_Draft] = []
    back: list[_Draft] = []
    if gap > 0:
        front.append(_agenda(sections))
        gap -= 1
    if gap > 0:
        units = _takeaways(sections, limits.MAX_BULLETS)
        back.append(_Draft(kind="takeaways", sections=list(sections), units=units, title="Key takeaways"))
        gap -= 1
    recaps = [section for section in sections if any(part.sentences for part in section.parts)] or sections
    if not recaps:
        # Nothing to recap (the sources are headings and nothing else): leave room for discussion.
        back += [_Draft(kind="divider", sections=[], title="Questions and discussion") for _ in range(gap)]
        gap = 0
    for i in range(gap):
        section = recaps[i % len(recaps)]
        units = sorted(_best_units([section], limits.MAX_BULLETS), key=lambda u: u.order)
        while units and sum(u.line_count() for u in units) > limits.MAX_BULLETS:
            units.pop()
        back.append(_Draft(kind="recap", sections=[section], units=units, title=f"Recap: {section.title}"))
    return front, content, back


def _content(sections: list[Section], condense: bool, target: int, natural: list[_Draft]) -> list[_Draft]:
    """Content drafts, as close to `target` as the material allows and never more."""
    content = natural
    if condense:
        # The richest summary that still fits, so that splitting (which loses nothing) makes up the rest.
        content = _build(sections, 1)
        most = max((section.sentence_count() for section in sections), default=1)
        for density in range(2, most + 1):
            richer = _build(sections, density)
            if len(richer) > target:
                break
            content = richer
    if len(content) > target:
        return _reduce(content, target, condense)
    while len(content) < target and _expand_once(content):
        pass
    return content


def _agenda(sections: list[Section]) -> _Draft:
    titles = [title for _, title in _chapters([_Draft("bullets", sections=sections)])]
    if len(titles) < 2:
        titles = list(dict.fromkeys(section.title for section in sections))
    units = [Unit(title, 0, 1.0, i, -5) for i, title in enumerate(titles[: limits.MAX_BULLETS])]
    return _Draft(kind="agenda", sections=list(sections), units=units, title="Agenda")


def deck_title(documents: list[Document], topic: str) -> str:
    if topic.strip():
        return " ".join(topic.split())
    return document_title(documents[0]) if documents else "Untitled"


def plan_deck(
    documents: list[Document], *, topic: str, slide_count: int | None, condense: bool, speaker_notes: bool
) -> Plan:
    sections = sectionize(documents)
    title = _title(deck_title(documents, topic))
    subtitle = _first_paragraph_sentence(sections)
    if slide_count == 1:
        summary = _deck_summary(sections) or subtitle
        only = Slide(Layout.TITLE, title, subtitle=summary, notes=summary if speaker_notes else "")
        return _finish(title, summary, [only], [None], sections)

    takeaways = _takeaways(sections, _TAKEAWAYS)
    closing_notes = trim_notes([unit.text for unit in takeaways]) if speaker_notes else ""
    closing = Slide(
        Layout.CLOSING,
        "Summary" if takeaways else "Thank you",
        subtitle="Thank you" if takeaways else "",
        bullets=render_bullets(takeaways),
        notes=closing_notes,
    )
    title_slide = Slide(
        Layout.TITLE, title, subtitle=subtitle, notes=f"Introduce: {title}." if speaker_notes else ""
    )
    if slide_count == 2:
        return _finish(title, subtitle, [title_slide, closing], [None, None], sections)

    target = None if slide_count is None else slide_count - 2
    front, content, back = _fit(sections, condense, target)
    middle = [_slide(draft, speaker_notes, condense) for draft in [*front, *content, *back]]
    drafts: list[_Draft | None] = [None, *front, *content, *back, None]
    return _finish(title, subtitle, [title_slide, *middle, closing], drafts, sections)


def _finish(
    title: str, subtitle: str, slides: list[Slide], drafts: list[_Draft | None], sections: list[Section]
) -> Plan:
    items = tuple(
        OutlineItem(
            title=slide.title,
            layout=slide.layout,
            key_points=key_points(slide),
            section=_chapter_of(draft),
        )
        for slide, draft in zip(slides, drafts, strict=True)
    )
    return Plan(title=title, subtitle=subtitle, slides=tuple(slides), items=items, sections=tuple(sections))


def _chapter_of(draft: _Draft | None) -> str:
    if draft is None or not draft.sections:
        return ""
    return draft.sections[0].chapter_title
