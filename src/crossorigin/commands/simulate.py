"""``crossorigin simulate FILE``: run scenarios through the engine, print JSON results.

A stable contract (``shared/scenarios/FORMAT.md``): the output is a JSON list with one
result per scenario, in order, each with exactly the keys of the format's ``expect``.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from crossorigin.cli import UsageError
from crossorigin.scenario import ScenarioError, load_scenarios, simulate


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "simulate",
        help="run CORS scenarios (JSON) as Chromium would and print the results",
        description="Read scenarios in the crossorigin scenario format (one object or a list) "
        "and print a JSON list of results, one per scenario.",
    )
    parser.add_argument("file", help="scenario file, or - for standard input")
    parser.add_argument("--indent", type=int, default=None, help="pretty-print with this indent")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.file == "-":
        text = sys.stdin.read()
        source = "<stdin>"
    else:
        try:
            with open(args.file, encoding="utf-8") as handle:
                text = handle.read()
        except OSError as error:
            raise UsageError(f"cannot read {args.file!r}: {error.strerror}") from None
        except UnicodeDecodeError:
            raise UsageError(f"{args.file!r} is not UTF-8 text") from None
        source = args.file
    try:
        scenarios = load_scenarios(text, source)
        results = [
            simulate(scenario, where=f"{source}[{index}]")
            for index, scenario in enumerate(scenarios)
        ]
    except ScenarioError as error:
        raise UsageError(str(error)) from None
    json.dump(results, sys.stdout, indent=args.indent, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0
