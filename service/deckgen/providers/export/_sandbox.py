"""Running the converter so that it can reach neither the network nor the server's files.

Three ways, strongest first, chosen once at start by `Sandbox.detect`:

- `bwrap`: bubblewrap gives the child empty network, PID, IPC and user namespaces and a root
  file system holding only /usr, the few /etc entries LibreOffice and fontconfig read, and the
  folders bound for one conversion; it dies with its parent (`--die-with-parent`), and so does
  everything in its PID namespace.
- `unshare`: util-linux unshare gives a new user, network and PID namespace (no network but a
  loopback that is down); the file system is the server's.
- `none`: the child runs as the server does. Used where namespaces are forbidden (a container
  without user namespaces); LibreOffice's own setting that blocks linked content still applies.

Whatever the way, the child gets `PR_SET_PDEATHSIG` = SIGKILL (bwrap's `--die-with-parent`, else
util-linux `setpriv --pdeathsig`), so a server killed with SIGKILL does not leave converters behind.
It is set by a launcher that then execs the converter, not by a Python `preexec_fn`: running Python
between fork and exec in a process with gRPC's threads crashes the child.
"""

from __future__ import annotations

import functools
import logging
import os
import shutil
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["SANDBOX_MODES", "Sandbox", "SandboxUnavailable"]

log = logging.getLogger("deckgen.export")

SANDBOX_MODES = ("auto", "required", "off")
# What LibreOffice and fontconfig read outside /usr (Debian layout); missing ones are skipped.
_ETC = (
    "/etc/fonts",
    "/etc/ld.so.cache",
    "/etc/libreoffice",
    "/etc/alternatives",
    "/etc/localtime",
    "/var/cache/fontconfig",
)


_UNSHARE = ("unshare", "--user", "--map-root-user", "--net", "--pid", "--fork", "--kill-child")


class SandboxUnavailable(Exception):
    """EXPORT_SANDBOX=required, and neither bubblewrap nor unshare works here."""


@dataclass(frozen=True, slots=True)
class Sandbox:
    kind: str
    """`bwrap`, `unshare` or `none`."""

    def wrap(
        self,
        command: Sequence[str],
        binds: Sequence[tuple[Path, str]],
        workdir: str,
        read_only: Sequence[str] = (),
    ) -> list[str]:
        """`command` run inside the sandbox; `binds` maps host folders to the paths the command
        uses for them (the same paths are used outside a bwrap sandbox); `read_only` folders are
        visible at their own paths, unwritable (a program's own files outside /usr)."""
        if self.kind == "bwrap":
            shown = [arg for path in read_only for arg in ("--ro-bind", path, path)]
            return [*_bwrap_base(), *shown, *_binds(binds), "--chdir", workdir, "--", *command]
        if self.kind == "unshare":
            return [*_die_with_parent(), *_UNSHARE, *command]
        return [*_die_with_parent(), *command]

    def paths(self, binds: Sequence[tuple[Path, str]]) -> dict[Path, str]:
        """How the command names each bound folder."""
        if self.kind == "bwrap":
            return {host: inside for host, inside in binds}
        return {host: str(host) for host, _ in binds}

    @classmethod
    def detect(cls, mode: str, probe: Callable[[Sequence[str]], bool] | None = None) -> Sandbox:
        if mode == "off":
            return cls("none")
        works = probe or (lambda command: _probe(tuple(command)))
        if shutil.which("bwrap") and works([*_bwrap_base(), "--", "/usr/bin/true"]):
            return cls("bwrap")
        if shutil.which("unshare") and works(cls("unshare").wrap(["/usr/bin/true"], (), "/")):
            log.warning("no bubblewrap: the converter runs without network but sees the server's files")
            return cls("unshare")
        if mode == "required":
            raise SandboxUnavailable(
                "EXPORT_SANDBOX is `required` but neither bubblewrap (apt-get install bubblewrap) nor "
                "unshare can create namespaces here"
            )
        log.warning(
            "the converter runs unconfined (no user namespaces here): linked content is still "
            "blocked by LibreOffice's settings and refused in uploaded templates"
        )
        return cls("none")


def _die_with_parent() -> list[str]:
    return ["setpriv", "--pdeathsig", "KILL", "--"] if shutil.which("setpriv") else []


def _bwrap_base() -> list[str]:
    base = [
        "bwrap",
        "--unshare-all",
        "--die-with-parent",
        "--new-session",
        "--clearenv",
        "--setenv",
        "PATH",
        "/usr/bin:/bin",
        "--setenv",
        "HOME",
        "/work",
        "--setenv",
        "LANG",
        "C.UTF-8",
        "--ro-bind",
        "/usr",
        "/usr",
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        "--tmpfs",
        "/tmp",
    ]
    for link in ("bin", "lib", "lib64", "sbin"):
        target = os.readlink(f"/{link}") if os.path.islink(f"/{link}") else None
        if target is not None:
            base += ["--symlink", target, f"/{link}"]
    for path in _ETC:
        if os.path.exists(path):
            base += ["--ro-bind", path, path]
    return base


def _binds(binds: Sequence[tuple[Path, str]]) -> list[str]:
    arguments: list[str] = []
    for host, inside in binds:
        arguments += ["--bind", str(host), inside]
    return arguments


@functools.lru_cache(maxsize=8)
def _probe(command: tuple[str, ...]) -> bool:
    return _works(command)


def _works(command: Sequence[str]) -> bool:
    try:
        done = subprocess.run(command, capture_output=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0
