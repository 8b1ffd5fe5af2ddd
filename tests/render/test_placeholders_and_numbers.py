"""Text in real placeholders, slide numbers and a footer on every slide but the title slide, in
both writers."""

from __future__ import annotations

import io
from dataclasses import replace
from typing import Any

import pytest
from pptx import Presentation
from pptx.enum.shapes import PP_PLACEHOLDER
from pptx.oxml.ns import qn

from deckgen.domain import Bullet, Column, Deck, Layout, Slide, Table
from deckgen.render import get_theme, render_pptx
from deckgen.render.template import render_with_template

from .quality import deck_problems


def _deck(**fields: Any) -> Deck:
    return Deck(
        "Quarterly review",
        slides=(
            Slide(Layout.TITLE, "Quarterly review", subtitle="Q3 in numbers"),
            Slide(Layout.BULLETS, "Highlights", bullets=(Bullet("Revenue up"), Bullet("Churn down"))),
            Slide(
                Layout.TWO_COLUMNS,
                "Trade-offs",
                left=Column("Pros", (Bullet("Fast"),)),
                right=Column("Cons", (Bullet("Costly"),)),
            ),
            Slide(
                Layout.TABLE, "Regions", table=Table(("Region", "Sales"), (("North", "12"), ("South", "9")))
            ),
            Slide(Layout.SECTION, "Outlook", subtitle="What comes next"),
            Slide(Layout.CLOSING, "Thank you"),
        ),
        **fields,
    )


def _open(data: bytes) -> Any:
    return Presentation(io.BytesIO(data))


def _of_type(slide: Any, kind: PP_PLACEHOLDER) -> list[Any]:
    return [shape for shape in slide.placeholders if shape.placeholder_format.type == kind]


def _furniture(slide: Any) -> list[Any]:
    return _of_type(slide, PP_PLACEHOLDER.SLIDE_NUMBER) + _of_type(slide, PP_PLACEHOLDER.FOOTER)


def _field_text(shape: Any) -> str:
    fields = shape._element.findall(".//" + qn("a:fld"))
    assert len(fields) == 1 and fields[0].get("type") == "slidenum"
    return "".join(t.text or "" for t in fields[0].iter(qn("a:t")))


def test_every_slide_but_the_title_slide_is_numbered_and_has_the_footer() -> None:
    data = render_pptx(_deck(footer="ACME **confidential**"), get_theme("default"))
    slides = list(_open(data).slides)
    assert not _of_type(slides[0], PP_PLACEHOLDER.SLIDE_NUMBER) and not _of_type(
        slides[0], PP_PLACEHOLDER.FOOTER
    )
    for number, slide in enumerate(slides[1:], start=2):
        [box] = _of_type(slide, PP_PLACEHOLDER.SLIDE_NUMBER)
        assert _field_text(box) == str(number)
        [footer] = _of_type(slide, PP_PLACEHOLDER.FOOTER)
        assert footer.text_frame.text == "ACME confidential"
        assert any(run.font.bold for run in footer.text_frame.paragraphs[0].runs)
    assert deck_problems(data) == []


def test_numbers_can_be_turned_off_and_the_footer_left_out() -> None:
    slides = list(_open(render_pptx(_deck(slide_numbers=False), get_theme("midnight"))).slides)
    assert not any(
        _of_type(s, PP_PLACEHOLDER.SLIDE_NUMBER) or _of_type(s, PP_PLACEHOLDER.FOOTER) for s in slides
    )


def test_a_long_footer_is_shortened_to_one_line() -> None:
    footer = " ".join(["Confidential and proprietary information of ACME Corporation"] * 3)
    data = render_pptx(_deck(footer=footer), get_theme("editorial"))
    [box] = _of_type(_open(data).slides[1], PP_PLACEHOLDER.FOOTER)
    assert box.text_frame.text.endswith("\u2026") and footer.startswith(box.text_frame.text[:-1])
    assert deck_problems(data) == []


def test_text_goes_into_the_layouts_placeholders() -> None:
    slides = list(_open(render_pptx(_deck(), get_theme("default"))).slides)
    title, bullets, columns, _, section, _ = slides
    assert title.slide_layout.name == "Title Slide"
    assert [s.text_frame.text for s in _of_type(title, PP_PLACEHOLDER.SUBTITLE)] == ["Q3 in numbers"]
    assert bullets.slide_layout.name == "Title and Content"
    body = [s for s in bullets.placeholders if s.placeholder_format.idx == 1]
    assert body and body[0].text_frame.text == "Revenue up\nChurn down"
    assert columns.slide_layout.name == "Two Content"
    heads = {s.placeholder_format.idx: s.text_frame.text.split("\n")[0] for s in columns.placeholders}
    assert heads.items() >= {(1, "Pros"), (2, "Cons")}
    assert section.slide_layout.name == "Section Header"
    # No placeholder is left empty (PowerPoint would show "Click to add text").
    for slide in slides:
        assert all(s.text_frame.text.strip() for s in slide.placeholders if s.has_text_frame)


@pytest.mark.parametrize("numbers", [True, False])
def test_the_template_renderer_uses_the_templates_footer_and_number_placeholders(numbers: bool) -> None:
    template = io.BytesIO()
    Presentation().save(template)
    deck = replace(_deck(footer="ACME"), slide_numbers=numbers)
    data, _ = render_with_template(deck, template.getvalue())
    slides = list(_open(data).slides)
    assert not _of_type(slides[0], PP_PLACEHOLDER.SLIDE_NUMBER) and not _of_type(
        slides[0], PP_PLACEHOLDER.FOOTER
    )
    for number, slide in enumerate(slides[1:], start=2):
        assert [s.text_frame.text for s in _of_type(slide, PP_PLACEHOLDER.FOOTER)] == ["ACME"]
        boxes = _of_type(slide, PP_PLACEHOLDER.SLIDE_NUMBER)
        assert [_field_text(box) for box in boxes] == ([str(number)] if numbers else [])


def test_closing_takeaways_are_a_content_list_and_keep_the_body_size() -> None:
    theme = get_theme("default")
    points = (
        "A team never has fewer than two people on a site.",
        "At the end of the day, the team leader checks that every transect has its sheet and signs it.",
        "If someone becomes hostile, the team leader ends the conversation politely.",
        "The team leader arranges a handover of any unfinished reports.",
    )
    deck = Deck(
        "Handbook", (Slide(Layout.CLOSING, "Key takeaways", bullets=tuple(Bullet(p) for p in points)),)
    )
    (closing,) = _open(render_pptx(deck, theme)).slides
    assert closing.slide_layout.name == "Title and Content"
    (body,) = [s for s in closing.placeholders if s.placeholder_format.idx == 1]
    assert body.text_frame.text == "\n".join(points)
    sizes = {run.font.size.pt for p in body.text_frame.paragraphs for run in p.runs}
    assert min(sizes) >= theme.body_size  # four takeaways are read at the body size, not squeezed
    assert closing.shapes.title.top < body.top
