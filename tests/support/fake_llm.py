"""A scripted HTTP server speaking the OpenAI wire protocol, for tests and benchmarks.

It runs on loopback in its own thread with its own event loop, so the code under test (in another loop
or another process) talks to it over real sockets exactly as it would talk to OpenAI, vLLM or Ollama,
and never shares a loop with it. Each request is answered according to a `Reply`, taken from a per-path
queue (`enqueue`) or, when that is empty, from `responder`; every request is recorded with its timing.

Only the standard library serves HTTP: a test double should not depend on the web stack it may be used
to exercise, and the behaviours tested here (stalls, cuts, disconnect detection) need byte-level control.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import copy
import functools
import io
import json
import logging
import math
import re
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, NoReturn

from PIL import Image

from tests.support.loopback import LoopbackServer

__all__ = [
    "CHAT_COMPLETIONS",
    "IMAGE_GENERATIONS",
    "MODELS",
    "FakeLLMServer",
    "RecordedRequest",
    "Reply",
    "count_prompt_tokens",
    "default_png",
    "default_responder",
    "tokenize",
]

logger = logging.getLogger(__name__)

CHAT_COMPLETIONS = "/v1/chat/completions"
IMAGE_GENERATIONS = "/v1/images/generations"
MODELS = "/v1/models"

_MAX_HEADER_BYTES = 64 * 1024
_MAX_HEADERS = 100
_MAX_BODY_BYTES = 64 * 1024 * 1024
_READ_SIZE = 64 * 1024
_POLL_INTERVAL = 0.01
_CLOSE_TIMEOUT = 1.0

_TOKEN = re.compile(r"\s*\S{1,4}|\s+")

# The `type`/`code` pairs OpenAI itself uses, so clients that branch on them see realistic values.
_ERROR_KINDS: dict[int, tuple[str, str | None]] = {
    400: ("invalid_request_error", None),
    401: ("invalid_request_error", "invalid_api_key"),
    403: ("invalid_request_error", "unsupported_country_region_territory"),
    404: ("invalid_request_error", "unknown_url"),
    409: ("invalid_request_error", None),
    422: ("invalid_request_error", None),
    429: ("requests", "rate_limit_exceeded"),
}
_ERROR_MESSAGES: dict[int, str] = {
    429: "Rate limit reached for requests. Please try again later.",
    500: "The server had an error while processing your request. Sorry about that!",
    502: "Bad gateway.",
    503: "The engine is currently overloaded, please try again later.",
}


def tokenize(text: str) -> list[str]:
    """Pieces of about four characters that concatenate back to `text` exactly."""
    return _TOKEN.findall(text)


def count_prompt_tokens(messages: object) -> int:
    """ceil(characters of every message's text / 4), counting the text parts of multi-part content."""
    if not isinstance(messages, list):
        return 0
    characters = 0
    for message in messages:
        content = message.get("content") if isinstance(message, dict) else None
        if isinstance(content, str):
            characters += len(content)
        elif isinstance(content, list):
            characters += sum(
                len(part["text"])
                for part in content
                if isinstance(part, dict) and isinstance(part.get("text"), str)
            )
    return math.ceil(characters / 4)


@functools.cache
def default_png() -> bytes:
    """A valid 64x64 single-colour PNG, so image consumers can decode what they receive."""
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), (52, 101, 164)).save(buffer, format="PNG")
    return buffer.getvalue()


@dataclass(frozen=True)
class Reply:
    """What the server does for one request. Times are in seconds.

    Timeline of a chat completion, from the moment the request body was received: `stall` passes with
    nothing sent; then the headers (and, when streamed, the role chunk) go out; content token i is due
    `ttft + i / tokens_per_second` after that (all at once when the rate is None), every token from
    `stall_after_tokens` on `stall_for` later; the finish follows the last token. A non-streamed answer
    is written whole when its last token is due; cut, it stops halfway through its body. Image
    generations use `stall` and `ttft`, and any `cut_after_tokens` cuts their body halfway too.
    """

    content: str = ""
    finish_reason: str = "stop"
    status: int = 200
    error_message: str = ""
    retry_after: float | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    ttft: float = 0.0
    tokens_per_second: float | None = None
    stall: float = 0.0
    stall_after_tokens: int | None = None
    stall_for: float = 0.0
    # Cuts when the next piece is due; with fewer tokens than this, right before the finish chunk.
    cut_after_tokens: int | None = None
    reject_params: AbstractSet[str] = frozenset()
    usage: tuple[int, int] | None = None
    image: bytes | None = None
    model: str | None = None

    def __post_init__(self) -> None:
        for name in ("ttft", "stall", "stall_for"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")
        if self.tokens_per_second is not None and self.tokens_per_second <= 0:
            raise ValueError("tokens_per_second must be positive (None means as fast as possible)")
        for name in ("stall_after_tokens", "cut_after_tokens"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise ValueError(f"{name} must not be negative")
        # Copies, so that a caller mutating what it passed cannot change a reply already queued.
        object.__setattr__(self, "reject_params", frozenset(self.reject_params))
        object.__setattr__(self, "headers", dict(self.headers))


def default_responder(request: RecordedRequest) -> Reply:
    return Reply(content="OK")


@dataclass
class RecordedRequest:
    """One request as the server saw it. Wall-clock times come from time.time().

    Each field is updated just before the bytes it describes are handed to the socket, so a client that
    has received the whole response always finds `completed_at` set and the request out of `in_flight`.
    `server.requests` hands out copies: read it again to see a request's progress.
    """

    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any] | None
    received_at: float
    query: str = ""
    raw_body: bytes = field(default=b"", repr=False)
    status: int | None = None
    first_token_at: float | None = None
    # When the last content token was written; None if that never happened.
    finished_at: float | None = None
    # When the server stopped working on the request, however it ended (complete, cut, client gone).
    completed_at: float | None = None
    tokens_sent: int = 0
    client_closed: bool = False
    # When the server noticed the client had gone; set only with client_closed.
    closed_at: float | None = None
    cut: bool = False

    @property
    def stream(self) -> bool:
        return bool(self.body and self.body.get("stream"))


class _ClientGone(Exception):
    """The peer closed or reset the connection."""


class _Cut(Exception):
    """The script closed the connection on purpose mid-response."""


class _BadRequest(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class _Incoming:
    method: str
    target: str
    headers: dict[str, str]
    body: bytes
    keep_alive: bool


class _Connection:
    """Reads through a buffer of its own so a watcher can wait for EOF without losing pipelined bytes."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.buffer = bytearray()
        self.gone = asyncio.Event()
        self.gone_at: float | None = None
        self._pause: asyncio.Future[None] | None = None

    def mark_gone(self) -> None:
        if not self.gone.is_set():
            self.gone_at = time.time()
            self.gone.set()
            if self._pause is not None and not self._pause.done():
                self._pause.set_result(None)

    async def fill(self) -> None:
        try:
            chunk = await self.reader.read(_READ_SIZE)
        except OSError:
            chunk = b""
        if not chunk:
            self.mark_gone()
            raise _ClientGone
        self.buffer += chunk

    async def watch(self) -> None:
        """Runs while a response is produced: reading is the only way to learn promptly of an EOF."""
        try:
            while True:
                await self.fill()
        except _ClientGone:
            pass

    async def read_line(self) -> bytes:
        while (end := self.buffer.find(b"\n")) < 0:
            if len(self.buffer) > _MAX_HEADER_BYTES:
                raise _BadRequest(431, "Request header line too long.")
            await self.fill()
        line = bytes(self.buffer[: end + 1])
        del self.buffer[: end + 1]
        return line.rstrip(b"\r\n")

    async def read_exactly(self, size: int) -> bytes:
        while len(self.buffer) < size:
            await self.fill()
        data = bytes(self.buffer[:size])
        del self.buffer[:size]
        return data

    async def send(self, data: bytes) -> None:
        if self.gone.is_set():
            raise _ClientGone
        self.writer.write(data)
        try:
            await self.writer.drain()
        except OSError:
            self.mark_gone()
            raise _ClientGone from None

    async def pause_until(self, deadline: float) -> None:
        """Sleep until loop time `deadline`, but end at once if the client goes away meanwhile."""
        if self.gone.is_set():
            raise _ClientGone
        loop = asyncio.get_running_loop()
        if deadline <= loop.time():
            return
        # A future and a timer, not a timeout around `gone.wait()`: this runs once per token, and
        # a timeout raises and catches an exception each time, which made the benchmarks' model
        # (bench/_model.py) take CPU the server under test needed.
        self._pause = waiter = loop.create_future()
        timer = loop.call_at(deadline, _wake, waiter)
        try:
            await waiter
        finally:
            timer.cancel()
            self._pause = None
        if self.gone.is_set():
            raise _ClientGone


def _wake(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)


@dataclass(frozen=True)
class _Schedule:
    """Due times on the loop clock, each computed from the start so sleeps never accumulate drift."""

    start: float
    rate: float | None
    stall_after: int | None
    stall_for: float

    def _stalled(self, index: int) -> float:
        return self.stall_for if self.stall_after is not None and index >= self.stall_after else 0.0

    def token(self, index: int) -> float:
        return self.start + (index / self.rate if self.rate else 0.0) + self._stalled(index)

    def finish(self, count: int) -> float:
        paced = (count - 1) / self.rate if self.rate and count else 0.0
        return self.start + paced + self._stalled(count)


def _chunk(data: bytes) -> bytes:
    return f"{len(data):x}\r\n".encode() + data + b"\r\n"


def _event_json(payload: Mapping[str, Any]) -> str:
    return json.dumps(payload, separators=(",", ":"))


def _event(payload: Mapping[str, Any] | str) -> bytes:
    """An SSE event; a str is its data as is (already JSON, or `[DONE]`)."""
    text = payload if isinstance(payload, str) else _event_json(payload)
    return f"data: {text}\n\n".encode()


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def _error_body(
    status: int, message: str, param: str | None = None, code: str | None = None
) -> dict[str, Any]:
    kind, default_code = _ERROR_KINDS.get(status, ("server_error" if status >= 500 else "api_error", None))
    return {"error": {"message": message, "type": kind, "param": param, "code": code or default_code}}


class _Exchange:
    """One request/response on a connection: writes the HTTP framing and keeps the record current."""

    def __init__(
        self, server: FakeLLMServer, conn: _Connection, record: RecordedRequest, keep_alive: bool, t0: float
    ) -> None:
        self.server = server
        self.conn = conn
        self.record = record
        self.keep_alive = keep_alive
        self.t0 = t0
        self.request_id = f"req_{uuid.uuid4().hex}"
        self.extra_headers: list[tuple[str, str]] = []

    def use_reply(self, reply: Reply) -> None:
        self.extra_headers = list(reply.headers.items())
        if reply.retry_after is not None:
            self.extra_headers.append(("retry-after", f"{reply.retry_after:g}"))

    def _head(self, status: int, headers: Iterable[tuple[str, str]]) -> bytes:
        lines = [f"HTTP/1.1 {status} {_reason(status)}", f"x-request-id: {self.request_id}"]
        lines += [f"{name}: {value}" for name, value in headers]
        lines += [f"{name}: {value}" for name, value in self.extra_headers]
        if not self.keep_alive:
            lines.append("connection: close")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    def _json_response(self, status: int, payload: Mapping[str, Any]) -> bytes:
        body = json.dumps(payload).encode()
        headers = [("content-type", "application/json"), ("content-length", str(len(body)))]
        return self._head(status, headers) + body

    async def pause_until(self, deadline: float) -> None:
        await self.conn.pause_until(deadline)

    async def write(self, data: bytes, *, final: bool = False, **changes: object) -> None:
        """Update the record, then send: a client holding the bytes can trust the record already."""
        if self.conn.gone.is_set():
            raise _ClientGone
        self.server._settle(self.record, final=final, **changes)
        await self.conn.send(data)

    async def send_json(self, status: int, payload: Mapping[str, Any], **changes: object) -> None:
        await self.write(self._json_response(status, payload), final=True, status=status, **changes)

    async def send_error(
        self, status: int, message: str = "", param: str | None = None, code: str | None = None
    ) -> None:
        message = message or _ERROR_MESSAGES.get(status) or _reason(status)
        await self.send_json(status, _error_body(status, message, param, code))

    async def cut_json(self, status: int, payload: Mapping[str, Any]) -> NoReturn:
        """Headers and half the body, then close: a Content-Length the client never gets to."""
        response = self._json_response(status, payload)
        body_start = response.index(b"\r\n\r\n") + 4
        await self.cut(response[: body_start + (len(response) - body_start) // 2], status=status)

    async def start_stream(self, status: int) -> None:
        headers = [
            ("content-type", "text/event-stream; charset=utf-8"),
            ("transfer-encoding", "chunked"),
            ("cache-control", "no-cache"),
        ]
        await self.write(self._head(status, headers), status=status)

    async def send_events(
        self,
        *payloads: Mapping[str, Any] | str,
        last: bool = False,
        changes: Mapping[str, object] | None = None,
    ) -> None:
        # One write for the tail (finish, usage, [DONE], terminator): the SDK drains the body after
        # [DONE] before reusing the connection and would otherwise wait for the terminating chunk.
        data = b"".join(_chunk(_event(payload)) for payload in payloads)
        await self.write(data + (b"0\r\n\r\n" if last else b""), final=last, **(changes or {}))

    async def cut_event(self, payload: Mapping[str, Any]) -> NoReturn:
        """A chunk header announcing the whole event but only half of it: the stream stops mid-JSON."""
        data = _event(payload)
        await self.cut(f"{len(data):x}\r\n".encode() + data[: len(data) // 2])

    async def cut(self, data: bytes, **changes: object) -> NoReturn:
        await self.write(data, final=True, cut=True, **changes)
        # close() rather than abort(): the partial bytes must reach the client before the FIN.
        self.conn.writer.close()
        raise _Cut


class FakeLLMServer(LoopbackServer):
    """An OpenAI-compatible server on 127.0.0.1 and a free port, serving from a thread of its own.

        with FakeLLMServer(api_key="sk-test") as llm:
            llm.enqueue(Reply(content="Hello"), Reply(status=429, retry_after=1))
            client = openai.OpenAI(base_url=llm.base_url, api_key="sk-test")

    `responder` decides the reply for chat completions and image generations when the queue for the
    request's path is empty; it is called in the server thread with a copy of the request's record, and
    if it raises, the request gets a 500. `/v1/models` takes replies only from its queue, so a responder
    written for completions never disturbs health checks.
    """

    def __init__(self, api_key: str | None = None, models: Sequence[str] = ("fake-llm",)) -> None:
        if not models:
            raise ValueError("models must name at least one model")
        super().__init__()
        self.api_key = api_key
        self.models = tuple(models)
        self.responder: Callable[[RecordedRequest], Reply] = default_responder
        self._lock = threading.Lock()
        self._records: list[RecordedRequest] = []
        self._queues: dict[str, deque[Reply]] = {}
        self._errors: list[BaseException] = []
        self._in_flight = 0
        self._max_concurrency = 0
        self._connections_accepted = 0

    # -- lifecycle ---------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    # -- scripting and inspection --------------------------------------------------------------------

    def enqueue(self, *replies: Reply, path: str = CHAT_COMPLETIONS) -> None:
        """Replies for the next requests to `path`, in order, ahead of `responder`."""
        with self._lock:
            self._queues.setdefault(path, deque()).extend(replies)

    def reset(self) -> None:
        """Forget records, queued replies, errors and the concurrency peak; restore the default responder."""
        with self._lock:
            self._records.clear()
            self._queues.clear()
            self._errors.clear()
            self._max_concurrency = self._in_flight
        self.responder = default_responder

    @property
    def requests(self) -> list[RecordedRequest]:
        """Copies of every record, in the order received, each consistent with itself."""
        with self._lock:
            return [copy.copy(record) for record in self._records]

    @property
    def chat_requests(self) -> list[RecordedRequest]:
        return [record for record in self.requests if record.path == CHAT_COMPLETIONS]

    @property
    def in_flight(self) -> int:
        with self._lock:
            return self._in_flight

    @property
    def max_concurrency(self) -> int:
        with self._lock:
            return self._max_concurrency

    @property
    def connections_accepted(self) -> int:
        with self._lock:
            return self._connections_accepted

    @property
    def errors(self) -> list[BaseException]:
        """Unexpected exceptions inside the server, responder failures included: tests should expect none."""
        with self._lock:
            return list(self._errors)

    def wait_until(
        self,
        predicate: Callable[[FakeLLMServer], bool],
        timeout: float = 5.0,
        interval: float = _POLL_INTERVAL,
    ) -> bool:
        """Poll `predicate` from synchronous code; False if it never held within `timeout`."""
        deadline = time.monotonic() + timeout
        while not predicate(self):
            if time.monotonic() >= deadline:
                return False
            time.sleep(interval)
        return True

    async def await_until(
        self,
        predicate: Callable[[FakeLLMServer], bool],
        # Same signature as wait_until, so a test can switch between them without rewriting the call.
        timeout: float = 5.0,  # noqa: ASYNC109
        interval: float = _POLL_INTERVAL,
    ) -> bool:
        """`wait_until` for async tests, which must not block the loop their clients run on."""
        deadline = time.monotonic() + timeout
        while not predicate(self):
            if time.monotonic() >= deadline:
                return False
            await asyncio.sleep(interval)
        return True

    def _settle(self, record: RecordedRequest, *, final: bool = False, **changes: object) -> None:
        """Apply `changes` and, if `final`, mark the request complete, all under one lock acquisition,
        so no reader sees e.g. client_closed without the matching in_flight."""
        with self._lock:
            for name, value in changes.items():
                setattr(record, name, value)
            if final and record.completed_at is None:
                record.completed_at = time.time()
                self._in_flight -= 1

    def _record_error(self, error: BaseException) -> None:
        with self._lock:
            self._errors.append(error)

    # -- the server thread -----------------------------------------------------------------------------

    thread_name = "fake-llm"

    def _accepted(self) -> None:
        with self._lock:
            self._connections_accepted += 1

    def _crashed(self, error: BaseException) -> None:
        logger.error("FakeLLMServer crashed", exc_info=error)
        self._record_error(error)

    async def _serve_connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await self._converse(_Connection(reader, writer))

    async def _converse(self, conn: _Connection) -> None:
        try:
            while not self._closing:
                incoming = await self._read_request(conn)
                if incoming is None or not await self._respond(conn, incoming):
                    break
        except _BadRequest as error:
            body = json.dumps(_error_body(error.status, error.message)).encode()
            head = (
                f"HTTP/1.1 {error.status} {_reason(error.status)}\r\ncontent-type: application/json\r\n"
                f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"
            )
            with contextlib.suppress(_ClientGone):
                await conn.send(head.encode() + body)
        except (_ClientGone, _Cut):
            pass
        except Exception as error:
            logger.exception("FakeLLMServer connection failed")
            self._record_error(error)
        finally:
            await self._close(conn)

    async def _close(self, conn: _Connection) -> None:
        transport = conn.writer.transport
        if self._closing:
            transport.abort()
        else:
            conn.writer.close()
        try:
            async with asyncio.timeout(_CLOSE_TIMEOUT):
                await conn.writer.wait_closed()
        except TimeoutError:
            # A client that stopped reading keeps our buffer full, and a graceful close would wait forever.
            transport.abort()
        except OSError:
            pass

    async def _read_request(self, conn: _Connection) -> _Incoming | None:
        try:
            while not (line := await conn.read_line()):
                pass  # Tolerate stray CRLFs between requests, as RFC 9112 asks.
        except _ClientGone:
            return None
        try:
            method, target, version = line.decode("latin-1").split(" ")
        except ValueError:
            raise _BadRequest(400, "Malformed request line.") from None
        if not version.startswith("HTTP/1."):
            raise _BadRequest(505, "Only HTTP/1.x is supported.")
        headers: dict[str, str] = {}
        while header := await conn.read_line():
            if len(headers) >= _MAX_HEADERS:
                raise _BadRequest(431, "Too many request headers.")
            name, sep, value = header.decode("latin-1").partition(":")
            if not sep:
                raise _BadRequest(400, "Malformed request header.")
            name = name.strip().lower()
            value = value.strip()
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
        connection = headers.get("connection", "").lower()
        keep_alive = "keep-alive" in connection if version == "HTTP/1.0" else "close" not in connection
        if headers.get("expect", "").lower() == "100-continue":
            await conn.send(b"HTTP/1.1 100 Continue\r\n\r\n")
        if "chunked" in headers.get("transfer-encoding", "").lower():
            body = await self._read_chunked(conn)
        else:
            try:
                length = int(headers.get("content-length", "0"))
            except ValueError:
                raise _BadRequest(400, "Invalid Content-Length.") from None
            if not 0 <= length <= _MAX_BODY_BYTES:
                raise _BadRequest(413, "Request body too large.")
            body = await conn.read_exactly(length)
        return _Incoming(method, target, headers, body, keep_alive)

    async def _read_chunked(self, conn: _Connection) -> bytes:
        body = bytearray()
        while True:
            size_line = (await conn.read_line()).split(b";")[0].strip()
            try:
                size = int(size_line, 16)
            except ValueError:
                raise _BadRequest(400, "Malformed chunk size.") from None
            if size == 0:
                while await conn.read_line():
                    pass  # Trailers carry nothing this server uses.
                return bytes(body)
            if len(body) + size > _MAX_BODY_BYTES:
                raise _BadRequest(413, "Request body too large.")
            body += await conn.read_exactly(size)
            await conn.read_line()

    async def _respond(self, conn: _Connection, incoming: _Incoming) -> bool:
        """Answer one request; True if the connection can carry another."""
        path, _, query = incoming.target.partition("?")
        if len(path) > 1:
            path = path.rstrip("/")
        try:
            parsed = json.loads(incoming.body) if incoming.body else None
        except (ValueError, UnicodeDecodeError):
            parsed = None
        record = RecordedRequest(
            method=incoming.method,
            path=path,
            query=query,
            headers=incoming.headers,
            body=parsed if isinstance(parsed, dict) else None,
            raw_body=incoming.body,
            received_at=time.time(),
        )
        exchange = _Exchange(self, conn, record, incoming.keep_alive, asyncio.get_running_loop().time())
        with self._lock:
            self._records.append(record)
            self._in_flight += 1
            self._max_concurrency = max(self._max_concurrency, self._in_flight)
        watcher = asyncio.get_running_loop().create_task(conn.watch())
        keep_alive = incoming.keep_alive
        try:
            await self._route(exchange)
        except _ClientGone:
            self._settle(record, final=True, client_closed=True, closed_at=conn.gone_at or time.time())
            keep_alive = False
        except _Cut:
            keep_alive = False
        finally:
            # Also covers cancellation at shutdown, which no response write marked complete.
            self._settle(record, final=True)
            watcher.cancel()
            await asyncio.wait([watcher])
            if not watcher.cancelled() and (error := watcher.exception()) is not None:
                self._record_error(error)
        return keep_alive

    async def _route(self, exchange: _Exchange) -> None:
        record = exchange.record
        if self.api_key is not None:
            authorization = record.headers.get("authorization")
            if authorization != f"Bearer {self.api_key}":
                message = (
                    "You didn't provide an API key. You need to provide your API key in an Authorization "
                    "header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY)."
                    if authorization is None
                    else "Incorrect API key provided."
                )
                await exchange.send_error(401, message)
                return
        handlers = {
            ("POST", CHAT_COMPLETIONS): self._chat,
            ("POST", IMAGE_GENERATIONS): self._images,
            ("GET", MODELS): self._models,
        }
        handler = handlers.get((record.method, record.path))
        if handler is None:
            message = f"Unknown request URL: {record.method} {record.path}. Please check the URL for typos."
            await exchange.send_error(404, message)
            return
        if record.method == "POST" and record.body is None:
            message = "We could not parse the JSON body of your request. (HINT: send a JSON object.)"
            await exchange.send_error(400, message)
            return
        try:
            reply = self._next_reply(record)
        except Exception as error:
            logger.exception("FakeLLMServer responder failed")
            self._record_error(error)
            await exchange.send_error(500, f"FakeLLMServer responder raised {error!r}")
            return
        exchange.use_reply(reply)
        await exchange.pause_until(exchange.t0 + reply.stall)
        rejected = next((name for name in record.body or {} if name in reply.reject_params), None)
        if rejected is not None:
            await exchange.send_error(
                400, f"Unsupported parameter: '{rejected}'", param=rejected, code="unsupported_parameter"
            )
        elif reply.status >= 400:
            await exchange.send_error(reply.status, reply.error_message)
        else:
            await handler(exchange, reply)

    def _next_reply(self, record: RecordedRequest) -> Reply:
        with self._lock:
            queue = self._queues.get(record.path)
            if queue:
                return queue.popleft()
            snapshot = copy.copy(record)
        if record.path == MODELS:
            return Reply()
        return self.responder(snapshot)

    async def _chat(self, exchange: _Exchange, reply: Reply) -> None:
        body = exchange.record.body or {}
        pieces = tokenize(reply.content)
        prompt_tokens, completion_tokens = reply.usage or (
            count_prompt_tokens(body.get("messages")),
            len(pieces),
        )
        usage = {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        }
        model = reply.model or str(body.get("model") or self.models[0])
        completion_id = f"chatcmpl-{uuid.uuid4().hex[:24]}"
        created = int(time.time())
        schedule = _Schedule(
            start=exchange.t0 + reply.stall + reply.ttft,
            rate=reply.tokens_per_second,
            stall_after=reply.stall_after_tokens,
            stall_for=reply.stall_for,
        )
        count = len(pieces)
        cut = reply.cut_after_tokens

        if not body.get("stream"):
            payload = {
                "id": completion_id,
                "object": "chat.completion",
                "created": created,
                "model": model,
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": reply.content, "refusal": None},
                        "logprobs": None,
                        "finish_reason": reply.finish_reason,
                    }
                ],
                "usage": usage,
                "system_fingerprint": "fp_fake_llm",
            }
            if cut is not None:
                await exchange.pause_until(schedule.token(cut) if cut < count else schedule.finish(count))
                await exchange.cut_json(reply.status, payload)
            await exchange.pause_until(schedule.finish(count))
            # Not streamed, so every token reaches the client at once, with the body.
            now = time.time()
            await exchange.send_json(
                reply.status, payload, tokens_sent=count, first_token_at=now, finished_at=now
            )
            return

        stream_options = body.get("stream_options")
        include_usage = isinstance(stream_options, dict) and stream_options.get("include_usage") is True

        def chunk(delta: dict[str, str], finish_reason: str | None = None) -> dict[str, Any]:
            choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}
            payload: dict[str, Any] = {
                "id": completion_id,
                "object": "chat.completion.chunk",
                "created": created,
                "model": model,
                "system_fingerprint": "fp_fake_llm",
                "choices": [choice],
            }
            if include_usage:
                # OpenAI puts a null usage on every chunk but the last once include_usage is asked for.
                payload["usage"] = None
            return payload

        # A content chunk's JSON around its text, encoded once: json.dumps of the whole chunk for
        # every token was most of this server's CPU in the load benchmark. Same bytes.
        head, tail_of_chunk = _event_json(chunk({"content": ""})).split('"content":""', 1)
        head += '"content":'
        await exchange.start_stream(reply.status)
        await exchange.send_events(chunk({"role": "assistant", "content": ""}))
        for index, piece in enumerate(pieces):
            await exchange.pause_until(schedule.token(index))
            if cut is not None and index >= cut:
                await exchange.cut_event(chunk({"content": piece}))
            now = time.time()
            progress: dict[str, object] = {"tokens_sent": index + 1}
            if index == 0:
                progress["first_token_at"] = now
            if index == count - 1:
                progress["finished_at"] = now
            await exchange.send_events(head + json.dumps(piece) + tail_of_chunk, changes=progress)
        if count == 0:
            self._settle(exchange.record, finished_at=time.time())
        await exchange.pause_until(schedule.finish(count))
        finish = chunk({}, reply.finish_reason)
        if cut is not None:
            await exchange.cut_event(finish)
        tail: list[Mapping[str, Any] | str] = [finish]
        if include_usage:
            tail.append({**chunk({}), "choices": [], "usage": usage})
        await exchange.send_events(*tail, "[DONE]", last=True)

    async def _images(self, exchange: _Exchange, reply: Reply) -> None:
        body = exchange.record.body or {}
        await exchange.pause_until(exchange.t0 + reply.stall + reply.ttft)
        encoded = base64.b64encode(reply.image if reply.image is not None else default_png()).decode("ascii")
        if body.get("response_format") == "url":
            # No file host behind this server: a data URL is still something a client can fetch and decode.
            item = {"url": f"data:image/png;base64,{encoded}", "revised_prompt": body.get("prompt")}
        else:
            item = {"b64_json": encoded, "revised_prompt": body.get("prompt")}
        n = body.get("n")
        payload = {"created": int(time.time()), "data": [item] * (n if isinstance(n, int) and n > 0 else 1)}
        if reply.cut_after_tokens is not None:
            await exchange.cut_json(reply.status, payload)
        await exchange.send_json(reply.status, payload)

    async def _models(self, exchange: _Exchange, reply: Reply) -> None:
        await exchange.pause_until(exchange.t0 + reply.stall + reply.ttft)
        data = [
            {"id": model, "object": "model", "created": 0, "owned_by": "fake-llm"} for model in self.models
        ]
        await exchange.send_json(reply.status, {"object": "list", "data": data})
