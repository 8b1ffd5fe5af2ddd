"""The port image adapters implement: a picture from a prompt."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

__all__ = ["GeneratedImage", "ImageFailed", "ImageGenerator"]


@dataclass(frozen=True, slots=True)
class GeneratedImage:
    data: bytes
    media_type: str
    model: str


class ImageFailed(Exception):
    """No picture came back (after retries); the slide goes on without one."""


class ImageGenerator(Protocol):
    name: str

    async def generate(self, prompt: str, *, size: str) -> GeneratedImage:
        """A picture of `size` ("WIDTHxHEIGHT"); raises `ImageFailed`."""
        ...
