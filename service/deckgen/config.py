"""Configuration from the environment and `config/.env.<ENVIRONMENT>` (12-factor).

Precedence: variables set in the process environment, then `config/.env.<ENVIRONMENT>`, then the
defaults below. Every value is validated at start; a bad one stops the process with a message
that names the variable.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, TypeVar

__all__ = ["AUTH_METHODS", "ConfigError", "Settings", "auth_methods", "load_settings", "read_env_file"]

ENVIRONMENTS = ("development", "staging", "production", "test")
EVENT_LOOPS = ("uvloop", "asyncio")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
DEFAULT_CONFIG_DIR = Path(__file__).resolve().parents[2] / "config"

T = TypeVar("T")


class ConfigError(ValueError):
    """A configuration variable is missing or invalid; the message names it."""


@dataclass(frozen=True, slots=True)
class Settings:
    environment: str = "development"
    """ENVIRONMENT: development, staging, production or test; selects config/.env.<ENVIRONMENT>."""
    api_host: str = "0.0.0.0"
    """API_HOST: the address the gRPC server binds."""
    api_port: int = 8000
    """API_PORT: the gRPC port; 0 picks a free one (tests)."""
    log_level: str = "INFO"
    """LOG_LEVEL."""
    log_max_record_bytes: int = 8 * 1024
    """LOG_MAX_RECORD_BYTES: the longest JSON log line; longer messages and tracebacks are cut."""
    debug: bool = False
    """DEBUG: more detail in logs and error messages."""
    timeout: float = 120.0
    """TIMEOUT: the longest a generation may run, in seconds."""
    workers: int = 1
    """WORKERS: server processes sharing the port through SO_REUSEPORT; 0 means one per core."""
    event_loop: str = "uvloop"
    """EVENT_LOOP: `uvloop` (libuv: a model's stream costs far less CPU per token) or `asyncio`
    (the standard library's loop)."""
    cache_enabled: bool = True
    """CACHE_ENABLED: reuse the content of identical requests."""
    cache_size: int = 256
    """CACHE_SIZE: entries kept by the in-process content cache."""
    rate_limit_enabled: bool = False
    """RATE_LIMIT_ENABLED: limit calls per client address."""
    rate_limit_per_minute: int = 60
    """RATE_LIMIT_PER_MINUTE: sustained calls per client address."""
    rate_limit_burst: int = 20
    """RATE_LIMIT_BURST: calls a client may make at once before the rate applies."""
    max_concurrent_generations: int = 8
    """MAX_CONCURRENT_GENERATIONS: generations running at once in one process; more get RESOURCE_EXHAUSTED."""
    max_message_bytes: int = 32 * 1024 * 1024
    """MAX_MESSAGE_BYTES: the largest gRPC message received or sent."""
    max_source_bytes: int = 5 * 1024 * 1024
    """MAX_SOURCE_BYTES: the largest single source document."""
    max_total_source_bytes: int = 20 * 1024 * 1024
    """MAX_TOTAL_SOURCE_BYTES: all source documents of one request together."""
    max_template_bytes: int = 20 * 1024 * 1024
    """MAX_TEMPLATE_BYTES: the largest .pptx template CreateTemplate accepts (MAX_MESSAGE_BYTES caps it)."""
    max_sources: int = 20
    """MAX_SOURCES: source documents per request."""
    shutdown_grace: float = 25.0
    """SHUTDOWN_GRACE: seconds in-flight streams get to finish after SIGTERM."""
    detach_grace: float = 30.0
    """DETACH_GRACE: seconds a generation goes on after its last reader (on any replica) left, so a
    dropped client can resume it; 0 stops the work (and its cost) as soon as the caller goes."""
    role: str = "all"
    """ROLE: `api` (serve calls, enqueue generations), `worker` (run generations from the queue) or
    `all`; `deckgen serve --role` overrides it. Without REDIS_URL every process is `all`."""
    redis_url: str = field(default="", repr=False)
    """REDIS_URL: redis://[:password@]host:port/db (or rediss://); set, the job queue, event log,
    records and cancellations live in Redis and any replica serves any call. Empty: in-process."""
    redis_password: str = field(default="", repr=False)
    """REDIS_PASSWORD: used when REDIS_URL carries none (secret)."""
    redis_key_prefix: str = "deckgen:"
    """REDIS_KEY_PREFIX: prefix of every key and channel, so several deployments can share a Redis."""
    queue_partitions: int = 1
    """QUEUE_PARTITIONS: job streams the queue is split into (spread over a Redis Cluster's shards)."""
    max_queued_generations: int = 1000
    """MAX_QUEUED_GENERATIONS: generations waiting in the shared queue before new ones get
    RESOURCE_EXHAUSTED (with REDIS_URL; in-process the limit is MAX_CONCURRENT_GENERATIONS)."""
    job_lease: float = 10.0
    """JOB_LEASE: seconds a worker holds a job without renewing it; after that another worker takes
    the job over and continues it."""
    job_max_attempts: int = 3
    """JOB_MAX_ATTEMPTS: workers a job may outlive before it is given up (ends with ABORTED)."""
    record_retention: float = 86400.0
    """RECORD_RETENTION: seconds presentation records and request ids stay in the shared state
    (the artifact store keeps records for good)."""
    event_retention: float = 3600.0
    """EVENT_RETENTION: seconds a finished generation's events stay available for resuming."""
    storage_backend: str = "local"
    """STORAGE_BACKEND: where artifacts live; `local` (the embedded default)."""
    storage_dir: Path = Path("var/artifacts")
    supabase_url: str = ""
    """SUPABASE_URL: the project URL (https://<project>.supabase.co), for STORAGE_BACKEND=supabase and
    for verifying users' tokens (AUTH_MODE=supabase)."""
    supabase_service_role_key: str = field(default="", repr=False)
    """SUPABASE_SERVICE_ROLE_KEY: the key the server stores artifacts with (secret)."""
    supabase_key: str = field(default="", repr=False)
    """SUPABASE_KEY: used when SUPABASE_SERVICE_ROLE_KEY is not set (secret)."""
    supabase_bucket: str = "deckgen-artifacts"
    """SUPABASE_BUCKET: the bucket artifacts go to; created (private) if missing."""
    signed_url_expiry: int = 3600
    """SIGNED_URL_EXPIRY: seconds the signed URLs in artifact events stay valid."""
    """STORAGE_DIR: root directory of the local artifact store."""
    download_chunk_bytes: int = 256 * 1024
    """DOWNLOAD_CHUNK_BYTES: chunk size of DownloadArtifact."""
    export_enabled: bool = True
    """EXPORT_ENABLED: offer PDF and PNG previews when LibreOffice and poppler are installed."""
    export_timeout: float = 120.0
    """EXPORT_TIMEOUT: the longest one PDF conversion may take, in seconds."""
    render_processes: int = 1
    """RENDER_PROCESSES: worker processes that write PPTX files, off the event loop (each about
    90 MiB resident); 0 writes them in a thread of the server process, where they hold up other
    streams' events."""
    export_processes: int = 2
    """EXPORT_PROCESSES: LibreOffice conversions run at once (each keeps its own profile)."""
    export_sandbox: str = "auto"
    """EXPORT_SANDBOX: how LibreOffice is confined: `auto` (bubblewrap: no network, only its own
    folder; else a network namespace; else unconfined with a warning), `required` (refuse to start
    without a sandbox), `off`."""
    preview_width: int = 1280
    """PREVIEW_WIDTH: width in pixels of slide previews."""
    source_timeout: float = 60.0
    """SOURCE_TIMEOUT: the longest one PDF, Office, HTML or CSV source may take to become Markdown (s)."""
    source_processes: int = 2
    """SOURCE_PROCESSES: converter processes reading such sources at once (started on first use)."""
    source_memory_mb: int = 1024
    """SOURCE_MEMORY_MB: memory one conversion may use on top of the converter's libraries (MiB)."""
    metrics_enabled: bool = True
    """METRICS_ENABLED: serve Prometheus metrics on their own port."""
    metrics_port: int = 9090
    """METRICS_PORT: the /metrics port (with WORKERS > 1, worker n serves METRICS_PORT + n); 0 = any."""
    health_check_interval: float = 15.0
    """HEALTH_CHECK_INTERVAL: seconds between checks of the LLM provider and the artifact store."""
    content_engine: str = "auto"
    """CONTENT_ENGINE: `embedded` (documents only, no model), `llm`, or `auto` (llm when
    OPENAI_API_KEY or OPENAI_BASE_URL is set)."""
    openai_api_key: str = field(default="", repr=False)
    """OPENAI_API_KEY: key of the primary OpenAI-compatible endpoint (secret)."""
    openai_base_url: str = ""
    """OPENAI_BASE_URL: the primary endpoint, e.g. http://vllm:8000/v1; empty means api.openai.com."""
    llm_outline_model: str = "gpt-4o-mini"
    """LLM_OUTLINE_MODEL: model that plans outlines."""
    llm_slide_model: str = "gpt-4o-mini"
    """LLM_SLIDE_MODEL: model that writes slides."""
    llm_backup_base_urls: str = ""
    """LLM_BACKUP_BASE_URLS: comma-separated backup endpoints, tried in order when the one before fails."""
    llm_backup_models: str = ""
    """LLM_BACKUP_MODELS: comma-separated model per backup (one value applies to all)."""
    llm_backup_api_keys: str = field(default="", repr=False)
    """LLM_BACKUP_API_KEYS: comma-separated key per backup (secret; one value applies to all)."""
    llm_concurrency: int = 10
    """LLM_CONCURRENCY: slides of one generation written at once."""
    llm_request_timeout: float = 90.0
    """LLM_REQUEST_TIMEOUT: the longest one model call may take, in seconds."""
    llm_idle_timeout: float = 30.0
    """LLM_IDLE_TIMEOUT: the longest a model's stream may stay silent, in seconds."""
    llm_read_interval: float = 0.0
    """LLM_READ_INTERVAL: seconds between reads of a model's stream over plain TCP (one shared timer
    reads every stream that has data: fewer loop wakes, less CPU); a token waits at most this long
    more. 0 reads each piece as it arrives."""
    llm_read_hold: float = 0.1
    """LLM_READ_HOLD: seconds a stream over plain TCP may go unread while the reply's JSON shows that
    its next token cannot complete the slide (inside a string or a nested value); where it can, it
    is read as it arrives. 0 reads every token as it arrives."""
    llm_outline_hold: float = 0.3
    """LLM_OUTLINE_HOLD: the same for the plan of a deck written as it is planned, between its cover
    (title and subtitle) and its last item: each item there only starts its own slide, which runs
    alongside the others, so that item's slide may start up to this much later. The cover's values
    and the last item are read under LLM_READ_HOLD. Below LLM_READ_HOLD, LLM_READ_HOLD applies."""
    llm_whole_replies: bool = True
    """LLM_WHOLE_REPLIES: over plain HTTP, while at most 32 model calls run, read a slide's reply
    once it has ended instead of token by token: the request asks the server to close the connection
    after the reply, and the socket wakes the loop at that hang-up (or every 16 KB). A connection per
    slide call, and a slide's event waits for the reply's end (the finish chunk, one decode step
    after the last token); a third fewer loop wakes per deck. Outlines, whose items start slides,
    are always read as they stream."""
    llm_retry_attempts: int = 3
    """LLM_RETRY_ATTEMPTS: tries on 429/5xx/timeouts of the last provider; one with a backup after
    it gets one try, and the backup takes the call at once."""
    llm_retry_base_delay: float = 0.5
    """LLM_RETRY_BASE_DELAY: first backoff ceiling in seconds; doubles per try, with full jitter."""
    llm_breaker_threshold: int = 5
    """LLM_BREAKER_THRESHOLD: consecutive failed calls (5xx, timeouts, refused keys) after which a
    provider's circuit opens: it is skipped, for every generation of the process, until the cooldown."""
    llm_breaker_cooldown: float = 30.0
    """LLM_BREAKER_COOLDOWN: seconds an open circuit skips its provider (at least what its
    Retry-After asked) before one probe call decides whether it is back."""
    images_model: str = ""
    """IMAGES_MODEL: images API model (e.g. gpt-image-1); empty turns pictures off."""
    images_base_url: str = ""
    """IMAGES_BASE_URL: images endpoint; empty means OPENAI_BASE_URL."""
    images_size: str = "1536x1024"
    """IMAGES_SIZE: WIDTHxHEIGHT of generated pictures."""
    image_concurrency: int = 4
    """IMAGE_CONCURRENCY: pictures of one generation made at once."""

    # -- who is calling (docs/security.md) --------------------------------------------------------
    auth_mode: str = "none"
    """AUTH_MODE: comma-separated ways a caller may authenticate: `api_key`, `supabase`, `mtls`; or
    `none` (the development default: every caller is one anonymous admin). The production profile
    refuses to start unless it is set explicitly."""
    api_keys: str = field(default="", repr=False)
    """API_KEYS: API key entries `<key id> <principal> <scopes|-> sha256:<hex>`, one per line (or `;`);
    `deckgen keys create` makes one. Usually API_KEYS_FILE, a mounted secret (secret)."""
    supabase_jwt_secret: str = field(default="", repr=False)
    """SUPABASE_JWT_SECRET: the project's legacy HS256 JWT secret; empty accepts only tokens signed with
    the asymmetric keys of `<SUPABASE_URL>/auth/v1/.well-known/jwks.json` (secret)."""
    supabase_jwt_audience: str = "authenticated"
    """SUPABASE_JWT_AUDIENCE: the `aud` a user's token must carry."""
    jwt_leeway: float = 30.0
    """JWT_LEEWAY: seconds of clock skew allowed on `exp`, `nbf` and `iat`."""
    reflection_enabled: bool = True
    """REFLECTION_ENABLED: serve gRPC server reflection (grpcurl without .proto files); off in production."""
    resume_token_secret: str = field(default="", repr=False)
    """RESUME_TOKEN_SECRET: HMAC key that signs resume tokens; required in production. Empty elsewhere
    means a random key per process: tokens then do not survive a restart or reach another replica."""
    resume_token_secret_previous: str = field(default="", repr=False)
    """RESUME_TOKEN_SECRET_PREVIOUS: the key before a rotation, still accepted for tokens it signed."""
    trusted_proxies: str = ""
    """TRUSTED_PROXIES: comma-separated CIDRs of proxies whose `x-forwarded-for` /
    `x-envoy-external-address` name the client; from any other peer those headers are ignored."""
    rate_limit_reads_per_minute: int = 600
    """RATE_LIMIT_READS_PER_MINUTE: cheap reads (GetPresentation, GetTemplate, ListThemes) per caller."""
    rate_limit_reads_burst: int = 100
    """RATE_LIMIT_READS_BURST: cheap reads a caller may make at once."""
    rate_limit_downloads_per_minute: int = 300
    """RATE_LIMIT_DOWNLOADS_PER_MINUTE: DownloadArtifact calls per caller."""
    rate_limit_downloads_burst: int = 60
    """RATE_LIMIT_DOWNLOADS_BURST: downloads a caller may start at once."""
    max_generations_per_caller: int = 4
    """MAX_GENERATIONS_PER_CALLER: generation streams one caller may hold open at once (with
    RATE_LIMIT_ENABLED)."""
    model_tokens_per_day: int = 0
    """MODEL_TOKENS_PER_DAY: model tokens (prompt + completion) one caller may spend per UTC day;
    0 is unlimited."""
    tls_cert_file: str = ""
    """TLS_CERT_FILE: PEM certificate chain of the gRPC port; with TLS_KEY_FILE turns TLS on. Re-read
    when it changes (cert-manager renewals need no restart)."""
    tls_key_file: str = ""
    """TLS_KEY_FILE: PEM private key of TLS_CERT_FILE."""
    tls_client_ca_file: str = ""
    """TLS_CLIENT_CA_FILE: PEM CA bundle; when set, callers must present a client certificate it
    signed (mTLS), and with AUTH_MODE containing `mtls` the certificate's name is the principal."""
    health_port: int = 0
    """HEALTH_PORT: a plaintext, health-only gRPC listener for the kubelet's probes; 0 is off."""

    @property
    def llm_configured(self) -> bool:
        if self.content_engine == "embedded":
            return False
        return self.content_engine == "llm" or bool(self.openai_api_key or self.openai_base_url)

    @property
    def address(self) -> str:
        host = f"[{self.api_host}]" if ":" in self.api_host else self.api_host
        return f"{host}:{self.api_port}"


def read_env_file(path: Path) -> dict[str, str]:
    """Parse a dotenv file: KEY=VALUE lines, `#` comments, optional quotes, `export ` prefix."""
    values: dict[str, str] = {}
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        line = line.removeprefix("export ").strip()
        key, sep, value = line.partition("=")
        key = key.strip()
        if not sep or not key.isidentifier():
            raise ConfigError(f"{path}:{number}: expected KEY=VALUE, got {raw!r}")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        else:
            value = value.split(" #", 1)[0].rstrip()
        values[key] = value
    return values


def _parse_bool(name: str, raw: str) -> bool:
    lowered = raw.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off", ""):
        return False
    raise ConfigError(f"{name} must be true or false, got {raw!r}")


def _parser_for(name: str, kind: Any) -> Callable[[str], Any]:
    def number(cast: Callable[[str], T]) -> Callable[[str], T]:
        def parse(raw: str) -> T:
            try:
                return cast(raw.strip())
            except ValueError:
                raise ConfigError(f"{name} must be a {cast.__name__}, got {raw!r}") from None

        return parse

    if kind in (bool, "bool"):
        return lambda raw: _parse_bool(name, raw)
    if kind in (int, "int"):
        return number(int)
    if kind in (float, "float"):
        return number(float)
    if kind in (Path, "Path"):
        return lambda raw: Path(raw.strip())
    return lambda raw: raw.strip()


def _validate(settings: Settings) -> None:
    def require(ok: bool, name: str, what: str) -> None:
        if not ok:
            raise ConfigError(f"{name} {what}, got {getattr(settings, name.lower())!r}")

    require(settings.environment in ENVIRONMENTS, "ENVIRONMENT", f"must be one of {', '.join(ENVIRONMENTS)}")
    require(settings.log_level in LOG_LEVELS, "LOG_LEVEL", f"must be one of {', '.join(LOG_LEVELS)}")
    require(settings.log_max_record_bytes >= 1024, "LOG_MAX_RECORD_BYTES", "must be at least 1024")
    require(0 <= settings.api_port <= 65535, "API_PORT", "must be a port number (0-65535)")
    require(bool(settings.api_host), "API_HOST", "must not be empty")
    require(settings.timeout > 0, "TIMEOUT", "must be a positive number of seconds")
    require(0 <= settings.workers <= 64, "WORKERS", "must be between 0 (one per core) and 64")
    require(settings.cache_size >= 1, "CACHE_SIZE", "must be at least 1")
    require(settings.rate_limit_per_minute >= 1, "RATE_LIMIT_PER_MINUTE", "must be at least 1")
    require(settings.rate_limit_burst >= 1, "RATE_LIMIT_BURST", "must be at least 1")
    require(settings.max_concurrent_generations >= 1, "MAX_CONCURRENT_GENERATIONS", "must be at least 1")
    require(settings.max_message_bytes >= 1024 * 1024, "MAX_MESSAGE_BYTES", "must be at least 1 MiB")
    require(settings.max_source_bytes >= 1, "MAX_SOURCE_BYTES", "must be positive")
    require(
        settings.max_total_source_bytes >= settings.max_source_bytes,
        "MAX_TOTAL_SOURCE_BYTES",
        "must be at least MAX_SOURCE_BYTES",
    )
    require(
        settings.max_total_source_bytes < settings.max_message_bytes,
        "MAX_TOTAL_SOURCE_BYTES",
        "must be below MAX_MESSAGE_BYTES, or requests at the limit could never arrive",
    )
    require(settings.max_sources >= 1, "MAX_SOURCES", "must be at least 1")
    require(settings.max_template_bytes >= 1024, "MAX_TEMPLATE_BYTES", "must be at least 1 KiB")
    require(settings.shutdown_grace >= 0, "SHUTDOWN_GRACE", "must not be negative")
    require(settings.detach_grace >= 0, "DETACH_GRACE", "must not be negative")
    require(settings.event_retention >= 0, "EVENT_RETENTION", "must not be negative")
    require(settings.role in ("api", "worker", "all"), "ROLE", "must be api, worker or all")
    if settings.redis_url and not settings.redis_url.startswith(("redis://", "rediss://", "unix://")):
        # Not echoed: the URL may carry the password.
        raise ConfigError("REDIS_URL must be a redis://, rediss:// or unix:// URL")
    if settings.role != "all" and not settings.redis_url:
        raise ConfigError(f"ROLE={settings.role} needs REDIS_URL: without it the queue is in this process")
    require(1 <= settings.queue_partitions <= 64, "QUEUE_PARTITIONS", "must be between 1 and 64")
    require(settings.max_queued_generations >= 1, "MAX_QUEUED_GENERATIONS", "must be at least 1")
    require(1 <= settings.job_lease <= 600, "JOB_LEASE", "must be between 1 and 600 seconds")
    require(1 <= settings.job_max_attempts <= 20, "JOB_MAX_ATTEMPTS", "must be between 1 and 20")
    require(settings.record_retention >= 60, "RECORD_RETENTION", "must be at least 60 seconds")
    require(
        settings.storage_backend in ("local", "supabase"), "STORAGE_BACKEND", "must be `local` or `supabase`"
    )
    if settings.storage_backend == "supabase":
        require(
            settings.supabase_url.startswith(("http://", "https://")),
            "SUPABASE_URL",
            "must be the project's http(s) URL when STORAGE_BACKEND=supabase",
        )
        if not (settings.supabase_service_role_key or settings.supabase_key):
            raise ConfigError(
                "SUPABASE_SERVICE_ROLE_KEY (or SUPABASE_KEY) is required when STORAGE_BACKEND=supabase"
            )
    require(60 <= settings.signed_url_expiry <= 7 * 24 * 3600, "SIGNED_URL_EXPIRY", "must be 60 s to 7 days")
    require(
        settings.content_engine in ("auto", "embedded", "llm"),
        "CONTENT_ENGINE",
        "must be auto, embedded or llm",
    )
    require(
        settings.content_engine != "llm" or bool(settings.openai_api_key or settings.openai_base_url),
        "CONTENT_ENGINE",
        "is llm, which needs OPENAI_API_KEY or OPENAI_BASE_URL",
    )
    for name in ("openai_base_url", "images_base_url"):
        value = getattr(settings, name)
        require(
            not value or value.startswith(("http://", "https://")), name.upper(), "must be an http(s) URL"
        )
    for url in settings.llm_backup_base_urls.split(","):
        require(
            not url.strip() or url.strip().startswith(("http://", "https://")),
            "LLM_BACKUP_BASE_URLS",
            "must be comma-separated http(s) URLs",
        )
    require(settings.event_loop in EVENT_LOOPS, "EVENT_LOOP", f"must be one of {', '.join(EVENT_LOOPS)}")
    require(settings.llm_concurrency >= 1, "LLM_CONCURRENCY", "must be at least 1")
    require(settings.llm_request_timeout > 0, "LLM_REQUEST_TIMEOUT", "must be positive")
    require(settings.llm_idle_timeout > 0, "LLM_IDLE_TIMEOUT", "must be positive")
    require(0 <= settings.llm_read_interval <= 0.5, "LLM_READ_INTERVAL", "must be between 0 and 0.5 seconds")
    require(0 <= settings.llm_read_hold <= 1, "LLM_READ_HOLD", "must be between 0 and 1 second")
    require(0 <= settings.llm_outline_hold <= 1, "LLM_OUTLINE_HOLD", "must be between 0 and 1 second")
    require(1 <= settings.llm_retry_attempts <= 10, "LLM_RETRY_ATTEMPTS", "must be between 1 and 10")
    require(settings.llm_retry_base_delay >= 0, "LLM_RETRY_BASE_DELAY", "must not be negative")
    require(1 <= settings.llm_breaker_threshold <= 100, "LLM_BREAKER_THRESHOLD", "must be between 1 and 100")
    require(settings.llm_breaker_cooldown > 0, "LLM_BREAKER_COOLDOWN", "must be a positive number of seconds")
    require(
        bool(re.fullmatch(r"\d{2,5}x\d{2,5}", settings.images_size)), "IMAGES_SIZE", "must be WIDTHxHEIGHT"
    )
    require(settings.image_concurrency >= 1, "IMAGE_CONCURRENCY", "must be at least 1")
    _validate_identity(settings, require)
    require(settings.export_timeout > 0, "EXPORT_TIMEOUT", "must be positive")
    require(
        settings.export_sandbox in ("auto", "required", "off"),
        "EXPORT_SANDBOX",
        "must be auto, required or off",
    )
    require(0 <= settings.metrics_port <= 65535, "METRICS_PORT", "must be a port number (0-65535)")
    require(settings.health_check_interval >= 1, "HEALTH_CHECK_INTERVAL", "must be at least 1 second")
    require(0 <= settings.render_processes <= 64, "RENDER_PROCESSES", "must be between 0 and 64")
    require(1 <= settings.export_processes <= 16, "EXPORT_PROCESSES", "must be between 1 and 16")
    require(settings.source_timeout > 0, "SOURCE_TIMEOUT", "must be positive")
    require(1 <= settings.source_processes <= 16, "SOURCE_PROCESSES", "must be between 1 and 16")
    require(settings.source_memory_mb >= 64, "SOURCE_MEMORY_MB", "must be at least 64")
    require(160 <= settings.preview_width <= 3840, "PREVIEW_WIDTH", "must be between 160 and 3840 pixels")
    require(
        4096 <= settings.download_chunk_bytes <= 4 * 1024 * 1024,
        "DOWNLOAD_CHUNK_BYTES",
        "must be between 4 KiB and 4 MiB",
    )


AUTH_METHODS = ("api_key", "supabase", "mtls")


def auth_methods(auth_mode: str) -> frozenset[str]:
    """The methods AUTH_MODE enables; empty for `none`."""
    parts = {part.strip() for part in auth_mode.split(",") if part.strip()}
    return frozenset() if parts == {"none"} else frozenset(parts)


def _validate_identity(settings: Settings, require: Callable[[bool, str, str], None]) -> None:
    parts = {part.strip() for part in settings.auth_mode.split(",") if part.strip()}
    require(
        parts == {"none"} or (bool(parts) and parts <= set(AUTH_METHODS)),
        "AUTH_MODE",
        f"must be `none` or a comma-separated list of {', '.join(AUTH_METHODS)}",
    )
    methods = auth_methods(settings.auth_mode)
    if "api_key" in methods and not settings.api_keys.strip():
        raise ConfigError("AUTH_MODE includes api_key, which needs API_KEYS (or API_KEYS_FILE)")
    if settings.api_keys.strip():
        from deckgen.auth import ApiKeys, KeyFormatError

        try:
            ApiKeys(settings.api_keys)
        except KeyFormatError as error:
            raise ConfigError(str(error)) from None
    if "supabase" in methods:
        require(
            settings.supabase_url.startswith(("http://", "https://")),
            "SUPABASE_URL",
            "must be the project's http(s) URL when AUTH_MODE includes supabase",
        )
    if "mtls" in methods and not settings.tls_client_ca_file:
        raise ConfigError("AUTH_MODE includes mtls, which needs TLS_CLIENT_CA_FILE")
    require(0 <= settings.jwt_leeway <= 300, "JWT_LEEWAY", "must be 0 to 300 seconds")
    require(
        bool(settings.tls_cert_file) == bool(settings.tls_key_file), "TLS_CERT_FILE", "needs TLS_KEY_FILE"
    )
    if settings.tls_client_ca_file and not settings.tls_cert_file:
        raise ConfigError("TLS_CLIENT_CA_FILE needs TLS_CERT_FILE and TLS_KEY_FILE (mTLS is TLS first)")
    for name in ("tls_cert_file", "tls_key_file", "tls_client_ca_file"):
        path = getattr(settings, name)
        require(not path or Path(path).is_file(), name.upper(), "must name a readable file")
    require(0 <= settings.health_port <= 65535, "HEALTH_PORT", "must be a port number (0 is off)")
    require(
        not settings.health_port or settings.health_port != settings.api_port,
        "HEALTH_PORT",
        "must differ from API_PORT",
    )
    for cidr in settings.trusted_proxies.split(","):
        try:
            if cidr.strip():
                ipaddress.ip_network(cidr.strip(), strict=False)
        except ValueError:
            raise ConfigError(
                f"TRUSTED_PROXIES must be comma-separated CIDRs, got {cidr.strip()!r}"
            ) from None
    for name in (
        "rate_limit_reads_per_minute",
        "rate_limit_reads_burst",
        "rate_limit_downloads_per_minute",
        "rate_limit_downloads_burst",
        "max_generations_per_caller",
    ):
        require(getattr(settings, name) >= 1, name.upper(), "must be at least 1")
    require(
        settings.model_tokens_per_day >= 0, "MODEL_TOKENS_PER_DAY", "must not be negative (0 is unlimited)"
    )
    if settings.redis_url and not settings.resume_token_secret:
        raise ConfigError(
            "RESUME_TOKEN_SECRET (or RESUME_TOKEN_SECRET_FILE) is required with REDIS_URL: a stream "
            "resumes on any replica, so every replica must sign resume tokens with the same key"
        )
    if settings.environment == "production" and not settings.resume_token_secret:
        raise ConfigError(
            "RESUME_TOKEN_SECRET (or RESUME_TOKEN_SECRET_FILE) is required in production: without it "
            "resume tokens would not survive a restart or reach another replica"
        )


def _read_secret_files(merged: dict[str, str]) -> None:
    """`NAME_FILE=/path` supplies NAME from a file, as Docker and Kubernetes mount secrets."""
    for setting in fields(Settings):
        name = setting.name.upper()
        path = merged.get(f"{name}_FILE", "").strip()
        if not path:
            continue
        if merged.get(name, "").strip():
            raise ConfigError(f"set {name} or {name}_FILE, not both")
        try:
            merged[name] = Path(path).read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as error:
            raise ConfigError(f"{name}_FILE: cannot read {path}: {error.__class__.__name__}") from None


def load_settings(environ: Mapping[str, str] | None = None, config_dir: Path | None = None) -> Settings:
    """Build settings from `environ` (default: os.environ) over `config/.env.<ENVIRONMENT>`."""
    env = dict(os.environ if environ is None else environ)
    environment = env.get("ENVIRONMENT", "development").strip() or "development"
    if environment not in ENVIRONMENTS:
        raise ConfigError(f"ENVIRONMENT must be one of {', '.join(ENVIRONMENTS)}, got {environment!r}")
    directory = (
        Path(env.get("CONFIG_DIR", "")) if env.get("CONFIG_DIR") else (config_dir or DEFAULT_CONFIG_DIR)
    )
    env_file = directory / f".env.{environment}"
    if env.get("CONFIG_DIR") and not env_file.is_file():
        # A CONFIG_DIR set by hand that has no profile is a mistake, not a reason to run on defaults
        # (which would, say, turn rate limiting off in production).
        raise ConfigError(f"CONFIG_DIR has no .env.{environment}, got {str(directory)!r}")
    merged = read_env_file(env_file) if env_file.is_file() else {}
    merged.update(env)  # the process environment wins over the file
    merged["ENVIRONMENT"] = environment
    _read_secret_files(merged)
    if environment == "production" and not merged.get("AUTH_MODE", "").strip():
        raise ConfigError(
            "the production profile needs authentication: set AUTH_MODE to api_key, supabase and/or "
            "mtls (comma-separated), or AUTH_MODE=none explicitly if a gateway in front authenticates "
            "every call"
        )

    values: dict[str, Any] = {}
    for setting in fields(Settings):
        name = setting.name.upper()
        if name in merged:
            values[setting.name] = _parser_for(name, setting.type)(merged[name])
    settings = Settings(**values)
    if settings.log_level != settings.log_level.upper():
        settings = Settings(**{**values, "log_level": settings.log_level.upper()})
    _validate(settings)
    return settings
