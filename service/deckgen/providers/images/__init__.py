"""Pictures for slides, behind one port: an OpenAI-compatible images API."""

from __future__ import annotations

from typing import TYPE_CHECKING

from deckgen.providers._lazy import lazy_attributes
from deckgen.providers.images._base import GeneratedImage, ImageFailed, ImageGenerator

if TYPE_CHECKING:
    from deckgen.providers.images._openai import OpenAIImageConfig, OpenAIImageGenerator, sniff_media_type

__getattr__ = lazy_attributes(
    __name__,
    "deckgen.providers.images._openai",
    ("OpenAIImageConfig", "OpenAIImageGenerator", "sniff_media_type"),
)


__all__ = [
    "GeneratedImage",
    "ImageFailed",
    "ImageGenerator",
    "OpenAIImageConfig",
    "OpenAIImageGenerator",
    "sniff_media_type",
]
