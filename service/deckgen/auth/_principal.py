"""Who is calling: the principal an authenticated call runs as, and the call's current one."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

__all__ = ["ADMIN_SCOPE", "ANONYMOUS", "Principal", "acting_as", "current_principal"]

ADMIN_SCOPE = "admin"
"""Reads every principal's presentations, artifacts and templates."""


@dataclass(frozen=True, slots=True)
class Principal:
    id: str
    """`user:<supabase sub>`, `service:<name>` (API key or client certificate) or `anonymous`. The
    prefixes keep a user whose id happens to equal a service's name from becoming that service."""
    scopes: frozenset[str] = frozenset()
    method: str = "none"
    """How the caller proved it: `api_key`, `supabase`, `mtls`, or `none` (AUTH_MODE=none)."""

    @property
    def admin(self) -> bool:
        return ADMIN_SCOPE in self.scopes

    def may_access(self, owner: str) -> bool:
        """True when this principal owns a resource of `owner`, or is an admin."""
        return self.admin or (bool(owner) and owner == self.id)


ANONYMOUS = Principal("anonymous", frozenset({ADMIN_SCOPE}), "none")
"""Every caller with AUTH_MODE=none: one tenant, as the service behaved before authentication."""

_current: ContextVar[Principal | None] = ContextVar("deckgen_principal", default=None)


def current_principal() -> Principal:
    """The principal of the call being served; set by the authentication interceptor."""
    principal = _current.get()
    if principal is None:
        # Failing closed: a handler reached without the interceptor must not act as anyone.
        raise RuntimeError("no principal for this call: the authentication interceptor is not installed")
    return principal


@contextmanager
def acting_as(principal: Principal) -> Iterator[None]:
    token = _current.set(principal)
    try:
        yield
    finally:
        _current.reset(token)
