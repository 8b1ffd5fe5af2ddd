"""The incremental JSON scanner: values reported the moment they close, truncated documents closed."""

from __future__ import annotations

import json
import random
import re
from typing import Any

import pytest

from deckgen.content.llm._jsonstream import CompletedValue, JsonScanner, close_truncated, loads_lenient

# Strings with braces, brackets, escaped quotes, an escaped backslash right before a closing quote,
# a \u escape and non-ASCII text; literals of every kind at depth 1; something deeper than depth 2.
DOC = (
    '{"title": "Braces {like} these [and] \\"quotes\\" \\\\", '
    '"subtitle": "caf\\u00e9 é 日本 🎉", '
    '"slides": [{"title": "One } ]", "bullets": ["a", {"deep": [1, 2]}]}, '
    '{"title": "Two", "n": 3, "ok": true}], '
    '"count": 2, "ratio": -1.5e-3, "yes": true, "no": false, "none": null}'
)
ORIGINAL: dict[str, Any] = json.loads(DOC)
EXPECTED_PATHS: list[tuple[str | int, ...]] = [
    ("title",),
    ("subtitle",),
    ("slides", 0),
    ("slides", 1),
    ("slides",),
    ("count",),
    ("ratio",),
    ("yes",),
    ("no",),
    ("none",),
    (),
]


def at(data: Any, path: tuple[str | int, ...]) -> Any:
    for part in path:
        data = data[part]
    return data


def feed_in_chunks(scanner: JsonScanner, chunks: list[str]) -> list[tuple[int, CompletedValue]]:
    """(index of the chunk whose feed reported it, value) for every value reported."""
    return [(number, value) for number, chunk in enumerate(chunks) for value in scanner.feed(chunk)]


def random_chunks(text: str, rng: random.Random, largest: int) -> list[str]:
    chunks: list[str] = []
    position = 0
    while position < len(text):
        size = rng.randint(1, largest)
        chunks.append(text[position : position + size])
        position += size
    return chunks


def completion_points(text: str, max_depth: int = 2) -> list[tuple[int, CompletedValue]]:
    """Feeding one character at a time: (index of the character that completed it, value)."""
    return feed_in_chunks(JsonScanner(max_depth=max_depth), list(text))


# -- JsonScanner -------------------------------------------------------------------------------------


def test_one_character_at_a_time_reports_each_value_as_its_closing_char_arrives() -> None:
    points = completion_points(DOC)

    assert [value.path for _, value in points] == EXPECTED_PATHS
    for index, value in points:
        assert value.value() == at(ORIGINAL, value.path)
        if value.raw[-1] in '"}]':
            # Strings, objects and arrays: reported on their own last character, not a moment later.
            assert DOC[index] == value.raw[-1]
            assert DOC[: index + 1].endswith(value.raw)
        else:
            # A number or literal cannot end before the character after it: it goes out on that one.
            assert DOC[:index].endswith(value.raw)
            assert DOC[index] in ",}] \n"


def test_string_values_with_tricky_contents_come_out_exactly() -> None:
    values = {value.path: value for _, value in completion_points(DOC)}

    assert values[("title",)].value() == 'Braces {like} these [and] "quotes" \\'
    assert values[("subtitle",)].value() == "café é 日本 🎉"
    assert values[("slides", 0)].value()["title"] == "One } ]"
    assert values[("slides",)].value() == ORIGINAL["slides"]
    assert values[()].raw == DOC


@pytest.mark.parametrize("seed", range(6))
def test_random_chunkings_report_the_same_values_in_the_chunk_that_completes_them(seed: int) -> None:
    rng = random.Random(seed)
    expected = completion_points(DOC)
    for _ in range(40):
        chunks = random_chunks(DOC, rng, largest=rng.choice([2, 5, 17, 60]))
        ends = [sum(len(c) for c in chunks[: n + 1]) for n in range(len(chunks))]

        reported = feed_in_chunks(JsonScanner(), chunks)

        assert [v for _, v in reported] == [v for _, v in expected]
        for (chunk_number, _), (char_index, _) in zip(reported, expected, strict=True):
            # Reported by the feed of the chunk that carried its completing character, never later.
            assert ends[chunk_number] > char_index >= ends[chunk_number] - len(chunks[chunk_number])


def test_leading_prose_and_code_fence_are_skipped_and_text_after_the_object_is_ignored() -> None:
    prose = "Sure! Here is the deck you asked for:\n\n```json\n"
    trailer = "\n```\n\nLet me know if you want changes {or more slides}. [1]"
    scanner = JsonScanner()
    assert scanner.feed(prose) == []
    assert not scanner.started

    values = scanner.feed(DOC)
    assert scanner.started and scanner.done
    assert [v.path for v in values] == EXPECTED_PATHS
    assert values[-1].raw == DOC

    assert scanner.feed(trailer) == []
    assert scanner.feed('{"title": "another object"}') == []
    assert scanner.done


def test_prose_chunked_together_with_the_document_changes_nothing() -> None:
    text = 'Here you go: ```json\n{"title": "T", "slides": [{"a": 1}]}\n``` done {"x": 1}'
    rng = random.Random(7)
    for _ in range(20):
        scanner = JsonScanner()
        values = [v for chunk in random_chunks(text, rng, 9) for v in scanner.feed(chunk)]
        assert [v.path for v in values] == [("title",), ("slides", 0), ("slides",), ()]
        assert values[-1].value() == {"title": "T", "slides": [{"a": 1}]}


@pytest.mark.parametrize(
    ("max_depth", "paths"),
    [
        (0, [()]),
        (1, [("title",), ("slides",), ()]),
        (2, [("title",), ("slides", 0), ("slides",), ()]),
        (
            3,
            [("title",), ("slides", 0, "t"), ("slides", 0, "b"), ("slides", 0), ("slides",), ()],
        ),
    ],
)
def test_values_deeper_than_max_depth_are_not_reported(
    max_depth: int, paths: list[tuple[str | int, ...]]
) -> None:
    text = '{"title": "x", "slides": [{"t": "y", "b": [{"deep": true}]}]}'
    reported = [v.path for v in JsonScanner(max_depth=max_depth).feed(text)]
    assert reported == paths
    assert all(len(path) <= max_depth for path in reported)


def test_numbers_and_literals_at_depth_one_and_inside_arrays() -> None:
    text = '{"n": 12, "f": -0.5e+2,"t":true, "x": false ,\n"z": null\n, "arr": [1, true,null, "s", -3],"e":7}'
    values = JsonScanner().feed(text)
    raw = {v.path: v.raw for v in values}

    assert raw[("n",)] == "12"
    assert raw[("f",)] == "-0.5e+2"
    assert raw[("t",)] == "true"
    assert raw[("x",)] == "false"
    assert raw[("z",)] == "null"
    assert [raw[("arr", i)] for i in range(5)] == ["1", "true", "null", '"s"', "-3"]
    assert raw[("e",)] == "7"  # ended by the closing brace itself
    for value in values:
        assert value.value() == at(json.loads(text), value.path)
    assert [v.path for v in values][-3:] == [("arr",), ("e",), ()]


def test_a_literal_still_being_written_is_not_reported_early() -> None:
    scanner = JsonScanner()
    assert scanner.feed('{"count": 1') == []
    assert scanner.feed("2") == []
    (value,) = scanner.feed(",")
    assert (value.path, value.raw) == (("count",), "12")


def test_document_is_the_object_from_its_opening_brace() -> None:
    scanner = JsonScanner()
    scanner.feed('prose {"title": "a", "sli')
    assert scanner.document() == '{"title": "a", "sli'
    assert JsonScanner().document() == ""


def test_document_of_a_finished_object_excludes_text_after_it() -> None:
    scanner = JsonScanner()
    scanner.feed('```json\n{"title": "a"}\n```')
    assert scanner.done
    assert json.loads(scanner.document()) == {"title": "a"}


# -- close_truncated ---------------------------------------------------------------------------------


def assert_prefix(partial: Any, original: Any, where: str = "") -> None:
    """`partial` is `original` cut short: every element but the last of each container equal."""
    if isinstance(original, dict):
        assert isinstance(partial, dict), where
        keys = list(partial)
        assert keys == list(original)[: len(keys)], where
        for key in keys[:-1]:
            assert partial[key] == original[key], f"{where}.{key}"
        if keys:
            assert_prefix(partial[keys[-1]], original[keys[-1]], f"{where}.{keys[-1]}")
    elif isinstance(original, list):
        assert isinstance(partial, list), where
        assert len(partial) <= len(original), where
        if partial:
            assert partial[:-1] == original[: len(partial) - 1], where
            assert_prefix(partial[-1], original[len(partial) - 1], f"{where}[{len(partial) - 1}]")
    else:
        # Partial strings and literals are dropped, never cut: a scalar that is there is whole.
        assert partial == original, where


def key_cuts(text: str) -> set[int]:
    """Cut positions right after an object key's closing quote, up to (not including) its colon."""
    cuts: set[int] = set()
    for match in re.finditer(r'"(?:[^"\\]|\\.)*"(\s*):', text):
        colon = match.end() - 1
        cuts.update(range(colon - len(match.group(1)), colon + 1))
    return cuts


def check_cut(text: str, cut: int) -> None:
    closed = close_truncated(text[:cut])
    if closed is None:
        assert "{" not in text[:cut]
        return
    data = json.loads(closed)
    assert_prefix(data, ORIGINAL, f"cut at {cut}")
    # Nothing the scanner had reported as complete before the cut is lost.
    for value in JsonScanner().feed(text[:cut]):
        assert at(data, value.path) == value.value(), f"cut at {cut}: {value.path}"


def test_close_truncated_at_every_cut_outside_a_key_gives_valid_json_keeping_completed_items() -> None:
    prose = "Sure:\n```json\n"
    text = prose + DOC
    skipped = {len(prose) + cut for cut in key_cuts(DOC)}
    assert skipped  # the sample does have keys; those cuts are covered by the xfail test below
    for cut in range(len(text) + 1):
        if cut not in skipped:
            check_cut(text, cut)


def test_close_truncated_right_after_a_key_gives_valid_json() -> None:
    for cut in sorted(key_cuts(DOC)):
        check_cut(DOC, cut)


def test_close_truncated_simple_cases() -> None:
    assert close_truncated("") is None
    assert close_truncated("no object here [1, 2]") is None
    assert close_truncated("{") == "{}"
    assert close_truncated('{"title": "Half a ti') == "{}"
    assert close_truncated('{"title": "T", "slides": [{"a": 1}, {"a": 2') == (
        '{"title": "T", "slides": [{"a": 1}, {}]}'
    )
    assert close_truncated('{"n": 12') == "{}"  # 12 may have been the start of 120
    assert close_truncated('{"n": 12 ') == '{"n": 12}'
    assert close_truncated('{"a": [1, 2,') == '{"a": [1, 2]}'
    assert close_truncated('{"k": "v \\" {[", "w": tru') == '{"k": "v \\" {["}'
    assert close_truncated('{"a": 1}') == '{"a": 1}'


def test_close_truncated_of_a_complete_object_with_a_trailing_fence() -> None:
    closed = close_truncated('{"a": 1}\n```')
    assert closed is not None
    assert json.loads(closed) == {"a": 1}


# -- loads_lenient -----------------------------------------------------------------------------------


def test_loads_lenient_forgives_fences_prose_and_trailing_commas() -> None:
    text = 'Here it is:\n```json\n{"a": [1, 2, ], "b": {"c": "x",\n}, "d": [[1,],],\n}\n```\nThanks!'
    assert loads_lenient(text) == {"a": [1, 2], "b": {"c": "x"}, "d": [[1]]}


def test_loads_lenient_plain_object_and_first_object_only() -> None:
    assert loads_lenient('{"a": "b, ]"}') == {"a": "b, ]"}
    assert loads_lenient('{"a": 1} {"b": 2}') == {"a": 1}


@pytest.mark.parametrize("text", ["", "no json at all", '```json\n{"a": [1, 2', "[1, 2, 3]"])
def test_loads_lenient_without_a_complete_object_raises(text: str) -> None:
    with pytest.raises(ValueError, match="no complete JSON object"):
        loads_lenient(text)


def test_loads_lenient_invalid_beyond_trailing_commas_raises() -> None:
    with pytest.raises(ValueError, match="Expecting"):
        loads_lenient('{"a": 1,, "b": 2}')


def test_loads_lenient_trailing_comma_fix_leaves_strings_alone() -> None:
    assert loads_lenient('{"a": "x, }", "b": [1,],}') == {"a": "x, }", "b": [1]}


def test_may_close_is_true_only_where_the_next_tokens_may_close_the_object() -> None:
    # Where a reader may leave the stream unread for a while (False) or must read at once (True).
    pieces = [
        ('Sure: {"layout"', True),  # in a top-level key: `"k": 1}` may follow in a token or two
        (": ", True),  # a value may be as short as `1}` or `[]}`
        ('"bul', False),  # inside a string value
        ('lets"', True),  # a value closed: `}` may come next
        (", ", True),
        ('"bullets": [{"text": "a", "le', False),  # nested
        ('vel": 0}]', True),
        (', "count": 1', True),  # a number may end with the object's brace
        (', "sources": ', True),
        ("[", True),  # just opened: `]}` may follow
        ('"a', False),
        ('"', False),  # in a value with content: it must close first
        ("]", True),
        ("}", False),  # done: nothing more to wait for
    ]
    scanner = JsonScanner(max_depth=0)
    assert not scanner.may_close  # nothing started
    for piece, expected in pieces:
        scanner.feed(piece)
        assert scanner.may_close is expected, piece
    assert scanner.done
