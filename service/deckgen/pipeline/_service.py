"""The application service: starts generations, runs them as jobs and serves their event streams."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import re
import time
import uuid
from collections.abc import AsyncGenerator, AsyncIterator
from dataclasses import dataclass, replace

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import Status, StatusCode

from deckgen.domain import (
    AlreadyExists,
    Artifact,
    ArtifactFormat,
    Brand,
    Cancelled,
    Deck,
    DeckgenError,
    FieldViolation,
    GenerationSpec,
    InvalidRequest,
    NotFound,
    PreconditionFailed,
    Presentation,
    PresentationState,
    Slide,
    Unavailable,
    Usage,
)
from deckgen.domain import _events as ev
from deckgen.domain._codec import from_jsonable, to_jsonable
from deckgen.domain._events import Accepted, Completed, Event, Failed, SequencedEvent
from deckgen.observability import GENERATIONS_IN_FLIGHT, QUEUED, TIME_TO_FIRST_SLIDE
from deckgen.pipeline._failures import as_domain_error, unexpected
from deckgen.pipeline._generate import (
    EXPORTED_FORMATS,
    export_unavailable,
    generate_outline,
    generate_presentation,
    load_assets,
    render_deck,
    store_key,
    store_logo,
)
from deckgen.pipeline._ports import PipelineDeps, TemplateSource
from deckgen.providers.queue import EventLog, Job, JobKind, JobQueue, StreamNotFound
from deckgen.providers.storage import InvalidKey, ObjectNotFound

__all__ = ["GenerationService", "Started", "parse_presentation_name"]

log = logging.getLogger(__name__)
_tracer = trace.get_tracer("deckgen.pipeline")

_PRESENTATION_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
_RECORD = "presentation.json"
_REQUEST = "request.json"


@dataclass(frozen=True, slots=True)
class Started:
    presentation_id: str
    joined: bool
    """True when an identical earlier request (same request_id) is already generating it."""


_CLIENT_LEFT = Cancelled("the caller cancelled the generation", reason="CLIENT_CANCELLED")
_SHUTDOWN = Unavailable(
    "the server is shutting down; send the request again (another replica will serve it)",
    retry_after=1.0,
    reason="SERVER_SHUTTING_DOWN",
)


def parse_presentation_name(name: str, field: str = "name") -> str:
    prefix, _, presentation_id = name.partition("/")
    if prefix != "presentations" or not _PRESENTATION_ID.match(presentation_id):
        raise InvalidRequest([FieldViolation(field, "must be `presentations/{presentation}`")])
    return presentation_id


def _fingerprint(spec: GenerationSpec, kind: JobKind) -> str:
    material = to_jsonable(replace(spec, request_id=""))
    material["kind"] = kind.value
    return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()


class GenerationService:
    """Owns the lifecycle of presentations. The gRPC layer calls only this class."""

    def __init__(
        self, deps: PipelineDeps, events: EventLog, timeout: float, detach_grace: float = 0.0
    ) -> None:
        self._deps = deps
        self._detach_grace = detach_grace
        self._background: set[asyncio.Task[None]] = set()
        self._events = events
        self._timeout = timeout
        self._queue: JobQueue | None = None
        self._presentations: dict[str, Presentation] = {}
        self._requests: dict[str, tuple[str, str]] = {}
        self._subscribers: dict[str, int] = {}
        self._announced: dict[str, dict[str, Artifact]] = {}
        self._cancellations: dict[str, DeckgenError] = {}
        self._draining = False

    def attach_queue(self, queue: JobQueue) -> None:
        self._queue = queue

    @property
    def queue(self) -> JobQueue:
        if self._queue is None:
            raise RuntimeError("no job queue attached")
        return self._queue

    # -- starting -------------------------------------------------------------------------------

    async def start(self, spec: GenerationSpec, kind: JobKind, deadline: float | None = None) -> Started:
        if self._draining:
            raise Unavailable(
                "the server is shutting down; retry against another replica",
                retry_after=1.0,
                reason="SERVER_SHUTTING_DOWN",
            )
        fingerprint = _fingerprint(spec, kind)
        if spec.request_id and spec.request_id in self._requests:
            known_fingerprint, known_id = self._requests[spec.request_id]
            if known_fingerprint != fingerprint:
                raise AlreadyExists(
                    f"request_id {spec.request_id} was already used for a different request",
                    reason="REQUEST_ID_REUSED",
                )
            if await self._events.exists(known_id):
                return Started(known_id, joined=True)
        self._check(spec, kind)
        # A missing template fails the call now, not after the slides were written.
        if spec.template:
            # Only the record is read here; the file itself is loaded when the deck is drawn.
            await self._templates("template").get(spec.template)

        presentation_id = str(uuid.uuid4())
        now = time.time()
        presentation = Presentation(
            presentation_id,
            PresentationState.PENDING,
            request_id=spec.request_id,
            create_time=now,
            update_time=now,
            outline=spec.outline,
        )
        limit = now + self._timeout
        job = Job(presentation_id, kind, spec, min(deadline, limit) if deadline else limit)
        self._presentations[presentation_id] = presentation
        await self._events.create(presentation_id)
        await self._events.append(presentation_id, Accepted(presentation))
        QUEUED.inc()
        try:
            await self.queue.submit(job)
        except BaseException:
            QUEUED.dec()
            self._presentations.pop(presentation_id, None)
            raise
        if spec.request_id:
            self._requests[spec.request_id] = (fingerprint, presentation_id)
        return Started(presentation_id, joined=False)

    def _check(self, spec: GenerationSpec, kind: JobKind) -> None:
        try:
            self._deps.theme(spec.theme)
        except NotFound:
            raise InvalidRequest(
                [
                    FieldViolation(
                        "theme", f"unknown theme {spec.theme!r}; ListThemes returns the available ones"
                    )
                ]
            ) from None
        self._check_formats(spec.output_formats)
        self._deps.engine.check(spec)

    # -- running --------------------------------------------------------------------------------

    async def run(self, job: Job) -> None:
        """The job runner: drive the pipeline and end the stream with exactly one terminal event."""
        stream = job.id

        order = asyncio.Lock()

        first_slide = True

        announced = self._announced.setdefault(stream, {})

        async def publish(event: Event) -> None:
            nonlocal first_slide
            # A file announced is complete: it can be downloaded before the generation ends.
            if isinstance(event, ev.ArtifactReady | ev.ImageReady):
                announced[event.artifact.name] = event.artifact
            if first_slide and isinstance(event, ev.SlideReady):
                first_slide = False
                TIME_TO_FIRST_SLIDE.observe(time.time() - presentation.create_time)
            # Pictures are announced from their own tasks; one append at a time keeps any event
            # log (in-process or shared) gap-free and in the order events happened.
            async with order:
                await self._events.append(stream, event)

        presentation = replace(
            self._presentations[stream], state=PresentationState.GENERATING, update_time=time.time()
        )
        self._presentations[stream] = presentation
        QUEUED.dec()
        GENERATIONS_IN_FLIGHT.inc()
        span = _tracer.start_span(
            "generation",
            attributes={"deckgen.presentation": stream, "deckgen.kind": job.kind.value},
        )
        token = otel_context.attach(trace.set_span_in_context(span))
        try:
            async with asyncio.timeout(max(job.deadline - time.time(), 0.0)):
                if job.kind is JobKind.OUTLINE:
                    result = await generate_outline(presentation, job.spec, self._deps, publish)
                else:
                    result = await generate_presentation(presentation, job.spec, self._deps, publish)
                    # Kept for RegenerateSlide; written with the files, so a store outage shows up
                    # in the files step, after the slides reached the caller.
                    await self._save_request(stream, job.spec)
                    await self._save_record(result)
        except asyncio.CancelledError:
            span.set_status(Status(StatusCode.ERROR, "cancelled"))
            cancellation = self._cancellations.pop(stream, _CLIENT_LEFT)
            await self._fail(presentation, Failed(cancellation), PresentationState.CANCELLED)
            raise
        except Exception as error:  # every failure must end the stream, whatever raised it
            span.record_exception(error)
            span.set_status(Status(StatusCode.ERROR, type(error).__name__))
            failure = as_domain_error(error)
            if unexpected(error):
                log.exception("generation %s failed", stream)
            else:
                log.info("generation %s failed: %s %s", stream, failure.reason, failure.message)
            await self._fail(presentation, Failed(failure), PresentationState.FAILED)
            return
        finally:
            self._announced.pop(stream, None)
            GENERATIONS_IN_FLIGHT.dec()
            otel_context.detach(token)
            span.end()
        self._presentations[stream] = result
        await publish(Completed(result))

    async def _fail(self, presentation: Presentation, failure: Failed, state: PresentationState) -> None:
        self._presentations[presentation.id] = replace(
            presentation, state=state, error=failure.error.message, update_time=time.time()
        )
        # Nothing half-made stays visible: a failed generation's files are removed.
        try:
            await self._deps.store.delete_prefix(f"presentations/{presentation.id}")
        except Exception:
            log.exception("could not remove the files of failed generation %s", presentation.id)
        await self._events.append(presentation.id, failure)

    # -- streaming ------------------------------------------------------------------------------

    async def events(self, presentation_id: str, after: int = 0) -> AsyncGenerator[SequencedEvent, None]:
        """The generation's events after `after`, live; the job is cancelled when its last reader leaves."""
        try:
            reader = self._events.read(presentation_id, after)
            first = await anext(reader, None)
        except StreamNotFound:
            raise NotFound(
                f"no generation stream for presentations/{presentation_id}; it finished more than the "
                "retention period ago or ran on a replica that is gone",
                resource_type="deckgen.v1.Presentation",
                resource_name=f"presentations/{presentation_id}",
            ) from None
        self._subscribers[presentation_id] = self._subscribers.get(presentation_id, 0) + 1
        try:
            if first is None:
                return
            yield first
            if first.terminal:
                return
            async for event in reader:
                yield event
        finally:
            await reader.aclose()
            remaining = self._subscribers[presentation_id] - 1
            if remaining:
                self._subscribers[presentation_id] = remaining
            else:
                del self._subscribers[presentation_id]
                if self._detach_grace > 0:
                    task = asyncio.create_task(self._cancel_unless_resumed(presentation_id))
                    self._background.add(task)
                    task.add_done_callback(self._background.discard)
                else:
                    await self._cancel_if_running(presentation_id, _CLIENT_LEFT)

    async def _cancel_unless_resumed(self, presentation_id: str) -> None:
        await asyncio.sleep(self._detach_grace)
        if presentation_id not in self._subscribers:
            await self._cancel_if_running(presentation_id, _CLIENT_LEFT)

    async def _cancel_if_running(self, presentation_id: str, cancellation: DeckgenError) -> None:
        state = self._presentations.get(presentation_id)
        if state is None or state.state.terminal or self._queue is None:
            return
        self._cancellations[presentation_id] = cancellation
        if not await self._queue.cancel(presentation_id):
            self._cancellations.pop(presentation_id, None)

    # -- other use cases ------------------------------------------------------------------------

    async def get(self, presentation_id: str) -> Presentation:
        known = self._presentations.get(presentation_id)
        if known is not None:
            return known
        try:
            data = await self._deps.store.get(store_key(presentation_id, _RECORD))
        except (ObjectNotFound, InvalidKey):
            raise NotFound(
                f"presentations/{presentation_id} does not exist",
                resource_type="deckgen.v1.Presentation",
                resource_name=f"presentations/{presentation_id}",
            ) from None
        return from_jsonable(Presentation, json.loads(data))

    async def artifact(self, name: str) -> Artifact:
        prefix, _, filename = name.partition("/artifacts/")
        presentation_id = parse_presentation_name(prefix)
        if not filename:
            raise InvalidRequest(
                [FieldViolation("name", "must be `presentations/{presentation}/artifacts/{artifact}`")]
            )
        early = self._announced.get(presentation_id, {}).get(name)
        if early is not None:
            return early
        presentation = await self.get(presentation_id)
        for artifact in presentation.artifacts:
            if artifact.name == name:
                return artifact
        raise NotFound(f"{name} does not exist", resource_type="deckgen.v1.Artifact", resource_name=name)

    def read_artifact(self, artifact: Artifact, offset: int, chunk_size: int) -> AsyncIterator[bytes]:
        return self._deps.store.read(artifact.key, offset=offset, chunk_size=chunk_size)

    async def render(
        self, deck: Deck, formats: tuple[ArtifactFormat, ...], request_id: str = "", logo: bytes = b""
    ) -> tuple[Presentation, list[ev.Warning]]:
        if self._draining:
            raise Unavailable("the server is shutting down", retry_after=1.0, reason="SERVER_SHUTTING_DOWN")
        try:
            theme = self._deps.theme(deck.theme)
        except NotFound:
            raise InvalidRequest([FieldViolation("deck.theme", f"unknown theme {deck.theme!r}")]) from None
        self._check_formats(formats)
        presentation_id = str(uuid.uuid4())
        warnings: list[ev.Warning] = []

        async def collect(event: Event) -> None:
            if isinstance(event, ev.Warning):
                warnings.append(event)

        for index, slide in enumerate(deck.slides):
            _, messages = self._deps.fit(slide, theme)
            warnings.extend(ev.Warning("SLIDE_SPLIT_TO_FIT", message, index) for message in messages)
        now = time.time()
        try:
            assets = await load_assets(deck, self._deps)
            extra: list[Artifact] = []
            if logo:
                stored_logo = await store_logo(presentation_id, logo, self._deps)
                deck = replace(deck, brand=replace(deck.brand or Brand(), logo_uri=stored_logo.name))
                assets[stored_logo.name] = logo
                extra.append(stored_logo)
            template = (
                await self._templates("deck.template").content(deck.template) if deck.template else None
            )
            laid_out, artifacts = await render_deck(
                presentation_id, deck, theme, formats, self._deps, collect, assets, template
            )
            artifacts.extend(extra)
        except BaseException:
            await self._deps.store.delete_prefix(f"presentations/{presentation_id}")
            raise
        presentation = Presentation(
            presentation_id,
            PresentationState.SUCCEEDED,
            deck=laid_out,
            artifacts=tuple(artifacts),
            request_id=request_id,
            create_time=now,
            update_time=time.time(),
        )
        await self._save_record(presentation)
        self._presentations[presentation_id] = presentation
        return presentation, warnings

    async def regenerate_slide(
        self, presentation_id: str, index: int, instruction: str, deck: Deck | None
    ) -> tuple[Slide, Usage]:
        presentation = await self.get(presentation_id)
        deck = deck if deck is not None else presentation.deck
        if deck is None:
            raise PreconditionFailed(
                f"presentations/{presentation_id} has no deck yet", reason="PRESENTATION_NOT_READY"
            )
        if not 0 <= index < len(deck.slides):
            raise InvalidRequest(
                [FieldViolation("slide_index", f"must be between 0 and {len(deck.slides) - 1}")]
            )
        spec = await self._load_request(presentation_id)
        return await self._deps.engine.regenerate_slide(spec, deck, index, instruction)

    # -- persistence ----------------------------------------------------------------------------

    def _check_formats(self, formats: tuple[ArtifactFormat, ...]) -> None:
        known = set(self._deps.writers) | EXPORTED_FORMATS
        unsupported = [(index, fmt) for index, fmt in enumerate(formats) if fmt not in known]
        if unsupported:
            supported = ", ".join(fmt.name for fmt in (*self._deps.writers, *EXPORTED_FORMATS))
            raise InvalidRequest(
                [
                    FieldViolation(
                        f"output_formats[{index}]", f"{fmt.name} is not a deck format ({supported})"
                    )
                    for index, fmt in unsupported
                ]
            )
        if self._deps.exporter is None and any(fmt in EXPORTED_FORMATS for fmt in formats):
            raise export_unavailable()

    def _templates(self, field: str) -> TemplateSource:
        if self._deps.templates is None:
            raise InvalidRequest([FieldViolation(field, "templates are not available on this server")])
        return self._deps.templates

    async def _save_record(self, presentation: Presentation) -> None:
        data = json.dumps(to_jsonable(presentation)).encode()
        await self._deps.store.put(store_key(presentation.id, _RECORD), data, "application/json")

    async def _save_request(self, presentation_id: str, spec: GenerationSpec) -> None:
        data = json.dumps(to_jsonable(spec)).encode()
        await self._deps.store.put(store_key(presentation_id, _REQUEST), data, "application/json")

    async def _load_request(self, presentation_id: str) -> GenerationSpec:
        try:
            data = await self._deps.store.get(store_key(presentation_id, _REQUEST))
        except ObjectNotFound:
            # Rendered (not generated) decks have no request: regenerate from the deck alone.
            return GenerationSpec()
        return from_jsonable(GenerationSpec, json.loads(data))

    # -- shutdown -------------------------------------------------------------------------------

    @property
    def draining(self) -> bool:
        return self._draining

    async def drain(self, grace: float) -> None:
        """Refuse new work, let running generations finish for `grace` s, then end them with UNAVAILABLE."""
        self._draining = True
        if self._queue is None or await self._queue.wait_idle(grace):
            return
        running = [pid for pid, p in self._presentations.items() if not p.state.terminal]
        log.warning("shutdown grace over; ending %d running generation(s)", len(running))
        await asyncio.gather(*(self._cancel_if_running(pid, _SHUTDOWN) for pid in running))
