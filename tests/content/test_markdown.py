import time

import pytest

from deckgen.content.embedded._markdown import (
    CodeBlock,
    Heading,
    ListBlock,
    ListEntry,
    Paragraph,
    QuoteBlock,
    TableBlock,
    decode,
    parse,
    parse_markdown,
    parse_plain,
    strip_inline,
)
from deckgen.render._markdown import Span, spans


def test_atx_and_setext_headings_with_levels_and_lines() -> None:
    blocks = parse_markdown("# One\n\nTitle two\n=========\n\nSub\n---\n\n### Three ###\n")
    assert blocks == [
        Heading(1, "One", 1, 1),
        Heading(1, "Title two", 3, 4),
        Heading(2, "Sub", 6, 7),
        Heading(3, "Three", 9, 9),
    ]


def test_atx_heading_closing_hashes_and_a_hostile_run_of_spaces_parsed_at_once() -> None:
    # A closing sequence needs a space before it; a heading whose text is only hashes keeps them.
    blocks = parse_markdown("## C# ##\n\n# ###  \n\n#hashtag\n\n####### seven\n\n#   \n\n### a#b #\n")
    assert blocks == [
        Heading(2, "C#", 1, 1),
        Heading(1, "###", 3, 3),
        Paragraph("#hashtag", 5, 5),
        Paragraph("####### seven", 7, 7),
        Heading(3, "a#b", 11, 11),
    ]
    # 200,000 spaces inside a heading: the old pattern scanned the run again from each space,
    # for hours; read once, it is a heading like any other.
    assert parse_markdown("## a" + " " * 200_000 + "b\n") == [Heading(2, "a b", 1, 1)]


def test_paragraph_soft_wraps_are_joined() -> None:
    blocks = parse_markdown("First line\nsecond line.\n\nNext paragraph.")
    assert blocks == [Paragraph("First line second line.", 1, 2), Paragraph("Next paragraph.", 4, 4)]


def test_inline_markup_is_stripped_but_code_spans_stay_code() -> None:
    text = "**Bold** and *em* and `code *x*` with [a link](http://x.y) ![logo](l.png) and _under_."
    assert strip_inline(text) == "Bold and em and `code *x*` with a link and under."


@pytest.mark.parametrize(
    ("line", "shown"),
    [
        ("plain  text\twith   spaces ", "plain text with spaces"),
        ("a private-use \ue001character goes", "a private-use character goes"),
        ("a stray \ufffc object mark goes", "a stray object mark goes"),
        ("one marker makes the rules apply: 2*3*4", "one marker makes the rules apply: 2\\*3\\*4"),
        ("an escaped \\# stays", "an escaped # stays"),
    ],
)
def test_a_line_without_markup_is_only_spaced_and_one_with_any_gets_every_rule(line: str, shown: str) -> None:
    assert strip_inline(line) == shown


def test_a_link_around_nothing_but_images_goes_with_them() -> None:
    # rustfmt's README: "# rustfmt [![linux](…)](…) [![mac](…)](…)" was titled "rustfmt [] []".
    badges = "rustfmt [![linux](https://ci/linux.svg?event=push)](https://ci/linux) [![crates](c.svg)](https://crates)"
    assert strip_inline(badges) == "rustfmt"
    assert strip_inline("Read [the guide ![icon](i.png)](https://g) first.") == "Read the guide first."
    assert strip_inline("A stray \ufffc mark and [](x) stay apart.") == "A stray mark and [](x) stay apart."


def test_strong_emphasis_closed_inside_a_word_is_emphasis_but_markers_between_letters_are_text() -> None:
    # pyenv's python-build README: "Build the docker image with the **t**ag pyenv-test-container".
    assert strip_inline("Build it with the **t**ag pyenv-test") == "Build it with the tag pyenv-test"
    shown = spans(strip_inline("2*3*4 is x**2 times y"))
    assert "".join(span.text for span in shown) == "2*3*4 is x**2 times y"


def test_code_spans_reach_the_renderer_as_code_whatever_they_hold() -> None:
    text = strip_inline("Put it in `__init__.py`, pass ``**kwargs`` and match `*.md` or `a_b_c`.")
    assert spans(text) == (
        Span("Put it in "),
        Span("__init__.py", code=True),
        Span(", pass "),
        Span("**kwargs", code=True),
        Span(" and match "),
        Span("*.md", code=True),
        Span(" or "),
        Span("a_b_c", code=True),
        Span("."),
    )


def test_the_documents_own_private_use_characters_are_dropped_not_read_as_parked_text() -> None:
    # U+E000 is where the first code span is parked: it used to come back as that span.
    text = strip_inline("`code` and \ue000 a Wingdings \uf0b7 bullet")
    assert spans(text) == (Span("code", code=True), Span(" and a Wingdings bullet"))


def test_more_code_spans_and_escapes_than_the_private_use_area_holds() -> None:
    # 6,400 parked pieces fill the area; what is past them stays text instead of raising.
    shown = spans(strip_inline("`a` " * 8000))
    assert "".join(span.text for span in shown) == "a " * 7999 + "a"
    assert sum(len(span.text) for span in shown if span.code) == 6400
    shown = spans(strip_inline("`a` \\* " * 4000))
    assert "".join(span.text for span in shown) == "a * " * 3999 + "a *"


def test_markers_inside_words_and_numbers_are_shown_as_written() -> None:
    text = strip_inline("Call snake_case_name on a 2*3*4 grid of 2**10 cells, *really*.")
    assert spans(text) == (Span("Call snake_case_name on a 2*3*4 grid of 2**10 cells, really."),)


def test_plain_text_is_shown_as_written() -> None:
    heading, paragraph, items = parse_plain("Notes\n\nEdit __init__.py, not `x`.\n\n- **2*3*4** cells\n")
    assert isinstance(heading, Heading) and isinstance(paragraph, Paragraph) and isinstance(items, ListBlock)
    assert spans(paragraph.text) == (Span("Edit __init__.py, not `x`."),)
    assert spans(items.items[0].text) == (Span("**2*3*4** cells"),)


def test_escaped_markup_stays_literal() -> None:
    assert strip_inline(r"2 \* 3 \* 4 and \[not a link\]") == "2 * 3 * 4 and [not a link]"


def test_nested_bullet_and_numbered_lists() -> None:
    text = "- a\n  - b\n    - c\n      - d\n- e\n\n1. one\n2. two\n   continued\n"
    blocks = parse_markdown(text)
    first, second = blocks
    assert isinstance(first, ListBlock) and isinstance(second, ListBlock)
    assert [(i.text, i.level) for i in first.items] == [("a", 0), ("b", 1), ("c", 2), ("d", 2), ("e", 0)]
    assert second.ordered
    assert [i.text for i in second.items] == ["one", "two continued"]


def test_task_list_boxes_are_dropped_also_as_markdownlint_escapes_them() -> None:
    (tasks,) = parse_markdown("* [ ] Add the team.\n* [x] Add the channel.\n* \\[ ] Add the README.\n")
    assert isinstance(tasks, ListBlock)
    assert [item.text for item in tasks.items] == ["Add the team.", "Add the channel.", "Add the README."]


def test_a_table_of_contents_and_link_definitions_are_not_content() -> None:
    # Node.js's GOVERNANCE.md opens on links to its own headings and ends on link definitions,
    # which showed as "Overview" bullets and as "[TSC Charter]: https://…" on a slide.
    text = (
        # pyenv's README sets its top entries in bold ("* **[Installation](#installation)**").
        "# Governance\n\n* [Triagers](#triagers)\n* **[Collaborators](#collaborators)**\n"
        "  * [Activities](#collaborator-activities)\n\n"
        "The TSC follows a [Consensus Seeking][] model per the [TSC Charter][].\n\n"
        "[Consensus Seeking]: https://en.wikipedia.org/wiki/Consensus\n"
        '[TSC Charter]: https://github.com/nodejs/TSC "The charter"\n\n'
        "* [The charter](https://github.com/nodejs/TSC) governs the TSC.\n* [Triagers](#triagers) triage.\n"
    )
    heading, paragraph, links = parse_markdown(text)
    assert heading == Heading(1, "Governance", 1, 1)
    assert paragraph == Paragraph("The TSC follows a Consensus Seeking model per the TSC Charter.", 7, 7)
    assert isinstance(links, ListBlock)
    assert [item.text for item in links.items] == ["The charter governs the TSC.", "Triagers triage."]


def test_footnotes_are_not_content_and_their_marks_go() -> None:
    # Node.js's BUILDING.md: "[^7]: Binaries produced on these systems…" was a section's one line.
    text = (
        "Linux builds run on RHEL 8[^7] and use `a[^7]` as written.\n\n"
        "[^7]: Binaries produced on these systems are compatible with glibc >= 2.28\n"
        "    and libstdc++ >= 6.0.28.\n\nAfter the note.\n"
    )
    first, after = parse_markdown(text)
    assert first == Paragraph("Linux builds run on RHEL 8 and use `a[^7]` as written.", 1, 1)
    assert after == Paragraph("After the note.", 6, 6)


def test_gfm_table_with_alignment_row() -> None:
    text = "| A | B |\n|:--|--:|\n| 1 | **2** |\n| 3 |\n\nafter"
    table, paragraph = parse_markdown(text)
    assert table == TableBlock(("A", "B"), (("1", "2"), ("3", "")), 1, 4)
    assert paragraph == Paragraph("after", 6, 6)


def test_blockquote_with_attribution_inside_or_after() -> None:
    inside = parse_markdown("> Keep it simple.\n> It works.\n> -- Ada Lovelace\n")
    after = parse_markdown("> Keep it simple.\n— Grace Hopper\n")
    assert inside == [QuoteBlock("Keep it simple. It works.", "Ada Lovelace", 1, 3)]
    assert after[0] == QuoteBlock("Keep it simple.", "Grace Hopper", 1, 2)


def test_fenced_code_is_kept_verbatim() -> None:
    blocks = parse_markdown("```python\ndef f():\n    return *x*\n```\ntext")
    assert blocks[0] == CodeBlock("def f():\n    return *x*", "python", 1, 4)
    assert blocks[1] == Paragraph("text", 5, 5)


def test_html_comments_scripts_and_styles_a_reader_never_sees_stay_off_the_slides() -> None:
    # Node.js's API docs keep each section's history in a comment: it once leaked into a bullet
    # ("Timers Promises API: <!-- YAML added: v15.0.0 changes:").
    text = (
        "Intro\n<!-- YAML\nadded: v15.0.0\n-->\nshown\n\n"
        "- a\n  <!-- between\n  items -->\n- b\n\n"
        "<SCRIPT>\nalert(1)\n</script> after\n\n<style>p {}</style>\n\n"
        "<!-->\nempty comment\n\n    <!-- indented: code -->\n\n<!-- never closed\n# Hidden\ntext"
    )
    assert parse_markdown(text) == [
        Paragraph("Intro", 1, 1),
        Paragraph("shown", 5, 5),
        ListBlock((ListEntry("a", 0, 7), ListEntry("b", 0, 10)), False, 7, 10),
        Paragraph("after", 14, 14),
        Paragraph("empty comment", 19, 19),
        CodeBlock("<!-- indented: code -->", "", 21, 21),
    ]


def test_a_line_of_many_comments_is_read_at_once() -> None:
    text = "<!-- a -->" + "<!---->" * 50_000 + " end\n\n" + "<!--\n" * 50_000
    started = time.perf_counter()
    blocks = parse_markdown(text)
    assert time.perf_counter() - started < 2.0
    assert blocks == [Paragraph("end", 1, 1)]


def test_crlf_bom_tabs_and_invalid_utf8() -> None:
    raw = b"\xef\xbb\xbf# Title\r\n\r\n-\tItem \xff one\r\n"
    document = parse("x.md", "text/markdown", raw)
    heading, items = document.blocks
    assert heading == Heading(1, "Title", 1, 1)
    assert isinstance(items, ListBlock)
    assert items.items[0].text == "Item \ufffd one"
    assert decode(b"a\rb") == "a\nb"


def test_empty_and_whitespace_documents_have_no_blocks() -> None:
    assert parse("e.md", "text/markdown", b"").blocks == ()
    assert parse("e.txt", "text/plain", b"  \n\n\t\n").blocks == ()


def test_md_name_counts_as_markdown() -> None:
    document = parse("notes.md", "text/plain", b"# Heading\n\ntext")
    assert isinstance(document.blocks[0], Heading)


def test_plain_text_headings_paragraphs_and_lists() -> None:
    text = (
        "Report Title\n\nIntro sentence here. Another one.\n\nFindings\n- first point\n* second\n"
        "\u2022 third\n1. fourth\n\nLast words.\n"
    )
    blocks = parse_plain(text)
    assert blocks[0] == Heading(1, "Report Title", 1, 1)
    assert blocks[1] == Paragraph("Intro sentence here. Another one.", 3, 3)
    assert blocks[2] == Heading(2, "Findings", 5, 5)
    assert isinstance(blocks[3], ListBlock)
    assert [item.text for item in blocks[3].items] == ["first point", "second", "third", "fourth"]
    assert blocks[4] == Paragraph("Last words.", 11, 11)


def test_plain_text_hard_wrapped_paragraph_is_not_a_heading() -> None:
    text = "This paragraph is wrapped at a fixed width so its first\nline has no final punctuation.\n"
    assert parse_plain(text) == [
        Paragraph(
            "This paragraph is wrapped at a fixed width so its first line has no final punctuation.", 1, 2
        )
    ]


def test_a_paragraph_lettered_as_one_of_a_list_loses_its_letter() -> None:
    # Node.js's releases.md: "**c.** **Release builds:** …" showed "c. Release builds: …".
    (paragraph,) = parse_markdown("**c.** **Release builds:** the release job builds every asset.\n")
    assert paragraph == Paragraph("Release builds: the release job builds every asset.", 1, 1)
    (kept,) = parse_markdown("e.g. Redis keeps the state.\n")
    assert isinstance(kept, Paragraph) and kept.text.startswith("e.g.")
