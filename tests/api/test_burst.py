"""A burst of decks without a model: every call reaches its first slide before anyone's later work."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from deckgen.pipeline import FirstSlides
from deckgen.v1 import presentation_pb2 as pb
from deckgen.v1 import presentation_service_pb2 as spb
from tests.support.servers import RunningServer, running_server, server_settings

DECKS = 16


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[RunningServer]:
    settings = server_settings(tmp_path / "artifacts", MAX_CONCURRENT_GENERATIONS=str(DECKS * 2))
    async with running_server(settings) as running:
        yield running


def request(examples: Path, number: int) -> spb.GeneratePresentationRequest:
    # Distinct documents: each deck is parsed and planned on its own, nothing is shared.
    content = (examples / "intro-to-grpc.md").read_bytes() + f"\n\nCopy number {number}.\n".encode()
    source = spb.SourceDocument(name="intro-to-grpc.md", media_type="text/markdown", content=content)
    return spb.GeneratePresentationRequest(
        sources=[source], slide_count=8, output_formats=[pb.ARTIFACT_FORMAT_PPTX]
    )


async def test_every_first_slide_of_a_burst_comes_before_any_deck_goes_on(
    server: RunningServer, examples: Path
) -> None:
    received: list[tuple[int, str, float]] = []
    """(deck, event kind, when the server produced it) of every event of every deck."""

    async def deck(number: int) -> None:
        async for event in server.stub.GeneratePresentation(request(examples, number), timeout=120):
            kind = event.WhichOneof("event")
            assert kind is not None
            received.append((number, kind, event.create_time.ToNanoseconds() / 1e9))

    await asyncio.gather(*(deck(n) for n in range(DECKS)))

    assert sum(kind == "completed" for _, kind, _ in received) == DECKS
    # Each stream relays its events at its own pace, so the order across streams is the server's:
    # when each event was produced. No deck went past its first slide (its next events, its
    # file) before the last deck had produced its first.
    first_slides: dict[int, float] = {}
    later: list[float] = []
    for number, kind, produced in received:
        if number in first_slides:
            later.append(produced)
        elif kind == "slide":
            first_slides[number] = produced
    assert len(first_slides) == DECKS
    assert max(first_slides.values()) <= min(later)


async def test_later_work_waits_for_first_slides_but_not_for_ever() -> None:
    first = FirstSlides(patience=0.3, quiet=0.05, at_once=1)
    first.expect("a")
    first.expect("b")
    first.reached("a")
    waiting = asyncio.create_task(first.later("a"))
    await asyncio.sleep(0.02)
    assert not waiting.done()  # b owes its first slide
    first.reached("b")
    await asyncio.sleep(0.02)
    assert not waiting.done()  # b arrived less than `quiet` ago: more calls of a burst may follow
    await asyncio.wait_for(waiting, 1)

    # One generation goes on at a time; the next when it ends.
    second = asyncio.create_task(first.later("b"))
    await asyncio.sleep(0.1)
    assert not second.done()
    first.forget("a")
    await asyncio.wait_for(second, 1)

    # New calls arriving all the time hold a generation back for `patience` seconds at most.
    first.forget("b")
    first.expect("c")
    started = time.monotonic()
    await asyncio.wait_for(first.later("d"), 2)
    assert 0.25 <= time.monotonic() - started < 1.5
