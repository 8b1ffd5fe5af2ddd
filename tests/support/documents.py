"""Real source documents of every supported format, written by the libraries people use to make them.

Each holds the same small report: a title, an introduction, a section with a numeric table (regions
by year, which a deck should draw as a chart) and a closing section, so tests can check that
headings, text and tables survive the conversion.
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fpdf import FPDF
from PIL import Image

__all__ = [
    "CSV",
    "HTML",
    "INTRO",
    "NEXT",
    "ROWS",
    "SECTION",
    "TITLE",
    "docx",
    "encrypted_pdf",
    "long_pdf",
    "pdf",
    "pptx",
    "scanned_pdf",
    "xlsx",
]

TITLE = "Ocean Survey 2026"
INTRO = (
    "The survey measured plankton density across four regions during the spring season. Density rose "
    "in every region compared with the previous year, with the strongest growth in the north."
)
SECTION = "Density by region"
NEXT = "Next steps"
NEXT_TEXT = "The team will repeat the survey in autumn. Funding for two more vessels was approved in March."
ROWS = [("Region", "2025", "2026"), ("North", "120", "180"), ("South", "90", "110"), ("East", "75", "95")]


def pdf(*, user_password: str = "") -> bytes:
    document = FPDF()
    document.add_page()
    if user_password:
        document.set_encryption(owner_password="owner", user_password=user_password)
    document.set_font("Helvetica", "B", 22)
    document.cell(0, 12, TITLE, new_x="LMARGIN", new_y="NEXT")
    document.set_font("Helvetica", "", 11)
    document.multi_cell(0, 6, INTRO, new_x="LMARGIN", new_y="NEXT")
    document.set_font("Helvetica", "B", 16)
    document.cell(0, 10, SECTION, new_x="LMARGIN", new_y="NEXT")
    document.set_font("Helvetica", "", 11)
    with document.table() as table:
        for values in ROWS:
            row = table.row()
            for value in values:
                row.cell(value)
    document.set_font("Helvetica", "B", 16)
    document.cell(0, 10, NEXT, new_x="LMARGIN", new_y="NEXT")
    document.set_font("Helvetica", "", 11)
    document.multi_cell(0, 6, NEXT_TEXT)
    return bytes(document.output())


def long_pdf(pages: int) -> bytes:
    """A report of `pages` pages, each a section with two paragraphs and a numeric table."""
    document = FPDF()
    for page in range(pages):
        document.add_page()
        document.set_font("Helvetica", "B", 16)
        document.cell(0, 10, f"Station {page + 1}", new_x="LMARGIN", new_y="NEXT")
        document.set_font("Helvetica", "", 11)
        for _ in range(2):
            document.multi_cell(0, 6, f"{INTRO} {NEXT_TEXT} " * 3, new_x="LMARGIN", new_y="NEXT")
        with document.table() as table:
            for values in ROWS:
                row = table.row()
                for value in values:
                    row.cell(value)
    return bytes(document.output())


def encrypted_pdf() -> bytes:
    return pdf(user_password="secret")


def scanned_pdf() -> bytes:
    """A page that is only a picture of text, as a scanner without OCR makes it."""
    picture = Image.new("RGB", (600, 800), "white")
    for x in range(50, 550):
        for y in (100, 140, 180):
            picture.putpixel((x, y), (0, 0, 0))
    data = io.BytesIO()
    picture.save(data, "PNG")
    document = FPDF()
    document.add_page()
    document.image(io.BytesIO(data.getvalue()), x=10, y=10, w=190)
    return bytes(document.output())


def docx() -> bytes:
    import docx as python_docx

    document = python_docx.Document()
    document.add_heading(TITLE, level=1)
    document.add_paragraph(INTRO)
    document.add_heading(SECTION, level=2)
    table = document.add_table(rows=len(ROWS), cols=len(ROWS[0]))
    for r, values in enumerate(ROWS):
        for c, value in enumerate(values):
            table.cell(r, c).text = value
    document.add_heading(NEXT, level=2)
    document.add_paragraph(NEXT_TEXT)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def pptx() -> bytes:
    from pptx import Presentation
    from pptx.chart.data import CategoryChartData
    from pptx.enum.chart import XL_CHART_TYPE

    chart_data: Any = CategoryChartData  # python-pptx's chart data classes are untyped
    from pptx.util import Inches

    deck = Presentation()
    title = deck.slides.add_slide(deck.slide_layouts[0])
    title.shapes.title.text = TITLE
    intro = deck.slides.add_slide(deck.slide_layouts[1])
    intro.shapes.title.text = "Introduction"
    intro.placeholders[1].text_frame.text = INTRO
    numbers = deck.slides.add_slide(deck.slide_layouts[5])
    numbers.shapes.title.text = SECTION
    shape = numbers.shapes.add_table(len(ROWS), len(ROWS[0]), Inches(1), Inches(2), Inches(6), Inches(2))
    for r, values in enumerate(ROWS):
        for c, value in enumerate(values):
            shape.table.cell(r, c).text = value
    growth = deck.slides.add_slide(deck.slide_layouts[5])
    growth.shapes.title.text = "Growth by region"
    data = chart_data()
    data.categories = [row[0] for row in ROWS[1:]]
    data.add_series("Growth (%)", [round(100 * (int(r[2]) - int(r[1])) / int(r[1])) for r in ROWS[1:]])
    growth.shapes.add_chart(XL_CHART_TYPE.COLUMN_CLUSTERED, Inches(1), Inches(2), Inches(6), Inches(4), data)
    closing = deck.slides.add_slide(deck.slide_layouts[1])
    closing.shapes.title.text = NEXT
    closing.placeholders[1].text_frame.text = NEXT_TEXT
    closing.notes_slide.notes_text_frame.text = "Thank the crews of both vessels before the questions."
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()


def xlsx() -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.properties.title = TITLE
    sheet = workbook.active
    assert sheet is not None
    sheet.title = SECTION
    for values in ROWS:
        sheet.append([int(v) if v.isdigit() else v for v in values])
    notes = workbook.create_sheet(NEXT)
    notes.append([NEXT_TEXT])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


HTML = f"""<!doctype html>
<html><head><title>{TITLE}</title>
<style>body {{ font-family: serif }}</style>
<script>document.write("SCRIPT TEXT MUST NOT APPEAR")</script>
</head><body>
<h1>{TITLE}</h1>
<p>{INTRO}</p>
<h2>{SECTION}</h2>
<table>{"".join("<tr>" + "".join(f"<td>{v}</td>" for v in row) + "</tr>" for row in ROWS)}</table>
<h2>{NEXT}</h2>
<p>{NEXT_TEXT}</p>
</body></html>
"""

CSV = "\n".join(",".join(row) for row in ROWS) + "\n"


def with_part(package: bytes, name: str, data: bytes) -> bytes:
    """A copy of the zip `package` with one member added or replaced."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(package)) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            if item.filename != name:
                target.writestr(item, source.read(item))
        target.writestr(name, data)
    return out.getvalue()


# --- the corpus's Markdown in other formats -------------------------------------------------------
# A small writer for what the corpus documents used here hold: headings, paragraphs, bullet lists and
# tables (no code, no inline markup), so each can be sent as the Word, PDF or HTML file an author
# would have made of it, and its deck checked against the same expectations.

FONTS = Path(__file__).resolve().parents[2] / "service" / "deckgen" / "render" / "fonts"


@dataclass(frozen=True)
class Block:
    kind: str
    """heading, paragraph, bullets or table."""
    text: str = ""
    level: int = 0
    items: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()


def markdown_blocks(markdown: str) -> list[Block]:
    blocks: list[Block] = []
    for chunk in re.split(r"\n\s*\n", markdown.strip()):
        lines = chunk.strip().split("\n")
        if lines[0].startswith("#"):
            marks, _, text = lines[0].partition(" ")
            blocks.append(Block("heading", text.strip(), level=len(marks)))
            if len(lines) > 1:
                blocks.append(Block("paragraph", " ".join(lines[1:])))
        elif lines[0].startswith("|"):
            rows = [tuple(cell.strip() for cell in line.strip().strip("|").split("|")) for line in lines]
            blocks.append(Block("table", rows=(rows[0], *rows[2:])))
        elif lines[0].startswith("- "):
            blocks.append(Block("bullets", items=tuple(line[2:].strip() for line in lines)))
        else:
            blocks.append(Block("paragraph", " ".join(line.strip() for line in lines)))
    return blocks


def blocks_html(blocks: list[Block]) -> str:
    parts = ["<!doctype html><html><head><meta charset='utf-8'></head><body>"]
    for block in blocks:
        if block.kind == "heading":
            parts.append(f"<h{block.level}>{html.escape(block.text)}</h{block.level}>")
        elif block.kind == "paragraph":
            parts.append(f"<p>{html.escape(block.text)}</p>")
        elif block.kind == "bullets":
            parts.append("<ul>" + "".join(f"<li>{html.escape(t)}</li>" for t in block.items) + "</ul>")
        else:
            head = "".join(f"<th>{html.escape(c)}</th>" for c in block.rows[0])
            body = "".join(
                "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>" for r in block.rows[1:]
            )
            parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
    return "".join(parts) + "</body></html>"


def blocks_docx(blocks: list[Block]) -> bytes:
    import docx as python_docx

    document = python_docx.Document()
    for block in blocks:
        if block.kind == "heading":
            document.add_heading(block.text, level=block.level)
        elif block.kind == "paragraph":
            document.add_paragraph(block.text)
        elif block.kind == "bullets":
            for text in block.items:
                document.add_paragraph(text, style="List Bullet")
        else:
            table = document.add_table(rows=len(block.rows), cols=len(block.rows[0]))
            for r, cells in enumerate(block.rows):
                for c, cell in enumerate(cells):
                    table.cell(r, c).text = cell
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def blocks_pdf(blocks: list[Block]) -> bytes:
    document = FPDF()
    document.add_font("Sans", "", str(FONTS / "LiberationSans-Regular.ttf"))
    document.add_font("Sans", "B", str(FONTS / "LiberationSans-Bold.ttf"))
    document.add_page()
    sizes = {1: 22, 2: 16, 3: 13}
    for block in blocks:
        if block.kind == "heading":
            size = sizes.get(block.level, 13)
            document.set_font("Sans", "B", size)
            document.multi_cell(0, size * 0.6, block.text, new_x="LMARGIN", new_y="NEXT")
            document.ln(2)
        elif block.kind == "paragraph":
            document.set_font("Sans", "", 11)
            document.multi_cell(0, 6, block.text, new_x="LMARGIN", new_y="NEXT")
            document.ln(3)
        elif block.kind == "bullets":
            document.set_font("Sans", "", 11)
            for text in block.items:
                document.multi_cell(0, 6, f"\u2022 {text}", new_x="LMARGIN", new_y="NEXT")
            document.ln(3)
        else:
            document.set_font("Sans", "", 11)
            with document.table() as table:
                for cells in block.rows:
                    row = table.row()
                    for cell in cells:
                        row.cell(cell)
            document.ln(3)
    return bytes(document.output())
