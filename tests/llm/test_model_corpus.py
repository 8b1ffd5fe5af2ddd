"""Corpus documents through a verbose, Markdown-happy model: the deck keeps its shape and its titles
stay plain whatever the model planned and wrote."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from deckgen.content._phrases import phrases
from deckgen.v1 import presentation_pb2 as pb
from deckgen.v1 import presentation_service_pb2 as spb
from tests.content.corpus import DOCUMENTS, Document, source
from tests.llm.conftest import generate, llm_server, warnings
from tests.support.corpus_model import CorpusModel
from tests.support.fake_llm import FakeLLMServer

_RAW = re.compile(r"\*\*|__|`|^#{1,6}\s")
_CHOSEN = ("q3-report.md", "handbook.md", "remote-work-ja.md", "water-ar.md", "faq.md")


@pytest.mark.parametrize("document", [d for d in DOCUMENTS if d.name in _CHOSEN], ids=lambda d: d.name)
async def test_model_written_corpus_decks_keep_their_shape(
    tmp_path: Path, llm: FakeLLMServer, document: Document
) -> None:
    llm.responder = CorpusModel(document.title).respond
    file = source(document)
    request = spb.GeneratePresentationRequest(
        sources=[spb.SourceDocument(name=file.name, media_type=file.media_type, content=file.content)],
        slide_count=document.slide_count,
        language=document.language,
    )
    async with llm_server(tmp_path, llm) as server:
        events = await generate(server, request)
    deck = events[-1].completed.presentation.deck
    slides = list(deck.slides)
    # Count honoured, or short with a warning.
    assert len(slides) <= document.slide_count
    if len(slides) < document.slide_count:
        assert "OUTLINE_SHORT" in warnings(events)
    # Title first (the model's own title item is not a second title slide), closing last and only there.
    assert slides[0].layout == pb.LAYOUT_TITLE and slides[0].title == document.title
    assert [s.layout for s in slides].count(pb.LAYOUT_TITLE) == 1
    assert slides[-1].layout == pb.LAYOUT_CLOSING
    assert all(s.layout != pb.LAYOUT_CLOSING for s in slides[:-1])
    assert slides[-1].title in ("Wrapping up", phrases(document.language).takeaways)
    # Titles are plain text, whatever Markdown the model wrapped them in.
    for slide in slides:
        assert not _RAW.search(slide.title), slide.title
    # The outline streamed in deck order, closing last.
    streamed = [e.outline_item.index for e in events if e.HasField("outline_item")]
    assert streamed == list(range(len(slides)))
