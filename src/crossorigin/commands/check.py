"""``crossorigin check URL --origin ORIGIN``: make the browser's request for real, and explain.

The engine decides what the browser sends; the doctor sends it (preflight first, redirects
followed as the browser would) and prints the trace, the verdict, the browser's console
message, the cause and the fix for the server's stack. Exit status: 0 allowed (or opaque, as
asked with --mode no-cors), 1 blocked, 2 usage or network error (DNS, refused connection,
TLS, timeout: not CORS errors).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from crossorigin.cli import EXIT_BLOCKED, EXIT_OK, EXIT_USAGE, UsageError
from crossorigin.commands.connection import (
    add_connection_options,
    check_stack,
    connection_settings,
)

BROWSERS = ("chromium", "firefox", "safari")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "check",
        help="send a cross-origin request as the browser would, and explain the verdict",
        description="Send the request a page at ORIGIN would make to URL (the preflight "
        "first, when the browser sends one), show every exchange and check, the verdict, "
        "the browser's console message, the cause and the fix for the server's stack.",
        epilog="exit status: 0 allowed (or opaque with --mode no-cors), 1 blocked by the "
        "browser, 2 usage or network error (DNS, connection refused, TLS, timeout)",
    )
    parser.add_argument("url", help="the URL the page fetches")
    parser.add_argument(
        "--origin", help="the page's origin, e.g. https://app.example.com (required)"
    )
    parser.add_argument(
        "-X", "--request", dest="method", help="the method (default GET, or POST with -d)"
    )
    parser.add_argument(
        "-H",
        "--header",
        dest="headers",
        action="append",
        default=[],
        metavar="'NAME: VALUE'",
        help="a request header the page sets (repeatable)",
    )
    parser.add_argument(
        "--credentials",
        choices=("omit", "same-origin", "include"),
        default="same-origin",
        help="fetch()'s credentials mode (default same-origin; include sends cookies)",
    )
    parser.add_argument("--mode", choices=("cors", "no-cors", "same-origin"), default="cors")
    parser.add_argument("-d", "--data", dest="body", help="the request body")
    parser.add_argument("--browser", choices=BROWSERS, default="chromium")
    parser.add_argument("--stack", help="the server's stack, for the fix (default: detected)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of the trace")
    add_connection_options(parser)
    parser.add_argument(
        "-b",
        "--cookie",
        metavar="'NAME=VALUE; ...'",
        help="a Cookie header sent where the browser would send cookies",
    )
    parser.set_defaults(func=run)


def parse_headers(values: list[str]) -> tuple[tuple[str, str], ...]:
    """-H values (curl syntax: 'Name: value', or 'Name;' for an empty value) as pairs."""
    headers = []
    for raw in values:
        if ":" in raw:
            name, _, value = raw.partition(":")
        elif raw.endswith(";"):  # curl's way to send an empty value
            name, value = raw[:-1], ""
        else:
            raise UsageError(
                f"-H {raw!r} is not 'Name: value': write e.g. -H 'Authorization: Bearer TOKEN'"
            )
        name = name.strip()
        if not name:
            raise UsageError(f"-H {raw!r} has no header name: write e.g. -H 'X-Api-Key: 123'")
        headers.append((name, value.strip()))
    return tuple(headers)


def run(args: argparse.Namespace) -> int:
    from crossorigin.doctor.explain import diagnose
    from crossorigin.doctor.probe import probe
    from crossorigin.doctor.render import check_json, make_console, render_check
    from crossorigin.engine import EngineInputError, FetchRequest

    if not args.origin:
        raise UsageError(
            "--origin is required: the origin of the page that makes the request, e.g. "
            f"crossorigin check {args.url} --origin https://app.example.com"
        )
    check_stack(args.stack)
    connection = connection_settings(args)
    method = args.method or ("POST" if args.body is not None else "GET")
    request = FetchRequest(
        page_origin=args.origin,
        url=args.url,
        method=method,
        headers=parse_headers(args.headers),
        mode=args.mode,
        credentials=args.credentials,
        body=args.body,
    )
    try:
        report = probe(request, browser=args.browser, cookie=args.cookie, **connection)
    except EngineInputError as error:
        raise UsageError(str(error)) from None
    diagnosis = diagnose(report, stack=args.stack)
    if args.json:
        json.dump(check_json(report, diagnosis), sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        render_check(make_console(), report, diagnosis)
    if report.failure is not None:
        return EXIT_USAGE
    return EXIT_BLOCKED if report.result.outcome == "blocked" else EXIT_OK
