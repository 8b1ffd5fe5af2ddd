"""Credentials sent with every call: an API key (services) or a user's bearer token."""

from __future__ import annotations

from collections.abc import Callable, Sequence

__all__ = ["CallMetadata", "TokenSource", "call_metadata"]

TokenSource = str | Callable[[], str]
"""A token, or a callable returning the current one (e.g. a Supabase session's access token,
refreshed when it nears expiry); it is called before every call and every resumed stream."""

CallMetadata = Callable[[], tuple[tuple[str, str], ...]]


def call_metadata(
    metadata: Sequence[tuple[str, str]], api_key: str | None, token: TokenSource | None
) -> CallMetadata:
    if api_key is not None and token is not None:
        raise ValueError("pass api_key or token, not both")
    fixed = tuple(metadata)
    if any(key.lower() in ("authorization", "x-api-key") for key, _ in fixed) and (api_key or token):
        raise ValueError("credentials are given twice: in metadata and as api_key/token")
    if api_key is not None:
        with_key = (*fixed, ("authorization", f"Bearer {api_key}"))
        return lambda: with_key
    if token is None:
        return lambda: fixed
    source = token

    def with_token() -> tuple[tuple[str, str], ...]:
        current = source() if callable(source) else source
        return (*fixed, ("authorization", f"Bearer {current}"))

    return with_token
