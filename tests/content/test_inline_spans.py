"""The linear-time inline span replacers give exactly what the patterns they replace gave.

The reference patterns are the ones `strip_inline` used before: each was quadratic or worse on a
hostile paragraph (a run of backticks, `_a _a _a…`, `[[[…`, `<!--<!--…`), so they live on here only as
the definition of the expected output, checked on every short string of the characters that matter
and on random longer ones.
"""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import Callable, Iterator, Sequence

import pytest

from deckgen.content.embedded import _inline
from deckgen.content.embedded._markdown import parse_markdown, strip_inline

_CODE_SPAN = re.compile(r"(`+)(.+?)\1")
_IMAGE = re.compile(r"!\[([^\]]*)\](?:\([^)]*\)|\[[^\]]*\])")
_LINK = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\[[^\]]*\])")
_AUTOLINK = re.compile(r"<((?:https?|mailto|ftp):[^>\s]+)>")
_HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>|<!--.*?-->")
_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_EM_STAR = re.compile(r"\*(?=\S)(.+?)(?<=\S)\*")
_EM_UNDERSCORE = re.compile(r"(?<![\w])_(?=\S)(.+?)(?<=\S)_(?![\w])")
_STRIKE = re.compile(r"~~(?=\S)(.+?)(?<=\S)~~")

Sub = Callable[[str, Callable[[str], str]], str]


def _mark(content: str) -> str:
    return "«" + content + "»"


def _reference(pattern: re.Pattern[str]) -> Callable[[str], str]:
    """The old `pattern.sub`, with the content group marked so a wrong span boundary shows."""

    def sub(text: str) -> str:
        return pattern.sub(lambda m: _mark(m.group(m.lastindex or 0)), text)

    return sub


def _strings(pieces: Sequence[str], longest: int) -> Iterator[str]:
    for length in range(longest + 1):
        for combination in itertools.product(pieces, repeat=length):
            yield "".join(combination)


# (replacer, reference pattern, the pieces strings are made of, the longest string in pieces)
CASES: dict[str, tuple[Sub, re.Pattern[str], tuple[str, ...], int]] = {
    "code": (_inline.sub_code_spans, _CODE_SPAN, ("`", "a", " ", "\n"), 8),
    "strong": (_inline.sub_strong, _STRONG, ("*", "_", "a", " ", "\n"), 7),
    "strike": (_inline.sub_strike, _STRIKE, ("~", "a", " ", "\n"), 8),
    "em_star": (_inline.sub_em_star, _EM_STAR, ("*", "a", " ", "\n"), 8),
    "em_underscore": (_inline.sub_em_underscore, _EM_UNDERSCORE, ("_", "a", " ", ".", "\n"), 7),
    "image": (_inline.sub_images, _IMAGE, ("![", "[", "]", "(", ")", "a", "\n"), 6),
    "link": (_inline.sub_links, _LINK, ("[", "]", "(", ")", "a", "\n"), 7),
    "autolink": (
        _inline.sub_autolinks,
        _AUTOLINK,
        ("<http:", "<https:", "<mailto:", "<", ">", "a", " ", "\n"),
        5,
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_every_short_string_gives_what_the_pattern_gave(name: str) -> None:
    replacer, pattern, pieces, longest = CASES[name]
    reference = _reference(pattern)
    for text in _strings(pieces, longest):
        assert replacer(text, _mark) == reference(text), repr(text)


@pytest.mark.parametrize("name", list(CASES))
def test_random_longer_strings_give_what_the_pattern_gave(name: str) -> None:
    replacer, pattern, pieces, _ = CASES[name]
    reference = _reference(pattern)
    chance = random.Random(name)
    for _ in range(3000):
        text = "".join(chance.choice(pieces) for _ in range(chance.randint(10, 60)))
        assert replacer(text, _mark) == reference(text), repr(text)


_HTML_PIECES = ("<", ">", "/", "a", " ", "!--", "-->", "-", "<!--", "\n")


def test_html_removal_gives_what_the_pattern_gave() -> None:
    for text in _strings(_HTML_PIECES, 5):
        assert _inline.sub_html(text) == _HTML_TAG.sub("", text), repr(text)
    chance = random.Random("html")
    for _ in range(3000):
        text = "".join(chance.choice(_HTML_PIECES) for _ in range(chance.randint(10, 60)))
        assert _inline.sub_html(text) == _HTML_TAG.sub("", text), repr(text)


# Each of these took the old patterns from 0.2 s to several seconds at 5,000 repeats, growing with
# the square of the paragraph or worse; at 100,000 they would take minutes to hours.
HOSTILE = {
    "backticks": "x " + "`" * 100_000,
    "backtick pairs": "`` a " * 20_000,
    "underscores": "_a " * 40_000,
    "brackets": "[" * 100_000,
    "image openers": "![a](" * 20_000,
    "stars": "*a" * 50_000,
    "strong openers": "**a" * 40_000,
    "strike openers": "~~a" * 40_000,
    # After a word: a line that opens with one is a comment block, hidden (test_markdown).
    "comments": "x " + "<!--" * 30_000,
    "autolinks": "<http:" * 20_000,
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_a_hostile_paragraph_is_read_in_linear_time(name: str) -> None:
    text = HOSTILE[name]
    blocks = parse_markdown("# Title\n\n" + text + "\n")
    assert len(blocks) == 2
    assert strip_inline(text)
