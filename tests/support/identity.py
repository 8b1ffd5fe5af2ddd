"""Callers with identities for tests: API keys made as an operator makes them, and call metadata."""

from __future__ import annotations

from dataclasses import dataclass

from deckgen.auth import new_api_key

__all__ = ["Caller", "api_key_caller", "bearer"]

Metadata = tuple[tuple[str, str], ...]


def bearer(token: str) -> Metadata:
    return (("authorization", f"Bearer {token}"),)


@dataclass(frozen=True)
class Caller:
    principal: str
    key: str
    entry: str
    """The API_KEYS line the operator stores (a digest, never the key)."""

    @property
    def metadata(self) -> Metadata:
        return bearer(self.key)


def api_key_caller(principal: str, *scopes: str) -> Caller:
    key, entry = new_api_key(principal, frozenset(scopes))
    return Caller(f"service:{principal}", key, entry.line())
