"""The image definition, checked without a Docker engine: the Dockerfile is parsed into stages and
instructions, and what can run here (the dependency list, the HEALTHCHECK) is run for real."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import tomllib
from dataclasses import dataclass, field
from fnmatch import fnmatch
from pathlib import Path

import pytest

from deckgen.config import ConfigError, load_settings
from tests.deploy.conftest import ROOT, run_python
from tests.support.servers import ChildServer

DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
BASE_IMAGE = re.compile(r"^python:3\.11\.\d+-slim-bookworm(@sha256:[0-9a-f]{64})?$")
COMPILERS = re.compile(r"\b(gcc|g\+\+|clang|build-essential|make|cmake|[\w.+-]+-dev)\b")


@dataclass(frozen=True)
class Instruction:
    keyword: str
    arguments: str
    line: int

    def flags(self) -> tuple[dict[str, str], str]:
        """Leading `--name=value` flags (e.g. RUN --mount, COPY --from) and the rest."""
        flags: dict[str, str] = {}
        rest = self.arguments
        while match := re.match(r"--([\w-]+)(?:=(\S*))?\s+", rest):
            flags[match.group(1)] = (flags.get(match.group(1), "") + " " + (match.group(2) or "")).strip()
            rest = rest[match.end() :]
        return flags, rest

    def exec_form(self) -> list[str]:
        """The JSON (exec) form of CMD/ENTRYPOINT, and of HEALTHCHECK ... CMD."""
        _, rest = self.flags()
        rest = rest.removeprefix("CMD").strip()
        value = json.loads(rest)
        assert isinstance(value, list) and all(isinstance(item, str) for item in value)
        return value


@dataclass
class Stage:
    base: str
    name: str | None
    instructions: list[Instruction] = field(default_factory=list)

    def all(self, keyword: str) -> list[Instruction]:
        return [i for i in self.instructions if i.keyword == keyword]

    def index(self, predicate: str, keyword: str) -> int:
        """Position of the first `keyword` instruction whose arguments contain `predicate`."""
        for position, instruction in enumerate(self.instructions):
            if instruction.keyword == keyword and predicate in instruction.arguments:
                return position
        raise AssertionError(f"no {keyword} with {predicate!r} in stage {self.name}")

    def env(self) -> dict[str, str]:
        values: dict[str, str] = {}
        for instruction in self.all("ENV"):
            for word in shlex.split(instruction.arguments):
                key, _, value = word.partition("=")
                values[key] = value
        return values


def parse_dockerfile(text: str) -> list[Stage]:
    """Stages of a Dockerfile: comments dropped, `\\` continuations joined, one instruction per line."""
    stages: list[Stage] = []
    logical: list[tuple[int, str]] = []
    buffer, start = "", 0
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue  # comments may sit inside a continued instruction too
        if not buffer:
            start = number
        if raw.rstrip().endswith("\\"):
            buffer += raw.rstrip()[:-1]
            continue
        logical.append((start, buffer + raw))
        buffer = ""
    assert not buffer, "the Dockerfile ends inside a continued line"
    for number, line in logical:
        keyword, _, arguments = line.strip().partition(" ")
        instruction = Instruction(keyword.upper(), arguments.strip(), number)
        if instruction.keyword == "FROM":
            words = [w for w in instruction.arguments.split() if not w.startswith("--")]
            name = words[2] if len(words) == 3 and words[1].upper() == "AS" else None
            stages.append(Stage(words[0], name))
        else:
            assert stages, f"line {number}: {keyword} before FROM"
            stages[-1].instructions.append(instruction)
    return stages


STAGES = parse_dockerfile(DOCKERFILE.read_text(encoding="utf-8"))
BUILDER, FINAL = STAGES[0], STAGES[-1]


def test_multi_stage_on_a_pinned_python_base() -> None:
    assert len(STAGES) >= 2
    assert BUILDER.name == "builder"
    external = {stage.base for stage in STAGES if stage.base not in {s.name for s in STAGES}}
    assert len(external) == 1, f"one base image for every stage, got {external}"
    assert all(BASE_IMAGE.match(base) for base in external), external  # a full version, never `latest`


def test_builder_makes_wheels_with_dependencies_in_a_cached_layer() -> None:
    copies = [i.arguments for i in BUILDER.all("COPY")]
    # Only pyproject files come in before the dependencies are built...
    deps = BUILDER.index("-r /tmp/requirements.txt", "RUN")
    first_code = BUILDER.index("service", "COPY")
    before = [i.arguments for i in BUILDER.instructions[:deps] if i.keyword == "COPY"]
    assert before and all(src.split()[0].endswith("pyproject.toml") for src in before), before
    assert deps < first_code < BUILDER.index("clients/python .", "RUN")
    # ...then the code, built as wheels without dependencies: the client and the server.
    assert any(c.startswith("clients/python ") for c in copies)
    wheel = BUILDER.instructions[BUILDER.index("clients/python .", "RUN")].arguments
    assert "pip wheel --no-deps --wheel-dir /wheels ./clients/python ." in wheel


def test_dependency_list_command_reads_both_pyprojects() -> None:
    """The builder's one-liner, with Dockerfile and shell quoting applied, prints the requirements."""
    run = BUILDER.instructions[BUILDER.index("-r /tmp/requirements.txt", "RUN")]
    _, command = run.flags()
    words = shlex.split(command)
    script = words[words.index("-c") + 1]
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True, timeout=30
    )
    printed = result.stdout.split()

    def deps(path: Path) -> list[str]:
        listed: list[str] = tomllib.loads(path.read_text(encoding="utf-8"))["project"]["dependencies"]
        return listed

    server, client = deps(ROOT / "pyproject.toml"), deps(ROOT / "clients/python/pyproject.toml")
    assert printed == [d for d in server + client if not d.startswith("deckgen-client")]
    assert "grpcio-health-checking==1.85.1" in printed  # the HEALTHCHECK needs it at runtime


def test_final_stage_has_no_compilers_and_the_pdf_packages() -> None:
    installs = [i.arguments for i in FINAL.all("RUN") if "apt-get install" in i.arguments]
    assert installs
    for command in installs:
        assert "--no-install-recommends" in command
        assert "rm -rf /var/lib/apt/lists/*" in command
        assert not COMPILERS.search(command.split("apt-get install", 1)[1]), command
    assert all("build-essential" not in i.arguments for i in FINAL.instructions)
    # The same Debian packages as .ci/system-deps.sh: LibreOffice, poppler, the fonts.
    script = (ROOT / ".ci/system-deps.sh").read_text(encoding="utf-8")
    listed = re.search(r"packages=\(([^)]*)\)", script)
    assert listed is not None
    wanted = set(listed.group(1).split())
    assert wanted <= set(" ".join(installs).split()), wanted - set(" ".join(installs).split())


def test_final_stage_installs_only_the_built_wheels() -> None:
    installs = [i for i in FINAL.all("RUN") if "pip install" in i.arguments]
    assert len(installs) == 1
    flags, command = installs[0].flags()
    assert "from=builder" in flags.get("mount", "") or any(
        "--from=builder" in c.arguments for c in FINAL.all("COPY")
    )
    assert "--no-index" in command and "--find-links /wheels" in command
    assert "deckgen" in command.split()


def test_runs_as_a_fixed_non_root_user() -> None:
    users = FINAL.all("USER")
    assert users, "the final stage sets USER"
    user = users[-1].arguments.split(":")
    assert user[0] == "10001" and user[0] != "0"  # numeric, so runAsNonRoot can verify it
    assert any("--uid 10001" in i.arguments for i in FINAL.all("RUN"))


def test_environment_working_directory_and_volume() -> None:
    env = FINAL.env()
    assert env["ENVIRONMENT"] == "production"
    assert env["STORAGE_DIR"] == "/data/artifacts"
    assert env["HOME"].startswith("/tmp") and env["TMPDIR"].startswith("/tmp")
    assert env["WORKERS"] == "1"
    assert FINAL.all("WORKDIR")
    volumes = [
        json.loads(v.arguments) if v.arguments.startswith("[") else v.arguments.split()
        for v in FINAL.all("VOLUME")
    ]
    assert ["/data"] in volumes
    # config/.env.production is shipped where CONFIG_DIR points; the server accepts the profile.
    assert any(i.arguments.split()[-1].rstrip("/") == env["CONFIG_DIR"] for i in FINAL.all("COPY"))
    image_env = {k: v for k, v in env.items() if k != "CONFIG_DIR"}
    # The image alone does not start: the operator chooses authentication and signs resume tokens.
    with pytest.raises(ConfigError, match="AUTH_MODE"):
        load_settings(image_env, config_dir=ROOT / "config")
    operator = {"AUTH_MODE": "none", "RESUME_TOKEN_SECRET": "from-a-secret"}
    settings = load_settings({**image_env, **operator}, config_dir=ROOT / "config")
    assert settings.environment == "production"
    assert str(settings.storage_dir) == "/data/artifacts"
    assert (settings.api_port, settings.metrics_port, settings.workers) == (8000, 9090, 1)


def test_ports_and_entrypoint() -> None:
    exposed = {port for i in FINAL.all("EXPOSE") for port in i.arguments.split()}
    assert {"8000", "9090"} <= exposed
    assert FINAL.all("ENTRYPOINT")[-1].exec_form() == ["deckgen", "serve"]
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    assert "deckgen" in scripts


def _healthcheck() -> list[str]:
    checks = FINAL.all("HEALTHCHECK")
    assert len(checks) == 1
    flags, _ = checks[0].flags()
    assert {"interval", "timeout", "retries"} <= flags.keys()
    command = checks[0].exec_form()
    assert command[:2] == ["python", "-c"]
    assert "grpc_health.v1" in command[2] and "'liveness'" in command[2]
    return command


def test_healthcheck_is_a_grpc_health_check_of_liveness() -> None:
    _healthcheck()


@pytest.mark.slow
def test_healthcheck_passes_against_a_live_server(live_server: ChildServer) -> None:
    result = run_python(_healthcheck(), env={**os.environ, "API_PORT": str(live_server.port)})
    assert result.returncode == 0, result.stderr


def test_healthcheck_fails_when_nothing_listens() -> None:
    result = run_python(_healthcheck(), env={**os.environ, "API_PORT": "1"})
    assert result.returncode != 0


@pytest.mark.slow
def test_healthcheck_prefers_the_health_port(live_server: ChildServer) -> None:
    # The image sets HEALTH_PORT: the check goes there, not to the (possibly TLS) API port.
    assert FINAL.env()["HEALTH_PORT"] == "8081"
    env = {**os.environ, "API_PORT": str(live_server.port)}
    assert run_python(_healthcheck(), env={**env, "HEALTH_PORT": "1"}).returncode != 0
    assert run_python(_healthcheck(), env={**env, "HEALTH_PORT": "0"}).returncode == 0


def _ignored(path: str, patterns: list[str]) -> bool:
    ignored = False
    for pattern in patterns:
        negated = pattern.startswith("!")
        bare = pattern.removeprefix("!").removeprefix("**/").rstrip("/")
        parts = Path(path).parts
        if any(
            fnmatch("/".join(parts[: n + 1]), bare) or fnmatch(part, bare) for n, part in enumerate(parts)
        ):
            ignored = not negated
    return ignored


def test_dockerignore_keeps_the_context_small_but_complete() -> None:
    patterns = [
        line.strip()
        for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    for unwanted in (".venv", ".git", "build", "var", ".mypy_cache", ".pytest_cache", ".ruff_cache", "tests"):
        assert _ignored(unwanted, patterns), unwanted
    assert _ignored("service/deckgen/__pycache__/x.pyc", patterns)
    assert _ignored("clients/python/build/lib/x.py", patterns)
    for stage in STAGES:
        for copy in stage.all("COPY"):
            flags, arguments = copy.flags()
            if "from" in flags:
                continue
            for source in arguments.split()[:-1]:
                assert (ROOT / source).exists(), source
                assert not _ignored(source.rstrip("/"), patterns), f"{source} is copied but ignored"
