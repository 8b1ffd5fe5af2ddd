"""A deck whose request leaves the language at its default is in the language it was written in:
the contract says so, and the file's proofing language, fonts and text direction follow it."""

from __future__ import annotations

import re
import zipfile
from io import BytesIO
from pathlib import Path

import pytest

from deckgen.v1 import presentation_service_pb2 as spb
from tests.support.servers import RunningServer

CORPUS = Path(__file__).resolve().parents[1] / "content" / "corpus"


async def _generate(server: RunningServer, name: str, language: str) -> tuple[str, str]:
    source = spb.SourceDocument(name=name, media_type="text/markdown", content=(CORPUS / name).read_bytes())
    request = spb.GeneratePresentationRequest(sources=[source], slide_count=6, language=language)
    events = [event async for event in server.stub.GeneratePresentation(request, timeout=60)]
    deck = events[-1].completed.presentation.deck
    (artifact,) = [e.artifact.artifact for e in events if e.HasField("artifact")]
    chunks = [c async for c in server.stub.DownloadArtifact(spb.DownloadArtifactRequest(name=artifact.name))]
    with zipfile.ZipFile(BytesIO(b"".join(chunk.data for chunk in chunks))) as package:
        slides = [n for n in package.namelist() if re.fullmatch(r"ppt/slides/slide\d+\.xml", n)]
        xml = "".join(package.read(n).decode() for n in slides)
    return deck.language, xml


@pytest.mark.parametrize("requested", ["", "en"])
async def test_a_japanese_document_makes_a_japanese_deck_when_no_language_is_asked_for(
    server: RunningServer, requested: str
) -> None:
    language, xml = await _generate(server, "remote-work-ja.md", requested)
    assert language == "ja"
    assert 'lang="ja"' in xml and 'lang="en"' not in xml
    assert re.search(r'<a:ea typeface="[^"]*(?:CJK|Gothic|Mincho|Meiryo|Yu )', xml), "no Japanese font named"


async def test_an_arabic_document_makes_a_right_to_left_deck(server: RunningServer) -> None:
    language, xml = await _generate(server, "water-ar.md", "")
    assert language == "ar"
    assert 'rtl="1"' in xml and 'lang="ar"' in xml


async def test_a_language_the_caller_asks_for_wins(server: RunningServer) -> None:
    language, xml = await _generate(server, "water-ar.md", "fr")
    assert language == "fr" and 'lang="fr"' in xml
