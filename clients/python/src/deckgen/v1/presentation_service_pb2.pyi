import datetime

from deckgen.v1 import presentation_pb2 as _presentation_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class AudienceLevel(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    AUDIENCE_LEVEL_UNSPECIFIED: _ClassVar[AudienceLevel]
    AUDIENCE_LEVEL_BEGINNER: _ClassVar[AudienceLevel]
    AUDIENCE_LEVEL_INTERMEDIATE: _ClassVar[AudienceLevel]
    AUDIENCE_LEVEL_ADVANCED: _ClassVar[AudienceLevel]

class ImageMode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    IMAGE_MODE_UNSPECIFIED: _ClassVar[ImageMode]
    IMAGE_MODE_NONE: _ClassVar[ImageMode]
    IMAGE_MODE_GENERATED: _ClassVar[ImageMode]

class TextMode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TEXT_MODE_UNSPECIFIED: _ClassVar[TextMode]
    TEXT_MODE_GENERATE: _ClassVar[TextMode]
    TEXT_MODE_CONDENSE: _ClassVar[TextMode]
    TEXT_MODE_PRESERVE: _ClassVar[TextMode]
AUDIENCE_LEVEL_UNSPECIFIED: AudienceLevel
AUDIENCE_LEVEL_BEGINNER: AudienceLevel
AUDIENCE_LEVEL_INTERMEDIATE: AudienceLevel
AUDIENCE_LEVEL_ADVANCED: AudienceLevel
IMAGE_MODE_UNSPECIFIED: ImageMode
IMAGE_MODE_NONE: ImageMode
IMAGE_MODE_GENERATED: ImageMode
TEXT_MODE_UNSPECIFIED: TextMode
TEXT_MODE_GENERATE: TextMode
TEXT_MODE_CONDENSE: TextMode
TEXT_MODE_PRESERVE: TextMode

class SourceDocument(_message.Message):
    __slots__ = ("name", "media_type", "content")
    NAME_FIELD_NUMBER: _ClassVar[int]
    MEDIA_TYPE_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    name: str
    media_type: str
    content: bytes
    def __init__(self, name: _Optional[str] = ..., media_type: _Optional[str] = ..., content: _Optional[bytes] = ...) -> None: ...

class GeneratePresentationRequest(_message.Message):
    __slots__ = ("request_id", "topic", "sources", "slide_count", "language", "audience_level", "tone", "theme", "speaker_notes", "image_mode", "output_formats", "outline", "text_mode", "brand", "allowed_layouts", "template", "slide_numbers", "footer", "resume_token")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    TOPIC_FIELD_NUMBER: _ClassVar[int]
    SOURCES_FIELD_NUMBER: _ClassVar[int]
    SLIDE_COUNT_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    AUDIENCE_LEVEL_FIELD_NUMBER: _ClassVar[int]
    TONE_FIELD_NUMBER: _ClassVar[int]
    THEME_FIELD_NUMBER: _ClassVar[int]
    SPEAKER_NOTES_FIELD_NUMBER: _ClassVar[int]
    IMAGE_MODE_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_FORMATS_FIELD_NUMBER: _ClassVar[int]
    OUTLINE_FIELD_NUMBER: _ClassVar[int]
    TEXT_MODE_FIELD_NUMBER: _ClassVar[int]
    BRAND_FIELD_NUMBER: _ClassVar[int]
    ALLOWED_LAYOUTS_FIELD_NUMBER: _ClassVar[int]
    TEMPLATE_FIELD_NUMBER: _ClassVar[int]
    SLIDE_NUMBERS_FIELD_NUMBER: _ClassVar[int]
    FOOTER_FIELD_NUMBER: _ClassVar[int]
    RESUME_TOKEN_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    topic: str
    sources: _containers.RepeatedCompositeFieldContainer[SourceDocument]
    slide_count: int
    language: str
    audience_level: AudienceLevel
    tone: str
    theme: str
    speaker_notes: bool
    image_mode: ImageMode
    output_formats: _containers.RepeatedScalarFieldContainer[_presentation_pb2.ArtifactFormat]
    outline: _presentation_pb2.Outline
    text_mode: TextMode
    brand: _presentation_pb2.Brand
    allowed_layouts: _containers.RepeatedScalarFieldContainer[_presentation_pb2.Layout]
    template: str
    slide_numbers: bool
    footer: str
    resume_token: str
    def __init__(self, request_id: _Optional[str] = ..., topic: _Optional[str] = ..., sources: _Optional[_Iterable[_Union[SourceDocument, _Mapping]]] = ..., slide_count: _Optional[int] = ..., language: _Optional[str] = ..., audience_level: _Optional[_Union[AudienceLevel, str]] = ..., tone: _Optional[str] = ..., theme: _Optional[str] = ..., speaker_notes: _Optional[bool] = ..., image_mode: _Optional[_Union[ImageMode, str]] = ..., output_formats: _Optional[_Iterable[_Union[_presentation_pb2.ArtifactFormat, str]]] = ..., outline: _Optional[_Union[_presentation_pb2.Outline, _Mapping]] = ..., text_mode: _Optional[_Union[TextMode, str]] = ..., brand: _Optional[_Union[_presentation_pb2.Brand, _Mapping]] = ..., allowed_layouts: _Optional[_Iterable[_Union[_presentation_pb2.Layout, str]]] = ..., template: _Optional[str] = ..., slide_numbers: _Optional[bool] = ..., footer: _Optional[str] = ..., resume_token: _Optional[str] = ...) -> None: ...

class GenerateOutlineRequest(_message.Message):
    __slots__ = ("request_id", "topic", "sources", "slide_count", "language", "audience_level", "tone", "text_mode", "resume_token")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    TOPIC_FIELD_NUMBER: _ClassVar[int]
    SOURCES_FIELD_NUMBER: _ClassVar[int]
    SLIDE_COUNT_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    AUDIENCE_LEVEL_FIELD_NUMBER: _ClassVar[int]
    TONE_FIELD_NUMBER: _ClassVar[int]
    TEXT_MODE_FIELD_NUMBER: _ClassVar[int]
    RESUME_TOKEN_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    topic: str
    sources: _containers.RepeatedCompositeFieldContainer[SourceDocument]
    slide_count: int
    language: str
    audience_level: AudienceLevel
    tone: str
    text_mode: TextMode
    resume_token: str
    def __init__(self, request_id: _Optional[str] = ..., topic: _Optional[str] = ..., sources: _Optional[_Iterable[_Union[SourceDocument, _Mapping]]] = ..., slide_count: _Optional[int] = ..., language: _Optional[str] = ..., audience_level: _Optional[_Union[AudienceLevel, str]] = ..., tone: _Optional[str] = ..., text_mode: _Optional[_Union[TextMode, str]] = ..., resume_token: _Optional[str] = ...) -> None: ...

class GenerationEvent(_message.Message):
    __slots__ = ("sequence", "presentation", "resume_token", "create_time", "accepted", "outline_item", "outline", "slide", "image", "artifact", "progress", "warning", "completed")
    class Stage(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        STAGE_UNSPECIFIED: _ClassVar[GenerationEvent.Stage]
        STAGE_QUEUED: _ClassVar[GenerationEvent.Stage]
        STAGE_OUTLINE: _ClassVar[GenerationEvent.Stage]
        STAGE_SLIDES: _ClassVar[GenerationEvent.Stage]
        STAGE_IMAGES: _ClassVar[GenerationEvent.Stage]
        STAGE_RENDER: _ClassVar[GenerationEvent.Stage]
        STAGE_STORE: _ClassVar[GenerationEvent.Stage]
        STAGE_DONE: _ClassVar[GenerationEvent.Stage]
    STAGE_UNSPECIFIED: GenerationEvent.Stage
    STAGE_QUEUED: GenerationEvent.Stage
    STAGE_OUTLINE: GenerationEvent.Stage
    STAGE_SLIDES: GenerationEvent.Stage
    STAGE_IMAGES: GenerationEvent.Stage
    STAGE_RENDER: GenerationEvent.Stage
    STAGE_STORE: GenerationEvent.Stage
    STAGE_DONE: GenerationEvent.Stage
    class Accepted(_message.Message):
        __slots__ = ("presentation",)
        PRESENTATION_FIELD_NUMBER: _ClassVar[int]
        presentation: _presentation_pb2.Presentation
        def __init__(self, presentation: _Optional[_Union[_presentation_pb2.Presentation, _Mapping]] = ...) -> None: ...
    class OutlineItemReady(_message.Message):
        __slots__ = ("index", "item")
        INDEX_FIELD_NUMBER: _ClassVar[int]
        ITEM_FIELD_NUMBER: _ClassVar[int]
        index: int
        item: _presentation_pb2.OutlineItem
        def __init__(self, index: _Optional[int] = ..., item: _Optional[_Union[_presentation_pb2.OutlineItem, _Mapping]] = ...) -> None: ...
    class OutlineReady(_message.Message):
        __slots__ = ("outline",)
        OUTLINE_FIELD_NUMBER: _ClassVar[int]
        outline: _presentation_pb2.Outline
        def __init__(self, outline: _Optional[_Union[_presentation_pb2.Outline, _Mapping]] = ...) -> None: ...
    class SlideReady(_message.Message):
        __slots__ = ("slide", "total_slides", "usage", "fraction")
        SLIDE_FIELD_NUMBER: _ClassVar[int]
        TOTAL_SLIDES_FIELD_NUMBER: _ClassVar[int]
        USAGE_FIELD_NUMBER: _ClassVar[int]
        FRACTION_FIELD_NUMBER: _ClassVar[int]
        slide: _presentation_pb2.Slide
        total_slides: int
        usage: _presentation_pb2.Usage
        fraction: float
        def __init__(self, slide: _Optional[_Union[_presentation_pb2.Slide, _Mapping]] = ..., total_slides: _Optional[int] = ..., usage: _Optional[_Union[_presentation_pb2.Usage, _Mapping]] = ..., fraction: _Optional[float] = ...) -> None: ...
    class ImageReady(_message.Message):
        __slots__ = ("slide_index", "artifact", "alt_text")
        SLIDE_INDEX_FIELD_NUMBER: _ClassVar[int]
        ARTIFACT_FIELD_NUMBER: _ClassVar[int]
        ALT_TEXT_FIELD_NUMBER: _ClassVar[int]
        slide_index: int
        artifact: _presentation_pb2.Artifact
        alt_text: str
        def __init__(self, slide_index: _Optional[int] = ..., artifact: _Optional[_Union[_presentation_pb2.Artifact, _Mapping]] = ..., alt_text: _Optional[str] = ...) -> None: ...
    class ArtifactReady(_message.Message):
        __slots__ = ("artifact",)
        ARTIFACT_FIELD_NUMBER: _ClassVar[int]
        artifact: _presentation_pb2.Artifact
        def __init__(self, artifact: _Optional[_Union[_presentation_pb2.Artifact, _Mapping]] = ...) -> None: ...
    class Progress(_message.Message):
        __slots__ = ("stage", "fraction", "message")
        STAGE_FIELD_NUMBER: _ClassVar[int]
        FRACTION_FIELD_NUMBER: _ClassVar[int]
        MESSAGE_FIELD_NUMBER: _ClassVar[int]
        stage: GenerationEvent.Stage
        fraction: float
        message: str
        def __init__(self, stage: _Optional[_Union[GenerationEvent.Stage, str]] = ..., fraction: _Optional[float] = ..., message: _Optional[str] = ...) -> None: ...
    class Warning(_message.Message):
        __slots__ = ("code", "message", "slide_index")
        CODE_FIELD_NUMBER: _ClassVar[int]
        MESSAGE_FIELD_NUMBER: _ClassVar[int]
        SLIDE_INDEX_FIELD_NUMBER: _ClassVar[int]
        code: str
        message: str
        slide_index: int
        def __init__(self, code: _Optional[str] = ..., message: _Optional[str] = ..., slide_index: _Optional[int] = ...) -> None: ...
    class Completed(_message.Message):
        __slots__ = ("presentation",)
        PRESENTATION_FIELD_NUMBER: _ClassVar[int]
        presentation: _presentation_pb2.Presentation
        def __init__(self, presentation: _Optional[_Union[_presentation_pb2.Presentation, _Mapping]] = ...) -> None: ...
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    PRESENTATION_FIELD_NUMBER: _ClassVar[int]
    RESUME_TOKEN_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    ACCEPTED_FIELD_NUMBER: _ClassVar[int]
    OUTLINE_ITEM_FIELD_NUMBER: _ClassVar[int]
    OUTLINE_FIELD_NUMBER: _ClassVar[int]
    SLIDE_FIELD_NUMBER: _ClassVar[int]
    IMAGE_FIELD_NUMBER: _ClassVar[int]
    ARTIFACT_FIELD_NUMBER: _ClassVar[int]
    PROGRESS_FIELD_NUMBER: _ClassVar[int]
    WARNING_FIELD_NUMBER: _ClassVar[int]
    COMPLETED_FIELD_NUMBER: _ClassVar[int]
    sequence: int
    presentation: str
    resume_token: str
    create_time: _timestamp_pb2.Timestamp
    accepted: GenerationEvent.Accepted
    outline_item: GenerationEvent.OutlineItemReady
    outline: GenerationEvent.OutlineReady
    slide: GenerationEvent.SlideReady
    image: GenerationEvent.ImageReady
    artifact: GenerationEvent.ArtifactReady
    progress: GenerationEvent.Progress
    warning: GenerationEvent.Warning
    completed: GenerationEvent.Completed
    def __init__(self, sequence: _Optional[int] = ..., presentation: _Optional[str] = ..., resume_token: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., accepted: _Optional[_Union[GenerationEvent.Accepted, _Mapping]] = ..., outline_item: _Optional[_Union[GenerationEvent.OutlineItemReady, _Mapping]] = ..., outline: _Optional[_Union[GenerationEvent.OutlineReady, _Mapping]] = ..., slide: _Optional[_Union[GenerationEvent.SlideReady, _Mapping]] = ..., image: _Optional[_Union[GenerationEvent.ImageReady, _Mapping]] = ..., artifact: _Optional[_Union[GenerationEvent.ArtifactReady, _Mapping]] = ..., progress: _Optional[_Union[GenerationEvent.Progress, _Mapping]] = ..., warning: _Optional[_Union[GenerationEvent.Warning, _Mapping]] = ..., completed: _Optional[_Union[GenerationEvent.Completed, _Mapping]] = ...) -> None: ...

class RenderPresentationRequest(_message.Message):
    __slots__ = ("request_id", "deck", "output_formats")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    DECK_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_FORMATS_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    deck: _presentation_pb2.Deck
    output_formats: _containers.RepeatedScalarFieldContainer[_presentation_pb2.ArtifactFormat]
    def __init__(self, request_id: _Optional[str] = ..., deck: _Optional[_Union[_presentation_pb2.Deck, _Mapping]] = ..., output_formats: _Optional[_Iterable[_Union[_presentation_pb2.ArtifactFormat, str]]] = ...) -> None: ...

class RenderPresentationResponse(_message.Message):
    __slots__ = ("presentation", "warnings")
    PRESENTATION_FIELD_NUMBER: _ClassVar[int]
    WARNINGS_FIELD_NUMBER: _ClassVar[int]
    presentation: _presentation_pb2.Presentation
    warnings: _containers.RepeatedCompositeFieldContainer[GenerationEvent.Warning]
    def __init__(self, presentation: _Optional[_Union[_presentation_pb2.Presentation, _Mapping]] = ..., warnings: _Optional[_Iterable[_Union[GenerationEvent.Warning, _Mapping]]] = ...) -> None: ...

class RegenerateSlideRequest(_message.Message):
    __slots__ = ("presentation", "slide_index", "instruction", "deck")
    PRESENTATION_FIELD_NUMBER: _ClassVar[int]
    SLIDE_INDEX_FIELD_NUMBER: _ClassVar[int]
    INSTRUCTION_FIELD_NUMBER: _ClassVar[int]
    DECK_FIELD_NUMBER: _ClassVar[int]
    presentation: str
    slide_index: int
    instruction: str
    deck: _presentation_pb2.Deck
    def __init__(self, presentation: _Optional[str] = ..., slide_index: _Optional[int] = ..., instruction: _Optional[str] = ..., deck: _Optional[_Union[_presentation_pb2.Deck, _Mapping]] = ...) -> None: ...

class RegenerateSlideResponse(_message.Message):
    __slots__ = ("slide",)
    SLIDE_FIELD_NUMBER: _ClassVar[int]
    slide: _presentation_pb2.Slide
    def __init__(self, slide: _Optional[_Union[_presentation_pb2.Slide, _Mapping]] = ...) -> None: ...

class GetPresentationRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class DownloadArtifactRequest(_message.Message):
    __slots__ = ("name", "offset")
    NAME_FIELD_NUMBER: _ClassVar[int]
    OFFSET_FIELD_NUMBER: _ClassVar[int]
    name: str
    offset: int
    def __init__(self, name: _Optional[str] = ..., offset: _Optional[int] = ...) -> None: ...

class DownloadArtifactResponse(_message.Message):
    __slots__ = ("artifact", "offset", "data")
    ARTIFACT_FIELD_NUMBER: _ClassVar[int]
    OFFSET_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    artifact: _presentation_pb2.Artifact
    offset: int
    data: bytes
    def __init__(self, artifact: _Optional[_Union[_presentation_pb2.Artifact, _Mapping]] = ..., offset: _Optional[int] = ..., data: _Optional[bytes] = ...) -> None: ...

class ListThemesRequest(_message.Message):
    __slots__ = ("page_size", "page_token")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListThemesResponse(_message.Message):
    __slots__ = ("themes", "next_page_token")
    THEMES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    themes: _containers.RepeatedCompositeFieldContainer[_presentation_pb2.Theme]
    next_page_token: str
    def __init__(self, themes: _Optional[_Iterable[_Union[_presentation_pb2.Theme, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class CreateTemplateRequest(_message.Message):
    __slots__ = ("template", "content", "request_id")
    TEMPLATE_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    template: _presentation_pb2.Template
    content: bytes
    request_id: str
    def __init__(self, template: _Optional[_Union[_presentation_pb2.Template, _Mapping]] = ..., content: _Optional[bytes] = ..., request_id: _Optional[str] = ...) -> None: ...

class GetTemplateRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...
