"""``crossorigin fix``: print the server configuration that lets a blocked request through.

    crossorigin fix --stack express --origin https://app.example.com --methods PUT \\
        --headers Authorization,Content-Type --credentials
    crossorigin fix --stack list

The snippet is highlighted on a terminal and plain otherwise (so it can be redirected into a
file: the notes then follow as comments); ``--json`` prints ``{stack, title, language, where,
snippet, notes, parts, alternatives}``.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from crossorigin.cli import UsageError
from crossorigin.doctor.fixes import (
    STACKS,
    Fix,
    Requirement,
    RequirementError,
    UnknownStackError,
    fix_for,
)
from crossorigin.doctor.fixes.model import COMMENT_MARKERS
from crossorigin.doctor.fixes.requirement import MAX_AGE_LIMIT

__all__ = ["register", "run"]

# Pygments has no lexer for these; rich shows them unhighlighted.
_LEXERS = {"caddyfile": "text"}


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "fix",
        help="print the CORS configuration for a backend stack",
        description="Print the minimal, safe CORS configuration that lets the page's requests "
        "through, for one backend stack or dev proxy (--stack list shows them).",
    )
    parser.add_argument(
        "--stack", metavar="NAME", help="the backend stack, e.g. express, nginx; or 'list'"
    )
    parser.add_argument(
        "--origin",
        action="append",
        default=[],
        metavar="ORIGIN",
        help="the page's origin, e.g. https://app.example.com (repeat for several)",
    )
    parser.add_argument(
        "--methods",
        action="append",
        default=[],
        metavar="LIST",
        help="methods the page sends, comma-separated, e.g. PUT,DELETE",
    )
    parser.add_argument(
        "--headers",
        action="append",
        default=[],
        metavar="LIST",
        help="request headers the page sets, e.g. Authorization,Content-Type",
    )
    parser.add_argument(
        "--credentials",
        action="store_true",
        help="the page sends cookies or HTTP authentication (credentials: 'include')",
    )
    parser.add_argument(
        "--expose",
        action="append",
        default=[],
        metavar="LIST",
        help="response headers the page's script reads, e.g. X-Total-Count",
    )
    parser.add_argument(
        "--max-age", metavar="SECONDS", help="how long browsers may cache the preflight answer"
    )
    parser.add_argument(
        "--private-network",
        action="store_true",
        help="a public page calls this server on a private network",
    )
    parser.add_argument(
        "--api-origin",
        metavar="ORIGIN",
        help="the API's origin, for dev proxies (default: a placeholder)",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if not args.stack:
        raise UsageError(
            "--stack is required: name the backend, e.g. --stack express "
            "(crossorigin fix --stack list shows them all)"
        )
    if args.stack == "list":
        _print_stacks(as_json=args.json)
        return 0
    if args.stack not in STACKS:
        raise UsageError(str(UnknownStackError(args.stack)))
    if not args.origin:
        raise UsageError(
            "--origin is required: the origin of the page making the requests, "
            "e.g. --origin https://app.example.com"
        )
    try:
        requirement = Requirement(
            origins=tuple(args.origin),
            methods=tuple(args.methods),
            request_headers=tuple(args.headers),
            credentials=args.credentials,
            expose_headers=tuple(args.expose),
            max_age=_max_age(args.max_age),
            private_network=args.private_network,
            api_origin=args.api_origin,
        )
    except RequirementError as error:
        raise UsageError(str(error)) from None
    fix = fix_for(args.stack, requirement)
    if args.json:
        json.dump(fix.as_json(), sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    elif sys.stdout.isatty():
        _print_rich(fix)
    else:
        sys.stdout.write(plain_text(fix))
    return 0


def _max_age(text: str | None) -> int | None:
    if text is None:
        return None
    try:
        return int(text)
    except ValueError:
        raise UsageError(
            f"--max-age {text!r} is not a number of seconds: give an integer from 0 to "
            f"{MAX_AGE_LIMIT}, e.g. --max-age 600"
        ) from None


def plain_text(fix: Fix) -> str:
    """The snippet as a file could hold it: the title and notes become comments."""
    marker = COMMENT_MARKERS.get(fix.language, "#")
    lines = [f"{marker} {fix.title}", f"{marker} Where: {fix.where}", "", fix.snippet.rstrip()]
    if fix.notes:
        lines += ["", f"{marker} Notes:"]
        lines += [f"{marker} - {note}" for note in fix.notes]
    for alternative in fix.alternatives:
        alt_marker = COMMENT_MARKERS.get(alternative.language, "#")
        lines += [
            "",
            f"{alt_marker} Alternative: {alternative.title}",
            f"{alt_marker} Where: {alternative.where}",
        ]
        lines += [f"{alt_marker}   {line}".rstrip() for line in alternative.text.splitlines()]
    return "\n".join(lines) + "\n"


def _print_rich(fix: Fix) -> None:
    from rich.console import Console

    console = Console()
    console.print(f"[bold]{fix.title}[/bold]", highlight=False)
    for part in fix.parts:
        console.print(f"\n[cyan]Where:[/cyan] {part.where}", highlight=False)
        console.print(_syntax(part.text, part.language), crop=False)
    if fix.notes:
        console.print("\n[bold]Notes[/bold]")
        for note in fix.notes:
            console.print(f"  • {note}", highlight=False)
    for alternative in fix.alternatives:
        console.print(f"\n[bold]Alternative:[/bold] {alternative.title}", highlight=False)
        console.print(f"[cyan]Where:[/cyan] {alternative.where}", highlight=False)
        console.print(_syntax(alternative.text, alternative.language), crop=False)


def _syntax(text: str, language: str) -> Any:
    from rich.syntax import Syntax

    # Never wrapped or cropped by rich (a cut or broken line pasted into a configuration
    # file would break it): the code is as wide as its longest line; the terminal wraps.
    code = text.rstrip()
    return Syntax(
        code,
        _LEXERS.get(language, language),
        code_width=max(len(line) for line in code.splitlines()),
        background_color="default",
    )


def _print_stacks(*, as_json: bool) -> None:
    if as_json:
        rows = [{"stack": s.id, "title": s.title, "kind": s.kind} for s in STACKS.values()]
        json.dump(rows, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return
    width = max(len(stack_id) for stack_id in STACKS)
    for stack in STACKS.values():
        sys.stdout.write(f"{stack.id.ljust(width)}  {stack.kind.ljust(10)}  {stack.title}\n")
