"""The package writer: its zip is zipfile's byte for byte, and the template parts decks share stay as
the template has them."""

from __future__ import annotations

import io
import zipfile
from dataclasses import replace

import pytest
from lxml import etree
from pptx import Presentation
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.oxml import parse_xml

from deckgen.domain import Brand
from deckgen.render import get_theme, render_pptx
from deckgen.render._markdown import Span
from deckgen.render._plan import Para
from deckgen.render._pptx import _NAMESPACES, _para_xml, _template, _write_notes, _write_para
from deckgen.render._shared import _RELS, _member, _part_members, _rels_xml, _zip

from .decks import IMAGE_URI, every_layout_deck, png

LOGO_URI = "presentations/p1/artifacts/brand/logo.png"


def test_zip_is_what_zipfile_writes() -> None:
    """XML deflated at the default level; pictures stored as they are, already compressed."""
    members = {
        "[Content_Types].xml": b'<?xml version="1.0"?><Types/>',
        "ppt/slides/slide1.xml": b"<p:sld>" + b"<a:p>words</a:p>" * 500 + b"</p:sld>",
        "ppt/media/empty.bin": b"",
        "ppt/m\u00e9dia/\u56fe.png": png(),
        "ppt/media/image2.JPEG": png(),
    }
    expected = io.BytesIO()
    with zipfile.ZipFile(expected, "w") as target:
        for name, content in members.items():
            stored = name.lower().endswith((".png", ".jpeg"))
            target.writestr(
                zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)),
                content,
                zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED,
                compresslevel=None,
            )
    written = _zip(_member(name, content) for name, content in members.items())
    assert written == expected.getvalue()
    with zipfile.ZipFile(io.BytesIO(written)) as package:
        assert package.testzip() is None
        methods = {info.filename: info.compress_type for info in package.infolist()}
    assert methods["ppt/media/image2.JPEG"] == zipfile.ZIP_STORED
    assert methods["ppt/slides/slide1.xml"] == zipfile.ZIP_DEFLATED


def test_decks_leave_the_shared_template_parts_as_they_were() -> None:
    deck = replace(
        every_layout_deck(),
        language="ar",
        slide_numbers=True,
        footer="Confidential",
        brand=Brand(primary="aa3300", logo_uri=LOGO_URI),
    )
    images = {IMAGE_URI: png(), LOGO_URI: png(200, 100)}
    first = render_pptx(deck, get_theme("default"), images)
    second = render_pptx(deck, get_theme("default"), images)
    assert first == second
    template = _template()
    kept = template.kept
    # Nothing shared holds on to a deck: the notes master belongs to the template's own package.
    assert template.notes_master.package is template.original.part.package
    fresh = {part.partname: part.blob for part in Presentation().part.package.iter_parts()}
    shared = [part for part in kept.parts if part.partname in fresh]
    assert {str(part.partname) for part in shared} >= {
        "/ppt/slideMasters/slideMaster1.xml",
        "/ppt/slideLayouts/slideLayout1.xml",
        "/ppt/theme/theme1.xml",
    }
    for part in shared:
        assert part.blob == fresh[part.partname], part.partname
    # The notes master and its theme are shared too, from the first deck with notes on.
    assert {"/ppt/notesMasters/notesMaster1.xml", "/ppt/theme/theme2.xml"} <= {
        str(part.partname) for part in kept.parts
    }
    for part in kept.parts:
        assert kept.members(part) == _part_members(part, shared=True), part.partname
    with zipfile.ZipFile(io.BytesIO(second)) as package:
        assert package.testzip() is None
        assert "ppt/notesMasters/notesMaster1.xml" in package.namelist()


def test_notes_are_written_as_python_pptx_writes_them() -> None:
    text = "First line\n\nA soft\vbreak, a bell \x07 and a tab\there\n\v"
    prs = Presentation()
    expected = prs.slides.add_slide(prs.slide_layouts[5]).notes_slide
    expected.notes_text_frame.text = text
    written = prs.slides.add_slide(prs.slide_layouts[5]).notes_slide
    _write_notes(written._element, "replaced")
    _write_notes(written._element, text)
    assert etree.tostring(written._element) == etree.tostring(expected._element)


_SPANS = (
    Span("Plain words, "),
    Span("bold & <brackets> \"quoted\" 'single'", bold=True),
    Span("a\ttab, a\rreturn and a bell \x07", italic=True),
    Span("code()", code=True),
    Span("a link", link="https://example.com/?a=1&b=<2>"),
    Span("\u0627\u0644\u0639\u0631\u0628\u064a\u0629 \u05e2\u05d1\u05e8\u05d9\u05ea"),
    Span("\u65e5\u672c\u8a9e\u306e\u6587\u3002"),
)


@pytest.mark.parametrize("language", ["en", "ar", "ja"])
@pytest.mark.parametrize(("level", "bullet"), [(0, False), (0, True), (1, True), (2, True)])
@pytest.mark.parametrize("first", [True, False])
def test_paragraphs_written_as_text_are_the_elements_written_one_by_one(
    language: str, level: int, bullet: bool, first: bool
) -> None:
    para = Para(
        "".join(s.text for s in _SPANS), "bullet", 'Fira "Sans" & Co', False, "1D4ED8", level, bullet, _SPANS
    )
    prs = Presentation()
    slide = prs.slides.add_slide(prs.slide_layouts[5])
    expected = parse_xml(f"<a:p {_NAMESPACES}/>")
    _write_para(expected, para, 24.0, first, "left", language, slide.part, 0.35)
    text = _para_xml(para, 24.0, first, "left", language, slide.part, 0.35)
    written = parse_xml(f"<a:txBody {_NAMESPACES}>{text}</a:txBody>")[0]
    assert etree.tostring(written) == etree.tostring(expected)
    # Each paragraph related the link to the slide once: the same rId, not a second relationship.
    assert len([rel for rel in slide.part.rels.values() if rel.is_external]) == 1


def test_relationships_are_written_as_lxml_writes_them() -> None:
    prs = Presentation()
    part = prs.slides.add_slide(prs.slide_layouts[5]).part
    for url in (
        "https://example.com/?a=1&b=<2>",
        'mailto:"someone"@example.com',
        "https://\u00e9t\u00e9.fr/\t",
    ):
        part.relate_to(url, RT.HYPERLINK, is_external=True)
    root = etree.Element(f"{{{_RELS}}}Relationships", nsmap={None: _RELS})
    for r_id in sorted(part.rels, key=lambda r_id: int(r_id[3:])):
        rel = part.rels[r_id]
        attributes = {"Id": r_id, "Type": rel.reltype, "Target": rel.target_ref}
        if rel.is_external:
            attributes["TargetMode"] = "External"
        etree.SubElement(root, f"{{{_RELS}}}Relationship", attributes)
    assert _rels_xml(part.rels) == etree.tostring(root, encoding="UTF-8", standalone=True)
    empty = etree.Element(f"{{{_RELS}}}Relationships", nsmap={None: _RELS})
    assert _rels_xml({}) == etree.tostring(empty, encoding="UTF-8", standalone=True)


def test_new_parts_are_named_as_python_pptx_names_them() -> None:
    """Counted on from the names taken, not found by walking the package each time: every notes
    page, chart and workbook still has the lowest free number, one to n without a gap."""
    deck = every_layout_deck()
    names = zipfile.ZipFile(
        io.BytesIO(render_pptx(deck, get_theme("default"), {IMAGE_URI: png()}))
    ).namelist()
    for prefix, suffix in (
        ("ppt/notesSlides/notesSlide", ".xml"),
        ("ppt/charts/chart", ".xml"),
        ("ppt/embeddings/Microsoft_Excel_Sheet", ".xlsx"),
    ):
        numbers = sorted(int(n[len(prefix) : -len(suffix)]) for n in names if n.startswith(prefix))
        assert numbers and numbers == list(range(1, len(numbers) + 1)), (prefix, numbers)
    notes = sum(1 for slide in deck.slides if slide.notes)
    assert sum(1 for n in names if n.startswith("ppt/notesSlides/notesSlide")) >= notes
