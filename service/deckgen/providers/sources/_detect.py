"""Which format a source is: what the caller declared (media type, else file name) must agree with
what the bytes are (magic numbers, the Office package's main part, HTML markup).

Detection never trusts one side alone: a PDF declared as Markdown, or a spreadsheet named `.docx`,
is refused naming the source, instead of being fed to the wrong reader.
"""

from __future__ import annotations

import enum
import re
from pathlib import PurePosixPath

from lxml import etree

from deckgen.domain import SOURCE_MEDIA_TYPES, SOURCE_SUFFIXES
from deckgen.ooxml import Package

__all__ = [
    "DECLARED",
    "SUFFIXES",
    "Format",
    "Mismatch",
    "declared_format",
    "office_format",
    "sniff",
]


class Format(enum.Enum):
    MARKDOWN = "text/markdown"
    TEXT = "text/plain"
    PDF = "application/pdf"
    DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
    XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    HTML = "text/html"
    CSV = "text/csv"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def office(self) -> bool:
        return self in (Format.DOCX, Format.PPTX, Format.XLSX)

    @property
    def text(self) -> bool:
        return self in (Format.MARKDOWN, Format.TEXT, Format.HTML, Format.CSV)


_LABELS = {
    Format.MARKDOWN: "Markdown",
    Format.TEXT: "plain text",
    Format.PDF: "a PDF",
    Format.DOCX: "a Word document (.docx)",
    Format.PPTX: "a PowerPoint presentation (.pptx)",
    Format.XLSX: "an Excel workbook (.xlsx)",
    Format.HTML: "HTML",
    Format.CSV: "CSV",
}

DECLARED: dict[str, Format] = {kind: Format(canonical) for kind, canonical in SOURCE_MEDIA_TYPES.items()}
"""Media types a caller may declare, aliases included."""
SUFFIXES: dict[str, Format] = {suffix: Format(kind) for suffix, kind in SOURCE_SUFFIXES.items()}

_GENERIC = frozenset({"", "application/octet-stream", "binary/octet-stream"})
"""Media types that say nothing: the file name decides."""

_MAIN_PARTS = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": Format.DOCX,
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": Format.PPTX,
    "application/vnd.openxmlformats-officedocument.presentationml.slideshow.main+xml": Format.PPTX,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": Format.XLSX,
}
_CT_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
_HTML = re.compile(
    rb"<(?:!doctype\s+html|html|head|body|title|meta|p|div|h[1-6]|table|ul|ol|article|section|br)[\s>/]",
    re.IGNORECASE,
)


class Mismatch(Exception):
    """The declared format and the bytes disagree, or neither names a format we read."""


def declared_format(name: str, media_type: str) -> Format:
    """The format the caller declared: its media type, or its file name's suffix when the media type
    is empty or generic. A media type and a suffix that name two different binary formats disagree."""
    kind = media_type.split(";", 1)[0].strip().lower()
    by_suffix = SUFFIXES.get(PurePosixPath(name).suffix.lower())
    if kind in _GENERIC:
        if by_suffix is None:
            raise Mismatch(f"has no media type and its name has no known suffix; supported: {supported()}")
        return by_suffix
    declared = DECLARED.get(kind)
    if declared is None:
        raise Mismatch(f"has the unsupported media type {media_type!r}; supported: {supported()}")
    # Text types are often sent under a neighbour's suffix (notes.txt as Markdown); binary ones not.
    if by_suffix is not None and by_suffix != declared and not (by_suffix.text and declared.text):
        raise Mismatch(f"is declared {media_type!r} but named {name!r}, which is {by_suffix.label}")
    return declared


def supported() -> str:
    return ", ".join(sorted({f.value for f in Format}))


def sniff(content: bytes) -> str:
    """What the first bytes are: `pdf`, `zip`, `ole` (a legacy or encrypted Office file), `binary`
    or `text`."""
    head = content[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"
    if b"\x00" in content[:8192] and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "binary"
    return "text"


def looks_like_html(content: bytes) -> bool:
    return _HTML.search(content[:65536]) is not None


def office_format(package: Package) -> Format | None:
    """The format of an opened Office package, from the content type of its main part."""
    types = package.get("[Content_Types].xml")
    if types is None:
        return None
    try:
        root = etree.fromstring(types, _PARSER)
    except etree.XMLSyntaxError:
        return None
    for override in root.iter(f"{_CT_NS}Override"):
        found = _MAIN_PARTS.get((override.get("ContentType") or "").strip().lower())
        if found is not None:
            return found
    return None


def check_bytes(declared: Format, content: bytes) -> None:
    """Mismatch unless `content` can be what `declared` says (Office packages are checked again,
    after they were opened safely, by `office_format`)."""
    kind = sniff(content)
    if declared == Format.PDF:
        if kind != "pdf":
            raise Mismatch(f"is declared a PDF but does not start like one: it is {_what(kind)}")
        return
    if declared.office:
        if kind == "ole":
            raise Mismatch(
                f"is declared {declared.label} but is a legacy or password-protected Office file; "
                "save it as .docx/.pptx/.xlsx without a password"
            )
        if kind != "zip":
            raise Mismatch(f"is declared {declared.label} but is not an Office package: it is {_what(kind)}")
        return
    if kind != "text":
        raise Mismatch(f"is declared {declared.label} but it is {_what(kind)}")
    if declared == Format.HTML and not looks_like_html(content):
        raise Mismatch("is declared HTML but holds no HTML markup")


def _what(kind: str) -> str:
    return {
        "pdf": "a PDF",
        "zip": "a zip package (an Office file?)",
        "ole": "a legacy or password-protected Office file",
        "binary": "binary data",
        "text": "text",
    }[kind]
