"""blink_header_order() against live Chromium on fresh random header sets.

Each run draws a new sample (the seed is in the failure message, for
``scripts/record_header_order.py --seed``-style replay) and sends every set as one cross-origin
fetch() from one headless Chromium; the order of the actual request's header lines must be the
one the engine predicts. The recorded half is tests/engine/test_header_order.py.
"""

from __future__ import annotations

import asyncio
import random

import pytest

from crossorigin.engine.header_order import blink_header_order
from tests.support.chromium import chromium_available
from tests.support.header_order_oracle import (
    comparable,
    network_order,
    observe_wire_orders,
    random_cases,
    request_header_names,
)

pytestmark = pytest.mark.browser

SAMPLE = 150


def test_fresh_random_header_sets_match_chromium() -> None:
    reason = chromium_available()
    if reason is not None:
        pytest.skip(reason)
    seed = random.SystemRandom().randrange(1 << 32)
    cases = random_cases(random.Random(seed), SAMPLE)
    wires = asyncio.run(observe_wire_orders(cases))
    mismatches = [
        {
            "names": list(case.names),
            "body": case.body,
            "chromium": network_order(case, wire),
            "engine": comparable(case, blink_header_order(request_header_names(case))),
        }
        for case, wire in zip(cases, wires, strict=True)
        if comparable(case, blink_header_order(request_header_names(case)))
        != network_order(case, wire)
    ]
    assert mismatches == [], f"seed {seed}: {len(mismatches)} of {SAMPLE} differ"
