"""What an HTTP status from a provider means to us, in our own words (its body may quote our key)."""

from __future__ import annotations

__all__ = ["NEUTRAL_STATUS", "RETRYABLE_STATUS", "describe_status"]

RETRYABLE_STATUS = frozenset({408, 409, 429, 500, 502, 503, 504})
NEUTRAL_STATUS = frozenset({400, 409, 413, 422, 429})
"""Failures that say nothing about the provider's health (our request was wrong, or it throttles us
and `Retry-After` handles that): they neither open its circuit nor close it."""

_MEANING = {
    400: "request rejected",
    401: "API key refused",
    403: "access denied",
    404: "model or URL not found",
    408: "request timed out",
    409: "conflict",
    413: "request too large",
    422: "request rejected",
    429: "rate limited",
    502: "bad gateway",
    503: "unavailable",
    504: "gateway timeout",
}


def describe_status(status: int) -> str:
    """`HTTP 401 (API key refused)`: the status and what it means, never the provider's body."""
    meaning = _MEANING.get(status) or ("server error" if status >= 500 else "refused")
    return f"HTTP {status} ({meaning})"
