"""The runner's console-to-CorsError fallback agrees with DevTools on every recorded line.

The runner takes the CorsError from DevTools and only falls back on the console text when
DevTools reports none; the fallback must name the error DevTools named for each recorded line.
"""

from __future__ import annotations

import pytest

from tests.support.chromium import cors_error_from_console
from tests.support.scenarios import LabelledScenario, load_own, load_shared

WITH_CONSOLE = [s for s in load_shared() + load_own() if s.scenario["expect"]["console"]]


@pytest.mark.parametrize(
    "labelled",
    WITH_CONSOLE,
    ids=lambda s: s.id,
)
def test_console_line_maps_to_the_error_devtools_reported(labelled: LabelledScenario) -> None:
    expect = labelled.scenario["expect"]
    assert cors_error_from_console(expect["console"]) == expect["error"]
