"""Composition of the identity layer from settings: authentication, resume tokens (docs/security.md)."""

from __future__ import annotations

import logging

from deckgen.api._authn import Authenticator
from deckgen.api._limits import Budget, CallerLimits
from deckgen.api._peer import parse_networks
from deckgen.api._resume import ResumeTokens
from deckgen.auth import ApiKeys, SupabaseVerifier
from deckgen.config import ConfigError, Settings, auth_methods
from deckgen.providers.limits import LimitStore, MemoryLimitStore, RedisLimitStore

__all__ = ["build_authenticator", "build_limits", "build_resume_tokens"]

log = logging.getLogger("deckgen.security")


def build_authenticator(settings: Settings) -> Authenticator:
    methods = auth_methods(settings.auth_mode)
    api_keys = None
    if "api_key" in methods:
        try:
            api_keys = ApiKeys(settings.api_keys)
        except ValueError as error:
            raise ConfigError(str(error)) from None
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
    store: LimitStore = (
        RedisLimitStore(settings.redis_url, f"{settings.redis_key_prefix}limits:")
        if settings.redis_url
        else MemoryLimitStore()
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
