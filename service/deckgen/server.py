"""The composition root: picks adapters from configuration, builds the gRPC server and runs it."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import multiprocessing
import os
import secrets
import signal
import socket
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field, replace
from functools import partial
from types import FrameType
from typing import TYPE_CHECKING, Any, TypeVar

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from deckgen import render
from deckgen._heap import GC_THRESHOLDS
from deckgen.api import (
    CallerLimits,
    DecodeGuardInterceptor,
    Limits,
    ObservabilityInterceptor,
    PresentationServicer,
    RateLimitInterceptor,
    deck_to_json,
)
from deckgen.api._authn import AuthInterceptor
from deckgen.config import ConfigError, Settings
from deckgen.content import ContentEngine
from deckgen.content.embedded import EmbeddedEngine
from deckgen.content.llm import LLMEngine
from deckgen.domain import (
    ArtifactFormat,
    Deck,
    FieldViolation,
    InvalidRequest,
    Layout,
    NotFound,
    PreconditionFailed,
    Slide,
    Theme,
)
from deckgen.health import HealthMonitor
from deckgen.observability import (
    QUEUE_OLDEST_AGE,
    QUEUE_RUNNING,
    QUEUED,
    InstrumentedStore,
    configure_logging,
    configure_tracing,
    serve_metrics,
)
from deckgen.pipeline import (
    ArtifactWriter,
    CachedContent,
    ContentCache,
    Coordination,
    FirstSlides,
    GenerationService,
    MemoryContentCache,
    PipelineDeps,
    RenderAssets,
    TemplateLibrary,
    Worker,
)
from deckgen.providers._retry import RetryPolicy
from deckgen.providers.export import LibreOfficeExporter, Sandbox, export_available
from deckgen.providers.images import ImageGenerator
from deckgen.providers.llm import FailoverChatModel
from deckgen.providers.queue import MemoryEventLog, MemoryJobQueue
from deckgen.providers.sources import SourceConverter
from deckgen.providers.state import MemoryCancelSignals, MemoryReaders, MemoryRecords
from deckgen.providers.storage import ArtifactStore, LocalArtifactStore
from deckgen.render.template import TemplateError, inspect_template
from deckgen.security import build_authenticator, build_limits, build_resume_tokens, server_credentials
from deckgen.v1 import presentation_service_pb2 as spb
from deckgen.v1 import presentation_service_pb2_grpc as spb_grpc

if TYPE_CHECKING:
    from deckgen.providers.images import OpenAIImageGenerator
    from deckgen.providers.llm import OpenAIChatModel

__all__ = [
    "App",
    "build_app",
    "close_adapters",
    "create_server",
    "run",
    "run_loop",
    "serve",
    "set_serving",
    "shutdown",
    "start_health_listener",
]

log = logging.getLogger("deckgen.server")

T = TypeVar("T")

SERVICE_NAME = spb.DESCRIPTOR.services_by_name["PresentationService"].full_name
PPTX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.presentationml.presentation"


def _inspect_template(data: bytes) -> tuple[tuple[Layout, ...], tuple[str, ...]]:
    try:
        info = inspect_template(data)
    except TemplateError as error:
        if not error.missing:
            raise InvalidRequest([FieldViolation("content", error.message)]) from None
        raise PreconditionFailed(error.message, reason="TEMPLATE_INCOMPLETE", subject="content") from None
    return info.layouts, info.layout_names


def _fit(slide: Slide, theme: Theme) -> tuple[tuple[Slide, ...], tuple[str, ...]]:
    result = render.fit_slide(slide, theme)
    return result.slides, result.warnings


def _writers(pool: render.RenderPool | None) -> dict[ArtifactFormat, ArtifactWriter]:
    async def pptx(deck: Deck, theme: Theme, assets: RenderAssets) -> bytes:
        if pool is not None:
            data, warnings = await pool.pptx(deck, theme, assets.images, assets.template)
        else:
            data, warnings = await asyncio.to_thread(
                render.write_pptx, deck, theme, assets.images, assets.template
            )
        for warning in warnings:
            log.info("template rendering: %s", warning)
        return data

    async def deck_json(deck: Deck, theme: Theme, assets: RenderAssets) -> bytes:
        return deck_to_json(deck)

    return {
        ArtifactFormat.PPTX: ArtifactWriter(ArtifactFormat.PPTX, "deck.pptx", PPTX_MEDIA_TYPE, pptx),
        ArtifactFormat.JSON: ArtifactWriter(ArtifactFormat.JSON, "deck.json", "application/json", deck_json),
    }


@dataclass(slots=True)
class App:
    settings: Settings
    service: GenerationService
    servicer: PresentationServicer
    health: health.aio.HealthServicer
    closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    """Release adapters' connections at shutdown."""
    monitor: HealthMonitor | None = None
    """Readiness from the dependencies; None serves unconditionally (tests)."""
    worker: Worker | None = None
    """Runs generations from the queue; None for ROLE=api."""
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    startup: list[Callable[[], Awaitable[object]]] = field(default_factory=list)
    """Run by `serve` before the first health check (the local store's sweep)."""
    started: list[Callable[[], Awaitable[object]]] = field(default_factory=list)
    """Run by `serve` shortly after it is serving: warming what first calls would wait for, after
    the start itself (which a cold start and a rolling update wait for) is done."""
    limits: CallerLimits | None = None
    """Per-caller budgets, shared by the rate-limit interceptor and the servicer."""


def _split(value: str, count: int) -> list[str]:
    parts = [part.strip() for part in value.split(",")] if value.strip() else []
    return parts * count if len(parts) == 1 else parts + [""] * (count - len(parts))


def _chat_models(settings: Settings) -> list[OpenAIChatModel]:
    # Imported here: the OpenAI SDK is slow to import, and a server without a model never needs it.
    from deckgen.providers.llm import OpenAIChatModel, OpenAIConfig

    retry = RetryPolicy(settings.llm_retry_attempts, settings.llm_retry_base_delay)

    def model(name: str, base_url: str, key: str, outline: str, slides: str) -> OpenAIChatModel:
        config = OpenAIConfig(
            name,
            base_url or None,
            key,
            outline_model=outline,
            slide_model=slides,
            request_timeout=settings.llm_request_timeout,
            idle_timeout=settings.llm_idle_timeout,
            read_interval=settings.llm_read_interval,
            retry=retry,
            breaker_threshold=settings.llm_breaker_threshold,
            breaker_cooldown=settings.llm_breaker_cooldown,
        )
        return OpenAIChatModel(config)

    models = [
        model(
            "primary",
            settings.openai_base_url,
            settings.openai_api_key,
            settings.llm_outline_model,
            settings.llm_slide_model,
        )
    ]
    urls = [url for url in _split(settings.llm_backup_base_urls, 1) if url]
    names = _split(settings.llm_backup_models, len(urls))
    keys = _split(settings.llm_backup_api_keys, len(urls))
    for position, url in enumerate(urls):
        backup = names[position] or settings.llm_slide_model
        models.append(model(f"backup-{position + 1}", url, keys[position], backup, backup))
    return models


Check = Callable[[], Awaitable[None]]


def _engine(
    settings: Settings, closers: list[Callable[[], Awaitable[None]]], checks: dict[str, Check]
) -> tuple[ContentEngine, str, ImageGenerator | None]:
    """The configured content engine, its cache identity, and the images adapter if any."""
    if not settings.llm_configured:
        return EmbeddedEngine(), "embedded", None
    models = _chat_models(settings)
    closers.extend(model.aclose for model in models)
    images: OpenAIImageGenerator | None = None
    if settings.images_model:
        from deckgen.providers.images import OpenAIImageConfig, OpenAIImageGenerator

        images = OpenAIImageGenerator(
            OpenAIImageConfig(
                "images",
                settings.images_base_url or settings.openai_base_url or None,
                settings.openai_api_key,
                settings.images_model,
                retry=RetryPolicy(settings.llm_retry_attempts, settings.llm_retry_base_delay),
                breaker_threshold=settings.llm_breaker_threshold,
                breaker_cooldown=settings.llm_breaker_cooldown,
            )
        )
        closers.append(images.aclose)
    chat = FailoverChatModel(models)
    checks["llm"] = chat.check
    engine = LLMEngine(
        chat,
        concurrency=settings.llm_concurrency,
        images_available=images is not None,
        read_hold=settings.llm_read_hold,
        outline_hold=settings.llm_outline_hold,
        whole_replies=settings.llm_whole_replies,
    )
    # Identical requests to different models are different content.
    identity = "llm:" + "|".join(
        f"{m.config.base_url}:{m.config.outline_model}:{m.config.slide_model}" for m in models
    )
    return engine, identity, images


def _exporter(settings: Settings, closers: list[Callable[[], Awaitable[None]]]) -> LibreOfficeExporter | None:
    if not settings.export_enabled:
        return None
    if not export_available():
        log.warning(
            "PDF and PNG previews are off: LibreOffice or poppler is missing "
            "(apt-get install libreoffice-impress poppler-utils, or `make system-deps`)"
        )
        return None
    exporter = LibreOfficeExporter(
        profiles=settings.export_processes,
        timeout=settings.export_timeout,
        preview_width=settings.preview_width,
        sandbox=Sandbox.detect(settings.export_sandbox),
    )
    closers.append(exporter.aclose)
    return exporter


def _sources(settings: Settings, closers: list[Callable[[], Awaitable[None]]]) -> SourceConverter:
    converter = SourceConverter(
        processes=settings.source_processes,
        timeout=settings.source_timeout,
        memory_bytes=settings.source_memory_mb * 1024 * 1024,
        # The readers get caller bytes as LibreOffice does: the same confinement.
        sandbox=Sandbox.detect(settings.export_sandbox),
    )
    closers.append(converter.aclose)
    return converter


def _store(settings: Settings, closers: list[Callable[[], Awaitable[None]]]) -> ArtifactStore:
    if settings.storage_backend == "supabase":
        from deckgen.providers.storage import SupabaseArtifactStore  # slow to import: only when used

        store = SupabaseArtifactStore(
            settings.supabase_url,
            settings.supabase_service_role_key or settings.supabase_key,
            settings.supabase_bucket,
            settings.signed_url_expiry,
        )
        closers.append(store.aclose)
        return store
    return LocalArtifactStore(settings.storage_dir)


def build_app(settings: Settings, engine: ContentEngine | None = None) -> App:
    """Wire the embedded defaults (or configured adapters) into one application."""
    closers: list[Callable[[], Awaitable[None]]] = []
    raw_store = _store(settings, closers)
    store = InstrumentedStore(raw_store, settings.storage_backend)
    checks: dict[str, Check] = {"storage": store.check}
    exporter = _exporter(settings, closers)
    template_limit = min(settings.max_template_bytes, settings.max_message_bytes - 64 * 1024)
    templates = TemplateLibrary(store, _inspect_template, template_limit)
    if engine is None:
        engine, identity, images = _engine(settings, closers, checks)
    else:
        identity, images = type(engine).__name__, None
    shared, cache = _coordination(settings, closers, checks)
    pool = render.RenderPool(settings.render_processes) if settings.render_processes else None
    if pool is not None:
        closers.append(pool.aclose)
    deps = PipelineDeps(
        engine=engine,
        engine_name=identity,
        store=store,
        writers=_writers(pool),
        fit=_fit,
        theme=render.get_theme,
        brand=render.apply_brand,
        cache=cache,
        images=images,
        image_concurrency=settings.image_concurrency,
        image_size=settings.images_size,
        templates=templates,
        exporter=exporter,
        sources=_sources(settings, closers),
        # Without a model, a deck's first slide is CPU work here: in a burst, each waits its turn.
        first_slides=FirstSlides() if isinstance(engine, EmbeddedEngine) else None,
    )
    service = GenerationService(deps, shared, settings.timeout, settings.detach_grace)
    worker = None
    if settings.role in ("worker", "all"):
        worker = Worker(
            deps,
            shared,
            name=f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}",
            concurrency=settings.max_concurrent_generations,
            lease=settings.job_lease,
            max_attempts=settings.job_max_attempts,
            detach_grace=settings.detach_grace,
        )
        service.local_worker = worker
    limits = build_limits(settings)
    closers.append(limits.store.aclose)
    servicer = PresentationServicer(
        service,
        Limits(settings.max_sources, settings.max_source_bytes, settings.max_total_source_bytes),
        render.list_themes,
        settings.download_chunk_bytes,
        templates,
        build_resume_tokens(settings),
        limits,
    )
    servicer_health = health.aio.HealthServicer()
    monitor = HealthMonitor(servicer_health, checks, ("", SERVICE_NAME), settings.health_check_interval)
    app = App(settings, service, servicer, servicer_health, closers, monitor, worker, limits=limits)
    if isinstance(raw_store, LocalArtifactStore):
        # What a crash or a kill left: temp files, and folders of generations that never finished
        # (no generation runs longer than TIMEOUT, so older ones are nobody's).
        sweep = partial(raw_store.sweep, "presentations", settings.timeout + 60.0, _orphan_check(service))
        app.startup.append(sweep)
    if pool is not None:
        app.started.append(pool.start)
    return app


def _coordination(
    settings: Settings, closers: list[Callable[[], Awaitable[None]]], checks: dict[str, Check]
) -> tuple[Coordination, ContentCache | None]:
    """The queue, event log and shared state: in this process, or in Redis with REDIS_URL."""
    if settings.redis_url:
        return _redis_coordination(settings, closers, checks)
    shared = Coordination(
        queue=MemoryJobQueue(settings.max_concurrent_generations, settings.job_lease),
        events=MemoryEventLog(settings.event_retention, lifetime=settings.timeout),
        records=MemoryRecords(settings.record_retention),
        readers=MemoryReaders(),
        cancels=MemoryCancelSignals(settings.record_retention),
    )
    cache = MemoryContentCache(settings.cache_size) if settings.cache_enabled else None
    return shared, cache


def _redis_coordination(
    settings: Settings, closers: list[Callable[[], Awaitable[None]]], checks: dict[str, Check]
) -> tuple[Coordination, ContentCache | None]:
    from deckgen.providers import redis as shared_redis

    client = shared_redis.connect(settings.redis_url, settings.redis_password)
    keys = shared_redis.Keys(settings.redis_key_prefix)

    async def ping() -> None:
        with shared_redis.unavailable():
            await client.ping()

    checks["redis"] = ping
    closers.append(client.aclose)
    queue = shared_redis.RedisJobQueue(
        client,
        keys,
        partitions=settings.queue_partitions,
        capacity=settings.max_queued_generations,
        lease=settings.job_lease,
    )
    events = shared_redis.RedisEventLog(client, keys, settings.event_retention, settings.timeout)
    records = shared_redis.RedisRecords(client, keys, settings.record_retention)
    shared = Coordination(
        queue=queue,
        events=events,
        records=records,
        readers=shared_redis.RedisReaders(client, keys),
        cancels=shared_redis.RedisCancelSignals(client, keys, settings.record_retention),
        opener=shared_redis.RedisOpener(client, keys, events, records, queue),
    )
    cache: ContentCache | None = None
    if settings.cache_enabled:
        cache = shared_redis.RedisJsonCache(client, keys, settings.record_retention, CachedContent)
    return shared, cache


def _orphan_check(service: GenerationService) -> Callable[[str], Awaitable[bool]]:
    async def orphan(presentation_id: str) -> bool:
        try:
            await service.get(presentation_id)
        except NotFound:
            return True
        return False

    return orphan


MAX_STREAMS_PER_CONNECTION = 1024
"""Concurrent calls one HTTP/2 connection may hold open. Generous: a stream over the limit is refused
(RST_STREAM, UNAVAILABLE to the caller) rather than queued, and one backend service multiplexes
hundreds of calls on one channel; the bound is for hostile connections, not for busy ones."""
CONNECTION_AGE = 600.0
"""Seconds before a connection is asked to go away (clients reconnect transparently)."""
CONNECTION_AGE_GRACE = 30.0
"""Seconds beyond TIMEOUT that calls of a connection asked to go away may still run."""


def _connection_bounds(settings: Settings) -> list[tuple[str, int]]:
    # A call whose request message never comes (half-closed, or never sent) is not handed to a
    # handler, so no deadline of ours reaches it: only the connection's age ends it. The grace
    # lets a generation started just before the GOAWAY run its full TIMEOUT.
    grace = settings.timeout + CONNECTION_AGE_GRACE
    return [
        ("grpc.max_concurrent_streams", MAX_STREAMS_PER_CONNECTION),
        ("grpc.max_connection_age_ms", int(CONNECTION_AGE * 1000)),
        ("grpc.max_connection_age_grace_ms", int(grace * 1000)),
    ]


async def create_server(settings: Settings, app: App | None = None) -> tuple[grpc.aio.Server, int, App]:
    """Build a started-able server bound to the configured address; return it with its port."""
    app = app or build_app(settings)
    # Observability first, so a call refused by the rate limiter still has its span and metrics.
    # Authentication before the rate limiter, which counts per principal.
    interceptors: list[grpc.aio.ServerInterceptor] = [
        ObservabilityInterceptor(),
        AuthInterceptor(build_authenticator(settings)),
    ]
    if settings.rate_limit_enabled and app.limits is not None:
        interceptors.append(RateLimitInterceptor(app.limits))
    interceptors.append(DecodeGuardInterceptor())
    server = grpc.aio.server(
        interceptors=interceptors,
        options=[
            ("grpc.max_receive_message_length", settings.max_message_bytes),
            ("grpc.max_send_message_length", settings.max_message_bytes),
            # Only sibling workers share the port: a second server started by mistake must fail.
            ("grpc.so_reuseport", int(settings.workers != 1)),
            # Long generations stream for minutes: keep idle connections through proxies alive.
            ("grpc.keepalive_time_ms", 30_000),
            ("grpc.keepalive_permit_without_calls", 1),
            ("grpc.http2.min_ping_interval_without_data_ms", 10_000),
            *_connection_bounds(settings),
        ],
    )
    spb_grpc.add_PresentationServiceServicer_to_server(app.servicer, server)
    health_pb2_grpc.add_HealthServicer_to_server(app.health, server)
    if settings.reflection_enabled:
        reflection.enable_server_reflection(
            (
                SERVICE_NAME,
                health_pb2.DESCRIPTOR.services_by_name["Health"].full_name,
                reflection.SERVICE_NAME,
            ),
            server,
        )
    credentials = server_credentials(settings)
    try:
        if credentials is None:
            port = server.add_insecure_port(settings.address)
        else:
            port = server.add_secure_port(settings.address, credentials)
    except RuntimeError as error:
        raise _cannot_listen("API_PORT", settings.address, error) from None
    if port == 0:
        raise _cannot_listen("API_PORT", settings.address, None)
    # grpc's health servicer starts with "" SERVING; nothing is until a check (or the caller) says so.
    await set_serving(app, False)
    if app.worker is not None:
        await app.worker.start()
    app.tasks.append(asyncio.create_task(_watch_queue(app)))
    return server, port, app


async def start_health_listener(settings: Settings, app: App) -> int | None:
    """HEALTH_PORT: plaintext and health only, for kubelet probes (which cannot speak TLS)."""
    if not settings.health_port:
        return None
    listener = grpc.aio.server(options=[("grpc.so_reuseport", int(settings.workers != 1))])
    health_pb2_grpc.add_HealthServicer_to_server(app.health, listener)
    address = f"{settings.address.rpartition(':')[0]}:{settings.health_port}"
    try:
        port: int = listener.add_insecure_port(address)
    except RuntimeError as error:
        raise _cannot_listen("HEALTH_PORT", address, error) from None
    await listener.start()
    app.closers.append(lambda: listener.stop(0))
    return port


_QUEUE_METRICS_INTERVAL = 5.0


async def _watch_queue(app: App) -> None:
    """Queue length and the oldest job's age as metrics: what an autoscaler and an alert look at."""
    while True:
        try:
            stats = await app.service.shared.queue.stats()
        except Exception:  # the health check reports an unreachable Redis; this only skips a round
            log.debug("queue statistics unavailable", exc_info=True)
        else:
            QUEUED.set(stats.waiting)
            QUEUE_RUNNING.set(stats.running)
            QUEUE_OLDEST_AGE.set(stats.oldest_age)
        await asyncio.sleep(_QUEUE_METRICS_INTERVAL)


def _cannot_listen(variable: str, address: str, error: BaseException | None) -> ConfigError:
    why = f" ({error})" if error else ""
    return ConfigError(
        f"{variable}: cannot listen on {address}{why}; another process is using the port, or "
        f"API_HOST is not an address of this machine: choose a free {variable}"
    )


def check_port_free(variable: str, host: str, port: int) -> None:
    """Raise ConfigError naming `variable` when something already listens on host:port."""
    if port == 0:
        return
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        # As grpc binds: a port in TIME_WAIT is free, one a process listens on is not.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            raise _cannot_listen(variable, f"{host}:{port}", error) from None


async def set_serving(app: App, serving: bool) -> None:
    status = health_pb2.HealthCheckResponse.SERVING if serving else health_pb2.HealthCheckResponse.NOT_SERVING
    for name in ("", SERVICE_NAME):
        await app.health.set(name, status)


# Unary calls and readers of finished streams still open when the generations are done.
_STOP_GRACE = 2.0


async def shutdown(server: grpc.aio.Server, app: App, grace: float) -> None:
    """Drain: NOT_SERVING at once, refuse new calls, give streams `grace` s, then end them clearly."""
    if app.monitor is not None:
        await app.monitor.stop()  # or a check could report SERVING again while draining
    await app.health.enter_graceful_shutdown()
    # The listener stays open while generations drain: a new generation is refused by the service
    # with UNAVAILABLE and a retry hint (grpc's own stop would answer a bare CANCELLED to calls
    # racing its GOAWAY), and callers can still fetch the artifacts of what just finished.
    deadline = time.monotonic() + grace
    await app.service.drain(grace)
    if app.worker is not None:
        await app.worker.drain(grace)
    if app.service.shared.queue.shared:
        # Generations running elsewhere (all of them, on an API-only replica) go on: their readers
        # here are served for the rest of the grace, then resume on another replica.
        await app.service.wait_for_readers(deadline - time.monotonic())
        # What was handed back goes on elsewhere: the callers reading here resume there.
        app.service.hand_over_readers()
    await server.stop(_STOP_GRACE)
    await close_adapters(app)


async def close_adapters(app: App) -> None:
    """Release the adapters' connection pools (after the server has stopped using them)."""
    for task in app.tasks:
        task.cancel()
    await asyncio.gather(*app.tasks, return_exceptions=True)
    app.tasks.clear()
    if app.worker is not None:
        await app.worker.stop()
    for close in app.closers:
        await close()


async def serve(
    settings: Settings,
    on_ready: Callable[[int], None] | None = None,
    app: App | None = None,
    worker: int = 0,
) -> None:
    configure_tracing()
    if settings.metrics_enabled:
        port_wanted = settings.metrics_port + worker if settings.metrics_port else 0
        try:
            metrics_port = serve_metrics(settings.api_host, port_wanted)
        except OSError as error:
            raise _cannot_listen("METRICS_PORT", f"{settings.api_host}:{port_wanted}", error) from None
        log.info("metrics on http://%s:%d/metrics", settings.api_host, metrics_port)
    server, port, app = await create_server(settings, app)
    for job in app.startup:
        try:
            await job()
        except Exception:  # a start-up chore must not stop the server; health reports real trouble
            log.exception("start-up task failed")
    _freeze_heap()
    # The first check runs before the port opens: no probe can see SERVING before it is true.
    if app.monitor is not None:
        await app.monitor.start()
    else:
        await set_serving(app, True)
    await server.start()
    if (health_port := await start_health_listener(settings, app)) is not None:
        log.info("health-only plaintext listener on port %d", health_port)
    log.info("deckgen serving on %s (port %d, environment %s)", settings.api_host, port, settings.environment)
    if on_ready is not None:
        on_ready(port)
    if app.started:
        app.tasks.append(asyncio.create_task(_warm_up(app.started)))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await stop.wait()
    log.info("shutting down: draining for up to %.0f s", settings.shutdown_grace)
    await shutdown(server, app, settings.shutdown_grace)
    log.info("stopped")


_WARM_DELAY = 1.0
"""Seconds after SERVING before warming: a process warming beside the server would slow the first
health checks and calls of a cold start on a busy node more than a warm render worker speeds them."""


async def _warm_up(jobs: list[Callable[[], Awaitable[object]]]) -> None:
    await asyncio.sleep(_WARM_DELAY)
    for job in jobs:
        try:
            await job()
        except Exception:  # warming is an optimisation: a failure shows again where it matters
            log.exception("warm-up task failed")
    _freeze_heap()  # what warming imported and built lives as long as the process, too


def _freeze_heap() -> None:
    """Leave what start-up built (modules, SDKs, schemas, themes: most of the heap) out of every
    later garbage collection. A full collection walked all of it, ~100 ms with the event loop
    stopped, several times a minute under load: every stream's events waited (100 decks at once,
    p99 slide lag). Collections are rarer too: a request's objects are freed by their reference
    counts, and the default thresholds (700, 10, 10) ran a young collection every few tokens and a
    full one, of every deck in flight, several times a burst (24-37 ms each, now 6-10 ms)."""
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def run_loop(settings: Settings, main: Coroutine[Any, Any, T]) -> T:
    """Run `main` on the event loop EVENT_LOOP names: uvloop (default) or the standard library's."""
    factory: Callable[[], asyncio.AbstractEventLoop] = asyncio.new_event_loop
    if settings.event_loop == "uvloop":
        # libuv reads sockets and runs callbacks in C: a model's stream wakes the loop per token,
        # and each wake and read costs several times less CPU than on the standard loop.
        import uvloop

        factory = uvloop.new_event_loop
    with asyncio.Runner(loop_factory=factory) as runner:
        return runner.run(main)


def _worker(settings: Settings, index: int) -> None:
    configure_logging(settings.log_level, max_record_bytes=settings.log_max_record_bytes)
    try:
        run_loop(settings, serve(settings, worker=index))
    except ConfigError as error:
        print(f"deckgen worker {index}: invalid configuration: {error}", file=sys.stderr)
        raise SystemExit(2) from None


def run(settings: Settings) -> None:
    """Serve in this process, or in WORKERS processes sharing the port through SO_REUSEPORT."""
    configure_logging(settings.log_level, max_record_bytes=settings.log_max_record_bytes)
    workers = settings.workers or os.cpu_count() or 1
    if workers == 1:
        run_loop(settings, serve(settings))
        return
    if settings.api_port == 0:
        raise SystemExit("WORKERS > 1 needs a fixed API_PORT: processes share the port through SO_REUSEPORT")
    # The workers share the port with one another only: refuse one another server already holds.
    check_port_free("API_PORT", settings.api_host, settings.api_port)
    if not settings.resume_token_secret:
        # Sibling workers share the port, so a resumed stream may reach any of them: one key for all.
        settings = replace(settings, resume_token_secret=secrets.token_urlsafe(32))
    context = multiprocessing.get_context("spawn")  # grpc must not be forked with live threads
    processes = [
        context.Process(target=_worker, args=(settings, i), name=f"deckgen-worker-{i}")
        for i in range(workers)
    ]
    for process in processes:
        process.start()
    log.info("started %d worker processes on port %d", workers, settings.api_port)

    def forward(signum: int, frame: FrameType | None) -> None:
        for process in processes:
            if process.is_alive() and process.pid is not None:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(process.pid, signum)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    for process in processes:
        process.join()
    failed = [p.name for p in processes if p.exitcode not in (0, -signal.SIGTERM, -signal.SIGINT)]
    if failed:
        raise SystemExit(f"worker(s) exited abnormally: {', '.join(failed)}")
