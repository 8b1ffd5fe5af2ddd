"""Corpus documents sent as the Word, PDF and HTML files their authors would have made of them: after
conversion (the real converter children) the embedded engine's deck passes the same checks as the
deck of the Markdown original — title, closing, no raw Markdown, no repeats, every section, charts."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable

import pytest

from deckgen.domain import Deck, GenerationSpec, Layout, SourceDocument
from deckgen.providers.export import Sandbox
from deckgen.providers.sources import SourceConverter
from tests.support import documents

from .corpus import CORPUS, DOCUMENTS, Document, check_deck, embedded_deck, headings

_BY_NAME = {document.name: document for document in DOCUMENTS}
_FORMATS: dict[str, tuple[str, Callable[[list[documents.Block]], bytes]]] = {
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        documents.blocks_docx,
    ),
    "pdf": ("application/pdf", documents.blocks_pdf),
    "html": ("text/html", lambda blocks: documents.blocks_html(blocks).encode()),
}


@pytest.fixture
async def converter() -> AsyncIterator[SourceConverter]:
    converter = SourceConverter(processes=1, timeout=120, sandbox=Sandbox.detect("auto"))
    yield converter
    await converter.aclose()


async def _deck(source: SourceDocument, count: int) -> tuple[Deck, list[str]]:
    return await embedded_deck(GenerationSpec(sources=(source,), slide_count=count))


# The quarterly report's PDF holds a narrow two-column table that markitdown reads as lines of
# text; the converter finds it again from its ruling lines (without that, a broken bullet).
_CASES = {"q3-report.md": ("docx", "pdf", "html"), "waermepumpen-de.md": ("docx", "pdf", "html")}


@pytest.mark.parametrize("name", sorted(_CASES))
async def test_a_corpus_document_as_docx_pdf_and_html_makes_the_same_good_deck(
    converter: SourceConverter, name: str
) -> None:
    document: Document = _BY_NAME[name]
    blocks = documents.markdown_blocks((CORPUS / name).read_text(encoding="utf-8"))
    stem = name.rsplit(".", 1)[0]
    for kind in _CASES[name]:
        media_type, write = _FORMATS[kind]
        converted = await converter.to_markdown([SourceDocument(f"{stem}.{kind}", media_type, write(blocks))])
        deck, warnings = await _deck(converted.sources[0], document.slide_count)
        check_deck(deck, document, document.slide_count, warnings)
        charts = tuple(s.chart.type for s in deck.slides if s.chart is not None)
        assert charts == document.charts, (kind, charts)
        shown = " ".join(
            [s.title for s in deck.slides]
            + [b.text for s in deck.slides for b in s.bullets]
            + [s.subtitle for s in deck.slides]
        )
        for heading in headings(document):
            if heading == document.conclusion:
                assert deck.slides[-1].bullets, (kind, "the conclusion is on the closing slide")
                continue
            assert heading in shown, (kind, heading, [s.title for s in deck.slides])
        assert all(not re.search(r"\|\s*---", s.body) for s in deck.slides if s.layout is not Layout.TABLE)
