"""The worker side: claims jobs from the queue, runs them, hands back what it cannot finish.

A job is held under a lease the worker renews; a worker that dies stops renewing, and another one
claims the job and continues the generation from its event log (`Progressed`). Each stream ends
with exactly one terminal event, appended by whichever worker holds the job at the end.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import time
from dataclasses import dataclass, replace

from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.trace import Status, StatusCode

from deckgen.domain import (
    Cancelled,
    DeckgenError,
    GenerationFailed,
    GenerationSpec,
    Presentation,
    PresentationState,
    Unavailable,
)
from deckgen.domain import _events as ev
from deckgen.domain._codec import to_jsonable
from deckgen.domain._events import Accepted, Completed, Event, Failed
from deckgen.observability import GENERATIONS_IN_FLIGHT, JOB_CLAIMS
from deckgen.pipeline._failures import as_domain_error, unexpected
from deckgen.pipeline._generate import RenderFailed, generate_outline, generate_presentation, store_key
from deckgen.pipeline._ports import Coordination, PipelineDeps
from deckgen.pipeline._resume import Progressed
from deckgen.pipeline._writer import EventWriter
from deckgen.providers.queue import Claim, JobKind, StreamFenced, StreamNotFound
from deckgen.providers.state import StateUnavailable

__all__ = ["CLIENT_LEFT", "SHUTDOWN", "Worker", "record_key"]

log = logging.getLogger(__name__)
_tracer = trace.get_tracer("deckgen.pipeline")

_RECORD = "presentation.json"
_REQUEST = "request.json"

CLIENT_LEFT = Cancelled("the caller cancelled the generation", reason="CLIENT_CANCELLED")
SHUTDOWN = Unavailable(
    "the server is shutting down; send the request again (another replica will serve it)",
    retry_after=1.0,
    reason="SERVER_SHUTTING_DOWN",
)

_LINGER = 0.002
"""Seconds an event no caller waits for may wait for the next ones, to share one append with them."""
_CLAIM_WAIT = 1.0
"""Seconds a claim on a shared queue waits for a job before the worker asks again."""


def record_key(presentation_id: str) -> str:
    return store_key(presentation_id, _RECORD)


def request_key(presentation_id: str) -> str:
    return store_key(presentation_id, _REQUEST)


class _Lost(Exception):
    """The job is no longer this worker's (taken over, or the shared state is unreachable)."""


@dataclass(slots=True)
class _Running:
    claim: Claim
    task: asyncio.Task[None] | None = None
    cancellation: DeckgenError | None = None
    handback: bool = False
    """Stopped to be continued elsewhere: no terminal event, the job goes back to the queue."""
    lost: bool = False
    writer: EventWriter | None = None
    """Appends the job's events under this claim's fence, once the stream is fenced for it."""
    unread_since: float | None = None
    """When this worker first saw the job with no reader on any replica (None: it has readers)."""
    saving: asyncio.Task[None] | None = None
    """The record being written while the generation starts (`Worker._save_soon`)."""
    opened: list[ev.SequencedEvent] | None = None
    """The stream's history when it was fenced for this claim as the job was submitted, and its
    record written as GENERATING (`Opener`)."""


class Worker:
    """Runs up to `concurrency` jobs at once from the shared queue."""

    def __init__(
        self,
        deps: PipelineDeps,
        shared: Coordination,
        *,
        name: str,
        concurrency: int,
        lease: float,
        max_attempts: int,
        forget_every: float = 60.0,
        forget_after: float | None = None,
        detach_grace: float | None = None,
    ) -> None:
        self._deps = deps
        self._shared = shared
        self.name = name
        self._concurrency = concurrency
        self._lease = lease
        self._max_attempts = max_attempts
        self._forget_every = forget_every
        self._detach_grace = detach_grace
        # A live worker is seen at least once a claim wait (or holds a job); one unseen for this
        # long and holding nothing has died. A live one forgotten by mistake returns at its next
        # claim, so the bound only has to be safely above the claim wait.
        self._forget_after = forget_after if forget_after is not None else max(60.0, lease * 6)
        # A shared queue sees its workers through their claims, so they come back every second;
        # this process's own queue wakes a claim itself (a job, a lease running out), and an idle
        # server need not wake every second for nothing.
        self._claim_wait = _CLAIM_WAIT if shared.queue.shared else 60.0
        self._running: dict[str, _Running] = {}
        self._slots = asyncio.Semaphore(concurrency)
        self._loops: list[asyncio.Task[None]] = []
        self._claiming: asyncio.Task[None] | None = None
        self._idle = asyncio.Event()
        self._idle.set()
        self.claims = 0
        self.takeovers = 0

    # -- lifecycle ------------------------------------------------------------------------------

    async def start(self) -> None:
        self._claiming = asyncio.create_task(self._claim_loop(), name=f"{self.name}:claim")
        self._loops = [
            asyncio.create_task(self._listen(), name=f"{self.name}:cancels"),
            asyncio.create_task(self._renew_loop(), name=f"{self.name}:leases"),
            asyncio.create_task(self._forget_loop(), name=f"{self.name}:forget"),
        ]

    def active(self) -> int:
        return len(self._running)

    async def drain(self, grace: float) -> None:
        """Stop claiming; let running jobs finish for `grace` s; then hand the rest back (a shared
        queue continues them elsewhere) or end them with UNAVAILABLE."""
        await self._stop_claiming()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._idle.wait(), grace)
        running = list(self._running.values())
        if running:
            shared = self._shared.queue.shared
            log.warning(
                "shutdown grace over; %s %d running generation(s)",
                "handing back" if shared else "ending",
                len(running),
            )
        for job in running:
            job.handback = self._shared.queue.shared
            job.cancellation = job.cancellation or SHUTDOWN
            if job.task is not None:
                job.task.cancel()
        tasks = [job.task for job in running if job.task is not None]
        await asyncio.gather(*tasks, return_exceptions=True)

    async def stop(self) -> None:
        await self._stop_claiming()
        for loop in self._loops:
            loop.cancel()
        await asyncio.gather(*self._loops, return_exceptions=True)
        self._loops = []

    async def _stop_claiming(self) -> None:
        if self._claiming is not None:
            self._claiming.cancel()
            await asyncio.gather(self._claiming, return_exceptions=True)
            self._claiming = None

    # -- claiming -------------------------------------------------------------------------------

    async def _claim_loop(self) -> None:
        failing = False
        while True:
            await self._slots.acquire()
            try:
                claim = await self._shared.queue.claim(self.name, wait=self._claim_wait)
            except StateUnavailable as error:
                self._slots.release()
                if not failing:
                    log.warning("worker %s cannot reach the job queue: %s", self.name, error.message)
                failing = True
                await asyncio.sleep(1.0)
                continue
            except BaseException:
                self._slots.release()
                raise
            failing = False
            if claim is None:
                self._slots.release()
                continue
            self._launch(claim)

    async def reserve(self) -> str:
        """Hold a slot for a job handed over directly (`take`): this worker's name, or "" when it
        has no room or is not claiming (stopping)."""
        if self._claiming is None or self._claiming.done() or self._slots.locked():
            return ""
        await self._slots.acquire()  # does not wait: the semaphore is not locked
        return self.name

    def take(self, claim: Claim | None, opened: list[ev.SequencedEvent] | None = None) -> None:
        """Run a job claimed for this worker in a slot `reserve` held (None gives the slot back);
        `opened`: its stream's history, when the stream was fenced for the claim already and the
        record says GENERATING."""
        if claim is None:
            self._slots.release()
        else:
            self._launch(claim, opened)

    def _launch(self, claim: Claim, opened: list[ev.SequencedEvent] | None = None) -> None:
        self.claims += 1
        if claim.attempt > 1:
            self.takeovers += 1
        JOB_CLAIMS.labels("takeover" if claim.attempt > 1 else "new").inc()
        running = _Running(claim, opened=opened)
        self._running[claim.job.id] = running
        self._idle.clear()
        running.task = asyncio.create_task(self._run(running), name=f"generation:{claim.job.id}")
        running.task.add_done_callback(functools.partial(self._done, claim.job.id))

    def _done(self, job_id: str, _: object) -> None:
        self._running.pop(job_id, None)
        if self._deps.first_slides is not None:
            self._deps.first_slides.forget(job_id)
        self._slots.release()
        if not self._running:
            self._idle.set()

    async def _listen(self) -> None:
        while True:
            try:
                async for job_id in self._shared.cancels.listen():
                    running = self._running.get(job_id)
                    if running is None or running.task is None:
                        continue
                    running.cancellation = await self._shared.cancels.get(job_id) or CLIENT_LEFT
                    running.task.cancel()
            except StateUnavailable:
                await asyncio.sleep(1.0)

    async def _forget_loop(self) -> None:
        """Workers that died leave their names in the queue's consumer group; live ones drop them."""
        while True:
            await asyncio.sleep(self._forget_every)
            try:
                forgotten = await self._shared.queue.forget_idle_workers(self.name, self._forget_after)
            except StateUnavailable:
                continue
            if forgotten:
                log.info("forgot %d worker(s) that left the queue without a word", forgotten)

    async def _renew_loop(self) -> None:
        while True:
            await asyncio.sleep(self._lease / 3)
            for running in list(self._running.values()):
                try:
                    kept = await self._shared.queue.renew(running.claim)
                except StateUnavailable:
                    continue  # the lease may still hold when the state is back
                if not kept and self._running.get(running.claim.job.id) is not running:
                    continue  # it ended (and was acknowledged) while this loop was renewing others
                if not kept and running.task is not None and not running.task.done():
                    log.warning("generation %s was taken over by another worker", running.claim.job.id)
                    running.lost = True
                    running.task.cancel()
                    continue
                await self._check_readers(running)

    async def _check_readers(self, running: _Running) -> None:
        """Stop a job nobody has read for DETACH_GRACE, on any replica.

        The replica where the last reader left stops it too, at the end of the grace; this holds
        when that replica died meanwhile (its readers lapse READER_LEASE after its last renewal).
        Two looks at least, a grace apart: a reader may attach just after the job was claimed.
        """
        if self._detach_grace is None or running.task is None or running.cancellation is not None:
            return
        job_id = running.claim.job.id
        try:
            readers = await self._shared.readers.count(job_id)
        except StateUnavailable:
            return
        now = time.monotonic()
        if readers:
            running.unread_since = None
        elif running.unread_since is None:
            running.unread_since = now
        elif now - running.unread_since >= self._detach_grace:
            log.info(
                "generation %s has had no reader for %.0f s; stopping it", job_id, now - running.unread_since
            )
            running.cancellation = CLIENT_LEFT
            running.task.cancel()

    # -- running --------------------------------------------------------------------------------

    async def _run(self, running: _Running) -> None:
        claim = running.claim
        try:
            await self._run_claimed(running)
        except (_Lost, StateUnavailable, StreamFenced):
            # Not acknowledged: once its lease lapses, a worker (maybe this one) continues it.
            log.warning("generation %s left to another worker", claim.job.id)
            return
        except Exception:
            log.exception("generation %s stopped unexpectedly; it will be taken over", claim.job.id)
            return
        except asyncio.CancelledError:
            if running.handback:
                with contextlib.suppress(Exception):
                    if running.writer is not None:
                        await running.writer.flush()  # whoever continues sees all that was said
                    await self._shared.queue.release(claim)
                return
            if running.lost:
                return
        with contextlib.suppress(StateUnavailable):
            await self._shared.queue.ack(claim)

    async def _run_claimed(self, running: _Running) -> None:
        claim = running.claim
        job = claim.job
        shared = self._shared
        try:
            if running.opened is not None:
                # Fenced as it was submitted, before its id was handed out: nobody can have
                # cancelled it yet.
                history, cancelled = running.opened, None
            else:
                # Each step here is a round trip before the first event can be written: the
                # cancellation is read while the stream is fenced, not after.
                history, cancelled = await asyncio.gather(
                    shared.events.fence(job.id, claim.stream_fence), shared.cancels.get(job.id)
                )
        except StreamNotFound:
            return  # its stream expired or was never kept: nothing to continue
        except (StateUnavailable, StreamFenced) as error:
            raise _Lost from error
        if history and history[-1].terminal:
            return  # finished by a worker that stopped before acknowledging it
        # Events no caller waits for ride along with the next ones when each append is a call to
        # Redis; in this process an append costs nothing, and each goes at once.
        linger = _LINGER if shared.queue.shared else 0.0
        running.writer = EventWriter(shared.events, job.id, claim.stream_fence, linger)
        accepted = next((e.event.presentation for e in history if isinstance(e.event, Accepted)), None)
        if claim.attempt == 1 and accepted is not None:
            # The first worker: the record is still the one the front side wrote with `accepted`.
            presentation = replace(accepted, state=PresentationState.GENERATING, update_time=time.time())
            if cancelled is None and running.opened is None:
                # Not waited for: the record says GENERATING by the time anything is announced.
                # (A job opened for this worker was recorded as GENERATING as it was submitted.)
                self._save_soon(running, presentation)
        else:
            presentation = await self._presentation(job.id, history)
        if cancelled is not None:
            await self._end(running, presentation, cancelled, PresentationState.CANCELLED)
            return
        if claim.attempt > self._max_attempts:
            failure = Failed(
                GenerationFailed(
                    f"the generation was started {claim.attempt - 1} times and each time its worker "
                    "stopped; it was given up",
                    reason="JOB_ATTEMPTS_EXHAUSTED",
                )
            )
            log.error("generation %s given up after %d attempts", job.id, claim.attempt - 1)
            await self._fail(running, presentation, failure, PresentationState.FAILED)
            return
        done = Progressed.from_events(history)
        await self._generate(running, presentation, done)

    async def _presentation(self, presentation_id: str, history: list[ev.SequencedEvent]) -> Presentation:
        known = await self._shared.records.get(presentation_id)
        if known is not None:
            return known
        for sequenced in history:
            if isinstance(sequenced.event, Accepted):
                return sequenced.event.presentation
        return Presentation(presentation_id, PresentationState.PENDING, create_time=time.time())

    async def _generate(self, running: _Running, presentation: Presentation, done: Progressed) -> None:
        claim = running.claim
        job = claim.job
        stream = job.id
        order = asyncio.Lock()
        announced = dict(done.artifacts)
        first = self._deps.first_slides
        for artifact in done.images.values():
            announced[artifact.name] = artifact

        async def publish(event: Event) -> None:
            nonlocal presentation
            if not done.fresh(event):
                return
            # Pictures are announced from their own tasks; one append at a time keeps any event
            # log (in-process or shared) gap-free and in the order events happened.
            async with order:
                if isinstance(event, ev.ArtifactReady | ev.ImageReady):
                    # A file announced is complete: it can be downloaded before the generation ends,
                    # from any replica, and still after a restart. Recorded before it is announced,
                    # so that no caller learns of a file the record does not hold.
                    announced[event.artifact.name] = event.artifact
                    presentation = replace(presentation, artifacts=tuple(announced.values()))
                    await self._save(running, presentation, durable=True)
                if first is not None:
                    await first.later(stream)
                await self._append(running, event)
                if first is not None and isinstance(event, ev.SlideReady):
                    first.reached(stream)
                    # What follows the first slide (fitting it, the next ones) is later work too.
                    await first.later(stream)

        if presentation.state is not PresentationState.GENERATING:
            presentation = replace(presentation, state=PresentationState.GENERATING, update_time=time.time())
            await self._save(running, presentation)
        if claim.attempt > 1 and done.started:
            await publish(
                ev.Warning(
                    "JOB_MOVED",
                    f"The worker running this generation stopped; another one continues it "
                    f"({len(done.slides)} slide(s) already written are kept).",
                )
            )
        GENERATIONS_IN_FLIGHT.inc()
        span = _tracer.start_span(
            "generation",
            context=propagate.extract(dict(job.trace)),
            attributes={"deckgen.presentation": stream, "deckgen.kind": job.kind.value},
        )
        token = otel_context.attach(trace.set_span_in_context(span))
        try:
            async with asyncio.timeout(max(job.deadline - time.time(), 0.0)):
                if job.kind is JobKind.OUTLINE:
                    result = await generate_outline(presentation, job.spec, self._deps, publish, done)
                else:
                    result = await generate_presentation(presentation, job.spec, self._deps, publish, done)
                    # Kept for RegenerateSlide; written with the files, so a store outage shows up
                    # in the files step, after the slides reached the caller.
                    await self._save_request(stream, job.spec)
                    await self._deps.store.put(record_key(result.id), _encode(result), "application/json")
        except asyncio.CancelledError:
            span.set_status(Status(StatusCode.ERROR, "cancelled"))
            if running.handback or running.lost:
                raise
            cancellation = running.cancellation or CLIENT_LEFT
            await self._end(running, presentation, cancellation, PresentationState.CANCELLED)
            raise
        except (_Lost, StreamFenced, StateUnavailable) as error:
            raise _Lost from error
        except Exception as error:  # every failure must end the stream, whatever raised it
            span.record_exception(error)
            span.set_status(Status(StatusCode.ERROR, type(error).__name__))
            failure = as_domain_error(error)
            if unexpected(error):
                log.exception("generation %s failed", stream)
            else:
                log.info("generation %s failed: %s %s", stream, failure.reason, failure.message)
            if isinstance(error, RenderFailed):
                await self._fail_keeping_deck(running, error.kept, Failed(failure))
            else:
                await self._fail(running, presentation, Failed(failure), PresentationState.FAILED)
            return
        finally:
            GENERATIONS_IN_FLIGHT.dec()
            otel_context.detach(token)
            span.end()
        await self._save(running, result)
        await self._append(running, Completed(result))

    async def _append(self, running: _Running, event: Event) -> None:
        """Queue `event` for the log; a terminal one (the job's end), until all is written.

        So is a slide, the outline and the announcement of a render: what callers wait for is in
        the log (and with this process's readers) before the generation runs on. Readers here
        share the event loop with the generation, and a render thread holds the interpreter for
        long stretches; a generation that ran ahead would keep them from sending what it made.
        """
        assert running.writer is not None, "the stream is fenced before anything is appended"
        try:
            if isinstance(event, Completed | Failed | ev.SlideReady | ev.OutlineReady) or (
                isinstance(event, ev.Progress) and event.stage is ev.Stage.RENDER
            ):
                await running.writer.append(event)
            else:
                await running.writer.put(event)
        except (StreamFenced, StateUnavailable) as error:
            running.lost = True
            raise _Lost from error

    async def _save(self, running: _Running, presentation: Presentation, durable: bool = False) -> None:
        await self._saved(running)
        await self._put_record(presentation)
        if durable:
            # The store keeps what was announced for a process restarted after a crash.
            await self._deps.store.put(record_key(presentation.id), _encode(presentation), "application/json")

    async def _put_record(self, presentation: Presentation) -> None:
        try:
            await self._shared.records.put(presentation)
        except StateUnavailable as error:
            raise _Lost from error

    def _save_soon(self, running: _Running, presentation: Presentation) -> None:
        """Save the record while the generation goes on: before any later record (`_saved`) and
        before any event is appended (the writer waits for it)."""
        assert running.writer is not None, "the writer waits for the record"
        running.saving = asyncio.create_task(self._put_record(presentation))
        # Retrieved here too, for a generation that stops (handed back, taken over) before waiting.
        running.saving.add_done_callback(lambda task: task.cancelled() or task.exception())
        running.writer.after(running.saving)

    @staticmethod
    async def _saved(running: _Running) -> None:
        """Wait for the record `_save_soon` writes; raise why it could not be written."""
        if running.saving is not None:
            # Shielded: a generation cancelled meanwhile still has its records in order.
            await asyncio.shield(running.saving)
            running.saving = None

    async def _end(
        self,
        running: _Running,
        presentation: Presentation,
        cancellation: DeckgenError,
        state: PresentationState,
    ) -> None:
        spec = running.claim.job.spec
        if cancellation.reason == CLIENT_LEFT.reason and spec.request_id:
            # Ended because nobody was reading: a retry with this request_id starts anew rather
            # than replaying a cancellation the caller never asked for. Forgotten before the
            # record says CANCELLED, so no retry can see the one and still join the other.
            with contextlib.suppress(StateUnavailable):
                await self._shared.records.unbind_request(spec.request_key, presentation.id)
        await self._fail(running, presentation, Failed(cancellation), state)

    async def _fail(
        self, running: _Running, presentation: Presentation, failure: Failed, state: PresentationState
    ) -> None:
        failed = replace(
            presentation, state=state, error=failure.error.message, artifacts=(), update_time=time.time()
        )
        await self._save(running, failed)
        # Nothing half-made stays visible: a failed generation's files are removed.
        try:
            await self._deps.store.delete_prefix(f"presentations/{presentation.id}")
        except Exception:
            log.exception("could not remove the files of failed generation %s", presentation.id)
        await self._append(running, failure)

    async def _fail_keeping_deck(self, running: _Running, kept: Presentation, failure: Failed) -> None:
        """A render failure after the slides were streamed: the deck and the files already stored
        stay, and so does the record, so GetPresentation returns the deck."""
        await self._save(running, kept)
        try:
            await self._deps.store.put(record_key(kept.id), _encode(kept), "application/json")
        except Exception:
            log.exception("could not store the record of presentation %s", kept.id)
        await self._append(running, failure)

    async def _save_request(self, presentation_id: str, spec: GenerationSpec) -> None:
        await self._deps.store.put(request_key(presentation_id), _encode(spec), "application/json")


def _encode(value: object) -> bytes:
    return json.dumps(to_jsonable(value)).encode()
