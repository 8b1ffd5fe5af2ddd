"""The composition root: picks adapters from configuration, builds the gRPC server and runs it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import signal
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from types import FrameType

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from deckgen import render
from deckgen.api import (
    Limits,
    ObservabilityInterceptor,
    PresentationServicer,
    RateLimitInterceptor,
    deck_to_json,
)
from deckgen.api._interceptors import TokenBuckets
from deckgen.config import Settings
from deckgen.content import ContentEngine
from deckgen.content.embedded import EmbeddedEngine
from deckgen.content.llm import LLMEngine
from deckgen.domain import (
    ArtifactFormat,
    Deck,
    FieldViolation,
    InvalidRequest,
    Layout,
    PreconditionFailed,
    Slide,
    Theme,
)
from deckgen.health import HealthMonitor
from deckgen.observability import (
    InstrumentedStore,
    configure_logging,
    configure_tracing,
    serve_metrics,
)
from deckgen.pipeline import (
    ArtifactWriter,
    GenerationService,
    MemoryContentCache,
    PipelineDeps,
    RenderAssets,
    TemplateLibrary,
)
from deckgen.providers._retry import RetryPolicy
from deckgen.providers.export import LibreOfficeExporter, export_available
from deckgen.providers.images import ImageGenerator, OpenAIImageConfig, OpenAIImageGenerator
from deckgen.providers.llm import FailoverChatModel, OpenAIChatModel, OpenAIConfig
from deckgen.providers.queue import InProcessJobQueue, MemoryEventLog
from deckgen.providers.storage import ArtifactStore, LocalArtifactStore, SupabaseArtifactStore
from deckgen.render.template import TemplateError, inspect_template, render_with_template
from deckgen.v1 import presentation_service_pb2 as spb
from deckgen.v1 import presentation_service_pb2_grpc as spb_grpc

__all__ = [
    "App",
    "build_app",
    "close_adapters",
    "create_server",
    "run",
    "serve",
    "set_serving",
    "shutdown",
]

log = logging.getLogger("deckgen.server")

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


def _writers() -> dict[ArtifactFormat, ArtifactWriter]:
    def pptx(deck: Deck, theme: Theme, assets: RenderAssets) -> bytes:
        if assets.template is not None:
            data, warnings = render_with_template(deck, assets.template, assets.images)
            for warning in warnings:
                log.info("template rendering: %s", warning)
            return data
        return render.render_pptx(deck, theme, assets.images)

    def deck_json(deck: Deck, theme: Theme, assets: RenderAssets) -> bytes:
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


def _split(value: str, count: int) -> list[str]:
    parts = [part.strip() for part in value.split(",")] if value.strip() else []
    return parts * count if len(parts) == 1 else parts + [""] * (count - len(parts))


def _chat_models(settings: Settings) -> list[OpenAIChatModel]:
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
        images = OpenAIImageGenerator(
            OpenAIImageConfig(
                "images",
                settings.images_base_url or settings.openai_base_url or None,
                settings.openai_api_key,
                settings.images_model,
                retry=RetryPolicy(settings.llm_retry_attempts, settings.llm_retry_base_delay),
            )
        )
        closers.append(images.aclose)
    chat = FailoverChatModel(models)
    checks["llm"] = chat.check
    engine = LLMEngine(chat, concurrency=settings.llm_concurrency, images_available=images is not None)
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
    )
    closers.append(exporter.aclose)
    return exporter


def _store(settings: Settings, closers: list[Callable[[], Awaitable[None]]]) -> ArtifactStore:
    if settings.storage_backend == "supabase":
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
    store = InstrumentedStore(_store(settings, closers), settings.storage_backend)
    checks: dict[str, Check] = {"storage": store.check}
    exporter = _exporter(settings, closers)
    template_limit = min(settings.max_template_bytes, settings.max_message_bytes - 64 * 1024)
    templates = TemplateLibrary(store, _inspect_template, template_limit)
    if engine is None:
        engine, identity, images = _engine(settings, closers, checks)
    else:
        identity, images = type(engine).__name__, None
    deps = PipelineDeps(
        engine=engine,
        engine_name=identity,
        store=store,
        writers=_writers(),
        fit=_fit,
        theme=render.get_theme,
        brand=render.apply_brand,
        cache=MemoryContentCache(settings.cache_size) if settings.cache_enabled else None,
        images=images,
        image_concurrency=settings.image_concurrency,
        image_size=settings.images_size,
        templates=templates,
        exporter=exporter,
    )
    service = GenerationService(
        deps, MemoryEventLog(settings.event_retention), settings.timeout, settings.detach_grace
    )
    service.attach_queue(InProcessJobQueue(service.run, settings.max_concurrent_generations))
    limits = Limits(settings.max_sources, settings.max_source_bytes, settings.max_total_source_bytes)
    servicer = PresentationServicer(
        service, limits, render.list_themes, settings.download_chunk_bytes, templates
    )
    servicer_health = health.aio.HealthServicer()
    monitor = HealthMonitor(servicer_health, checks, ("", SERVICE_NAME), settings.health_check_interval)
    return App(settings, service, servicer, servicer_health, closers, monitor)


async def create_server(settings: Settings, app: App | None = None) -> tuple[grpc.aio.Server, int, App]:
    """Build a started-able server bound to the configured address; return it with its port."""
    app = app or build_app(settings)
    # Observability first, so a call refused by the rate limiter still has its span and metrics.
    interceptors: list[grpc.aio.ServerInterceptor] = [ObservabilityInterceptor()]
    if settings.rate_limit_enabled:
        interceptors.append(
            RateLimitInterceptor(TokenBuckets(settings.rate_limit_per_minute, settings.rate_limit_burst))
        )
    server = grpc.aio.server(
        interceptors=interceptors,
        options=[
            ("grpc.max_receive_message_length", settings.max_message_bytes),
            ("grpc.max_send_message_length", settings.max_message_bytes),
            ("grpc.so_reuseport", 1),
            # Long generations stream for minutes: keep idle connections through proxies alive.
            ("grpc.keepalive_time_ms", 30_000),
            ("grpc.keepalive_permit_without_calls", 1),
            ("grpc.http2.min_ping_interval_without_data_ms", 10_000),
        ],
    )
    spb_grpc.add_PresentationServiceServicer_to_server(app.servicer, server)
    health_pb2_grpc.add_HealthServicer_to_server(app.health, server)
    reflection.enable_server_reflection(
        (SERVICE_NAME, health_pb2.DESCRIPTOR.services_by_name["Health"].full_name, reflection.SERVICE_NAME),
        server,
    )
    port = server.add_insecure_port(settings.address)
    if port == 0:
        raise OSError(f"could not bind {settings.address}")
    return server, port, app


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
    await app.service.drain(grace)
    await server.stop(_STOP_GRACE)
    await close_adapters(app)


async def close_adapters(app: App) -> None:
    """Release the adapters' connection pools (after the server has stopped using them)."""
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
        metrics_port = serve_metrics(settings.api_host, port_wanted)
        log.info("metrics on http://%s:%d/metrics", settings.api_host, metrics_port)
    server, port, app = await create_server(settings, app)
    await server.start()
    if app.monitor is not None:
        await app.monitor.start()
    else:
        await set_serving(app, True)
    log.info("deckgen serving on %s (port %d, environment %s)", settings.api_host, port, settings.environment)
    if on_ready is not None:
        on_ready(port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await stop.wait()
    log.info("shutting down: draining for up to %.0f s", settings.shutdown_grace)
    await shutdown(server, app, settings.shutdown_grace)
    log.info("stopped")


def _worker(settings: Settings, index: int) -> None:
    configure_logging(settings.log_level, max_record_bytes=settings.log_max_record_bytes)
    asyncio.run(serve(settings, worker=index))


def run(settings: Settings) -> None:
    """Serve in this process, or in WORKERS processes sharing the port through SO_REUSEPORT."""
    configure_logging(settings.log_level, max_record_bytes=settings.log_max_record_bytes)
    workers = settings.workers or os.cpu_count() or 1
    if workers == 1:
        asyncio.run(serve(settings))
        return
    if settings.api_port == 0:
        raise SystemExit("WORKERS > 1 needs a fixed API_PORT: processes share the port through SO_REUSEPORT")
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
