"""The linear-time reader of inline Markdown reads every text exactly as the patterns it replaces did.

Slide text was read by scanning one regular expression (`_ATOMS` below) and split into words by the
`findall` of another (`_WORDS`): both rescanned the rest of the line from every backtick or "[" that
never closed, and pairing searched the whole stack of open delimiters for each closer, so a
paragraph of a few thousand backticks, brackets or unmatched markers took seconds, one of a hundred
thousand minutes to hours. The old code lives on here as the definition of the expected output,
checked on every short string over the characters each construct is made of and on random longer
ones.
"""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import Iterator, Sequence
from dataclasses import fields, replace
from operator import attrgetter

import pytest

from deckgen.render import _markdown
from deckgen.render._markdown import Span, has_markup, literal, plain, spans, split_words

_ATOMS = re.compile(
    r"(?P<code>`+)(?P<code_text>.+?)(?P=code)(?!`)"
    r"|\[(?P<link_text>[^\]\n]+)\]\((?P<url>[^()\s]+)\)"
    r"|\\(?P<escaped>[\\`*_\[\]()#+\-.!])"
    r"|(?P<delim>\*\*\*|___|\*\*|__|\*|_)"
)
_WORDS = re.compile(r"(?:`+[^`]*?`+|\[[^\]\n]+\]\([^()\s]+\)|\S)+")


def _reference_tokens(text: str) -> list[_markdown._Token]:
    tokens: list[_markdown._Token] = []
    position = 0
    for match in _ATOMS.finditer(text):
        if match.start() > position:
            tokens.append(_markdown._Token("text", text[position : match.start()], start=position))
        position = match.end()
        start = match.start()
        if match.group("code") is not None:
            tokens.append(_markdown._Token("code", match.group("code_text"), start=start))
        elif match.group("link_text") is not None:
            tokens.append(_markdown._Token("link", match.group("link_text"), match.group("url"), start=start))
        elif match.group("escaped") is not None:
            tokens.append(_markdown._Token("text", match.group("escaped"), start=start))
        else:
            delim = match.group("delim")
            before = text[match.start() - 1] if match.start() else " "
            after = text[match.end()] if match.end() < len(text) else " "
            opens = not after.isspace()
            closes = not before.isspace()
            if delim[0] == "_":
                opens = opens and not before.isalnum()
                closes = closes and not after.isalnum()
            if len(delim) == 3:
                outer, inner = delim[0], delim[:2]
                first, second = (outer, inner) if opens else (inner, outer)
                tokens.append(_markdown._Token("delim", first, opens=opens, closes=closes, start=start))
                tokens.append(
                    _markdown._Token("delim", second, opens=opens, closes=closes, start=start + len(first))
                )
            else:
                tokens.append(_markdown._Token("delim", delim, opens=opens, closes=closes, start=start))
    if position < len(text):
        tokens.append(_markdown._Token("text", text[position:], start=position))
    _reference_pair(tokens)
    return tokens


def _reference_pair(tokens: list[_markdown._Token]) -> None:
    stack: list[int] = []
    for index, token in enumerate(tokens):
        if token.kind != "delim":
            continue
        partner = next((i for i in reversed(stack) if tokens[i].text == token.text), None)
        if token.closes and partner is not None:
            del stack[stack.index(partner) :]
            tokens[partner].pair, token.pair = index, partner
        elif token.opens:
            stack.append(index)


def _reference_spans(text: str) -> tuple[Span, ...]:
    if not has_markup(text):
        return (Span(text),) if text else ()
    result: list[Span] = []
    bold = italic = False
    for token in _reference_tokens(text):
        if token.kind == "delim" and token.pair >= 0:
            if len(token.text) == 2:
                bold = not bold
            else:
                italic = not italic
            continue
        span = Span(
            token.text,
            bold=bold,
            italic=italic,
            code=token.kind == "code",
            link=token.url if token.kind == "link" else "",
        )
        if result and replace(result[-1], text="") == replace(span, text=""):
            result[-1] = replace(result[-1], text=result[-1].text + span.text)
        else:
            result.append(span)
    return tuple(span for span in result if span.text)


_TOKEN_FIELDS = attrgetter(*(field.name for field in fields(_markdown._Token)))


def _fields(tokens: list[_markdown._Token]) -> list[tuple[object, ...]]:
    return [_TOKEN_FIELDS(token) for token in tokens]


def _reads_as_before(text: str) -> None:
    assert _fields(_markdown._tokens(text)) == _fields(_reference_tokens(text)), repr(text)
    assert spans(text) == _reference_spans(text), repr(text)
    # Without a backtick or "[" the old `split_words` took `text.split()`, which is what the
    # pattern finds there too.
    assert split_words(text) == _WORDS.findall(text), repr(text)


def _strings(pieces: Sequence[str], longest: int) -> Iterator[str]:
    for length in range(longest + 1):
        for combination in itertools.product(pieces, repeat=length):
            yield "".join(combination)


# The characters each construct is made of, and the longest string tried with all of them.
ALPHABETS: dict[str, tuple[tuple[str, ...], int]] = {
    "code": (("`", "a", " ", "\n"), 7),
    "link": (("[", "]", "(", ")", "a", " ", "\n"), 5),
    "emphasis": (("*", "_", "a", " ", "\\"), 6),
    "all": (("`", "[", "]", "(", ")", "*", "_", "\\", "a", " ", "\n"), 4),
}
# Random strings also get runs of markers, and spaces that only `\s` and `str.isspace` know.
_MARKER_RUNS = ("`", "``", "```", "[", "](", "(", ")", "*", "**", "_", "__", "\\")
_TEXT = ("a", "é", " ", "\xa0", "\t", "\n")
RANDOM_PIECES: dict[str, tuple[str, ...]] = {
    **{name: pieces for name, (pieces, _) in ALPHABETS.items()},
    "runs": (*_MARKER_RUNS, *_TEXT),
}


@pytest.mark.parametrize("name", list(ALPHABETS))
def test_every_short_string_reads_as_the_patterns_read_it(name: str) -> None:
    pieces, longest = ALPHABETS[name]
    for text in _strings(pieces, longest):
        _reads_as_before(text)


@pytest.mark.parametrize("name", list(RANDOM_PIECES))
def test_random_longer_strings_read_as_the_patterns_read_them(name: str) -> None:
    pieces = RANDOM_PIECES[name]
    chance = random.Random(name)
    for _ in range(1000):
        _reads_as_before("".join(chance.choice(pieces) for _ in range(chance.randint(8, 60))))


# The first four took the old reader seconds at a few thousand repeats, growing with the square of
# the paragraph or worse; the last two are spans that close or nearly close, many times over.
HOSTILE = {
    "backticks": "`" * 100_000,
    "brackets": "[" * 100_000,
    "bracketed words": "[a" * 50_000,
    "openers then closers of another kind": "*a " * 20_000 + " a_" * 20_000,
    "code spans": "`` a " * 20_000,
    "links whose url never closes": "[a](" * 25_000,
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_a_hostile_paragraph_is_read_in_linear_time(name: str) -> None:
    text = HOSTILE[name]
    assert "".join(span.text for span in spans(text))
    assert " ".join(split_words(text)).split() == text.split()
    assert plain(literal(text)) == text
