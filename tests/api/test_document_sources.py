"""PDF, DOCX, PPTX, XLSX, HTML and CSV sources through a real server: each becomes a deck that carries
its headings, text and numbers (a numeric table as a chart), and each way a document can be wrong
ends the call with INVALID_ARGUMENT naming the source and a reason (issue 13, "More inputs").
"""

from __future__ import annotations

import asyncio
import io
import os
import zipfile
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import grpc
import pytest

from deckgen.v1 import presentation_pb2 as pb
from deckgen.v1 import presentation_service_pb2 as spb
from tests.support import documents
from tests.support.hostile import PictureServer, zip_bomb
from tests.support.servers import RunningServer, running_server, server_settings
from tests.support.status import RichError, rich_error

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCTYPE = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x/>'


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[RunningServer]:
    settings = server_settings(tmp_path / "artifacts", EXPORT_ENABLED="false", SOURCE_PROCESSES="2")
    async with running_server(settings) as running:
        yield running


async def generate(server: RunningServer, *sources: spb.SourceDocument, slides: int = 6) -> list[pb.Slide]:
    request = spb.GeneratePresentationRequest(sources=list(sources), slide_count=slides)
    events = [event async for event in server.stub.GeneratePresentation(request, timeout=120)]
    assert events[-1].HasField("completed"), events[-1]
    return list(events[-1].completed.presentation.deck.slides)


async def refused(server: RunningServer, *sources: spb.SourceDocument) -> RichError:
    request = spb.GeneratePresentationRequest(sources=list(sources), slide_count=5)
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        async for _ in server.stub.GeneratePresentation(request, timeout=120):
            pass
    return rich_error(caught.value)


def words(slides: list[pb.Slide]) -> str:
    parts: list[str] = []
    for slide in slides:
        parts += [slide.title, slide.subtitle, slide.body, *(b.text for b in slide.bullets)]
        parts += [cell for row in slide.table.rows for cell in row.cells]
        parts += list(slide.table.header)
        for column in (slide.left_column, slide.right_column):
            parts += [column.heading, column.body, *(b.text for b in column.bullets)]
    return " ".join(parts)


def source(name: str, content: bytes | str, media_type: str = "") -> spb.SourceDocument:
    data = content.encode() if isinstance(content, str) else content
    return spb.SourceDocument(name=name, media_type=media_type, content=data)


FORMATS: dict[str, Callable[[], spb.SourceDocument]] = {
    "pdf": lambda: source("survey.pdf", documents.pdf(), "application/pdf"),
    "docx": lambda: source("survey.docx", documents.docx(), DOCX),
    "pptx": lambda: source("survey.pptx", documents.pptx()),
    "xlsx": lambda: source("survey.xlsx", documents.xlsx(), XLSX),
    "html": lambda: source("survey.html", documents.HTML, "text/html; charset=utf-8"),
}


async def test_every_format_becomes_a_deck_with_its_headings_text_and_a_chart(server: RunningServer) -> None:
    for kind, make in FORMATS.items():
        slides = await generate(server, make())
        text = words(slides)
        assert slides[0].title == documents.TITLE, (kind, slides[0].title)
        assert documents.SECTION in text or any(documents.SECTION in s.title for s in slides), kind
        if kind != "xlsx":  # the workbook holds the table and the closing sentence only
            assert "plankton density" in text, (kind, text[:300])
        assert "Funding for two more vessels" in text or any(
            "two more vessels" in s.speaker_notes for s in slides
        ), kind
        charts = [s for s in slides if s.layout == pb.LAYOUT_CHART]
        assert charts, (kind, [pb.Layout.Name(s.layout) for s in slides])
        categories = list(charts[0].chart.categories)
        series = {s.name: list(s.values) for s in charts[0].chart.series}
        assert categories == ["North", "South", "East"], (kind, categories)
        assert series == {"2025": [120, 90, 75], "2026": [180, 110, 95]}, (kind, series)
        assert "SCRIPT TEXT" not in text and "font-family" not in text
        assert not any(s.title.startswith(("Notes", "Chart")) for s in slides), kind
    # The presentation's own chart comes back as a chart; its speaker notes stay off the slides.
    slides = await generate(server, FORMATS["pptx"](), slides=8)
    assert "Thank the crews" not in words(slides)
    growth = [s for s in slides if s.title == "Growth by region"]
    assert growth and growth[0].layout == pb.LAYOUT_CHART, [s.title for s in slides]
    assert list(growth[0].chart.series[0].values) == [50, 22, 27]


async def test_a_csv_table_becomes_a_chart(server: RunningServer) -> None:
    slides = await generate(
        server,
        source("notes.md", "# Density survey\n\nThe numbers below come from the spring cruise."),
        source("density.csv", documents.CSV),
    )
    charts = [s for s in slides if s.layout == pb.LAYOUT_CHART]
    assert charts and list(charts[0].chart.categories) == ["North", "South", "East"]


async def test_html_is_converted_without_fetching_anything(
    server: RunningServer, pictures: PictureServer
) -> None:
    page = (
        f'<html><head><link rel="stylesheet" href="{pictures.url()}">'
        f'<script src="{pictures.url()}"></script></head><body><h1>Harbour report</h1>'
        f'<img src="{pictures.url()}"><iframe src="{pictures.url()}"></iframe>'
        "<p>The harbour handled more ships this year than ever before. Cargo volume grew by a fifth.</p>"
        "<p>Two new cranes arrive in June. The pier extension opens in the autumn.</p></body></html>"
    )
    slides = await generate(server, source("harbour.htm", page), slides=3)
    assert slides[0].title == "Harbour report"
    assert "Cargo volume grew" in words(slides)
    assert "![" not in words(slides)
    await asyncio.sleep(0.2)
    assert pictures.connections == 0


async def test_links_out_of_an_office_file_are_dropped_with_a_warning(
    server: RunningServer, pictures: PictureServer
) -> None:
    original = documents.docx()
    with zipfile.ZipFile(io.BytesIO(original)) as package:
        rels = package.read("word/_rels/document.xml.rels").decode()
    linked = rels.replace(
        "</Relationships>",
        '<Relationship Id="rIdX" TargetMode="External" Target="' + pictures.url() + '" Type="http://schemas.'
        'openxmlformats.org/officeDocument/2006/relationships/image"/></Relationships>',
    )
    document = documents.with_part(original, "word/_rels/document.xml.rels", linked.encode())
    request = spb.GeneratePresentationRequest(sources=[source("linked.docx", document)], slide_count=5)
    events = [event async for event in server.stub.GeneratePresentation(request, timeout=120)]
    assert events[-1].HasField("completed")
    warnings = [e.warning for e in events if e.HasField("warning")]
    assert any(
        w.code == "SOURCE_CONVERTED" and w.message.startswith("linked.docx: 1 link(s) to content outside")
        for w in warnings
    ), warnings
    assert events[-1].completed.presentation.deck.slides[0].title == documents.TITLE
    assert pictures.connections == 0


async def test_each_way_a_source_can_be_wrong_names_it_with_a_reason(server: RunningServer) -> None:
    cases: list[tuple[spb.SourceDocument, str, str]] = [
        (source("locked.pdf", documents.encrypted_pdf()), "SOURCE_ENCRYPTED", "encrypted"),
        (source("scan.pdf", documents.scanned_pdf()), "SOURCE_HAS_NO_TEXT", "no text"),
        (source("broken.pdf", b"%PDF-1.7\n" + os.urandom(4000)), "SOURCE_UNREADABLE", "could not be read"),
        (source("report.pdf", documents.docx()), "SOURCE_TYPE_MISMATCH", "zip package"),
        (source("report.docx", documents.pdf(), DOCX), "SOURCE_TYPE_MISMATCH", "not an Office package"),
        (source("report.docx", documents.xlsx()), "SOURCE_TYPE_MISMATCH", "Excel workbook"),
        (source("report.pdf", documents.pdf(), PPTX), "SOURCE_TYPE_MISMATCH", "named"),
        (source("page.html", "just some words, no markup at all"), "SOURCE_TYPE_MISMATCH", "no HTML markup"),
        (source("notes.md", documents.pdf()[:200]), "SOURCE_TYPE_MISMATCH", "is a PDF"),
        (source("broken.docx", b"PK\x03\x04" + b"\x00" * 200), "SOURCE_UNREADABLE", "not a readable"),
        (
            source("legacy.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600),
            "SOURCE_TYPE_MISMATCH",
            "password-protected",
        ),
        (
            source(
                "entities.docx",
                documents.with_part(
                    documents.docx(),
                    "word/document.xml",
                    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x/>',
                ),
            ),
            "SOURCE_UNSAFE",
            "document type declaration",
        ),
        (source("bomb.pptx", zip_bomb(100 * 1024 * 1024)), "SOURCE_TOO_LARGE", "ppt/media/bomb.xml"),
        (
            source("empty.xlsx", _empty_workbook()),
            "SOURCE_HAS_NO_TEXT",
            "no text",
        ),
    ]
    for document, reason, words_ in cases:
        error = await refused(server, source("fine.md", "# Fine\n\nThis one is fine."), document)
        assert error.code == grpc.StatusCode.INVALID_ARGUMENT, (document.name, error)
        assert error.reason == reason, (document.name, error)
        assert list(error.violations) == ["sources[1]"], (document.name, error)
        assert document.name in error.violations["sources[1]"], error
        assert words_ in error.violations["sources[1]"], (document.name, error.violations)
    # Every failing source is listed, the first one's reason is the call's.
    error = await refused(
        server, source("a.pdf", documents.encrypted_pdf()), source("b.pdf", documents.scanned_pdf())
    )
    assert error.reason == "SOURCE_ENCRYPTED" and set(error.violations) == {"sources[0]", "sources[1]"}


async def test_unknown_types_are_refused_before_anything_is_read(server: RunningServer) -> None:
    error = await refused(server, source("slides.key", b"whatever"))
    assert error.code == grpc.StatusCode.INVALID_ARGUMENT
    assert "sources[0].media_type" in error.violations
    error = await refused(server, source("data.bin", b"abc", "application/zip"))
    assert "unsupported media type 'application/zip'" in error.violations["sources[0].media_type"]


def _empty_workbook() -> bytes:
    import io

    import openpyxl

    out = io.BytesIO()
    openpyxl.Workbook().save(out)
    return out.getvalue()


async def test_a_slow_conversion_times_out_and_the_server_goes_on(tmp_path: Path) -> None:
    settings = server_settings(tmp_path / "artifacts", EXPORT_ENABLED="false", SOURCE_TIMEOUT="0.001")
    async with running_server(settings) as server:
        error = await refused(server, source("survey.pdf", documents.pdf()))
        assert error.reason == "SOURCE_CONVERSION_TIMEOUT", error
        assert "survey.pdf took longer than 0.001 s" in error.violations["sources[0]"]
        # The converter that overran was killed; Markdown still works, and so does the next document.
        slides = await generate(server, source("notes.md", "# Still here\n\nThe server keeps serving calls."))
        assert slides[0].title == "Still here"
        error = await refused(server, source("survey.pdf", documents.pdf()))
        assert error.reason == "SOURCE_CONVERSION_TIMEOUT"
