"""Fixtures: a real server on a free loopback port with its artifacts under a temporary directory."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from deckgen.grpc_core import apply_core_defaults

# The in-process servers run with gRPC's core set as `deckgen serve` sets it.
assert apply_core_defaults(), "grpc was imported before the test session could set its core up"

from tests.support.hostile import PictureServer  # noqa: E402
from tests.support.servers import RunningServer, running_server, server_settings  # noqa: E402

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[RunningServer]:
    async with running_server(server_settings(tmp_path / "artifacts")) as running:
        yield running


@pytest.fixture
def examples() -> Path:
    return EXAMPLES


@pytest.fixture
def pictures() -> Iterator[PictureServer]:
    """A loopback HTTP server serving a picture, counting who connects to it."""
    with PictureServer() as server:
        yield server
