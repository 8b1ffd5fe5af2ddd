"""`deckgen.v1.PresentationService`: translates calls to the generation service and back."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from contextlib import AsyncExitStack, aclosing
from dataclasses import replace

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
from deckgen.api._limits import CallerLimits
from deckgen.api._resume import ResumeTokens
from deckgen.api._validate import (
    Limits,
    validate_deck,
    validate_generation,
    validate_instruction,
)
from deckgen.auth import current_principal
from deckgen.domain import FieldViolation, InvalidRequest
from deckgen.domain._events import Completed, Failed, SlideReady
from deckgen.observability import TIME_TO_FIRST_SLIDE
from deckgen.pipeline import (
    GenerationService,
    TemplateLibrary,
    as_domain_error,
    parse_presentation_name,
    parse_template_name,
    template_not_found,
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


class PresentationServicer(spb_grpc.PresentationServiceServicer):
    def __init__(
        self,
        service: GenerationService,
        limits: Limits,
        themes: Callable[[], tuple[d.Theme, ...]],
        chunk_size: int,
        templates: TemplateLibrary | None = None,
        tokens: ResumeTokens | None = None,
        quota: CallerLimits | None = None,
    ) -> None:
        self._service = service
        self.resume_tokens = tokens or ResumeTokens()
        self._quota = quota
        self._limits = limits
        self._themes = themes
        self._chunk_size = chunk_size
        self._templates = templates

    async def _fail(self, context: grpc.aio.ServicerContext, error: Exception) -> None:
        if unexpected(error):
            log.exception("unexpected error in %s", type(self).__name__)
        await context.abort_with_status(status_for(as_domain_error(error)))

    def _refuse_new_work(self) -> None:
        # Generations and renders are refused by the service itself; reads (Get*, downloads,
        # resumes, ListThemes) are still served while draining so callers can fetch what finished.
        if self._service.draining:
            raise d.Unavailable(
                "the server is shutting down; send the request again (another replica will serve it)",
                retry_after=1.0,
                reason="SERVER_SHUTTING_DOWN",
            )

    # -- ownership: another principal's resource does not exist, as far as the caller can tell ----

    async def _presentation(self, presentation_id: str) -> d.Presentation:
        presentation = await self._service.get(presentation_id)
        if not current_principal().may_access(presentation.owner):
            name = d.presentation_name(presentation_id)
            raise d.NotFound(
                f"{name} does not exist", resource_type="deckgen.v1.Presentation", resource_name=name
            )
        return presentation

    async def _owns_artifact(self, name: str) -> None:
        try:
            presentation_id = parse_presentation_name(name.partition("/artifacts/")[0])
        except InvalidRequest:
            return  # a malformed name: the service explains what is wrong with it
        await self._presentation(presentation_id)

    async def _template(self, template_id: str) -> d.Template:
        if self._templates is None:
            raise template_not_found(template_id)
        template = await self._templates.get(template_id)
        if not current_principal().may_access(template.owner):
            raise template_not_found(template_id)
        return template

    async def _events(
        self, request: GenerationRequest, context: grpc.aio.ServicerContext, kind: JobKind
    ) -> None:
        # Written with `context.write`, not as an async generator: when the caller goes away, grpc
        # cancels this task and every `finally` below (closing the event stream, which detaches the
        # reader and cancels the work) runs here, in order. An async generator would be dropped
        # mid-yield and finalised later from another task ("aclose(): asynchronous generator is
        # already running", and tracing contexts detached in the wrong context).
        # What the caller waits for is timed from the call's start (decoding and checking its
        # documents included) to the moment the first slide is handed to grpc to send.
        call_started = time.monotonic()
        timing_first_slide = False
        held = AsyncExitStack()  # the caller's generation slot, for as long as it is streamed
        try:
            principal = current_principal()
            caller = self._quota.caller(context) if self._quota is not None else ""
            if request.resume_token:
                presentation_id, after = self.resume_tokens.decode(principal.id, request.resume_token)
                await self._presentation(presentation_id)
            else:
                spec = validate_generation(request, self._limits, {t.id for t in self._themes()})
                spec = replace(spec, owner=principal.id)
                if spec.template:
                    await self._template(spec.template)
                if self._quota is not None:
                    await held.enter_async_context(self._quota.generation(caller))
                remaining = context.time_remaining()
                deadline = time.time() + remaining if remaining is not None else None
                started = await self._service.start(spec, kind, deadline)
                presentation_id, after = started.presentation_id, 0
                timing_first_slide = kind is JobKind.PRESENTATION and not started.joined
            stream = self._service.events(presentation_id, after)
            async with aclosing(stream):
                async for event in stream:
                    if isinstance(event.event, Failed):
                        await context.abort_with_status(status_for(event.event.error))
                    if isinstance(event.event, Completed) and self._quota is not None:
                        await self._quota.charge(caller, event.event.presentation.usage)
                    token = self.resume_tokens.encode(principal.id, presentation_id, event.sequence)
                    message = event_to_proto(event, presentation_id, token)
                    if timing_first_slide and isinstance(event.event, SlideReady):
                        # Taken as it is handed over: the write's completion may reach this task
                        # after the caller already has the slide (on uvloop, often).
                        timing_first_slide = False
                        TIME_TO_FIRST_SLIDE.observe(time.monotonic() - call_started)
                    await context.write(message)
        except grpc.aio.AbortError:
            raise
        except Exception as error:
            await self._fail(context, error)
        finally:
            await held.aclose()

    async def GeneratePresentation(
        self, request: spb.GeneratePresentationRequest, context: grpc.aio.ServicerContext
    ) -> None:
        await self._events(request, context, JobKind.PRESENTATION)

    async def GenerateOutline(
        self, request: spb.GenerateOutlineRequest, context: grpc.aio.ServicerContext
    ) -> None:
        await self._events(request, context, JobKind.OUTLINE)

    async def RenderPresentation(
        self, request: spb.RenderPresentationRequest, context: grpc.aio.ServicerContext
    ) -> spb.RenderPresentationResponse:
        try:
            deck, formats = validate_deck(request)
            if deck.template:
                await self._template(deck.template)
            logo = request.deck.brand.logo if request.deck.HasField("brand") else b""
            presentation, warnings = await self._service.render(
                deck, formats, request.request_id, logo, owner=current_principal().id
            )
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
            self._refuse_new_work()
            presentation_id = parse_presentation_name(request.presentation, "presentation")
            await self._presentation(presentation_id)
            instruction = validate_instruction(request.instruction)
            deck = None
            if request.HasField("deck"):
                deck, _ = validate_deck(spb.RenderPresentationRequest(deck=request.deck))
            caller = self._quota.caller(context) if self._quota is not None else ""
            if self._quota is not None:
                await self._quota.check_tokens(caller)
            slide, usage = await self._service.regenerate_slide(
                presentation_id, request.slide_index, instruction, deck
            )
            if self._quota is not None:
                await self._quota.charge(caller, usage)
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
            return presentation_to_proto(await self._presentation(presentation_id))
        except grpc.aio.AbortError:
            raise
        except Exception as error:
            await self._fail(context, error)
            raise

    async def DownloadArtifact(
        self, request: spb.DownloadArtifactRequest, context: grpc.aio.ServicerContext
    ) -> None:
        # `context.write` for the same reason as `_events`: a caller leaving mid-download unwinds here.
        try:
            await self._owns_artifact(request.name)
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
                await context.write(response)
                offset += len(chunk)
            if first:  # an empty remainder still tells the caller what the artifact is
                await context.write(
                    spb.DownloadArtifactResponse(artifact=artifact_to_proto(artifact), offset=offset)
                )
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
            self._refuse_new_work()
            if self._templates is None:
                raise d.PreconditionFailed(
                    "templates are not available on this server", reason="TEMPLATES_DISABLED"
                )
            template = await self._templates.create(
                request.template.display_name, request.content, owner=current_principal().id
            )
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
            return template_to_proto(await self._template(parse_template_name(request.name)))
        except grpc.aio.AbortError:
            raise
        except Exception as error:
            await self._fail(context, error)
            raise  # unreachable: _fail aborts
