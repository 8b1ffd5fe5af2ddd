"""The pipeline: the use cases (generate, render, regenerate) wired through the ports."""

from deckgen.pipeline._cache import CachedContent, ContentCache, MemoryContentCache, content_key
from deckgen.pipeline._ports import ArtifactWriter, Fitter, PipelineDeps, Publish
from deckgen.pipeline._service import GenerationService, Started, parse_presentation_name

__all__ = [
    "ArtifactWriter",
    "CachedContent",
    "ContentCache",
    "Fitter",
    "GenerationService",
    "MemoryContentCache",
    "PipelineDeps",
    "Publish",
    "Started",
    "content_key",
    "parse_presentation_name",
]
