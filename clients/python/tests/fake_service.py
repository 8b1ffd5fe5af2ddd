"""A scriptable in-process `PresentationService`, to drive the client over a real gRPC connection."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from concurrent import futures
from dataclasses import dataclass, field
from typing import Any

import grpc
from google.protobuf import any_pb2
from google.rpc import status_pb2

from deckgen.v1 import presentation_service_pb2_grpc
from deckgen.v1.presentation_pb2 import (
    Artifact,
    Deck,
    Outline,
    OutlineItem,
    Presentation,
    Slide,
    Template,
    Theme,
    Usage,
)
from deckgen.v1.presentation_service_pb2 import (
    CreateTemplateRequest,
    DownloadArtifactRequest,
    DownloadArtifactResponse,
    GenerateOutlineRequest,
    GeneratePresentationRequest,
    GenerationEvent,
    GetPresentationRequest,
    GetTemplateRequest,
    ListThemesRequest,
    ListThemesResponse,
    RegenerateSlideRequest,
    RegenerateSlideResponse,
    RenderPresentationRequest,
    RenderPresentationResponse,
)

PRESENTATION = "presentations/p1"
ARTIFACT = f"{PRESENTATION}/artifacts/deck.pptx"


def token(sequence: int) -> str:
    return f"tok-{sequence}"


def deck_events(slide_count: int) -> list[GenerationEvent]:
    """accepted, an outline, `slide_count` slides and completed, numbered from 1."""
    outline = Outline(title="Tide pools", items=[OutlineItem(title=f"S{i}") for i in range(slide_count)])
    slides = [Slide(index=i, title=f"S{i}") for i in range(slide_count)]
    done = Presentation(
        name=PRESENTATION,
        state=Presentation.STATE_SUCCEEDED,
        deck=Deck(title="Tide pools", slides=slides),
        artifacts=[Artifact(name=ARTIFACT)],
        usage=Usage(prompt_tokens=10 * slide_count),
    )
    bodies: list[dict[str, Any]] = [
        {"accepted": GenerationEvent.Accepted(presentation=Presentation(name=PRESENTATION))},
        {"outline": GenerationEvent.OutlineReady(outline=outline)},
    ]
    # Slides complete out of order, as the contract allows.
    for slide in reversed(slides):
        usage = Usage(prompt_tokens=10)
        bodies.append(
            {"slide": GenerationEvent.SlideReady(slide=slide, total_slides=slide_count, usage=usage)}
        )
    bodies.append({"artifact": GenerationEvent.ArtifactReady(artifact=Artifact(name=ARTIFACT))})
    bodies.append({"completed": GenerationEvent.Completed(presentation=done)})
    return [
        GenerationEvent(sequence=i, presentation=PRESENTATION, resume_token=token(i), **body)
        for i, body in enumerate(bodies, start=1)
    ]


def outline_events(items: int) -> list[GenerationEvent]:
    outline = Outline(title="Plan", items=[OutlineItem(title=f"O{i}") for i in range(items)])
    bodies: list[dict[str, Any]] = [
        {"outline_item": GenerationEvent.OutlineItemReady(index=i, item=item)}
        for i, item in enumerate(outline.items)
    ]
    bodies.append({"outline": GenerationEvent.OutlineReady(outline=outline)})
    return [
        GenerationEvent(sequence=i, resume_token=token(i), **body) for i, body in enumerate(bodies, start=1)
    ]


def status_trailer(code: grpc.StatusCode, message: str, details: Sequence[Any]) -> tuple[tuple[str, bytes]]:
    status = status_pb2.Status(code=code.value[0], message=message)
    for detail in details:
        packed = any_pb2.Any()
        packed.Pack(detail)
        status.details.append(packed)
    return (("grpc-status-details-bin", status.SerializeToString()),)


@dataclass
class Failure:
    code: grpc.StatusCode
    message: str
    details: Sequence[Any] = ()


@dataclass
class FakeService(presentation_service_pb2_grpc.PresentationServiceServicer):
    """Serves scripted streams; every request it receives is recorded."""

    events: list[GenerationEvent] = field(default_factory=lambda: deck_events(4))
    break_after: int | None = None
    """Ends a generation stream with UNAVAILABLE after this many events..."""
    breaks: int = 1
    """...this many times."""
    replay: int = 0
    """How many already-sent events a resumed stream repeats, as a sloppy server might."""
    failure: Failure | None = None
    """Ends every call with this error instead."""
    artifact_content: bytes = b""
    chunk_size: int = 4
    download_break_after_chunks: int | None = None
    wrong_sha256: bool = False
    themes: list[Theme] = field(default_factory=list)
    templates: dict[str, Template] = field(default_factory=dict)
    on_event: Callable[[int], None] | None = None
    """Called with the number of events a stream has sent, before it sends the next one."""
    requests: list[Any] = field(default_factory=list)
    metadata: list[dict[str, str]] = field(default_factory=list)

    def _record(self, request: Any, context: grpc.ServicerContext) -> None:
        self.requests.append(request)
        self.metadata.append({k: v for k, v in context.invocation_metadata() if isinstance(v, str)})
        if self.failure is not None:
            self._abort(context, self.failure)

    def _abort(self, context: grpc.ServicerContext, failure: Failure) -> None:
        # The sync server's abort takes no trailers; they are set first and sent with the status.
        context.set_trailing_metadata(status_trailer(failure.code, failure.message, failure.details))
        context.abort(failure.code, failure.message)

    def _stream(
        self, request: GeneratePresentationRequest | GenerateOutlineRequest, context: grpc.ServicerContext
    ) -> Iterator[GenerationEvent]:
        self._record(request, context)
        start = 0
        if request.resume_token:
            start = [e.resume_token for e in self.events].index(request.resume_token) + 1
            start = max(0, start - self.replay)
        for sent, event in enumerate(self.events[start:]):
            if self.on_event is not None:
                self.on_event(sent)
            if self.break_after is not None and self.breaks > 0 and sent == self.break_after:
                self.breaks -= 1
                context.abort(grpc.StatusCode.UNAVAILABLE, "connection dropped")
            yield event

    def GeneratePresentation(
        self, request: GeneratePresentationRequest, context: grpc.ServicerContext
    ) -> Iterator[GenerationEvent]:
        yield from self._stream(request, context)

    def GenerateOutline(
        self, request: GenerateOutlineRequest, context: grpc.ServicerContext
    ) -> Iterator[GenerationEvent]:
        yield from self._stream(request, context)

    def RenderPresentation(
        self, request: RenderPresentationRequest, context: grpc.ServicerContext
    ) -> RenderPresentationResponse:
        self._record(request, context)
        return RenderPresentationResponse(presentation=Presentation(name=PRESENTATION, deck=request.deck))

    def RegenerateSlide(
        self, request: RegenerateSlideRequest, context: grpc.ServicerContext
    ) -> RegenerateSlideResponse:
        self._record(request, context)
        return RegenerateSlideResponse(slide=Slide(index=request.slide_index, title=request.instruction))

    def GetPresentation(self, request: GetPresentationRequest, context: grpc.ServicerContext) -> Presentation:
        self._record(request, context)
        return Presentation(name=request.name)

    def CreateTemplate(self, request: CreateTemplateRequest, context: grpc.ServicerContext) -> Template:
        self._record(request, context)
        # Named by its content, so the test can see the bytes arrived whole.
        name = f"templates/{hashlib.sha256(request.content).hexdigest()[:12]}"
        self.templates[name] = Template(name=name, display_name=request.template.display_name)
        return self.templates[name]

    def GetTemplate(self, request: GetTemplateRequest, context: grpc.ServicerContext) -> Template:
        self._record(request, context)
        if request.name not in self.templates:
            self._abort(context, Failure(grpc.StatusCode.NOT_FOUND, f"no template {request.name}"))
        return self.templates[request.name]

    def ListThemes(self, request: ListThemesRequest, context: grpc.ServicerContext) -> ListThemesResponse:
        self._record(request, context)
        start = int(request.page_token or 0)
        end = start + request.page_size if request.page_size else len(self.themes)
        next_token = str(end) if end < len(self.themes) else ""
        return ListThemesResponse(themes=self.themes[start:end], next_page_token=next_token)

    def DownloadArtifact(
        self, request: DownloadArtifactRequest, context: grpc.ServicerContext
    ) -> Iterator[DownloadArtifactResponse]:
        self._record(request, context)
        content = self.artifact_content
        digest = hashlib.sha256(b"tampered" if self.wrong_sha256 else content).hexdigest()
        artifact = Artifact(name=request.name, size_bytes=len(content), sha256=digest)
        for number, offset in enumerate(range(request.offset, len(content), self.chunk_size)):
            if number == self.download_break_after_chunks:
                self.download_break_after_chunks = None
                context.abort(grpc.StatusCode.UNAVAILABLE, "connection dropped")
            chunk = DownloadArtifactResponse(offset=offset, data=content[offset : offset + self.chunk_size])
            if number == 0:
                chunk.artifact.CopyFrom(artifact)
            yield chunk


def start_server(service: FakeService, address: str = "127.0.0.1:0") -> tuple[grpc.Server, str]:
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    # The generated registration function has no annotations.
    presentation_service_pb2_grpc.add_PresentationServiceServicer_to_server(service, server)  # type: ignore[no-untyped-call]
    port = server.add_insecure_port(address)
    server.start()
    return server, f"127.0.0.1:{port}"
