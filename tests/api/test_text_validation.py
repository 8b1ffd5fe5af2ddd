"""Text a caller sends that would reach a file, a subprocess or XML is checked at the boundary: the
caller gets INVALID_ARGUMENT naming the field, not INTERNAL after the slides (issue 10, item 3)."""

from __future__ import annotations

import grpc
import pytest

from deckgen.render._fonts import _fc_match
from deckgen.v1 import presentation_pb2 as pb
from deckgen.v1 import presentation_service_pb2 as spb
from tests.support.servers import RunningServer
from tests.support.status import rich_error

SOURCE = spb.SourceDocument(
    name="plan.md", media_type="text/markdown", content=b"# Plan\n\n## Goals\n\n- grow\n"
)


def with_sources(**fields: object) -> spb.GeneratePresentationRequest:
    return spb.GeneratePresentationRequest(sources=[SOURCE], **fields)  # type: ignore[arg-type]


BAD_GENERATIONS = {
    "brand.heading_font": with_sources(brand=pb.Brand(heading_font="Arial\u0001")),
    "brand.body_font": with_sources(brand=pb.Brand(body_font="Ari\u0000al")),
    "topic": with_sources(topic="Growth\u0007"),
    "tone": with_sources(tone="calm\u001b[31m"),
    "sources[0].name": spb.GeneratePresentationRequest(
        sources=[spb.SourceDocument(name="plan\u0001.md", media_type="text/markdown", content=b"# A\n")]
    ),
    "outline.title": with_sources(
        outline=pb.Outline(title="T" * 256, items=[pb.OutlineItem(title="A"), pb.OutlineItem(title="B")]),
    ),
    "outline.items[1].key_points[0]": with_sources(
        outline=pb.Outline(
            title="T", items=[pb.OutlineItem(title="A"), pb.OutlineItem(title="B", key_points=["x\u0002"])]
        ),
    ),
}


@pytest.mark.parametrize("field", list(BAD_GENERATIONS))
async def test_control_characters_and_overlong_titles_are_refused_naming_the_field(
    server: RunningServer, field: str
) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        async for _ in server.stub.GeneratePresentation(BAD_GENERATIONS[field]):
            pass
    error = rich_error(caught.value)
    assert error.code == grpc.StatusCode.INVALID_ARGUMENT
    assert field in error.violations, error.violations


async def test_a_rendered_deck_title_over_255_characters_or_with_control_characters_is_refused(
    server: RunningServer,
) -> None:
    slide = pb.Slide(title="Results", bullets=[pb.Bullet(text="up\u000b 4 %")])
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await server.stub.RenderPresentation(
            spb.RenderPresentationRequest(deck=pb.Deck(title="D" * 256, slides=[slide]))
        )
    error = rich_error(caught.value)
    assert error.code == grpc.StatusCode.INVALID_ARGUMENT
    assert set(error.violations) == {"deck.title", "deck.slides[0].bullets[0].text"}


@pytest.mark.parametrize("font", ["Noto Sans CJK JP", "Segoe UI Semibold", "游ゴシック", "Font-Name_2 (Pro)"])
async def test_real_font_family_names_are_accepted(server: RunningServer, font: str) -> None:
    events = [
        e async for e in server.stub.GeneratePresentation(with_sources(brand=pb.Brand(heading_font=font)))
    ]
    assert events[-1].HasField("completed")


def test_a_nul_in_a_font_name_never_reaches_fc_match() -> None:
    assert _fc_match("Ari\u0000al") is None
