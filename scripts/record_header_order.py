#!/usr/bin/env python3
"""Record the order in which real Chromium sends a fetch()'s request headers.

    .venv/bin/python scripts/record_header_order.py                 # rewrite the fixture
    .venv/bin/python scripts/record_header_order.py --count 2000 --check
                                                                    # compare only, write nothing

Draws random header sets (tests/support/header_order_oracle.py: 1-20 names, realistic ones
and random tokens over every tchar, random case, random insertion order, with and without a
body), runs each as a cross-origin fetch() in headless Chromium launched as notes/TEAM.md says,
and stores each case with the header names of the actual request in wire order in
tests/engine/blink_header_orders.json. Every batch is run twice and must give the same orders
both times, so a flaky observation is never written. ``--check`` instead reports how many
observed orders crossorigin.engine.header_order.blink_header_order() reproduces.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from crossorigin.engine.header_order import blink_header_order  # noqa: E402
from tests.support.header_order_oracle import (  # noqa: E402
    HeaderOrderCase,
    comparable,
    network_order,
    observe_wire_orders,
    random_cases,
    request_header_names,
)

FIXTURE = ROOT / "tests" / "engine" / "blink_header_orders.json"
# The header set of the recorded scenario hint-order-six-headers, kept as the first case.
_HINT_ORDER_CASE = HeaderOrderCase(
    ("Content-Language", "Accept", "X-B", "Content-Type", "Accept-Language", "X-A"), "POST", True
)


def _chromium_version() -> str:
    out = subprocess.run(["chromium", "--version"], capture_output=True, text=True, check=False)
    return " ".join(out.stdout.split()[:2]) or "chromium"


def _dump(fixture: dict[str, Any]) -> str:
    """Indented JSON with one case a line, so a re-recording diffs case by case."""
    head = {k: v for k, v in fixture.items() if k != "cases"}
    lines = [json.dumps(case, ensure_ascii=False) for case in fixture["cases"]]
    text = json.dumps(head, indent=1, ensure_ascii=False)[:-2]
    return text + ',\n "cases": [\n  ' + ",\n  ".join(lines) + "\n ]\n}\n"


def _model(case: HeaderOrderCase) -> list[str]:
    return comparable(case, blink_header_order(request_header_names(case)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=200, help="random cases (default 200)")
    parser.add_argument("--seed", type=int, default=156, help="random seed (default 156)")
    parser.add_argument("--max-names", type=int, default=20, help="names per case (default 20)")
    parser.add_argument("--check", action="store_true", help="compare with the model only")
    args = parser.parse_args()

    cases = [
        _HINT_ORDER_CASE,
        *random_cases(random.Random(args.seed), args.count, max_names=args.max_names),
    ]
    first = asyncio.run(observe_wire_orders(cases))
    second = asyncio.run(observe_wire_orders(cases))
    unstable = [c.names for c, a, b in zip(cases, first, second, strict=True) if a != b]
    if unstable:
        print(f"{len(unstable)} cases gave different orders in two runs, e.g. {unstable[0]}")
        return 1

    mismatches = [
        (case, wire)
        for case, wire in zip(cases, first, strict=True)
        if _model(case) != network_order(case, wire)
    ]
    print(f"{len(cases) - len(mismatches)} of {len(cases)} observed orders match the model")
    for case, wire in mismatches[:5]:
        print(f"  names {list(case.names)} body={case.body}")
        print(f"    chromium {network_order(case, wire)}")
        print(f"    model    {_model(case)}")
    if args.check:
        return 1 if mismatches else 0

    fixture = {
        "chromium": _chromium_version(),
        "seed": args.seed,
        "max_names": args.max_names,
        "about": "fetch() header names per case and the actual request's header lines in wire "
        "order, from scripts/record_header_order.py",
        "cases": [
            {**case.to_json(), "wire": wire} for case, wire in zip(cases, first, strict=True)
        ],
    }
    FIXTURE.write_text(_dump(fixture))
    print(f"wrote {FIXTURE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
