"""Ground slides in the caller's documents: cut them into cited chunks, give each slide the relevant ones.

Relevance is BM25 over word stems, which needs no model and no index service and is good enough
to pick a few passages per slide from documents of a few hundred pages at most.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from deckgen.domain import SourceDocument, SourceRef

__all__ = ["Chunk", "chunk_sources", "digest", "select"]

_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_STOP = frozenset(
    "a an and are as at be by for from has have in is it its of on or that the this to was were "  # noqa: SIM905
    "will with not but can which their they we you your our".split()
)


@dataclass(frozen=True, slots=True)
class Chunk:
    id: str
    """Short citation id shown to the model, e.g. S3."""
    document: str
    locator: str
    text: str
    terms: Counter[str]

    @property
    def ref(self) -> SourceRef:
        return SourceRef(self.document, self.locator)


def _terms(text: str) -> Counter[str]:
    # A crude stemmer (plural and -ing/-ed endings) lets "streams" match "streaming".
    words = (w.lower() for w in _WORD.findall(text))
    return Counter(re.sub(r"(ing|ed|es|s)$", "", w) or w for w in words if w not in _STOP and len(w) > 1)


def _document_chunks(document: SourceDocument, max_chars: int) -> list[tuple[str, str]]:
    """(locator, text) pieces of one document: cut at headings, and packed paragraph by paragraph
    so that a piece stays within `max_chars` unless a single paragraph is longer."""
    text = document.content.decode("utf-8", errors="replace").replace("\r\n", "\n")
    markdown = "markdown" in document.media_type or document.name.lower().endswith((".md", ".markdown"))
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # the newline that ends the last line starts no line of its own
    pieces: list[tuple[str, str]] = []
    path: list[str] = []
    # Paragraphs of the current section: (first line, last line, text).
    paragraphs: list[tuple[int, int, str]] = []
    current: list[str] = []
    current_start = 1

    def end_paragraph(last: int) -> None:
        if any(line.strip() for line in current):
            paragraphs.append((current_start, last, "\n".join(current).strip()))
        current.clear()

    def end_section() -> None:
        packed: list[tuple[int, int, str]] = []
        for paragraph in paragraphs:
            size = sum(len(p[2]) + 2 for p in packed)
            if packed and size + len(paragraph[2]) > max_chars:
                pieces.append(_piece(path, packed))
                packed = []
            packed.append(paragraph)
        if packed:
            pieces.append(_piece(path, packed))
        paragraphs.clear()

    for number, line in enumerate(lines, start=1):
        heading = _HEADING.match(line) if markdown else None
        if heading:
            end_paragraph(number - 1)
            end_section()
            level = len(heading.group(1))
            path = [*path[: level - 1], heading.group(2).strip()]
        elif not line.strip():
            end_paragraph(number - 1)
        else:
            if not current:
                current_start = number
            current.append(line)
    end_paragraph(len(lines))
    end_section()
    return pieces


def _piece(path: Sequence[str], paragraphs: Sequence[tuple[int, int, str]]) -> tuple[str, str]:
    body = "\n\n".join(text for _, _, text in paragraphs)
    if path:
        return " > ".join(path), f"{path[-1]}\n{body}"
    return f"lines {paragraphs[0][0]}-{paragraphs[-1][1]}", body


def chunk_sources(sources: Sequence[SourceDocument], max_chars: int = 1200) -> list[Chunk]:
    chunks: list[Chunk] = []
    for document in sources:
        for locator, text in _document_chunks(document, max_chars):
            chunks.append(Chunk(f"S{len(chunks) + 1}", document.name, locator, text, _terms(text)))
    return chunks


def select(chunks: Sequence[Chunk], query: str, budget_chars: int, at_least: int = 1) -> list[Chunk]:
    """The chunks most relevant to `query` that fit in `budget_chars`, in document order."""
    if not chunks:
        return []
    wanted = _terms(query)
    count = len(chunks)
    average = sum(sum(c.terms.values()) for c in chunks) / count
    frequency = Counter(term for c in chunks for term in c.terms)

    def score(chunk: Chunk) -> float:
        length = sum(chunk.terms.values()) or 1
        total = 0.0
        for term in wanted:
            tf = chunk.terms.get(term, 0)
            if tf:
                idf = math.log(1 + (count - frequency[term] + 0.5) / (frequency[term] + 0.5))
                total += idf * tf * 2.2 / (tf + 1.2 * (0.25 + 0.75 * length / average))
        return total

    ranked = sorted(chunks, key=score, reverse=True)
    chosen: list[Chunk] = []
    used = 0
    for chunk in ranked:
        if score(chunk) <= 0 and len(chosen) >= at_least:
            break
        if used + len(chunk.text) > budget_chars and len(chosen) >= at_least:
            continue
        chosen.append(chunk)
        used += len(chunk.text)
    order = {chunk.id: i for i, chunk in enumerate(chunks)}
    return sorted(chosen, key=lambda c: order[c.id])


def digest(chunks: Sequence[Chunk], budget_chars: int) -> str:
    """Every chunk when all fit; else the start of each, evenly shortened, so the plan sees it all."""
    total = sum(len(c.text) for c in chunks)
    share = budget_chars if total <= budget_chars else max(120, budget_chars // max(len(chunks), 1))
    parts = []
    for chunk in chunks:
        text = chunk.text if len(chunk.text) <= share else chunk.text[:share].rsplit(" ", 1)[0] + " …"
        parts.append(f"[{chunk.id}] ({chunk.document}: {chunk.locator})\n{text}")
    return "\n\n".join(parts)
