"""Protobuf ↔ domain translation. No logic beyond mapping fields and enums."""

from __future__ import annotations

from google.protobuf import json_format
from google.protobuf.timestamp_pb2 import Timestamp

from deckgen import domain as d
from deckgen.domain import _events as ev
from deckgen.observability import scrub
from deckgen.v1 import presentation_pb2 as pb
from deckgen.v1 import presentation_service_pb2 as spb

__all__ = [
    "brand_from_proto",
    "brand_to_proto",
    "template_to_proto",
    "artifact_to_proto",
    "deck_from_proto",
    "deck_to_json",
    "deck_to_proto",
    "event_to_proto",
    "outline_from_proto",
    "outline_to_proto",
    "presentation_to_proto",
    "slide_from_proto",
    "slide_to_proto",
    "theme_to_proto",
    "warning_to_proto",
]

LAYOUTS: dict[d.Layout, pb.Layout] = {
    d.Layout.TITLE: pb.LAYOUT_TITLE,
    d.Layout.SECTION: pb.LAYOUT_SECTION,
    d.Layout.BULLETS: pb.LAYOUT_BULLETS,
    d.Layout.TWO_COLUMNS: pb.LAYOUT_TWO_COLUMNS,
    d.Layout.TABLE: pb.LAYOUT_TABLE,
    d.Layout.QUOTE: pb.LAYOUT_QUOTE,
    d.Layout.IMAGE_TEXT: pb.LAYOUT_IMAGE_TEXT,
    d.Layout.CLOSING: pb.LAYOUT_CLOSING,
    d.Layout.CHART: pb.LAYOUT_CHART,
    d.Layout.AGENDA: pb.LAYOUT_AGENDA,
    d.Layout.TIMELINE: pb.LAYOUT_TIMELINE,
    d.Layout.STATISTIC: pb.LAYOUT_STATISTIC,
}
LAYOUTS_FROM_PROTO = {value: key for key, value in LAYOUTS.items()}

CHART_TYPES: dict[d.ChartType, pb.ChartType] = {
    d.ChartType.BAR: pb.CHART_TYPE_BAR,
    d.ChartType.COLUMN: pb.CHART_TYPE_COLUMN,
    d.ChartType.LINE: pb.CHART_TYPE_LINE,
    d.ChartType.PIE: pb.CHART_TYPE_PIE,
}
CHART_TYPES_FROM_PROTO = {value: key for key, value in CHART_TYPES.items()}

FORMATS: dict[d.ArtifactFormat, pb.ArtifactFormat] = {
    d.ArtifactFormat.PPTX: pb.ARTIFACT_FORMAT_PPTX,
    d.ArtifactFormat.PDF: pb.ARTIFACT_FORMAT_PDF,
    d.ArtifactFormat.PNG: pb.ARTIFACT_FORMAT_PNG,
    d.ArtifactFormat.JSON: pb.ARTIFACT_FORMAT_JSON,
    d.ArtifactFormat.IMAGE: pb.ARTIFACT_FORMAT_IMAGE,
}
FORMATS_FROM_PROTO = {value: key for key, value in FORMATS.items()}

STATES: dict[d.PresentationState, pb.Presentation.State] = {
    d.PresentationState.PENDING: pb.Presentation.STATE_PENDING,
    d.PresentationState.GENERATING: pb.Presentation.STATE_GENERATING,
    d.PresentationState.SUCCEEDED: pb.Presentation.STATE_SUCCEEDED,
    d.PresentationState.FAILED: pb.Presentation.STATE_FAILED,
    d.PresentationState.CANCELLED: pb.Presentation.STATE_CANCELLED,
}

STAGES: dict[ev.Stage, spb.GenerationEvent.Stage] = {
    ev.Stage.QUEUED: spb.GenerationEvent.STAGE_QUEUED,
    ev.Stage.OUTLINE: spb.GenerationEvent.STAGE_OUTLINE,
    ev.Stage.SLIDES: spb.GenerationEvent.STAGE_SLIDES,
    ev.Stage.IMAGES: spb.GenerationEvent.STAGE_IMAGES,
    ev.Stage.RENDER: spb.GenerationEvent.STAGE_RENDER,
    ev.Stage.STORE: spb.GenerationEvent.STAGE_STORE,
    ev.Stage.DONE: spb.GenerationEvent.STAGE_DONE,
}


def _timestamp(seconds: float) -> Timestamp:
    stamp = Timestamp()
    stamp.FromNanoseconds(int(seconds * 1e9))
    return stamp


# -- slides and decks -----------------------------------------------------------------------------


def _bullets_to_proto(bullets: tuple[d.Bullet, ...]) -> list[pb.Bullet]:
    return [pb.Bullet(text=b.text, level=b.level) for b in bullets]


def _bullets_from_proto(bullets: object) -> tuple[d.Bullet, ...]:
    return tuple(d.Bullet(b.text, b.level) for b in bullets)  # type: ignore[attr-defined]


def _column_to_proto(column: d.Column) -> pb.Column:
    return pb.Column(heading=column.heading, bullets=_bullets_to_proto(column.bullets), body=column.body)


def _column_from_proto(column: pb.Column) -> d.Column:
    return d.Column(column.heading, _bullets_from_proto(column.bullets), column.body)


def slide_to_proto(slide: d.Slide, index: int) -> pb.Slide:
    message = pb.Slide(
        index=index,
        layout=LAYOUTS[slide.layout],
        title=slide.title,
        subtitle=slide.subtitle,
        bullets=_bullets_to_proto(slide.bullets),
        body=slide.body,
        speaker_notes=slide.notes,
        sources=[pb.SourceReference(document=s.document, locator=s.locator) for s in slide.sources],
        steps=[pb.Step(label=s.label, title=s.title, detail=s.detail) for s in slide.steps],
        statistics=[pb.Statistic(value=s.value, label=s.label, context=s.context) for s in slide.statistics],
    )
    if slide.left is not None:
        message.left_column.CopyFrom(_column_to_proto(slide.left))
    if slide.right is not None:
        message.right_column.CopyFrom(_column_to_proto(slide.right))
    if slide.table is not None:
        message.table.CopyFrom(
            pb.Table(
                header=list(slide.table.header),
                rows=[pb.TableRow(cells=list(row)) for row in slide.table.rows],
            )
        )
    if slide.chart is not None:
        chart = slide.chart
        message.chart.CopyFrom(
            pb.Chart(
                type=CHART_TYPES[chart.type],
                categories=list(chart.categories),
                title=chart.title,
                alt_text=chart.alt_text,
                series=[pb.ChartSeries(name=s.name, values=list(s.values)) for s in chart.series],
            )
        )
    if slide.quote is not None:
        message.quote.CopyFrom(pb.Quote(text=slide.quote.text, attribution=slide.quote.attribution))
    if slide.image is not None:
        message.image.CopyFrom(pb.ImageRef(uri=slide.image.uri, alt_text=slide.image.alt_text))
    if slide.code is not None:
        message.code.CopyFrom(pb.CodeBlock(language=slide.code.language, text=slide.code.text))
    return message


def slide_from_proto(message: pb.Slide) -> d.Slide:
    """Assumes `message` was validated (layout set, enums known)."""
    return d.Slide(
        layout=LAYOUTS_FROM_PROTO[message.layout],
        title=message.title,
        subtitle=message.subtitle,
        bullets=_bullets_from_proto(message.bullets),
        body=message.body,
        left=_column_from_proto(message.left_column) if message.HasField("left_column") else None,
        right=_column_from_proto(message.right_column) if message.HasField("right_column") else None,
        table=d.Table(tuple(message.table.header), tuple(tuple(r.cells) for r in message.table.rows))
        if message.HasField("table")
        else None,
        chart=d.Chart(
            CHART_TYPES_FROM_PROTO.get(message.chart.type, d.ChartType.COLUMN),
            tuple(message.chart.categories),
            tuple(d.ChartSeries(s.name, tuple(s.values)) for s in message.chart.series),
            message.chart.title,
            message.chart.alt_text,
        )
        if message.HasField("chart")
        else None,
        quote=d.Quote(message.quote.text, message.quote.attribution) if message.HasField("quote") else None,
        image=d.ImageRef(message.image.uri, message.image.alt_text) if message.HasField("image") else None,
        notes=message.speaker_notes,
        sources=tuple(d.SourceRef(s.document, s.locator) for s in message.sources),
        steps=tuple(d.Step(s.title, s.label, s.detail) for s in message.steps),
        statistics=tuple(d.Statistic(s.value, s.label, s.context) for s in message.statistics),
        code=d.CodeBlock(message.code.text, message.code.language) if message.HasField("code") else None,
    )


def brand_to_proto(brand: d.Brand) -> pb.Brand:
    return pb.Brand(
        primary_color=brand.primary,
        accent_color=brand.accent,
        heading_font=brand.heading_font,
        body_font=brand.body_font,
        logo_uri=brand.logo_uri,
    )


def brand_from_proto(message: pb.Brand) -> d.Brand:
    return d.Brand(
        primary=message.primary_color.upper().removeprefix("#"),
        accent=message.accent_color.upper().removeprefix("#"),
        heading_font=message.heading_font.strip(),
        body_font=message.body_font.strip(),
        logo_uri=message.logo_uri,
    )


def deck_to_proto(deck: d.Deck) -> pb.Deck:
    message = pb.Deck(
        title=deck.title,
        subtitle=deck.subtitle,
        language=deck.language,
        theme=deck.theme,
        slides=[slide_to_proto(slide, index) for index, slide in enumerate(deck.slides)],
        template=f"templates/{deck.template}" if deck.template else "",
        slide_numbers=deck.slide_numbers,
        footer=deck.footer,
    )
    if deck.brand is not None:
        message.brand.CopyFrom(brand_to_proto(deck.brand))
    return message


def deck_from_proto(message: pb.Deck) -> d.Deck:
    """Assumes `message` was validated; a `template` name becomes its id."""
    return d.Deck(
        title=message.title,
        subtitle=message.subtitle,
        language=message.language or "en",
        theme=message.theme or "default",
        slides=tuple(slide_from_proto(s) for s in message.slides),
        brand=brand_from_proto(message.brand) if message.HasField("brand") else None,
        template=message.template.removeprefix("templates/"),
        slide_numbers=message.slide_numbers if message.HasField("slide_numbers") else True,
        footer=message.footer,
    )


def deck_to_json(deck: d.Deck) -> bytes:
    """The deck's JSON artifact: the protobuf JSON form of `deckgen.v1.Deck`, what clients edit."""
    text: str = json_format.MessageToJson(deck_to_proto(deck), preserving_proto_field_name=True, indent=2)
    return text.encode("utf-8")


def outline_to_proto(outline: d.Outline) -> pb.Outline:
    return pb.Outline(
        title=outline.title,
        subtitle=outline.subtitle,
        items=[outline_item_to_proto(item) for item in outline.items],
    )


def outline_item_to_proto(item: d.OutlineItem) -> pb.OutlineItem:
    return pb.OutlineItem(
        title=item.title, layout=LAYOUTS[item.layout], key_points=list(item.key_points), section=item.section
    )


def outline_from_proto(message: pb.Outline) -> d.Outline:
    return d.Outline(
        title=message.title,
        subtitle=message.subtitle,
        items=tuple(
            d.OutlineItem(
                item.title,
                LAYOUTS_FROM_PROTO.get(item.layout, d.Layout.BULLETS),
                tuple(item.key_points),
                item.section,
            )
            for item in message.items
        ),
    )


# -- resources ------------------------------------------------------------------------------------


def artifact_to_proto(artifact: d.Artifact) -> pb.Artifact:
    message = pb.Artifact(
        name=artifact.name,
        format=FORMATS[artifact.format],
        media_type=artifact.media_type,
        size_bytes=artifact.size_bytes,
        sha256=artifact.sha256,
        uri=artifact.uri,
    )
    if artifact.slide_index is not None:
        message.slide_index = artifact.slide_index
    return message


def usage_to_proto(usage: d.Usage) -> pb.Usage:
    return pb.Usage(
        prompt_tokens=usage.prompt_tokens, completion_tokens=usage.completion_tokens, images=usage.images
    )


def presentation_to_proto(presentation: d.Presentation) -> pb.Presentation:
    message = pb.Presentation(
        name=presentation.name,
        state=STATES[presentation.state],
        artifacts=[artifact_to_proto(a) for a in presentation.artifacts],
        usage=usage_to_proto(presentation.usage),
        request_id=presentation.request_id,
        create_time=_timestamp(presentation.create_time),
        update_time=_timestamp(presentation.update_time),
        error_message=presentation.error,
    )
    if presentation.deck is not None:
        message.deck.CopyFrom(deck_to_proto(presentation.deck))
    if presentation.outline is not None:
        message.outline.CopyFrom(outline_to_proto(presentation.outline))
    return message


def theme_to_proto(theme: d.Theme) -> pb.Theme:
    return pb.Theme(
        id=theme.id,
        display_name=theme.display_name,
        description=theme.description,
        background_color=theme.background,
        text_color=theme.text,
        primary_color=theme.primary,
        accent_color=theme.accent,
        heading_font=theme.heading_font,
        body_font=theme.body_font,
        dark=theme.dark,
        family=theme.family or theme.id,
    )


def template_to_proto(template: d.Template) -> pb.Template:
    message = pb.Template(
        name=template.name,
        display_name=template.display_name,
        layouts=[LAYOUTS[layout] for layout in template.layouts],
        layout_names=list(template.layout_names),
    )
    message.create_time.FromNanoseconds(int(template.create_time * 1e9))
    return message


def warning_to_proto(warning: ev.Warning) -> spb.GenerationEvent.Warning:
    # Defence in depth: no key-like text reaches a caller, whatever produced the warning.
    message = spb.GenerationEvent.Warning(code=warning.code, message=scrub(warning.message))
    if warning.slide_index is not None:
        message.slide_index = warning.slide_index
    return message


# -- events ---------------------------------------------------------------------------------------


def event_to_proto(event: ev.SequencedEvent, presentation_id: str, resume_token: str) -> spb.GenerationEvent:
    """Translate a non-terminal-failure event; `Failed` becomes a status, never a message."""
    message = spb.GenerationEvent(
        sequence=event.sequence,
        presentation=d.presentation_name(presentation_id),
        resume_token=resume_token,
        create_time=_timestamp(event.time),
    )
    GE = spb.GenerationEvent
    match event.event:
        case ev.Accepted(presentation):
            message.accepted.CopyFrom(GE.Accepted(presentation=presentation_to_proto(presentation)))
        case ev.OutlineItemReady(index, item):
            message.outline_item.CopyFrom(GE.OutlineItemReady(index=index, item=outline_item_to_proto(item)))
        case ev.OutlineReady(outline):
            message.outline.CopyFrom(GE.OutlineReady(outline=outline_to_proto(outline)))
        case ev.SlideReady(index, slide, total, usage, _, fraction):
            message.slide.CopyFrom(
                GE.SlideReady(
                    slide=slide_to_proto(slide, index),
                    total_slides=total,
                    usage=usage_to_proto(usage),
                    fraction=fraction,
                )
            )
        case ev.ImageReady(slide_index, artifact, alt_text):
            message.image.CopyFrom(
                GE.ImageReady(
                    slide_index=slide_index, artifact=artifact_to_proto(artifact), alt_text=alt_text
                )
            )
        case ev.ArtifactReady(artifact):
            message.artifact.CopyFrom(GE.ArtifactReady(artifact=artifact_to_proto(artifact)))
        case ev.Progress(stage, fraction, text):
            message.progress.CopyFrom(GE.Progress(stage=STAGES[stage], fraction=fraction, message=text))
        case ev.Warning():
            message.warning.CopyFrom(warning_to_proto(event.event))
        case ev.Completed(presentation):
            message.completed.CopyFrom(GE.Completed(presentation=presentation_to_proto(presentation)))
        case ev.Failed():
            raise ValueError("Failed events end the stream with a status")
    return message
