"""Any OpenAI-compatible chat endpoint (OpenAI, Azure, vLLM, Ollama, llama.cpp, LM Studio) via `openai`.

Self-hosted servers differ in what they accept. A 400 that names a parameter we sent makes the
adapter drop (or downgrade) that parameter and try again at once, and remember it for later
calls, so no unsupported option can break a generation.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
from collections.abc import AsyncGenerator, Callable
from contextlib import aclosing
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx2
import openai
from opentelemetry import trace
from opentelemetry.trace import SpanKind, Status, StatusCode

from deckgen.observability import LLM_TOKENS, record_error
from deckgen.providers._breaker import BreakerState, CircuitBreaker
from deckgen.providers._retry import RetryPolicy, retry_after_seconds
from deckgen.providers._status import NEUTRAL_STATUS, RETRYABLE_STATUS, describe_status
from deckgen.providers.llm._base import (
    ChatEnd,
    ChatEvent,
    ChatRequest,
    ProviderFailed,
    ReadPace,
    StreamBroken,
    TextDelta,
)
from deckgen.providers.llm._body import open_body
from deckgen.providers.llm._sse import SSESplitter, StreamTooLarge
from deckgen.providers.llm._waits import WaitLimit

__all__ = ["OpenAIChatModel", "OpenAIConfig", "estimate_tokens"]

log = logging.getLogger(__name__)
_tracer = trace.get_tracer("deckgen.llm")

# Response formats from the most to the least constrained.
_FORMATS = ("json_schema", "json_object", "none")


# How the SDK encodes a JSON body (openai._utils._json.openapi_dumps, httpx's own settings): the
# bytes `_Body` writes are the ones it would have written from the same arguments.
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode
# System prompts (a handful, the same for every deck) kept encoded; beyond this many, start afresh.
_CACHED_MESSAGES = 64


class _Body:
    """A call's JSON body, with what every call repeats (system prompt, schema) encoded once.

    Encoding the prompt and schema was most of the SDK's per-call work on our side of a request;
    handed bytes, the SDK sends them as they are (with its usual headers), so the body is written
    here in the order `_arguments` builds it. Schemas are constants (a request's `Mapping`, never
    changed after): one is kept by identity, together with the object itself.
    """

    __slots__ = ("_messages", "_schemas")

    def __init__(self) -> None:
        self._messages: dict[tuple[str, str], bytes] = {}
        self._schemas: dict[tuple[int, str], tuple[object, bytes]] = {}

    def encode(self, arguments: dict[str, Any], request: ChatRequest) -> bytes:
        parts: list[bytes] = []
        for key, value in arguments.items():
            if key == "messages":
                encoded = b"[" + b",".join(self._message(m) for m in value) + b"]"
            elif key == "response_format" and value["type"] == "json_schema" and request.schema is not None:
                encoded = self._format(request.schema, request.schema_name, value)
            else:
                encoded = _dumps(value).encode()
            parts.append(b'"' + key.encode() + b'":' + encoded)
        return b"{" + b",".join(parts) + b"}"

    def _message(self, message: dict[str, str]) -> bytes:
        if message["role"] != "system":
            return _dumps(message).encode()  # the user's part differs from call to call
        key = (message["role"], message["content"])
        encoded = self._messages.get(key)
        if encoded is None:
            if len(self._messages) >= _CACHED_MESSAGES:
                self._messages.clear()
            encoded = self._messages[key] = _dumps(message).encode()
        return encoded

    def _format(self, schema: Any, name: str, value: dict[str, Any]) -> bytes:
        key = (id(schema), name)
        cached = self._schemas.get(key)
        if cached is None or cached[0] is not schema:
            if len(self._schemas) >= _CACHED_MESSAGES:
                self._schemas.clear()
            cached = self._schemas[key] = (schema, _dumps(value).encode())
        return cached[1]


def estimate_tokens(text: str) -> int:
    """About four characters per token, the usual rule of thumb for English BPE vocabularies."""
    return math.ceil(len(text) / 4)


@dataclass(frozen=True, slots=True)
class OpenAIConfig:
    name: str
    """How logs, spans and metrics call this provider, e.g. `primary`, `backup-1`."""
    base_url: str | None
    api_key: str = field(repr=False)
    outline_model: str = "gpt-4o-mini"
    slide_model: str = "gpt-4o-mini"
    request_timeout: float = 90.0
    """The longest one call may take, retries excluded."""
    idle_timeout: float = 30.0
    """The longest a stream may stay silent."""
    connect_timeout: float = 10.0
    read_interval: float = 0.0
    """Seconds between reads of a streamed reply on plain TCP (0: each piece as it arrives); see `_body`."""
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    breaker_threshold: int = 5
    """Consecutive failed calls after which the provider is skipped for `breaker_cooldown` s."""
    breaker_cooldown: float = 30.0


@dataclass
class _Capabilities:
    """What this endpoint was found to accept; only ever narrows."""

    response_format: str = "json_schema"
    stream_usage: bool = True
    temperature: bool = True
    max_tokens: bool = True


class _Unsupported(Exception):
    def __init__(self, parameter: str) -> None:
        super().__init__(parameter)
        self.parameter = parameter


def _mentions(error: openai.APIStatusError, names: tuple[str, ...]) -> str | None:
    body = error.body if isinstance(error.body, dict) else {}
    nested = body.get("error") if isinstance(body.get("error"), dict) else body
    param = str(nested.get("param") or "") if isinstance(nested, dict) else ""
    text = f"{param} {error.message} {json.dumps(error.body, default=str)}".lower()
    for name in names:
        if name == param or name in text:
            return name
    return None


class OpenAIChatModel:
    def __init__(
        self,
        config: OpenAIConfig,
        client: openai.AsyncOpenAI | None = None,
        sleep: Callable[[float], Any] = asyncio.sleep,
    ) -> None:
        self.config = config
        self.name = config.name
        url = urlsplit(config.base_url or "https://api.openai.com/v1")
        self._server = url.hostname or ""
        # Only a plain TCP socket can be held unread (see `_body`): over TLS, a connection per
        # call would cost a handshake and save nothing.
        self._plain = url.scheme == "http"
        self._calls = 0
        """Calls being made now (requested or streaming)."""
        self._answered = False
        """A call had an answer since the last health check, and none failed after it."""
        self._caps = _Capabilities()
        self._body = _Body()
        self._sleep = sleep
        self.breaker = CircuitBreaker(config.name, config.breaker_threshold, config.breaker_cooldown)
        # No read timeout in the HTTP client: it would re-arm a timer for every token. The stream's
        # silences are timed by one WaitLimit per reply instead.
        timeout = openai.Timeout(config.request_timeout, read=None, connect=config.connect_timeout)
        # The SDK's own retries are off: ours honour the generation's deadline and fail over.
        # aiohttp (the SDK's supported alternative to httpx's pool) reads a streamed reply with a
        # C parser: httpx's pure-Python HTTP/1.1 stack cost more CPU per token than all the rest.
        self._client = client or openai.AsyncOpenAI(
            api_key=config.api_key or "not-needed",
            base_url=config.base_url,
            timeout=timeout,
            max_retries=0,
            http_client=openai.DefaultAioHttpClient(timeout=timeout),
        )

    async def aclose(self) -> None:
        await self._client.close()

    async def check(self) -> None:
        """Raise unless the endpoint answers an authenticated request (GET /models).

        A generation's call that was answered since the last check (and no failure after it) says
        as much, without a request: a busy replica then asks the provider nothing more, and a lone
        deck's server does not pay a probe (~3 ms of the loop: a connection, the SDK's request)."""
        if self._answered:
            self._answered = False
            return
        # The raw response: parsing a provider's list of models (a hundred at OpenAI) into the
        # SDK's typed page cost several ms of the loop every health interval, and told us nothing.
        async with asyncio.timeout(5.0):
            response: httpx2.Response = await self._client.get("/models", cast_to=httpx2.Response)
        await response.aclose()

    def model_for(self, purpose: str) -> str:
        return self.config.outline_model if purpose == "outline" else self.config.slide_model

    def _arguments(self, request: ChatRequest) -> dict[str, Any]:
        caps = self._caps
        arguments: dict[str, Any] = {
            "model": self.model_for(request.purpose),
            "messages": [{"role": m.role, "content": m.content} for m in request.messages],
            "stream": True,
        }
        if caps.stream_usage:
            arguments["stream_options"] = {"include_usage": True}
        if request.temperature is not None and caps.temperature:
            arguments["temperature"] = request.temperature
        if request.max_tokens is not None and caps.max_tokens:
            arguments["max_tokens"] = request.max_tokens
        if request.schema is not None:
            if caps.response_format == "json_schema":
                arguments["response_format"] = {
                    "type": "json_schema",
                    "json_schema": {"name": request.schema_name, "schema": dict(request.schema)},
                }
            elif caps.response_format == "json_object":
                arguments["response_format"] = {"type": "json_object"}
        return arguments

    def _degrade(self, parameter: str) -> bool:
        """Stop sending `parameter` (or send a weaker form); False when there is nothing left to drop."""
        caps = self._caps
        if parameter in ("json_schema", "response_format"):
            position = _FORMATS.index(caps.response_format)
            if parameter == "json_schema" and caps.response_format == "json_schema":
                caps.response_format = "json_object"
            elif position + 1 < len(_FORMATS):
                caps.response_format = _FORMATS[position + 1]
            else:
                return False
        elif parameter in ("stream_options", "include_usage") and caps.stream_usage:
            caps.stream_usage = False
        elif parameter == "temperature" and caps.temperature:
            caps.temperature = False
        elif parameter == "max_tokens" and caps.max_tokens:
            caps.max_tokens = False
        else:
            return False
        log.warning("provider %s rejected %r; calling it without from now on", self.name, parameter)
        return True

    def _sent(self, arguments: dict[str, Any]) -> tuple[str, ...]:
        names: list[str] = []
        if "response_format" in arguments:
            names += ["json_schema"] if arguments["response_format"]["type"] == "json_schema" else []
            names += ["response_format"]
        names += [name for name in ("stream_options", "include_usage") if "stream_options" in arguments]
        names += [name for name in ("temperature", "max_tokens") if name in arguments]
        return tuple(names)

    async def stream(self, request: ChatRequest) -> AsyncGenerator[ChatEvent, None]:
        model = self.model_for(request.purpose)
        # Not made current: it would have to stay attached across the yields below.
        span = _tracer.start_span(
            f"chat {model}",
            kind=SpanKind.CLIENT,
            attributes={
                "gen_ai.system": "openai",
                "gen_ai.operation.name": "chat",
                "gen_ai.request.model": model,
                "server.address": self._server,
                "deckgen.llm.provider": self.name,
                "deckgen.llm.purpose": request.purpose,
            },
        )
        try:
            async with aclosing(self._attempts(request)) as events:
                async for event in events:
                    if isinstance(event, ChatEnd):
                        span.set_attribute("gen_ai.response.model", event.model)
                        span.set_attribute("gen_ai.usage.input_tokens", event.prompt_tokens)
                        span.set_attribute("gen_ai.usage.output_tokens", event.completion_tokens)
                        span.set_attribute("gen_ai.response.finish_reasons", [event.finish_reason])
                        LLM_TOKENS.labels(self.name, model, "prompt").inc(event.prompt_tokens)
                        LLM_TOKENS.labels(self.name, model, "completion").inc(event.completion_tokens)
                    yield event
        except GeneratorExit:
            raise  # the consumer had what it needed (a slide's JSON closed): not an error
        except BaseException as error:
            if isinstance(error, Exception):
                record_error(span, error)
            span.set_status(Status(StatusCode.ERROR, type(error).__name__))
            raise
        finally:
            span.end()

    async def _attempts(self, request: ChatRequest) -> AsyncGenerator[ChatEvent, None]:
        attempt = 0
        details: list[str] = []
        while True:
            attempt += 1
            ticket = self.breaker.admit()
            if ticket is None:
                wait = self.breaker.retry_after()
                message = f"failing; skipped for {wait:.0f} s more (circuit open)"
                details.append(message)
                raise ProviderFailed(self.name, message, None, True, attempt - 1, details, wait or None)
            arguments = self._arguments(request)
            body = self._body.encode(arguments, request)
            received: list[str] = []
            self._calls += 1
            try:
                # aclosing: a consumer that stops early must close the HTTP response now, not at GC.
                async with aclosing(self._once(arguments, body, received, request.pace)) as events:
                    async for event in events:
                        self.breaker.succeeded(ticket)  # it answers; whatever follows is the reply's fault
                        self._answered = True
                        yield event
                return
            except _Unsupported as unsupported:
                self.breaker.release(ticket)
                attempt -= 1  # not a failure of the provider: the same call, without the option
                details.append(f"unsupported parameter {unsupported.parameter!r}")
                continue
            except (openai.APIStatusError, openai.APIError, openai.APIConnectionError, TimeoutError) as error:
                status = error.status_code if isinstance(error, openai.APIStatusError) else None
                message = _describe(error)
                details.append(message)
                retry_after = (
                    retry_after_seconds(error.response.headers)
                    if isinstance(error, openai.APIStatusError)
                    else None
                )
                if status in NEUTRAL_STATUS:
                    self.breaker.release(ticket)
                else:
                    self.breaker.failed(ticket, retry_after)
                    self._answered = False
                if received:
                    raise StreamBroken(self.name, "".join(received), message) from error
                retryable = status is None or status in RETRYABLE_STATUS
                delay = self.config.retry.delay(attempt, retry_after) if retryable and request.retry else None
                if delay is not None and self.breaker.state is BreakerState.OPEN:
                    delay = None  # its circuit just opened: the next provider, now
                if delay is None:
                    retry_after = max(retry_after or 0.0, self.breaker.retry_after()) or None
                    raise ProviderFailed(
                        self.name, message, status, retryable, attempt, details, retry_after
                    ) from error
                log.info(
                    "provider %s: %s; retrying in %.2f s (try %d of %d)",
                    self.name,
                    message,
                    delay,
                    attempt + 1,
                    self.config.retry.attempts,
                )
                await self._sleep(delay)
            finally:
                self._calls -= 1
                self.breaker.release(ticket)  # cancelled or closed early: no verdict (no-op once settled)

    async def _once(
        self, arguments: dict[str, Any], body: bytes, received: list[str], pace: ReadPace | None
    ) -> AsyncGenerator[ChatEvent, None]:
        # The call's time limit covers only our waits on the provider, never the consumer's work
        # between chunks: a timeout spanning a `yield` would cancel the consumer instead.
        deadline = asyncio.get_running_loop().time() + self.config.request_timeout
        # The raw body, split into events here and parsed with json: the SDK's typed chunk objects
        # cost about 0.3 ms per token, and its line iterators most of the rest. `post` sends what
        # `chat.completions.create` would (its arguments are plain JSON already: the SDK's transform
        # of them is the identity) without walking prompts and schema against the SDK's parameter
        # types, about 0.5 ms per call, nor encoding them again (`_Body`: the same bytes); errors,
        # headers, auth and timeouts are the client's as ever.
        post: Any = self._client.post
        loop = asyncio.get_running_loop()
        # A reply wanted whole is read when the server hangs up after it (`_body`); it is asked to.
        # Only while few calls run: then nearly every wake of the loop is one token's, and
        # the model's server closes at once. With many, the loop's wakes already find several
        # tokens each (a fifth less CPU whole, not a half), and a busy server's hang-up lags its
        # last bytes by tens of milliseconds, which the slide's event would wait for.
        whole = pace is not None and pace.whole and self._plain and self._calls <= _WHOLE_WITH_AT_MOST
        try:
            async with asyncio.timeout_at(min(deadline, loop.time() + self.config.idle_timeout)):
                response: httpx2.Response = await post(
                    "/chat/completions",
                    cast_to=httpx2.Response,
                    content=body,
                    stream=True,
                    **(_CLOSE_AFTER if whole else {}),
                )
        except openai.APIStatusError as error:
            if error.status_code in (400, 422):
                parameter = _mentions(error, self._sent(arguments))
                if parameter is not None and self._degrade(parameter):
                    raise _Unsupported(parameter) from error
            raise
        usage: dict[str, Any] | None = None
        finish_reason = ""
        model = arguments["model"]
        request = response.request
        # Held to its end only if the server says it will close the connection after the reply: a
        # server that keeps it open would never wake the loop for the reply's last bytes.
        whole = whole and response.headers.get("connection", "").strip().lower() == "close"
        reader = open_body(response, self.config.read_interval, whole=whole)
        events = SSESplitter()
        limit = WaitLimit(deadline, self.config.idle_timeout, reader.unread if whole else None)
        try:
            done = False
            while not done:
                try:
                    data = await limit.wait(reader.read(pace.hold if pace is not None else 0.0))
                except httpx2.TimeoutException as error:
                    raise openai.APITimeoutError(request=request) from error
                except httpx2.HTTPError as error:
                    raise openai.APIConnectionError(request=request) from error
                if not data:
                    break
                # Every token of a read goes on as one delta: each delta passes four generators
                # and the consumer's scanner, and a read holds several tokens while the stream is
                # held. A fault further on in the read still lets the text before it through first.
                first = len(received)
                fault: Exception | None = None
                try:
                    for event in _events(events, data, request):
                        text = _text_only(event)
                        if text is not None:
                            if text:
                                received.append(text)
                            continue
                        if event.strip() == b"[DONE]":
                            done = True
                            break
                        chunk = _chunk(event, request)
                        model = chunk.get("model") or model
                        if isinstance(chunk.get("usage"), dict):
                            usage = chunk["usage"]
                        for choice in chunk.get("choices") or ():
                            delta = choice.get("delta") if isinstance(choice, dict) else None
                            text = delta.get("content") if isinstance(delta, dict) else None
                            if text and isinstance(text, str):
                                received.append(text)
                            if isinstance(choice, dict) and choice.get("finish_reason"):
                                finish_reason = str(choice["finish_reason"])
                except openai.APIError as error:
                    fault = error
                if len(received) > first:
                    yield TextDelta(
                        received[first] if len(received) == first + 1 else "".join(received[first:])
                    )
                if fault is not None:
                    raise fault
        finally:
            limit.close()
            reader.close()
            await response.aclose()
        if usage is not None and usage.get("completion_tokens") is not None:
            yield ChatEnd(
                int(usage.get("prompt_tokens") or 0),
                int(usage["completion_tokens"]),
                finish_reason or "stop",
                self.name,
                str(model),
            )
        else:
            prompt = sum(estimate_tokens(m["content"]) for m in arguments["messages"])
            yield ChatEnd(
                prompt,
                estimate_tokens("".join(received)),
                finish_reason or "stop",
                self.name,
                str(model),
                usage_reported=False,
            )


def _events(splitter: SSESplitter, data: bytes, request: httpx2.Request) -> list[bytes]:
    try:
        return splitter.feed(data)
    except StreamTooLarge as error:
        raise openai.APIError(f"the stream sent {error}", request, body=None) from None


# The C scanner under json.loads, called directly: json.loads on bytes first guesses their encoding
# in Python, per token. Event streams are UTF-8 by definition.
_scan: Callable[[str, int], tuple[Any, int]] = json.JSONDecoder().scan_once  # type: ignore[attr-defined]
# The C string decoder under it: a JSON string's text and where it ends, from just past its quote.
_string: Callable[[str, int], tuple[str, int]] = json.decoder.scanstring  # type: ignore[attr-defined]


_DELTA = '"delta":{"content":"'

# Replies wanted whole are read so while at most this many calls are made at once (this one
# included; about three decks' worth).
_WHOLE_WITH_AT_MOST = 32
# HTTP/1.1: a server sent `Connection: close` must close the connection after its response.
_CLOSE_AFTER: dict[str, Any] = {"options": {"headers": {"Connection": "close"}}}


def _text_only(data: bytes) -> str | None:
    """The text of a chunk that carries nothing else (one choice, a content delta, no finish, usage
    or error), taken without building the whole chunk; None for any other chunk, which `_chunk`
    then reads. Nearly every chunk of a reply is one of these, in the compact form OpenAI, vLLM and
    llama.cpp write. A quote inside a JSON string is escaped, so each pattern found is structure."""
    try:
        text = data.decode()
    except UnicodeDecodeError:
        return None
    start = text.find(_DELTA)
    if (
        start < 0
        or '"finish_reason":null' not in text
        or '"usage":{' in text
        or '"error"' in text
        or text.count('"delta":') != 1
        or not text.startswith("{")
        or not text.rstrip().endswith("}")
    ):
        return None
    try:
        content, end = _string(text, start + len(_DELTA))
    except ValueError:
        return None
    return content if text.startswith("}", end) else None


def _chunk(data: bytes, request: httpx2.Request) -> dict[str, Any]:
    try:
        text = data.decode().strip()
        chunk, end = _scan(text, 0)
        if end != len(text):
            raise ValueError("more than one value")
    except (ValueError, StopIteration):
        raise _StreamFault("the stream sent data that is not JSON", request, body=None) from None
    if not isinstance(chunk, dict):
        raise _StreamFault("the stream sent JSON that is not a chunk object", request, body=None)
    error = chunk.get("error")
    if error:
        # Its text stays out of our messages: a provider's error may quote what it was sent.
        raise _StreamFault("the provider reported an error mid-stream", request, body=None)
    return chunk


class _StreamFault(openai.APIError):
    """A stream that broke the protocol; its message is ours."""


def _describe(error: BaseException) -> str:
    """What went wrong, in our words: the HTTP status and what it means, never the provider's body."""
    if isinstance(error, openai.APIStatusError):
        return describe_status(error.status_code)
    if isinstance(error, TimeoutError | openai.APITimeoutError):
        return "timed out"
    if isinstance(error, openai.APIConnectionError):
        cause = error.__cause__
        return f"connection failed ({type(cause).__name__ if cause else 'unknown'})"
    if isinstance(error, _StreamFault):
        return error.message
    return type(error).__name__
