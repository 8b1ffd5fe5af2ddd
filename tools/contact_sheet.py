"""Render decks to PNG pages and lay them out as a contact sheet, to look at what users get.

Usage:
  python tools/contact_sheet.py pages OUT_DIR [--theme ID] [--deck NAME ...]
      every page of each deck as OUT_DIR/<deck>-<theme>-NN.png (LibreOffice + pdftoppm)
  python tools/contact_sheet.py sheet OUT.png [--columns 4] [--width 1600]
      a grid of a few pages of a few decks, one row per deck, for the README
  python tools/contact_sheet.py documents OUT.png [--columns 4] [--width 1600]
      the same for decks written from documents of the content corpus, without a model

Decks: the render corpus (tests/render/corpus.py); for `documents`, decks the embedded engine
writes from tests/content/corpus at the slide count a caller would ask for.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "service"))

from PIL import Image, ImageDraw, ImageFont  # noqa: E402

from deckgen.content.embedded import EmbeddedEngine  # noqa: E402
from deckgen.domain import Deck, GenerationSpec, OutlineItem  # noqa: E402
from deckgen.providers.export import LibreOfficeExporter  # noqa: E402
from deckgen.render import get_theme, render_pptx  # noqa: E402
from tests.content.corpus import DOCUMENTS, source  # noqa: E402
from tests.render.corpus import assets, corpus  # noqa: E402


def decks() -> dict[str, Deck]:
    return dict(corpus())


async def _pages(deck: Deck, theme_id: str) -> list[bytes]:
    exporter = LibreOfficeExporter(profiles=1)
    try:
        pdf = await exporter.pdf(render_pptx(deck, get_theme(theme_id), assets()))
        pages = dict([page async for page in exporter.previews(pdf)])
    finally:
        await exporter.aclose()
    return [pages[number] for number in sorted(pages)]


def pages(out: Path, theme_id: str, names: list[str]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    available = decks()
    for name in names or list(available):
        for number, png in enumerate(asyncio.run(_pages(available[name], theme_id)), start=1):
            path = out / f"{name}-{theme_id}-{number:02d}.png"
            path.write_bytes(png)
            print(path)


_SHEET = (
    ("technical", "default", (1, 3, 4, 5, 6, 7)),
    ("technical", "midnight", (2, 7, 8, 9, 10, 3)),
    ("japanese", "editorial", (1, 3, 5, 6, 7, 2)),
    ("arabic", "forest", (1, 2, 5, 6, 4, 7)),
)


async def _written(name: str) -> Deck:
    """The deck the embedded engine writes from corpus document `name`, as the pipeline hands it on."""
    document = next(d for d in DOCUMENTS if d.name == name)
    engine = EmbeddedEngine()
    spec = GenerationSpec(sources=(source(document),), slide_count=document.slide_count)

    async def ignore(index: int, item: OutlineItem) -> None:
        pass

    outline = (await engine.outline(spec, ignore)).outline
    drafts = sorted([draft async for draft in engine.slides(spec, outline)], key=lambda d: d.index)
    slides = tuple(draft.slide for draft in drafts)
    return Deck(outline.title, slides, subtitle=outline.subtitle, language=document.language)


_DOCUMENTS_SHEET = (
    ("q3-report.md", "default", (1, 3, 4, 9)),
    ("night-bus-trial.md", "editorial", (4, 6, 7, 8)),
    ("benchmarks-appendix.md", "midnight", (3, 4, 5, 7)),
    ("remote-work-ja.md", "forest", (1, 2, 4, 7)),
)


def sheet(out: Path, columns: int, width: int, rows_from: str = "render") -> None:
    available = decks() if rows_from == "render" else {}
    if rows_from == "documents":
        available = {name: asyncio.run(_written(name)) for name, _, _ in _DOCUMENTS_SHEET}
    table = _SHEET if rows_from == "render" else _DOCUMENTS_SHEET
    gap = 12
    tile_w = (width - gap * (columns + 1)) // columns
    tile_h = tile_w * 9 // 16
    rows = [(name, theme, numbers[:columns]) for name, theme, numbers in table]
    canvas = Image.new("RGB", (width, gap + len(rows) * (tile_h + gap + 22)), "#e5e7eb")
    draw = ImageDraw.Draw(canvas)
    font = ImageFont.load_default(15)
    y = gap
    for name, theme_id, numbers in rows:
        # The default bitmap font has Latin only: the label names the deck, not its title.
        label = f"{name} deck" if rows_from == "render" else f"from {name}, no model"
        draw.text((gap, y), f"{label}, theme {theme_id}", "#111827", font)
        y += 22
        rendered = asyncio.run(_pages(available[name], theme_id))
        for column, number in enumerate(numbers):
            if number > len(rendered):
                continue
            with Image.open(io.BytesIO(rendered[number - 1])) as page:
                tile = page.convert("RGB").resize((tile_w, tile_h), Image.Resampling.LANCZOS)
            canvas.paste(tile, (gap + column * (tile_w + gap), y))
        y += tile_h + gap
    canvas.save(out, "PNG", optimize=True)
    print(out, f"{out.stat().st_size // 1024} KB")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    one = commands.add_parser("pages")
    one.add_argument("out", type=Path)
    one.add_argument("--theme", default="default")
    one.add_argument("--deck", action="append", default=[])
    grid = commands.add_parser("sheet")
    grid.add_argument("out", type=Path)
    grid.add_argument("--columns", type=int, default=4)
    grid.add_argument("--width", type=int, default=1600)
    written = commands.add_parser("documents")
    written.add_argument("out", type=Path)
    written.add_argument("--columns", type=int, default=4)
    written.add_argument("--width", type=int, default=1600)
    arguments = parser.parse_args()
    if arguments.command == "pages":
        pages(arguments.out, arguments.theme, arguments.deck)
    elif arguments.command == "documents":
        sheet(arguments.out, arguments.columns, arguments.width, rows_from="documents")
    else:
        sheet(arguments.out, arguments.columns, arguments.width)


if __name__ == "__main__":
    main()
