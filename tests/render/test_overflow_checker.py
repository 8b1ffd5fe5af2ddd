"""The independent overflow checker catches what it must, in every script it is given."""

from __future__ import annotations

import io
from typing import Any

from pptx import Presentation
from pptx.oxml.ns import qn
from pptx.oxml.xmlchemy import OxmlElement
from pptx.util import Inches, Pt

from tests.render.overflow import find_overflows


def _box(text: str, size: float, font: str, width: float, height: float, east_asian: str = "") -> bytes:
    prs: Any = Presentation()
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    box = slide.shapes.add_textbox(Inches(1), Inches(1), Inches(width), Inches(height))
    box.text_frame.word_wrap = True
    run = box.text_frame.paragraphs[0].add_run()
    run.text = text
    run.font.size = Pt(size)
    run.font.name = font
    if east_asian:
        ea = OxmlElement("a:ea")
        ea.set("typeface", east_asian)
        run._r.get_or_add_rPr().append(ea)
    buffer = io.BytesIO()
    prs.save(buffer)
    return buffer.getvalue()


def test_japanese_lines_are_as_tall_as_the_font_that_draws_them() -> None:
    # Three lines of 20 pt: 72 pt with Latin line spacing, 87 pt in Noto Sans CJK (1.45 em a line).
    text = "太陽光発電" * 6
    fitting = _box(text, 20.0, "Calibri", 3.4, 1.4, "Noto Sans CJK JP")
    tight = _box(text, 20.0, "Calibri", 3.4, 1.15, "Noto Sans CJK JP")
    assert find_overflows(fitting) == []
    problems = [o.problem for o in find_overflows(tight)]
    assert len(problems) == 1 and problems[0].startswith("text needs 8")


def test_japanese_without_spaces_still_wraps_per_character() -> None:
    text = "製造規模の拡大により、モジュール価格は十年で九割近く下がりました。" * 4
    assert find_overflows(_box(text, 20.0, "Calibri", 2.0, 0.6, "Noto Sans CJK JP"))


def test_unknown_fonts_are_measured_not_refused() -> None:
    assert find_overflows(_box("A brand font", 20.0, "Some Brand Sans", 4.0, 1.0)) == []
    assert find_overflows(_box("A brand font " * 40, 20.0, "Some Brand Sans", 4.0, 1.0))


def test_a_run_without_a_size_is_a_problem() -> None:
    prs: Any = Presentation()
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    box = slide.shapes.add_textbox(Inches(1), Inches(1), Inches(3), Inches(1))
    box.text_frame.word_wrap = True
    box.text_frame.paragraphs[0].add_run().text = "no size"
    buffer = io.BytesIO()
    prs.save(buffer)
    problems = find_overflows(buffer.getvalue())
    assert any("without an explicit font size" in o.problem for o in problems)
    assert qn("a:rPr")  # the namespace helper the checker relies on is importable
