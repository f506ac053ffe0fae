"""blink_header_order() against orders recorded from real Chromium, and its invariants.

tests/engine/blink_header_orders.json holds fetch() header sets (random names and insertion
orders, 1-20 names, with and without a body) and the header lines of each actual request in
wire order, recorded by scripts/record_header_order.py from Chromium 156. The live comparison
on fresh random sets is tests/browser/test_header_order.py.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from crossorigin.engine.header_order import blink_header_order, case_folding_hash
from tests.support.header_order_oracle import (
    HeaderOrderCase,
    comparable,
    network_order,
    random_cases,
    request_header_names,
)

FIXTURE = Path(__file__).with_name("blink_header_orders.json")
RECORDED: list[dict[str, Any]] = json.loads(FIXTURE.read_text())["cases"]


def test_the_fixture_has_enough_varied_cases() -> None:
    sizes = {len(case["names"]) for case in RECORDED}
    assert len(RECORDED) >= 200
    assert sizes >= set(range(1, 21))  # every table size from 8 to 64 buckets
    assert any(case["body"] for case in RECORDED) and not all(case["body"] for case in RECORDED)


@pytest.mark.parametrize("recorded", RECORDED, ids=[str(i) for i in range(len(RECORDED))])
def test_matches_the_order_chromium_sent(recorded: dict[str, Any]) -> None:
    case = HeaderOrderCase.from_json(recorded)
    predicted = blink_header_order(request_header_names(case))
    assert comparable(case, predicted) == network_order(case, recorded["wire"])


def test_the_recorded_six_header_scenario() -> None:
    # tests/scenarios/request_headers.json hint-order-six-headers: Chromium names
    # accept-language, set fifth, as the first disallowed header.
    names = ["Content-Language", "Accept", "X-B", "Content-Type", "Accept-Language", "X-A"]
    assert blink_header_order(names) == [
        "Accept-Language", "Accept", "Content-Language", "Content-Type", "X-A", "X-B",
    ]  # fmt: skip


def test_call_order_does_not_matter() -> None:
    # FetchHeaderList sorts before the map is filled, so only the set of names counts.
    rng = random.Random(5)
    for case in random_cases(rng, 50):
        names = list(case.names)
        shuffled = rng.sample(names, len(names))
        assert blink_header_order(shuffled) == blink_header_order(names)


def test_each_distinct_name_once_under_its_first_spelling() -> None:
    order = blink_header_order(["X-Trace", "x-trace", "Accept", "X-TRACE", "accept"])
    assert sorted(order) == ["Accept", "X-Trace"]


def test_user_agent_shapes_the_order_but_is_listed_only_when_named() -> None:
    # Chromium's User-Agent takes a bucket of the map, but the page did not set it.
    assert "User-Agent" not in blink_header_order(["X-A", "X-B"])
    named = blink_header_order(["X-A", "User-Agent"])
    assert sorted(named) == ["User-Agent", "X-A"]


def test_empty() -> None:
    assert blink_header_order([]) == []


def test_hash_ignores_ascii_case_and_fits_24_bits() -> None:
    for name in ["a", "A", "Content-Type", "x-" + "Q" * 60]:
        value = case_folding_hash(name)
        assert value == case_folding_hash(name.lower()) == case_folding_hash(name.upper())
        assert 0 < value < 1 << 24
