"""The loopback model of bench/load.py in a process of its own, so its CPU never counts as the server's.

Serves tests/support/fake_llm.py with the scripted DeckModel at the given pace, prints `PORT <n>`,
then answers commands on stdin: `records` prints one JSON line describing every chat call so far
(task, the deck's topic, the slide written, when it arrived and when its last token left),
`connections` how many connections it has accepted, `reset` forgets the calls.

`distinct`: every slide written has words no other slide has (one made-up word in each bullet and
in the notes), as a real model's decks do: the scripted slides otherwise repeat from deck to deck,
and every measurement of their text after the first is a cache hit.

Usage: python bench/_model.py TOKENS_PER_S TTFT_S API_KEY [distinct]
"""

from __future__ import annotations

import json
import random
import re
import sys
from dataclasses import replace
from pathlib import Path

import uvloop

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.deck_model import DeckModel, slide_number, task_of
from tests.support.fake_llm import FakeLLMServer, RecordedRequest, Reply

_TOPIC = re.compile(r"^Topic(?: of the deck)?: (.+)$", re.MULTILINE)


def _topic(record: RecordedRequest) -> str:
    messages = (record.body or {}).get("messages") or []
    user = "\n".join(
        str(m.get("content", "")) for m in messages if isinstance(m, dict) and m.get("role") == "user"
    )
    match = _TOPIC.search(user)
    return match.group(1) if match else ""


def _coined(rng: random.Random, text: str) -> str:
    words = text.split(" ")
    at = rng.randrange(len(words))
    words[at] += "".join(rng.choice("aeioulnrstk") for _ in range(6))
    return " ".join(words)


def _distinct(request: RecordedRequest, reply: Reply) -> Reply:
    if task_of(request) != "slide":
        return reply
    slide = json.loads(reply.content)
    rng = random.Random(f"{_topic(request)} {slide_number(request)}")
    if isinstance(slide.get("bullets"), list):
        slide["bullets"] = [
            {**bullet, "text": _coined(rng, bullet["text"])} if isinstance(bullet, dict) else bullet
            for bullet in slide["bullets"]
        ]
    if slide.get("notes"):
        slide["notes"] = _coined(rng, slide["notes"])
    return replace(reply, content=json.dumps(slide, ensure_ascii=False))


def main() -> None:
    rate, ttft, api_key = float(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
    model = DeckModel(ttft=ttft, tokens_per_second=rate)
    if sys.argv[4:] == ["distinct"]:
        model = model.with_tweak(_distinct)
    server = FakeLLMServer(api_key=api_key)
    # Standing in for a model on other machines, this process shares the benchmark's two cores
    # with the server under test: the lighter its loop, the less it moves the server's latencies.
    server.loop_factory = uvloop.new_event_loop
    with server as llm:
        llm.responder = model.respond
        print(f"PORT {llm.port}", flush=True)
        for line in sys.stdin:
            command = line.strip()
            if command == "records":
                records = [
                    {
                        "task": task_of(r),
                        "topic": _topic(r),
                        "slide": slide_number(r),
                        "received_at": r.received_at,
                        "finished_at": r.finished_at,
                    }
                    for r in llm.chat_requests
                ]
                print(json.dumps(records), flush=True)
            elif command == "connections":
                print(llm.connections_accepted, flush=True)
            elif command == "reset":
                llm.reset()
                llm.responder = model.respond
                print("OK", flush=True)


if __name__ == "__main__":
    main()
