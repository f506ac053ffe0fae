"""``crossorigin demo``: the classic CORS mistakes on a bundled loopback API, each diagnosed.

Starts a small API on 127.0.0.1 that makes one classic mistake per route (and a dev proxy
that drops a header), then runs ``crossorigin check`` on each: trace, verdict, console
message, cause and fix. No network needed; it takes seconds. ``--json`` prints the check
results as JSON. Exit status 0 when every case was diagnosed as expected.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

from crossorigin.cli import EXIT_BLOCKED, EXIT_OK, UsageError


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="diagnose the classic CORS mistakes on a bundled loopback API (start here)",
        description="Start a small API on 127.0.0.1 with the classic CORS mistakes and run "
        "`crossorigin check` on each. No network needed.",
    )
    parser.add_argument(
        "cases", nargs="*", metavar="CASE", help="run only these cases (name or number; see --list)"
    )
    parser.add_argument("--list", action="store_true", help="list the cases and exit")
    parser.add_argument("--browser", choices=("chromium", "firefox", "safari"), default="chromium")
    parser.add_argument("--stack", help="show fixes for this stack instead of the detected one")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument(
        "--serve",
        action="store_true",
        help="keep the demo API running and print a check command for each case",
    )
    parser.add_argument(
        "--port",
        type=int,
        default=0,
        help="with --serve: the API's port (the proxy takes the next)",
    )
    parser.set_defaults(func=run)


def _serve(port: int) -> int:
    from crossorigin.doctor import demo

    try:
        servers = demo.DemoServers(port, port + 1 if port else 0)
    except OSError as error:
        raise UsageError(f"cannot listen on 127.0.0.1:{port}: {error.strerror}") from None
    try:
        print(
            f"Demo API on http://127.0.0.1:{servers.api_port} (as api.test), dev proxy on "
            f"http://127.0.0.1:{servers.proxy_port} (as proxy.test). Ctrl-C stops them.\n"
        )
        for number, case in enumerate(demo.CASES, start=1):
            print(f"# {number}. {case.title}")
            print(demo.check_command(case, servers) + "\n", flush=True)
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        return EXIT_OK
    finally:
        servers.close()


def run(args: argparse.Namespace) -> int:
    from rich.table import Table
    from rich.text import Text

    from crossorigin.doctor import demo
    from crossorigin.doctor.explain import diagnose, known_stacks
    from crossorigin.doctor.probe import probe
    from crossorigin.doctor.render import check_json, make_console, render_check

    if args.serve:
        return _serve(args.port)
    if args.list:
        for number, case in enumerate(demo.CASES, start=1):
            print(f"{number}. {case.name}: {case.title}")
        return EXIT_OK
    if args.stack is not None and args.stack not in known_stacks():
        raise UsageError(
            f"--stack {args.stack!r} is not a known stack: choose one of "
            + ", ".join(known_stacks())
        )
    try:
        cases = demo.select(args.cases)
    except KeyError as unknown:
        names = ", ".join(case.name for case in demo.CASES)
        raise UsageError(f"no demo case {unknown.args[0]!r}: choose from {names}") from None

    started = time.perf_counter()
    console = make_console()
    results: list[dict[str, object]] = []
    rows: list[tuple[int, Any, str, str]] = []
    with demo.running() as servers:
        for number, case in enumerate(cases, start=1):
            report = probe(
                demo.demo_request(case, servers), browser=args.browser, resolve=servers.resolve
            )
            diagnosis = diagnose(report, stack=args.stack)
            error = report.result.error_name or "none"
            if args.json:
                results.append(
                    {
                        "name": case.name,
                        "title": case.title,
                        "mistake": case.mistake,
                        "imitates": case.imitates,
                        "expected_error": case.expect,
                        "error": report.result.error_name,
                        "as_expected": report.result.error_name == case.expect,
                        "check": check_json(report, diagnosis),
                    }
                )
                continue
            console.print()
            console.print(Text(f"Case {number}/{len(cases)}: {case.title}", style="bold magenta"))
            console.print(
                Text.assemble(
                    ("The mistake: ", "bold"),
                    case.mistake,
                    (f" (the demo API imitates {case.imitates})", "dim"),
                )
            )
            render_check(console, report, diagnosis)
            rows.append(
                (demo.CASES.index(case) + 1, case, error, ", ".join(diagnosis.stacks_shown) or "-")
            )
    elapsed = time.perf_counter() - started
    if args.json:
        json.dump(
            {"cases": results, "elapsed_seconds": round(elapsed, 3)},
            sys.stdout,
            indent=2,
            ensure_ascii=False,
        )
        sys.stdout.write("\n")
        ok = all(result["as_expected"] for result in results)
        return EXIT_OK if ok else EXIT_BLOCKED
    console.print()
    table = Table(
        title=f"crossorigin demo: {len(cases)} cases in {elapsed:.1f} s", title_justify="left"
    )
    table.add_column("#", justify="right")
    table.add_column("case")
    table.add_column("the browser says", no_wrap=True)
    table.add_column("fix shown for")
    for number, case, error, stacks in rows:
        style = "green" if error == case.expect else "red"
        table.add_row(str(number), case.name, Text(error, style=style), stacks)
    console.print(table)
    console.print(
        Text(
            "Next: crossorigin check URL --origin ORIGIN against your own API; "
            'crossorigin explain "<console message>".',
            style="dim",
        )
    )
    ok = all(error == case.expect for _, case, error, _ in rows)
    return EXIT_OK if ok else EXIT_BLOCKED
