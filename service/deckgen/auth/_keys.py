"""API keys for service callers: only their SHA-256 digests are stored, compared in constant time.

A key is `dgk_<key id>_<secret>`; the key id finds the entry without touching the secret. The
secret is 32 random bytes, so a fast digest suffices (no password stretching is needed for keys
nobody chose). An entry is one line: `<key id> <principal> <scopes|-> sha256:<hex>`.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from deckgen.auth._principal import Principal

__all__ = ["ApiKeyEntry", "ApiKeys", "KeyFormatError", "entry_for", "new_api_key"]

_KEY = re.compile(r"^dgk_([a-z0-9]{8,32})_([A-Za-z0-9_-]{20,128})$")
_ID = re.compile(r"^[a-z0-9]{8,32}$")
_NAME = re.compile(r"^[A-Za-z0-9._@-]{1,128}$")
_DIGEST = re.compile(r"^sha256:([0-9a-f]{64})$")
_DUMMY = hashlib.sha256(b"no such key").hexdigest()


class KeyFormatError(ValueError):
    """An API_KEYS entry is malformed; the message says which line and why (never a secret)."""


@dataclass(frozen=True, slots=True)
class ApiKeyEntry:
    key_id: str
    principal: str
    scopes: frozenset[str]
    digest: str

    def line(self) -> str:
        scopes = ",".join(sorted(self.scopes)) or "-"
        return f"{self.key_id} {self.principal} {scopes} sha256:{self.digest}"


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_api_key(principal: str, scopes: frozenset[str] = frozenset()) -> tuple[str, ApiKeyEntry]:
    """A fresh key (shown once) and the entry that stores only its digest."""
    if not _NAME.match(principal):
        raise KeyFormatError("a principal is 1-128 letters, digits, `.`, `_`, `@` or `-`")
    key_id = secrets.token_hex(6)
    key = f"dgk_{key_id}_{secrets.token_urlsafe(32)}"
    return key, ApiKeyEntry(key_id, principal, scopes, _digest(key))


def entry_for(key: str, principal: str, scopes: frozenset[str]) -> ApiKeyEntry:
    """The entry for an existing key (e.g. one a secret manager generated in our format)."""
    match = _KEY.match(key.strip())
    if match is None:
        raise KeyFormatError("a key looks like dgk_<8-32 lowercase letters/digits>_<20+ random characters>")
    if not _NAME.match(principal):
        raise KeyFormatError("a principal is 1-128 letters, digits, `.`, `_`, `@` or `-`")
    return ApiKeyEntry(match.group(1), principal, scopes, _digest(key.strip()))


def _parse(text: str) -> dict[str, ApiKeyEntry]:
    entries: dict[str, ApiKeyEntry] = {}
    lines = [part.strip() for line in text.splitlines() for part in line.split(";")]
    for number, line in enumerate(lines, start=1):
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        if len(parts) != 4:
            raise KeyFormatError(
                f"API_KEYS entry {number}: expected `<key id> <principal> <scopes|-> sha256:<hex>`"
            )
        key_id, principal, scopes, digest = parts
        match = _DIGEST.match(digest)
        if not _ID.match(key_id) or not _NAME.match(principal) or match is None:
            raise KeyFormatError(f"API_KEYS entry {number}: malformed key id, principal or digest")
        if key_id in entries:
            raise KeyFormatError(f"API_KEYS entry {number}: key id {key_id} appears twice")
        scope_set = frozenset() if scopes == "-" else frozenset(s for s in scopes.split(",") if s)
        entries[key_id] = ApiKeyEntry(key_id, principal, scope_set, match.group(1))
    return entries


class ApiKeys:
    def __init__(self, text: str) -> None:
        self._entries = _parse(text)

    def __len__(self) -> int:
        return len(self._entries)

    @staticmethod
    def looks_like_key(credential: str) -> bool:
        return credential.startswith("dgk_")

    def verify(self, key: str) -> Principal | None:
        """The key's principal, or None; as slow for an unknown key id as for a wrong secret."""
        match = _KEY.match(key)
        entry = self._entries.get(match.group(1)) if match else None
        expected = entry.digest if entry is not None else _DUMMY
        ok = hmac.compare_digest(_digest(key), expected)
        if not ok or entry is None:
            return None
        return Principal(f"service:{entry.principal}", entry.scopes, "api_key")
