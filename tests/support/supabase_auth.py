"""Supabase Auth's side of token verification, for tests: real signing keys and a loopback JWKS.

`SupabaseAuth` plays the project: it generates ES256 and RS256 key pairs (and the legacy HS256
secret), signs user tokens as Supabase does (`iss=<url>/auth/v1`, `aud=authenticated`, `sub`=user
id), and serves the public keys over HTTP at `/auth/v1/.well-known/jwks.json`. `rotate()` publishes a
new key, as a project's key rotation does; `fetches` counts JWKS requests.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from tests.support.loopback import LoopbackServer

__all__ = ["JWKS_PATH", "SigningKey", "SupabaseAuth"]

JWKS_PATH = "/auth/v1/.well-known/jwks.json"

PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey


@dataclass(frozen=True)
class SigningKey:
    kid: str
    alg: str
    private: PrivateKey

    def public_jwk(self) -> dict[str, Any]:
        public = self.private.public_key()
        jwk: dict[str, Any]
        if isinstance(public, ec.EllipticCurvePublicKey):
            jwk = ECAlgorithm.to_jwk(public, as_dict=True)
        else:
            jwk = RSAAlgorithm.to_jwk(public, as_dict=True)
        return {**jwk, "kid": self.kid, "alg": self.alg, "use": "sig"}


def new_key(alg: str) -> SigningKey:
    private: PrivateKey
    if alg == "ES256":
        private = ec.generate_private_key(ec.SECP256R1())
    else:
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return SigningKey(uuid.uuid4().hex[:12], alg, private)


class SupabaseAuth(LoopbackServer):
    thread_name = "fake-supabase-auth"

    def __init__(self) -> None:
        super().__init__()
        self.keys = [new_key("ES256"), new_key("RS256")]
        self.hs256_secret = secrets.token_urlsafe(32)
        self.fetches = 0
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def issuer(self) -> str:
        return f"{self.url}/auth/v1"

    def rotate(self, alg: str = "ES256", *, keep_old: bool = True) -> SigningKey:
        """Publish a new signing key (first in the set); the old ones stay unless `keep_old` is False."""
        key = new_key(alg)
        with self._lock:
            self.keys = [key, *self.keys] if keep_old else [key]
        return key

    def claims(self, user: str = "", **overrides: Any) -> dict[str, Any]:
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": "authenticated",
            "sub": user or str(uuid.uuid4()),
            "role": "authenticated",
            "iat": now,
            "exp": now + 3600,
        }
        claims.update(overrides)
        return {k: v for k, v in claims.items() if v is not None}

    def token(self, user: str = "", *, key: SigningKey | None = None, **claims: Any) -> str:
        """A user's access token signed with `key` (default: the newest published key)."""
        key = key or self.keys[0]
        return jwt.encode(
            self.claims(user, **claims), key.private, algorithm=key.alg, headers={"kid": key.kid}
        )

    def hs256_token(self, user: str = "", *, secret: str = "", **claims: Any) -> str:
        """A token as a legacy project signs it: HS256 with the project's JWT secret."""
        return jwt.encode(self.claims(user, **claims), secret or self.hs256_secret, algorithm="HS256")

    def jwks(self) -> dict[str, Any]:
        with self._lock:
            return {"keys": [key.public_jwk() for key in self.keys]}

    async def _serve_connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request = await reader.readuntil(b"\r\n\r\n")
            method, path, _ = request.split(b"\r\n", 1)[0].decode().split(" ", 2)
            if method == "GET" and path == JWKS_PATH:
                with self._lock:
                    self.fetches += 1
                status, body = "200 OK", json.dumps(self.jwks()).encode()
            else:
                status, body = "404 Not Found", b'{"message":"not found"}'
            head = (
                f"HTTP/1.1 {status}\r\ncontent-type: application/json\r\n"
                f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"
            )
            writer.write(head.encode() + body)
            await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, ValueError):
            pass
        finally:
            writer.close()
