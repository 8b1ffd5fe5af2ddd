"""The asynchronous client, on `grpc.aio`."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncGenerator, Awaitable, Callable, Iterable, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

import grpc

from deckgen.v1 import presentation_service_pb2_grpc
from deckgen.v1.presentation_pb2 import Artifact, Brand, Deck, Outline, Presentation, Slide, Template, Theme
from deckgen.v1.presentation_service_pb2 import (
    DownloadArtifactRequest,
    GenerateOutlineRequest,
    GeneratePresentationRequest,
    GenerationEvent,
    GetPresentationRequest,
    GetTemplateRequest,
    ListThemesRequest,
    RegenerateSlideRequest,
    RenderPresentationRequest,
    RenderPresentationResponse,
)

from ._auth import TokenSource, call_metadata
from ._download import (
    ChunkAssembler,
    artifact_name,
    commit_temp_file,
    discard_temp_file,
    open_temp_file,
    target_path,
)
from ._exceptions import DeckgenError
from ._requests import (
    ArtifactFormatLike,
    AudienceLevelLike,
    ImageModeLike,
    LayoutLike,
    SourceLike,
    TemplateLike,
    TextModeLike,
    artifact_formats,
    build_generate_request,
    build_outline_request,
    build_template_request,
    new_request_id,
    template_name,
)
from ._resume import EventCursor, Reconnects

__all__ = ["AsyncDeckgenClient"]


class AsyncDeckgenClient:
    """An asyncio client of `deckgen.v1.PresentationService`, with the API of `DeckgenClient`.

    Use it as an async context manager, or await `close()`, to close the channel. Every failed call raises
    a `DeckgenError`; generation streams resume by themselves after a dropped connection.
    """

    def __init__(
        self,
        target: str = "localhost:8000",
        *,
        credentials: grpc.ChannelCredentials | None = None,
        metadata: Sequence[tuple[str, str]] = (),
        timeout: float | None = None,
        api_key: str | None = None,
        token: TokenSource | None = None,
    ) -> None:
        """Opens a channel to `target`; TLS when `credentials` are given.

        `metadata` is sent with every call; `timeout` is the deadline of each call (for streams,
        of each connection), in seconds. `api_key` (a service's key) or `token` (a Supabase user's
        access token, or a callable returning the current one) authenticates every call.
        """
        if credentials is None:
            self._channel = grpc.aio.insecure_channel(target)
        else:
            self._channel = grpc.aio.secure_channel(target, credentials)
        # The generated stub's constructor has no annotations; it only wires up the channel.
        self._stub = presentation_service_pb2_grpc.PresentationServiceStub(self._channel)
        self._metadata = call_metadata(metadata, api_key, token)
        self._timeout = timeout

    async def close(self) -> None:
        await self._channel.close()

    async def __aenter__(self) -> AsyncDeckgenClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    def generate_presentation(
        self,
        *,
        topic: str = "",
        sources: Iterable[SourceLike] = (),
        slide_count: int = 0,
        language: str = "",
        audience_level: AudienceLevelLike = 0,
        tone: str = "",
        theme: str = "",
        speaker_notes: bool | None = None,
        image_mode: ImageModeLike = 0,
        output_formats: ArtifactFormatLike | Iterable[ArtifactFormatLike] = (),
        outline: Outline | None = None,
        text_mode: TextModeLike = 0,
        brand: Brand | None = None,
        allowed_layouts: Iterable[LayoutLike] = (),
        template: TemplateLike = "",
        slide_numbers: bool | None = None,
        footer: str = "",
        request_id: str | None = None,
        resume: bool = True,
        max_resumes: int = 5,
    ) -> AsyncGenerator[GenerationEvent, None]:
        """Generates a deck, yielding its events in order, ending with `completed`.

        The request is built (and source files read) at once, so invalid arguments raise here.
        `brand` (see `make_brand`) overrides the theme's colours, fonts and logo; `template`, a
        name from `create_template`, replaces the theme; `allowed_layouts` limits the layouts used.
        With `resume`, a stream that breaks after its first event is resumed up to `max_resumes`
        times from the last event's token; no event is yielded twice.
        """
        request = build_generate_request(
            topic=topic,
            sources=sources,
            slide_count=slide_count,
            language=language,
            audience_level=audience_level,
            tone=tone,
            theme=theme,
            speaker_notes=speaker_notes,
            image_mode=image_mode,
            output_formats=output_formats,
            outline=outline,
            text_mode=text_mode,
            brand=brand,
            allowed_layouts=allowed_layouts,
            template=template,
            slide_numbers=slide_numbers,
            footer=footer,
            request_id=request_id,
        )
        return self._events(self._stub.GeneratePresentation, request, max_resumes if resume else 0)

    def generate_outline(
        self,
        *,
        topic: str = "",
        sources: Iterable[SourceLike] = (),
        slide_count: int = 0,
        language: str = "",
        audience_level: AudienceLevelLike = 0,
        tone: str = "",
        text_mode: TextModeLike = 0,
        request_id: str | None = None,
        resume: bool = True,
        max_resumes: int = 5,
    ) -> AsyncGenerator[GenerationEvent, None]:
        """Plans an outline, yielding its events; `collect_outline` turns them into the `Outline`."""
        request = build_outline_request(
            topic=topic,
            sources=sources,
            slide_count=slide_count,
            language=language,
            audience_level=audience_level,
            tone=tone,
            text_mode=text_mode,
            request_id=request_id,
        )
        return self._events(self._stub.GenerateOutline, request, max_resumes if resume else 0)

    async def render_presentation(
        self,
        deck: Deck,
        output_formats: ArtifactFormatLike | Iterable[ArtifactFormatLike] = (),
        *,
        request_id: str | None = None,
    ) -> RenderPresentationResponse:
        """Renders an edited deck into files, without generating content."""
        request = RenderPresentationRequest(
            request_id=request_id or new_request_id(),
            deck=deck,
            output_formats=artifact_formats(output_formats),
        )
        response: RenderPresentationResponse = await self._unary(self._stub.RenderPresentation, request)
        return response

    async def regenerate_slide(
        self,
        presentation: str | Presentation,
        slide_index: int,
        instruction: str = "",
        deck: Deck | None = None,
    ) -> Slide:
        """Writes one slide again; pass `deck` when the deck was edited since generation."""
        request = RegenerateSlideRequest(
            presentation=presentation if isinstance(presentation, str) else presentation.name,
            slide_index=slide_index,
            instruction=instruction,
            deck=deck,
        )
        slide: Slide = (await self._unary(self._stub.RegenerateSlide, request)).slide
        return slide

    async def get_presentation(self, name: str) -> Presentation:
        """Returns a presentation, `presentations/{presentation}`, with its deck and artifacts."""
        presentation: Presentation = await self._unary(
            self._stub.GetPresentation, GetPresentationRequest(name=name)
        )
        return presentation

    async def create_template(
        self,
        content: bytes | os.PathLike[str],
        *,
        display_name: str = "",
        request_id: str | None = None,
    ) -> Template:
        """Uploads a .pptx or .potx template; pass the result (or its name) as `template`.

        `display_name` defaults to the file's name without its suffix.
        """
        request = build_template_request(content, display_name=display_name, request_id=request_id)
        template: Template = await self._unary(self._stub.CreateTemplate, request)
        return template

    async def get_template(self, name: TemplateLike) -> Template:
        """Returns a template, `templates/{template}`, with the layouts it can serve."""
        request = GetTemplateRequest(name=template_name(name))
        template: Template = await self._unary(self._stub.GetTemplate, request)
        return template

    async def list_themes(self, *, page_size: int = 0) -> list[Theme]:
        """Returns every theme, following page tokens; `page_size` only sets the page length."""
        themes: list[Theme] = []
        page_token = ""
        while True:
            request = ListThemesRequest(page_size=page_size, page_token=page_token)
            response = await self._unary(self._stub.ListThemes, request)
            themes.extend(response.themes)
            page_token = response.next_page_token
            if not page_token:
                return themes

    async def download_artifact(
        self, name: str | Artifact, *, offset: int = 0, max_resumes: int = 5
    ) -> bytes:
        """Returns an artifact's content from byte `offset`, checked against its SHA-256 when whole."""
        parts: list[bytes] = []
        await self._download(artifact_name(name), offset, _append_to(parts), max_resumes)
        return b"".join(parts)

    async def download_artifact_to(
        self, name: str | Artifact, path: str | os.PathLike[str], *, max_resumes: int = 5
    ) -> Path:
        """Writes an artifact to `path` (or into it, if a directory) and returns the file written.

        The content goes to a temporary file in the same directory, renamed into place only once
        complete and verified: `path` never holds a partial or corrupt file.
        """
        name = artifact_name(name)
        target = target_path(name, path)
        file, temp = await asyncio.to_thread(open_temp_file, target)
        try:
            # File writes run in a thread so that a slow disk does not block the event loop.
            await self._download(name, 0, lambda data: asyncio.to_thread(file.write, data), max_resumes)
            await asyncio.to_thread(commit_temp_file, file, temp, target)
        except BaseException:
            # Not in a thread: this must run even while the task is being cancelled.
            discard_temp_file(file, temp)
            raise
        return target

    async def _download(
        self, name: str, offset: int, sink: Callable[[bytes], Awaitable[object]], max_resumes: int
    ) -> None:
        assembler = ChunkAssembler(name, offset)
        reconnects = Reconnects(max_resumes)
        while True:
            request = DownloadArtifactRequest(name=name, offset=assembler.position)
            call = self._stub.DownloadArtifact(request, timeout=self._timeout, metadata=self._metadata())
            try:
                async for chunk in call:
                    data = assembler.accept(chunk)
                    if data:
                        await sink(data)
                break
            except grpc.RpcError as rpc_error:
                error = DeckgenError.from_rpc_error(rpc_error)
                delay = reconnects.delay_before_next(error)
                if delay is None:
                    raise error from rpc_error
            finally:
                call.cancel()
            await asyncio.sleep(delay)
        assembler.verify()

    async def _events(
        self,
        method: Any,
        request: GeneratePresentationRequest | GenerateOutlineRequest,
        max_resumes: int,
    ) -> AsyncGenerator[GenerationEvent, None]:
        cursor = EventCursor(max_resumes)
        while True:
            call = method(request, timeout=self._timeout, metadata=self._metadata())
            try:
                async for event in call:
                    if cursor.accept(event):
                        yield event
                return
            except grpc.RpcError as rpc_error:
                error = DeckgenError.from_rpc_error(rpc_error)
                delay = cursor.delay_before_resume(error)
                if delay is None:
                    raise error from rpc_error
            finally:
                # Also runs when the caller stops iterating early: the server stops generating for us.
                call.cancel()
            await asyncio.sleep(delay)
            # The same request, request_id included, so the server joins the same generation.
            request.resume_token = cursor.resume_token

    async def _unary(self, method: Any, request: Any) -> Any:
        try:
            return await method(request, timeout=self._timeout, metadata=self._metadata())
        except grpc.RpcError as rpc_error:
            raise DeckgenError.from_rpc_error(rpc_error) from rpc_error


def _append_to(parts: list[bytes]) -> Callable[[bytes], Awaitable[None]]:
    async def append(data: bytes) -> None:
        parts.append(data)

    return append
