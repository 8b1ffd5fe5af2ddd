"""What in a package could make the program that opens it reach the network or the disk.

An Office file points at everything it draws through relationships (`*.rels` parts). A
relationship with `TargetMode="External"` is fetched by whoever renders the file, LibreOffice
included: a picture linked by `http://` makes the server fetch it (server-side request forgery),
one linked by `file:///` puts a file of the server into the PDF. Internal targets are paths inside
the package; one that climbs out of it (`../../etc/passwd`) or names a part that is not there is
resolved against the server's disk by some readers. OLE objects and ActiveX controls carry
programs and links of their own. Every one of these is reported by `unsafe_links`, and
`strip_links` removes them, for callers that prefer a warning to a refusal. Outbound hyperlinks are
not fetched by anyone and stay allowed (http, https and mailto only).

XML parts with a document type declaration are reported too: entities are how XML reads files.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from lxml import etree

from deckgen.ooxml._package import Package, PackageError

__all__ = ["UnsafeLink", "UnsafePackage", "check_links", "strip_links", "unsafe_links"]

_RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_HYPERLINK = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"
_HYPERLINK_SCHEMES = frozenset({"http", "https", "mailto"})
_FORBIDDEN_TYPES = ("/oleObject", "/control", "/activeXControlBinary", "/activeXControl")
"""Relationship type suffixes for embedded programs and linked objects, whatever their target."""
_DOCTYPES = tuple("<!DOCTYPE".encode(codec) for codec in ("ascii", "utf-16-le", "utf-16-be"))
"""A declaration may sit after any amount of comments, in any encoding XML allows: search it all."""
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


@dataclass(frozen=True, slots=True)
class UnsafeLink:
    part: str
    """The part that holds the reference (a `.rels` part, or an XML part for a DOCTYPE)."""
    target: str
    why: str

    def describe(self, more: str = "") -> str:
        """Part first, then why, then the target: error details are cut at about 200 bytes."""
        target = f": {self.target[:100]!r}" if self.target else ""
        return f"{self.part} {self.why}{more}{target}"


class UnsafePackage(PackageError):
    """The package links to something outside itself; `links` lists every such reference."""

    def __init__(self, links: list[UnsafeLink]) -> None:
        first = links[0]
        more = f" (and {len(links) - 1} more)" if len(links) > 1 else ""
        super().__init__(first.describe(more), part=first.part)
        self.links = links


def _is_xml(name: str, data: bytes) -> bool:
    """XML parts by name, and any other part that starts like XML (a byte-order mark or `<`);
    binary parts (printer settings hold UTF-16 text) are not read as XML by anyone."""
    return name.endswith((".xml", ".rels", ".vml")) or data[:4].lstrip().startswith(
        (b"<", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
    )


def _has_doctype(data: bytes) -> bool:
    return any(marker in data for marker in _DOCTYPES)


def _source_dir(rels_part: str) -> str:
    # ppt/slides/_rels/slide1.xml.rels describes ppt/slides/slide1.xml; _rels/.rels the package.
    return posixpath.dirname(posixpath.dirname(rels_part))


def _problem(package: Package, rels_part: str, relationship: etree._Element) -> str | None:
    target = relationship.get("Target") or ""
    kind = relationship.get("Type") or ""
    if kind.endswith(_FORBIDDEN_TYPES):
        return "holds an embedded program or linked object (OLE, ActiveX)"
    if (relationship.get("TargetMode") or "").lower() == "external":
        if kind == _HYPERLINK and urlsplit(target).scheme.lower() in _HYPERLINK_SCHEMES:
            return None
        return "links outside the file"
    if urlsplit(target).scheme or target.startswith(("//", "\\")) or "\\" in target:
        return "has an internal link that is a URL or a Windows path"
    path = unquote(target)
    # A leading slash is the package's root; anything else is relative to the part's folder.
    joined = path.lstrip("/") if path.startswith("/") else posixpath.join(_source_dir(rels_part), path)
    resolved = posixpath.normpath(joined)
    if resolved.startswith("..") or resolved.startswith("/"):
        return "has an internal link that leads out of the file"
    if resolved not in package.parts and not any(name.startswith(resolved + "/") for name in package.parts):
        return "links to a part the file does not contain"
    return None


def _relationships(data: bytes, part: str) -> list[etree._Element]:
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as error:
        raise PackageError(f"the part {part} is not well-formed XML", part=part) from error
    return list(root.iter(f"{{{_RELS_NS}}}Relationship"))


def unsafe_links(package: Package) -> list[UnsafeLink]:
    """Every reference in `package` that leads outside it, in part order."""
    found: list[UnsafeLink] = []
    for name, data in package.parts.items():
        if _is_xml(name, data) and _has_doctype(data):
            found.append(UnsafeLink(name, "", "is XML with a document type declaration"))
            continue
        if not name.endswith(".rels"):
            continue
        for relationship in _relationships(data, name):
            why = _problem(package, name, relationship)
            if why is not None:
                found.append(UnsafeLink(name, relationship.get("Target") or "", why))
    return found


def check_links(package: Package) -> None:
    """UnsafePackage when anything in `package` leads outside it."""
    links = unsafe_links(package)
    if links:
        raise UnsafePackage(links)


def strip_links(package: Package) -> tuple[Package, list[UnsafeLink]]:
    """The package without its unsafe relationships (what referred to them draws nothing), and what
    was removed. Parts with a DOCTYPE cannot be mended this way: UnsafePackage for those."""
    removed: list[UnsafeLink] = []
    changes: dict[str, bytes | None] = {}
    for name, data in package.parts.items():
        if not name.endswith(".rels"):
            continue
        if _has_doctype(data):
            continue  # reported by the final check
        root = etree.fromstring(data, _PARSER)
        dropped = False
        for relationship in list(root.iter(f"{{{_RELS_NS}}}Relationship")):
            why = _problem(package, name, relationship)
            if why is not None:
                removed.append(UnsafeLink(name, relationship.get("Target") or "", why))
                relationship.getparent().remove(relationship)
                dropped = True
        if dropped:
            changes[name] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    stripped = package.replace(changes)
    check_links(stripped)
    return stripped, removed
