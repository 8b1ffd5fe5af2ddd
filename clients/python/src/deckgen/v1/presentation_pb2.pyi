import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Layout(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    LAYOUT_UNSPECIFIED: _ClassVar[Layout]
    LAYOUT_TITLE: _ClassVar[Layout]
    LAYOUT_SECTION: _ClassVar[Layout]
    LAYOUT_BULLETS: _ClassVar[Layout]
    LAYOUT_TWO_COLUMNS: _ClassVar[Layout]
    LAYOUT_TABLE: _ClassVar[Layout]
    LAYOUT_QUOTE: _ClassVar[Layout]
    LAYOUT_IMAGE_TEXT: _ClassVar[Layout]
    LAYOUT_CLOSING: _ClassVar[Layout]
    LAYOUT_CHART: _ClassVar[Layout]
    LAYOUT_AGENDA: _ClassVar[Layout]
    LAYOUT_TIMELINE: _ClassVar[Layout]
    LAYOUT_STATISTIC: _ClassVar[Layout]

class ChartType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CHART_TYPE_UNSPECIFIED: _ClassVar[ChartType]
    CHART_TYPE_BAR: _ClassVar[ChartType]
    CHART_TYPE_COLUMN: _ClassVar[ChartType]
    CHART_TYPE_LINE: _ClassVar[ChartType]
    CHART_TYPE_PIE: _ClassVar[ChartType]

class ArtifactFormat(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ARTIFACT_FORMAT_UNSPECIFIED: _ClassVar[ArtifactFormat]
    ARTIFACT_FORMAT_PPTX: _ClassVar[ArtifactFormat]
    ARTIFACT_FORMAT_PDF: _ClassVar[ArtifactFormat]
    ARTIFACT_FORMAT_PNG: _ClassVar[ArtifactFormat]
    ARTIFACT_FORMAT_JSON: _ClassVar[ArtifactFormat]
    ARTIFACT_FORMAT_IMAGE: _ClassVar[ArtifactFormat]
LAYOUT_UNSPECIFIED: Layout
LAYOUT_TITLE: Layout
LAYOUT_SECTION: Layout
LAYOUT_BULLETS: Layout
LAYOUT_TWO_COLUMNS: Layout
LAYOUT_TABLE: Layout
LAYOUT_QUOTE: Layout
LAYOUT_IMAGE_TEXT: Layout
LAYOUT_CLOSING: Layout
LAYOUT_CHART: Layout
LAYOUT_AGENDA: Layout
LAYOUT_TIMELINE: Layout
LAYOUT_STATISTIC: Layout
CHART_TYPE_UNSPECIFIED: ChartType
CHART_TYPE_BAR: ChartType
CHART_TYPE_COLUMN: ChartType
CHART_TYPE_LINE: ChartType
CHART_TYPE_PIE: ChartType
ARTIFACT_FORMAT_UNSPECIFIED: ArtifactFormat
ARTIFACT_FORMAT_PPTX: ArtifactFormat
ARTIFACT_FORMAT_PDF: ArtifactFormat
ARTIFACT_FORMAT_PNG: ArtifactFormat
ARTIFACT_FORMAT_JSON: ArtifactFormat
ARTIFACT_FORMAT_IMAGE: ArtifactFormat

class Bullet(_message.Message):
    __slots__ = ("text", "level")
    TEXT_FIELD_NUMBER: _ClassVar[int]
    LEVEL_FIELD_NUMBER: _ClassVar[int]
    text: str
    level: int
    def __init__(self, text: _Optional[str] = ..., level: _Optional[int] = ...) -> None: ...

class Column(_message.Message):
    __slots__ = ("heading", "bullets", "body")
    HEADING_FIELD_NUMBER: _ClassVar[int]
    BULLETS_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    heading: str
    bullets: _containers.RepeatedCompositeFieldContainer[Bullet]
    body: str
    def __init__(self, heading: _Optional[str] = ..., bullets: _Optional[_Iterable[_Union[Bullet, _Mapping]]] = ..., body: _Optional[str] = ...) -> None: ...

class TableRow(_message.Message):
    __slots__ = ("cells",)
    CELLS_FIELD_NUMBER: _ClassVar[int]
    cells: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, cells: _Optional[_Iterable[str]] = ...) -> None: ...

class Table(_message.Message):
    __slots__ = ("header", "rows")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    ROWS_FIELD_NUMBER: _ClassVar[int]
    header: _containers.RepeatedScalarFieldContainer[str]
    rows: _containers.RepeatedCompositeFieldContainer[TableRow]
    def __init__(self, header: _Optional[_Iterable[str]] = ..., rows: _Optional[_Iterable[_Union[TableRow, _Mapping]]] = ...) -> None: ...

class ChartSeries(_message.Message):
    __slots__ = ("name", "values")
    NAME_FIELD_NUMBER: _ClassVar[int]
    VALUES_FIELD_NUMBER: _ClassVar[int]
    name: str
    values: _containers.RepeatedScalarFieldContainer[float]
    def __init__(self, name: _Optional[str] = ..., values: _Optional[_Iterable[float]] = ...) -> None: ...

class Chart(_message.Message):
    __slots__ = ("type", "categories", "series", "title", "alt_text")
    TYPE_FIELD_NUMBER: _ClassVar[int]
    CATEGORIES_FIELD_NUMBER: _ClassVar[int]
    SERIES_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    ALT_TEXT_FIELD_NUMBER: _ClassVar[int]
    type: ChartType
    categories: _containers.RepeatedScalarFieldContainer[str]
    series: _containers.RepeatedCompositeFieldContainer[ChartSeries]
    title: str
    alt_text: str
    def __init__(self, type: _Optional[_Union[ChartType, str]] = ..., categories: _Optional[_Iterable[str]] = ..., series: _Optional[_Iterable[_Union[ChartSeries, _Mapping]]] = ..., title: _Optional[str] = ..., alt_text: _Optional[str] = ...) -> None: ...

class Step(_message.Message):
    __slots__ = ("label", "title", "detail")
    LABEL_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    label: str
    title: str
    detail: str
    def __init__(self, label: _Optional[str] = ..., title: _Optional[str] = ..., detail: _Optional[str] = ...) -> None: ...

class CodeBlock(_message.Message):
    __slots__ = ("language", "text")
    LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    language: str
    text: str
    def __init__(self, language: _Optional[str] = ..., text: _Optional[str] = ...) -> None: ...

class Statistic(_message.Message):
    __slots__ = ("value", "label", "context")
    VALUE_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    CONTEXT_FIELD_NUMBER: _ClassVar[int]
    value: str
    label: str
    context: str
    def __init__(self, value: _Optional[str] = ..., label: _Optional[str] = ..., context: _Optional[str] = ...) -> None: ...

class Brand(_message.Message):
    __slots__ = ("primary_color", "accent_color", "heading_font", "body_font", "logo", "logo_uri")
    PRIMARY_COLOR_FIELD_NUMBER: _ClassVar[int]
    ACCENT_COLOR_FIELD_NUMBER: _ClassVar[int]
    HEADING_FONT_FIELD_NUMBER: _ClassVar[int]
    BODY_FONT_FIELD_NUMBER: _ClassVar[int]
    LOGO_FIELD_NUMBER: _ClassVar[int]
    LOGO_URI_FIELD_NUMBER: _ClassVar[int]
    primary_color: str
    accent_color: str
    heading_font: str
    body_font: str
    logo: bytes
    logo_uri: str
    def __init__(self, primary_color: _Optional[str] = ..., accent_color: _Optional[str] = ..., heading_font: _Optional[str] = ..., body_font: _Optional[str] = ..., logo: _Optional[bytes] = ..., logo_uri: _Optional[str] = ...) -> None: ...

class Quote(_message.Message):
    __slots__ = ("text", "attribution")
    TEXT_FIELD_NUMBER: _ClassVar[int]
    ATTRIBUTION_FIELD_NUMBER: _ClassVar[int]
    text: str
    attribution: str
    def __init__(self, text: _Optional[str] = ..., attribution: _Optional[str] = ...) -> None: ...

class ImageRef(_message.Message):
    __slots__ = ("uri", "alt_text")
    URI_FIELD_NUMBER: _ClassVar[int]
    ALT_TEXT_FIELD_NUMBER: _ClassVar[int]
    uri: str
    alt_text: str
    def __init__(self, uri: _Optional[str] = ..., alt_text: _Optional[str] = ...) -> None: ...

class SourceReference(_message.Message):
    __slots__ = ("document", "locator")
    DOCUMENT_FIELD_NUMBER: _ClassVar[int]
    LOCATOR_FIELD_NUMBER: _ClassVar[int]
    document: str
    locator: str
    def __init__(self, document: _Optional[str] = ..., locator: _Optional[str] = ...) -> None: ...

class Slide(_message.Message):
    __slots__ = ("index", "layout", "title", "subtitle", "bullets", "body", "left_column", "right_column", "table", "chart", "quote", "image", "speaker_notes", "sources", "steps", "statistics", "code")
    INDEX_FIELD_NUMBER: _ClassVar[int]
    LAYOUT_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    SUBTITLE_FIELD_NUMBER: _ClassVar[int]
    BULLETS_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    LEFT_COLUMN_FIELD_NUMBER: _ClassVar[int]
    RIGHT_COLUMN_FIELD_NUMBER: _ClassVar[int]
    TABLE_FIELD_NUMBER: _ClassVar[int]
    CHART_FIELD_NUMBER: _ClassVar[int]
    QUOTE_FIELD_NUMBER: _ClassVar[int]
    IMAGE_FIELD_NUMBER: _ClassVar[int]
    SPEAKER_NOTES_FIELD_NUMBER: _ClassVar[int]
    SOURCES_FIELD_NUMBER: _ClassVar[int]
    STEPS_FIELD_NUMBER: _ClassVar[int]
    STATISTICS_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    index: int
    layout: Layout
    title: str
    subtitle: str
    bullets: _containers.RepeatedCompositeFieldContainer[Bullet]
    body: str
    left_column: Column
    right_column: Column
    table: Table
    chart: Chart
    quote: Quote
    image: ImageRef
    speaker_notes: str
    sources: _containers.RepeatedCompositeFieldContainer[SourceReference]
    steps: _containers.RepeatedCompositeFieldContainer[Step]
    statistics: _containers.RepeatedCompositeFieldContainer[Statistic]
    code: CodeBlock
    def __init__(self, index: _Optional[int] = ..., layout: _Optional[_Union[Layout, str]] = ..., title: _Optional[str] = ..., subtitle: _Optional[str] = ..., bullets: _Optional[_Iterable[_Union[Bullet, _Mapping]]] = ..., body: _Optional[str] = ..., left_column: _Optional[_Union[Column, _Mapping]] = ..., right_column: _Optional[_Union[Column, _Mapping]] = ..., table: _Optional[_Union[Table, _Mapping]] = ..., chart: _Optional[_Union[Chart, _Mapping]] = ..., quote: _Optional[_Union[Quote, _Mapping]] = ..., image: _Optional[_Union[ImageRef, _Mapping]] = ..., speaker_notes: _Optional[str] = ..., sources: _Optional[_Iterable[_Union[SourceReference, _Mapping]]] = ..., steps: _Optional[_Iterable[_Union[Step, _Mapping]]] = ..., statistics: _Optional[_Iterable[_Union[Statistic, _Mapping]]] = ..., code: _Optional[_Union[CodeBlock, _Mapping]] = ...) -> None: ...

class Deck(_message.Message):
    __slots__ = ("title", "subtitle", "language", "theme", "slides", "brand", "template", "slide_numbers", "footer")
    TITLE_FIELD_NUMBER: _ClassVar[int]
    SUBTITLE_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    THEME_FIELD_NUMBER: _ClassVar[int]
    SLIDES_FIELD_NUMBER: _ClassVar[int]
    BRAND_FIELD_NUMBER: _ClassVar[int]
    TEMPLATE_FIELD_NUMBER: _ClassVar[int]
    SLIDE_NUMBERS_FIELD_NUMBER: _ClassVar[int]
    FOOTER_FIELD_NUMBER: _ClassVar[int]
    title: str
    subtitle: str
    language: str
    theme: str
    slides: _containers.RepeatedCompositeFieldContainer[Slide]
    brand: Brand
    template: str
    slide_numbers: bool
    footer: str
    def __init__(self, title: _Optional[str] = ..., subtitle: _Optional[str] = ..., language: _Optional[str] = ..., theme: _Optional[str] = ..., slides: _Optional[_Iterable[_Union[Slide, _Mapping]]] = ..., brand: _Optional[_Union[Brand, _Mapping]] = ..., template: _Optional[str] = ..., slide_numbers: _Optional[bool] = ..., footer: _Optional[str] = ...) -> None: ...

class OutlineItem(_message.Message):
    __slots__ = ("title", "layout", "key_points", "section")
    TITLE_FIELD_NUMBER: _ClassVar[int]
    LAYOUT_FIELD_NUMBER: _ClassVar[int]
    KEY_POINTS_FIELD_NUMBER: _ClassVar[int]
    SECTION_FIELD_NUMBER: _ClassVar[int]
    title: str
    layout: Layout
    key_points: _containers.RepeatedScalarFieldContainer[str]
    section: str
    def __init__(self, title: _Optional[str] = ..., layout: _Optional[_Union[Layout, str]] = ..., key_points: _Optional[_Iterable[str]] = ..., section: _Optional[str] = ...) -> None: ...

class Outline(_message.Message):
    __slots__ = ("title", "subtitle", "items")
    TITLE_FIELD_NUMBER: _ClassVar[int]
    SUBTITLE_FIELD_NUMBER: _ClassVar[int]
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    title: str
    subtitle: str
    items: _containers.RepeatedCompositeFieldContainer[OutlineItem]
    def __init__(self, title: _Optional[str] = ..., subtitle: _Optional[str] = ..., items: _Optional[_Iterable[_Union[OutlineItem, _Mapping]]] = ...) -> None: ...

class Artifact(_message.Message):
    __slots__ = ("name", "format", "media_type", "size_bytes", "sha256", "uri", "slide_index")
    NAME_FIELD_NUMBER: _ClassVar[int]
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    MEDIA_TYPE_FIELD_NUMBER: _ClassVar[int]
    SIZE_BYTES_FIELD_NUMBER: _ClassVar[int]
    SHA256_FIELD_NUMBER: _ClassVar[int]
    URI_FIELD_NUMBER: _ClassVar[int]
    SLIDE_INDEX_FIELD_NUMBER: _ClassVar[int]
    name: str
    format: ArtifactFormat
    media_type: str
    size_bytes: int
    sha256: str
    uri: str
    slide_index: int
    def __init__(self, name: _Optional[str] = ..., format: _Optional[_Union[ArtifactFormat, str]] = ..., media_type: _Optional[str] = ..., size_bytes: _Optional[int] = ..., sha256: _Optional[str] = ..., uri: _Optional[str] = ..., slide_index: _Optional[int] = ...) -> None: ...

class Usage(_message.Message):
    __slots__ = ("prompt_tokens", "completion_tokens", "images")
    PROMPT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    COMPLETION_TOKENS_FIELD_NUMBER: _ClassVar[int]
    IMAGES_FIELD_NUMBER: _ClassVar[int]
    prompt_tokens: int
    completion_tokens: int
    images: int
    def __init__(self, prompt_tokens: _Optional[int] = ..., completion_tokens: _Optional[int] = ..., images: _Optional[int] = ...) -> None: ...

class Presentation(_message.Message):
    __slots__ = ("name", "state", "deck", "outline", "artifacts", "usage", "request_id", "create_time", "update_time", "error_message")
    class State(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        STATE_UNSPECIFIED: _ClassVar[Presentation.State]
        STATE_PENDING: _ClassVar[Presentation.State]
        STATE_GENERATING: _ClassVar[Presentation.State]
        STATE_SUCCEEDED: _ClassVar[Presentation.State]
        STATE_FAILED: _ClassVar[Presentation.State]
        STATE_CANCELLED: _ClassVar[Presentation.State]
    STATE_UNSPECIFIED: Presentation.State
    STATE_PENDING: Presentation.State
    STATE_GENERATING: Presentation.State
    STATE_SUCCEEDED: Presentation.State
    STATE_FAILED: Presentation.State
    STATE_CANCELLED: Presentation.State
    NAME_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    DECK_FIELD_NUMBER: _ClassVar[int]
    OUTLINE_FIELD_NUMBER: _ClassVar[int]
    ARTIFACTS_FIELD_NUMBER: _ClassVar[int]
    USAGE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    ERROR_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    name: str
    state: Presentation.State
    deck: Deck
    outline: Outline
    artifacts: _containers.RepeatedCompositeFieldContainer[Artifact]
    usage: Usage
    request_id: str
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    error_message: str
    def __init__(self, name: _Optional[str] = ..., state: _Optional[_Union[Presentation.State, str]] = ..., deck: _Optional[_Union[Deck, _Mapping]] = ..., outline: _Optional[_Union[Outline, _Mapping]] = ..., artifacts: _Optional[_Iterable[_Union[Artifact, _Mapping]]] = ..., usage: _Optional[_Union[Usage, _Mapping]] = ..., request_id: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., error_message: _Optional[str] = ...) -> None: ...

class Theme(_message.Message):
    __slots__ = ("id", "display_name", "description", "background_color", "text_color", "primary_color", "accent_color", "heading_font", "body_font", "dark", "family")
    ID_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    BACKGROUND_COLOR_FIELD_NUMBER: _ClassVar[int]
    TEXT_COLOR_FIELD_NUMBER: _ClassVar[int]
    PRIMARY_COLOR_FIELD_NUMBER: _ClassVar[int]
    ACCENT_COLOR_FIELD_NUMBER: _ClassVar[int]
    HEADING_FONT_FIELD_NUMBER: _ClassVar[int]
    BODY_FONT_FIELD_NUMBER: _ClassVar[int]
    DARK_FIELD_NUMBER: _ClassVar[int]
    FAMILY_FIELD_NUMBER: _ClassVar[int]
    id: str
    display_name: str
    description: str
    background_color: str
    text_color: str
    primary_color: str
    accent_color: str
    heading_font: str
    body_font: str
    dark: bool
    family: str
    def __init__(self, id: _Optional[str] = ..., display_name: _Optional[str] = ..., description: _Optional[str] = ..., background_color: _Optional[str] = ..., text_color: _Optional[str] = ..., primary_color: _Optional[str] = ..., accent_color: _Optional[str] = ..., heading_font: _Optional[str] = ..., body_font: _Optional[str] = ..., dark: _Optional[bool] = ..., family: _Optional[str] = ...) -> None: ...

class Template(_message.Message):
    __slots__ = ("name", "display_name", "layouts", "layout_names", "create_time")
    NAME_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    LAYOUTS_FIELD_NUMBER: _ClassVar[int]
    LAYOUT_NAMES_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    display_name: str
    layouts: _containers.RepeatedScalarFieldContainer[Layout]
    layout_names: _containers.RepeatedScalarFieldContainer[str]
    create_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., display_name: _Optional[str] = ..., layouts: _Optional[_Iterable[_Union[Layout, str]]] = ..., layout_names: _Optional[_Iterable[str]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
