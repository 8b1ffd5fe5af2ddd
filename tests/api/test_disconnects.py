"""A caller that goes away mid-stream is ordinary: the work stops and nothing is logged as an error."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from deckgen.domain import PresentationState
from deckgen.v1 import presentation_service_pb2 as spb
from tests.support.engines import SlowEngine
from tests.support.servers import RunningServer, running_server, server_settings

MD = "text/markdown"


@pytest.mark.parametrize("after", [1, 2, 3, 5, 8, 12])
async def test_a_client_disconnect_logs_no_error(
    tmp_path: Path, examples: Path, caplog: pytest.LogCaptureFixture, after: int
) -> None:
    content = (examples / "intro-to-grpc.md").read_bytes()
    request = spb.GeneratePresentationRequest(
        sources=[spb.SourceDocument(name="g.md", media_type=MD, content=content)], slide_count=8
    )
    engine = SlowEngine(0.1)
    with caplog.at_level(logging.INFO):
        # DETACH_GRACE=0: the work stops the moment its only reader leaves.
        async with running_server(server_settings(tmp_path / "a", DETACH_GRACE="0"), engine) as server:
            call = server.stub.GeneratePresentation(request)
            first = await call.read()
            presentation_id = first.accepted.presentation.name.split("/")[1]
            for _ in range(after - 1):
                await call.read()
            call.cancel()
            await asyncio.wait_for(_ended(server, presentation_id), 30)
            # The work stopped, and the server unwinds the call before it stops.
            assert (await server.app.service.get(presentation_id)).state is PresentationState.CANCELLED
            await asyncio.sleep(0.5)
            assert (await server.stub.ListThemes(spb.ListThemesRequest())).themes
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == [], [r.getMessage() for r in errors]


async def _ended(server: RunningServer, presentation_id: str) -> None:
    for _ in range(10_000):
        if (await server.app.service.get(presentation_id)).state.terminal:
            return
        await asyncio.sleep(0.05)
