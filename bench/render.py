"""Rendering cost: a 20-slide deck of every layout to PPTX, then to PDF and one preview per slide.

Usage: python bench/render.py [--runs N]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from deckgen import render  # noqa: E402
from deckgen.domain import Deck  # noqa: E402
from deckgen.providers.export import LibreOfficeExporter, export_available  # noqa: E402
from tests.render.decks import IMAGE_URI, every_layout_deck, png  # noqa: E402

SLIDES = 20
# Targets on 2 cores: the PPTX must never be what a caller waits for; the export is LibreOffice's.
LIMITS = {"pptx_ms": 500.0, "pdf_and_previews_ms": 4000.0, "per_slide_total_ms": 200.0}


def deck() -> Deck:
    base = every_layout_deck()
    return Deck(base.title, slides=(base.slides * SLIDES)[:SLIDES], language="en")


async def measure(runs: int) -> dict[str, list[float]]:
    theme = render.get_theme("default")
    images = {IMAGE_URI: png()}
    source = deck()
    render.render_pptx(source, theme, images)  # warm-up: fonts and imports
    figures: dict[str, list[float]] = {"pptx_ms": [], "pdf_ms": [], "previews_ms": [], "first_preview_ms": []}
    exporter = LibreOfficeExporter() if export_available() else None
    try:
        if exporter is not None:
            await exporter.pdf(render.render_pptx(source, theme, images))  # creates the LibreOffice profile
        for _ in range(runs):
            started = time.perf_counter()
            pptx = render.render_pptx(source, theme, images)
            figures["pptx_ms"].append((time.perf_counter() - started) * 1000)
            if exporter is None:
                continue
            started = time.perf_counter()
            pdf = await exporter.pdf(pptx)
            figures["pdf_ms"].append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            first = 0.0
            async for _ in exporter.previews(pdf):
                first = first or (time.perf_counter() - started) * 1000
            figures["previews_ms"].append((time.perf_counter() - started) * 1000)
            figures["first_preview_ms"].append(first)
    finally:
        if exporter is not None:
            await exporter.aclose()
    return figures


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    figures = asyncio.run(measure(args.runs))
    median = {name: statistics.median(values) for name, values in figures.items() if values}
    print(f"{SLIDES}-slide deck, every layout, theme default, {args.runs} runs (medians)")
    for name, value in median.items():
        print(f"  {name:<18} {value:8.1f} ms")
    results = {"pptx_ms": median["pptx_ms"]}
    if "pdf_ms" in median:
        both = median["pdf_ms"] + median["previews_ms"]
        results["pdf_and_previews_ms"] = both
        results["per_slide_total_ms"] = (median["pptx_ms"] + both) / SLIDES
    else:
        print("  (LibreOffice/poppler missing: PDF and previews not measured; run `make system-deps`)")
    worst = 0.0
    for name, value in results.items():
        ratio = value / LIMITS[name]
        worst = max(worst, ratio)
        print(f"  {name:<22} {value:8.1f}   limit {LIMITS[name]:7.1f}   ratio {ratio:4.2f}")
    return 0 if worst <= 1.0 else 1


if __name__ == "__main__":
    sys.exit(main())
