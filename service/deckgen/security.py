"""Composition of the identity layer from settings: authentication, resume tokens (docs/security.md)."""

from __future__ import annotations

import logging

from deckgen.api._authn import Authenticator
from deckgen.api._resume import ResumeTokens
from deckgen.auth import ApiKeys, SupabaseVerifier
from deckgen.config import ConfigError, Settings, auth_methods

__all__ = ["build_authenticator", "build_resume_tokens"]

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
