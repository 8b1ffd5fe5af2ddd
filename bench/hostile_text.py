"""Planning cost of hostile documents: every shape must cost time in proportion to its size.

Each shape (runs of backticks, "[[[…", "_a _a …", unclosed emphasis, escapes, long sentences of
"!." …) is planned by the embedded engine at two sizes, parse and plan together, on this process's
CPU clock. Two figures per shape, each with its ratio to the limit (<= 1.00 is within it):
- growth: CPU at the larger size over CPU at half of it. Linear work doubles (2.0); the limit is
  2.5. A quadratic reader gives 4 and more, and at a megabyte, hours.
- against ordinary text: CPU per MB over an ordinary document's (the corpus handbook repeated).
  The limit is 8: a paragraph of markup costs more than prose, but not without bound.
The exit status is non-zero when any ratio is above 1.

Usage: python bench/hostile_text.py [--size BYTES] [--shape NAME ...]
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

from deckgen.content.embedded._markdown import parse  # noqa: E402
from deckgen.content.embedded._planner import plan_deck  # noqa: E402

GROWTH_LIMIT = 2.5
ORDINARY_LIMIT = 8.0


def _handbook(size: int) -> str:
    text = (ROOT / "tests/content/corpus/handbook.md").read_text(encoding="utf-8")
    return (text * (size // len(text) + 1))[:size]


SHAPES: dict[str, Callable[[int], str]] = {
    "ordinary": _handbook,
    "one long paragraph": lambda n: "The fox jumps over the dog near 12 rivers, twice a day. " * (n // 56),
    "backticks": lambda n: "x " + "`" * n,
    "code spans": lambda n: "`a` " * (n // 4),
    "underscores": lambda n: "_a " * (n // 3),
    "stars": lambda n: "x " + "*" * n,
    "openers and closers": lambda n: "*a " * (n // 6) + " a_" * (n // 6),
    "brackets": lambda n: "[" * n,
    "escapes": lambda n: "\\*" * (n // 2),
    # After a word: a line that opens on one is a comment block, hidden whole (and cheap).
    "comments": lambda n: "x " + "<!--" * (n // 4),
    "comment blocks": lambda n: "<!-- a -->\n" * (n // 11),
    "math": lambda n: "$\\frac{a}{b}^{2}$ " * (n // 18),
    "autolinks": lambda n: "<http:" * (n // 6),
    "bangs": lambda n: "Yes!." * (n // 5),
    "clauses": lambda n: "ab; " * (n // 4),
    "spaced words": lambda n: "a" + " " * n + "b",
}


def plan_seconds(body: str) -> float:
    # The previous shape's garbage is not this one's cost.
    gc.collect()
    started = time.process_time()
    document = parse("hostile.md", "text/markdown", f"# Title\n\n{body}\n".encode())
    plan_deck([document], topic="", slide_count=10, condense=True, speaker_notes=True)
    return time.process_time() - started


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", type=int, default=1_000_000, help="the larger size, in characters")
    parser.add_argument("--shape", action="append", choices=sorted(SHAPES), help="only these shapes")
    args = parser.parse_args()
    size: int = args.size
    names = args.shape or list(SHAPES)
    ordinary = plan_seconds(SHAPES["ordinary"](size)) / (size / 1e6)
    print(f"hostile text: parse and plan at {size // 2:,} and {size:,} characters (CPU s)")
    worst = 0.0
    for name in names:
        half, whole = (plan_seconds(SHAPES[name](n)) for n in (size // 2, size))
        growth = whole / max(half, 1e-3) / GROWTH_LIMIT
        against = whole / (size / 1e6) / ordinary / ORDINARY_LIMIT
        worst = max(worst, growth, against)
        print(
            f"  {name:20} {half:6.2f} s -> {whole:6.2f} s   growth {whole / max(half, 1e-3):4.2f} "
            f"(ratio {growth:.2f})   per MB vs ordinary {whole / (size / 1e6) / ordinary:4.1f}x "
            f"(ratio {against:.2f})",
            flush=True,
        )
    print(f"ordinary text: {ordinary:.2f} CPU s per MB; worst ratio {worst:.2f}")
    return 0 if worst <= 1.0 else 1


if __name__ == "__main__":
    sys.exit(main())
