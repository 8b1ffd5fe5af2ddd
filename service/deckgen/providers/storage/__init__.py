"""Artifact stores: the port and its implementations."""

from deckgen.providers.storage._base import (
    ArtifactStore,
    InvalidKey,
    ObjectNotFound,
    StorageError,
    StoredObject,
    validate_key,
)
from deckgen.providers.storage._local import LocalArtifactStore
from deckgen.providers.storage._supabase import SupabaseArtifactStore, SupabaseStorageError

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
