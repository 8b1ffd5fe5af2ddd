"""Package attributes imported on first use, for adapters whose SDKs are slow to import."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from typing import Any

__all__ = ["lazy_attributes"]


def lazy_attributes(package: str, module: str, names: Iterable[str]) -> Callable[[str], Any]:
    """A module `__getattr__` (PEP 562) for `package` that imports `module` only when one of `names`
    is first asked for: the OpenAI and Supabase SDKs take as long to import as the rest of the service,
    and a server that does not use them should not wait for them at start-up."""
    lazy = frozenset(names)

    def __getattr__(name: str) -> Any:
        if name in lazy:
            return getattr(importlib.import_module(module), name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return __getattr__
