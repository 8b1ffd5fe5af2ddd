"""The pipeline: the use cases (generate, render, regenerate) wired through the ports."""

from deckgen.pipeline._cache import CachedContent, ContentCache, MemoryContentCache, content_key
from deckgen.pipeline._failures import as_domain_error, unexpected
from deckgen.pipeline._ports import (
    ArtifactWriter,
    Fitter,
    InspectTemplate,
    PipelineDeps,
    Publish,
    RenderAssets,
)
from deckgen.pipeline._service import GenerationService, Started, parse_presentation_name
from deckgen.pipeline._templates import TemplateLibrary, parse_template_name

__all__ = [
    "ArtifactWriter",
    "CachedContent",
    "ContentCache",
    "Fitter",
    "GenerationService",
    "InspectTemplate",
    "MemoryContentCache",
    "PipelineDeps",
    "Publish",
    "RenderAssets",
    "Started",
    "TemplateLibrary",
    "as_domain_error",
    "content_key",
    "parse_presentation_name",
    "parse_template_name",
    "unexpected",
]
