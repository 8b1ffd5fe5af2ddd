"""Caller identity: principals, API keys, Supabase JWTs. Free of gRPC; the api layer applies it."""

from deckgen.auth._keys import ApiKeyEntry, ApiKeys, KeyFormatError, entry_for, new_api_key
from deckgen.auth._principal import ADMIN_SCOPE, ANONYMOUS, Principal, acting_as, current_principal
from deckgen.auth._supabase import InvalidToken, KeysUnavailable, SupabaseVerifier

__all__ = [
    "ADMIN_SCOPE",
    "ANONYMOUS",
    "ApiKeyEntry",
    "ApiKeys",
    "InvalidToken",
    "KeyFormatError",
    "KeysUnavailable",
    "Principal",
    "SupabaseVerifier",
    "acting_as",
    "current_principal",
    "entry_for",
    "new_api_key",
]
