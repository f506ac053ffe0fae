"""``crossorigin explain "MESSAGE"``: read a browser's CORS console message and explain it.

Recognizes every Chromium (current and older wordings), Firefox and Safari CORS message of
the catalogue, even with line breaks, curly quotes or cut short, and the usual look-alikes
that are not CORS errors. Reads standard input when no message is given. Exit status: 0 a
message was recognized (a CORS error or a look-alike), 1 nothing recognized, 2 usage error.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from crossorigin.cli import EXIT_OK, UsageError

EXIT_UNRECOGNIZED = 1


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "explain",
        help="explain a CORS error message copied from the browser's console",
        description="Explain a CORS console message (Chromium, Firefox or Safari): which check "
        "failed, the URL, origin and value at fault, the cause and the fix per stack. Give "
        "the message as an argument, or on standard input.",
        epilog="exit status: 0 recognized (a CORS error, or a look-alike that is not CORS), "
        "1 nothing recognized, 2 usage error",
    )
    parser.add_argument("message", nargs="*", help="the console message (default: stdin)")
    parser.add_argument("--stack", help="show the fix for this stack only (default: several)")
    parser.add_argument(
        "--origin", help="the page's origin, for messages that do not name it (Firefox)"
    )
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from crossorigin.doctor.explain import explain_message, known_stacks
    from crossorigin.doctor.render import make_console, render_explain
    from crossorigin.doctor.stacks import COMMON_STACKS

    if args.stack is not None and args.stack not in known_stacks():
        raise UsageError(
            f"--stack {args.stack!r} is not a known stack: choose one of "
            + ", ".join(known_stacks())
        )
    if args.message and args.message != ["-"]:
        text = " ".join(args.message)
    else:
        if sys.stdin.isatty():
            print("Paste the console message, then Ctrl-D:", file=sys.stderr)
        text = sys.stdin.read()
    if not text.strip():
        raise UsageError('no message given: crossorigin explain "Access to fetch at ..."')
    explanation = explain_message(
        text,
        stack=args.stack,
        origin=args.origin,
        # The terminal shows a few stacks; JSON carries all of them for programs to pick.
        stacks_when_unknown=None if args.json else COMMON_STACKS[:3],
    )
    if args.json:
        json.dump(explanation.as_json(), sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        console = make_console()
        render_explain(console, explanation)
        if args.stack is None and explanation.fixes.fixes:
            console.print(
                f"(fixes for other stacks: --stack {' | '.join(known_stacks())})",
                style="dim",
                highlight=False,
            )
    return EXIT_OK if explanation.recognition.recognized else EXIT_UNRECOGNIZED
