"""Hostile Office files, made the way an attacker would: zip bombs and templates that link outside.

zip_bomb(inflated)                  -> a .pptx whose one extra part inflates to `inflated` bytes
lying_zip_bomb(inflated)            -> the same, its central directory claiming the part is tiny
linked_picture_template(*targets)   -> a .pptx whose slide master shows a picture linked (not
                                       embedded) from each target: `http://…`, `file:///…`
red_png(), blue_png()               -> small pictures with a colour that is easy to find in a render
colour_pixels(png)                  -> how many pixels of a render are pure red and pure blue
PictureServer                       -> a loopback HTTP server serving red_png(), counting connections
"""

from __future__ import annotations

import asyncio
import functools
import io
import struct
import zipfile
from typing import Any

from PIL import Image
from pptx import Presentation
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.oxml import parse_xml

from tests.support.loopback import LoopbackServer

__all__ = [
    "PictureServer",
    "blue_png",
    "colour_pixels",
    "linked_picture_template",
    "lying_zip_bomb",
    "red_png",
    "zip_bomb",
]


def _png(colour: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), colour).save(buffer, "PNG")
    return buffer.getvalue()


def red_png() -> bytes:
    return _png((255, 0, 0))


def blue_png() -> bytes:
    return _png((0, 0, 255))


def colour_pixels(png: bytes) -> tuple[int, int]:
    """(red, blue) pixel counts of a picture: how much of red_png() and blue_png() it shows."""
    with Image.open(io.BytesIO(png)) as image:
        pixels: list[tuple[int, int, int]] = list(image.convert("RGB").get_flattened_data())  # type: ignore[arg-type]
    red = sum(1 for r, g, b in pixels if r > 200 and g < 60 and b < 60)
    blue = sum(1 for r, g, b in pixels if b > 200 and r < 60 and g < 60)
    return red, blue


def _presentation() -> bytes:
    buffer = io.BytesIO()
    Presentation().save(buffer)
    return buffer.getvalue()


@functools.lru_cache(maxsize=8)
def zip_bomb(inflated: int = 400 * 1024 * 1024, name: str = "ppt/media/bomb.xml") -> bytes:
    """A real, readable .pptx plus one part of `inflated` zero bytes (~1000:1 compressed)."""
    source = zipfile.ZipFile(io.BytesIO(_presentation()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            target.writestr(entry, source.read(entry))
        chunk = b"\0" * (1024 * 1024)
        bomb = zipfile.ZipInfo(name)
        bomb.compress_type = zipfile.ZIP_DEFLATED
        with target.open(bomb, "w", force_zip64=True) as part:
            for _ in range(inflated // len(chunk)):
                part.write(chunk)
    return out.getvalue()


@functools.lru_cache(maxsize=8)
def lying_zip_bomb(inflated: int = 400 * 1024 * 1024) -> bytes:
    """`zip_bomb` whose central directory says the bomb part inflates to 1 KiB."""
    data = bytearray(zip_bomb(inflated, name="ppt/media/liar.xml"))
    marker = b"ppt/media/liar.xml"
    # Central directory header: signature, then the uncompressed size at offset 24 (0xFFFFFFFF with
    # zip64, the real size then lives in the extra field); rewrite both to 1024.
    position = data.rfind(b"PK\x01\x02")
    while position != -1:
        name_length = struct.unpack_from("<H", data, position + 28)[0]
        if bytes(data[position + 46 : position + 46 + name_length]) == marker:
            struct.pack_into("<I", data, position + 24, 1024)
            extra_length = struct.unpack_from("<H", data, position + 30)[0]
            extra = position + 46 + name_length
            end = extra + extra_length
            while extra < end:
                tag, size = struct.unpack_from("<HH", data, extra)
                if tag == 0x0001:
                    struct.pack_into("<Q", data, extra + 4, 1024)
                extra += 4 + size
            break
        position = data.rfind(b"PK\x01\x02", 0, position)
    return bytes(data)


_PICTURE = """<p:pic xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"
  xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"
  xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
  <p:nvPicPr><p:cNvPr id="{id}" name="Linked {id}"/><p:cNvPicPr/><p:nvPr/></p:nvPicPr>
  <p:blipFill><a:blip r:link="{rel}"/><a:stretch><a:fillRect/></a:stretch></p:blipFill>
  <p:spPr><a:xfrm><a:off x="{x}" y="0"/><a:ext cx="3000000" cy="3000000"/></a:xfrm>
  <a:prstGeom prst="rect"><a:avLst/></a:prstGeom></p:spPr>
</p:pic>"""


def linked_picture_template(*targets: str) -> bytes:
    """A template whose slide master draws one picture per target, linked with
    `TargetMode="External"`: whoever renders a slide fetches each target."""
    prs: Any = Presentation()
    master = prs.slide_master
    tree = master.shapes._spTree
    for position, target in enumerate(targets):
        rel = master.part.relate_to(target, RT.IMAGE, is_external=True)
        tree.append(parse_xml(_PICTURE.format(id=900 + position, rel=rel, x=position * 3_200_000)))
    buffer = io.BytesIO()
    prs.save(buffer)
    return buffer.getvalue()


class PictureServer(LoopbackServer):
    """A loopback HTTP server that answers every GET with a red PNG and counts the connections
    it got: the count a converter that fetched a linked picture would raise."""

    thread_name = "picture-server"

    def __init__(self) -> None:
        super().__init__()
        self.connections = 0

    def url(self, path: str = "/picture.png") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def _accepted(self) -> None:
        self.connections += 1

    async def _serve_connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await reader.readuntil(b"\r\n\r\n")
            body = red_png()
            head = f"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nContent-Length: {len(body)}\r\n"
            writer.write(head.encode() + b"Connection: close\r\n\r\n" + body)
            await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass
        finally:
            writer.close()
