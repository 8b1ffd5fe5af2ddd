"""The front side: starts generations, serves their event streams, records and cancellations.

It never runs a generation itself: it enqueues a job, and whichever worker claims it (in this
process or another replica) appends the events its readers see. Everything it knows about a
generation lives behind the `Coordination` ports, so any replica can serve any call.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import re
import time
import uuid
from collections.abc import AsyncGenerator, AsyncIterator
from dataclasses import dataclass, replace

from opentelemetry import propagate

from deckgen.domain import (
    AlreadyExists,
    Artifact,
    ArtifactFormat,
    Brand,
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
from deckgen.domain._events import Accepted, Event, Failed, SequencedEvent
from deckgen.observability import STREAMS_OPEN
from deckgen.pipeline._failures import as_domain_error
from deckgen.pipeline._generate import (
    EXPORTED_FORMATS,
    export_unavailable,
    load_assets,
    render_deck,
    store_logo,
)
from deckgen.pipeline._ports import Coordination, PipelineDeps, TemplateSource
from deckgen.pipeline._worker import CLIENT_LEFT, Worker, record_key, request_key
from deckgen.providers.queue import Claim, Job, JobKind, Opener, StreamNotFound
from deckgen.providers.state import READER_LEASE, RequestBinding
from deckgen.providers.storage import InvalidKey, ObjectNotFound

__all__ = ["GenerationService", "Started", "parse_presentation_name"]

log = logging.getLogger(__name__)

_PRESENTATION_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
_READER_RENEWAL = READER_LEASE / 3
"""Seconds between renewals of this replica's readers (their entries lapse after READER_LEASE)."""


@dataclass(frozen=True, slots=True)
class Started:
    presentation_id: str
    joined: bool
    """True when an identical earlier request (same request_id) is already generating it."""


def parse_presentation_name(
    name: str, field: str = "name", form: str = "presentations/{presentation}"
) -> str:
    prefix, _, presentation_id = name.partition("/")
    if prefix != "presentations" or not _PRESENTATION_ID.match(presentation_id):
        problem = f"must be `{form}`"
        if any(mark in name for mark in "<>{}"):
            # A name pasted from the docs: say which part to replace and where to find it.
            problem += (
                ", with the placeholder replaced by the presentation's id (the `accepted` event's "
                "`presentation.name`)"
            )
        raise InvalidRequest([FieldViolation(field, problem)])
    return presentation_id


def _fingerprint(spec: GenerationSpec, kind: JobKind) -> str:
    material = to_jsonable(replace(spec, request_id=""))
    material["kind"] = kind.value
    return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()


def _shutting_down() -> Unavailable:
    return Unavailable(
        "the server is shutting down; retry against another replica",
        retry_after=1.0,
        reason="SERVER_SHUTTING_DOWN",
    )


def _no_stream(presentation_id: str) -> NotFound:
    return NotFound(
        f"no generation stream for presentations/{presentation_id}; it finished more than the "
        "retention period ago or never existed",
        resource_type="deckgen.v1.Presentation",
        resource_name=f"presentations/{presentation_id}",
    )


class GenerationService:
    """Owns the lifecycle of presentations. The gRPC layer calls only this class."""

    def __init__(
        self,
        deps: PipelineDeps,
        shared: Coordination,
        timeout: float,
        detach_grace: float = 30.0,
    ) -> None:
        self._deps = deps
        self._shared = shared
        self._detach_grace = detach_grace
        self._timeout = timeout
        self._background: set[asyncio.Task[None]] = set()
        self._local_readers: dict[str, str] = {}
        """reader id -> stream, for this replica's readers (renewed while they read)."""
        self._renewal: asyncio.Task[None] | None = None
        self._draining = False
        self._closed = asyncio.Event()
        """Set when this replica hands its readers over to others (shutdown with a shared queue)."""
        self._parked: set[asyncio.Task[object]] = set()
        """Tasks of this replica's readers waiting for their next event (cancelled to hand over)."""
        self._handing_over: set[asyncio.Task[object]] = set()
        """The parked readers the hand-over cancelled (any other cancellation is the caller's)."""
        self.local_worker: Worker | None = None
        """The worker of this process, if it has one: it takes the jobs started here when it can."""
        self._unread = asyncio.Event()
        """Set while this replica has no reader."""
        self._unread.set()

    @property
    def shared(self) -> Coordination:
        return self._shared

    # -- starting -------------------------------------------------------------------------------

    async def start(self, spec: GenerationSpec, kind: JobKind, deadline: float | None = None) -> Started:
        if self._draining:
            raise _shutting_down()
        presentation_id = str(uuid.uuid4())
        first = self._deps.first_slides if kind is JobKind.PRESENTATION else None
        if first is None:
            return (await self._start(presentation_id, spec, kind, deadline))[0]
        # From its arrival on, this call's way to its first slide goes before other decks' later work.
        first.expect(presentation_id)
        here = False
        try:
            started, here = await self._start(presentation_id, spec, kind, deadline)
            return started
        finally:
            if not here:  # no generation of this process will publish its first slide
                first.reached(presentation_id)

    async def _start(
        self, presentation_id: str, spec: GenerationSpec, kind: JobKind, deadline: float | None
    ) -> tuple[Started, bool]:
        """The call started (or joined), and whether this process's worker runs it."""
        # Only a request_id is ever compared: without one, hashing the request (its documents
        # included) would be work for nothing.
        fingerprint = _fingerprint(spec, kind) if spec.request_id else ""
        request_key = spec.request_key
        if spec.request_id:
            joined = await self._join(request_key, fingerprint)
            if joined is not None:
                return joined, False
        spec, notes = await self._read_sources(spec)
        # Checking parses the caller's documents: for a long one, tens of milliseconds of CPU that
        # must not hold up other streams' events; unless the engine knows them already.
        quick = getattr(self._deps.engine, "check_is_quick", None)
        if quick is not None and quick(spec):
            self._check(spec, kind)
        else:
            await asyncio.to_thread(self._check, spec, kind)
        # A missing template fails the call now, not after the slides were written.
        if spec.template:
            # Only the record is read here; the file itself is loaded when the deck is drawn.
            await self._templates("template").get(spec.template)

        now = time.time()
        presentation = Presentation(
            presentation_id,
            PresentationState.PENDING,
            request_id=spec.request_id,
            create_time=now,
            update_time=now,
            outline=spec.outline,
            owner=spec.owner,
        )
        limit = now + self._timeout
        carrier: dict[str, str] = {}
        propagate.inject(carrier)
        job = Job(
            presentation_id, kind, spec, min(deadline, limit) if deadline else limit, tuple(carrier.items())
        )
        events = self._shared.events
        opener = self._shared.opener
        if opener is not None and not spec.request_id:
            return await self._open(opener, presentation, job, notes)
        if spec.request_id:
            await events.create(presentation_id, Accepted(presentation))
        else:
            # Nothing to undo if either fails (an unknown id leads nowhere): both in one round trip.
            await asyncio.gather(
                events.create(presentation_id, Accepted(presentation)), self._shared.records.put(presentation)
            )
        if spec.request_id:
            earlier = await self._shared.records.bind_request(
                request_key, RequestBinding(fingerprint, presentation_id)
            )
            if earlier is not None:  # another replica started the same request a moment ago
                await events.delete(presentation_id)
                return self._joined(request_key, fingerprint, earlier), False
        # A worker of this process with room takes the job as it is enqueued (recorded in the queue
        # all the same, so another takes it over if this process dies): no hand-off through Redis,
        # and this replica's readers read its events from memory.
        local = await self.local_worker.reserve() if self.local_worker is not None else ""
        try:
            for note in notes:
                await events.append(presentation_id, ev.Warning("SOURCE_CONVERTED", note))
            if spec.request_id:
                await self._shared.records.put(presentation)
            claim = await self._shared.queue.submit(job, worker=local)
            # The claim may be an older job that was waiting: then this one runs later, maybe elsewhere.
            here = self.local_worker is not None and bool(local) and _claims(claim, presentation_id)
            if self.local_worker is not None and local:
                self.local_worker.take(claim)
                local = ""
        except BaseException as error:
            if self.local_worker is not None and local:
                self.local_worker.take(None)
            await self._not_started(presentation, error, request_key if spec.request_id else "")
            raise
        return Started(presentation_id, joined=False), here

    async def _open(
        self, opener: Opener, presentation: Presentation, job: Job, notes: tuple[str, ...]
    ) -> tuple[Started, bool]:
        """`_start`'s last steps in one (`Opener`): for a job with no request_id to bind first."""
        worker = self.local_worker
        local = await worker.reserve() if worker is not None else ""
        first: list[Event] = [Accepted(presentation)]
        first += [ev.Warning("SOURCE_CONVERTED", note) for note in notes]
        try:
            # Recorded as running already if this worker gets it: a write less before its events.
            running = replace(presentation, state=PresentationState.GENERATING)
            claim, opened = await opener.open(job, first, presentation, local, running)
        except BaseException as error:
            if worker is not None and local:
                worker.take(None)
            await self._not_started(presentation, error)
            raise
        if worker is not None and local:
            worker.take(claim, opened)
        return Started(presentation.id, joined=False), bool(local) and _claims(claim, presentation.id)

    async def _not_started(
        self, presentation: Presentation, error: BaseException, request_key: str = ""
    ) -> None:
        """Nobody will run it: end its stream, so nothing waits on an `accepted` that never ends."""
        with contextlib.suppress(Exception):
            if request_key:
                await self._shared.records.unbind_request(request_key, presentation.id)
            failure = as_domain_error(error)
            await self._shared.events.append(presentation.id, Failed(failure))
            await self._shared.records.put(
                replace(presentation, state=PresentationState.FAILED, error=failure.message)
            )

    async def _read_sources(self, spec: GenerationSpec) -> tuple[GenerationSpec, tuple[str, ...]]:
        """The spec with every source as Markdown or text, read here on the front side so that a
        source nobody can read fails the call before it is accepted, and workers need no readers."""
        if not spec.sources or self._deps.sources is None:
            return spec, ()
        converted = await self._deps.sources.to_markdown(spec.sources)
        return replace(spec, sources=converted.sources), converted.notes

    async def _join(self, request_id: str, fingerprint: str) -> Started | None:
        known = await self._shared.records.request(request_id)
        if known is None:
            return None
        started = self._joined(request_id, fingerprint, known)
        if await self._shared.events.exists(known.presentation_id):
            return started
        return None

    @staticmethod
    def _joined(request_id: str, fingerprint: str, known: RequestBinding) -> Started:
        if known.fingerprint != fingerprint:
            raise AlreadyExists(
                f"request_id {request_id.rpartition('/')[2]} was already used for a different request",
                reason="REQUEST_ID_REUSED",
            )
        return Started(known.presentation_id, joined=True)

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

    # -- streaming ------------------------------------------------------------------------------

    async def events(self, presentation_id: str, after: int = 0) -> AsyncGenerator[SequencedEvent, None]:
        """The generation's events after `after`, live; the job is cancelled when its last reader
        (on any replica) has been gone for DETACH_GRACE seconds."""
        try:
            # From the start, nothing to check here: a stream that does not exist (any more) is
            # found out by its first read. One round trip fewer before a new generation's events.
            last = await self._shared.events.last_sequence(presentation_id) if after else 0
            if after > last:
                raise InvalidRequest(
                    [
                        FieldViolation(
                            "resume_token",
                            f"points past the end of the stream (event {after}; the last is {last})",
                        )
                    ]
                )
            reader = self._shared.events.read(presentation_id, after)
        except StreamNotFound:
            raise _no_stream(presentation_id) from None
        reader_id = uuid.uuid4().hex
        # Attached while the first event goes out, not before it: with Redis, a round trip less
        # ahead of everything the caller is sent. Nothing looks for readers that soon (a job is
        # stopped only after two looks a grace apart found none).
        attaching: asyncio.Task[None] | None = asyncio.create_task(
            self._shared.readers.attach(presentation_id, reader_id)
        )
        self._local_readers[reader_id] = presentation_id
        self._unread.clear()
        self._renew_readers_soon()
        STREAMS_OPEN.inc()
        try:
            async for event in self._until_closed(reader):
                yield event
                if attaching is not None:
                    # Its failure (the shared state is unreachable) ends the call here.
                    await attaching
                    attaching = None
        except StreamNotFound:
            raise _no_stream(presentation_id) from None
        finally:
            STREAMS_OPEN.dec()
            if attaching is not None:
                # Detached only once attached: otherwise the reader would outlive its call.
                with contextlib.suppress(Exception):
                    await asyncio.shield(attaching)
            await reader.aclose()
            del self._local_readers[reader_id]
            if not self._local_readers:
                self._unread.set()
            await self._detached(presentation_id, reader_id)

    async def _until_closed(self, reader: AsyncGenerator[SequencedEvent]) -> AsyncIterator[SequencedEvent]:
        """The reader's events until this replica hands its readers over (they resume elsewhere).

        Each event is awaited directly: racing every one against the hand-over in a task of its
        own cost more than the rest of relaying it. The hand-over instead cancels the readers
        waiting here, and only there (`_parked`), which end with UNAVAILABLE.
        """
        task = asyncio.current_task()
        assert task is not None, "read from a task"
        while True:
            if self._closed.is_set():
                raise _shutting_down()
            self._parked.add(task)
            try:
                event = await anext(reader)
            except StopAsyncIteration:
                return
            except asyncio.CancelledError:
                if task not in self._handing_over:
                    raise
                self._handing_over.discard(task)
                task.uncancel()
                raise _shutting_down() from None
            finally:
                self._parked.discard(task)
            yield event
            if event.terminal:
                return

    def _renew_readers_soon(self) -> None:
        if self._renewal is None or self._renewal.done():
            self._renewal = asyncio.create_task(self._renew_readers())

    async def _renew_readers(self) -> None:
        while self._local_readers:
            await asyncio.sleep(_READER_RENEWAL)
            for reader_id, stream in list(self._local_readers.items()):
                with contextlib.suppress(Exception):  # a failed renewal is retried on the next round
                    await self._shared.readers.attach(stream, reader_id)

    async def _detached(self, presentation_id: str, reader_id: str) -> None:
        try:
            remaining = await self._shared.readers.detach(presentation_id, reader_id)
        except Exception:
            log.warning("could not record that a reader of %s left", presentation_id)
            return
        if remaining or self._draining:
            return  # others still read it, or this replica's readers will resume elsewhere
        if self._detach_grace > 0:
            task = asyncio.create_task(self._cancel_unless_resumed(presentation_id))
            self._background.add(task)
            task.add_done_callback(self._background.discard)
        else:
            await self._cancel_if_running(presentation_id, CLIENT_LEFT)

    async def _cancel_unless_resumed(self, presentation_id: str) -> None:
        await asyncio.sleep(self._detach_grace)
        with contextlib.suppress(Exception):
            if not await self._shared.readers.count(presentation_id):
                await self._cancel_if_running(presentation_id, CLIENT_LEFT)

    async def _cancel_if_running(self, presentation_id: str, cancellation: DeckgenError) -> None:
        state = await self._shared.records.get(presentation_id)
        if state is None or state.state.terminal:
            return
        await self._shared.cancels.send(presentation_id, cancellation)

    # -- other use cases ------------------------------------------------------------------------

    async def get(self, presentation_id: str) -> Presentation:
        known = await self._shared.records.get(presentation_id)
        if known is not None:
            return known
        try:
            data = await self._deps.store.get(record_key(presentation_id))
        except (ObjectNotFound, InvalidKey):
            raise NotFound(
                f"presentations/{presentation_id} does not exist",
                resource_type="deckgen.v1.Presentation",
                resource_name=f"presentations/{presentation_id}",
            ) from None
        stored: Presentation = from_jsonable(Presentation, json.loads(data))
        if not stored.state.terminal:
            # Written while it ran, by a process that is gone: what was announced is kept.
            stored = replace(
                stored,
                state=PresentationState.FAILED,
                error="the server stopped while generating it; the files announced before are kept",
            )
        return stored

    async def artifact(self, name: str) -> Artifact:
        form = "presentations/{presentation}/artifacts/{artifact}"
        prefix, _, filename = name.partition("/artifacts/")
        presentation_id = parse_presentation_name(prefix, form=form)
        if not filename:
            raise InvalidRequest([FieldViolation("name", f"must be `{form}`")])
        # Files announced while the generation runs are in its record already.
        presentation = await self.get(presentation_id)
        for artifact in presentation.artifacts:
            if artifact.name == name:
                return artifact
        raise NotFound(f"{name} does not exist", resource_type="deckgen.v1.Artifact", resource_name=name)

    def read_artifact(self, artifact: Artifact, offset: int, chunk_size: int) -> AsyncIterator[bytes]:
        return self._deps.store.read(artifact.key, offset=offset, chunk_size=chunk_size)

    async def render(
        self,
        deck: Deck,
        formats: tuple[ArtifactFormat, ...],
        request_id: str = "",
        logo: bytes = b"",
        owner: str = "",
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
            owner=owner,
        )
        data = json.dumps(to_jsonable(presentation)).encode()
        await self._deps.store.put(record_key(presentation_id), data, "application/json")
        await self._shared.records.put(presentation)
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

    async def _load_request(self, presentation_id: str) -> GenerationSpec:
        try:
            data = await self._deps.store.get(request_key(presentation_id))
        except ObjectNotFound:
            # Rendered (not generated) decks have no request: regenerate from the deck alone.
            return GenerationSpec()
        return from_jsonable(GenerationSpec, json.loads(data))

    # -- shutdown -------------------------------------------------------------------------------

    @property
    def draining(self) -> bool:
        return self._draining

    def refuse_new_work(self) -> None:
        self._draining = True

    async def wait_for_readers(self, grace: float) -> None:
        """Go on serving this replica's readers until they have all finished, or for `grace` s."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._unread.wait(), max(grace, 0.0))

    def hand_over_readers(self) -> None:
        """End this replica's streams with UNAVAILABLE: their callers resume on another replica."""
        self._closed.set()
        for task in self._parked:
            self._handing_over.add(task)
            task.cancel()

    async def drain(self, grace: float) -> None:
        """Refuse new work; the workers (if this process has any) drain themselves."""
        self.refuse_new_work()
        if self._renewal is not None:
            self._renewal.cancel()


def _claims(claim: Claim | None, presentation_id: str) -> bool:
    """Whether a claim the local worker got as a job was submitted is that job's own."""
    return claim is not None and claim.job.id == presentation_id
