from __future__ import annotations

import itertools
import random
import re
from collections.abc import Iterator, Sequence

import pytest

from deckgen.content.embedded import _summarize
from deckgen.content.embedded._markdown import parse
from deckgen.content.embedded._planner import plan_deck
from deckgen.content.embedded._summarize import (
    Weights,
    clip,
    key_sentences,
    shorten_sentence,
    split_clauses,
    split_sentences,
)


def test_sentence_splitting_respects_abbreviations_decimals_and_initials() -> None:
    text = (
        "Use tools, e.g. linters, i.e. ruff. Dr. Smith measured 3.14 units! Was J. R. Tolkien right? "
        "Yes\u2026 He was."
    )
    assert split_sentences(text) == [
        "Use tools, e.g. linters, i.e. ruff.",
        "Dr. Smith measured 3.14 units!",
        "Was J. R. Tolkien right?",
        "Yes\u2026",
        "He was.",
    ]
    # Written without their inner dots (Node.js's investigating-native-memory-leaks.md: "Create a
    # file (eg." was a takeaway).
    text = "Create a file (eg. `node.supp`) with the records. Tools, ie. linters, run first."
    assert split_sentences(text) == [
        "Create a file (eg. `node.supp`) with the records.",
        "Tools, ie. linters, run first.",
    ]


def test_cjk_sentences_split_without_spaces() -> None:
    stop, bang, ask = "\u3002", "\uff01", "\uff1f"
    text = f"今天天气很好{stop}我们去公园吧{bang}你来吗{ask}"
    assert split_sentences(text) == [f"今天天气很好{stop}", f"我们去公园吧{bang}", f"你来吗{ask}"]


def test_key_sentences_picks_the_topical_ones_in_order() -> None:
    sentences = [
        "Caching makes the service fast.",
        "The weather was pleasant on Tuesday.",
        "A cache stores responses, and caching avoids repeated work for the service.",
        "Lunch was served at noon.",
        "The service cache is invalidated when the data changes.",
    ]
    picked = key_sentences(sentences, 3, Weights(sentences))
    assert picked == [0, 2, 4]


def test_clause_split_never_cuts_a_word_and_loses_nothing() -> None:
    sentence = (
        "The first clause explains the context in some detail; the second clause adds a condition that "
        "matters, and the third clause gives the consequence with a long tail of words that keeps going "
        "well past any reasonable bullet length for a slide."
    )
    pieces = split_clauses(sentence, 160)
    assert len(pieces) > 1
    assert all(len(piece) <= 160 for piece in pieces)
    assert " ".join(pieces) == sentence
    words = set(sentence.split())
    assert all(word in words for piece in pieces for word in piece.split())


def test_word_split_fallback_keeps_whole_words() -> None:
    sentence = " ".join(["word"] * 80)
    pieces = split_clauses(sentence, 50)
    assert all(len(p) <= 50 and set(p.split()) == {"word"} for p in pieces)
    assert " ".join(pieces) == sentence


def test_clip_cuts_at_a_word_boundary() -> None:
    assert clip("alpha beta gamma delta", 12) == "alpha beta\u2026"
    assert clip("short", 12) == "short"


def test_clip_does_not_end_on_a_dangling_word_and_prefers_a_clause_end() -> None:
    # Seen in a deck from a style guide: "…enums with an…" and "…no graceful shutdown, no…".
    assert clip("Messages named after the method, enums with an UNSPECIFIED zero value", 35) == (
        "Messages named after the method…"
    )
    said = "It always says SERVING, tracing toggled, no graceful shutdown, no retries"
    assert clip(said, 68) == "It always says SERVING, tracing toggled, no graceful shutdown…"
    assert clip(said, 60) == "It always says SERVING, tracing toggled…"  # not "…, no graceful…"
    assert clip("alpha beta gamma delta", 12) == "alpha beta…"  # nothing to mend


def test_clip_never_leaves_a_bracket_open() -> None:
    # Node.js's investigating-native-memory-leaks.md: "…identifying memory leaks (memory…" opened an
    # aside the slide never closed; what the brackets held is an aside, and the cut goes before it.
    sentence = (
        "Valgrind is a tool available on Linux distributions which can be used to investigate memory "
        "usage including identifying memory leaks (memory which is allocated and not freed) and other "
        "memory related problems like double freeing memory."
    )
    assert clip(sentence, 160) == (
        "Valgrind is a tool available on Linux distributions which can be used to investigate memory "
        "usage including identifying memory leaks\u2026"
    )
    assert clip("Reads settings [of every node in the cluster] and writes them", 30) == "Reads settings\u2026"
    # Closed within the cut, a bracket stays, closed after a code span too (Node.js's primordials.md).
    assert (
        clip("Reads (quickly) every file and writes it back to the disk", 30)
        == "Reads (quickly) every file\u2026"
    )
    said = "Using `instanceof` (or `FunctionPrototypeSymbolHasInstance`) checks is not recommended here"
    assert clip(said, 80) == "Using `instanceof` (or `FunctionPrototypeSymbolHasInstance`) checks\u2026"


def test_clip_never_cuts_a_code_span_in_two() -> None:
    # Cut inside, "`git worktree" would show its backtick on the slide.
    assert clip("Run `git worktree add` first, then build", 20) == "Run\u2026"
    assert clip("Run `git worktree add` first, then build", 30) == "Run `git worktree add`\u2026"


def test_shortening_drops_asides_but_never_the_inside_of_a_code_span() -> None:
    sentence = (
        "The server reads `f(x)` from `config.py` (see the notes) on start-up, which is why restarts "
        "matter for every single change you make here."
    )
    assert shorten_sentence(sentence, 60) == "The server reads `f(x)` from `config.py` on start-up."


def test_shortening_never_ends_on_the_first_word_of_the_clause_it_cut() -> None:
    # openai's responses_websocket README gave "…on that lane, in." of "…, in which case…".
    sentence = (
        "A repeated `get_final_response()` returns the cached result unless the reader has observed "
        "a newer `response.created` on that lane, in which case it consumes the next response."
    )
    assert shorten_sentence(sentence, 160) == (
        "A repeated `get_final_response()` returns the cached result unless the reader has observed "
        "a newer `response.created` on that lane."
    )


def test_shortening_never_leaves_an_opening_subordinate_clause_alone() -> None:
    # Node.js's path.md gave "If there is no `.` in the last portion of the `path`." for extname.
    sentence = (
        "If there is no `.` in the last portion of the `path`, or if there are no `.` characters other "
        "than the first character of the basename of `path`, an empty string is returned."
    )
    assert shorten_sentence(sentence, 100) is None
    # Its main clause after the comma, a trailing clause cut: a sentence still.
    sentence = (
        "When the queue is full, the producer waits for a slot, which the consumer frees after each "
        "message is read and acknowledged by the broker."
    )
    assert shorten_sentence(sentence, 90) == "When the queue is full, the producer waits for a slot."


def test_shortening_never_cuts_a_sentence_s_verb_off_its_subject_clause() -> None:
    # Node.js's code-of-conduct.md gave "As a contributor to Node.js, how you choose to act and
    # interact towards your fellow contributors." with its verb, "will reflect back", cut away.
    sentence = (
        "As a contributor to Node.js, how you choose to act and interact towards your fellow contributors, "
        "as well as to the community, will reflect back not only on yourself but on the project as a whole."
    )
    assert shorten_sentence(sentence, 120) is None
    # A question word inside the main clause is no subject: "asked … what …" is cut as before.
    sentence = (
        "The survey asked riders what the night bus had changed for them, which most of them answered "
        "within a week of the trial's end."
    )
    shorter = "The survey asked riders what the night bus had changed for them."
    assert shorten_sentence(sentence, 80) == shorter


# --- linear time ---------------------------------------------------------------------------------
# The patterns that found sentence ends, end marks and code spans before, kept as the definition of
# what the linear-time ones must find: each took seconds or more on a hostile paragraph ("!!!…a", a
# run of backticks), growing with its square or worse. Checked on every short string of the
# characters that matter and on random longer ones.

_OLD_BOUNDARY = re.compile(
    "([.!?\u2026]+[\"'\u201d\u2019)\\]]*)(\\s+)|([\u3002\uff01\uff1f]+[\u300d\u300f\u201d\u2019\uff09)]*)\\s*"
)
_OLD_END = re.compile(r"[.!?\u3002\uff01\uff1f\u061f]+[\"'\u201d\u2019)]*$")
_OLD_CODE_SPAN = re.compile(r"(`+).+?\1(?!`)")


def _strings(pieces: Sequence[str], longest: int) -> Iterator[str]:
    for length in range(longest + 1):
        for combination in itertools.product(pieces, repeat=length):
            yield "".join(combination)


def _random_strings(pieces: Sequence[str], seed: str) -> Iterator[str]:
    chance = random.Random(seed)
    for _ in range(3000):
        yield "".join(chance.choice(pieces) for _ in range(chance.randint(10, 60)))


def _found(pattern: re.Pattern[str], text: str) -> list[tuple[tuple[int, int], tuple[str | None, ...]]]:
    return [(m.span(), m.groups()) for m in pattern.finditer(text)]


def _end(pattern: re.Pattern[str], text: str) -> tuple[tuple[int, int], str] | None:
    found = pattern.search(text)
    return None if found is None else (found.span(), found.group(0))


_BOUNDARY_PIECES = (".", "!", "\u2026", '"', ")", " ", "\n", "\u3002", "\u300d", "a")
_END_PIECES = (".", "!", "\u3002", "\u061f", '"', ")", " ", "\n", "a")
_CODE_PIECES = ("`", "a", " ", "\n")


def test_sentence_boundaries_are_where_the_old_pattern_found_them() -> None:
    strings = itertools.chain(
        _strings(_BOUNDARY_PIECES, 5), _random_strings((*_BOUNDARY_PIECES, "?", "]", "\u2019"), "boundary")
    )
    for text in strings:
        assert _found(_summarize._BOUNDARY, text) == _found(_OLD_BOUNDARY, text), repr(text)


def test_end_marks_are_where_the_old_pattern_found_them() -> None:
    for text in itertools.chain(_strings(_END_PIECES, 5), _random_strings((*_END_PIECES, "?"), "end")):
        assert _end(_summarize._END, text) == _end(_OLD_END, text), repr(text)


def test_code_spans_are_where_the_old_pattern_found_them() -> None:
    # Long runs of backticks, which take the way the pattern could not, come often in the random ones.
    pieces = (*_CODE_PIECES, "```", "``````")
    for text in itertools.chain(_strings(_CODE_PIECES, 8), _random_strings(pieces, "code")):
        assert _summarize._code_spans(text) == [m.span() for m in _OLD_CODE_SPAN.finditer(text)], repr(text)


def test_a_span_overlaps_code_as_compared_with_every_code_span() -> None:
    chance = random.Random("overlaps")
    for text in _random_strings(("```", "``", "`", "a", " "), "overlaps"):
        code = _summarize._code_spans(text)
        for _ in range(20):
            start = chance.randint(0, len(text))
            span = (start, chance.randint(start, len(text)))
            expected = any(first < span[1] and span[0] < last for first, last in code)
            assert _summarize._overlaps(span, code) == expected, (text, span)


# Each took the old patterns seconds at 5,000 characters, growing with the square of the sentence or
# worse: a minute or more at these sizes (the planning of a document with one of them: many minutes).
HOSTILE_SENTENCES = {
    "marks then a word": "Words " + "!" * 100_000 + "a",
    "dots": "Words " + "." * 100_000 + " more",
    "mixed marks": "Words " + "!." * 50_000 + " more",
    "backticks": "Words " + "`" * 100_000 + " more.",
    "code spans and asides": "Words " + "`a` (b) " * 50_000 + "more.",
}


@pytest.mark.parametrize("name", list(HOSTILE_SENTENCES))
def test_a_hostile_sentence_is_split_and_shortened_in_linear_time(name: str) -> None:
    text = HOSTILE_SENTENCES[name]
    assert split_sentences(text)
    shorten_sentence(text, 160)


HOSTILE_DOCUMENTS = {
    "paragraph of marks": ("text/markdown", "Words here " + "!" * 100_000 + "a"),
    "paragraph of dots": ("text/markdown", "Words here " + "." * 100_000 + " more."),
    "code span of backticks": (
        "text/markdown",
        "Words " + "`" * 100_001 + " " + "`" * 100_000 + " " + "`" * 100_001 + " and more words to say.",
    ),
    "code spans and asides": ("text/markdown", "Words " + "`a` (b) " * 20_000 + "more."),
    "plain list item of marks": ("text/plain", "- a " + "!" * 100_000 + " b\n- c d"),
}


@pytest.mark.parametrize("name", list(HOSTILE_DOCUMENTS))
def test_a_hostile_document_is_planned_in_linear_time(name: str) -> None:
    media_type, text = HOSTILE_DOCUMENTS[name]
    document = f"Title\n\nSection\n\n{text}\n\nOther\n\nOther text is here.\n"
    if media_type == "text/markdown":
        document = f"# Title\n\n## Section\n\n{text}\n\n## Other\n\nOther text is here.\n"
    parsed = parse("hostile", media_type, document.encode())
    plan = plan_deck([parsed], topic="", slide_count=None, condense=True, speaker_notes=True)
    assert plan.items


# Clause splitting before: a call for each 200 clauses of a long sentence (out of stack at 800 KB of
# "a, "), which looked again for every separator the sentence did not hold, and long words cut by
# taking their rest again for each piece. Kept as the definition of the pieces.
def _old_split_words(text: str, limit: int) -> list[str]:
    pieces: list[str] = []
    for word in text.split():
        while len(word) > limit:
            if pieces and not pieces[-1]:
                pieces.pop()
            pieces.append(word[:limit])
            word = word[limit:]
        if pieces and len(pieces[-1]) + 1 + len(word) <= limit:
            pieces[-1] = f"{pieces[-1]} {word}"
        else:
            pieces.append(word)
    return [piece for piece in pieces if piece]


def _old_split_clauses(sentence: str, limit: int) -> list[str]:
    sentence = sentence.strip()
    if len(sentence) <= limit:
        return [sentence] if sentence else []
    for separator in _summarize._CLAUSE_SEPARATORS:
        keep = separator[0] if separator[0] in ",;:" else separator.rstrip()
        parts = _summarize._split_keep(sentence, separator, keep)
        if len(parts) > 1:
            pieces: list[str] = []
            for part in _summarize._pack(parts, limit):
                pieces.extend(_old_split_clauses(part, limit))
            return pieces
    return _old_split_words(sentence, limit)


def test_clauses_are_split_as_they_were() -> None:
    for text in _strings(("a", " ", ";", ":", ",", "\u2014", "and", "b"), 4):
        for limit in (1, 2, 4, 7):
            assert split_clauses(text, limit) == _old_split_clauses(text, limit), (text, limit)
    pieces = ("a", " ", "  ", "; ", ": ", ", ", " \u2014 ", "\u2014 ", ", and ", ", which ", "bb", ",", ";")
    chance = random.Random("clauses")
    for number in range(1000):
        # Every tenth of them holds hundreds of clauses: more than one cut of 200.
        longest = 1500 if number % 10 == 0 else 60
        text = "".join(chance.choice(pieces) for _ in range(chance.randint(5, longest)))
        for limit in (3, 10, 40):
            assert split_clauses(text, limit) == _old_split_clauses(text, limit), (text, limit)


def test_a_sentence_of_a_million_clauses_or_one_long_word_is_split() -> None:
    pieces = split_clauses("ab, " * 300_000, 160)
    assert " ".join(pieces) == ("ab, " * 300_000).strip() and max(map(len, pieces)) <= 160
    assert split_clauses("a" * 4_000_000, 160) == ["a" * 160] * 25_000


def test_shortening_never_ends_on_a_word_that_needs_more_after_it() -> None:
    # Node.js's corepack.md gave "It exposes binary proxies for each supported package manager that."
    sentence = (
        "It exposes binary proxies for each supported package manager that, when called, will identify "
        "whatever package manager is configured for the current project."
    )
    assert shorten_sentence(sentence, 100) is None


def test_shortening_a_sentence_that_opens_where_a_clause_would_be_cut_gives_up() -> None:
    # Node.js's BUILDING.md: a cut at the sentence's very start left nothing, and the deck failed.
    assert shorten_sentence("; " + "word " * 40 + "end.", 40) is None


def test_shortening_never_cuts_before_a_which_without_its_comma() -> None:
    # Node.js's technical values gave "…people new to the project in order to better understand."
    # and http.md "Different from its `socket` value.": without a comma, "which" opens what the
    # words before it need (an object, a defining clause), and the head alone says something else.
    sentence = (
        "We hope they are useful to people new to the project in order to better understand which "
        "contributions will be aligned with the current direction."
    )
    assert shorten_sentence(sentence, 100) is None
    sentence = (
        "The queue keeps every job for a day, which is long enough to replay a whole batch after an "
        "outage of the workers."
    )
    assert shorten_sentence(sentence, 60) == "The queue keeps every job for a day."


def test_shortening_never_leaves_a_bracket_open_half_an_either_or_an_after_clause_alone() -> None:
    # Node.js's crypto.md, url.md and cluster.md gave "…encryption mode (`GCM`, `CCM`, `OCB`.",
    # "The `query` property is either the query string without the leading mark." and "After
    # calling `listen()` from a worker."
    sentence = (
        "When using an authenticated encryption mode (`GCM`, `CCM`, `OCB`, and `chacha20` are "
        "supported), the method sets the value used for the additional authenticated data input."
    )
    assert shorten_sentence(sentence, 100) is None
    sentence = (
        "The `query` property is either the query string without the leading ASCII question mark, "
        "or an object returned by the parse method of the querystring module."
    )
    assert shorten_sentence(sentence, 100) is None
    sentence = (
        "After calling `listen()` from a worker, the `'listening'` event is also emitted on the server."
    )
    assert shorten_sentence(sentence, 60) is None
