"""Where text really landed: word boxes from the PDF LibreOffice drew, against the PPTX's shapes.

Our own measurements decide the font sizes; this check does not trust them. It reads the words'
positions from the PDF (`pdftotext -bbox`), so a word pushed outside its box — by wrapping we did
not predict, a font substitution or a missing glyph — is caught where the user would see it.
"""

from __future__ import annotations

import io
import subprocess
import tempfile
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pptx import Presentation

__all__ = ["Word", "fonts_not_embedded", "page_words", "words_outside_text_boxes"]

_EMU_PER_PT = 12700
_NS = "{http://www.w3.org/1999/xhtml}"


@dataclass(frozen=True)
class Word:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float


def page_words(pdf: bytes) -> list[list[Word]]:
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "deck.pdf"
        path.write_bytes(pdf)
        out = subprocess.run(
            ["pdftotext", "-bbox", str(path), "-"], capture_output=True, check=True, timeout=60
        ).stdout
    root = ElementTree.fromstring(out)
    pages = []
    for page in root.iter(f"{_NS}page"):
        pages.append(
            [
                Word(
                    word.text or "",
                    float(word.get("xMin", 0)),
                    float(word.get("yMin", 0)),
                    float(word.get("xMax", 0)),
                    float(word.get("yMax", 0)),
                )
                for word in page.iter(f"{_NS}word")
            ]
        )
    return pages


def _holds_text(shape: Any) -> bool:
    if getattr(shape, "has_chart", False) and shape.has_chart:
        return True
    if getattr(shape, "has_table", False) and shape.has_table:
        return True
    return bool(shape.has_text_frame and shape.text_frame.text.strip())


def words_outside_text_boxes(pptx: bytes, pdf: bytes, tolerance_pt: float = 3.0) -> list[str]:
    """Every word drawn outside all the text-bearing shapes of its slide, or off the page."""
    prs: Any = Presentation(io.BytesIO(pptx))
    pages = page_words(pdf)
    problems = []
    if len(pages) != len(prs.slides):
        problems.append(f"the PDF has {len(pages)} pages for {len(prs.slides)} slides")
    width, height = prs.slide_width / _EMU_PER_PT, prs.slide_height / _EMU_PER_PT
    for number, (slide, words) in enumerate(zip(prs.slides, pages, strict=False), start=1):
        boxes = [
            (
                shape.left / _EMU_PER_PT - tolerance_pt,
                shape.top / _EMU_PER_PT - tolerance_pt,
                (shape.left + shape.width) / _EMU_PER_PT + tolerance_pt,
                (shape.top + shape.height) / _EMU_PER_PT + tolerance_pt,
            )
            for shape in slide.shapes
            if _holds_text(shape)
        ]
        for word in words:
            # A word's box spans the font's whole ascent and descent (about 1.3 em), more than the
            # line it sits on: big bottom-anchored text pokes a few points out of its frame with
            # nothing drawn there. A real overflow is a whole line out, far beyond this slack.
            slack = 0.12 * (word.y1 - word.y0)
            inside_page = word.x0 >= -tolerance_pt and word.y0 >= -tolerance_pt
            inside_page = inside_page and word.x1 <= width + tolerance_pt and word.y1 <= height + tolerance_pt
            held = any(
                b[0] <= word.x0 and b[1] - slack <= word.y0 and word.x1 <= b[2] and word.y1 <= b[3] + slack
                for b in boxes
            )
            if not (inside_page and held):
                where = f"({word.x0:.0f},{word.y0:.0f})-({word.x1:.0f},{word.y1:.0f})"
                problems.append(f"slide {number}: {word.text!r} at {where} is outside every text box")
    return problems


def fonts_not_embedded(pdf: bytes) -> list[str]:
    """Fonts the PDF uses without embedding them (it would then look different elsewhere)."""
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "deck.pdf"
        path.write_bytes(pdf)
        out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True, timeout=60)
    missing = []
    for line in out.stdout.splitlines()[2:]:
        columns = line.split()
        # name type [encoding…] emb sub uni object ID: "emb" is the 5th column from the end.
        if len(columns) >= 6 and columns[-5] == "no":
            missing.append(columns[0])
    return missing
