"""deckgen.ooxml: limits checked before inflating, and every reference out of a package found."""

from __future__ import annotations

import io
import zipfile

import pytest
from pptx import Presentation

from deckgen.ooxml import (
    PackageError,
    PackageLimits,
    UnsafePackage,
    open_package,
    safe_package,
    strip_links,
    unsafe_links,
)
from tests.support.hostile import linked_picture_template, lying_zip_bomb, zip_bomb

MIB = 1024 * 1024
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
HYPERLINK = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"
OLE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/oleObject"


def pptx() -> bytes:
    buffer = io.BytesIO()
    Presentation().save(buffer)
    return buffer.getvalue()


def with_parts(data: bytes, parts: dict[str, bytes]) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            if entry.filename not in parts:
                target.writestr(entry, source.read(entry))
        for name, content in parts.items():
            target.writestr(name, content)
    return out.getvalue()


def rels(*relationships: str) -> bytes:
    body = "".join(relationships)
    return f'<?xml version="1.0"?><Relationships xmlns="{RELS}">{body}</Relationships>'.encode()


def relationship(rel_id: str, kind: str, target: str, external: bool = False) -> str:
    mode = ' TargetMode="External"' if external else ""
    return f'<Relationship Id="{rel_id}" Type="{kind}" Target="{target}"{mode}/>'


def test_a_real_presentation_opens_and_has_no_unsafe_links() -> None:
    package = safe_package(pptx())
    assert "ppt/presentation.xml" in package.parts
    assert unsafe_links(package) == []


def test_a_bomb_is_refused_from_the_directory_naming_the_part_and_limit() -> None:
    with pytest.raises(PackageError) as caught:
        open_package(zip_bomb(100 * MIB), PackageLimits(max_part_bytes=64 * MIB))
    assert caught.value.limit == "max_part_bytes" and caught.value.part == "ppt/media/bomb.xml"


def test_the_ratio_and_total_limits_apply_on_their_own() -> None:
    bomb = zip_bomb(32 * MIB)
    with pytest.raises(PackageError) as caught:
        open_package(bomb, PackageLimits(max_ratio=100))
    assert caught.value.limit == "max_ratio"
    with pytest.raises(PackageError) as caught:
        open_package(bomb, PackageLimits(max_ratio=10_000, max_total_bytes=16 * MIB))
    assert caught.value.limit == "max_total_bytes"


def test_a_directory_that_understates_a_size_never_inflates_more_than_it_states() -> None:
    with pytest.raises(PackageError, match="damaged"):
        open_package(lying_zip_bomb(64 * MIB))


def test_links_by_url_by_file_and_out_of_the_package_are_found_hyperlinks_are_not() -> None:
    master_rels = "ppt/slideMasters/_rels/slideMaster1.xml.rels"
    metadata, passwd, climb = "http://169.254.169.254/latest", "file:///etc/passwd", "../../../x.png"
    template = linked_picture_template(metadata, passwd, climb)
    package = open_package(template)
    found = unsafe_links(package)
    assert [(link.part, link.target) for link in found] == [
        (master_rels, metadata),
        (master_rels, passwd),
        (master_rels, climb),
    ]
    extra = with_parts(
        template,
        {
            "ppt/slides/_rels/extra.xml.rels": rels(
                relationship("a", HYPERLINK, "https://example.com", external=True),
                relationship("b", HYPERLINK, "file:///etc/shadow", external=True),
                relationship("c", OLE, "../embeddings/x.bin"),
                relationship("d", "t", "/ppt/missing.xml"),
            )
        },
    )
    targets = [link.target for link in unsafe_links(open_package(extra)) if "extra" in link.part]
    assert targets == ["file:///etc/shadow", "../embeddings/x.bin", "/ppt/missing.xml"]


def test_xml_with_a_doctype_is_unsafe_wherever_it_hides() -> None:
    entity = b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'
    padding = b"<!--" + b" " * 10_000 + b"-->"
    hostile = with_parts(pptx(), {"ppt/slides/evil.xml": b'<?xml version="1.0"?>' + padding + entity})
    with pytest.raises(UnsafePackage, match="document type declaration"):
        safe_package(hostile)


def test_stripping_removes_only_the_unsafe_relationships() -> None:
    template = linked_picture_template("http://127.0.0.1:9/x.png")
    stripped, removed = strip_links(open_package(template))
    assert [link.target for link in removed] == ["http://127.0.0.1:9/x.png"]
    assert unsafe_links(stripped) == []
    Presentation(io.BytesIO(stripped.to_bytes()))  # still a presentation python-pptx opens
