"""The gRPC layer: translates between protobuf and the domain, and nothing more."""

from deckgen.api._convert import deck_from_proto, deck_to_json, deck_to_proto
from deckgen.api._decoding import DecodeGuardInterceptor
from deckgen.api._errors import DOMAIN, status_for
from deckgen.api._limits import CallerLimits, RateLimitInterceptor
from deckgen.api._observability import ObservabilityInterceptor
from deckgen.api._servicer import PresentationServicer
from deckgen.api._validate import Limits

__all__ = [
    "DOMAIN",
    "CallerLimits",
    "DecodeGuardInterceptor",
    "Limits",
    "ObservabilityInterceptor",
    "PresentationServicer",
    "RateLimitInterceptor",
    "deck_from_proto",
    "deck_to_json",
    "deck_to_proto",
    "status_for",
]
