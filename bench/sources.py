"""Conversion cost of PDF, DOCX, PPTX, XLSX, HTML and CSV sources.

Each format gets a large but realistic document: PDF 100 pages of text with a table each, DOCX 400
sections (2,000 paragraphs and 400 tables, ~130 pages), PPTX 300 slides, XLSX 20 sheets of 150
rows, HTML and CSV 1 MiB. Each is converted by the server's own `SourceConverter` (sandboxed
children, as `deckgen serve` runs them) three times; the median is reported with seconds per MiB
uploaded and per 100 KiB of Markdown produced. The limit is the default SOURCE_TIMEOUT (60 s):
every one of these documents must convert within it. The child's start (imports, once per child)
is measured apart.

    .venv/bin/python bench/sources.py
"""

from __future__ import annotations

import asyncio
import io
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from deckgen.domain import SourceDocument
from deckgen.providers.export import Sandbox
from deckgen.providers.sources import SourceConverter
from tests.support import documents

MIB = 1024 * 1024
LIMIT = 60.0
PARAGRAPH = f"{documents.INTRO} {documents.NEXT_TEXT}"


def _docx_of(sections: int) -> bytes:
    import docx

    document = docx.Document()
    for section in range(1, sections + 1):
        document.add_heading(f"Station {section}", level=2)
        for _ in range(5):
            document.add_paragraph(PARAGRAPH)
        table = document.add_table(rows=len(documents.ROWS), cols=3)
        for r, values in enumerate(documents.ROWS):
            for c, value in enumerate(values):
                table.cell(r, c).text = value
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _docx(target: int) -> bytes:
    return _docx_of(400)


def _pptx_of(slides: int) -> bytes:
    from pptx import Presentation

    deck = Presentation()
    for count in range(1, slides + 1):
        slide = deck.slides.add_slide(deck.slide_layouts[1])
        slide.shapes.title.text = f"Station {count}"
        slide.placeholders[1].text_frame.text = PARAGRAPH * 2
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()


def _pptx(target: int) -> bytes:
    return _pptx_of(300)


def _xlsx(target: int) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    rows = 0
    while True:
        sheet = workbook.create_sheet(f"Station {len(workbook.worksheets)}")
        sheet.append(["Region", "2025", "2026", "Comment"])
        for i in range(150):
            sheet.append([f"Region {i}", i * 3, i * 4, PARAGRAPH[:120]])
        rows += 150
        out = io.BytesIO()
        workbook.save(out)
        if out.tell() >= target or len(workbook.worksheets) >= 20:
            return out.getvalue()


PDF_PAGES = 100


def _pdf(target: int) -> bytes:
    # PDF cost goes by pages, not bytes (fpdf2's 100 text pages are ~90 KiB, a scan's 100 pages
    # 50 MiB): PDF_PAGES pages of text with a table each, measured per page.
    return documents.long_pdf(PDF_PAGES)


def _html(target: int) -> bytes:
    parts = ["<html><body><h1>Survey</h1>"]
    size = 0
    section = 0
    while size < target:
        section += 1
        chunk = (
            f"<h2>Station {section}</h2>"
            + f"<p>{PARAGRAPH}</p>" * 5
            + "<table>"
            + "".join("<tr>" + "".join(f"<td>{v}</td>" for v in row) + "</tr>" for row in documents.ROWS)
            + "</table>"
        )
        parts.append(chunk)
        size += len(chunk)
    return ("".join(parts) + "</body></html>").encode()


def _csv(target: int) -> bytes:
    lines = ["Region,2025,2026,Comment"]
    size = 0
    i = 0
    while size < target:
        i += 1
        line = f"Region {i},{i * 3},{i * 4},{PARAGRAPH[:100]}"
        lines.append(line)
        size += len(line) + 1
    return "\n".join(lines).encode()


FORMATS: dict[str, tuple[str, Callable[[int], bytes]]] = {
    "pdf": ("application/pdf", _pdf),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", _docx),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", _pptx),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _xlsx),
    "html": ("text/html", _html),
    "csv": ("text/csv", _csv),
}


async def main() -> int:
    converter = SourceConverter(processes=1, timeout=300, sandbox=Sandbox.detect("auto"))
    worst = 0.0
    try:
        started = time.perf_counter()
        await converter.to_markdown([SourceDocument("a.csv", "text/csv", documents.CSV.encode())])
        print(f"child start (imports) + a tiny CSV: {time.perf_counter() - started:.2f} s")
        for name, (media_type, make) in FORMATS.items():
            data = make(MIB)
            times = []
            for _ in range(3):
                result = await converter.to_markdown([SourceDocument(f"x.{name}", media_type, data)])
                times.append(result.seconds)
            median = statistics.median(times)
            per_mib = median / (len(data) / MIB)
            ratio = median / LIMIT
            worst = max(worst, ratio)
            markdown = len(result.sources[0].content)
            per_page = f", {median / PDF_PAGES * 1000:.0f} ms/page" if name == "pdf" else ""
            print(
                f"{name:5} {len(data) / MIB:5.2f} MiB -> {markdown / 1024:4.0f} KiB Markdown: "
                f"{median:6.2f} s, {per_mib:6.2f} s/MiB, {median / (markdown / 102400):5.2f} s/100 KiB "
                f"Markdown{per_page} (ratio {ratio:.2f})"
            )
    finally:
        await converter.aclose()
    return 0 if worst <= 1.0 else 1


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
