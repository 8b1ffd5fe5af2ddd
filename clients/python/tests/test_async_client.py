"""The asyncio client: the same behaviour as the blocking one, over `grpc.aio`."""

from __future__ import annotations

from pathlib import Path

import grpc
import pytest
from google.rpc import error_details_pb2

from deckgen.client import (
    AsyncDeckgenClient,
    DataLossError,
    InvalidArgumentError,
    UnavailableError,
    acollect_outline,
    make_brand,
)
from deckgen.v1.presentation_pb2 import Deck, Layout, Theme

from .fake_service import ARTIFACT, PRESENTATION, Failure, FakeService, outline_events, token


async def test_resume_without_duplicates(target: str, service: FakeService) -> None:
    service.break_after = 4
    service.replay = 3

    async with AsyncDeckgenClient(target) as client:
        sequences = [e.sequence async for e in client.generate_presentation(topic="Tide pools")]

    assert sequences == list(range(1, len(service.events) + 1))
    first, resumed = service.requests
    assert resumed.resume_token == token(4)
    assert resumed.request_id == first.request_id


async def test_gives_up_after_max_resumes(target: str, service: FakeService) -> None:
    service.break_after = 1
    service.breaks = 10

    async with AsyncDeckgenClient(target) as client:
        with pytest.raises(UnavailableError):
            async for _ in client.generate_presentation(topic="Tide pools", max_resumes=1):
                pass

    assert len(service.requests) == 2


async def test_error_mapping(target: str, service: FakeService) -> None:
    violation = error_details_pb2.BadRequest.FieldViolation(field="deck", description="required")
    service.failure = Failure(
        grpc.StatusCode.INVALID_ARGUMENT,
        "invalid request",
        [
            error_details_pb2.ErrorInfo(reason="DECK_REQUIRED"),
            error_details_pb2.BadRequest(field_violations=[violation]),
        ],
    )

    async with AsyncDeckgenClient(target) as client:
        with pytest.raises(InvalidArgumentError) as raised:
            await client.render_presentation(Deck())

    assert raised.value.reason == "DECK_REQUIRED"
    assert raised.value.field_violations == [("deck", "required")]


async def test_unary_calls(target: str, service: FakeService) -> None:
    service.themes = [Theme(id=f"t{i}") for i in range(3)]

    async with AsyncDeckgenClient(target) as client:
        themes = await client.list_themes(page_size=2)
        slide = await client.regenerate_slide(PRESENTATION, 1, "more detail")
        presentation = await client.get_presentation(PRESENTATION)

    assert [t.id for t in themes] == ["t0", "t1", "t2"]
    assert (slide.index, slide.title) == (1, "more detail")
    assert presentation.name == PRESENTATION


async def test_collect_outline(target: str, service: FakeService) -> None:
    service.events = outline_events(2)

    async with AsyncDeckgenClient(target) as client:
        outline = await acollect_outline(client.generate_outline(topic="Tide pools"))

    assert [i.title for i in outline.items] == ["O0", "O1"]


async def test_download_resumes_and_writes_atomically(
    target: str, service: FakeService, tmp_path: Path
) -> None:
    service.artifact_content = bytes(range(50))
    service.download_break_after_chunks = 5

    async with AsyncDeckgenClient(target) as client:
        assert await client.download_artifact(ARTIFACT) == service.artifact_content
        service.download_break_after_chunks = 2
        written = await client.download_artifact_to(ARTIFACT, tmp_path / "out.pptx")

    assert [r.offset for r in service.requests] == [0, 20, 0, 8]
    assert _files(tmp_path) == {"out.pptx": service.artifact_content}
    assert written == tmp_path / "out.pptx"


async def test_download_sha256_mismatch_leaves_no_file(
    target: str, service: FakeService, tmp_path: Path
) -> None:
    service.artifact_content = b"deck bytes"
    service.wrong_sha256 = True

    async with AsyncDeckgenClient(target) as client:
        with pytest.raises(DataLossError):
            await client.download_artifact_to(ARTIFACT, tmp_path / "out.pptx")

    assert _files(tmp_path) == {}


def _files(directory: Path) -> dict[str, bytes]:
    # Blocking reads are fine here: the test's client calls are over.
    return {path.name: path.read_bytes() for path in directory.iterdir()}


async def test_a_token_callable_authenticates_every_call(target: str, service: FakeService) -> None:
    issued = iter(["token-1", "token-2-refreshed"])
    async with AsyncDeckgenClient(target, token=lambda: next(issued)) as client:
        await client.get_presentation(PRESENTATION)
        await client.get_presentation(PRESENTATION)
    assert [m["authorization"] for m in service.metadata] == ["Bearer token-1", "Bearer token-2-refreshed"]


async def test_templates_and_brand(target: str, service: FakeService) -> None:
    async with AsyncDeckgenClient(target) as client:
        created = await client.create_template(b"PK template", display_name="Lab")
        fetched = await client.get_template(created)
        events = [
            e
            async for e in client.generate_presentation(
                topic="Tide pools",
                template=created.name,
                brand=make_brand(primary_color="112233"),
                allowed_layouts=["timeline"],
                slide_numbers=True,
                footer="Lab",
            )
        ]

    assert fetched.display_name == "Lab"
    assert events[-1].HasField("completed")
    request = service.requests[-1]
    assert request.template == created.name
    assert request.brand.primary_color == "112233"
    assert list(request.allowed_layouts) == [Layout.LAYOUT_TIMELINE]
    assert request.slide_numbers is True
    assert request.footer == "Lab"
