"""Supabase user tokens, verified here: signature, issuer, audience and lifetime (PyJWT).

Newer projects sign with asymmetric keys published at `<SUPABASE_URL>/auth/v1/.well-known/jwks.json`
(ES256 or RS256); legacy projects sign HS256 with the project's JWT secret. The algorithm a token
names only chooses which of *our* keys may check it: HS256 is checked with the legacy secret alone
and the asymmetric algorithms with a JWKS key of the same type, so a token signed with a public key
as an HMAC secret (HS/RS confusion) or with `alg: none` never verifies.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import jwt

from deckgen.auth._principal import ADMIN_SCOPE, Principal

__all__ = ["InvalidToken", "KeysUnavailable", "SupabaseVerifier"]

log = logging.getLogger(__name__)

_ASYMMETRIC = {"ES256": "EC", "RS256": "RSA"}
Fetch = Callable[[str], Awaitable[dict[str, Any]]]


class InvalidToken(Exception):
    """The token does not verify. The message is for the server's log, never for the caller."""


class KeysUnavailable(Exception):
    """The signing keys could not be fetched, so a token with an unknown key id cannot be checked."""


async def _fetch_json(url: str) -> dict[str, Any]:
    async with httpx.AsyncClient(timeout=5.0, follow_redirects=False) as client:
        response = await client.get(url)
        response.raise_for_status()
        data = response.json()
    if not isinstance(data, dict):
        raise ValueError("the JWKS is not a JSON object")
    return data


class SupabaseVerifier:
    def __init__(
        self,
        project_url: str,
        *,
        audience: str = "authenticated",
        hs256_secret: str = "",
        leeway: float = 30.0,
        refresh_interval: float = 600.0,
        min_refresh_interval: float = 30.0,
        fetch: Fetch = _fetch_json,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        base = project_url.rstrip("/")
        self.issuer = f"{base}/auth/v1"
        self.jwks_url = f"{self.issuer}/.well-known/jwks.json"
        self._audience = audience
        self._secret = hs256_secret
        self._leeway = leeway
        self._refresh_interval = refresh_interval
        self._min_refresh_interval = min_refresh_interval
        self._fetch = fetch
        self._clock = clock
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at: float | None = None
        self._lock = asyncio.Lock()

    async def verify(self, token: str) -> Principal:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as error:
            raise InvalidToken(f"malformed token ({type(error).__name__})") from None
        alg = header.get("alg")
        if alg == "HS256":
            if not self._secret:
                raise InvalidToken("HS256 token, but no SUPABASE_JWT_SECRET is configured")
            key: Any = self._secret
        elif alg in _ASYMMETRIC:
            jwk = await self._key(header.get("kid"))
            if jwk.key_type != _ASYMMETRIC[alg] or jwk.algorithm_name != alg:
                raise InvalidToken(f"{alg} token names a {jwk.key_type}/{jwk.algorithm_name} key")
            key = jwk.key
        else:
            raise InvalidToken(f"algorithm {alg!r} is not accepted")
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[alg],
                audience=self._audience,
                issuer=self.issuer,
                leeway=self._leeway,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except jwt.PyJWTError as error:
            raise InvalidToken(f"rejected ({type(error).__name__})") from None
        subject = claims.get("sub")
        if not isinstance(subject, str) or not subject:
            raise InvalidToken("no subject")
        return Principal(f"user:{subject}", _scopes(claims), "supabase")

    async def _key(self, kid: object) -> jwt.PyJWK:
        if not isinstance(kid, str) or not kid:
            raise InvalidToken("asymmetric token without a key id")
        stale = self._fetched_at is None or self._clock() - self._fetched_at > self._refresh_interval
        if kid not in self._keys or stale:
            await self._refresh(force=kid not in self._keys)
        jwk = self._keys.get(kid)
        if jwk is None:
            raise InvalidToken("unknown key id")
        return jwk

    async def _refresh(self, *, force: bool) -> None:
        async with self._lock:
            now = self._clock()
            # Unknown key ids come from callers: refetch at most every min_refresh_interval, so
            # random key ids cannot turn the service into a load generator against the JWKS.
            if self._fetched_at is not None and now - self._fetched_at < self._min_refresh_interval:
                return
            try:
                data = await self._fetch(self.jwks_url)
                keys = _parse_jwks(data)
            except Exception as error:
                log.warning("could not fetch the Supabase JWKS (%s)", type(error).__name__)
                if force and not self._keys:
                    raise KeysUnavailable("the token signing keys could not be fetched") from None
                return
            self._keys, self._fetched_at = keys, now
            log.info("Supabase signing keys refreshed: %d key(s)", len(keys))


def _parse_jwks(data: dict[str, Any]) -> dict[str, jwt.PyJWK]:
    keys: dict[str, jwt.PyJWK] = {}
    for item in data.get("keys", []):
        if not isinstance(item, dict) or not isinstance(item.get("kid"), str):
            continue
        if item.get("kty") not in ("EC", "RSA") or item.get("use", "sig") != "sig":
            continue  # symmetric keys never come from a public endpoint
        try:
            keys[item["kid"]] = jwt.PyJWK(item)
        except jwt.PyJWTError:
            continue
    return keys


def _scopes(claims: dict[str, Any]) -> frozenset[str]:
    # app_metadata is writable only with the service role key, so users cannot grant themselves scopes.
    metadata = claims.get("app_metadata")
    scopes = metadata.get("deckgen_scopes") if isinstance(metadata, dict) else None
    if not isinstance(scopes, list):
        return frozenset()
    return frozenset(s for s in scopes if isinstance(s, str) and s == ADMIN_SCOPE)
