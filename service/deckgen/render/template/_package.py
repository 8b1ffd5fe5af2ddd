"""Opening a template package: a .pptx, .potx or .ppsx (macro-enabled or not) as a presentation."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from pptx import Presentation

__all__ = ["NOT_POWERPOINT", "TemplateError", "open_template"]


class TemplateError(Exception):
    """The file cannot be used as a template.

    `missing` names what the template lacks, one item each; it is empty when the file is not a
    readable PowerPoint file at all.
    """

    def __init__(self, message: str, missing: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.missing: list[str] = list(missing or [])


_CONTENT_TYPES = "[Content_Types].xml"
_PRESENTATION_TYPE = b"application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"
_OTHER_MAIN_TYPES = (
    b"application/vnd.openxmlformats-officedocument.presentationml.template.main+xml",
    b"application/vnd.openxmlformats-officedocument.presentationml.slideshow.main+xml",
    b"application/vnd.ms-powerpoint.presentation.macroEnabled.main+xml",
    b"application/vnd.ms-powerpoint.template.macroEnabled.main+xml",
    b"application/vnd.ms-powerpoint.slideshow.macroEnabled.main+xml",
)
_VBA_PROJECT = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"
_MAX_UNPACKED = 512 * 1024 * 1024
"""Uploads are small; this only stops a zip bomb from exhausting memory."""
_NOT_POWERPOINT = "the file is not a readable PowerPoint file (.pptx or .potx)"


def _as_presentation(data: bytes) -> bytes:
    """The package with its main part typed as a presentation, which is all python-pptx opens.

    Templates (.potx), shows (.ppsx) and their macro-enabled variants differ from a .pptx only in
    that content type; the rewrite happens in memory, the output is always a plain .pptx.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise TemplateError(f"{_NOT_POWERPOINT}: it is not a zip archive") from error
    if sum(entry.file_size for entry in entries) > _MAX_UNPACKED:
        raise TemplateError(f"{_NOT_POWERPOINT}: it unpacks to more than {_MAX_UNPACKED >> 20} MB")
    try:
        types = archive.read(_CONTENT_TYPES)
    except (KeyError, zipfile.BadZipFile, OSError) as error:
        raise TemplateError(f"{_NOT_POWERPOINT}: it has no readable {_CONTENT_TYPES}") from error
    if not any(kind in types for kind in _OTHER_MAIN_TYPES):
        return data
    for kind in _OTHER_MAIN_TYPES:
        types = types.replace(kind, _PRESENTATION_TYPE)
    out = io.BytesIO()
    try:
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
            for entry in entries:
                content = types if entry.filename == _CONTENT_TYPES else archive.read(entry)
                target.writestr(entry, content, compress_type=zipfile.ZIP_DEFLATED)
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        raise TemplateError(f"{_NOT_POWERPOINT}: the archive is damaged") from error
    return out.getvalue()


def _open(data: bytes) -> Any:
    package = _as_presentation(data)
    try:
        prs = Presentation(io.BytesIO(package))
        # A macro project has no place in a .pptx; dropping the relationship drops the part.
        for rel_id, rel in list(prs.part.rels.items()):
            if rel.reltype == _VBA_PROJECT:
                prs.part.drop_rel(rel_id)
    # python-pptx reports malformed packages with whatever its parser raised: KeyError for a
    # missing part, ValueError for a wrong content type, lxml's errors for broken XML.
    except Exception as error:
        raise TemplateError(f"{_NOT_POWERPOINT}: {error}") from error
    return prs


open_template = _open
NOT_POWERPOINT = _NOT_POWERPOINT
