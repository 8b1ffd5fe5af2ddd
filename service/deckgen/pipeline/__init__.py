"""The pipeline: the use cases (generate, render, regenerate) wired through the ports."""

from deckgen.pipeline._cache import CachedContent, ContentCache, MemoryContentCache, content_key
from deckgen.pipeline._failures import as_domain_error, unexpected
from deckgen.pipeline._ports import (
    ArtifactWriter,
    Coordination,
    Fitter,
    InspectTemplate,
    PipelineDeps,
    Publish,
    RenderAssets,
)
from deckgen.pipeline._priority import FirstSlides
from deckgen.pipeline._service import GenerationService, Started, parse_presentation_name
from deckgen.pipeline._templates import TemplateLibrary, parse_template_name, template_not_found
from deckgen.pipeline._worker import Worker

__all__ = [
    "ArtifactWriter",
    "CachedContent",
    "ContentCache",
    "Coordination",
    "FirstSlides",
    "Fitter",
    "GenerationService",
    "InspectTemplate",
    "MemoryContentCache",
    "PipelineDeps",
    "Publish",
    "RenderAssets",
    "Started",
    "TemplateLibrary",
    "Worker",
    "as_domain_error",
    "content_key",
    "parse_presentation_name",
    "parse_template_name",
    "template_not_found",
    "unexpected",
]
