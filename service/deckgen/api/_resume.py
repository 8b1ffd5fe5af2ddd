"""Resume tokens: signed (HMAC-SHA256), bound to the caller, decoded strictly.

A token is `v1.<payload>.<mac>` (base64url). The MAC covers the caller's principal as well as the
payload, so a token handed to (or stolen by) another caller fails exactly like a forged one. The
previous secret is still accepted after a rotation, for as long as it is configured.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
import secrets

from deckgen.domain import FieldViolation, InvalidRequest

__all__ = ["ResumeTokens"]

_VERSION = "v1"
_PRESENTATION_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
_MAX_TOKEN_CHARS = 512
_MAX_SEQUENCE = 2**53


_PREFIXES_KEPT = 4096


def _message(principal: str, payload: bytes) -> bytes:
    return b"deckgen-resume-" + _VERSION.encode() + b"\0" + principal.encode() + b"\0" + payload


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    if not re.fullmatch(r"[A-Za-z0-9_-]*", text):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _invalid() -> InvalidRequest:
    return InvalidRequest(
        [FieldViolation("resume_token", "is not a token this service issued to this caller")]
    )


class ResumeTokens:
    def __init__(self, secret: str = "", previous: str = "") -> None:
        # No secret: a random one, good for this process only (said at start-up by the server).
        self.ephemeral = not secret
        self._keys = [k.encode() for k in (secret or secrets.token_urlsafe(32), previous) if k]
        self._keyed: dict[str, hmac.HMAC] = {}
        """The MAC of each recent caller's message prefix, to continue for each token."""

    @staticmethod
    def _mac(key: bytes, principal: str, payload: bytes) -> bytes:
        return hmac.new(key, _message(principal, payload), hashlib.sha256).digest()

    def encode(self, principal: str, presentation_id: str, sequence: int) -> str:
        # One per event of every stream: the JSON written by hand for our own ids (the very bytes
        # json.dumps writes), and the MAC continued from the caller's keyed prefix.
        if _PRESENTATION_ID.match(presentation_id) and isinstance(sequence, int):
            payload = f'{{"p":"{presentation_id}","s":{sequence}}}'.encode()
        else:
            payload = json.dumps({"p": presentation_id, "s": sequence}, separators=(",", ":")).encode()
        mac = self._prefix(principal).copy()
        mac.update(payload)
        return f"{_VERSION}.{_b64(payload)}.{_b64(mac.digest())}"

    def _prefix(self, principal: str) -> hmac.HMAC:
        keyed = self._keyed.get(principal)
        if keyed is None:
            if len(self._keyed) >= _PREFIXES_KEPT:
                self._keyed.clear()
            keyed = self._keyed[principal] = hmac.new(self._keys[0], _message(principal, b""), hashlib.sha256)
        return keyed

    def decode(self, principal: str, token: str) -> tuple[str, int]:
        """(presentation id, sequence) of a token this service issued to `principal`."""
        try:
            if len(token) > _MAX_TOKEN_CHARS:
                raise ValueError("too long")
            version, payload_text, mac_text = token.split(".")
            payload, mac = _unb64(payload_text), _unb64(mac_text)
            if version != _VERSION:
                raise ValueError("version")
        except (ValueError, binascii.Error):
            raise _invalid() from None
        if not any(hmac.compare_digest(self._mac(key, principal, payload), mac) for key in self._keys):
            raise _invalid()
        # Signed by us, so well-formed unless the format changed: still checked, field by field.
        try:
            data = json.loads(payload)
        except (ValueError, UnicodeDecodeError):
            raise _invalid() from None
        if not isinstance(data, dict) or set(data) != {"p", "s"}:
            raise _invalid()
        presentation_id, sequence = data["p"], data["s"]
        if not isinstance(presentation_id, str) or not _PRESENTATION_ID.match(presentation_id):
            raise _invalid()
        # bool is an int in Python: a JSON `true` must not pass as sequence 1.
        if type(sequence) is not int or not 0 <= sequence < _MAX_SEQUENCE:
            raise _invalid()
        return presentation_id, sequence
