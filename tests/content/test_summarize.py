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
