"""Artifact stores: the port and its implementations."""

from __future__ import annotations

from typing import TYPE_CHECKING

from deckgen.providers._lazy import lazy_attributes
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

__getattr__ = lazy_attributes(
    __name__, "deckgen.providers.storage._supabase", ("SupabaseArtifactStore", "SupabaseStorageError")
)


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
