"""Artifact stores: the port and its implementations."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from deckgen.providers.storage._base import (
    ArtifactStore,
    InvalidKey,
    ObjectNotFound,
    StorageError,
    StoredObject,
    validate_key,
)
from deckgen.providers.storage._local import LocalArtifactStore

if TYPE_CHECKING:
    from deckgen.providers.storage._supabase import SupabaseArtifactStore, SupabaseStorageError

_LAZY = frozenset({"SupabaseArtifactStore", "SupabaseStorageError"})


def __getattr__(name: str) -> Any:
    # The Supabase client is slow to import: only a server that stores there pays.
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module("deckgen.providers.storage._supabase"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "ArtifactStore",
    "InvalidKey",
    "LocalArtifactStore",
    "ObjectNotFound",
    "StorageError",
    "StoredObject",
    "SupabaseArtifactStore",
    "SupabaseStorageError",
    "validate_key",
]
