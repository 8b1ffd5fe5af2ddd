"""Authentication, in one place: a server interceptor that turns credentials into a principal.

Credentials: `authorization: Bearer <API key or Supabase JWT>`, `x-api-key: <API key>`, or a client
certificate (mTLS). Every failure is the same UNAUTHENTICATED with no detail; the reason goes to
the server's log. Health checks stay open for probes.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import grpc

from deckgen._grpc import wrap_handler
from deckgen.auth import (
    ANONYMOUS,
    ApiKeys,
    InvalidToken,
    KeysUnavailable,
    Principal,
    SupabaseVerifier,
    acting_as,
)

__all__ = ["AuthInterceptor", "Authenticator"]

log = logging.getLogger(__name__)

_OPEN = ("/grpc.health.v1.",)
_REFUSED = "missing or invalid credentials"


class _Refused(Exception):
    pass


def _common_name(context: grpc.aio.ServicerContext) -> str:
    names = (context.auth_context() or {}).get("x509_common_name") or []
    return names[0].decode("utf-8", "replace") if names else ""


class Authenticator:
    """The principal of a call from the methods AUTH_MODE enables (none: everyone is ANONYMOUS)."""

    def __init__(
        self,
        methods: frozenset[str],
        api_keys: ApiKeys | None = None,
        supabase: SupabaseVerifier | None = None,
    ) -> None:
        self.methods = methods
        self._api_keys = api_keys
        self._supabase = supabase

    async def authenticate(self, context: grpc.aio.ServicerContext) -> Principal:
        if not self.methods:
            return ANONYMOUS
        metadata = {k: v for k, v in (context.invocation_metadata() or ()) if isinstance(v, str)}
        scheme, _, bearer = metadata.get("authorization", "").strip().partition(" ")
        credential = bearer.strip() if scheme.lower() == "bearer" else ""
        api_key = metadata.get("x-api-key", "").strip()
        if credential and api_key:
            raise _Refused("two credentials in one call")
        credential = credential or api_key
        if credential:
            return await self._credential(credential, from_api_key_header=bool(api_key))
        if "mtls" in self.methods:
            name = _common_name(context)
            if name:
                return Principal(f"service:{name}", frozenset(), "mtls")
        raise _Refused("no credentials")

    async def _credential(self, credential: str, *, from_api_key_header: bool) -> Principal:
        if ApiKeys.looks_like_key(credential) or from_api_key_header:
            if self._api_keys is None:
                raise _Refused("API key sent, but AUTH_MODE does not include api_key")
            principal = self._api_keys.verify(credential)
            if principal is None:
                raise _Refused("unknown API key")
            return principal
        if self._supabase is None:
            raise _Refused("bearer token sent, but AUTH_MODE does not include supabase")
        try:
            return await self._supabase.verify(credential)
        except InvalidToken as error:
            raise _Refused(f"Supabase token {error}") from None


class AuthInterceptor(grpc.aio.ServerInterceptor):  # type: ignore[misc]
    def __init__(self, authenticator: Authenticator) -> None:
        self._authenticator = authenticator

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        handler = await continuation(details)
        if handler is None or details.method.startswith(_OPEN):
            return handler
        return wrap_handler(handler, self._authenticated)

    @asynccontextmanager
    async def _authenticated(self, context: grpc.aio.ServicerContext) -> AsyncIterator[None]:
        try:
            principal = await self._authenticator.authenticate(context)
        except _Refused as refused:
            log.info("call refused as unauthenticated: %s", refused)
            await context.abort(grpc.StatusCode.UNAUTHENTICATED, _REFUSED)
            raise  # unreachable: abort raises
        except KeysUnavailable:
            log.warning("cannot verify a token: the Supabase signing keys are unavailable")
            await context.abort(
                grpc.StatusCode.UNAVAILABLE, "credentials cannot be checked right now; retry shortly"
            )
            raise
        with acting_as(principal):
            yield
