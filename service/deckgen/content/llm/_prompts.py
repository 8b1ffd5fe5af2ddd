"""The messages deckgen sends to a model. Each system prompt starts with `deckgen task: <kind>`,
which keeps logs readable and lets test doubles tell the calls apart."""

from __future__ import annotations

import json
from collections.abc import Sequence

from deckgen.content.llm._grounding import Chunk
from deckgen.content.llm._schema import OUTLINE_SCHEMA, SLIDE_SCHEMA, TERSE_OUTLINE_SCHEMA, describe
from deckgen.domain import (
    AudienceLevel,
    Deck,
    GenerationSpec,
    Layout,
    Outline,
    OutlineItem,
    Slide,
    TextMode,
    limits,
)
from deckgen.domain._codec import to_jsonable
from deckgen.providers.llm import ChatMessage, ChatRequest

__all__ = [
    "outline_request",
    "regenerate_request",
    "repair_request",
    "slide_request",
]

_AUDIENCE = {
    AudienceLevel.BEGINNER: "newcomers to the subject: define terms, prefer concrete examples, avoid jargon",
    AudienceLevel.INTERMEDIATE: "practitioners who know the basics: skip definitions, focus on how and why",
    AudienceLevel.ADVANCED: "experts: be precise and dense, cover trade-offs, edge cases and numbers",
}
_TEXT_MODE = {
    TextMode.GENERATE: (
        "Write original content about the topic. Use the source passages, when given, as supporting "
        "material and cite the ones you use."
    ),
    TextMode.CONDENSE: (
        "Summarise the source passages faithfully: every statement must come from them; add no facts "
        "of your own. Cite the passages you use."
    ),
    TextMode.PRESERVE: (
        "Keep the author's wording: copy sentences and list items from the source passages verbatim "
        "(shorten only by leaving words out), and only split the text into slides and lay it out. "
        "Cite the passages you use."
    ),
}
_CONSTRAINTS = (
    f"Slide titles at most {limits.MAX_TITLE_CHARS} characters; at most {limits.MAX_BULLETS} bullets, "
    f"each at most {limits.MAX_BULLET_CHARS} characters, levels 0 to {limits.MAX_BULLET_LEVEL}; a body "
    f"at most {limits.MAX_BODY_CHARS} characters; tables at most {limits.MAX_TABLE_COLUMNS} columns."
)
# Budgets in characters (about four per token) for source text inside one prompt.
OUTLINE_SOURCE_CHARS = 24_000
SLIDE_SOURCE_CHARS = 6_000


def _style(spec: GenerationSpec) -> str:
    lines = [
        f"Write in the language with BCP-47 tag `{spec.language}`.",
        f"Audience: {_AUDIENCE[spec.audience]}.",
        _TEXT_MODE[spec.text_mode],
    ]
    if spec.tone:
        lines.append(f"Tone: {spec.tone}.")
    return "\n".join(lines)


_LAYOUT_USES = {
    Layout.BULLETS: "bullets (default)",
    Layout.AGENDA: "agenda (what the deck covers, right after the title)",
    Layout.TWO_COLUMNS: "two_columns (comparisons, pros and cons, before and after)",
    Layout.TABLE: "table (structured facts)",
    Layout.CHART: "chart (numbers over categories or time)",
    Layout.STATISTIC: "statistic (one to three headline numbers)",
    Layout.TIMELINE: "timeline (dates, phases or the steps of a process)",
    Layout.QUOTE: "quote",
    Layout.IMAGE_TEXT: "image_text (a concept that a picture explains)",
    Layout.SECTION: "section (a divider before a group of slides)",
    Layout.CLOSING: "closing (the last slide: takeaways and next steps)",
}


def _usable(spec: GenerationSpec) -> list[Layout]:
    return [layout for layout in _LAYOUT_USES if not spec.allowed_layouts or layout in spec.allowed_layouts]


def _layout_menu(spec: GenerationSpec) -> str:
    return "Layouts: " + ", ".join(_LAYOUT_USES[layout] for layout in _usable(spec)) + "."


def _allowed(spec: GenerationSpec) -> str:
    if not spec.allowed_layouts:
        return ""
    return "Use only these layouts: " + ", ".join(layout.value for layout in _usable(spec)) + "."


def _json_instructions(schema: dict[str, object]) -> str:
    return (
        "Reply with one JSON object and nothing else (no code fences, no commentary), matching this "
        f"JSON Schema:\n{json.dumps(schema, separators=(',', ':'))}"
    )


# Written once: the schemas are constants, and encoding the slide's took ~0.1 ms per call.
_OUTLINE_JSON = _json_instructions(OUTLINE_SCHEMA)
_TERSE_OUTLINE_JSON = _json_instructions(TERSE_OUTLINE_SCHEMA)
_SLIDE_JSON = _json_instructions(SLIDE_SCHEMA)


def outline_request(
    spec: GenerationSpec, items_wanted: int | None, source_digest: str, closing: bool, terse: bool = False
) -> ChatRequest:
    """The plan of a deck. Terse when its slides are written at once, not shown to the caller first:
    titles, layouts and one line each, which is all the slide writers need to stay apart."""
    if items_wanted is None:
        count = "Plan between 6 and 10 slides."
    else:
        count = f"Plan exactly {items_wanted} slide{'s' if items_wanted != 1 else ''}."
    system = "\n".join(
        [
            "deckgen task: outline",
            "You plan slide decks. A title slide is added separately: do not plan one.",
            _style(spec),
            "For each slide give a specific, informative title (a claim or a question, not a single "
            "word), the layout that suits its content best and "
            + (_TERSE_ITEM if terse else "2-5 key points it must make. ")
            + _layout_menu(spec),
            _TERSE_OUTLINE_JSON if terse else _OUTLINE_JSON,
        ]
    )
    user = [count]
    if closing:
        user.append("The last slide is the closing slide (layout closing).")
    if spec.topic:
        user.append(f"Topic: {spec.topic}")
    if source_digest:
        user.append(f"Source passages (cite by their [S…] ids):\n{source_digest}")
    return ChatRequest(
        messages=(ChatMessage("system", system), ChatMessage("user", "\n\n".join(user))),
        purpose="outline",
        schema=TERSE_OUTLINE_SCHEMA if terse else OUTLINE_SCHEMA,
        schema_name="deck_outline",
        max_tokens=(300 + 60 * (items_wanted or 10)) if terse else (600 + 120 * (items_wanted or 10)),
        temperature=0.4,
    )


_TERSE_ITEM = (
    "its intent: one short line (at most 15 words) saying what this slide alone covers, so that no "
    "two slides say the same thing. Be brief: each slide is written from this plan at once. "
)


def _outline_summary(outline: Outline, index: int, complete: bool, terse: bool = False) -> str:
    lines = [f"Deck: {outline.title}" + (f" — {outline.subtitle}" if outline.subtitle else "")]
    for position, item in enumerate(outline.items):
        marker = "  <- this slide" if position == index else ""
        # A terse plan's one line per slide is what keeps each writer off the others' ground.
        intent = f": {item.key_points[0]}" if terse and item.key_points and position else ""
        lines.append(f"{position + 1}. [{item.layout.value}] {item.title}{intent}{marker}")
    if not complete:
        lines.append("(more slides follow; they are still being planned)")
    return "\n".join(lines)


def _passages(chunks: Sequence[Chunk]) -> str:
    return "\n\n".join(f"[{c.id}] ({c.document}: {c.locator})\n{c.text}" for c in chunks)


def slide_request(
    spec: GenerationSpec,
    outline: Outline,
    index: int,
    item: OutlineItem,
    passages: Sequence[Chunk],
    wants_image: bool,
    outline_complete: bool = True,
    terse: bool = False,
) -> ChatRequest:
    system = "\n".join(
        [
            "deckgen task: slide",
            "You write one slide of a deck whose outline is given. Stay on this slide's subject; do not "
            "repeat what other slides cover.",
            _style(spec),
            _CONSTRAINTS,
            "Fill only the fields the layout uses: bullets or body for bullets, bullets (one per item) "
            "for agenda, left and right for two_columns, table for table, chart (type, categories and "
            "one value per category in each series) for chart, quote for quote, steps (label such as a "
            "date or step number, title, one-sentence detail) for timeline, statistics (value with its "
            "unit, label, context) for statistic.",
            _allowed(spec),
            (
                "For image_text give image_prompt (what the picture shows, for an image model; no text "
                "in the picture) and image_alt (a one-sentence description for screen readers)."
                if wants_image
                else "Pictures are off: do not use the image_text layout."
            ),
            (
                "Write speaker notes (notes): what the presenter says, 2-5 sentences."
                if spec.speaker_notes
                else "Leave notes empty."
            ),
            "List the ids of the source passages you used in sources.",
            _SLIDE_JSON,
        ]
    )
    user = [
        _outline_summary(outline, index, outline_complete, terse),
        f"Write slide {index + 1}: {item.title}",
        f"Layout: {item.layout.value}",
    ]
    if terse and item.key_points:
        user.append(
            f"What this slide covers: {item.key_points[0]}\nChoose its points yourself, within this; "
            "leave what the other slides cover to them."
        )
    elif item.key_points:
        user.append("Key points:\n" + "\n".join(f"- {point}" for point in item.key_points))
    if spec.topic:
        user.append(f"Topic of the deck: {spec.topic}")
    if passages:
        user.append(f"Source passages:\n{_passages(passages)}")
    return ChatRequest(
        messages=(ChatMessage("system", system), ChatMessage("user", "\n\n".join(user))),
        purpose="slides",
        schema=SLIDE_SCHEMA,
        schema_name="slide",
        max_tokens=1200,
        temperature=0.4,
    )


def repair_request(original: ChatRequest, reply: str, problems: Sequence[str]) -> ChatRequest:
    system = original.messages[0].content
    # `slide` → `repair-slide`, `outline` → `repair-outline`: the model (and a log reader) sees a repair.
    what = "outline" if system.startswith("deckgen task: outline") else "slide"
    system = system.replace(f"deckgen task: {what}", f"deckgen task: repair-{what}", 1)
    return ChatRequest(
        messages=(
            ChatMessage("system", system),
            *original.messages[1:],
            ChatMessage("assistant", reply[:8000] or "(no reply)"),
            ChatMessage(
                "user",
                "That reply cannot be used:\n"
                + describe(problems)
                + f"\nWrite the complete, corrected JSON object for the {what}, and nothing else.",
            ),
        ),
        purpose=original.purpose,
        schema=original.schema,
        schema_name=original.schema_name,
        max_tokens=original.max_tokens,
        temperature=0.2,
    )


def regenerate_request(
    spec: GenerationSpec, deck: Deck, index: int, instruction: str, passages: Sequence[Chunk]
) -> ChatRequest:
    slide: Slide = deck.slides[index]
    neighbours = [
        json.dumps(to_jsonable(deck.slides[i]), ensure_ascii=False)
        for i in (index - 1, index + 1)
        if 0 <= i < len(deck.slides)
    ]
    system = "\n".join(
        [
            "deckgen task: regenerate-slide",
            "You rewrite one slide of an existing deck, following the user's instruction, in the same "
            "style, voice and level of detail as the slides around it.",
            _style(spec),
            _CONSTRAINTS,
            "Keep the layout unless the instruction asks for another one.",
            "Write speaker notes (notes)." if spec.speaker_notes else "Leave notes empty.",
            _SLIDE_JSON,
        ]
    )
    titles = "\n".join(f"{i + 1}. {s.title}" for i, s in enumerate(deck.slides))
    user = [
        f"Deck: {deck.title}\n{titles}",
        "Neighbouring slides (for style):\n" + "\n".join(neighbours) if neighbours else "",
        f"Slide {index + 1} now:\n{json.dumps(to_jsonable(slide), ensure_ascii=False)}",
        f"Instruction: {instruction}",
    ]
    if passages:
        user.append(f"Source passages:\n{_passages(passages)}")
    return ChatRequest(
        messages=(ChatMessage("system", system), ChatMessage("user", "\n\n".join(u for u in user if u))),
        purpose="slides",
        schema=SLIDE_SCHEMA,
        schema_name="slide",
        max_tokens=1200,
        temperature=0.5,
    )
