"""Model-written decks from PDF and Word sources: the model is shown the converted Markdown (headings,
the table as a Markdown table), never the file's bytes, and the deck keeps the document's title."""

from __future__ import annotations

import json
from pathlib import Path

from deckgen.v1 import presentation_service_pb2 as spb
from tests.llm.conftest import generate, llm_server
from tests.support import documents
from tests.support.corpus_model import CorpusModel
from tests.support.fake_llm import FakeLLMServer

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


async def test_the_model_reads_pdf_and_docx_sources_as_markdown(tmp_path: Path, llm: FakeLLMServer) -> None:
    llm.responder = CorpusModel(documents.TITLE).respond
    request = spb.GeneratePresentationRequest(
        sources=[
            spb.SourceDocument(name="survey.pdf", media_type="application/pdf", content=documents.pdf()),
            spb.SourceDocument(name="survey.docx", media_type=DOCX, content=documents.docx()),
        ],
        slide_count=5,
    )
    async with llm_server(tmp_path, llm) as server:
        events = await generate(server, request)
    assert events[-1].HasField("completed"), events[-1]
    assert events[-1].completed.presentation.deck.slides[0].title == documents.TITLE
    prompts = "\n".join(json.dumps(r.body) for r in llm.requests if r.body)
    assert "plankton density" in prompts
    assert "| North | 120 | 180 |" in prompts or "| North  | 120  | 180  |" in prompts
    assert "%PDF" not in prompts and "word/document.xml" not in prompts
