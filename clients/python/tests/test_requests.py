"""Keyword arguments become the request the server receives."""

from __future__ import annotations

from pathlib import Path

from deckgen.client import DeckgenClient
from deckgen.v1.presentation_pb2 import Outline, OutlineItem
from deckgen.v1.presentation_service_pb2 import GeneratePresentationRequest, SourceDocument

from .fake_service import FakeService


def _sent(target: str, service: FakeService, **kwargs: object) -> GeneratePresentationRequest:
    with DeckgenClient(target) as client:
        list(client.generate_presentation(**kwargs))  # type: ignore[arg-type]
    request = service.requests[-1]
    assert isinstance(request, GeneratePresentationRequest)
    return request


def test_enums_from_short_names_and_numbers(target: str, service: FakeService) -> None:
    request = _sent(
        target,
        service,
        audience_level="beginner",
        image_mode="GENERATED",
        text_mode=2,
        output_formats=["pptx", "pdf", "ARTIFACT_FORMAT_JSON"],
    )

    assert request.audience_level == 1
    assert request.image_mode == 2
    assert request.text_mode == 2
    assert list(request.output_formats) == [1, 2, 4]


def test_single_output_format(target: str, service: FakeService) -> None:
    assert list(_sent(target, service, output_formats="png").output_formats) == [3]


def test_sources_from_paths_tuples_and_messages(target: str, service: FakeService, tmp_path: Path) -> None:
    (tmp_path / "notes.md").write_text("# Notes")
    (tmp_path / "plain.TXT").write_text("plain")
    message = SourceDocument(name="m.md", media_type="text/markdown", content=b"# M")

    request = _sent(
        target,
        service,
        sources=[tmp_path / "notes.md", tmp_path / "plain.TXT", ("t.txt", "text/plain", b"t"), message],
    )

    assert [(s.name, s.media_type, s.content) for s in request.sources] == [
        ("notes.md", "text/markdown", b"# Notes"),
        ("plain.TXT", "text/plain", b"plain"),
        ("t.txt", "text/plain", b"t"),
        ("m.md", "text/markdown", b"# M"),
    ]


def test_optional_fields_are_left_unset_by_default(target: str, service: FakeService) -> None:
    request = _sent(target, service, topic="Tide pools")
    assert not request.HasField("speaker_notes")
    assert not request.HasField("outline")

    outline = Outline(title="Plan", items=[OutlineItem(title="One")])
    request = _sent(target, service, speaker_notes=False, outline=outline)
    assert request.HasField("speaker_notes")
    assert request.speaker_notes is False
    assert request.outline == outline
