"""Grounding: the example documents cut into cited chunks, BM25 selection, and the outline digest."""

from __future__ import annotations

import re

import pytest

from deckgen.content.llm._grounding import Chunk, chunk_sources, digest, select
from deckgen.domain import SourceDocument, SourceRef

from ._helpers import EXAMPLES, example

NAMES = ("field-notes.txt", "intro-to-grpc.md", "quarterly-report.md")
LINES = re.compile(r"lines (\d+)-(\d+)")


def all_chunks(max_chars: int = 1200) -> list[Chunk]:
    return chunk_sources([example(name) for name in NAMES], max_chars=max_chars)


def of(chunks: list[Chunk], document: str) -> list[Chunk]:
    return [chunk for chunk in chunks if chunk.document == document]


def file_lines(name: str) -> list[str]:
    return (EXAMPLES / name).read_text(encoding="utf-8").splitlines()


def without_last_paragraph(text: str) -> str:
    return text.rsplit("\n\n", 1)[0] if "\n\n" in text else ""


# -- chunk_sources -----------------------------------------------------------------------------------


def test_ids_are_sequential_across_documents_and_refs_point_back() -> None:
    chunks = all_chunks()
    assert [c.id for c in chunks] == [f"S{i}" for i in range(1, len(chunks) + 1)]
    assert [c.document for c in chunks] == sorted((c.document for c in chunks), key=NAMES.index)
    assert {c.document for c in chunks} == set(NAMES)
    for chunk in chunks:
        assert chunk.ref == SourceRef(chunk.document, chunk.locator)
        assert chunk.text == chunk.text.strip() and chunk.text
        assert sum(chunk.terms.values()) > 0


def test_markdown_locators_are_heading_paths() -> None:
    intro = of(all_chunks(), "intro-to-grpc.md")
    headings = [line.lstrip("# ") for line in file_lines("intro-to-grpc.md") if line.startswith("## ")]
    assert [c.locator for c in intro] == [
        "An Introduction to gRPC",
        *(f"An Introduction to gRPC > {heading}" for heading in headings),
    ]
    for chunk in intro:
        # The text starts with the heading it sits under, so the model sees what the passage is about.
        assert chunk.text.startswith(chunk.locator.split(" > ")[-1] + "\n")

    report = {c.locator for c in of(all_chunks(), "quarterly-report.md")}
    assert "Northwind Outfitters: Q3 Report > Rental programme: pros and cons > Pros" in report
    assert "Northwind Outfitters: Q3 Report > Rental programme: pros and cons > Cons" in report
    # A level-2 heading after a level-3 one drops back to two levels.
    assert "Northwind Outfitters: Q3 Report > Risks" in report
    # The section with only subsections and no text of its own gives no chunk.
    assert "Northwind Outfitters: Q3 Report > Rental programme: pros and cons" not in report


def test_markdown_is_recognised_by_name_as_well_as_media_type() -> None:
    content = b"# Title\n\nIntro text.\n\n## Part\n\nPart text.\n"
    by_type = chunk_sources([SourceDocument("notes", "text/markdown", content)])
    by_name = chunk_sources([SourceDocument("notes.md", "text/plain", content)])
    as_text = chunk_sources([SourceDocument("notes.txt", "text/plain", content)])
    assert [c.locator for c in by_type] == ["Title", "Title > Part"]
    assert [c.locator for c in by_name] == ["Title", "Title > Part"]
    assert [c.locator for c in as_text] == ["lines 1-7"]
    assert as_text[0].text == content.decode().strip()


@pytest.mark.parametrize("max_chars", [200, 300, 1200])
def test_plain_text_locators_are_line_ranges_of_exactly_the_chunk_text(max_chars: int) -> None:
    lines = file_lines("field-notes.txt")
    notes = of(all_chunks(max_chars), "field-notes.txt")
    previous_end = 0
    for chunk in notes:
        match = LINES.fullmatch(chunk.locator)
        assert match, chunk.locator
        start, end = int(match.group(1)), int(match.group(2))
        assert previous_end < start <= end
        assert lines[start - 1].strip(), "a range starts on a line with text"
        assert "\n".join(lines[start - 1 : end]).strip() == chunk.text
        previous_end = end
    assert notes[0].locator.startswith("lines 1-")


def test_plain_text_line_ranges_stay_inside_the_file() -> None:
    count = len(file_lines("field-notes.txt"))
    for chunk in of(all_chunks(), "field-notes.txt"):
        match = LINES.fullmatch(chunk.locator)
        assert match and int(match.group(2)) <= count, chunk.locator


@pytest.mark.parametrize("max_chars", [200, 300, 600, 1200])
def test_long_sections_are_cut_at_paragraph_breaks_once_past_max_chars(max_chars: int) -> None:
    chunks = all_chunks(max_chars)
    for chunk in chunks:
        heading = 0 if chunk.locator.startswith("lines ") else len(chunk.locator.split(" > ")[-1]) + 1
        # Only the paragraph that carried a chunk past the budget can stick out of it.
        assert len(without_last_paragraph(chunk.text)) <= max_chars + heading, chunk.id
    # A smaller budget cuts more finely, always at paragraph breaks (never mid-paragraph).
    assert len(chunks) > len(all_chunks(max_chars * 2)) or max_chars == 1200
    whole = "\n".join(file_lines("field-notes.txt"))
    for chunk in of(chunks, "field-notes.txt"):
        assert chunk.text in whole


def test_the_default_cuts_the_examples_into_several_chunks_each() -> None:
    chunks = all_chunks()
    assert len(of(chunks, "field-notes.txt")) >= 2
    assert len(of(chunks, "intro-to-grpc.md")) == 10
    assert max(len(c.text) for c in chunks) < 2 * 1200


def test_chunks_stay_within_max_chars_where_a_paragraph_break_allows() -> None:
    for chunk in of(all_chunks(1200), "field-notes.txt"):
        assert len(chunk.text) <= 1200 or "\n\n" not in chunk.text, (chunk.locator, len(chunk.text))


def test_empty_documents_give_no_chunks() -> None:
    assert chunk_sources([]) == []
    assert chunk_sources([SourceDocument("empty.md", "text/markdown", b"\n\n# Only a heading\n\n")]) == []


# -- select ------------------------------------------------------------------------------------------


def test_select_prefers_the_passage_about_the_query() -> None:
    chunks = all_chunks(300)
    (chosen,) = select(chunks, "the spotted redshank and the silting drainage ditch", budget_chars=400)
    assert chosen.document == "field-notes.txt"
    assert chosen.text.startswith("Day two")

    travel = select(chunks, "HTTP/2 trailers multiplexing", budget_chars=800)
    assert travel and all(c.locator.endswith("> How messages travel") for c in travel)

    rental = select(chunks, "rental programme pros cons", budget_chars=300)
    assert [c.locator.split(" > ")[-1] for c in rental] == ["Pros", "Cons"]


@pytest.mark.parametrize("budget", [500, 1000, 2500, 6000])
def test_select_respects_the_budget_and_keeps_document_order(budget: int) -> None:
    chunks = all_chunks(300)
    chosen = select(chunks, "deadlines retries load balancing status codes redshank", budget_chars=budget)
    assert chosen
    # Over budget only when the single best passage is longer than the whole budget.
    assert sum(len(c.text) for c in chosen) <= budget or len(chosen) == 1
    positions = [chunks.index(c) for c in chosen]
    assert positions == sorted(positions)
    assert len(set(positions)) == len(positions)


def test_select_returns_at_least_one_even_over_budget() -> None:
    chunks = all_chunks()
    (best,) = select(chunks, "redshank", budget_chars=1)
    assert len(best.text) > 1
    assert "redshank" in best.text
    assert len(select(chunks, "redshank", budget_chars=1, at_least=2)) == 2
    # Nothing matches: still one passage, so a slide is never left with no source at all.
    assert len(select(chunks, "zebra xylophone", budget_chars=5000)) == 1


def test_select_with_no_chunks_is_empty() -> None:
    assert select([], "anything", budget_chars=1000) == []


def test_select_matches_word_forms() -> None:
    chunks = chunk_sources(
        [
            SourceDocument("a.txt", "text/plain", b"Caching keeps hot data close."),
            SourceDocument("b.txt", "text/plain", b"Streams deliver results over time as they are streamed."),
            SourceDocument("c.txt", "text/plain", b"Budgets and forecasts for the year."),
        ]
    )
    assert [c.document for c in select(chunks, "streaming", budget_chars=60)] == ["b.txt"]


# -- digest ------------------------------------------------------------------------------------------


def digest_parts(text: str) -> list[tuple[str, str, str]]:
    """(id, "document: locator", text) for each part of a digest."""
    parts = []
    for block in text.split("\n\n["):
        header, _, body = block.lstrip("[").partition("\n")
        match = re.fullmatch(r"(S\d+)\] \((.*)\)", header)
        assert match, header
        parts.append((match.group(1), match.group(2), body))
    return parts


def test_digest_includes_every_chunk_in_full_when_all_fit() -> None:
    chunks = of(all_chunks(), "quarterly-report.md")
    total = sum(len(c.text) for c in chunks)
    parts = digest_parts(digest(chunks, total))
    assert [p[0] for p in parts] == [c.id for c in chunks]
    assert [p[1] for p in parts] == [f"{c.document}: {c.locator}" for c in chunks]
    assert [p[2] for p in parts] == [c.text for c in chunks]


@pytest.mark.parametrize("budget", [5000, 6000])
def test_digest_shortens_each_chunk_evenly_to_stay_near_the_budget(budget: int) -> None:
    chunks = all_chunks(300)
    assert sum(len(c.text) for c in chunks) > budget
    text = digest(chunks, budget)
    parts = digest_parts(text)
    assert [p[0] for p in parts] == [c.id for c in chunks]
    share = budget // len(chunks)
    assert share > 120  # above the floor that keeps every chunk readable
    for (_, _, body), chunk in zip(parts, chunks, strict=True):
        if body != chunk.text:
            assert body.endswith(" …")
            assert chunk.text.startswith(body.removesuffix(" …"))
            assert len(body) <= share + 2
    # The passages themselves fit the budget; only the citation headers come on top.
    assert sum(len(p[2]) for p in parts) <= budget + 2 * len(chunks)
    headers = sum(len(f"[{p[0]}] ({p[1]})\n") for p in parts) + 2 * (len(parts) - 1)
    assert len(text) <= budget + 2 * len(chunks) + headers


def test_digest_keeps_every_chunk_visible_even_with_a_tiny_budget() -> None:
    chunks = all_chunks()
    text = digest(chunks, 100)
    parts = digest_parts(text)
    assert [p[0] for p in parts] == [c.id for c in chunks]
    assert all(0 < len(p[2]) <= 120 + 2 for p in parts)
    assert digest([], 100) == ""
