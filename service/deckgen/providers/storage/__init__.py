"""Artifact stores: the port and its implementations."""

from deckgen.providers.storage._base import (
    ArtifactStore,
    InvalidKey,
    ObjectNotFound,
    StoredObject,
    validate_key,
)
from deckgen.providers.storage._local import LocalArtifactStore

__all__ = [
    "ArtifactStore",
    "InvalidKey",
    "LocalArtifactStore",
    "ObjectNotFound",
    "StoredObject",
    "validate_key",
]
