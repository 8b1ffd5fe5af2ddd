"""Parsed documents into sections (a heading and what follows it) and their slide-sized units.

A unit is what a slide shows one of: a key sentence, a list item, or a sentence kept verbatim. Each
carries a score, so that planning can keep the best units when space runs short.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from deckgen.content.embedded._markdown import (
    Block,
    Document,
    Heading,
    ListBlock,
    Paragraph,
    QuoteBlock,
)
from deckgen.content.embedded._summarize import (
    Weights,
    score_sentence,
    split_clauses,
    split_sentences,
)
from deckgen.domain import Bullet, Column, limits

__all__ = [
    "Part",
    "Section",
    "Unit",
    "document_title",
    "sectionize",
    "units_of",
]

_LIST_BONUS = 0.1
"""Authors write lists to be read as points; a small bonus keeps them when slides are merged."""


@dataclass(frozen=True, slots=True)
class Unit:
    text: str
    level: int
    score: float
    order: int
    """Position in the deck's source, so that units can be put back in reading order."""
    group: int
    """Paragraph (or list) the unit came from; verbatim text keeps paragraph breaks between groups."""
    dropped: tuple[str, ...] = ()
    """Sentences of the same paragraph left off the slide, for the speaker notes."""

    def lines(self) -> list[Bullet]:
        pieces = split_clauses(self.text, limits.MAX_BULLET_CHARS)
        deeper = min(self.level + 1, limits.MAX_BULLET_LEVEL)
        return [Bullet(piece, self.level if i == 0 else deeper) for i, piece in enumerate(pieces)]

    def line_count(self) -> int:
        if len(self.text) <= limits.MAX_BULLET_CHARS:
            return 1
        return len(split_clauses(self.text, limits.MAX_BULLET_CHARS))


@dataclass(frozen=True, slots=True)
class Part:
    """A block of a section, with its sentences pre-split and pre-scored."""

    block: Block
    group: int
    order: int
    sentences: tuple[str, ...] = ()
    scores: tuple[float, ...] = ()


@dataclass(slots=True)
class Section:
    index: int
    document: str
    path: tuple[str, ...]
    title: str
    chapter: int
    chapter_title: str
    level: int
    first_line: int
    last_line: int
    parts: list[Part] = field(default_factory=list)
    columns: tuple[Column, Column] | None = None

    @property
    def locator(self) -> str:
        lines = f"lines {self.first_line}\u2013{self.last_line}"
        return f"{' > '.join(self.path)}, {lines}" if self.path else lines

    def sentence_count(self) -> int:
        return max((len(part.sentences) for part in self.parts), default=0)


def _pretty_name(name: str) -> str:
    stem = re.sub(r"\.[A-Za-z0-9]{1,10}$", "", name.rsplit("/", 1)[-1])
    words = re.sub(r"[-_]+", " ", stem).strip()
    return words[:1].upper() + words[1:] if words else "Untitled"


def document_title(document: Document) -> str:
    for block in document.blocks:
        if isinstance(block, Heading) and block.level == 1:
            return block.text
    return _pretty_name(document.name)


_PAIRS = {
    ("pros", "cons"),
    ("advantages", "disadvantages"),
    ("before", "after"),
    ("strengths", "weaknesses"),
    ("benefits", "risks"),
    ("benefits", "drawbacks"),
    ("do", "don't"),
    ("dos", "don'ts"),
    ("what went well", "what didn't"),
    ("what went well", "what could be better"),
}


def _text_of(block: Block) -> list[str]:
    if isinstance(block, Paragraph):
        return [block.text]
    if isinstance(block, ListBlock):
        return [item.text for item in block.items]
    if isinstance(block, QuoteBlock):
        return [block.text]
    return []


def sectionize(documents: list[Document]) -> list[Section]:
    """Sections of all documents in order, each in a chapter (what a section divider introduces).

    Several documents make one chapter each. In one document a lone leading H1 titles the deck, and
    the highest remaining heading level makes the chapters. Text before any such heading is a
    chapter without a title.
    """
    sections: list[Section] = []
    order = 0
    group = 0
    many = len(documents) > 1
    chapter = -1
    for document in documents:
        texts = [text for block in document.blocks for text in _text_of(block)]
        weights = Weights(texts)
        headings = [b for b in document.blocks if isinstance(b, Heading)]
        h1_count = sum(1 for h in headings if h.level == 1)
        title_heading = headings[0] if headings and headings[0].level == 1 and h1_count == 1 else None
        rest = [h.level for h in headings if h is not title_heading]
        chapter_level = min(rest, default=1)
        if many:
            chapter += 1
        chapter_title = document_title(document) if many else ""
        stack: list[tuple[int, str]] = []
        current = Section(
            index=len(sections),
            document=document.name,
            path=(),
            title=chapter_title or "Overview",
            chapter=chapter,
            chapter_title=chapter_title,
            level=0,
            first_line=1,
            last_line=1,
        )
        document_sections = [current]
        for block in document.blocks:
            if isinstance(block, Heading):
                while stack and stack[-1][0] >= block.level:
                    stack.pop()
                stack.append((block.level, block.text))
                if block is title_heading:
                    current.first_line = current.last_line = block.end_line + 1
                    current.path = (block.text,)
                    continue
                if not many and block.level <= chapter_level:
                    chapter += 1
                    chapter_title = block.text
                current = Section(
                    index=0,
                    document=document.name,
                    path=tuple(text for _, text in stack),
                    title=block.text,
                    chapter=chapter,
                    chapter_title=chapter_title,
                    level=block.level,
                    first_line=block.line,
                    last_line=block.end_line,
                )
                document_sections.append(current)
                continue
            sentences: tuple[str, ...] = ()
            scores: tuple[float, ...] = ()
            if isinstance(block, Paragraph):
                sentences = tuple(split_sentences(block.text))
                scores = tuple(score_sentence(s, weights, first=i == 0) for i, s in enumerate(sentences))
            elif isinstance(block, ListBlock):
                sentences = tuple(item.text for item in block.items)
                scores = tuple(score_sentence(s, weights) + _LIST_BONUS for s in sentences)
            elif isinstance(block, QuoteBlock):
                sentences = tuple(split_sentences(block.text))
                scores = tuple(score_sentence(s, weights) for s in sentences)
            current.parts.append(
                Part(block=block, group=group, order=order, sentences=sentences, scores=scores)
            )
            group += 1
            order += 1000
            current.last_line = max(current.last_line, block.end_line)
        _pair_columns(document_sections)
        sections.extend(s for s in document_sections if s.parts or s.columns)
    chapters: dict[int, int] = {}
    for index, section in enumerate(sections):
        section.index = index
        section.chapter = chapters.setdefault(section.chapter, len(chapters))
    return sections


def _short_list(section: Section) -> list[Bullet] | None:
    if len(section.parts) != 1 or not isinstance(section.parts[0].block, ListBlock):
        return None
    items = section.parts[0].block.items
    if len(items) > limits.MAX_BULLETS or any(len(item.text) > limits.MAX_BULLET_CHARS for item in items):
        return None
    return [Bullet(item.text, item.level) for item in items]


def _pair_columns(sections: list[Section]) -> None:
    """Two short lists side by side: "Pros"/"Cons"-like siblings, or a heading's only two sub-headings."""
    i = 0
    while i < len(sections) - 1:
        parent, left, right = (sections[i - 1] if i else None), sections[i], sections[i + 1]
        left_list, right_list = _short_list(left), _short_list(right)
        if left_list is None or right_list is None or left.level != right.level:
            i += 1
            continue
        following = sections[i + 2] if i + 2 < len(sections) else None
        only_children = (
            parent is not None
            and parent.level < left.level
            and (following is None or following.level <= parent.level)
        )
        paired = (left.title.casefold().strip(" :"), right.title.casefold().strip(" :")) in _PAIRS
        if not (paired or only_children):
            i += 1
            continue
        columns = (
            Column(heading=left.title, bullets=tuple(left_list)),
            Column(heading=right.title, bullets=tuple(right_list)),
        )
        if only_children and parent is not None and not parent.parts:
            host = parent
            host.last_line = right.last_line
            del sections[i : i + 2]
        else:
            host = left
            if host.chapter_title == left.title:
                host.chapter_title = f"{left.title} and {right.title[:1].lower()}{right.title[1:]}"
            host.title = f"{left.title} and {right.title[:1].lower()}{right.title[1:]}"
            host.path = (*left.path[:-1], host.title)
            host.parts = []
            host.last_line = right.last_line
            del sections[i + 1]
        host.columns = columns
        i += 1


def units_of(section: Section, part: Part, density: int | None) -> list[Unit]:
    """The units a part shows: `density` key sentences per paragraph, or every sentence when None."""
    block = part.block
    if isinstance(block, ListBlock):
        return [
            Unit(
                text=item.text, level=item.level, score=part.scores[i], order=part.order + i, group=part.group
            )
            for i, item in enumerate(block.items)
        ]
    if not isinstance(block, Paragraph):
        return []
    sentences = part.sentences
    keep = list(range(len(sentences))) if density is None else _top(part.scores, density)
    kept = set(keep)
    dropped = tuple(s for i, s in enumerate(sentences) if i not in kept)
    return [
        Unit(
            text=sentences[i],
            level=0,
            score=part.scores[i],
            order=part.order + i,
            group=part.group,
            dropped=dropped if n == 0 else (),
        )
        for n, i in enumerate(keep)
    ]


def _top(scores: tuple[float, ...], k: int) -> list[int]:
    if k >= len(scores):
        return list(range(len(scores)))
    ranked = sorted(range(len(scores)), key=lambda i: (-scores[i], i))
    return sorted(ranked[:k])
