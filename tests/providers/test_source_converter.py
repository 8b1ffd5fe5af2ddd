"""The source converter's children: a conversion that crashes or swells ends its child, never the
caller's process, and the next conversion gets a fresh child. Markdown tidying of converted text."""

from __future__ import annotations

import asyncio
import itertools
import os
import random
import re
import signal
from collections.abc import Callable, Iterator, Sequence

import pytest

from deckgen.domain import InvalidRequest, SourceDocument
from deckgen.providers.export import Sandbox
from deckgen.providers.sources import SourceConverter, _formats
from deckgen.providers.sources._formats import MAX_TABLE_ROWS, tidy
from tests.support import documents

PDF = "application/pdf"


async def test_a_child_killed_mid_conversion_is_a_status_and_the_next_one_works() -> None:
    converter = SourceConverter(processes=1, timeout=120, sandbox=Sandbox.detect("auto"))
    try:
        slow = SourceDocument("long.pdf", PDF, await asyncio.to_thread(documents.long_pdf, 150))
        task = asyncio.create_task(converter.to_markdown([slow]))
        for _ in range(600):
            await asyncio.sleep(0.05)
            if converter._busy:
                break
        await asyncio.sleep(0.3)  # the request is on its way or being converted
        (child,) = converter._busy
        os.killpg(child.process.pid, signal.SIGKILL)
        with pytest.raises(InvalidRequest) as caught:
            await task
        assert caught.value.reason == "SOURCE_UNREADABLE"
        assert caught.value.violations[0].field == "sources[0]"
        assert "long.pdf made the converter fail (signal 9)" in caught.value.violations[0].description

        converted = await converter.to_markdown([SourceDocument("survey.pdf", PDF, documents.pdf())])
        assert converted.sources[0].content.decode().startswith(f"# {documents.TITLE}")
    finally:
        await converter.aclose()


async def test_a_conversion_over_its_memory_budget_is_refused() -> None:
    converter = SourceConverter(processes=1, timeout=120, memory_bytes=8 * 1024 * 1024)
    rows = "\n".join(f"row {i},{'x' * 200},{i}" for i in range(40_000))
    try:
        with pytest.raises(InvalidRequest) as caught:
            await converter.to_markdown([SourceDocument("big.csv", "text/csv", f"a,b,c\n{rows}".encode())])
        assert caught.value.reason in ("SOURCE_TOO_LARGE", "SOURCE_UNREADABLE"), caught.value
    finally:
        await converter.aclose()


def test_tidy_keeps_tables_as_tables_with_a_header_and_drops_pictures_and_markers() -> None:
    body = "\n".join(f"| r{i} | {i} |" for i in range(MAX_TABLE_ROWS + 20))
    markdown = (
        "<!-- Slide number: 1 -->\n# Title\n![chart](chart1.png)\nText ![x](http://example.com/x.png) here.\n"
        f"|  |  |\n| --- | --- |\n| Name | Value |\n{body}\nAfter."
    )
    text, notes = tidy(markdown)
    lines = text.split("\n")
    assert lines[:3] == ["# Title", "", "Text  here."]
    assert "| Name | Value |" in lines and lines[lines.index("| Name | Value |") + 1] == "| --- | --- |"
    assert sum(1 for line in lines if line.startswith("| r")) == MAX_TABLE_ROWS
    assert lines[-2:] == ["", "After."]
    assert notes == [f"1 table(s) were cut to their first {MAX_TABLE_ROWS} rows"]
    assert "Slide number" not in text and "png" not in text


# The patterns tidying used before, kept as the definition of what the linear-time ones must find:
# adjacent runs of spaces split between two `\s*`, and openers that never closed rescanned the rest
# of the text, so a converted document with a long indented line or `<!--<!--…` took seconds, growing
# with its square. Checked on every short string of the characters that matter and on random ones.
_OLD_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")
_OLD_LABEL_NUMBER = re.compile(r"^\s*\S.*\s[-+]?[\d.,]+\s*%?\s*$")
_OLD_RUNS_ON = re.compile(r"(?<=[^\s.!?:;|)\u3002])\n[ \t]*(?:\f[ \t]*)?\n?[ \t]*(?=[^\W\d_A-Z])")
_OLD_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_OLD_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")


def _span(pattern: re.Pattern[str], text: str) -> tuple[int, int] | None:
    found = pattern.match(text)
    return None if found is None else found.span()


def _marked(match: re.Match[str]) -> str:
    return "<" + match.group(0) + ">"


# name: (the new way, the old one, the pieces strings are made of, the longest string in pieces)
TIDY_CASES: dict[str, tuple[Callable[[str], object], Callable[[str], object], Sequence[str], int]] = {
    "table rule": (
        lambda text: _span(_formats._TABLE_RULE, text),
        lambda text: _span(_OLD_TABLE_RULE, text),
        (" ", "|", ":", "---", "-", "\n", "x"),
        6,
    ),
    "label and number": (
        lambda text: _span(_formats._LABEL_NUMBER, text),
        lambda text: _span(_OLD_LABEL_NUMBER, text),
        (" ", "\t", "a", "1", ".", "-", "%", "\n"),
        6,
    ),
    "page run on": (
        lambda text: _formats._RUNS_ON.sub(_marked, text),
        lambda text: _OLD_RUNS_ON.sub(_marked, text),
        (" ", "\t", "\f", "\n", "a", ".", "B"),
        6,
    ),
    "comments": (
        _formats._without_comments,
        lambda text: _OLD_COMMENT.sub("", text),
        ("<!--", "-->", "<", "!", "-", ">", "a", "\n"),
        6,
    ),
    "pictures": (
        _formats._without_images,
        lambda text: _OLD_IMAGE.sub("", text),
        ("![", "!", "[", "]", "(", ")", "a"),
        6,
    ),
}


def _strings(pieces: Sequence[str], longest: int) -> Iterator[str]:
    for length in range(longest + 1):
        for combination in itertools.product(pieces, repeat=length):
            yield "".join(combination)


@pytest.mark.parametrize("name", list(TIDY_CASES))
def test_tidying_finds_what_the_old_patterns_found(name: str) -> None:
    new, old, pieces, longest = TIDY_CASES[name]
    for text in _strings(pieces, longest):
        assert new(text) == old(text), repr(text)
    chance = random.Random(name)
    for _ in range(3000):
        text = "".join(chance.choice(pieces) for _ in range(chance.randint(10, 60)))
        assert new(text) == old(text), repr(text)


# Each took the old patterns seconds at 10,000 characters, growing with the square: minutes at these.
HOSTILE_MARKDOWN = {
    "indented line after a row": "| a |\n" + " " * 100_000 + "x",
    "spaces inside a rule": "| a |\n| --- " + " " * 100_000 + "x",
    "comment openers": "<!--" * 100_000,
    "picture openers": "a ![" * 100_000,
    "picture links": "a ![b](" * 100_000,
}


@pytest.mark.parametrize("name", list(HOSTILE_MARKDOWN))
def test_hostile_markdown_is_tidied_in_linear_time(name: str) -> None:
    text, _ = tidy(HOSTILE_MARKDOWN[name])
    assert text


def test_hostile_pdf_text_is_read_in_linear_time() -> None:
    spaces = " " * 100_000
    assert _formats._join_pages(f"a\n{spaces}1") == f"a\n{spaces}1"
    lines = f"a 1{spaces}x\n" * 3
    assert _formats._ruled_tables(b"", lines) == lines  # no line ends in a number: no table looked for
    assert _formats._pdf_text(f"{spaces}| a\n{spaces}|{spaces}x", {}).endswith("x")
