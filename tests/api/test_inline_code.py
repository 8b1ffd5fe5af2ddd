"""Code spans and markers in a document reach the deck as written: `__init__.py` in backticks is
code (monospace), never a bold "init.py"; snake_case and 2*3*4 in prose stay as typed. Generated
without a model, read back from the PPTX the caller downloads."""

from __future__ import annotations

from typing import Any

from deckgen.v1 import presentation_pb2 as pb
from deckgen.v1 import presentation_service_pb2 as spb
from tests.support.decks import open_deck, text_runs
from tests.support.servers import RunningServer

MONOSPACE = "Courier New"

MARKDOWN = b"""# Packaging a Python library

## Layout

Every package needs an `__init__.py` file next to its modules. Keyword helpers accept `**kwargs` and
the docs build reads every `*.md` file.

## Naming

Functions follow the snake_case_name style. The test grid holds 2*3*4 cells, one per case.

## Releases

Tag each release before you publish it. The changelog lists what changed since the last tag.
"""

PLAIN = b"""Packaging notes

Every package needs an __init__.py file next to its modules. The test grid holds 2*3*4 cells.

Tag each release before you publish it. The changelog lists what changed since the last tag.
"""


async def _deck(server: RunningServer, source: spb.SourceDocument) -> tuple[list[pb.Slide], list[Any]]:
    """The streamed slides and every text run of the downloaded PPTX."""
    request = spb.GeneratePresentationRequest(sources=[source], slide_count=5)
    events = [event async for event in server.stub.GeneratePresentation(request, timeout=60)]
    slides = [event.slide.slide for event in events if event.HasField("slide")]
    completed = events[-1].completed.presentation
    assert completed.state == pb.Presentation.STATE_SUCCEEDED
    name = completed.artifacts[0].name
    chunks = [c async for c in server.stub.DownloadArtifact(spb.DownloadArtifactRequest(name=name))]
    return slides, text_runs(open_deck(b"".join(chunk.data for chunk in chunks)))


def _cut(runs: list[Any]) -> list[str]:
    """Runs showing part of "__init__.py" (its underscores read as a bold marker)."""
    return [run.text for run in runs if "init" in run.text and "__init__.py" not in run.text]


async def test_code_spans_of_a_markdown_document_are_code_on_the_slide(server: RunningServer) -> None:
    source = spb.SourceDocument(name="packaging.md", media_type="text/markdown", content=MARKDOWN)
    slides, runs = await _deck(server, source)

    # The slide text is inline Markdown: the code span travels as one, for every client to draw.
    bullets = [bullet.text for slide in slides for bullet in slide.bullets]
    assert "Every package needs an `__init__.py` file next to its modules." in bullets
    code = {run.text: run.font.name for run in runs if run.font.name == MONOSPACE}
    assert {"__init__.py", "**kwargs", "*.md"} <= set(code), code
    assert not _cut(runs), "a code span read as bold"
    assert not any(run.font.bold for run in runs if run.text == "__init__.py")
    shown = "".join(run.text for run in runs)
    assert "every package needs an __init__.py file" in shown.casefold()
    # Prose keeps its underscores and asterisks, in the slide's own font.
    prose = [run for run in runs if "snake_case_name" in run.text or "2*3*4" in run.text]
    assert len(prose) == 2 and all(run.font.name != MONOSPACE for run in prose), [r.text for r in prose]
    assert not any(run.font.italic for run in runs)


async def test_markers_in_a_plain_text_document_are_shown_as_written(server: RunningServer) -> None:
    source = spb.SourceDocument(name="packaging.txt", media_type="text/plain", content=PLAIN)
    _, runs = await _deck(server, source)
    shown = "".join(run.text for run in runs)
    assert "needs an __init__.py file" in shown and "holds 2*3*4 cells" in shown
    assert not _cut(runs) and not any(run.font.italic for run in runs)
