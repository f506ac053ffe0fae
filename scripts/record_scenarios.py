#!/usr/bin/env python3
"""Record the ``expect`` block of CORS scenarios from real headless Chromium.

    .venv/bin/python scripts/record_scenarios.py                  # every tests/scenarios/*.json
    .venv/bin/python scripts/record_scenarios.py tests/scenarios/redirects.json
    .venv/bin/python scripts/record_scenarios.py --new            # only scenarios without expect
    .venv/bin/python scripts/record_scenarios.py --check          # report drift, write nothing
    .venv/bin/python scripts/record_scenarios.py --examples       # replay the shared examples

Each scenario runs in a fresh browser context of one Chromium launched as notes/TEAM.md says
(tests/support/chromium.py); the result replaces the scenario's ``expect``. Every scenario is
run twice and must give the same result both times, so a flaky observation is never written.
Files are rewritten in a stable layout (scenario keys in FORMAT.md order).
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.chromium import ChromiumRunner, chromium_available  # noqa: E402
from tests.support.scenarios import (  # noqa: E402
    SCENARIO_DIR,
    SHARED_EXAMPLES,
    dump_scenarios,
)


def _check_names(files: dict[Path, list[dict[str, Any]]]) -> list[str]:
    problems = []
    seen: dict[str, Path] = {}
    for path, scenarios in files.items():
        for index, scenario in enumerate(scenarios):
            where = f"{path.name}[{index}]"
            for key in ("name", "source", "page_origin", "request"):
                if key not in scenario:
                    problems.append(f"{where}: missing {key!r}")
            name = scenario.get("name")
            if name in seen:
                problems.append(f"{where}: name {name!r} is also used in {seen[name].name}")
            elif isinstance(name, str):
                seen[name] = path
    return problems


def _diff(old: dict[str, Any] | None, new: dict[str, Any]) -> str:
    if old is None:
        return "new"
    return ", ".join(
        f"{key}: {json.dumps(old.get(key))} -> {json.dumps(new.get(key))}"
        for key in new
        if old.get(key) != new.get(key)
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path, help="scenario files (default: all)")
    parser.add_argument("--check", action="store_true", help="only report differences")
    parser.add_argument(
        "--examples", action="store_true", help="replay the shared examples (never written)"
    )
    parser.add_argument("--only", action="append", default=[], help="record only these names")
    parser.add_argument("--new", action="store_true", help="record only scenarios without expect")
    parser.add_argument("--concurrency", type=int, default=1)
    args = parser.parse_args(argv)

    reason = chromium_available()
    if reason is not None:
        print(f"cannot record: {reason}", file=sys.stderr)
        return 2
    if args.examples:
        if not SHARED_EXAMPLES.exists():
            print(f"no shared examples at {SHARED_EXAMPLES}", file=sys.stderr)
            return 2
        paths = [SHARED_EXAMPLES]
        args.check = True
    else:
        paths = [p.resolve() for p in args.files] or sorted(SCENARIO_DIR.glob("*.json"))
    files = {path: json.loads(path.read_text(encoding="utf-8")) for path in paths}
    problems = _check_names(files)
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 2

    todo = [
        (path, index, scenario)
        for path, scenarios in files.items()
        for index, scenario in enumerate(scenarios)
        if (not args.only or scenario["name"] in args.only)
        and not (args.new and "expect" in scenario)
    ]
    started = time.monotonic()
    with ChromiumRunner(concurrency=args.concurrency) as runner:
        version = runner.version
        inputs = [scenario for _, _, scenario in todo]
        first = runner.observe_many(inputs)
        second = runner.observe_many(inputs)
    elapsed = time.monotonic() - started

    flaky = changed = 0
    errors: collections.Counter[str] = collections.Counter()
    for (path, _index, scenario), one, two in zip(todo, first, second, strict=True):
        if one.expect != two.expect:
            flaky += 1
            print(f"FLAKY {path.name} {scenario['name']}: {_diff(one.expect, two.expect)}")
            continue
        errors[str(one.expect["error"])] += 1
        if scenario.get("expect") != one.expect:
            changed += 1
            print(
                f"{'DIFF' if args.check else 'RECORD'} {path.name} {scenario['name']}: "
                f"{_diff(scenario.get('expect'), one.expect)}"
            )
            if not args.check:
                scenario["expect"] = one.expect

    if not args.check:
        for path, scenarios in files.items():
            path.write_text(dump_scenarios(scenarios), encoding="utf-8")
    runs = 2 * len(todo)
    print(
        f"Chromium {version}: {len(todo)} scenarios in {len(files)} file(s), {runs} runs in "
        f"{elapsed:.1f}s ({elapsed / max(runs, 1):.3f}s per run); "
        f"{changed} {'differ' if args.check else 'changed'}, {flaky} flaky"
    )
    for error, count in sorted(errors.items()):
        print(f"  {count:4d}  {error}")
    return 1 if flaky or (args.check and changed) else 0


if __name__ == "__main__":
    sys.exit(main())
