"""Fixtures: a real server on a free loopback port with its artifacts under a temporary directory."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests.support.hostile import PictureServer
from tests.support.servers import RunningServer, running_server, server_settings

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
