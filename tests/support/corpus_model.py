"""A verbose, Markdown-happy "model" for the fake LLM server that writes decks from the source passages
it is given, the way real models misbehave: it plans its own title slide, puts the closing slide in
the middle, wraps titles in `**bold**`, and fills slides with long, formatted sentences."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from tests.support.deck_model import task_of
from tests.support.fake_llm import RecordedRequest, Reply

__all__ = ["CorpusModel"]

_PASSAGE = re.compile(
    r"^\[(S\d+)\] \((?P<document>[^:]+): (?P<locator>[^)]*)\)\n(?P<text>.+?)(?=\n\n\[S\d+\] |\Z)", re.M | re.S
)


def _user(request: RecordedRequest) -> str:
    messages = (request.body or {}).get("messages") or []
    return "\n".join(
        str(m.get("content", "")) for m in messages if isinstance(m, dict) and m.get("role") == "user"
    )


def _heading(locator: str) -> str:
    path = locator.split(",", 1)[0]
    return path.split(" > ")[-1].strip() or "Overview"


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?。])\s+", " ".join(text.split())) if len(s.strip()) > 20]


@dataclass
class CorpusModel:
    title: str

    def _outline(self, user: str) -> str:
        wanted = re.search(r"Plan exactly (\d+) slides?", user)
        count = int(wanted.group(1)) if wanted else 8
        headings = list(dict.fromkeys(_heading(m.group("locator")) for m in _PASSAGE.finditer(user)))
        items = [{"title": f"**{self.title}**", "layout": "title", "key_points": ["An overview"]}]
        for number, heading in enumerate(headings[: max(count - 1, 1)]):
            items.append(
                {
                    "title": f"**{heading}**: what it means",
                    "layout": "bullets",
                    "key_points": [f"*{heading}* in detail"],
                }
            )
            if number == 1:
                # Real models put the wrap-up wherever they please.
                items.append(
                    {"title": "Wrapping up", "layout": "closing", "key_points": ["What to remember"]}
                )
        return json.dumps({"title": f"# {self.title}", "subtitle": "", "slides": items}, ensure_ascii=False)

    def _slide(self, user: str) -> str:
        title = re.search(r"Write slide \d+: (.+)", user)
        layout = re.search(r"^Layout: (\w+)", user, re.MULTILINE)
        passages = [m.group("text") for m in _PASSAGE.finditer(user)]
        sentences = [s for text in passages for s in _sentences(text)][:4] or ["Nothing in the sources."]
        bullets = [{"text": f"**Key point:** {sentence[:140]}", "level": 0} for sentence in sentences]
        slide = {
            "layout": "closing" if layout and layout.group(1) == "closing" else "bullets",
            "title": (title.group(1) if title else "A slide").strip(),
            "bullets": bullets,
            "notes": "In this slide we will talk at some length about " + " ".join(sentences),
            "sources": [],
        }
        return json.dumps(slide, ensure_ascii=False)

    def respond(self, request: RecordedRequest) -> Reply:
        task = task_of(request)
        user = _user(request)
        if task == "outline":
            return Reply(content=self._outline(user))
        if task in ("slide", "repair-slide"):
            return Reply(content=self._slide(user))
        return Reply(content="OK")
