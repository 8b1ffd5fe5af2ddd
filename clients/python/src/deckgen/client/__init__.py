"""A typed Python client of the deckgen presentation service (`deckgen.v1.PresentationService`).

from deckgen.client import DeckgenClient

with DeckgenClient("localhost:8000") as client:
    for event in client.generate_presentation(topic="Tide pools", slide_count=6):
        print(event_kind(event))
"""

from ._async_client import AsyncDeckgenClient
from ._auth import TokenSource
from ._client import DeckgenClient
from ._events import DeckProgress, acollect_outline, collect_outline, event_kind
from ._exceptions import (
    AlreadyExistsError,
    CallCancelledError,
    DataLossError,
    DeadlineExceededError,
    DeckgenError,
    FailedPreconditionError,
    InternalError,
    InvalidArgumentError,
    NotFoundError,
    PermissionDeniedError,
    ResourceExhaustedError,
    UnauthenticatedError,
    UnavailableError,
)
from ._requests import (
    ArtifactFormatLike,
    AudienceLevelLike,
    ImageModeLike,
    LayoutLike,
    LogoLike,
    SourceLike,
    TemplateLike,
    TextModeLike,
    make_brand,
)

__all__ = [
    # Clients
    "DeckgenClient",
    "AsyncDeckgenClient",
    # Reading event streams
    "event_kind",
    "DeckProgress",
    "collect_outline",
    "acollect_outline",
    # Building arguments
    "make_brand",
    # Argument types
    "TokenSource",
    "SourceLike",
    "AudienceLevelLike",
    "ImageModeLike",
    "TextModeLike",
    "ArtifactFormatLike",
    "LayoutLike",
    "LogoLike",
    "TemplateLike",
    # Errors
    "DeckgenError",
    "InvalidArgumentError",
    "NotFoundError",
    "AlreadyExistsError",
    "FailedPreconditionError",
    "ResourceExhaustedError",
    "UnavailableError",
    "DeadlineExceededError",
    "CallCancelledError",
    "UnauthenticatedError",
    "PermissionDeniedError",
    "InternalError",
    "DataLossError",
]
