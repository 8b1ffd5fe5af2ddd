"""The quality corpus in every theme and under brands: nothing overflows, overlaps or leaves the
slide; every picture and chart is described; titles are unique and read first; every run of text
is readable on what is behind it; scripts, brand and continuations are honoured."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from pptx import Presentation
from pptx.oxml.ns import qn

from deckgen.domain import Layout
from deckgen.render import list_themes
from deckgen.render._geometry import EMU_PER_INCH, LOGO
from tests.render.corpus import cases, corpus, rendered
from tests.render.quality import deck_problems, is_decorative
from tests.support.decks import text_runs

CASES = [case.name for case in cases()]


def _open(name: str) -> Any:
    return Presentation(io.BytesIO(rendered(name)))


def _text(slide: Any) -> str:
    return "\n".join(shape.text_frame.text for shape in slide.shapes if shape.has_text_frame)


def _titles(prs: Any) -> list[str]:
    return [slide.shapes.title.text_frame.text for slide in prs.slides]


@pytest.mark.parametrize("name", CASES)
def test_the_corpus_is_clean(name: str) -> None:
    assert deck_problems(rendered(name)) == []


def test_the_corpus_covers_every_layout_in_every_theme() -> None:
    themes = {theme.id for theme in list_themes()}
    decks = dict(corpus())
    layouts = {slide.layout for deck in decks.values() for slide in deck.slides}
    assert layouts == set(Layout)
    assert len(Layout) >= 12
    for theme in themes:
        assert {name for name in decks} <= {n.split("/", 1)[1] for n in CASES if n.startswith(f"{theme}/")}
    assert any("+" in name for name in CASES), "brand overrides are part of the corpus"


@pytest.mark.parametrize("name", ["default/every-layout+brand", "midnight/japanese+pale-brand"])
def test_the_logo_is_in_the_same_corner_of_every_slide(name: str) -> None:
    prs = _open(name)
    boxes = set()
    for slide in prs.slides:
        logos = [shape for shape in slide.shapes if shape.name == "Logo"]
        assert len(logos) == 1
        logo = logos[0]
        assert logo._element.xpath("./*[1]/p:cNvPr")[0].get("descr") == "Logo"
        right, bottom = logo.left + logo.width, logo.top + logo.height
        # Inside the reserved box, against its right edge, and nothing else reaches into the box.
        assert LOGO.x * EMU_PER_INCH - 1 <= logo.left and right <= (LOGO.x + LOGO.w) * EMU_PER_INCH + 1
        assert LOGO.y * EMU_PER_INCH - 1 <= logo.top and bottom <= (LOGO.y + LOGO.h) * EMU_PER_INCH + 1
        boxes.add((right, logo.top + logo.height // 2))
        for shape in slide.shapes:
            if shape.name in ("Footer", "Slide Number"):
                # In the bottom margin too, beside the logo, never over it.
                assert shape.left + shape.width <= logo.left, shape.name
            elif shape.name != "Logo" and not is_decorative(shape):
                assert shape.top + shape.height <= LOGO.y * EMU_PER_INCH, shape.name
    assert len(boxes) <= 2  # one corner; a wide and a tall logo are centred alike


def test_a_logo_keeps_its_aspect_ratio() -> None:
    for name, size in (
        ("default/every-layout+brand", (300, 100)),
        ("midnight/japanese+pale-brand", (60, 200)),
    ):
        logo = next(s for s in _open(name).slides[0].shapes if s.name == "Logo")
        assert logo.width / logo.height == pytest.approx(size[0] / size[1], rel=0.01)


def test_long_items_continue_and_nothing_is_lost() -> None:
    prs = _open("default/long")
    _, deck = corpus()[1]
    text = "\n".join(_text(slide) for slide in prs.slides)
    assert all(step.title in text for step in deck.slides[1].steps)
    assert all(statistic.value in text for statistic in deck.slides[2].statistics)
    agenda = [s for s in prs.slides if s.shapes.title.text_frame.text.startswith("A long agenda")]
    assert len(agenda) >= 2, "sixteen two-line agenda items cannot fit on one slide"
    numbers = [int(n) for slide in agenda for n in re.findall(r"^(\d+)\. Topic", _text(slide), re.M)]
    assert numbers == list(range(1, 17)), "the agenda goes on counting on its continuation"


def test_continuations_are_numbered_and_every_title_is_unique() -> None:
    titles = _titles(_open("editorial/long-layouts"))
    assert "Twelve steps" in titles and "Twelve steps (2/2)" in titles
    assert "A long table" in titles and any(t.startswith("A long table (2/") for t in titles)
    assert len(titles) == len(set(titles))
    edge = _titles(_open("default/edge"))
    assert edge[:5] == ["Results", "Results (3)", "results (4)", "Results (2)", "Edge cases"]


def test_timelines_spread_evenly_and_shrink_before_they_split() -> None:
    prs = _open("default/long-layouts")
    steps = {
        title: len([s for s in slide.shapes if s.name.startswith("Step")])
        for slide in prs.slides
        if (title := slide.shapes.title.text_frame.text).startswith(("Twelve steps", "Steps with"))
    }
    assert steps == {
        "Twelve steps": 6,
        "Twelve steps (2/2)": 6,
        "Steps with long details": 2,
        "Steps with long details (2/2)": 2,
    }
    eight = next(
        s for s in _open("default/every-layout").slides if s.shapes.title.text_frame.text.startswith("Eight")
    )
    assert len([s for s in eight.shapes if s.name.startswith("Step")]) == 8


def test_japanese_names_an_east_asian_font_and_breaks_lines_by_kinsoku() -> None:
    prs = _open("default/japanese")
    runs = [run for run in text_runs(prs) if re.search(r"[\u3040-\u9fff]", run.text)]
    assert runs
    for run in runs:
        r_pr = run._r.find(qn("a:rPr"))
        assert r_pr.get("lang") == "ja"
        assert r_pr.find(qn("a:ea")).get("typeface") == "Noto Sans CJK JP"
        p_pr = run._r.getparent().find(qn("a:pPr"))
        assert (p_pr.get("eaLnBrk"), p_pr.get("hangingPunct")) == ("1", "0")
    quote = next(s for s in prs.slides if s.shapes.title.text_frame.text == "現場から")
    assert "\u300c太陽光は史上最も安い電力になった。\u300d" in _text(quote)


def test_arabic_reads_right_to_left() -> None:
    prs = _open("default/arabic")
    runs = [run for run in text_runs(prs) if re.search(r"[\u0600-\u06ff]", run.text)]
    assert runs
    for run in runs:
        r_pr = run._r.find(qn("a:rPr"))
        assert r_pr.get("lang") == "ar"
        assert r_pr.find(qn("a:cs")).get("typeface") == "Noto Sans Arabic"
        p_pr = run._r.getparent().find(qn("a:pPr"))
        assert p_pr.get("rtl") == "1"
        # Text starts at the right; an attribution, set at the end of the line, sits at the left.
        assert p_pr.get("algn") in (("l",) if run.text.startswith("\u2014") else ("r", "ctr"))
    slides = list(prs.slides)
    # Mirrored: the title rule starts at the right, the first column and step are on the right.
    rule = next(s for s in slides[1].shapes if is_decorative(s))
    assert rule.left > prs.slide_width / 2
    columns = {s.name: s.left for s in slides[3].shapes if s.name in ("Left", "Right")}
    assert columns["Left"] > columns["Right"]
    steps = [s.left for s in slides[6].shapes if s.name.startswith("Step")]
    assert steps == sorted(steps, reverse=True)
    table = next(s for s in slides[4].shapes if s.has_table)
    assert table.table._tbl.tblPr.get("rtl") == "1"
