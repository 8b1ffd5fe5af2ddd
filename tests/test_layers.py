"""Import rules between layers: the domain and the adapters never depend on the gRPC layer.

Each layer is imported whole (every submodule) in a fresh interpreter and the modules that came in
with it are checked, so an import through a third module (a package `__init__`) counts too.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.support.servers import ROOT

_GRPC = ("grpc", "grpc_status", "grpc_health", "grpc_reflection", "deckgen.api", "deckgen.v1")
_OUTER = ("deckgen.pipeline", "deckgen.server", "deckgen.config", "deckgen.cli")

RULES: dict[str, tuple[str, ...]] = {
    # Pure Python values and rules: no I/O library, no other deckgen layer.
    "deckgen.domain": (
        *_GRPC,
        *_OUTER,
        "deckgen.content",
        "deckgen.render",
        "deckgen.providers",
        "google.protobuf",
        "pptx",
        "openai",
    ),
    "deckgen.content": (*_GRPC, *_OUTER),
    "deckgen.render": (*_GRPC, *_OUTER, "deckgen.content", "deckgen.providers"),
    "deckgen.providers": (*_GRPC, *_OUTER, "deckgen.content", "deckgen.render"),
    "deckgen.observability": (*_GRPC, *_OUTER),
}

_PROBE = """
import importlib, json, pkgutil, sys
package = importlib.import_module(sys.argv[1])
for info in pkgutil.walk_packages(package.__path__, sys.argv[1] + "."):
    importlib.import_module(info.name)
print(json.dumps(sorted(sys.modules)))
"""


def _loaded_with(package: str) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, package],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    loaded: list[str] = json.loads(result.stdout)
    return loaded


def _matches(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


@pytest.mark.parametrize("package", sorted(RULES))
def test_layer_never_imports_what_its_rule_forbids(package: str) -> None:
    loaded = _loaded_with(package)
    assert any(_matches(m, package) for m in loaded)
    forbidden = sorted({m for m in loaded for prefix in RULES[package] if _matches(m, prefix)})
    assert forbidden == [], f"{package} brings in {forbidden[:10]}"


def test_the_probe_sees_a_forbidden_import() -> None:
    # The API layer does import grpc: the rule check would catch a layer that did the same.
    assert "grpc" in _loaded_with("deckgen.api")
