"""Ownership: for every RPC, another principal cannot see or touch the first one's resources."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import grpc
import pytest

from deckgen.v1 import presentation_pb2 as pb
from deckgen.v1 import presentation_service_pb2 as spb
from tests.api.test_templates import default_template
from tests.support.identity import Caller, api_key_caller
from tests.support.redis import REDIS_URL, isolated_prefix
from tests.support.servers import RunningServer, running_server, server_settings
from tests.support.status import RichError, failure_of

MD = "text/markdown"
ALICE = api_key_caller("alice")
BOB = api_key_caller("bob")
AUDITOR = api_key_caller("auditor", "admin")


@pytest.fixture(params=["in-process", "redis"])
async def server(tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[RunningServer]:
    # With Redis the records (and their owners) live outside the process, as with replicas.
    async with isolated_prefix() as prefix:
        shared = {"REDIS_URL": REDIS_URL, "REDIS_KEY_PREFIX": prefix, "RESUME_TOKEN_SECRET": "k" * 32}
        if request.param != "redis":
            shared = {}
        settings = server_settings(
            tmp_path / "artifacts",
            AUTH_MODE="api_key",
            API_KEYS="\n".join(c.entry for c in (ALICE, BOB, AUDITOR)),
            **shared,
        )
        async with running_server(settings) as running:
            yield running


def _request(examples: Path, **fields: object) -> spb.GeneratePresentationRequest:
    source = spb.SourceDocument(
        name="g.md", media_type=MD, content=(examples / "intro-to-grpc.md").read_bytes()
    )
    return spb.GeneratePresentationRequest(sources=[source], slide_count=4, **fields)  # type: ignore[arg-type]


async def _generate(
    server: RunningServer, caller: Caller, request: spb.GeneratePresentationRequest
) -> list[spb.GenerationEvent]:
    return [event async for event in server.stub.GeneratePresentation(request, metadata=caller.metadata)]


def _assert_hidden(error: RichError, resource_type: str, name: str) -> None:
    assert error.code == grpc.StatusCode.NOT_FOUND
    assert error.resource == (resource_type, name)
    assert error.message == f"{name} does not exist" or error.message.startswith(f"{name} does not exist")


async def test_another_principal_cannot_see_or_touch_a_presentation(
    server: RunningServer, examples: Path
) -> None:
    events = await _generate(server, ALICE, _request(examples))
    presentation = events[-1].completed.presentation
    name = presentation.name
    artifact = presentation.artifacts[0].name
    stub = server.stub

    # Alice, the owner, sees everything.
    assert (
        await stub.GetPresentation(spb.GetPresentationRequest(name=name), metadata=ALICE.metadata)
    ).name == name
    # Bob gets exactly what a presentation that never existed gets.
    missing = f"presentations/{uuid.uuid4()}"
    for target in (name, missing):
        error = await failure_of(
            stub.GetPresentation(spb.GetPresentationRequest(name=target), metadata=BOB.metadata)
        )
        _assert_hidden(error, "deckgen.v1.Presentation", target)
        download = stub.DownloadArtifact(
            spb.DownloadArtifactRequest(name=f"{target}/artifacts/deck.pptx"), metadata=BOB.metadata
        )
        _assert_hidden(await failure_of(download), "deckgen.v1.Presentation", target)
        regenerate = stub.RegenerateSlide(
            spb.RegenerateSlideRequest(presentation=target, slide_index=1, instruction="shorter"),
            metadata=BOB.metadata,
        )
        _assert_hidden(await failure_of(regenerate), "deckgen.v1.Presentation", target)
    # Alice's resume token is worthless to Bob: it does not verify for him.
    replay = stub.GeneratePresentation(
        spb.GeneratePresentationRequest(resume_token=events[0].resume_token), metadata=BOB.metadata
    )
    error = await failure_of(replay)
    assert error.code == grpc.StatusCode.INVALID_ARGUMENT and "resume_token" in error.violations

    # An admin reads everything.
    seen = await stub.GetPresentation(spb.GetPresentationRequest(name=name), metadata=AUDITOR.metadata)
    assert seen.name == name
    chunks = [
        c
        async for c in stub.DownloadArtifact(
            spb.DownloadArtifactRequest(name=artifact), metadata=AUDITOR.metadata
        )
    ]
    assert sum(len(c.data) for c in chunks) == presentation.artifacts[0].size_bytes


async def test_a_rendered_presentation_belongs_to_its_caller(server: RunningServer) -> None:
    deck = pb.Deck(title="Mine", slides=[pb.Slide(layout=pb.LAYOUT_BULLETS, title="One")])
    rendered = await server.stub.RenderPresentation(
        spb.RenderPresentationRequest(deck=deck), metadata=ALICE.metadata
    )
    name = rendered.presentation.name
    error = await failure_of(
        server.stub.GetPresentation(spb.GetPresentationRequest(name=name), metadata=BOB.metadata)
    )
    _assert_hidden(error, "deckgen.v1.Presentation", name)


async def test_request_ids_are_per_principal(server: RunningServer, examples: Path) -> None:
    request_id = str(uuid.uuid4())
    alice = await _generate(server, ALICE, _request(examples, request_id=request_id))
    bob = await _generate(server, BOB, _request(examples, request_id=request_id))
    # Bob's identical request with the same id is his own generation, not a view of Alice's.
    assert bob[0].presentation != alice[0].presentation
    assert bob[-1].HasField("completed")


async def test_templates_are_stored_per_owner(server: RunningServer, examples: Path) -> None:
    content = default_template()
    stub = server.stub
    alices = await stub.CreateTemplate(
        spb.CreateTemplateRequest(template=pb.Template(display_name="Alice brand"), content=content),
        metadata=ALICE.metadata,
    )
    # Bob uploads the very same file: he gets a template of his own, not Alice's record.
    bobs = await stub.CreateTemplate(
        spb.CreateTemplateRequest(template=pb.Template(display_name="Bob brand"), content=content),
        metadata=BOB.metadata,
    )
    assert bobs.name != alices.name and bobs.display_name == "Bob brand"
    assert (
        await stub.GetTemplate(spb.GetTemplateRequest(name=alices.name), metadata=ALICE.metadata)
    ) == alices
    error = await failure_of(
        stub.GetTemplate(spb.GetTemplateRequest(name=alices.name), metadata=BOB.metadata)
    )
    _assert_hidden(error, "deckgen.v1.Template", alices.name)
    # Nor can he draw with it, by generation or by render.
    error = await failure_of(
        stub.GeneratePresentation(_request(examples, template=alices.name), metadata=BOB.metadata)
    )
    _assert_hidden(error, "deckgen.v1.Template", alices.name)
    deck = pb.Deck(title="T", template=alices.name, slides=[pb.Slide(layout=pb.LAYOUT_BULLETS, title="x")])
    error = await failure_of(
        stub.RenderPresentation(spb.RenderPresentationRequest(deck=deck), metadata=BOB.metadata)
    )
    _assert_hidden(error, "deckgen.v1.Template", alices.name)
    # Alice can, and an admin can read the record.
    events = await _generate(server, ALICE, _request(examples, template=alices.name))
    assert events[-1].HasField("completed")
    assert (
        await stub.GetTemplate(spb.GetTemplateRequest(name=alices.name), metadata=AUDITOR.metadata)
    ) == alices


async def test_list_themes_is_open_to_every_authenticated_caller(server: RunningServer) -> None:
    for caller in (ALICE, BOB):
        assert (await server.stub.ListThemes(spb.ListThemesRequest(), metadata=caller.metadata)).themes
