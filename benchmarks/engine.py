"""Engine throughput: complete fetch() decisions per second, by kind of scenario.

Runs every scenario of the shared examples (and tests/scenarios/ when present) through
``crossorigin.simulate`` in-process, repeatedly, and prints a table. No assertions: the
numbers are for the README and for spotting regressions by eye.

    .venv/bin/python benchmarks/engine.py [--seconds 0.5]
"""

from __future__ import annotations

import argparse
import json
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from crossorigin import simulate

ROOT = Path(__file__).resolve().parent.parent


def load() -> list[dict[str, Any]]:
    scenarios: list[dict[str, Any]] = []
    shared = ROOT.parent / "shared" / "scenarios" / "examples.json"
    if shared.exists():
        scenarios += json.loads(shared.read_text())
    for path in sorted((ROOT / "tests" / "scenarios").glob("*.json")):
        scenarios += json.loads(path.read_text())
    return scenarios


def kind(scenario: dict[str, Any]) -> str:
    expect = scenario.get("expect", {})
    if scenario.get("server", {}).get("redirects"):
        return "redirect"
    if scenario["request"].get("mode", "cors") != "cors":
        return "no-cors / same-origin"
    if expect.get("preflight_sent"):
        return "preflighted"
    return "simple"


def measure(scenarios: list[dict[str, Any]], seconds: float) -> tuple[int, float]:
    count = 0
    start = time.perf_counter()
    deadline = start + seconds
    while time.perf_counter() < deadline:
        for scenario in scenarios:
            simulate(scenario)
        count += len(scenarios)
    return count, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=0.5, help="time per row")
    args = parser.parse_args()
    scenarios = load()
    if not scenarios:
        raise SystemExit("no scenarios found (shared/scenarios/examples.json or tests/scenarios)")
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for scenario in scenarios:
        groups[kind(scenario)].append(scenario)
    groups["all (mix)"] = scenarios
    print(f"{'kind':<24} {'scenarios':>9} {'decisions/s':>12} {'µs/decision':>12}")
    print("-" * 60)
    for name, members in groups.items():
        simulate(members[0])  # warm caches
        count, elapsed = measure(members, args.seconds)
        rate = count / elapsed
        print(f"{name:<24} {len(members):>9} {rate:>12,.0f} {1e6 / rate:>12.1f}")


if __name__ == "__main__":
    main()
