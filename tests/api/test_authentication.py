"""Authentication through a real server: API keys and Supabase JWTs (real keys, a loopback JWKS)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import grpc
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from grpc_health.v1 import health_pb2, health_pb2_grpc

from deckgen.v1 import presentation_service_pb2 as spb
from tests.support.identity import Caller, Metadata, api_key_caller, bearer
from tests.support.servers import RunningServer, running_server, server_settings
from tests.support.supabase_auth import SupabaseAuth, new_key

REFUSED = "missing or invalid credentials"


@pytest.fixture
def supabase() -> Iterator[SupabaseAuth]:
    with SupabaseAuth() as auth:
        yield auth


@pytest.fixture
def service_a() -> Caller:
    return api_key_caller("billing", "admin")


@pytest.fixture
async def server(tmp_path: Path, supabase: SupabaseAuth, service_a: Caller) -> AsyncIterator[RunningServer]:
    settings = server_settings(
        tmp_path / "artifacts",
        AUTH_MODE="api_key,supabase",
        API_KEYS=f"# the operator's keys file\n{service_a.entry}\n",
        SUPABASE_URL=supabase.url,
        SUPABASE_JWT_SECRET=supabase.hs256_secret,
    )
    async with running_server(settings) as running:
        yield running


async def _themes(server: RunningServer, metadata: Metadata) -> spb.ListThemesResponse:
    response: spb.ListThemesResponse = await server.stub.ListThemes(
        spb.ListThemesRequest(), metadata=metadata
    )
    return response


async def _refused(server: RunningServer, metadata: Metadata) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await _themes(server, metadata)
    assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED
    # The same words for every failure, and no google.rpc details to tell an attacker more.
    assert caught.value.details() == REFUSED
    assert not [k for k, _ in caught.value.trailing_metadata() or () if k == "grpc-status-details-bin"]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _hand_signed(header: dict[str, object], claims: dict[str, object], secret: bytes) -> str:
    # PyJWT refuses to sign HS256 with a PEM public key, so the HS/RS confusion token is made by hand.
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(signature)}"


async def test_supabase_tokens_signed_es256_rs256_and_legacy_hs256_are_accepted(
    server: RunningServer, supabase: SupabaseAuth
) -> None:
    es256, rs256 = supabase.keys
    assert (es256.alg, rs256.alg) == ("ES256", "RS256")
    for token in (supabase.token(key=es256), supabase.token(key=rs256), supabase.hs256_token()):
        assert (await _themes(server, bearer(token))).themes
    # Clock skew within the leeway is tolerated.
    skewed = supabase.token(exp=int(time.time()) - 10)
    assert (await _themes(server, bearer(skewed))).themes


async def test_api_keys_as_bearer_or_x_api_key(server: RunningServer, service_a: Caller) -> None:
    assert (await _themes(server, service_a.metadata)).themes
    assert (await _themes(server, (("x-api-key", service_a.key),))).themes


async def test_no_credentials_is_unauthenticated_but_health_stays_open(server: RunningServer) -> None:
    await _refused(server, ())
    health = health_pb2_grpc.HealthStub(server.channel)
    response = await health.Check(health_pb2.HealthCheckRequest())
    assert response.status == health_pb2.HealthCheckResponse.SERVING


def _rejected_tokens(supabase: SupabaseAuth, service_a: Caller) -> dict[str, str]:
    now = int(time.time())
    es256, rs256 = supabase.keys
    rs_public_pem = rs256.private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    stranger = new_key("ES256")
    unsigned = f"{_b64(json.dumps({'alg': 'none', 'typ': 'JWT'}).encode())}."
    unsigned += f"{_b64(json.dumps(supabase.claims()).encode())}."
    key_id, _, secret = service_a.key.removeprefix("dgk_").partition("_")
    return {
        "alg none": unsigned,
        "HS/RS confusion (HS256 signed with the RSA public key)": _hand_signed(
            {"alg": "HS256", "typ": "JWT", "kid": rs256.kid}, supabase.claims(), rs_public_pem
        ),
        "expired": supabase.token(exp=now - 120),
        "not yet valid": supabase.token(nbf=now + 300),
        "wrong audience": supabase.token(aud="another-project"),
        "wrong issuer": supabase.token(iss="https://evil.example/auth/v1"),
        "no subject": supabase.token(sub=None),
        "no expiry": supabase.token(exp=None),
        "unknown key id": jwt.encode(
            supabase.claims(), stranger.private, algorithm="ES256", headers={"kid": "nope"}
        ),
        "published key id, another key's signature": jwt.encode(
            supabase.claims(), stranger.private, algorithm="ES256", headers={"kid": es256.kid}
        ),
        "ES256 header on the RSA key": jwt.encode(
            supabase.claims(), stranger.private, algorithm="ES256", headers={"kid": rs256.kid}
        ),
        "HS256 with a guessed secret": supabase.hs256_token(
            secret="not-the-project-secret-but-long-enough-to-sign"
        ),
        "altered claims": _altered(supabase.token()),
        "garbage": "not.a.token",
        "wrong API key secret": f"dgk_{key_id}_{'x' * len(secret)}",
        "unknown API key": f"dgk_00000000_{secret}",
    }


def _altered(token: str) -> str:
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["sub"] = "someone-else"
    return f"{header}.{_b64(json.dumps(claims).encode())}.{signature}"


async def test_every_bad_credential_is_refused_alike(
    server: RunningServer, supabase: SupabaseAuth, service_a: Caller
) -> None:
    for case, token in _rejected_tokens(supabase, service_a).items():
        try:
            await _refused(server, bearer(token))
        except AssertionError as error:
            raise AssertionError(f"{case}: {error}") from error
    # Two credentials at once are refused too, rather than picking one.
    await _refused(server, (*bearer(supabase.token()), ("x-api-key", service_a.key)))


async def test_api_key_mode_refuses_jwts_and_supabase_mode_refuses_keys(
    tmp_path: Path, supabase: SupabaseAuth, service_a: Caller
) -> None:
    only_keys = server_settings(tmp_path / "a", AUTH_MODE="api_key", API_KEYS=service_a.entry)
    async with running_server(only_keys) as server:
        assert (await _themes(server, service_a.metadata)).themes
        await _refused(server, bearer(supabase.token()))
    only_users = server_settings(tmp_path / "b", AUTH_MODE="supabase", SUPABASE_URL=supabase.url)
    async with running_server(only_users) as server:
        assert (await _themes(server, bearer(supabase.token()))).themes
        await _refused(server, service_a.metadata)
        # Without SUPABASE_JWT_SECRET, HS256 tokens are never accepted.
        await _refused(server, bearer(supabase.hs256_token()))


async def test_reflection_can_be_turned_off(tmp_path: Path) -> None:
    from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

    request = reflection_pb2.ServerReflectionRequest(list_services="")
    async with running_server(server_settings(tmp_path / "on", REFLECTION_ENABLED="true")) as server:
        stub = reflection_pb2_grpc.ServerReflectionStub(server.channel)
        async for response in stub.ServerReflectionInfo(iter([request])):
            assert response.list_services_response.service
    async with running_server(server_settings(tmp_path / "off", REFLECTION_ENABLED="false")) as server:
        stub = reflection_pb2_grpc.ServerReflectionStub(server.channel)
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            async for _ in stub.ServerReflectionInfo(iter([request])):
                pass
        assert caught.value.code() == grpc.StatusCode.UNIMPLEMENTED


async def test_reflection_requires_credentials_when_authentication_is_on(
    server: RunningServer, service_a: Caller
) -> None:
    from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

    stub = reflection_pb2_grpc.ServerReflectionStub(server.channel)
    request = reflection_pb2.ServerReflectionRequest(list_services="")
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        async for _ in stub.ServerReflectionInfo(iter([request])):
            pass
    assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED
    names = [
        s.name
        async for response in stub.ServerReflectionInfo(iter([request]), metadata=service_a.metadata)
        for s in response.list_services_response.service
    ]
    assert "deckgen.v1.PresentationService" in names


async def test_the_python_client_sends_a_key_or_a_refreshed_token(
    server: RunningServer, supabase: SupabaseAuth, service_a: Caller, examples: Path
) -> None:
    from deckgen.client import AsyncDeckgenClient, UnauthenticatedError

    async with AsyncDeckgenClient(server.target, api_key=service_a.key) as client:
        assert await client.list_themes()
    user = "7f4e1c2a-0000-4000-8000-000000000001"
    issued: list[str] = []

    def session_token() -> str:
        # What a Supabase session gives: a fresh access token whenever asked (refreshed as needed).
        issued.append(supabase.token(user))
        return issued[-1]

    async with AsyncDeckgenClient(server.target, token=session_token) as client:
        events = [
            event
            async for event in client.generate_presentation(
                sources=[examples / "intro-to-grpc.md"], slide_count=4
            )
        ]
        presentation = await client.get_presentation(events[-1].completed.presentation.name)
        assert presentation.name == events[0].presentation
    assert len(issued) >= 2  # one token per call
    async with AsyncDeckgenClient(server.target) as client:
        with pytest.raises(UnauthenticatedError):
            await client.list_themes()
