"""Code blocks, slide numbers and footers travel through the contract both ways."""

from __future__ import annotations

import grpc
import pytest

from deckgen.v1 import presentation_pb2 as pb
from deckgen.v1 import presentation_service_pb2 as spb
from tests.support.servers import RunningServer
from tests.support.status import rich_error

CODE = "def greet(name):\n    return f'hello {name}'\n"


async def test_render_keeps_code_footer_and_slide_numbers(server: RunningServer) -> None:
    deck = pb.Deck(
        title="Greeting service",
        footer="  Platform   team  ",
        slide_numbers=False,
        slides=[
            pb.Slide(
                layout=pb.LAYOUT_BULLETS,
                title="The handler",
                bullets=[pb.Bullet(text="One function answers every call")],
                code=pb.CodeBlock(language="python", text=CODE),
            )
        ],
    )
    response = await server.stub.RenderPresentation(spb.RenderPresentationRequest(deck=deck))
    rendered = response.presentation.deck
    assert rendered.footer == "Platform team"
    assert rendered.HasField("slide_numbers") and not rendered.slide_numbers
    assert rendered.slides[0].code.text == CODE and rendered.slides[0].code.language == "python"


async def test_render_numbers_slides_unless_told_otherwise(server: RunningServer) -> None:
    deck = pb.Deck(title="t", slides=[pb.Slide(layout=pb.LAYOUT_BULLETS, title="a")])
    response = await server.stub.RenderPresentation(spb.RenderPresentationRequest(deck=deck))
    assert response.presentation.deck.slide_numbers


async def test_code_and_footer_limits(server: RunningServer) -> None:
    deck = pb.Deck(
        title="t",
        footer="x" * 121,
        slides=[
            pb.Slide(layout=pb.LAYOUT_BULLETS, title="a", code=pb.CodeBlock(text="\n".join(["x = 1"] * 17))),
            pb.Slide(layout=pb.LAYOUT_BULLETS, title="b", code=pb.CodeBlock(text="  ")),
        ],
    )
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await server.stub.RenderPresentation(spb.RenderPresentationRequest(deck=deck))
    error = rich_error(caught.value)
    assert error.code == grpc.StatusCode.INVALID_ARGUMENT
    assert set(error.violations) == {"deck.footer", "deck.slides[0].code.text", "deck.slides[1].code.text"}
    assert "16 lines" in error.violations["deck.slides[0].code.text"]


async def test_generation_footer_is_validated(server: RunningServer) -> None:
    request = spb.GeneratePresentationRequest(
        footer="y" * 200,
        sources=[spb.SourceDocument(name="a.md", media_type="text/markdown", content=b"# A\n\nx")],
    )
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        async for _ in server.stub.GeneratePresentation(request, timeout=30):
            pass
    assert set(rich_error(caught.value).violations) == {"footer"}
