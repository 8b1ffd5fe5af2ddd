"""What both PPTX writers (the theme renderer and the template renderer) need alike."""

from __future__ import annotations

import io
import re
import zipfile

from PIL import Image

from deckgen.domain import Slide

__all__ = ["deterministic", "image_size", "notes_text"]

_CREATED = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


def deterministic(data: bytes) -> bytes:
    """Rewrite a zip (and the workbooks embedded for charts) with fixed timestamps, so that the same
    deck always renders to the same bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename.endswith(".xlsx"):
                content = deterministic(content)
            elif info.filename == "docProps/core.xml":
                content = _CREATED.sub(rb"\g<1>2000-01-01T00:00:00Z\g<2>", content)
            target.writestr(
                zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0)),
                content,
                compress_type=zipfile.ZIP_DEFLATED,
            )
    return out.getvalue()


def image_size(data: bytes | None) -> tuple[int, int] | None:
    """(width, height) of a picture PowerPoint can show, or None for anything else."""
    if not data:
        return None
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in ("PNG", "JPEG", "GIF", "BMP", "TIFF"):
                return None
            return image.size
    except (OSError, ValueError, Image.DecompressionBombError):
        return None


def notes_text(slide: Slide) -> str:
    """The notes page: the speaker notes, then where the slide's content came from."""
    parts = [slide.notes.strip()] if slide.notes.strip() else []
    if slide.sources:
        refs = [f"{s.document} \u2014 {s.locator}" if s.locator else s.document for s in slide.sources]
        parts.append("Sources: " + "; ".join(refs))
    return "\n\n".join(parts)
