"""Pictures for slides, behind one port: an OpenAI-compatible images API."""

from deckgen.providers.images._base import GeneratedImage, ImageFailed, ImageGenerator
from deckgen.providers.images._openai import OpenAIImageConfig, OpenAIImageGenerator, sniff_media_type

__all__ = [
    "GeneratedImage",
    "ImageFailed",
    "ImageGenerator",
    "OpenAIImageConfig",
    "OpenAIImageGenerator",
    "sniff_media_type",
]
