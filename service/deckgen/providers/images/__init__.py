"""Pictures for slides, behind one port: an OpenAI-compatible images API."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from deckgen.providers.images._base import GeneratedImage, ImageFailed, ImageGenerator

if TYPE_CHECKING:
    from deckgen.providers.images._openai import OpenAIImageConfig, OpenAIImageGenerator, sniff_media_type

_LAZY = frozenset({"OpenAIImageConfig", "OpenAIImageGenerator", "sniff_media_type"})


def __getattr__(name: str) -> Any:
    # The OpenAI SDK takes as long to import as the rest of the service: only a server that uses it pays.
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module("deckgen.providers.images._openai"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "GeneratedImage",
    "ImageFailed",
    "ImageGenerator",
    "OpenAIImageConfig",
    "OpenAIImageGenerator",
    "sniff_media_type",
]
