"""The source converter's children: a conversion that crashes or swells ends its child, never the
caller's process, and the next conversion gets a fresh child. Markdown tidying of converted text."""

from __future__ import annotations

import asyncio
import os
import signal

import pytest

from deckgen.domain import InvalidRequest, SourceDocument
from deckgen.providers.export import Sandbox
from deckgen.providers.sources import SourceConverter
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
