"""The `deckgen` command: `serve`, `generate` (a client of a running server), `render`, and `keys`."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from deckgen.client import DeckgenError
    from deckgen.v1.presentation_pb2 import Brand

__all__ = ["main"]


def _serve(args: argparse.Namespace) -> int:
    import os

    from deckgen.config import ConfigError, load_settings
    from deckgen.server import run

    environ = {**os.environ, "ROLE": args.role} if args.role else None
    try:
        settings = load_settings(environ)
        run(settings)  # a busy API or metrics port is a configuration error too
    except ConfigError as error:
        print(f"deckgen: invalid configuration: {error}", file=sys.stderr)
        return 2
    return 0


def _missing_file(paths: Sequence[Path]) -> bool:
    for path in paths:
        if not path.is_file():
            print(f"deckgen: no such file: {path}", file=sys.stderr)
            return True
    return False


def _brand(args: argparse.Namespace) -> Brand | None:
    from deckgen.client import make_brand

    options = (args.primary_color, args.accent_color, args.heading_font, args.body_font, args.logo)
    if not any(options):
        return None
    return make_brand(
        primary_color=args.primary_color,
        accent_color=args.accent_color,
        heading_font=args.heading_font,
        body_font=args.body_font,
        logo=Path(args.logo) if args.logo else None,
    )


def _api_key(args: argparse.Namespace) -> str | None:
    return args.api_key or os.environ.get("DECKGEN_API_KEY") or None


def _report(error: DeckgenError) -> int:
    print(f"deckgen: {error}", file=sys.stderr)
    for field, description in error.field_violations:
        print(f"  {field}: {description}", file=sys.stderr)
    return 1


def _generate(args: argparse.Namespace) -> int:
    from deckgen.client import DeckgenClient, DeckgenError, event_kind

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    sources = [Path(p) for p in [*args.sources, *args.source]]
    if _missing_file([*sources, *([Path(args.logo)] if args.logo else [])]):
        return 2
    try:
        with DeckgenClient(args.server, timeout=args.timeout, api_key=_api_key(args)) as client:
            artifacts = []
            shown = 0  # outline items printed
            for event in client.generate_presentation(
                topic=args.topic or "",
                sources=sources,
                slide_count=args.slides,
                language=args.language,
                theme=args.theme,
                output_formats=args.format,
                speaker_notes=not args.no_notes,
                text_mode=args.text_mode or 0,
                brand=_brand(args),
                allowed_layouts=args.allowed_layout,
                template=args.template,
                slide_numbers=args.slide_numbers,
                footer=args.footer,
            ):
                kind = event_kind(event)
                if kind == "accepted":
                    print(f"accepted  {event.presentation}")
                elif kind == "outline_item":
                    shown += 1
                    print(f"outline   {event.outline_item.index + 1:>2}. {event.outline_item.item.title}")
                elif kind == "outline" and not shown:  # made at once: no items came before it
                    for index, item in enumerate(event.outline.outline.items):
                        print(f"outline   {index + 1:>2}. {item.title}")
                elif kind == "slide":
                    slide = event.slide.slide
                    print(f"slide     {slide.index + 1:>2}/{event.slide.total_slides} {slide.title}")
                elif kind == "warning":
                    print(f"warning   {event.warning.code}: {event.warning.message}")
                elif kind == "artifact":
                    artifacts.append(event.artifact.artifact)
                elif kind == "completed":
                    print(f"completed {event.completed.presentation.name}")
            for artifact in artifacts:
                target = out / artifact.name.rsplit("/", 1)[-1]
                client.download_artifact_to(artifact.name, target)
                print(f"saved     {target} ({artifact.size_bytes} bytes, sha256 {artifact.sha256[:12]}…)")
    except DeckgenError as error:
        return _report(error)
    return 0


def _template(args: argparse.Namespace) -> int:
    from deckgen.client import DeckgenClient, DeckgenError

    path = Path(args.file)
    if _missing_file([path]):
        return 2
    try:
        with DeckgenClient(args.server, timeout=args.timeout, api_key=_api_key(args)) as client:
            template = client.create_template(path, display_name=args.display_name)
    except DeckgenError as error:
        return _report(error)
    layouts = ", ".join(_layout_name(layout) for layout in template.layouts)
    print(f"layouts   {layouts}", file=sys.stderr)
    # Only the name on stdout, so scripts can write `--template "$(deckgen template create x.pptx)"`.
    print(template.name)
    return 0


def _layout_name(layout: int) -> str:
    from deckgen.v1 import presentation_pb2 as pb

    return pb.Layout.Name(layout).removeprefix("LAYOUT_").lower().replace("_", "-")


def _render(args: argparse.Namespace) -> int:
    from google.protobuf import json_format

    from deckgen import render
    from deckgen.api import deck_from_proto
    from deckgen.domain import DeckgenError
    from deckgen.v1 import presentation_pb2 as pb

    try:
        message = json_format.Parse(Path(args.deck).read_text(encoding="utf-8"), pb.Deck())
        deck = deck_from_proto(message)
        theme = render.get_theme(args.theme or deck.theme)
        data = render.render_pptx(deck, theme)
    except (OSError, json_format.ParseError, DeckgenError, KeyError) as error:
        print(f"deckgen: cannot render {args.deck}: {error}", file=sys.stderr)
        return 1
    target = Path(args.output)
    target.write_bytes(data)
    print(f"wrote {target} ({len(data)} bytes)")
    return 0


def _keys(args: argparse.Namespace) -> int:
    from deckgen.auth import KeyFormatError, entry_for, new_api_key

    scopes = frozenset(args.scope)
    try:
        if args.keys_command == "create":
            key, entry = new_api_key(args.principal, scopes)
            print(f"key (give it to the caller; it is not stored anywhere): {key}", file=sys.stderr)
            print(key)
        else:
            key = sys.stdin.readline().strip()
            entry = entry_for(key, args.principal, scopes)
    except KeyFormatError as error:
        print(f"deckgen: {error}", file=sys.stderr)
        return 2
    print("API_KEYS entry (append it to the keys file or secret):", file=sys.stderr)
    print(entry.line())
    return 0


def _layout_choices() -> list[str]:
    # From the contract, so a layout added there is accepted here without a change.
    from deckgen.v1 import presentation_pb2 as pb

    return [_layout_name(value.number) for value in pb.Layout.DESCRIPTOR.values[1:]]


def _add_connection(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--server", default="localhost:8000", help="host:port of the server")
    parser.add_argument("--timeout", type=float, default=300.0, help="deadline in seconds")
    parser.add_argument("--api-key", default="", help="API key (default: $DECKGEN_API_KEY)")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="deckgen", description="Presentation generation service")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the gRPC server (configured by the environment)")
    serve.add_argument(
        "--role",
        choices=["api", "worker", "all"],
        default="",
        help="api: serve calls and enqueue generations; worker: run generations from the queue; "
        "all (default, or ROLE): both. api and worker need REDIS_URL.",
    )
    serve.set_defaults(func=_serve)

    generate = commands.add_parser("generate", help="generate a deck on a running server")
    generate.add_argument(
        "sources",
        nargs="*",
        help="files to build the deck from: Markdown, text, PDF, DOCX, PPTX, XLSX, HTML, CSV "
        "(the media type is taken from the suffix)",
    )
    generate.add_argument(
        "--source", action="append", default=[], metavar="FILE", help="one more source file (repeatable)"
    )
    generate.add_argument("--topic", help="what the deck is about")
    generate.add_argument("--slides", type=int, default=0, help="number of slides (0: automatic)")
    generate.add_argument("--language", default="", help="BCP-47 language tag")
    generate.add_argument("--theme", default="", help="theme id (see ListThemes)")
    generate.add_argument("--template", default="", help="templates/ID from `deckgen template create`")
    generate.add_argument("--text-mode", default="", choices=["", "generate", "condense", "preserve"])
    generate.add_argument(
        "--format",
        action="append",
        default=[],
        choices=["pptx", "pdf", "png", "json"],
        help="files to produce (repeatable; default pptx)",
    )
    generate.add_argument("--no-notes", action="store_true", help="leave out speaker notes")
    brand = generate.add_argument_group("brand", "override the theme's colours, fonts and logo")
    brand.add_argument("--primary-color", default="", metavar="RRGGBB")
    brand.add_argument("--accent-color", default="", metavar="RRGGBB")
    brand.add_argument("--heading-font", default="", metavar="FONT")
    brand.add_argument("--body-font", default="", metavar="FONT")
    brand.add_argument("--logo", default="", metavar="FILE", help="PNG or JPEG, at most 1 MiB")
    generate.add_argument(
        "--slide-numbers",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="number the slides (default: the server's, yes)",
    )
    generate.add_argument("--footer", default="", help="text in the footer of every slide but the title")
    generate.add_argument(
        "--allowed-layout",
        action="append",
        default=[],
        choices=_layout_choices(),
        help="use only these layouts (repeatable; default all)",
    )
    _add_connection(generate)
    generate.add_argument("--out", default=".", help="directory to save the artifacts in")
    generate.set_defaults(func=_generate)

    template = commands.add_parser("template", help="manage PowerPoint templates on a running server")
    template_commands = template.add_subparsers(dest="template_command", required=True)
    create = template_commands.add_parser("create", help="upload a .pptx/.potx; prints its templates/ID")
    create.add_argument("file", help="the template file")
    create.add_argument("--display-name", default="", help="default: the file name")
    _add_connection(create)
    create.set_defaults(func=_template)

    render_cmd = commands.add_parser("render", help="render deck JSON (deckgen.v1.Deck) to PPTX locally")
    render_cmd.add_argument("deck", help="deck JSON file, e.g. a deck.json artifact")
    render_cmd.add_argument("-o", "--output", default="deck.pptx")
    render_cmd.add_argument("--theme", default="", help="override the deck's theme")
    render_cmd.set_defaults(func=_render)

    keys = commands.add_parser("keys", help="make API key entries for API_KEYS (only digests are stored)")
    key_commands = keys.add_subparsers(dest="keys_command", required=True)
    for name, text in (
        ("create", "make a new key; prints the key, then its API_KEYS entry"),
        ("hash", "read an existing key (dgk_...) from stdin; print its API_KEYS entry"),
    ):
        command = key_commands.add_parser(name, help=text)
        command.add_argument("principal", help="the service the key identifies, e.g. billing")
        command.add_argument("--scope", action="append", default=[], choices=["admin"])
    keys.set_defaults(func=_keys)

    args = parser.parse_args(argv)
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    raise SystemExit(main())
