"""The Supabase verifier's key cache against a loopback JWKS: cached, refreshed on rotation, bounded."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import jwt
import pytest

from deckgen.auth import InvalidToken, KeysUnavailable, SupabaseVerifier
from tests.support.supabase_auth import SupabaseAuth, new_key


@pytest.fixture
def supabase() -> Iterator[SupabaseAuth]:
    with SupabaseAuth() as auth:
        yield auth


async def test_keys_are_fetched_once_and_cached(supabase: SupabaseAuth) -> None:
    verifier = SupabaseVerifier(supabase.url)
    user = str(uuid.uuid4())
    for _ in range(5):
        principal = await verifier.verify(supabase.token(user))
        assert principal.id == f"user:{user}" and principal.method == "supabase"
        assert not principal.admin
    assert supabase.fetches == 1


async def test_rotation_refreshes_on_an_unknown_key_id(supabase: SupabaseAuth) -> None:
    verifier = SupabaseVerifier(supabase.url, min_refresh_interval=0)
    old = supabase.keys[0]
    await verifier.verify(supabase.token())
    new = supabase.rotate("RS256")
    await verifier.verify(supabase.token(key=new))  # the new kid is unknown: one refetch finds it
    assert supabase.fetches == 2
    await verifier.verify(supabase.token(key=old))  # still published: still accepted
    # The project retires the old key: after the next refresh, its tokens no longer verify.
    supabase.rotate("ES256", keep_old=False)
    newest = supabase.keys[0]
    await verifier.verify(supabase.token(key=newest))
    with pytest.raises(InvalidToken):
        await verifier.verify(supabase.token(key=old))


async def test_unknown_key_ids_cannot_make_it_hammer_the_jwks(supabase: SupabaseAuth) -> None:
    verifier = SupabaseVerifier(supabase.url, min_refresh_interval=60)
    stranger = new_key("ES256")
    for _ in range(20):
        token = jwt.encode(
            supabase.claims(), stranger.private, algorithm="ES256", headers={"kid": uuid.uuid4().hex}
        )
        with pytest.raises(InvalidToken):
            await verifier.verify(token)
    assert supabase.fetches == 1


async def test_admin_scope_comes_only_from_app_metadata(supabase: SupabaseAuth) -> None:
    verifier = SupabaseVerifier(supabase.url)
    admin = await verifier.verify(supabase.token(app_metadata={"deckgen_scopes": ["admin"]}))
    assert admin.admin
    # user_metadata is writable by the user: it grants nothing.
    user = await verifier.verify(supabase.token(user_metadata={"deckgen_scopes": ["admin"]}))
    assert not user.admin


async def test_an_unreachable_jwks_is_unavailable_not_unauthenticated(supabase: SupabaseAuth) -> None:
    url = supabase.url
    token = supabase.token()
    supabase.stop()
    verifier = SupabaseVerifier(url)
    with pytest.raises(KeysUnavailable):
        await verifier.verify(token)
