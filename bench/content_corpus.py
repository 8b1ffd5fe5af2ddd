"""The embedded engine on the content corpus: planning time per deck, and the deck's shape.

Prints, for each corpus document at the count a caller would ask for, the milliseconds to plan the
deck (median of 5), the slides made of those asked, and the layouts used; then the slowest deck and
its ratio to the limit (100 ms per deck: small beside rendering, ~1.3 s with the PDF). Exits 1 when
the ratio is above 1.

    .venv/bin/python bench/content_corpus.py
"""

from __future__ import annotations

import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from deckgen.content._language import deck_language
from deckgen.content.embedded._markdown import Paragraph, parse
from deckgen.content.embedded._planner import plan_deck
from tests.content.corpus import DOCUMENTS, source

_LIMIT_MS = 100.0
_RUNS = 5


def main() -> int:
    worst = 0.0
    for document in DOCUMENTS:
        file = source(document)
        times = []
        for _ in range(_RUNS):
            start = time.perf_counter()
            parsed = parse(file.name, file.media_type, file.content)
            text = " ".join(b.text for b in parsed.blocks if isinstance(b, Paragraph))
            plan = plan_deck(
                [parsed],
                topic="",
                slide_count=document.slide_count,
                condense=True,
                speaker_notes=True,
                language=deck_language("en", text),
            )
            times.append((time.perf_counter() - start) * 1000)
        median = statistics.median(times)
        worst = max(worst, median)
        layouts = Counter(slide.layout.value for slide in plan.slides)
        shape = ", ".join(f"{name} {count}" for name, count in sorted(layouts.items()))
        made = f"{len(plan.slides):2}/{document.slide_count:<2}"
        print(f"{document.name:26} {median:6.1f} ms  {made} slides  {shape}")
    print(f"slowest deck {worst:.1f} ms, limit {_LIMIT_MS:.0f} ms, ratio {worst / _LIMIT_MS:.2f}")
    return 0 if worst <= _LIMIT_MS else 1


if __name__ == "__main__":
    raise SystemExit(main())
