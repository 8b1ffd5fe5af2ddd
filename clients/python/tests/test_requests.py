"""Keyword arguments become the request the server receives."""

from __future__ import annotations

from pathlib import Path

import grpc
import pytest

from deckgen.client import DeckgenClient, NotFoundError, make_brand
from deckgen.v1.presentation_pb2 import Brand, Layout, Outline, OutlineItem
from deckgen.v1.presentation_service_pb2 import (
    CreateTemplateRequest,
    GeneratePresentationRequest,
    GetTemplateRequest,
    SourceDocument,
)

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
    assert not request.HasField("slide_numbers")
    assert not request.HasField("brand")

    outline = Outline(title="Plan", items=[OutlineItem(title="One")])
    request = _sent(target, service, speaker_notes=False, outline=outline)
    assert request.HasField("speaker_notes")
    assert request.speaker_notes is False
    assert request.outline == outline


def test_brand_layouts_template_footer_language(target: str, service: FakeService, tmp_path: Path) -> None:
    logo = tmp_path / "logo.png"
    logo.write_bytes(b"\x89PNG\r\n\x1a\nlogo")
    brand = make_brand(
        primary_color="#0A7B83", accent_color="F2A541", heading_font="Georgia", body_font="Inter", logo=logo
    )

    request = _sent(
        target,
        service,
        topic="Tide pools",
        language="de-CH",
        brand=brand,
        allowed_layouts=["table", "CHART", Layout.LAYOUT_STATISTIC],
        template="templates/t1",
        slide_numbers=False,
        footer="Marine Lab 2026",
        text_mode="preserve",
    )

    assert request.brand == Brand(
        primary_color="0A7B83",
        accent_color="F2A541",
        heading_font="Georgia",
        body_font="Inter",
        logo=b"\x89PNG\r\n\x1a\nlogo",
    )
    expected = [Layout.LAYOUT_TABLE, Layout.LAYOUT_CHART, Layout.LAYOUT_STATISTIC]
    assert list(request.allowed_layouts) == expected
    assert request.template == "templates/t1"
    assert request.HasField("slide_numbers")
    assert request.slide_numbers is False
    assert request.footer == "Marine Lab 2026"
    assert request.language == "de-CH"
    assert request.text_mode == 3


def test_logo_from_bytes() -> None:
    assert make_brand(logo=b"jpeg").logo == b"jpeg"


def test_unknown_layout_names_the_choices(target: str, service: FakeService) -> None:
    with pytest.raises(ValueError, match="'timeline'"):
        _sent(target, service, allowed_layouts=["piechart"])


def test_create_a_template_and_generate_with_it(target: str, service: FakeService, tmp_path: Path) -> None:
    path = tmp_path / "Corporate.pptx"
    path.write_bytes(b"PK\x03\x04 template")

    with DeckgenClient(target) as client:
        created = client.create_template(path)
        fetched = client.get_template(created.name)
        list(client.generate_presentation(topic="Tide pools", template=created))

    upload, get, generate = service.requests
    assert isinstance(upload, CreateTemplateRequest)
    assert upload.content == b"PK\x03\x04 template"
    assert upload.template.display_name == "Corporate"  # from the file name
    assert upload.request_id
    assert isinstance(get, GetTemplateRequest)
    assert get.name == created.name
    assert fetched == created
    assert created.name.startswith("templates/")
    assert isinstance(generate, GeneratePresentationRequest)
    assert generate.template == created.name


def test_a_missing_template_raises_not_found(target: str) -> None:
    with DeckgenClient(target) as client, pytest.raises(NotFoundError) as caught:
        client.get_template("templates/nope")
    assert caught.value.code == grpc.StatusCode.NOT_FOUND
