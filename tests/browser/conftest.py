"""Fixtures for the tests that drive real headless Chromium.

One browser per test session (per xdist worker); each scenario still runs in a fresh browser
context. A scenario is run at most once per session: the examples test and the differential
test share the observation.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.chromium import ChromiumRunner, LiveChromium, chromium_available


@pytest.fixture(scope="session")
def live_chromium() -> Iterator[LiveChromium]:
    reason = chromium_available()
    if reason is not None:
        pytest.skip(reason)
    with ChromiumRunner() as runner:
        yield LiveChromium(runner)
