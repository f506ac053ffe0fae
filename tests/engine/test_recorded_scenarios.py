"""The engine against scenarios whose results were recorded from real Chromium.

The shared examples were recorded from Chromium 156; the project's own scenarios in
tests/scenarios/ are recorded by scripts/record_scenarios.py from the Chromium this suite
installs. The live comparison runs in tests/browser/; this is the fast, browser-free half.
"""

from __future__ import annotations

from typing import Any

import pytest

from crossorigin import simulate
from tests.conftest import load_own_scenarios, load_shared_examples

SHARED = load_shared_examples()
OWN = load_own_scenarios()

# Deliberate exceptions, each with its reason (the README lists them too).
KNOWN_DIFFERENCES: dict[str, str] = {}


def _ids(scenarios: list[dict[str, Any]]) -> list[str]:
    return [str(s.get("name", index)) for index, s in enumerate(scenarios)]


@pytest.mark.skipif(not SHARED, reason="shared/scenarios/examples.json is not beside the project")
@pytest.mark.parametrize("scenario", SHARED, ids=_ids(SHARED))
def test_shared_example(scenario: dict[str, Any]) -> None:
    assert simulate(scenario) == scenario["expect"]


@pytest.mark.skipif(not OWN, reason="no recorded scenarios in tests/scenarios yet")
@pytest.mark.parametrize("scenario", OWN, ids=_ids(OWN))
def test_own_scenario(scenario: dict[str, Any], request: pytest.FixtureRequest) -> None:
    reason = KNOWN_DIFFERENCES.get(str(scenario.get("name")))
    if reason is not None:
        request.applymarker(pytest.mark.xfail(reason=reason, strict=True))
    assert simulate(scenario) == scenario["expect"]
