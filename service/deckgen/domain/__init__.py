"""The domain: decks, outlines, requests, events and errors as plain Python values.

Nothing here performs I/O or imports gRPC, protobuf, python-pptx or a provider SDK.
"""

from deckgen.domain import _limits as limits
from deckgen.domain._deck import (
    Brand,
    Bullet,
    Chart,
    ChartSeries,
    ChartType,
    CodeBlock,
    Column,
    Deck,
    ImageRef,
    Layout,
    Quote,
    Slide,
    SourceRef,
    Statistic,
    Step,
    Table,
)
from deckgen.domain._errors import (
    AlreadyExists,
    Cancelled,
    CapacityExceeded,
    DeadlineExceeded,
    DeckgenError,
    FieldViolation,
    GenerationFailed,
    InvalidRequest,
    NotFound,
    PreconditionFailed,
    Unavailable,
)
from deckgen.domain._layouts import restrict_layout
from deckgen.domain._outline import Outline, OutlineItem
from deckgen.domain._presentation import Artifact, Presentation, PresentationState, Usage, presentation_name
from deckgen.domain._spec import (
    ArtifactFormat,
    AudienceLevel,
    GenerationSpec,
    ImageMode,
    SourceDocument,
    TextMode,
)
from deckgen.domain._text import MAX_PROPERTY_CHARS, clean_deck, clean_text, xml_illegal
from deckgen.domain._theme import Template, Theme

__all__ = [
    "limits",
    "MAX_PROPERTY_CHARS",
    "clean_deck",
    "clean_text",
    "xml_illegal",
    "AlreadyExists",
    "Artifact",
    "ArtifactFormat",
    "AudienceLevel",
    "Brand",
    "Bullet",
    "Cancelled",
    "CapacityExceeded",
    "Chart",
    "ChartSeries",
    "ChartType",
    "CodeBlock",
    "Column",
    "DeadlineExceeded",
    "Deck",
    "DeckgenError",
    "FieldViolation",
    "GenerationFailed",
    "GenerationSpec",
    "ImageMode",
    "ImageRef",
    "InvalidRequest",
    "Layout",
    "NotFound",
    "Outline",
    "OutlineItem",
    "PreconditionFailed",
    "Presentation",
    "PresentationState",
    "Quote",
    "Slide",
    "SourceDocument",
    "SourceRef",
    "Statistic",
    "Step",
    "Table",
    "Template",
    "TextMode",
    "Theme",
    "Unavailable",
    "Usage",
    "presentation_name",
    "restrict_layout",
]
