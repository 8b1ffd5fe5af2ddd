"""The package writer: its zip is zipfile's byte for byte, and the template parts decks share stay as
the template has them."""

from __future__ import annotations

import io
import zipfile
from dataclasses import replace

from lxml import etree
from pptx import Presentation

from deckgen.domain import Brand
from deckgen.render import get_theme, render_pptx
from deckgen.render._pptx import _template, _write_notes
from deckgen.render._shared import _member, _part_members, _put, _zip

from .decks import IMAGE_URI, every_layout_deck, png

LOGO_URI = "presentations/p1/artifacts/brand/logo.png"


def test_zip_is_what_zipfile_writes() -> None:
    members = {
        "[Content_Types].xml": b'<?xml version="1.0"?><Types/>',
        "ppt/slides/slide1.xml": b"<p:sld>" + b"<a:p>words</a:p>" * 500 + b"</p:sld>",
        "ppt/media/empty.bin": b"",
        "ppt/m\u00e9dia/\u56fe.png": png(),
    }
    expected = io.BytesIO()
    with zipfile.ZipFile(expected, "w", zipfile.ZIP_DEFLATED) as target:
        for name, content in members.items():
            _put(target, name, content)
    written = _zip(_member(name, content) for name, content in members.items())
    assert written == expected.getvalue()
    assert zipfile.ZipFile(io.BytesIO(written)).testzip() is None


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
    kept = _template().kept
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
        assert kept.members(part) == _part_members(part), part.partname
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
