"""Recorded scenarios still describe what Chromium does now.

Every shared example (../shared/scenarios/examples.json, recorded from Chromium 156) and every
scenario in tests/scenarios/ (recorded here by scripts/record_scenarios.py) is run in real
headless Chromium; its ``expect`` block must equal the live result. A failure means the
browser drifted from the recording (re-record and review the diff) or the harness broke.
"""

from __future__ import annotations

import pytest

from tests.support.chromium import EXPECT_KEYS, LiveChromium
from tests.support.scenarios import SHARED_EXAMPLES, LabelledScenario, load_own, load_shared

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("chromium")]

SHARED = load_shared()
OWN = load_own()


def _differences(recorded: dict[str, object], live: dict[str, object]) -> dict[str, object]:
    return {
        key: {"recorded": recorded.get(key), "chromium": live.get(key)}
        for key in EXPECT_KEYS
        if recorded.get(key) != live.get(key)
    }


@pytest.mark.skipif(not SHARED, reason=f"shared examples not found at {SHARED_EXAMPLES}")
@pytest.mark.parametrize("labelled", SHARED, ids=[s.id for s in SHARED])
def test_shared_example_matches_chromium(
    labelled: LabelledScenario, live_chromium: LiveChromium
) -> None:
    live = live_chromium.run(labelled.scenario)
    assert _differences(labelled.scenario["expect"], live) == {}
    assert set(live) == set(EXPECT_KEYS)


@pytest.mark.skipif(not OWN, reason="no scenarios in tests/scenarios")
@pytest.mark.parametrize("labelled", OWN, ids=[s.id for s in OWN])
def test_recorded_scenario_matches_chromium(
    labelled: LabelledScenario, live_chromium: LiveChromium
) -> None:
    assert "expect" in labelled.scenario, "not recorded yet: run scripts/record_scenarios.py"
    live = live_chromium.run(labelled.scenario)
    assert _differences(labelled.scenario["expect"], live) == {}
