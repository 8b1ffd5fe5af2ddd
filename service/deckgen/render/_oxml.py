"""python-pptx's XPath queries compiled once, and its tag names resolved once, instead of on every call.

python-pptx answers nearly every property (a shape's placeholder, a slide's title, a run's font)
with `BaseOxmlElement.xpath`, which hands the expression to lxml as text: lxml parses and compiles
it anew each time, and that was a fifth of the CPU of writing a deck. The same few dozen
expressions recur, so each is compiled once per thread (an lxml XPath object must not be evaluated
by two threads at once) and reused; the results are the same nodes and values. Likewise `qn`
("a:rPr" -> "{namespace}rPr"), which python-pptx calls for every child it looks up or adds, builds
two objects per call; its answers are kept.
"""

from __future__ import annotations

import sys
import threading
from typing import Any

from lxml import etree
from pptx.oxml import ns
from pptx.oxml.ns import _nsmap
from pptx.oxml.xmlchemy import BaseOxmlElement

__all__ = ["install"]

_local = threading.local()


def _compiled(expression: str) -> etree.XPath:
    cache: dict[str, etree.XPath] | None = getattr(_local, "cache", None)
    if cache is None:
        cache = _local.cache = {}
    found = cache.get(expression)
    if found is None:
        found = cache[expression] = etree.XPath(expression, namespaces=_nsmap)
    return found


def _xpath(self: BaseOxmlElement, xpath_str: str) -> Any:
    return _compiled(xpath_str)(self)


_original_qn = ns.qn
_clark: dict[str, str] = {}


def _qn(namespace_prefixed_tag: str) -> str:
    found = _clark.get(namespace_prefixed_tag)
    if found is None:
        found = _clark[namespace_prefixed_tag] = _original_qn(namespace_prefixed_tag)
    return found


def install() -> None:
    """Route every python-pptx element's `xpath` through the compiled expressions, and every
    module's `qn` (each imported its own reference) through the kept answers. Idempotent."""
    BaseOxmlElement.xpath = _xpath  # type: ignore[method-assign]
    for module in list(sys.modules.values()):
        if getattr(module, "qn", None) is _original_qn:
            module.qn = _qn  # type: ignore[attr-defined]  # checked just above
