"""Composition of the identity layer from settings: authentication, resume tokens (docs/security.md)."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import grpc

from deckgen.api._authn import Authenticator
from deckgen.api._limits import Budget, CallerLimits
from deckgen.api._peer import parse_networks
from deckgen.api._resume import ResumeTokens
from deckgen.auth import ApiKeys, SupabaseVerifier
from deckgen.config import ConfigError, Settings, auth_methods
from deckgen.providers import limits as limit_stores

__all__ = [
    "CertificateFiles",
    "build_authenticator",
    "build_limits",
    "build_resume_tokens",
    "server_credentials",
]

log = logging.getLogger("deckgen.security")


def build_authenticator(settings: Settings) -> Authenticator:
    methods = auth_methods(settings.auth_mode)
    api_keys = ApiKeys(settings.api_keys) if "api_key" in methods else None  # checked by load_settings
    supabase = None
    if "supabase" in methods:
        supabase = SupabaseVerifier(
            settings.supabase_url,
            audience=settings.supabase_jwt_audience,
            hs256_secret=settings.supabase_jwt_secret,
            leeway=settings.jwt_leeway,
        )
    if not methods:
        log.warning("AUTH_MODE=none: every caller is one anonymous admin; see docs/security.md")
    return Authenticator(methods, api_keys, supabase)


def build_resume_tokens(settings: Settings) -> ResumeTokens:
    tokens = ResumeTokens(settings.resume_token_secret, settings.resume_token_secret_previous)
    if tokens.ephemeral:
        log.warning(
            "RESUME_TOKEN_SECRET is not set: resume tokens are signed with a random key of this "
            "process and will not survive a restart or reach another replica"
        )
    return tokens


def build_limits(settings: Settings) -> CallerLimits:
    """Per-caller limits; in Redis when REDIS_URL is set, so every replica shares the budgets."""
    store: limit_stores.LimitStore = (
        limit_stores.RedisLimitStore(
            settings.redis_url, f"{settings.redis_key_prefix}limits:", settings.redis_password
        )
        if settings.redis_url
        else limit_stores.MemoryLimitStore()
    )
    budgets = {}
    if settings.rate_limit_enabled:
        budgets = {
            "calls": Budget(settings.rate_limit_per_minute, settings.rate_limit_burst),
            "reads": Budget(settings.rate_limit_reads_per_minute, settings.rate_limit_reads_burst),
            "downloads": Budget(
                settings.rate_limit_downloads_per_minute, settings.rate_limit_downloads_burst
            ),
        }
    return CallerLimits(
        store,
        budgets,
        generations=settings.max_generations_per_caller,
        # A crashed replica's slots come back once its generations would have timed out anyway.
        generation_lease=settings.timeout + 60.0,
        tokens_per_day=settings.model_tokens_per_day,
        trusted=parse_networks(settings.trusted_proxies),
    )


class CertificateFiles:
    """The TLS files, re-read when they change: grpc asks before each handshake, so a renewed
    certificate (cert-manager swaps the mounted secret in place) is served without a restart."""

    def __init__(self, cert: str, key: str, client_ca: str = "") -> None:
        self._paths = [Path(p) for p in (cert, key, client_ca) if p]
        self._client_ca = bool(client_ca)
        self._signature = self._stat()
        self.reloads = 0

    def _stat(self) -> tuple[tuple[int, int], ...]:
        return tuple((s.st_mtime_ns, s.st_size) for s in (os.stat(p) for p in self._paths))

    def configuration(self) -> grpc.ServerCertificateConfiguration:
        cert, key = self._paths[0].read_bytes(), self._paths[1].read_bytes()
        roots = self._paths[2].read_bytes() if self._client_ca else None
        return grpc.ssl_server_certificate_configuration([(key, cert)], root_certificates=roots)

    def fetch(self) -> grpc.ServerCertificateConfiguration | None:
        """A new configuration when the files changed since the last one, else None (keep it)."""
        try:
            signature = self._stat()
            if signature == self._signature:
                return None
            configuration = self.configuration()
        except (OSError, ValueError) as error:
            # Mid-rotation (one file new, one missing): keep serving the current certificate.
            log.warning("TLS files unreadable, keeping the current certificate (%s)", type(error).__name__)
            return None
        self._signature = signature
        self.reloads += 1
        log.info("TLS certificate reloaded from %s", self._paths[0])
        return configuration


def server_credentials(settings: Settings) -> grpc.ServerCredentials | None:
    """TLS (with client certificates required when TLS_CLIENT_CA_FILE is set), or None: plaintext."""
    if not settings.tls_cert_file:
        return None
    files = CertificateFiles(settings.tls_cert_file, settings.tls_key_file, settings.tls_client_ca_file)
    try:
        initial = files.configuration()
    except OSError as error:
        raise ConfigError(f"TLS_CERT_FILE / TLS_KEY_FILE cannot be read: {error}") from None
    return grpc.dynamic_ssl_server_credentials(
        initial, files.fetch, require_client_authentication=bool(settings.tls_client_ca_file)
    )
