"""The blocking client against a real loopback server: streams, resume, unary calls, downloads."""

from __future__ import annotations

import hashlib
import threading
import time
import uuid
from collections.abc import Iterable
from pathlib import Path

import grpc
import pytest

from deckgen.client import (
    DataLossError,
    DeckgenClient,
    InvalidArgumentError,
    UnavailableError,
    event_kind,
)
from deckgen.v1.presentation_pb2 import Deck, Presentation, Slide, Theme
from deckgen.v1.presentation_service_pb2 import (
    DownloadArtifactRequest,
    GeneratePresentationRequest,
    GenerationEvent,
)

from .fake_service import ARTIFACT, PRESENTATION, Failure, FakeService, deck_events, start_server, token


def test_events_arrive_in_order(target: str, service: FakeService) -> None:
    with DeckgenClient(target) as client:
        events = list(client.generate_presentation(topic="Tide pools"))

    assert [e.sequence for e in events] == list(range(1, len(service.events) + 1))
    assert event_kind(events[0]) == "accepted"
    assert event_kind(events[-1]) == "completed"


def test_resume_continues_after_last_event_without_duplicates(target: str, service: FakeService) -> None:
    service.break_after = 3
    service.replay = 2  # the resumed stream repeats two events already delivered

    with DeckgenClient(target) as client:
        events = list(client.generate_presentation(topic="Tide pools", request_id="req-1"))

    assert [e.sequence for e in events] == list(range(1, len(service.events) + 1))
    first, resumed = service.requests
    assert isinstance(resumed, GeneratePresentationRequest)
    assert first.resume_token == ""
    assert resumed.resume_token == token(3)
    assert resumed.request_id == first.request_id == "req-1"


def test_resume_after_the_server_goes_away(service: FakeService) -> None:
    # A real connection loss: the server stops mid-stream and comes back on the same port.
    servers = [start_server(service)]
    address = servers[0][1]
    restarted = threading.Event()

    def restart_once(sent: int) -> None:
        if sent == 2 and not restarted.is_set():
            restarted.set()
            servers[0][0].stop(grace=None)
            servers.append(start_server(service, address))
            time.sleep(1)  # parked: this handler's stream is being cancelled

    service.on_event = restart_once
    try:
        with DeckgenClient(address) as client:
            events = list(client.generate_presentation(topic="Tide pools"))
    finally:
        for server, _ in servers:
            server.stop(grace=None)

    assert [e.sequence for e in events] == list(range(1, len(service.events) + 1))
    assert service.requests[-1].resume_token == token(2)


def test_default_request_id_is_one_uuid_for_all_resumes(target: str, service: FakeService) -> None:
    service.break_after = 2
    service.breaks = 2

    with DeckgenClient(target) as client:
        list(client.generate_presentation(topic="Tide pools"))

    ids = {request.request_id for request in service.requests}
    assert len(service.requests) == 3
    assert len(ids) == 1
    uuid.UUID(ids.pop())


def test_resume_gives_up_after_max_resumes(target: str, service: FakeService) -> None:
    service.break_after = 1
    service.breaks = 10
    received: list[int] = []

    with DeckgenClient(target) as client, pytest.raises(UnavailableError):
        _drain(client.generate_presentation(topic="Tide pools", max_resumes=2), received)

    assert len(service.requests) == 3
    assert received == [1, 2, 3]


def test_no_resume_when_disabled(target: str, service: FakeService) -> None:
    service.break_after = 2
    received: list[int] = []

    with DeckgenClient(target) as client, pytest.raises(UnavailableError):
        _drain(client.generate_presentation(topic="Tide pools", resume=False), received)

    assert received == [1, 2]
    assert len(service.requests) == 1


def test_break_before_any_event_is_not_resumed(target: str, service: FakeService) -> None:
    service.break_after = 0

    with DeckgenClient(target) as client, pytest.raises(UnavailableError):
        list(client.generate_presentation(topic="Tide pools"))

    assert len(service.requests) == 1


def test_invalid_arguments_raise_before_any_call(target: str, service: FakeService) -> None:
    with DeckgenClient(target) as client:
        with pytest.raises(ValueError, match="'beginner'"):
            client.generate_presentation(topic="x", audience_level="novice")
        with pytest.raises(TypeError):
            client.generate_presentation(sources=["not a source"])  # type: ignore[list-item]
    assert service.requests == []


def test_client_metadata_is_sent(target: str, service: FakeService) -> None:
    with DeckgenClient(target, metadata=[("x-api-key", "secret")]) as client:
        client.get_presentation(PRESENTATION)

    assert service.metadata[0]["x-api-key"] == "secret"


def test_unary_calls(target: str, service: FakeService) -> None:
    deck = Deck(title="Edited", slides=[Slide(title="One")])
    with DeckgenClient(target) as client:
        rendered = client.render_presentation(deck, "pdf")
        slide = client.regenerate_slide(Presentation(name=PRESENTATION), 2, "shorter")
        presentation = client.get_presentation(PRESENTATION)

    assert rendered.presentation.deck == deck
    assert service.requests[0].output_formats == [2]  # ARTIFACT_FORMAT_PDF
    uuid.UUID(service.requests[0].request_id)
    assert (slide.index, slide.title) == (2, "shorter")
    assert service.requests[1].presentation == PRESENTATION
    assert presentation.name == PRESENTATION


def test_list_themes_follows_page_tokens(target: str, service: FakeService) -> None:
    service.themes = [Theme(id=f"t{i}") for i in range(5)]

    with DeckgenClient(target) as client:
        themes = client.list_themes(page_size=2)

    assert [t.id for t in themes] == ["t0", "t1", "t2", "t3", "t4"]
    assert [r.page_token for r in service.requests] == ["", "2", "4"]


def test_download_resumes_from_offset_and_verifies(target: str, service: FakeService) -> None:
    service.artifact_content = bytes(range(30))
    service.download_break_after_chunks = 3

    with DeckgenClient(target) as client:
        content = client.download_artifact(ARTIFACT)

    assert content == service.artifact_content
    assert [r.offset for r in service.requests] == [0, 12]


def test_download_from_offset(target: str, service: FakeService) -> None:
    service.artifact_content = bytes(range(30))

    with DeckgenClient(target) as client:
        assert client.download_artifact(ARTIFACT, offset=10) == service.artifact_content[10:]


def test_download_to_writes_the_file(target: str, service: FakeService, tmp_path: Path) -> None:
    service.artifact_content = b"deck bytes " * 10
    service.download_break_after_chunks = 2

    with DeckgenClient(target) as client:
        written = client.download_artifact_to(ARTIFACT, tmp_path / "out.pptx")
        into_dir = client.download_artifact_to(ARTIFACT, tmp_path)

    assert written == tmp_path / "out.pptx"
    assert into_dir == tmp_path / "deck.pptx"
    for path in (written, into_dir):
        assert hashlib.sha256(path.read_bytes()).digest() == hashlib.sha256(service.artifact_content).digest()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deck.pptx", "out.pptx"]


def test_download_into_a_missing_folder_creates_it(target: str, service: FakeService, tmp_path: Path) -> None:
    service.artifact_content = b"deck bytes"

    with DeckgenClient(target) as client:
        into_new = client.download_artifact_to(ARTIFACT, tmp_path / "out")
        trailing = client.download_artifact_to(ARTIFACT, f"{tmp_path / 'slash'}/")
        nested = client.download_artifact_to(ARTIFACT, tmp_path / "a" / "b" / "copy.pptx")

    assert into_new == tmp_path / "out" / "deck.pptx"
    assert trailing == tmp_path / "slash" / "deck.pptx"
    assert nested == tmp_path / "a" / "b" / "copy.pptx"
    for path in (into_new, trailing, nested):
        assert path.read_bytes() == b"deck bytes"


def test_download_sha256_mismatch_leaves_no_file(target: str, service: FakeService, tmp_path: Path) -> None:
    service.artifact_content = b"deck bytes"
    service.wrong_sha256 = True

    with DeckgenClient(target) as client:
        with pytest.raises(DataLossError, match="SHA-256"):
            client.download_artifact(ARTIFACT)
        with pytest.raises(DataLossError):
            client.download_artifact_to(ARTIFACT, tmp_path / "out.pptx")

    assert list(tmp_path.iterdir()) == []


def test_download_failure_keeps_the_previous_file(target: str, service: FakeService, tmp_path: Path) -> None:
    (tmp_path / "out.pptx").write_bytes(b"old")
    service.artifact_content = b"deck bytes"
    service.download_break_after_chunks = 1

    with DeckgenClient(target) as client, pytest.raises(UnavailableError):
        client.download_artifact_to(ARTIFACT, tmp_path / "out.pptx", max_resumes=0)

    assert [p.name for p in tmp_path.iterdir()] == ["out.pptx"]
    assert (tmp_path / "out.pptx").read_bytes() == b"old"
    assert isinstance(service.requests[0], DownloadArtifactRequest)


def test_stream_error_is_mapped(target: str, service: FakeService) -> None:
    service.failure = Failure(grpc.StatusCode.INVALID_ARGUMENT, "bad topic")
    with DeckgenClient(target) as client, pytest.raises(InvalidArgumentError, match="bad topic"):
        list(client.generate_presentation(topic=""))


def test_stopping_early_cancels_the_stream(target: str, service: FakeService) -> None:
    service.events = deck_events(20)
    with DeckgenClient(target) as client:
        stream = client.generate_presentation(topic="Tide pools")
        assert next(stream).sequence == 1
        stream.close()
        # The channel is still usable afterwards.
        assert client.get_presentation(PRESENTATION).name == PRESENTATION


def _drain(events: Iterable[GenerationEvent], sequences: list[int]) -> None:
    """Consumes a stream, noting each sequence before any error ends it."""
    for event in events:
        sequences.append(event.sequence)


def test_an_api_key_is_sent_as_a_bearer_credential(target: str, service: FakeService) -> None:
    with DeckgenClient(target, api_key="dgk_abcdefgh_secret") as client:
        client.get_presentation(PRESENTATION)
    assert service.metadata[0]["authorization"] == "Bearer dgk_abcdefgh_secret"


def test_a_token_callable_is_asked_before_every_call(target: str, service: FakeService) -> None:
    issued = iter(["token-1", "token-2-refreshed"])
    with DeckgenClient(target, token=lambda: next(issued)) as client:
        client.get_presentation(PRESENTATION)
        client.get_presentation(PRESENTATION)
    assert [m["authorization"] for m in service.metadata] == ["Bearer token-1", "Bearer token-2-refreshed"]


def test_credentials_are_given_once() -> None:
    with pytest.raises(ValueError, match="not both"):
        DeckgenClient("localhost:1", api_key="a", token="b")
    with pytest.raises(ValueError, match="twice"):
        DeckgenClient("localhost:1", metadata=[("authorization", "Bearer x")], token="b")
