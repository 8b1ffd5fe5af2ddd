"""What a worker that takes a job over keeps of what its readers already saw.

An API-only server takes the call; the test plays a first worker that claims the job, announces
part of it and hands it back (as a stopping worker does); then a worker server continues it. The
caller reads one stream throughout, over gRPC, and must never see the plan change under it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from deckgen.domain import Layout, Outline, OutlineItem
from deckgen.domain._events import (
    Event,
    OutlineItemReady,
    OutlineReady,
    Progress,
    Stage,
)
from deckgen.providers.queue import Claim
from deckgen.providers.redis import Keys, RedisEventLog, RedisJobQueue, connect
from deckgen.v1 import presentation_service_pb2 as spb
from tests.support.redis import REDIS_URL, isolated_prefix
from tests.support.servers import RunningServer, running_server, server_settings

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
SEEN = Outline(
    "The deck readers were shown",
    (
        OutlineItem("What readers saw first", Layout.BULLETS, ("one", "two")),
        OutlineItem("What readers saw second", Layout.BULLETS, ("three", "four")),
        OutlineItem("What readers saw third", Layout.BULLETS, ("five", "six")),
    ),
)


def sources() -> list[spb.SourceDocument]:
    content = (ROOT / "examples" / "intro-to-grpc.md").read_bytes()
    return [spb.SourceDocument(name="intro-to-grpc.md", media_type="text/markdown", content=content)]


@asynccontextmanager
async def server(tmp_path: Path, prefix: str, role: str) -> AsyncIterator[RunningServer]:
    settings = server_settings(
        tmp_path / "artifacts",
        REDIS_URL=REDIS_URL,
        REDIS_KEY_PREFIX=prefix,
        RESUME_TOKEN_SECRET="one-key-for-both-servers-of-this-test",
        ROLE=role,
        CACHE_ENABLED="false",
        JOB_LEASE="2",
    )
    async with running_server(settings) as running:
        yield running


async def first_worker_says(prefix: str, events: Callable[[str], Sequence[Event]]) -> str:
    """Claim the waiting job as a worker that announces `events(job id)` and then stops."""
    client = connect(REDIS_URL)
    try:
        keys = Keys(prefix)
        queue = RedisJobQueue(client, keys, partitions=1, capacity=10, lease=2)
        log = RedisEventLog(client, keys, retention=60, lifetime=60)
        claim: Claim | None = await queue.claim("first-worker", 5.0)
        assert claim is not None and claim.attempt == 1
        await log.fence(claim.job.id, claim.token)
        await log.append_many(
            claim.job.id, [(event, 0.0) for event in events(claim.job.id)], fence=claim.token
        )
        await queue.release(claim)  # handed back, as a worker stopping at the end of its grace does
        return claim.job.id
    finally:
        await client.aclose()


async def read(call: Any) -> list[spb.GenerationEvent]:
    return [event async for event in call]


def items(events: list[spb.GenerationEvent]) -> list[tuple[int, str]]:
    return [(e.outline_item.index, e.outline_item.item.title) for e in events if e.HasField("outline_item")]


def titles(outline: Any) -> list[str]:
    return [item.title for item in outline.items]


async def test_an_announced_outline_is_the_outline_after_a_takeover(tmp_path: Path) -> None:
    async with isolated_prefix() as prefix, server(tmp_path, prefix, "api") as api:
        call = api.stub.GenerateOutline(spb.GenerateOutlineRequest(sources=sources(), slide_count=3))
        reading = asyncio.ensure_future(read(call))
        await first_worker_says(
            prefix,
            lambda _: [
                Progress(Stage.OUTLINE, 0.01, "planning the outline"),
                *(OutlineItemReady(index, item) for index, item in enumerate(SEEN.items)),
                OutlineReady(SEEN),
            ],
        )
        async with server(tmp_path, prefix, "worker"):
            events = await asyncio.wait_for(reading, 60)
    assert events[-1].HasField("completed"), events[-1]
    assert items(events) == [(i, item.title) for i, item in enumerate(SEEN.items)]  # none again
    assert len([e for e in events if e.HasField("outline")]) == 1
    assert titles(events[-1].completed.presentation.outline) == [item.title for item in SEEN.items]


async def test_items_announced_before_a_takeover_stay_in_the_outline(tmp_path: Path) -> None:
    """Planning was cut off after two items: the plan is made again, but the two items readers have
    stay what they were, in the outline announced and in the deck's slides."""
    async with isolated_prefix() as prefix, server(tmp_path, prefix, "api") as api:
        request = spb.GeneratePresentationRequest(sources=sources(), slide_count=6)
        reading = asyncio.ensure_future(read(api.stub.GeneratePresentation(request)))
        await first_worker_says(
            prefix,
            lambda _: [
                Progress(Stage.OUTLINE, 0.01, "planning the outline"),
                OutlineItemReady(0, SEEN.items[0]),
                OutlineItemReady(1, SEEN.items[1]),
            ],
        )
        async with server(tmp_path, prefix, "worker"):
            events = await asyncio.wait_for(reading, 60)
    assert events[-1].HasField("completed"), events[-1]
    # The new plan is made at once (no model): the rest comes in the outline, and the two items
    # already announced are not announced again.
    assert items(events) == [(0, SEEN.items[0].title), (1, SEEN.items[1].title)]
    (outline,) = [e.outline.outline for e in events if e.HasField("outline")]
    assert len(outline.items) == 6 and titles(outline)[:2] == [SEEN.items[0].title, SEEN.items[1].title]
    assert titles(events[-1].completed.presentation.outline) == titles(outline)
    # Slides are written for the items kept, not for the ones the new plan had in their place.
    slides = {e.slide.slide.index: e.slide.slide.title for e in events if e.HasField("slide")}
    assert slides[0] == SEEN.items[0].title and slides[1] == SEEN.items[1].title, slides
