"""A loopback OpenAI-compatible server scripted as a deck-writing model, and a deckgen server using it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from deckgen.v1 import presentation_service_pb2 as spb
from tests.support.deck_model import DeckModel
from tests.support.fake_llm import FakeLLMServer
from tests.support.servers import RunningServer, running_server, server_settings

API_KEY = "sk-test-primary"


@pytest.fixture
def llm() -> Iterator[FakeLLMServer]:
    with FakeLLMServer(api_key=API_KEY) as server:
        server.responder = DeckModel().respond
        yield server
        assert not server.errors, server.errors


def llm_settings(storage: Path, llm: FakeLLMServer, **overrides: str) -> dict[str, str]:
    return {
        "OPENAI_BASE_URL": llm.base_url,
        "OPENAI_API_KEY": API_KEY,
        "LLM_SLIDE_MODEL": "fake-slides",
        "LLM_OUTLINE_MODEL": "fake-outline",
        "LLM_RETRY_BASE_DELAY": "0.01",
        "CACHE_ENABLED": "false",
        **overrides,
    }


@asynccontextmanager
async def llm_server(storage: Path, llm: FakeLLMServer, **overrides: str) -> AsyncIterator[RunningServer]:
    settings = server_settings(storage, **llm_settings(storage, llm, **overrides))
    async with running_server(settings) as server:
        yield server


async def generate(
    server: RunningServer, request: spb.GeneratePresentationRequest
) -> list[spb.GenerationEvent]:
    return [event async for event in server.stub.GeneratePresentation(request, timeout=60)]


def kinds(events: list[spb.GenerationEvent]) -> list[str]:
    return [event.WhichOneof("event") or "" for event in events]


def warnings(events: list[spb.GenerationEvent]) -> dict[str, list[spb.GenerationEvent]]:
    found: dict[str, list[spb.GenerationEvent]] = {}
    for event in events:
        if event.HasField("warning"):
            found.setdefault(event.warning.code, []).append(event)
    return found
