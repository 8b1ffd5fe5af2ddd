"""Cleaning a deck of what an Office file cannot hold."""

from __future__ import annotations

from deckgen.domain import Bullet, Column, Deck, Layout, Slide, clean_deck, unquoted


def deck(*slides: Slide, title: str = "Deck") -> Deck:
    return Deck(title=title, subtitle="", language="en", theme="default", slides=slides)


def test_characters_xml_cannot_hold_are_removed_wherever_they_are() -> None:
    dirty = deck(
        Slide(Layout.BULLETS, "Plain", bullets=(Bullet("fine"), Bullet("bell\x07 and\x00 nul", 1))),
        Slide(
            Layout.TWO_COLUMNS,
            "Sides\x1b",
            left=Column("Left", (Bullet("ok"),)),
            right=Column("Right\ufffe", (Bullet("x\x0by"),)),
            notes="tab\tand newline\n stay",
        ),
        title="Title\x0c",
    )

    cleaned = clean_deck(dirty)

    assert cleaned.title == "Title"
    first, second = cleaned.slides
    assert [b.text for b in first.bullets] == ["fine", "bell and nul"]
    assert first.bullets[1].level == 1
    assert second.title == "Sides"
    assert second.right is not None and second.right.heading == "Right"
    assert [b.text for b in second.right.bullets] == ["xy"]
    assert second.notes == "tab\tand newline\n stay"
    # What was clean is kept as it was.
    assert first.bullets[0] is dirty.slides[0].bullets[0]
    assert second.left is dirty.slides[1].left


def test_a_clean_deck_comes_back_equal() -> None:
    clean = deck(Slide(Layout.BULLETS, "One", bullets=(Bullet("a"), Bullet("b"))), title="T" * 300)
    cleaned = clean_deck(clean)
    assert cleaned.slides is clean.slides
    assert cleaned.title == "T" * 254 + "\u2026"  # document properties are still cut to length


def test_marks_around_a_whole_quote_go_so_that_a_slide_sets_its_own() -> None:
    assert (
        unquoted("\u201cA check that never fails proves nothing.\u201d")
        == "A check that never fails proves nothing."
    )
    assert unquoted('"Less is more."') == "Less is more."
    assert unquoted("\u300c太陽光は最も安い。\u300d") == "太陽光は最も安い。"
    # Marks around a part of it, or none, stay.
    for text in ("\u201cA\u201d and \u201cB\u201d", "Less is \u201cmore\u201d.", "Plain", "\u201c", '""'):
        assert unquoted(text) == text
