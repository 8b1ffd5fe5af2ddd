"""Inline Markdown as models write it: the parser, and runs in decks from both writers."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pptx import Presentation
from pptx.oxml.ns import qn

from deckgen.domain import Bullet, Deck, Layout, Quote, Slide, Step, Table
from deckgen.render import fit_slide, get_theme, render_pptx
from deckgen.render._markdown import Span, balance, literal, markup, plain, spans, split_words
from deckgen.render.template import render_with_template

from .quality import deck_problems

RAW_MARKERS = re.compile(r"\*\*|__|(?<![\w*])\*(?=\S)|`|\]\(")


def test_emphasis_code_and_links_become_spans() -> None:
    assert spans("Use **one** `--flag` and *see* [the docs](https://example.com/d)") == (
        Span("Use "),
        Span("one", bold=True),
        Span(" "),
        Span("--flag", code=True),
        Span(" and "),
        Span("see", italic=True),
        Span(" "),
        Span("the docs", link="https://example.com/d"),
    )
    assert spans("***all*** of it") == (Span("all", bold=True, italic=True), Span(" of it"))
    assert spans("__bold__ and _it_") == (Span("bold", bold=True), Span(" and "), Span("it", italic=True))


@pytest.mark.parametrize(
    "text",
    ["5 * 3 = 15", "a * b * c", "snake_case_name", "unclosed **bold", "2**10 bytes", "file_a and file_b"],
)
def test_text_that_only_looks_like_markdown_is_kept(text: str) -> None:
    assert plain(text) == text


def test_escapes_show_the_marker() -> None:
    assert plain(r"\*not italic\*") == "*not italic*"


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("snake_case_name and 5 * 3", "snake_case_name and 5 * 3"),
        ("2**10 bytes, *.md files", "2**10 bytes, *.md files"),
        ("__init__.py", r"\_\_init\_\_.py"),
        ("2*3*4", r"2\*3\*4"),
        ("a `b` c", r"a \`b\` c"),
        ("[x](https://a.b)", r"\[x](https://a.b)"),
        (r"C:\dir\*", r"C:\dir\\*"),
    ],
)
def test_literal_escapes_only_what_would_be_read_as_markup(text: str, written: str) -> None:
    assert literal(text) == written
    assert spans(written) == (Span(text),)


def test_markup_writes_code_spans_that_stay_code_whatever_surrounds_them() -> None:
    written = markup([("put it in ", False), ("__init__.py", True), (", not __main__.py", False)])
    assert written == r"put it in `__init__.py`, not \_\_main\_\_.py"
    assert spans(written) == (
        Span("put it in "),
        Span("__init__.py", code=True),
        Span(", not __main__.py"),
    )
    # An asterisk on each side of a span, a backtick or a backslash next to one, a backtick inside.
    assert spans(markup([("a *", False), ("x", True), ("* b", False)])) == (
        Span("a *"),
        Span("x", code=True),
        Span("* b"),
    )
    assert spans(markup([("a \\", False), ("x`y", True), ("`", False)])) == (
        Span("a \\"),
        Span("x`y", code=True),
        Span("`"),
    )


_MARKED_TEXT = st.text(alphabet="ab1 *_`\\[]()#.-", max_size=24)


@settings(max_examples=400, derandomize=True, deadline=None)
@given(_MARKED_TEXT)
def test_any_text_written_literally_is_shown_exactly(text: str) -> None:
    assert spans(literal(text)) == ((Span(text),) if text else ())


@settings(max_examples=400, derandomize=True, deadline=None)
@given(st.lists(st.tuples(_MARKED_TEXT.filter(lambda t: "\n" not in t), st.booleans()), max_size=5))
def test_any_pieces_are_shown_as_plain_text_and_code_spans(pieces: list[tuple[str, bool]]) -> None:
    wanted: list[tuple[str, bool]] = []
    for text, code in pieces:
        if not text:
            continue
        if wanted and wanted[-1][1] == code:
            wanted[-1] = (wanted[-1][0] + text, code)
        else:
            wanted.append((text, code))
    shown = [(span.text.strip(" ") if span.code else span.text, span.code) for span in spans(markup(pieces))]
    assert shown == [(text.strip(" ") if code else text, code) for text, code in wanted]
    assert not any(span.bold or span.italic or span.link for span in spans(markup(pieces)))


def test_splitting_keeps_code_and_links_whole_and_balances_emphasis() -> None:
    assert split_words("run `pip install x` then [the docs](https://a.b/c) ok") == [
        "run",
        "`pip install x`",
        "then",
        "[the docs](https://a.b/c)",
        "ok",
    ]
    head, tail = balance("A **bold claim that", "goes on** here")
    assert (head, tail) == ("A **bold claim that**", "**goes on** here")
    assert plain(head) == "A bold claim that" and spans(tail)[0] == Span("goes on", bold=True)


def test_a_long_bold_paragraph_split_by_the_fitter_stays_bold_on_both_slides() -> None:
    words = " ".join(f"word{n}" for n in range(400))
    slide = Slide(Layout.BULLETS, "Long", body=f"**{words}**")
    parts = fit_slide(slide, get_theme("default")).slides
    assert len(parts) > 1
    for part in parts:
        assert all(span.bold for span in spans(part.body)), part.body[:60]
    assert " ".join(plain(p.body) for p in parts).split() == words.split()


def _markdown_deck() -> Deck:
    return Deck(
        "A **Markdown** deck",
        slides=(
            Slide(Layout.TITLE, "Release **notes**", subtitle="What *changed* in `v2`"),
            Slide(
                Layout.BULLETS,
                "The `--fast` flag",
                body="Read [the guide](https://example.com/guide) first; **never** skip it.",
                bullets=(
                    Bullet("Set `workers = 4` for *most* machines"),
                    Bullet("**Result:** builds take half the time", 1),
                    Bullet("A [bad link](javascript:void) stays text"),
                ),
            ),
            Slide(
                Layout.TABLE,
                "Flags",
                table=Table(
                    ("Flag", "Effect"), (("`--fast`", "**Twice** as fast"), ("`--safe`", "_Slower_"))
                ),
            ),
            Slide(Layout.TIMELINE, "Plan", steps=(Step("**Q1**", "Ship `v2`", "*beta* first"),)),
            Slide(Layout.QUOTE, "Said", quote=Quote("It is **much** faster", "*A user*")),
        ),
    )


def _runs(prs: Any) -> list[Any]:
    found = []
    for slide in prs.slides:
        for shape in slide.shapes:
            frames = [shape.text_frame] if shape.has_text_frame else []
            if getattr(shape, "has_table", False) and shape.has_table:
                frames += [cell.text_frame for row in shape.table.rows for cell in row.cells]
            found += [run for frame in frames for p in frame.paragraphs for run in p.runs]
    return found


def _check_runs(data: bytes) -> None:
    prs = Presentation(io.BytesIO(data))
    runs = _runs(prs)
    texts = [run.text for run in runs]
    assert not [t for t in texts if RAW_MARKERS.search(t)], "raw Markdown markers in the slides"
    assert any(run.text == "never" and run.font.bold for run in runs)
    assert any(run.text == "most" and run.font.italic for run in runs)
    assert any(run.text == "workers = 4" and run.font.name == "Courier New" for run in runs)
    assert any(run.text == "--fast" and run.font.name == "Courier New" for run in runs), (
        "code in a table cell"
    )
    linked = [run for run in runs if run.text == "the guide"]
    assert linked and linked[0].hyperlink.address == "https://example.com/guide"
    unsafe = [run for run in runs if run.text == "bad link"]
    assert unsafe and unsafe[0].hyperlink.address is None
    assert all(
        run._r.find(qn("a:rPr")).find(qn("a:hlinkClick")) is None for run in runs if run.text != "the guide"
    )


def test_the_theme_renderer_draws_markdown_as_runs() -> None:
    data = render_pptx(_markdown_deck(), get_theme("default"))
    _check_runs(data)
    assert deck_problems(data) == []


def test_the_template_renderer_draws_markdown_as_runs() -> None:
    template = io.BytesIO()
    Presentation().save(template)
    data, _ = render_with_template(_markdown_deck(), template.getvalue())
    _check_runs(data)
