"""Every way a call can be wrong gets a precise status with typed details, and the server lives on."""

from __future__ import annotations

import asyncio
from pathlib import Path

import grpc
import pytest

from deckgen import domain as d
from deckgen.providers.storage import StorageError
from deckgen.v1 import presentation_pb2 as pb
from deckgen.v1 import presentation_service_pb2 as spb
from tests.support.engines import FailingEngine, SlowEngine
from tests.support.servers import RunningServer, running_server, server_settings
from tests.support.status import RichError, rich_error
from tests.support.streams import read_rest

MD = "text/markdown"


async def call_error(server: RunningServer, request: spb.GeneratePresentationRequest) -> RichError:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        async for _ in server.stub.GeneratePresentation(request, timeout=30):
            pass
    return rich_error(caught.value)


async def test_invalid_request_lists_every_field_violation(server: RunningServer) -> None:
    request = spb.GeneratePresentationRequest(
        slide_count=51,
        language="not a language",
        theme="no-such-theme",
        audience_level=99,  # type: ignore[arg-type]
        output_formats=[pb.ARTIFACT_FORMAT_UNSPECIFIED],
        sources=[
            spb.SourceDocument(name="", media_type=MD, content=b"# x"),
            spb.SourceDocument(name="doc.doc", media_type="application/msword", content=b"\xd0\xcf"),
            spb.SourceDocument(name="empty.md", media_type=MD, content=b""),
            spb.SourceDocument(name="blob.md", media_type=MD, content=b"\x00\x01binary"),
        ],
    )
    error = await call_error(server, request)
    assert error.code == grpc.StatusCode.INVALID_ARGUMENT
    assert error.reason == "INVALID_REQUEST" and error.domain == "deckgen.v1"
    assert set(error.violations) == {
        "slide_count",
        "language",
        "theme",
        "audience_level",
        "output_formats[0]",
        "sources[0].name",
        "sources[1].media_type",
        "sources[2].content",
        "sources[3].content",
    }
    assert "between 1 and 50" in error.violations["slide_count"]


@pytest.mark.parametrize(
    ("request_", "field"),
    [
        (spb.GeneratePresentationRequest(), "topic"),
        (spb.GeneratePresentationRequest(topic="x", slide_count=-1), "slide_count"),
        (
            spb.GeneratePresentationRequest(
                topic="x",
                theme="no-such-theme",
                sources=[spb.SourceDocument(name="a.md", content=b"# A\n\ntext")],
            ),
            "theme",
        ),
        (
            spb.GeneratePresentationRequest(
                topic="x",
                output_formats=[pb.ARTIFACT_FORMAT_IMAGE],
                sources=[spb.SourceDocument(name="a.md", content=b"# A\n\ntext")],
            ),
            "output_formats[0]",
        ),
        (
            spb.GeneratePresentationRequest(sources=[spb.SourceDocument(name="noext", content=b"hi")]),
            "sources[0].media_type",
        ),
        (spb.GeneratePresentationRequest(topic="x", request_id="has spaces"), "request_id"),
        (spb.GeneratePresentationRequest(resume_token="!!not-a-token"), "resume_token"),
        (
            spb.GeneratePresentationRequest(
                topic="x", slide_count=2, outline=pb.Outline(title="t", items=[pb.OutlineItem(title="a")])
            ),
            "slide_count",
        ),
    ],
)
async def test_single_violations(
    server: RunningServer, request_: spb.GeneratePresentationRequest, field: str
) -> None:
    error = await call_error(server, request_)
    assert error.code == grpc.StatusCode.INVALID_ARGUMENT
    assert field in error.violations, error.violations


async def test_topic_only_without_a_model_says_what_to_configure(server: RunningServer) -> None:
    error = await call_error(server, spb.GeneratePresentationRequest(topic="The history of typography"))
    assert error.code == grpc.StatusCode.FAILED_PRECONDITION
    assert error.reason == "LLM_NOT_CONFIGURED"
    assert "OPENAI_API_KEY" in error.message
    assert error.precondition and error.precondition[0][1] == "OPENAI_API_KEY"


async def test_source_too_large_and_message_too_large(tmp_path: Path) -> None:
    settings = server_settings(
        tmp_path / "a",
        MAX_SOURCE_BYTES="1000",
        MAX_TOTAL_SOURCE_BYTES="1500",
        MAX_MESSAGE_BYTES=str(2 * 1024 * 1024),
    )
    async with running_server(settings) as server:
        big = spb.SourceDocument(name="big.md", media_type=MD, content=b"word " * 300)
        error = await call_error(server, spb.GeneratePresentationRequest(sources=[big]))
        assert error.code == grpc.StatusCode.INVALID_ARGUMENT
        assert "1000 bytes" in error.violations["sources[0].content"]

        two = [spb.SourceDocument(name=f"{i}.md", media_type=MD, content=b"w " * 400) for i in range(2)]
        error = await call_error(server, spb.GeneratePresentationRequest(sources=two))
        assert "sources" in error.violations

        huge = spb.SourceDocument(name="huge.md", media_type=MD, content=b"x" * (3 * 1024 * 1024))
        error = await call_error(server, spb.GeneratePresentationRequest(sources=[huge]))
        assert error.code == grpc.StatusCode.RESOURCE_EXHAUSTED
        # The server is still there.
        themes = await server.stub.ListThemes(spb.ListThemesRequest())
        assert themes.themes


async def test_too_many_concurrent_generations(tmp_path: Path, examples: Path) -> None:
    settings = server_settings(tmp_path / "a", MAX_CONCURRENT_GENERATIONS="1")
    source = spb.SourceDocument(
        name="g.md", media_type=MD, content=(examples / "intro-to-grpc.md").read_bytes()
    )
    async with running_server(settings, SlowEngine(0.2)) as server:
        first = server.stub.GeneratePresentation(
            spb.GeneratePresentationRequest(sources=[source], slide_count=5)
        )
        accepted = await first.read()
        assert accepted.HasField("accepted")
        error = await call_error(server, spb.GeneratePresentationRequest(sources=[source], slide_count=4))
        assert error.code == grpc.StatusCode.RESOURCE_EXHAUSTED
        assert error.reason == "TOO_MANY_GENERATIONS"
        assert error.retry_after is not None and error.retry_after > 0
        assert error.quota_subjects == ["concurrent_generations"]
        rest = await read_rest(first)
        assert rest[-1].HasField("completed")


async def test_rate_limit_exhausts_then_recovers(tmp_path: Path) -> None:
    settings = server_settings(
        tmp_path / "a",
        RATE_LIMIT_ENABLED="true",
        # One token every 2 s: slow calls on a loaded machine cannot refill the bucket mid-test.
        RATE_LIMIT_BURST="3",
        RATE_LIMIT_PER_MINUTE="30",
        RATE_LIMIT_READS_BURST="3",
        RATE_LIMIT_READS_PER_MINUTE="30",
    )
    async with running_server(settings) as server:
        for _ in range(3):
            await server.stub.ListThemes(spb.ListThemesRequest())
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await server.stub.ListThemes(spb.ListThemesRequest())
        error = rich_error(caught.value)
        assert error.code == grpc.StatusCode.RESOURCE_EXHAUSTED
        assert error.reason == "RATE_LIMITED"
        assert error.retry_after is not None and 0 < error.retry_after <= 2.0
        # Streaming methods are limited too (from their own budget); health checks never are.
        for _ in range(4):
            with pytest.raises(grpc.aio.AioRpcError) as caught:
                async for _ in server.stub.GeneratePresentation(spb.GeneratePresentationRequest(topic="x")):
                    pass
        assert rich_error(caught.value).quota_subjects == ["rate_limit.calls"]
        from grpc_health.v1 import health_pb2, health_pb2_grpc

        health = health_pb2_grpc.HealthStub(server.channel)
        for _ in range(5):
            assert (
                await health.Check(health_pb2.HealthCheckRequest())
            ).status == health_pb2.HealthCheckResponse.SERVING
        await asyncio.sleep(error.retry_after + 0.05)
        await server.stub.ListThemes(spb.ListThemesRequest())


@pytest.mark.parametrize(
    "name", ["", "presentations/", "decks/abc", "presentations/../etc", "presentations/UPPER"]
)
async def test_malformed_names(server: RunningServer, name: str) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await server.stub.GetPresentation(spb.GetPresentationRequest(name=name))
    error = rich_error(caught.value)
    assert error.code == grpc.StatusCode.INVALID_ARGUMENT
    assert "name" in error.violations


async def test_unknown_presentation_and_artifact(server: RunningServer) -> None:
    missing = "presentations/2b0f1a55-0000-4000-8000-000000000000"
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await server.stub.GetPresentation(spb.GetPresentationRequest(name=missing))
    error = rich_error(caught.value)
    assert error.code == grpc.StatusCode.NOT_FOUND
    assert error.resource == ("deckgen.v1.Presentation", missing)

    with pytest.raises(grpc.aio.AioRpcError) as caught:
        async for _ in server.stub.DownloadArtifact(
            spb.DownloadArtifactRequest(name=f"{missing}/artifacts/x.pptx")
        ):
            pass
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND

    # A token the server signed, for a generation that is gone.
    token_for_missing = server.app.servicer.resume_tokens.encode(
        "anonymous", "2b0f1a55-0000-4000-8000-000000000000", 3
    )
    error = await call_error(server, spb.GeneratePresentationRequest(resume_token=token_for_missing))
    assert error.code == grpc.StatusCode.NOT_FOUND


async def test_render_presentation_violations(server: RunningServer) -> None:
    deck = pb.Deck(
        title="",
        slides=[
            pb.Slide(
                layout=pb.LAYOUT_TABLE,
                title="t",
                table=pb.Table(header=["a", "b"], rows=[pb.TableRow(cells=["1"])]),
            ),
            pb.Slide(layout=pb.LAYOUT_IMAGE_TEXT, title="p", image=pb.ImageRef(uri="x.png")),
            pb.Slide(layout=pb.LAYOUT_BULLETS, title="b", bullets=[pb.Bullet(text="deep", level=5)]),
        ],
    )
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await server.stub.RenderPresentation(spb.RenderPresentationRequest(deck=deck))
    error = rich_error(caught.value)
    assert error.code == grpc.StatusCode.INVALID_ARGUMENT
    assert set(error.violations) == {
        "deck.title",
        "deck.slides[0].table.rows[0].cells",
        "deck.slides[1].image.alt_text",
        "deck.slides[2].bullets[0].level",
    }


async def test_regenerate_with_a_free_form_instruction_needs_a_model(
    server: RunningServer, examples: Path
) -> None:
    source = spb.SourceDocument(
        name="g.md", media_type=MD, content=(examples / "intro-to-grpc.md").read_bytes()
    )
    events = [
        e async for e in server.stub.GeneratePresentation(spb.GeneratePresentationRequest(sources=[source]))
    ]
    name = events[0].accepted.presentation.name
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await server.stub.RegenerateSlide(
            spb.RegenerateSlideRequest(presentation=name, slide_index=1, instruction="make it rhyme")
        )
    assert rich_error(caught.value).code == grpc.StatusCode.FAILED_PRECONDITION
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await server.stub.RegenerateSlide(
            spb.RegenerateSlideRequest(presentation=name, slide_index=999, instruction="shorter")
        )
    assert "slide_index" in rich_error(caught.value).violations
    # An empty instruction is the caller's mistake, whatever the engine: INVALID_ARGUMENT naming the field.
    for empty in ("", "   "):
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await server.stub.RegenerateSlide(
                spb.RegenerateSlideRequest(presentation=name, slide_index=1, instruction=empty)
            )
        error = rich_error(caught.value)
        assert error.code == grpc.StatusCode.INVALID_ARGUMENT
        assert "instruction" in error.violations


MID_STREAM: list[tuple[Exception, grpc.StatusCode, str]] = [
    (
        d.InvalidRequest([d.FieldViolation("sources[0].content", "has no usable text")]),
        grpc.StatusCode.INVALID_ARGUMENT,
        "INVALID_REQUEST",
    ),
    (
        d.NotFound("image gone", resource_type="deckgen.v1.Artifact", resource_name="presentations/p/x"),
        grpc.StatusCode.NOT_FOUND,
        "NOT_FOUND",
    ),
    (
        d.CapacityExceeded("model quota", subject="llm_tokens", retry_after=7.0, reason="LLM_QUOTA"),
        grpc.StatusCode.RESOURCE_EXHAUSTED,
        "LLM_QUOTA",
    ),
    (
        d.PreconditionFailed("no key", reason="LLM_NOT_CONFIGURED", subject="OPENAI_API_KEY"),
        grpc.StatusCode.FAILED_PRECONDITION,
        "LLM_NOT_CONFIGURED",
    ),
    (StorageError("disk gone"), grpc.StatusCode.UNAVAILABLE, "STORAGE_UNAVAILABLE"),
    (TimeoutError(), grpc.StatusCode.DEADLINE_EXCEEDED, "GENERATION_TIMEOUT"),
    (ZeroDivisionError("bug"), grpc.StatusCode.INTERNAL, "GENERATION_FAILED"),
]


@pytest.mark.parametrize(("raised", "code", "reason"), MID_STREAM, ids=lambda x: type(x).__name__)
async def test_errors_raised_mid_stream_keep_their_details(
    tmp_path: Path, examples: Path, raised: Exception, code: grpc.StatusCode, reason: str
) -> None:
    source = spb.SourceDocument(
        name="g.md", media_type=MD, content=(examples / "intro-to-grpc.md").read_bytes()
    )
    seen: list[spb.GenerationEvent] = []

    async def generate(server: RunningServer) -> None:
        request = spb.GeneratePresentationRequest(sources=[source])
        async for event in server.stub.GeneratePresentation(request, timeout=60):
            seen.append(event)

    async with running_server(server_settings(tmp_path / "a"), FailingEngine(raised)) as server:
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await generate(server)
    assert any(e.HasField("slide") for e in seen), "the failure came after slides were streamed"
    error = rich_error(caught.value)
    assert (error.code, error.reason, error.domain) == (code, reason, "deckgen.v1")
    match raised:
        case d.InvalidRequest():
            assert error.violations == {"sources[0].content": "has no usable text"}
        case d.NotFound():
            assert error.resource == ("deckgen.v1.Artifact", "presentations/p/x")
        case d.CapacityExceeded():
            assert error.quota_subjects == ["llm_tokens"] and error.retry_after == 7.0
        case d.PreconditionFailed():
            assert error.precondition == [("LLM_NOT_CONFIGURED", "OPENAI_API_KEY", "no key")]
        case StorageError():
            assert error.retry_after == 5.0


BIG = "x" * 8192


@pytest.mark.parametrize(
    ("request_", "field"),
    [
        (spb.GeneratePresentationRequest(topic="x", theme=BIG), "theme"),
        (spb.GeneratePresentationRequest(topic="x", language="é" * 8192), "language"),
        (spb.GeneratePresentationRequest(topic="x", request_id=BIG), "request_id"),
        (
            spb.GeneratePresentationRequest(
                sources=[spb.SourceDocument(name=f"{BIG}.exe", content=b"# A\n\ntext")]
            ),
            "sources[0].media_type",
        ),
    ],
)
async def test_an_8_kb_bad_field_is_still_invalid_argument(
    server: RunningServer, request_: spb.GeneratePresentationRequest, field: str
) -> None:
    error = await call_error(server, request_)
    assert error.code == grpc.StatusCode.INVALID_ARGUMENT, error.message
    assert field in error.violations
    assert len(error.message.encode()) <= 512
    assert all(len(v.encode()) <= 200 for v in error.violations.values())


async def test_an_8_kb_resource_name_is_still_not_found(server: RunningServer) -> None:
    name = "templates/" + "a" * 8192
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await server.stub.GetTemplate(spb.GetTemplateRequest(name=name))
    assert caught.value.code() in (grpc.StatusCode.NOT_FOUND, grpc.StatusCode.INVALID_ARGUMENT)
