"""Pictures from an OpenAI-compatible images API (`/images/generations`, base64 replies)."""

from __future__ import annotations

import asyncio
import base64
import binascii
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import openai

from deckgen.providers._breaker import CircuitBreaker
from deckgen.providers._retry import RetryPolicy, retry_after_seconds
from deckgen.providers._status import NEUTRAL_STATUS, RETRYABLE_STATUS, describe_status
from deckgen.providers.images._base import GeneratedImage, ImageFailed

__all__ = ["OpenAIImageConfig", "OpenAIImageGenerator", "sniff_media_type"]

log = logging.getLogger(__name__)


def sniff_media_type(data: bytes) -> str | None:
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


@dataclass(frozen=True, slots=True)
class OpenAIImageConfig:
    name: str
    base_url: str | None
    api_key: str = field(repr=False)
    model: str = "gpt-image-1"
    request_timeout: float = 120.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    breaker_threshold: int = 5
    """Consecutive failed calls after which pictures are skipped for `breaker_cooldown` s."""
    breaker_cooldown: float = 30.0


class OpenAIImageGenerator:
    def __init__(
        self,
        config: OpenAIImageConfig,
        client: openai.AsyncOpenAI | None = None,
        sleep: Callable[[float], Any] = asyncio.sleep,
    ) -> None:
        self.config = config
        self.name = config.name
        self._sleep = sleep
        self._send_format = True
        self.breaker = CircuitBreaker(config.name, config.breaker_threshold, config.breaker_cooldown)
        self._client = client or openai.AsyncOpenAI(
            api_key=config.api_key or "not-needed",
            base_url=config.base_url,
            timeout=config.request_timeout,
            max_retries=0,
        )

    async def aclose(self) -> None:
        await self._client.close()

    async def generate(self, prompt: str, *, size: str) -> GeneratedImage:
        attempt = 0
        while True:
            attempt += 1
            arguments: dict[str, Any] = {"model": self.config.model, "prompt": prompt, "size": size, "n": 1}
            if self._send_format:
                arguments["response_format"] = "b64_json"
            ticket = self.breaker.admit()
            if ticket is None:
                wait = self.breaker.retry_after()
                raise ImageFailed(f"the images API is failing; skipped for {wait:.0f} s more (circuit open)")
            try:
                generate: Any = self._client.images.generate
                async with asyncio.timeout(self.config.request_timeout):
                    response = await generate(**arguments)
                self.breaker.succeeded(ticket)
                return self._decode(response)
            except openai.APIStatusError as error:
                # gpt-image models always answer in base64 and reject the parameter.
                if error.status_code == 400 and self._send_format and "response_format" in str(error.body):
                    self.breaker.release(ticket)
                    self._send_format = False
                    attempt -= 1
                    continue
                retry_after = retry_after_seconds(error.response.headers)
                if error.status_code in NEUTRAL_STATUS:
                    self.breaker.release(ticket)
                else:
                    self.breaker.failed(ticket, retry_after)
                retryable = error.status_code in RETRYABLE_STATUS
                delay = self.config.retry.delay(attempt, retry_after) if retryable else None
                if delay is None or self.breaker.retry_after() > 0:
                    # Our words: the provider's body may quote the key it was sent.
                    raise ImageFailed(describe_status(error.status_code)) from error
            except (openai.APIConnectionError, TimeoutError) as error:
                self.breaker.failed(ticket)
                delay = self.config.retry.delay(attempt)
                if delay is None or self.breaker.retry_after() > 0:
                    raise ImageFailed(f"images API unreachable ({type(error).__name__})") from error
            finally:
                self.breaker.release(ticket)  # cancelled: no verdict (a no-op once settled)
            log.info("images %s: retrying in %.2f s", self.name, delay)
            await self._sleep(delay)

    def _decode(self, response: Any) -> GeneratedImage:
        items = getattr(response, "data", None) or []
        encoded = getattr(items[0], "b64_json", None) if items else None
        if not encoded:
            raise ImageFailed("the images API returned no base64 picture")
        try:
            data = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError) as error:
            raise ImageFailed("the images API returned invalid base64") from error
        media_type = sniff_media_type(data)
        if media_type is None:
            raise ImageFailed("the images API returned something that is not a PNG, JPEG or WebP picture")
        return GeneratedImage(data, media_type, self.config.model)
