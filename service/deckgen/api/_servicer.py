"""`deckgen.v1.PresentationService`: translates calls to the generation service and back."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from contextlib import aclosing, suppress
from typing import Any

import grpc

from deckgen import domain as d
from deckgen.api._convert import (
    artifact_to_proto,
    event_to_proto,
    presentation_to_proto,
    slide_to_proto,
    template_to_proto,
    theme_to_proto,
    warning_to_proto,
)
from deckgen.api._errors import status_for
from deckgen.api._validate import (
    Limits,
    decode_resume_token,
    encode_resume_token,
    validate_deck,
    validate_generation,
    validate_instruction,
)
from deckgen.domain import FieldViolation, InvalidRequest
from deckgen.domain._events import Failed
from deckgen.pipeline import (
    GenerationService,
    TemplateLibrary,
    as_domain_error,
    parse_presentation_name,
    parse_template_name,
    unexpected,
)
from deckgen.providers.queue import JobKind
from deckgen.providers.storage import ObjectNotFound
from deckgen.v1 import presentation_pb2 as pb
from deckgen.v1 import presentation_service_pb2 as spb
from deckgen.v1 import presentation_service_pb2_grpc as spb_grpc

__all__ = ["PresentationServicer"]

log = logging.getLogger(__name__)

GenerationRequest = spb.GeneratePresentationRequest | spb.GenerateOutlineRequest


async def _close_quietly(stream: AsyncGenerator[Any, None]) -> None:
    # RuntimeError: still running, so its own frame is unwinding and will close it.
    with suppress(RuntimeError):
        await stream.aclose()


class PresentationServicer(spb_grpc.PresentationServiceServicer):
    def __init__(
        self,
        service: GenerationService,
        limits: Limits,
        themes: Callable[[], tuple[d.Theme, ...]],
        chunk_size: int,
        templates: TemplateLibrary | None = None,
    ) -> None:
        self._service = service
        self._limits = limits
        self._themes = themes
        self._chunk_size = chunk_size
        self._templates = templates
        self._closing: set[asyncio.Task[None]] = set()

    async def _fail(self, context: grpc.aio.ServicerContext, error: Exception) -> None:
        if unexpected(error):
            log.exception("unexpected error in %s", type(self).__name__)
        await context.abort_with_status(status_for(as_domain_error(error)))

    def _close_soon(self, stream: AsyncGenerator[Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(_close_quietly(stream))
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    async def _events(
        self, request: GenerationRequest, context: grpc.aio.ServicerContext, kind: JobKind
    ) -> AsyncIterator[spb.GenerationEvent]:
        try:
            if request.resume_token:
                presentation_id, after = decode_resume_token(request.resume_token)
            else:
                spec = validate_generation(request, self._limits, {t.id for t in self._themes()})
                remaining = context.time_remaining()
                deadline = time.time() + remaining if remaining is not None else None
                started = await self._service.start(spec, kind, deadline)
                presentation_id, after = started.presentation_id, 0
            stream = self._service.events(presentation_id, after)
            # When the caller cancels while grpc is sending (not awaiting this generator), grpc drops
            # the generator without closing it; closing it explicitly is what detaches the reader
            # (and cancels the work) now rather than whenever the garbage collector gets to it.
            context.add_done_callback(lambda _: self._close_soon(stream))
            async with aclosing(stream):
                async for event in stream:
                    if isinstance(event.event, Failed):
                        await context.abort_with_status(status_for(event.event.error))
                    yield event_to_proto(
                        event, presentation_id, encode_resume_token(presentation_id, event.sequence)
                    )
        except grpc.aio.AbortError:
            raise
        except Exception as error:
            await self._fail(context, error)

    # grpc.aio recognises a streaming handler only when it is itself an async generator function.
    async def GeneratePresentation(
        self, request: spb.GeneratePresentationRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[spb.GenerationEvent]:
        async for event in self._events(request, context, JobKind.PRESENTATION):
            yield event

    async def GenerateOutline(
        self, request: spb.GenerateOutlineRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[spb.GenerationEvent]:
        async for event in self._events(request, context, JobKind.OUTLINE):
            yield event

    async def RenderPresentation(
        self, request: spb.RenderPresentationRequest, context: grpc.aio.ServicerContext
    ) -> spb.RenderPresentationResponse:
        try:
            deck, formats = validate_deck(request)
            logo = request.deck.brand.logo if request.deck.HasField("brand") else b""
            presentation, warnings = await self._service.render(deck, formats, request.request_id, logo)
            return spb.RenderPresentationResponse(
                presentation=presentation_to_proto(presentation),
                warnings=[warning_to_proto(w) for w in warnings],
            )
        except grpc.aio.AbortError:
            raise
        except Exception as error:
            await self._fail(context, error)
            raise  # unreachable: _fail aborts

    async def RegenerateSlide(
        self, request: spb.RegenerateSlideRequest, context: grpc.aio.ServicerContext
    ) -> spb.RegenerateSlideResponse:
        try:
            presentation_id = parse_presentation_name(request.presentation, "presentation")
            instruction = validate_instruction(request.instruction)
            deck = None
            if request.HasField("deck"):
                deck, _ = validate_deck(spb.RenderPresentationRequest(deck=request.deck))
            slide, _ = await self._service.regenerate_slide(
                presentation_id, request.slide_index, instruction, deck
            )
            return spb.RegenerateSlideResponse(slide=slide_to_proto(slide, request.slide_index))
        except grpc.aio.AbortError:
            raise
        except Exception as error:
            await self._fail(context, error)
            raise

    async def GetPresentation(
        self, request: spb.GetPresentationRequest, context: grpc.aio.ServicerContext
    ) -> pb.Presentation:
        try:
            presentation_id = parse_presentation_name(request.name)
            return presentation_to_proto(await self._service.get(presentation_id))
        except grpc.aio.AbortError:
            raise
        except Exception as error:
            await self._fail(context, error)
            raise

    async def DownloadArtifact(
        self, request: spb.DownloadArtifactRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[spb.DownloadArtifactResponse]:
        try:
            artifact = await self._service.artifact(request.name)
            if not 0 <= request.offset <= artifact.size_bytes:
                raise InvalidRequest(
                    [FieldViolation("offset", f"must be between 0 and {artifact.size_bytes}")]
                )
            offset = request.offset
            first = True
            async for chunk in self._service.read_artifact(artifact, offset, self._chunk_size):
                response = spb.DownloadArtifactResponse(offset=offset, data=chunk)
                if first:
                    response.artifact.CopyFrom(artifact_to_proto(artifact))
                    first = False
                yield response
                offset += len(chunk)
            if first:  # an empty remainder still tells the caller what the artifact is
                yield spb.DownloadArtifactResponse(artifact=artifact_to_proto(artifact), offset=offset)
        except grpc.aio.AbortError:
            raise
        except ObjectNotFound:
            await context.abort(
                grpc.StatusCode.DATA_LOSS, f"{request.name} is recorded but its file is missing"
            )
        except Exception as error:
            await self._fail(context, error)

    async def ListThemes(
        self, request: spb.ListThemesRequest, context: grpc.aio.ServicerContext
    ) -> spb.ListThemesResponse:
        themes = self._themes()
        try:
            start = int(request.page_token) if request.page_token else 0
            if not 0 <= start <= len(themes) or request.page_size < 0:
                raise ValueError
        except ValueError:
            await context.abort_with_status(
                status_for(
                    InvalidRequest(
                        [FieldViolation("page_token" if request.page_size >= 0 else "page_size", "invalid")]
                    )
                )
            )
            raise
        end = len(themes) if request.page_size == 0 else min(start + request.page_size, len(themes))
        return spb.ListThemesResponse(
            themes=[theme_to_proto(t) for t in themes[start:end]],
            next_page_token=str(end) if end < len(themes) else "",
        )

    async def CreateTemplate(
        self, request: spb.CreateTemplateRequest, context: grpc.aio.ServicerContext
    ) -> pb.Template:
        try:
            if self._templates is None:
                raise d.PreconditionFailed(
                    "templates are not available on this server", reason="TEMPLATES_DISABLED"
                )
            template = await self._templates.create(request.template.display_name, request.content)
            return template_to_proto(template)
        except grpc.aio.AbortError:
            raise
        except Exception as error:
            await self._fail(context, error)
            raise  # unreachable: _fail aborts

    async def GetTemplate(
        self, request: spb.GetTemplateRequest, context: grpc.aio.ServicerContext
    ) -> pb.Template:
        try:
            if self._templates is None:
                raise d.NotFound(
                    f"{request.name} does not exist",
                    resource_type="deckgen.v1.Template",
                    resource_name=request.name,
                )
            return template_to_proto(await self._templates.get(parse_template_name(request.name)))
        except grpc.aio.AbortError:
            raise
        except Exception as error:
            await self._fail(context, error)
            raise  # unreachable: _fail aborts
