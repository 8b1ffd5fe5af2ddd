"""Each format to Markdown, inside the converter child (`_child`): markitdown for PDF, DOCX, PPTX, HTML
and CSV, openpyxl for XLSX. Tables stay Markdown tables, so numeric ones can become charts.

Nothing here reaches the network or the disk: every reader gets the bytes as a stream, never a path
or a URL (markitdown's `MarkItDown.convert` would fetch a URL; its converters are called directly).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import Any

__all__ = ["CONVERTERS", "ConversionError", "tidy"]

MAX_PDF_PAGES = 300
MAX_SHEETS = 20
MAX_SHEET_ROWS = 200
MAX_SHEET_COLUMNS = 30
MAX_TABLE_ROWS = 100
"""Data rows a table keeps; a deck shows far fewer, and the rest would only cost time."""
MAX_MARKDOWN_CHARS = 400_000


class ConversionError(Exception):
    """A source this converter cannot read; `reason` is the ErrorInfo reason the caller sees."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


def _stream_info(extension: str) -> Any:
    from markitdown import StreamInfo

    return StreamInfo(extension=extension)


def _pdf(content: bytes) -> str:
    from markitdown.converters import PdfConverter
    from pdfminer.pdfdocument import PDFDocument, PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdfparser import PDFParser

    try:
        document = PDFDocument(PDFParser(io.BytesIO(content)))
    except (PDFPasswordIncorrect, PDFEncryptionError) as error:
        raise ConversionError(
            "SOURCE_ENCRYPTED", "is an encrypted PDF that needs a password to open; send it without one"
        ) from error
    pages = 0
    for _ in PDFPage.create_pages(document):
        pages += 1
        if pages > MAX_PDF_PAGES:
            raise ConversionError(
                "SOURCE_TOO_LARGE", f"has more than {MAX_PDF_PAGES} pages; send the part the deck is about"
            )
    if pages == 0:
        raise ConversionError("SOURCE_UNREADABLE", "is a PDF without pages")
    result = PdfConverter().convert(io.BytesIO(content), _stream_info(".pdf"))
    text = _ruled_tables(content, str(result.markdown or ""))
    return _pdf_text(text, _pdf_headings(content))


_LABEL_NUMBER = re.compile(r"^\s*\S.*\s[-+]?[\d.,]+\s*+%?+\s*+$")
"""A line of a label and a number. The spaces after the number are possessive: a space given back
is never a `%` or the end, and splitting a run between the two `\\s*` made a line quadratic."""


def _ruled_tables(content: bytes, text: str) -> str:
    """Ruled tables markitdown read as lines of text (its word-position heuristic misses narrow
    ones, such as a label column and one of numbers) put back as Markdown tables, from pdfplumber's
    table finder. Only looked for when the text has three lines in a row that end in a number."""
    lines = text.split("\n")
    runs = sum(
        1
        for a, b, c in zip(lines, lines[1:], lines[2:], strict=False)
        if all(_LABEL_NUMBER.match(x) and not x.lstrip().startswith("|") for x in (a, b, c))
    )
    if not runs:
        return text
    import pdfplumber

    found: list[list[list[str]]] = []
    with pdfplumber.open(io.BytesIO(content)) as pdf:
        for page in pdf.pages:
            for table in page.extract_tables():
                rows = [[" ".join(str(cell or "").split()) for cell in row] for row in table]
                if len(rows) >= 2 and len(rows[0]) >= 2:
                    found.append(rows)
            page.close()
    keys = [_key(line) for line in lines]
    for rows in found:
        wanted = [_key(" ".join(cell for cell in row if cell)) for row in rows]
        for start in range(len(lines) - len(wanted) + 1):
            if keys[start : start + len(wanted)] == wanted:
                markdown = ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in rows]
                markdown.insert(1, "| " + " | ".join("---" for _ in rows[0]) + " |")
                lines[start : start + len(wanted)] = markdown
                keys[start : start + len(wanted)] = [""] * len(markdown)
                break
    return "\n".join(lines)


_PAGE_NUMBER = re.compile(r"^\s*(?:page\s+)?\d{1,4}(?:\s*(?:/|of)\s*\d{1,4})?\s*$", re.IGNORECASE)
_HEADING_SCALE = 1.15
"""A line set this much larger than the body text is a heading."""


def _key(line: str) -> str:
    return " ".join(line.split()).casefold()


def _pdf_headings(content: bytes) -> dict[str, int]:
    """Lines set larger than the body text, by their text, with a heading level: PDF has no
    headings, only type sizes, and without them every section of a PDF would run into one.
    (pdfminer's layout pass: a third of the time pdfplumber's word extraction takes.)"""
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LTChar, LTTextContainer, LTTextLine

    lines: list[tuple[str, float]] = []
    sizes: Counter[float] = Counter()
    for page in extract_pages(io.BytesIO(content)):
        for box in page:
            if not isinstance(box, LTTextContainer):
                continue
            for line in box:
                if not isinstance(line, LTTextLine):
                    continue
                chars = [round(float(char.size), 1) for char in line if isinstance(char, LTChar)]
                text = " ".join(line.get_text().split())
                if chars and text:
                    lines.append((text, max(chars)))
                    sizes[max(chars)] += len(text)
    if not sizes:
        return {}
    body = sizes.most_common(1)[0][0]
    larger = sorted({size for _, size in lines if size >= body * _HEADING_SCALE}, reverse=True)
    levels = {size: min(index + 1, 3) for index, size in enumerate(larger)}
    return {
        _key(text): levels[size]
        for text, size in lines
        if size in levels and len(text) <= 120 and re.search(r"[^\W\d_]", text)
    }


_BULLET = re.compile(r"^\s*[\u2022\u25cf\u25aa\u25e6\u2023\u2043\uf0b7]\s*")


_RUNS_ON = re.compile(r"(?<=[^\s.!?:;|)\u3002])\n[ \t]*+(?:\f[ \t]*+)?+\n?+[ \t]*+(?=[^\W\d_A-Z])")
"""A break (blank line, page break) between a line that ends mid-sentence and one that goes on in
lower case: a paragraph cut by the end of a page. All possessive: each part is followed by what can
never start with what it would give back (a space or tab, a form feed, a line end), and the two
`[ \\t]*` splitting a run between them made a line of spaces quadratic."""


def _join_pages(text: str) -> str:
    """Pages one after the other, a sentence that runs over a page break kept in one paragraph."""
    text = _RUNS_ON.sub("\n", text)
    return text.replace("\f", "\n\n")


def _unmistake_tables(lines: list[str], headings: dict[str, int]) -> list[str]:
    """Lines of a large, widely set heading that the PDF converter took for a table row go back
    to being lines."""
    out: list[str] = []
    index = 0
    while index < len(lines):
        if not lines[index].lstrip().startswith("|"):
            out.append(lines[index])
            index += 1
            continue
        end = index
        while end < len(lines) and lines[end].lstrip().startswith("|"):
            end += 1
        block = lines[index:end]
        rows = [" ".join(c for c in _cells(line) if c) for line in block if not _TABLE_RULE.match(line)]
        out += rows if rows and all(_key(row) in headings for row in rows) else block
        index = end
    return out


def _pdf_text(text: str, headings: dict[str, int]) -> str:
    """pdfminer's text as Markdown: headings marked from their type size (a heading wrapped over
    two lines is one), bullets as list items, page numbers and form feeds dropped, tables set off
    by blank lines."""
    out: list[str] = []
    in_table = False
    last_heading: tuple[int, int] | None = None
    """(level, index in out) of a heading on the line just before."""
    for line in _unmistake_tables(_join_pages(text).split("\n"), headings):
        if _PAGE_NUMBER.match(line):
            continue
        level = headings.get(_key(line)) if line.strip() else None
        table = line.lstrip().startswith("|")
        if level is not None:
            words = " ".join(line.split())
            if last_heading is not None and last_heading[0] == level:
                out[last_heading[1]] += f" {words}"
                continue
            out += ["", f"{'#' * level} {words}", ""]
            last_heading = (level, len(out) - 2)
            in_table = False
            continue
        if line.strip():
            last_heading = None
        if _BULLET.match(line):
            line = _BULLET.sub("- ", line)
        if table != in_table:
            out += ["", line]
        else:
            out.append(line)
        in_table = table
    return "\n".join(out)


def _docx(content: bytes) -> str:
    from markitdown.converters import DocxConverter

    return str(DocxConverter().convert(io.BytesIO(content), _stream_info(".docx")).markdown or "")


_PPTX_CHART = re.compile(r"^#{2,6} Chart(?::.*)?\s*$")
_PPTX_NOTES = re.compile(r"^#{2,6} Notes:\s*$")
_PPTX_SLIDE = re.compile(r"^<!-- Slide number: \d+ -->")


def _pptx(content: bytes) -> str:
    from markitdown.converters import PptxConverter

    markdown = str(PptxConverter().convert(io.BytesIO(content), _stream_info(".pptx")).markdown or "")
    # Every slide title comes as a top heading; the first slide's is the presentation's title, the
    # others are its sections. A slide's chart data belongs to its section (a "### Chart" heading
    # would make a section of its own); its speaker notes are the presenter's script, not text for
    # the audience, and are left out.
    first = True
    in_notes = False
    lines = []
    for line in markdown.split("\n"):
        if _PPTX_SLIDE.match(line):
            in_notes = False
        elif _PPTX_NOTES.match(line):
            in_notes = True
        if in_notes or _PPTX_CHART.match(line):
            continue
        if line.startswith("# "):
            if not first:
                line = "#" + line
            first = False
        lines.append(line)
    return "\n".join(lines)


def _html(content: bytes) -> str:
    from markitdown.converters import HtmlConverter

    # The converter drops <script> and <style>; pictures and links stay references, never fetched.
    return str(HtmlConverter().convert(io.BytesIO(content), _stream_info(".html")).markdown or "")


def _csv(content: bytes) -> str:
    from markitdown.converters import CsvConverter

    return str(CsvConverter().convert(io.BytesIO(content), _stream_info(".csv")).markdown or "")


_DEFAULT_SHEET = re.compile(
    r"^(?:sheet|tabelle|feuil|hoja|foglio|planilha|blad|arkusz)\s*\d*$", re.IGNORECASE
)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else f"{value:.10g}"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ", "minutes")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return " ".join(str(value).split()).replace("|", "\\|")


def _table(rows: Sequence[Sequence[str]]) -> str:
    width = max(len(row) for row in rows)
    padded = [[*row, *([""] * (width - len(row)))] for row in rows]
    lines = ["| " + " | ".join(padded[0]) + " |", "| " + " | ".join(["---"] * width) + " |"]
    lines += ["| " + " | ".join(row) + " |" for row in padded[1:]]
    return "\n".join(lines)


def _sheet_rows(values: Iterable[Sequence[object]]) -> list[list[str]]:
    rows: list[list[str]] = []
    for raw in values:
        row = [_cell(value) for value in raw[:MAX_SHEET_COLUMNS]]
        if any(row):
            rows.append(row)
        if len(rows) > MAX_SHEET_ROWS:
            break
    if not rows:
        return []
    # Columns empty in every row (spacers, formatting that reaches far right) go.
    used = [i for i in range(max(len(r) for r in rows)) if any(i < len(r) and r[i] for r in rows)]
    return [[row[i] if i < len(row) else "" for i in used] for row in rows]


def _xlsx(content: bytes) -> str:
    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    try:
        parts: list[str] = []
        title = (workbook.properties.title or "").strip()
        if title:
            parts.append(f"# {title}")
        for index, sheet in enumerate(workbook.worksheets):
            if index >= MAX_SHEETS:
                break
            rows = _sheet_rows(sheet.iter_rows(values_only=True))
            if not rows:
                continue
            name = sheet.title.strip()
            if not _DEFAULT_SHEET.match(name):
                parts.append(f"## {name}")
            if len(rows) == 1 or len(rows[0]) == 1:
                parts.append("\n".join(f"- {' '.join(cell for cell in row if cell)}" for row in rows))
            else:
                parts.append(_table(rows))
        return "\n\n".join(parts)
    finally:
        workbook.close()


CONVERTERS: dict[str, Callable[[bytes], str]] = {
    "application/pdf": _pdf,
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": _docx,
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": _pptx,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": _xlsx,
    "text/html": _html,
    "text/csv": _csv,
}


_IMAGE_LINE = re.compile(r"^\s*!\[[^\]]*\]\([^)]*\)\s*$")
# Possessive throughout: each part is followed by what can never start with what it would give back
# (after spaces a bar, colon or dash; after dashes a colon, space, bar or the end), and adjacent `\s*`
# splitting a run of spaces between them made a line of spaces quadratic.
_TABLE_RULE = re.compile(r"^\s*+\|?+\s*+:?+-{3,}+:?+\s*+(?:\|\s*+:?+-{3,}+:?+\s*+)*+\|?+\s*+$")
_BLANKS = re.compile(r"\n{3,}")


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def _without_comments(text: str) -> str:
    """`<!--.*?-->` (across lines) removed. Looked up with `find`: the pattern read the rest of the
    text from each opener that never closed (`<!--<!--…`: quadratic). When an opener has no closer
    after it, no later one has."""
    out: list[str] = []
    done = 0
    while (start := text.find("<!--", done)) >= 0:
        end = text.find("-->", start + 4)
        if end < 0:
            break
        out.append(text[done:start])
        done = end + 3
    out.append(text[done:])
    return "".join(out)


def _without_images(line: str) -> str:
    """`!\\[[^\\]]*\\]\\([^)]*\\)` removed from `line`. Looked up with `find`: the pattern read the rest
    of the line from each `![` whose brackets never closed (`![![…`: quadratic). Every `![` before
    the first `]` after one fails as that one does, and when the `]` or the `)` is missing for one,
    it is for every later one."""
    out: list[str] = []
    done = 0
    search = 0
    while (start := line.find("![", search)) >= 0:
        label = line.find("]", start + 2)
        if label < 0:
            break
        if not line.startswith("(", label + 1):
            search = label + 1
            continue
        end = line.find(")", label + 2)
        if end < 0:
            break
        out.append(line[done:start])
        done = search = end + 1
    out.append(line[done:])
    return "".join(out)


def _without_empty_columns(header: str, rule: str, body: list[str]) -> tuple[str, str, list[str]]:
    rows = [_cells(header), *(_cells(line) for line in body)]
    width = max(len(row) for row in rows)
    keep = [i for i in range(width) if any(i < len(row) and row[i] for row in rows)]
    if len(keep) == width:
        return header, rule, body
    lines = ["| " + " | ".join(row[i] if i < len(row) else "" for i in keep) + " |" for row in rows]
    return lines[0], "| " + " | ".join("---" for _ in keep) + " |", lines[1:]


def _tables(lines: list[str]) -> tuple[list[str], int]:
    """Tables set off by blank lines, with a header (an empty header row, as HTML and Word tables
    without header cells give, takes the first row's place), cut to MAX_TABLE_ROWS data rows.
    Returns the lines and how many tables were cut."""
    out: list[str] = []
    cut = 0
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if not (line.lstrip().startswith("|") and index < len(lines) and _TABLE_RULE.match(lines[index])):
            out.append(line)
            continue
        rule = lines[index]
        index += 1
        body: list[str] = []
        while index < len(lines) and lines[index].lstrip().startswith("|"):
            body.append(lines[index])
            index += 1
        if not any(_cells(line)) and body:
            line, body = body[0], body[1:]
        line, rule, body = _without_empty_columns(line, rule, body)
        if len(body) > MAX_TABLE_ROWS:
            cut += 1
            body = body[:MAX_TABLE_ROWS]
        out += ["", line, rule, *body, ""]
    return out, cut


def tidy(markdown: str) -> tuple[str, list[str]]:
    """The converter's Markdown as a deck's source: no comments (slide-number markers), no picture
    references (a deck never fetches them), long tables and documents cut. Returns notes on cuts."""
    notes: list[str] = []
    text = _without_comments(markdown.replace("\r\n", "\n").replace("\r", "\n"))
    lines = [_without_images(line) if not _IMAGE_LINE.match(line) else "" for line in text.split("\n")]
    lines, cut = _tables([line.rstrip() for line in lines])
    if cut:
        notes.append(f"{cut} table(s) were cut to their first {MAX_TABLE_ROWS} rows")
    text = _BLANKS.sub("\n\n", "\n".join(lines)).strip()
    if len(text) > MAX_MARKDOWN_CHARS:
        end = text.rfind("\n\n", 0, MAX_MARKDOWN_CHARS)
        text = text[: end if end > 0 else MAX_MARKDOWN_CHARS]
        notes.append(f"only the first {MAX_MARKDOWN_CHARS} characters of its text are used")
    return text, notes


def has_text(markdown: str) -> bool:
    """Whether a converted document holds words, not only table rules, markers and numbers."""
    return len(re.findall(r"[^\W\d_]{2,}", markdown)) >= 3
