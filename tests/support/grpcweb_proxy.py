"""A small grpc-web ⇄ gRPC translating proxy for tests, with CORS and static files.

grpc-web (https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-WEB.md) is gRPC's framing over plain
HTTP/1.1: the request body is length-prefixed frames (1 flag byte, 4 bytes big-endian length), the
response body is the message frames followed by one trailer frame (flag 0x80) holding
`grpc-status`/`grpc-message` as HTTP/1 header lines. `application/grpc-web-text` is the same bytes
in base64. The proxy forwards any unary or server-streaming method without generated code: bytes in,
bytes out over a `grpc.aio` channel (a unary method called as unary-stream answers one message).

`GET` requests are answered from a static directory (the built web client), so a page and its API
share one origin; cross-origin callers need their origin in `allowed_origins`.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import mimetypes
import struct
import urllib.parse
from collections.abc import AsyncIterator, Awaitable, Callable, Collection, MutableMapping
from pathlib import Path
from typing import Any

import grpc
import uvicorn

__all__ = ["GrpcWebProxy", "running_proxy"]

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

GRPC_WEB = "application/grpc-web"
GRPC_WEB_TEXT = "application/grpc-web-text"
# Request headers that belong to HTTP or the browser, not to the call's metadata.
_NOT_METADATA = {
    "host",
    "content-type",
    "content-length",
    "origin",
    "referer",
    "accept",
    "accept-encoding",
    "accept-language",
    "user-agent",
    "connection",
    "x-grpc-web",
    "x-user-agent",
    "grpc-timeout",
    "te",
    "cookie",
    "pragma",
    "cache-control",
}
_ALLOW_HEADERS = "content-type, x-grpc-web, x-user-agent, grpc-timeout, authorization"
_EXPOSE_HEADERS = "grpc-status, grpc-message, grpc-status-details-bin"
_TIMEOUT_UNITS = {"H": 3600.0, "M": 60.0, "S": 1.0, "m": 1e-3, "u": 1e-6, "n": 1e-9}


def _frame(flag: int, payload: bytes) -> bytes:
    return struct.pack(">BI", flag, len(payload)) + payload


def _unframe(body: bytes) -> bytes:
    """The first data frame's message (grpc-web requests carry exactly one)."""
    if len(body) < 5:
        raise ValueError("request body shorter than a frame header")
    flag, length = struct.unpack(">BI", body[:5])
    if flag & 0x01:
        raise ValueError("compressed requests are not supported")
    if len(body) < 5 + length:
        raise ValueError("truncated request frame")
    return body[5 : 5 + length]


def _timeout(value: str | None) -> float | None:
    if not value or value[-1] not in _TIMEOUT_UNITS or not value[:-1].isdigit():
        return None
    return int(value[:-1]) * _TIMEOUT_UNITS[value[-1]]


class GrpcWebProxy:
    """The ASGI app: grpc-web `POST /{service}/{method}`, CORS preflight, static `GET`."""

    def __init__(
        self, target: str, allowed_origins: Collection[str] = (), static_dir: Path | None = None
    ) -> None:
        self.target = target
        self.allowed_origins = set(allowed_origins)
        self.static_dir = static_dir.resolve() if static_dir else None
        self._channel: grpc.aio.Channel | None = None

    @property
    def channel(self) -> grpc.aio.Channel:
        if self._channel is None:
            self._channel = grpc.aio.insecure_channel(self.target)
        return self._channel

    async def close(self) -> None:
        if self._channel is not None:
            await self._channel.close()

    def _cors(self, headers: dict[str, str]) -> list[tuple[bytes, bytes]]:
        origin = headers.get("origin")
        if origin is None:
            return []
        host = headers.get("host", "")
        if origin not in self.allowed_origins and origin not in (f"http://{host}", f"https://{host}"):
            return []
        return [
            (b"access-control-allow-origin", origin.encode()),
            (b"access-control-expose-headers", _EXPOSE_HEADERS.encode()),
            (b"vary", b"Origin"),
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        method = scope["method"]
        if method == "OPTIONS":
            await self._preflight(headers, send)
        elif method == "POST" and headers.get("content-type", "").startswith(GRPC_WEB):
            await self._call(scope, headers, receive, send)
        elif method in ("GET", "HEAD"):
            await self._static(scope["path"], method, send)
        else:
            await _plain(send, 405, b"method not allowed")

    async def _preflight(self, headers: dict[str, str], send: Send) -> None:
        cors = self._cors(headers)
        if not cors:
            await _plain(send, 403, b"origin not allowed")
            return
        cors += [
            (b"access-control-allow-methods", b"POST, OPTIONS"),
            (b"access-control-allow-headers", _ALLOW_HEADERS.encode()),
            (b"access-control-max-age", b"600"),
        ]
        await send({"type": "http.response.start", "status": 204, "headers": cors})
        await send({"type": "http.response.body", "body": b""})

    async def _call(self, scope: Scope, headers: dict[str, str], receive: Receive, send: Send) -> None:
        content_type = headers["content-type"]
        text = content_type.startswith(GRPC_WEB_TEXT)
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        try:
            request = _unframe(base64.b64decode(body) if text else body)
        except ValueError as err:
            await _plain(send, 400, str(err).encode())
            return
        metadata = tuple(
            (k, v) for k, v in headers.items() if k not in _NOT_METADATA and not k.startswith("sec-")
        )
        call = self.channel.unary_stream(scope["path"])(
            request, metadata=metadata, timeout=_timeout(headers.get("grpc-timeout"))
        )
        encode: Callable[[bytes], bytes] = base64.b64encode if text else (lambda b: b)
        response_headers = [(b"content-type", content_type.split(";")[0].encode()), *self._cors(headers)]
        with contextlib.suppress(grpc.aio.AioRpcError):
            for key, value in await call.initial_metadata() or ():
                if isinstance(value, str):
                    response_headers.append((key.encode(), value.encode()))
        await send({"type": "http.response.start", "status": 200, "headers": response_headers})
        try:
            async for reply in call:
                await send(
                    {"type": "http.response.body", "body": encode(_frame(0, reply)), "more_body": True}
                )
        except grpc.aio.AioRpcError:
            pass  # the status goes into the trailer frame
        except (asyncio.CancelledError, OSError):
            call.cancel()
            raise
        code = await call.code()
        trailers = [
            ("grpc-status", str(code.value[0])),
            ("grpc-message", urllib.parse.quote(await call.details() or "", safe=" ")),
        ]
        for key, value in await call.trailing_metadata() or ():
            if isinstance(value, bytes):
                value = base64.b64encode(value).decode()
            trailers.append((key, value))
        block = "".join(f"{k}: {v}\r\n" for k, v in trailers).encode()
        await send({"type": "http.response.body", "body": encode(_frame(0x80, block))})

    async def _static(self, path: str, method: str, send: Send) -> None:
        if self.static_dir is None:
            await _plain(send, 404, b"not found")
            return
        file = (self.static_dir / (path.lstrip("/") or "index.html")).resolve()
        if not file.is_relative_to(self.static_dir) or not file.is_file():
            await _plain(send, 404, b"not found")
            return
        data = file.read_bytes()
        kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        headers = [(b"content-type", kind.encode()), (b"content-length", str(len(data)).encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": data if method == "GET" else b""})


async def _plain(send: Send, status: int, text: bytes) -> None:
    headers = [(b"content-type", b"text/plain"), (b"content-length", str(len(text)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": text})


@contextlib.asynccontextmanager
async def running_proxy(
    target: str, allowed_origins: Collection[str] = (), static_dir: Path | None = None
) -> AsyncIterator[str]:
    """Serve a `GrpcWebProxy` for `target` on a loopback port; yields its base URL."""
    app = GrpcWebProxy(target, allowed_origins, static_dir)
    config = uvicorn.Config(
        app, host="127.0.0.1", port=0, lifespan="off", ws="none", http="h11", log_level="warning"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            if task.done():
                task.result()
                raise RuntimeError("proxy did not start")
            await asyncio.sleep(0.01)
        port = server.servers[0].sockets[0].getsockname()[1]
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
        await app.close()
