"""An in-memory Supabase Storage server speaking the REST routes the `storage3` client calls, for tests.

Like `FakeLLMServer`, it serves on loopback from a thread with its own event loop, so the store under
test talks to it over real sockets and never shares a loop with it. Objects live in memory with their
content type. Every request is recorded, and `fail_next` injects faults (5xx, hangs, dropped
connections) into the next matching requests.

It mirrors the server's observable quirks that a client has to cope with: errors are JSON bodies
`{"statusCode": "404", "error": ..., "message": ...}` sent with HTTP 400 (Storage's legacy choice, so
the real status is only in the body), the gateway answers a missing or wrong `apikey` with a bare
`{"message": ...}` 401, and signed URLs are relative to `/storage/v1` and served without any headers.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import copy
import hashlib
import hmac
import json
import logging
import re
import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any, Literal
from urllib.parse import parse_qs, unquote

from tests.support.loopback import LoopbackServer

__all__ = ["STORAGE_PATH", "Fault", "FakeSupabaseServer", "RecordedRequest", "StoredBlob"]

logger = logging.getLogger(__name__)

STORAGE_PATH = "/storage/v1"

_MAX_BODY_BYTES = 64 * 1024 * 1024
_DISPOSITION_NAME = re.compile(r'\bname="([^"]*)"')
_BOUNDARY = re.compile(r'boundary="?([^";]+)"?')

FaultKind = Literal["status", "hang", "drop", "drop_after"]


@dataclass(frozen=True)
class Fault:
    """What a matching request gets instead of its normal answer.

    `status`: an error response with `status`. `hang`: no answer for `hang_for` seconds (None: until the
    server stops), then the connection is closed. `drop`: the connection is closed before the request
    takes effect. `drop_after`: the request takes effect, then the connection is closed unanswered, the
    case that makes retries of non-idempotent requests dangerous.
    """

    kind: FaultKind = "status"
    status: int = 503
    method: str | None = None
    # Matched against the path below /storage/v1, e.g. "/object/" or "/object/sign/".
    path_prefix: str = ""
    hang_for: float | None = None

    def matches(self, method: str, route: str) -> bool:
        return (self.method is None or self.method == method) and route.startswith(self.path_prefix)


@dataclass
class RecordedRequest:
    method: str
    # The full path as sent, /storage/v1 included, percent-decoded.
    path: str
    query: str
    headers: dict[str, str]
    body_size: int
    received_at: float
    status: int | None = None
    fault: FaultKind | None = None

    @property
    def route(self) -> str:
        return self.path.removeprefix(STORAGE_PATH)


@dataclass(frozen=True)
class StoredBlob:
    data: bytes
    content_type: str
    cache_control: str
    id: str
    created_at: str
    updated_at: str


@dataclass
class _Bucket:
    id: str
    name: str
    public: bool
    file_size_limit: int | None
    allowed_mime_types: list[str] | None
    created_at: str
    objects: dict[str, StoredBlob] = field(default_factory=dict)

    def describe(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "owner": "",
            "public": self.public,
            "file_size_limit": self.file_size_limit,
            "allowed_mime_types": self.allowed_mime_types,
            "created_at": self.created_at,
            "updated_at": self.created_at,
            "type": "STANDARD",
        }


@dataclass
class _Response:
    status: int
    body: bytes
    content_type: str = "application/json"


class _Drop(Exception):
    """Close the connection without answering."""


def _json(status: int, payload: object) -> _Response:
    return _Response(status, json.dumps(payload).encode())


def _storage_error(status: int, error: str, message: str, http_status: int = 400) -> _Response:
    # Storage renders most errors with HTTP 400 and the meaningful status, as a string, in the body.
    return _json(http_status, {"statusCode": str(status), "error": error, "message": message})


def _not_found(what: str = "Object") -> _Response:
    return _storage_error(404, "not_found", f"{what} not found")


def _now_iso(now: float) -> str:
    return datetime.fromtimestamp(now, UTC).isoformat().replace("+00:00", "Z")


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def _parse_multipart(body: bytes, content_type: str) -> dict[str, tuple[dict[str, str], bytes]]:
    """Form fields by name: each part's headers (lower-cased) and content."""
    match = _BOUNDARY.search(content_type)
    if match is None:
        raise ValueError("multipart body without a boundary")
    delimiter = b"--" + match.group(1).encode("latin-1")
    fields: dict[str, tuple[dict[str, str], bytes]] = {}
    for part in body.split(delimiter)[1:]:
        if part.startswith(b"--"):
            break
        head, separator, content = part.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        if not separator:
            raise ValueError("multipart part without headers")
        headers: dict[str, str] = {}
        for line in head.decode("latin-1").split("\r\n"):
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        name_match = _DISPOSITION_NAME.search(headers.get("content-disposition", ""))
        if name_match is not None:
            # The CRLF before the next delimiter belongs to the delimiter, not to the content.
            fields[name_match.group(1)] = (headers, content.removesuffix(b"\r\n"))
    return fields


class FakeSupabaseServer(LoopbackServer):
    """Supabase Storage on 127.0.0.1 and a free port.

        with FakeSupabaseServer(key="service-role") as supabase:
            supabase.fail_next(1, Fault("status", 503, method="POST", path_prefix="/object/"))
            store = SupabaseArtifactStore(supabase.url, "service-role", "artifacts")

    `url` is the project URL (what `create_client` takes); the Storage API is under `/storage/v1`.
    """

    thread_name = "fake-supabase"

    def __init__(self, key: str = "service-role-key") -> None:
        super().__init__()
        self.key = key
        self._secret = secrets.token_bytes(32)
        self._lock = threading.Lock()
        self._buckets: dict[str, _Bucket] = {}
        self._records: list[RecordedRequest] = []
        self._faults: list[tuple[Fault, int | None]] = []
        self._errors: list[BaseException] = []
        self._clock_offset = 0.0

    # -- lifecycle ---------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def storage_url(self) -> str:
        return f"{self.url}{STORAGE_PATH}"

    # -- scripting and inspection --------------------------------------------------------------------

    def fail_next(self, count: int | None, fault: Fault) -> None:
        """Give the next `count` requests matching `fault` that fault; None means until `clear_faults`."""
        if count is not None and count < 1:
            raise ValueError("count must be positive (or None for an outage)")
        with self._lock:
            self._faults.append((fault, count))

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def advance_clock(self, seconds: float) -> None:
        """Move the server's clock forward, so signed URLs can expire without the test sleeping."""
        with self._lock:
            self._clock_offset += seconds

    def create_bucket(self, bucket_id: str, *, public: bool = False) -> None:
        with self._lock:
            self._buckets[bucket_id] = self._new_bucket(bucket_id, bucket_id, public, None, None)

    def bucket_info(self, bucket_id: str) -> dict[str, Any] | None:
        with self._lock:
            bucket = self._buckets.get(bucket_id)
            return bucket.describe() if bucket else None

    def objects(self, bucket_id: str) -> dict[str, StoredBlob]:
        with self._lock:
            bucket = self._buckets.get(bucket_id)
            return dict(bucket.objects) if bucket else {}

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return [copy.copy(record) for record in self._records]

    @property
    def errors(self) -> list[BaseException]:
        """Unexpected exceptions inside the server: tests should expect none."""
        with self._lock:
            return list(self._errors)

    def reset(self) -> None:
        with self._lock:
            self._buckets.clear()
            self._records.clear()
            self._faults.clear()
            self._errors.clear()
            self._clock_offset = 0.0

    def _now(self) -> float:
        with self._lock:
            return time.time() + self._clock_offset

    def _new_bucket(
        self, bucket_id: str, name: str, public: bool, size_limit: int | None, mime_types: list[str] | None
    ) -> _Bucket:
        return _Bucket(bucket_id, name, public, size_limit, mime_types, _now_iso(time.time()))

    # -- the server thread -----------------------------------------------------------------------------

    def _crashed(self, error: BaseException) -> None:
        with self._lock:
            self._errors.append(error)

    async def _serve_connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while await self._exchange(reader, writer):
                pass
        except (_Drop, ConnectionError, asyncio.IncompleteReadError):
            writer.transport.abort()
        except asyncio.CancelledError:
            writer.transport.abort()
            raise
        except Exception as error:
            logger.exception("FakeSupabaseServer connection failed")
            with self._lock:
                self._errors.append(error)
            writer.transport.abort()
        else:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()

    async def _exchange(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        """Serve one request; False once the connection should close."""
        line = await reader.readline()
        if not line:
            return False
        method, target, version = line.decode("latin-1").rstrip("\r\n").split(" ")
        headers: dict[str, str] = {}
        while (header := (await reader.readline()).decode("latin-1").rstrip("\r\n")) != "":
            name, _, value = header.partition(":")
            headers[name.strip().lower()] = value.strip()
        if "chunked" in headers.get("transfer-encoding", "").lower():
            body = await self._read_chunked(reader)
        else:
            length = int(headers.get("content-length", "0"))
            if length > _MAX_BODY_BYTES:
                raise _Drop
            body = await reader.readexactly(length)
        raw_path, _, query = target.partition("?")
        record = RecordedRequest(method, unquote(raw_path), query, headers, len(body), time.time())
        with self._lock:
            self._records.append(record)
            fault = self._take_fault(method, record.route)
            record.fault = fault.kind if fault else None
        keep_alive = "close" not in headers.get("connection", "").lower() and version == "HTTP/1.1"

        if fault is not None and fault.kind == "drop":
            raise _Drop
        if fault is not None and fault.kind == "hang":
            if fault.hang_for is None:
                await asyncio.Event().wait()  # Ends only by cancellation, when the server stops.
            else:
                await asyncio.sleep(fault.hang_for)
            raise _Drop
        if fault is not None and fault.kind == "status":
            response = _storage_error(fault.status, _reason(fault.status), "injected fault", fault.status)
        else:
            try:
                response = self._handle(method, record.route, parse_qs(query), headers, body)
            except Exception as error:
                logger.exception("FakeSupabaseServer handler failed")
                with self._lock:
                    self._errors.append(error)
                response = _storage_error(500, "internal", f"handler raised {error!r}", 500)
        if fault is not None and fault.kind == "drop_after":
            raise _Drop
        with self._lock:
            record.status = response.status
        head = [
            f"HTTP/1.1 {response.status} {_reason(response.status)}",
            f"content-type: {response.content_type}",
            f"content-length: {len(response.body)}",
        ]
        if not keep_alive:
            head.append("connection: close")
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + response.body)
        await writer.drain()
        return keep_alive

    async def _read_chunked(self, reader: asyncio.StreamReader) -> bytes:
        body = bytearray()
        while size := int((await reader.readline()).split(b";")[0].strip(), 16):
            if len(body) + size > _MAX_BODY_BYTES:
                raise _Drop
            body += await reader.readexactly(size)
            await reader.readline()
        while (await reader.readline()).strip():
            pass
        return bytes(body)

    def _take_fault(self, method: str, route: str) -> Fault | None:
        """Under the lock: consume one use of the first fault that matches."""
        for index, (fault, remaining) in enumerate(self._faults):
            if fault.matches(method, route):
                if remaining is not None:
                    if remaining <= 1:
                        del self._faults[index]
                    else:
                        self._faults[index] = (fault, remaining - 1)
                return fault
        return None

    # -- the Storage API ---------------------------------------------------------------------------------

    def _handle(
        self, method: str, route: str, query: dict[str, list[str]], headers: dict[str, str], body: bytes
    ) -> _Response:
        if method == "GET" and route.startswith("/object/sign/"):
            # The token is the credential: browsers fetch signed URLs with no headers at all.
            return self._serve_signed(route.removeprefix("/object/sign/"), query)
        if (denied := self._authenticate(headers)) is not None:
            return denied
        try:
            payload = json.loads(body) if body and "json" in headers.get("content-type", "") else None
        except ValueError:
            return _storage_error(400, "Bad Request", "Body is not valid JSON")
        with self._lock:
            return self._dispatch(method, route, headers, body, payload)

    def _authenticate(self, headers: dict[str, str]) -> _Response | None:
        apikey = headers.get("apikey")
        if apikey is None:
            return _json(
                401, {"message": "No API key found in request", "hint": "No `apikey` request header"}
            )
        if apikey != self.key:
            return _json(401, {"message": "Invalid API key", "hint": "Double check your Supabase `apikey`"})
        if headers.get("authorization") != f"Bearer {self.key}":
            return _storage_error(403, "Unauthorized", "invalid signature", 403)
        return None

    def _dispatch(
        self, method: str, route: str, headers: dict[str, str], body: bytes, payload: object
    ) -> _Response:
        """Under the lock, so every operation is atomic as it is on the real server."""
        parts = [part for part in route.split("/") if part]
        if parts[:1] == ["bucket"]:
            return self._bucket_route(method, parts[1:], payload)
        if parts[:1] != ["object"] or len(parts) < 2:
            return _storage_error(404, "Not Found", f"Route {method}:{route} not found", 404)
        action, rest = parts[1], parts[2:]
        if method == "POST" and action == "list" and len(rest) == 1:
            return self._list(rest[0], payload)
        if method == "POST" and action == "sign" and len(rest) >= 2:
            return self._sign(rest[0], "/".join(rest[1:]), payload)
        if method == "GET" and action in ("authenticated", "info") and len(rest) >= 2:
            if action == "info":
                return self._info(rest[0], "/".join(rest[1:]))
            return self._download(rest[0], "/".join(rest[1:]))
        if method == "DELETE" and len(parts) == 2:
            return self._remove(action, payload)
        bucket_id, key = action, "/".join(rest)
        if not key:
            return _storage_error(400, "Bad Request", "Object key is required")
        if method == "GET":
            return self._download(bucket_id, key)
        if method in ("POST", "PUT"):
            return self._upload(method, bucket_id, key, headers, body)
        return _storage_error(404, "Not Found", f"Route {method}:{route} not found", 404)

    def _bucket_route(self, method: str, rest: list[str], payload: object) -> _Response:
        if method == "GET" and not rest:
            return _json(200, [bucket.describe() for bucket in self._buckets.values()])
        if method == "GET" and len(rest) == 1:
            bucket = self._buckets.get(rest[0])
            return _json(200, bucket.describe()) if bucket else _not_found("Bucket")
        if method == "POST" and not rest:
            if not isinstance(payload, dict) or not isinstance(payload.get("id"), str):
                return _storage_error(400, "Bad Request", "body must have required property 'id'")
            bucket_id = payload["id"]
            if bucket_id in self._buckets:
                return _storage_error(409, "Duplicate", "The resource already exists")
            self._buckets[bucket_id] = self._new_bucket(
                bucket_id,
                str(payload.get("name") or bucket_id),
                bool(payload.get("public", False)),
                payload.get("file_size_limit"),
                payload.get("allowed_mime_types"),
            )
            return _json(200, {"name": bucket_id})
        return _storage_error(404, "Not Found", f"Route {method}:/bucket/{'/'.join(rest)} not found", 404)

    def _upload(
        self, method: str, bucket_id: str, key: str, headers: dict[str, str], body: bytes
    ) -> _Response:
        bucket = self._buckets.get(bucket_id)
        if bucket is None:
            return _not_found("Bucket")
        content_type = headers.get("content-type", "application/octet-stream")
        cache_control = headers.get("cache-control", "no-cache")
        if content_type.startswith("multipart/form-data"):
            try:
                fields = _parse_multipart(body, content_type)
            except ValueError as error:
                return _storage_error(400, "Bad Request", str(error))
            if "file" not in fields:
                return _storage_error(400, "Bad Request", "No file in the multipart body")
            part_headers, data = fields["file"]
            content_type = part_headers.get("content-type", "application/octet-stream")
            if "cacheControl" in fields:
                cache_control = f"max-age={fields['cacheControl'][1].decode()}"
        else:
            data = body
        existing = bucket.objects.get(key)
        upsert = headers.get("x-upsert", "false").lower() == "true"
        if method == "POST" and existing is not None and not upsert:
            return _storage_error(409, "Duplicate", "The resource already exists")
        if method == "PUT" and existing is None:
            return _not_found()
        now = _now_iso(time.time())
        blob_id = existing.id if existing else str(uuid.uuid4())
        created = existing.created_at if existing else now
        bucket.objects[key] = StoredBlob(data, content_type, cache_control, blob_id, created, now)
        return _json(200, {"Id": blob_id, "Key": f"{bucket_id}/{key}"})

    def _download(self, bucket_id: str, key: str) -> _Response:
        bucket = self._buckets.get(bucket_id)
        if bucket is None:
            return _not_found("Bucket")
        blob = bucket.objects.get(key)
        return _Response(200, blob.data, blob.content_type) if blob else _not_found()

    def _info(self, bucket_id: str, key: str) -> _Response:
        bucket = self._buckets.get(bucket_id)
        blob = bucket.objects.get(key) if bucket else None
        if blob is None:
            return _not_found()
        return _json(200, {"id": blob.id, "name": key, "bucket_id": bucket_id, **self._metadata(blob)})

    @staticmethod
    def _metadata(blob: StoredBlob) -> dict[str, Any]:
        return {
            "size": len(blob.data),
            "mimetype": blob.content_type,
            "content_type": blob.content_type,
            "cacheControl": blob.cache_control,
            "eTag": f'"{hashlib.md5(blob.data, usedforsecurity=False).hexdigest()}"',
            "lastModified": blob.updated_at,
            "contentLength": len(blob.data),
            "httpStatusCode": 200,
        }

    def _list(self, bucket_id: str, payload: object) -> _Response:
        bucket = self._buckets.get(bucket_id)
        if bucket is None:
            return _not_found("Bucket")
        options = payload if isinstance(payload, dict) else {}
        folder = str(options.get("prefix") or "").strip("/")
        search = str(options.get("search") or "")
        limit = int(options.get("limit") or 100)
        offset = int(options.get("offset") or 0)
        sort = options.get("sortBy") if isinstance(options.get("sortBy"), dict) else {}
        start = f"{folder}/" if folder else ""
        entries: dict[str, dict[str, Any]] = {}
        for key, blob in bucket.objects.items():
            if not key.startswith(start):
                continue
            name, slash, _ = key.removeprefix(start).partition("/")
            if not name.startswith(search):
                continue
            if slash:
                # Objects further down show up as their folder, with no id and no metadata.
                entries.setdefault(
                    name,
                    {"name": name, "id": None, "updated_at": None, "created_at": None, "metadata": None},
                )
            else:
                entries[name] = {
                    "name": name,
                    "id": blob.id,
                    "updated_at": blob.updated_at,
                    "created_at": blob.created_at,
                    "last_accessed_at": blob.updated_at,
                    "metadata": self._metadata(blob),
                }
        ordered = sorted(entries.values(), key=lambda entry: entry["name"])
        if isinstance(sort, dict) and sort.get("order") == "desc":
            ordered.reverse()
        return _json(200, ordered[offset : offset + limit])

    def _remove(self, bucket_id: str, payload: object) -> _Response:
        bucket = self._buckets.get(bucket_id)
        if bucket is None:
            return _not_found("Bucket")
        prefixes = payload.get("prefixes") if isinstance(payload, dict) else None
        if not isinstance(prefixes, list) or not prefixes:
            return _storage_error(400, "Bad Request", "body/prefixes must NOT have fewer than 1 items")
        removed = []
        for key in prefixes:
            # Despite the name, Storage deletes exact object names, never whole folders.
            blob = bucket.objects.pop(key, None) if isinstance(key, str) else None
            if blob is not None:
                removed.append({"name": key, "bucket_id": bucket_id, "id": blob.id, **self._metadata(blob)})
        return _json(200, removed)

    # -- signed URLs -----------------------------------------------------------------------------------

    def _token(self, url: str, expires_at: int) -> str:
        claims = base64.urlsafe_b64encode(json.dumps({"url": url, "exp": expires_at}).encode()).decode()
        signature = hmac.new(self._secret, claims.encode(), hashlib.sha256).hexdigest()
        return f"{claims}.{signature}"

    def _sign(self, bucket_id: str, key: str, payload: object) -> _Response:
        bucket = self._buckets.get(bucket_id)
        if bucket is None or key not in bucket.objects:
            return _not_found()
        expires_in = payload.get("expiresIn") if isinstance(payload, dict) else None
        try:
            seconds = int(str(expires_in))
        except ValueError:
            return _storage_error(400, "Bad Request", "body/expiresIn must be integer")
        if seconds < 1:
            return _storage_error(400, "Bad Request", "body/expiresIn must be >= 1")
        token = self._token(f"{bucket_id}/{key}", int(time.time() + self._clock_offset) + seconds)
        return _json(200, {"signedURL": f"/object/sign/{bucket_id}/{key}?token={token}"})

    def _serve_signed(self, location: str, query: dict[str, list[str]]) -> _Response:
        token = (query.get("token") or [""])[0]
        claims, _, signature = token.partition(".")
        expected = hmac.new(self._secret, claims.encode(), hashlib.sha256).hexdigest()
        if not token or not hmac.compare_digest(signature, expected):
            return _storage_error(400, "InvalidJWT", "invalid signature")
        decoded = json.loads(base64.urlsafe_b64decode(claims))
        if decoded["url"] != location:
            return _storage_error(400, "InvalidSignature", "The url do not match the signature")
        if decoded["exp"] <= self._now():
            return _storage_error(400, "InvalidJWT", '"exp" claim timestamp check failed')
        bucket_id, _, key = location.partition("/")
        with self._lock:
            return self._download(bucket_id, key)
