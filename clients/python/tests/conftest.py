from __future__ import annotations

from collections.abc import Iterator

import pytest

from .fake_service import FakeService, start_server


@pytest.fixture
def service() -> FakeService:
    return FakeService()


@pytest.fixture
def target(service: FakeService) -> Iterator[str]:
    """The address of a real gRPC server on a free loopback port, serving `service`."""
    server, address = start_server(service)
    yield address
    server.stop(grace=None)
