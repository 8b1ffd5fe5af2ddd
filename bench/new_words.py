"""Text never measured before: fitting and writing 10-slide decks whose every word is new.

A real model's slides are new text, and the caches of text widths help only with words seen
before. Each deck here is made of made-up words (a fixed seed, so runs compare), fitted slide by
slide as the pipeline fits them when they are announced, then written to PPTX as the render worker
writes them; all in this process, CPU time, median over the decks.

Usage: python bench/new_words.py [--decks N]
"""

from __future__ import annotations

import argparse
import random
import statistics
import string
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "service"))

from deckgen import render  # noqa: E402
from deckgen.domain import Bullet, Deck, Layout, Slide  # noqa: E402

SLIDES = 10
# Half the 20-slide render's limit (80 ms): ten slides of new words, fitted and written.
LIMITS = {"fit_and_pptx_ms": 40.0}


class Words:
    def __init__(self, seed: int) -> None:
        self._random = random.Random(seed)

    def word(self) -> str:
        return "".join(
            self._random.choice(string.ascii_lowercase) for _ in range(self._random.randint(3, 10))
        )

    def sentence(self, count: int) -> str:
        return " ".join(self.word() for _ in range(count)).capitalize() + "."

    def deck(self) -> Deck:
        slides = tuple(
            Slide(
                Layout.BULLETS,
                self.sentence(4).rstrip("."),
                bullets=tuple(
                    Bullet(self.sentence(self._random.randint(6, 16)))
                    for _ in range(self._random.randint(2, 5))
                ),
            )
            for _ in range(SLIDES)
        )
        return Deck(self.sentence(3).rstrip("."), slides)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--decks", type=int, default=15)
    args = parser.parse_args()
    theme = render.get_theme("default")
    words = Words(7)
    render.render_pptx(words.deck(), theme)  # warm-up: fonts and imports
    fits, writes = [], []
    for _ in range(args.decks):
        deck = words.deck()
        started = time.process_time()
        slides = tuple(part for slide in deck.slides for part in render.fit_slide(slide, theme).slides)
        fits.append((time.process_time() - started) * 1000)
        started = time.process_time()
        render.render_pptx(Deck(deck.title, slides), theme, {}, fitted=True)
        writes.append((time.process_time() - started) * 1000)
    fit, write = statistics.median(fits), statistics.median(writes)
    print(
        f"{args.decks} decks of {SLIDES} slides of new words: fit {fit:.1f} ms, PPTX {write:.1f} ms (medians)"
    )
    value = statistics.median(f + w for f, w in zip(fits, writes, strict=True))
    limit = LIMITS["fit_and_pptx_ms"]
    ratio = value / limit
    print(f"  {'fit_and_pptx_ms':<22} {value:8.1f}   limit {limit:7.1f}   ratio {ratio:4.2f}")
    return 0 if ratio <= 1.0 else 1


if __name__ == "__main__":
    sys.exit(main())
