"""A scripted "model" for the fake LLM server: answers deckgen's prompts the way a good model would.

It reads the `deckgen task: <kind>` line and the plain-text instructions of each prompt, and writes
compact, schema-valid JSON of realistic size, so tests and benchmarks exercise the real parsing,
streaming and timing paths. Faults are injected per test by wrapping `respond`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from tests.support.fake_llm import RecordedRequest, Reply

__all__ = ["DeckModel", "task_of", "slide_number", "topic_of"]

_TOPIC_WORDS = ("latency", "streams", "retries", "deadlines", "schemas", "caching", "tracing", "scaling")


def _messages(request: RecordedRequest) -> list[dict[str, Any]]:
    body = request.body or {}
    messages = body.get("messages")
    return [m for m in messages if isinstance(m, dict)] if isinstance(messages, list) else []


def task_of(request: RecordedRequest) -> str:
    """outline, repair-outline, slide, repair-slide, regenerate-slide, or "" for a call not deckgen's."""
    messages = _messages(request)
    first = str(messages[0].get("content", "")) if messages else ""
    match = re.match(r"deckgen task: ([\w-]+)", first)
    return match.group(1) if match else ""


def _user(request: RecordedRequest) -> str:
    return "\n".join(str(m.get("content", "")) for m in _messages(request) if m.get("role") == "user")


def slide_number(request: RecordedRequest) -> int | None:
    """The 1-based slide a slide call writes."""
    match = re.search(r"Write slide (\d+): ", _user(request))
    return int(match.group(1)) if match else None


def topic_of(request: RecordedRequest) -> str | None:
    """The topic of the deck a slide call writes for."""
    match = re.search(r"^Topic of the deck: (.+)$", _user(request), re.MULTILINE)
    return match.group(1) if match else None


def outline_json(
    count: int, closing: bool, topic: str, image_items: frozenset[int] = frozenset(), terse: bool = False
) -> str:
    """A plan of `count` items: 2-3 key points of a real model's length each, or one intent when terse."""
    items = []
    for number in range(1, count + 1):
        last = closing and number == count
        word = _TOPIC_WORDS[number % len(_TOPIC_WORDS)]
        item: dict[str, Any] = {
            "title": "Key takeaways and next steps" if last else f"How {word} shapes part {number}",
            "layout": "closing"
            if last
            else "image_text"
            if number in image_items
            else ("two_columns" if number % 4 == 0 else "bullets"),
        }
        if terse:
            item["intent"] = f"Why {word} matters in part {number}, with one measured example"
        else:
            item["key_points"] = [
                f"{word} matters because callers feel it first, long before dashboards show it",
                f"measure {word} end to end, per stage, before and after every change",
                f"budget {word} per stage and alert on the p95 rather than the average",
            ]
        items.append(item)
    outline = {"title": topic[:60] or "A generated deck", "subtitle": "What matters and why", "slides": items}
    return json.dumps(outline, ensure_ascii=False)


def slide_json(title: str, layout: str, notes: bool, image: bool) -> str:
    bullets = [
        {"text": f"{title.split()[-1].capitalize()} decides how callers experience the system", "level": 0},
        {"text": "Measure it end to end before and after every change", "level": 0},
        {"text": "Budget it per stage: outline, slides, render, storage", "level": 1},
        {"text": "Alert on the p95, not the average", "level": 0},
    ]
    slide: dict[str, Any] = {"layout": layout, "title": title}
    if layout == "two_columns":
        slide["left"] = {"heading": "Before", "bullets": ["One call", "Waits for all"]}
        slide["right"] = {"heading": "After", "bullets": ["Many calls", "Streams each slide"]}
    elif layout == "image_text" and image:
        slide["bullets"] = bullets[:2]
        slide["image_prompt"] = f"A clean diagram about {title.lower()}"
        slide["image_alt"] = f"Diagram illustrating {title.lower()}"
    else:
        slide["layout"] = "closing" if layout == "closing" else "bullets"
        slide["bullets"] = bullets
    if notes:
        slide["notes"] = "Walk through each point with one concrete example from production."
    slide["sources"] = []
    return json.dumps(slide, ensure_ascii=False)


def _follow(written: str, instruction: str) -> str:
    """A slide rewritten as a good model would: fewer points for "shorter", one more for anything else."""
    slide = json.loads(written)
    bullets = slide.get("bullets") or []
    if re.search(r"short|concise|fewer", instruction, re.IGNORECASE):
        slide["bullets"] = bullets[:2]
    else:
        slide["bullets"] = [*bullets[:5], {"text": f"Example: {instruction[:120]}", "level": 0}]
    return json.dumps(slide, ensure_ascii=False)


@dataclass
class DeckModel:
    """Writes outlines and slides at a given pace; `tweak` can alter any reply (faults, delays)."""

    ttft: float = 0.0
    tokens_per_second: float | None = None
    tweak: Callable[[RecordedRequest, Reply], Reply] | None = None
    image_items: frozenset[int] = frozenset()
    """Outline items (1-based, title slide excluded) planned with the image_text layout."""

    def content(self, request: RecordedRequest) -> str:
        task = task_of(request)
        user = _user(request)
        system = str(_messages(request)[0].get("content", "")) if _messages(request) else ""
        if task in ("outline", "repair-outline"):
            match = re.search(r"Plan exactly (\d+) slides?", user)
            count = int(match.group(1)) if match else 8
            topic = re.search(r"^Topic: (.+)$", user, re.MULTILINE)
            closing = "The last slide is the closing slide" in user
            terse = '"intent"' in system
            return outline_json(count, closing, topic.group(1) if topic else "", self.image_items, terse)
        if task in ("slide", "repair-slide", "regenerate-slide"):
            title_match = re.search(r"Write slide \d+: (.+)", user)
            layout_match = re.search(r"^Layout: (\w+)", user, re.MULTILINE)
            title = title_match.group(1).strip() if title_match else "A rewritten slide"
            if task == "regenerate-slide":
                now = re.search(r'now:\n\{[^\n]*?"title": "([^"]+)"', user)
                title = now.group(1) if now else title
            layout = layout_match.group(1) if layout_match else "bullets"
            notes = "Leave notes empty." not in system
            image = "Pictures are off" not in system
            written = slide_json(title, layout, notes, image)
            instruction = re.search(r"^Instruction: (.+)$", user, re.MULTILINE)
            return (
                _follow(written, instruction.group(1))
                if task == "regenerate-slide" and instruction
                else written
            )
        return "OK"

    def respond(self, request: RecordedRequest) -> Reply:
        if request.path.endswith("/images/generations"):
            reply = Reply(ttft=self.ttft)
        else:
            reply = Reply(
                content=self.content(request), ttft=self.ttft, tokens_per_second=self.tokens_per_second
            )
        return self.tweak(request, reply) if self.tweak is not None else reply

    def with_tweak(self, tweak: Callable[[RecordedRequest, Reply], Reply]) -> DeckModel:
        return replace(self, tweak=tweak)
