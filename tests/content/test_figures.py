"""Figures in a document read in time linear in their text, with what the old patterns read.

The number and trailing-word patterns before were polynomial in a run of spaces (several `\\s*` side by
side, and a `\\s+` tried from each space of a run): they live on here only as the definition of the
expected results, checked on every short string of the characters that matter and on random longer
ones.
"""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import Iterator, Sequence

import pytest

from deckgen.content.embedded import _figures
from deckgen.content.embedded._figures import headline, parse_number
from deckgen.content.embedded._markdown import parse
from deckgen.content.embedded._planner import plan_deck

_OLD_NUMBER = re.compile(
    r"^[\s(]*(?P<sign>[-+\u2212]?)\s*(?:[$€£¥₹]|[A-Z]{3}\s)?\s*"
    r"(?P<digits>\d{1,3}(?:[ ,.\u202f\u00a0]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?)"
    r"\s*(?:%|‰|[kKmMbB]n?|bn|m|million|billion|pp|pts?)?\s*[)]?$"
)
_OLD_TRAILING_LINK = re.compile(
    r"\s+(?:to|by|from|at|of|of about|about|auf|um|von|bei|de|à|a|di|da|met|tot|o|do)$", re.I
)


def _strings(pieces: Sequence[str], longest: int) -> Iterator[str]:
    for length in range(longest + 1):
        for combination in itertools.product(pieces, repeat=length):
            yield "".join(combination)


def _random_strings(pieces: Sequence[str], seed: str) -> Iterator[str]:
    chance = random.Random(seed)
    for _ in range(3000):
        yield "".join(chance.choice(pieces) for _ in range(chance.randint(6, 30)))


def _number(pattern: re.Pattern[str], text: str) -> tuple[tuple[int, int], tuple[str | None, ...]] | None:
    found = pattern.match(text)
    return None if found is None else (found.span(), found.groups())


_NUMBER_PIECES = (" ", "\t", "(", ")", "-", "1", ",", "$", "USD", "%", "m", "000")


def test_a_number_is_read_as_the_old_pattern_read_it() -> None:
    more = (*_NUMBER_PIECES, ".", "\n", "\u00a0", "\u2212", "illion", "bn", "k", "pts")
    for text in itertools.chain(_strings(_NUMBER_PIECES, 5), _random_strings(more, "number")):
        assert _number(_figures._NUMBER, text) == _number(_OLD_NUMBER, text), repr(text)


def test_a_trailing_link_word_goes_as_the_old_pattern_took_it() -> None:
    pieces = (" ", "\t", "to", "of", "of about", "a", "x", "\u00c0")
    for text in itertools.chain(_strings(pieces, 6), _random_strings((*pieces, "\n", "by"), "link")):
        assert _figures._TRAILING_LINK.sub("", text) == _OLD_TRAILING_LINK.sub("", text), repr(text)


# Each took the old patterns minutes or more at 100,000 characters: the number pattern split a run
# of spaces between its `\s*` in every way, the trailing word was looked for from every space.
def test_a_hostile_cell_is_read_in_linear_time() -> None:
    assert parse_number("(" + " \t" * 50_000 + "1" + " \t" * 50_000 + "x") is None
    assert parse_number("-" + " " * 100_000 + "1" + " " * 100_000 + "%") == -1.0


def test_a_hostile_headline_is_read_in_linear_time() -> None:
    assert headline("Revenue" + " " * 100_000 + "rose by 18%") is None


def test_a_hostile_plain_list_is_planned_in_linear_time() -> None:
    # A plain-text list keeps its items' spaces: the first item's label is the run of spaces.
    items = "- a" + " " * 100_000 + "b 5%\n- c d 6%\n- e f 7%"
    document = f"Title\n\nSection\n\n{items}\n\nOther\n\nOther text is here.\n"
    parsed = parse("hostile.txt", "text/plain", document.encode())
    plan = plan_deck([parsed], topic="", slide_count=None, condense=True, speaker_notes=True)
    assert plan.items


@pytest.mark.parametrize(
    ("cell", "value"),
    [("1,234.5", 1234.5), ("1.234,5", 1234.5), ("3,1", 3.1), ("€4.2", 4.2), ("12 %", 12.0), ("(3)", 3.0)],
)
def test_cells_still_parse(cell: str, value: float) -> None:
    assert parse_number(cell) == value


@pytest.mark.parametrize(
    "text",
    [
        "$0$ if the bit at the position `i - 1` is `0`",
        "$1$ if the sign bit is set",
        "$$1 \\times 2^{-52} \\times 2^{-1022} = 5 \\times 10^{-324}$$",
    ],
)
def test_tex_math_is_not_a_sum_of_money(text: str) -> None:
    assert headline(text) is None


def test_money_next_to_math_is_still_a_figure() -> None:
    found = headline("Revenue was $18.4m, while $x$ stayed flat")
    assert found is not None and found.value == "$18.4m"


def test_a_list_of_math_cases_stays_a_list() -> None:
    # Markdown with math, as GitHub renders it: each case started with `$0$`/`$1$` and the deck
    # showed them as two big "$0" and "$1" figures.
    document = (
        "# IEEE 754\n\nA standard for binary floating point numbers.\n\n"
        "## Normal numbers\n\nEach mantissa bit stands for a power of two:\n\n"
        "- $0$ if the bit at the position `i - 1` is `0`\n"
        "- $1$ if the bit at the position `i - 1` is `1`\n\n"
        "## Zero\n\nZero has every exponent bit and every mantissa bit clear.\n"
    )
    parsed = parse("ieee.md", "text/markdown", document.encode())
    plan = plan_deck([parsed], topic="", slide_count=None, condense=True, speaker_notes=True)
    assert [s.title for s in plan.slides if s.statistics] == []
    shown = " ".join(b.text for s in plan.slides for b in s.bullets)
    assert "if the bit at the position" in shown


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("`00000000001` is $1$, and $1 - 1023 = -1022$", None),
        ("Tickets went from $5 to $10 for adults", "$5"),
        ("Most seats cost $5-$10 each", "$5"),
    ],
)
def test_math_spans_hide_their_numbers_and_money_stays_money(text: str, value: str | None) -> None:
    found = headline(text)
    assert (found.value if found is not None else None) == value


def test_a_hostile_run_of_dollars_is_read_in_linear_time() -> None:
    # Every dollar sign may open math; each is looked at up to the next one or the line's end.
    found = _figures._figure("$1" + " x" * 100_000 + " $" * 50_000)
    assert found is not None and found.group() == "$1"
    assert headline("$$" + " x" * 100_000 + "$ 1" * 50_000) is None
