"""Opening a template package: a .pptx, .potx or .ppsx (macro-enabled or not) as a presentation."""

from __future__ import annotations

import io
from typing import Any

from pptx import Presentation

from deckgen.ooxml import PackageError, UnsafePackage, safe_package

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
_NOT_POWERPOINT = "the file is not a readable PowerPoint file (.pptx or .potx)"


def _as_presentation(data: bytes) -> bytes:
    """The package, opened within size limits and refused if it links outside itself, rewritten
    with its main part typed as a presentation, which is all python-pptx opens.

    Templates (.potx), shows (.ppsx) and their macro-enabled variants differ from a .pptx only in
    that content type; the rewrite happens in memory, the output is always a plain .pptx. The
    output is the package that was checked, so python-pptx never reads anything that was not.
    """
    try:
        package = safe_package(data)
    except UnsafePackage as error:
        raise TemplateError(f"not allowed in a template: {error.message}") from None
    except PackageError as error:
        raise TemplateError(f"{_NOT_POWERPOINT}: {error.message}") from None
    types = package.get(_CONTENT_TYPES)
    if types is None:
        raise TemplateError(f"{_NOT_POWERPOINT}: it has no {_CONTENT_TYPES}")
    for kind in _OTHER_MAIN_TYPES:
        types = types.replace(kind, _PRESENTATION_TYPE)
    return package.replace({_CONTENT_TYPES: types}).to_bytes()


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
