"""Code on a slide: its lines as drawn, and the panel both writers draw them on."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, cast

from pptx.dml.color import RGBColor
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR
from pptx.oxml.ns import qn
from pptx.util import Emu

from deckgen.domain import CodeBlock
from deckgen.render import _geometry as geo
from deckgen.render._layout import MONOSPACE
from deckgen.render._shared import fixed_frame

__all__ = ["add_code_panel", "code_lines"]

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def code_lines(code: CodeBlock) -> tuple[str, ...]:
    """The lines of a code block as drawn: tabs as four spaces, no trailing blanks, no blank lines
    around it; leading spaces kept."""
    rows = [line.expandtabs(4).rstrip() for line in code.text.splitlines()]
    while rows and not rows[0]:
        rows.pop(0)
    while rows and not rows[-1]:
        rows.pop()
    return tuple(rows)


def _sub(parent: Any, tag: str, **attributes: str) -> Any:
    element = parent.makeelement(qn(tag), attributes)
    parent.append(element)
    return element


def _rgb(hex_colour: str) -> RGBColor:
    rgb: Any = RGBColor  # unannotated constructor in python-pptx
    return cast("RGBColor", rgb(*(int(hex_colour[i : i + 2], 16) for i in (0, 2, 4))))


def add_code_panel(
    shapes: Any, box: geo.Box, lines: Sequence[str], size: float, color: str, fill: str
) -> Any:
    """The code panel: a rounded rectangle in the panel colour, one paragraph per line of code, its
    leading spaces kept, left to right whatever the deck's language."""
    shape = shapes.add_shape(MSO_SHAPE.ROUNDED_RECTANGLE, *(Emu(v) for v in box.emu()))
    shape.name = "Code"
    shape.adjustments[0] = min(0.5, 0.12 / min(box.w, box.h))
    shape.fill.solid()
    shape.fill.fore_color.rgb = _rgb(fill)
    shape.line.fill.background()
    shape.shadow.inherit = False
    text_frame = shape.text_frame
    fixed_frame(text_frame, geo.CODE_PAD_X, geo.CODE_PAD_Y)
    text_frame.vertical_anchor = MSO_ANCHOR.TOP
    points = str(round(size * 100))
    for index, row in enumerate(lines):
        p = (text_frame.paragraphs[0] if index == 0 else text_frame.add_paragraph())._p
        p_pr = p.get_or_add_pPr()
        p_pr.set("algn", "l")
        p_pr.set("marL", "0")
        p_pr.set("indent", "0")
        _sub(_sub(p_pr, "a:lnSpc"), "a:spcPct", val="100000")
        _sub(_sub(p_pr, "a:spcBef"), "a:spcPts", val="0")
        _sub(p_pr, "a:buNone")
        if row:
            run = _sub(p, "a:r")
            # Code is no prose: spelling and grammar checks would underline every identifier.
            r_pr = _sub(run, "a:rPr", lang="en-US", sz=points, b="0", i="0", noProof="1")
            _sub(_sub(r_pr, "a:solidFill"), "a:srgbClr", val=color)
            _sub(r_pr, "a:latin", typeface=MONOSPACE)
            _sub(r_pr, "a:cs", typeface=MONOSPACE)
            _sub(run, "a:t").text = _CONTROL.sub("\ufffd", row)
        # An empty line keeps the height of a line of code.
        end = _sub(p, "a:endParaRPr", lang="en-US", sz=points)
        _sub(end, "a:latin", typeface=MONOSPACE)
    return shape
