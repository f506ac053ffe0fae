"""crossorigin.simulate against live Chromium, field by field.

Every shared example and every tests/scenarios scenario runs in real headless Chromium and
through the engine; all eight result fields must agree. A Hypothesis test then draws random
scenarios (methods in any case, header sets with edge values, random ACAO/ACAC/ACAM/ACAH/ACEH
answers, credentials and modes) and compares the two the same way.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.support.chromium import EXPECT_KEYS, LiveChromium
from tests.support.scenarios import LabelledScenario, load_own, load_shared

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("chromium")]

Simulate = Callable[[Mapping[str, Any]], dict[str, object]]


def _engine() -> Simulate | None:
    try:
        from crossorigin import simulate
    except ImportError:
        return None
    return simulate


SIMULATE = _engine()
needs_engine = pytest.mark.skipif(SIMULATE is None, reason="engine not available")

# Where the engine and Chromium 156 disagree today; each entry is a strict xfail, so fixing the
# engine turns it into a failure that asks for the entry to be deleted.
KNOWN_ENGINE_GAPS: dict[str, str] = {}


def _param(labelled: LabelledScenario) -> Any:
    gap = KNOWN_ENGINE_GAPS.get(labelled.id)
    marks = [pytest.mark.xfail(reason=gap, strict=True)] if gap else []
    return pytest.param(labelled, id=labelled.id, marks=marks)


SCENARIOS = [_param(s) for s in load_shared() + load_own()]


def _disagreements(engine: Mapping[str, object], chromium: Mapping[str, object]) -> dict[str, Any]:
    return {
        key: {"engine": engine.get(key), "chromium": chromium.get(key)}
        for key in EXPECT_KEYS
        if engine.get(key) != chromium.get(key)
    }


def _compare(scenario: Mapping[str, Any], live_chromium: LiveChromium) -> None:
    assert SIMULATE is not None
    chromium: Mapping[str, object] = live_chromium.run(scenario)
    engine: Mapping[str, object] = SIMULATE(scenario)
    assert set(engine) == set(EXPECT_KEYS)
    disagreements = _disagreements(engine, chromium)
    assert disagreements == {}, "engine and Chromium disagree on " + json.dumps(
        {k: v for k, v in scenario.items() if k != "expect"}, ensure_ascii=False
    )


@needs_engine
@pytest.mark.skipif(not SCENARIOS, reason="no scenarios found")
@pytest.mark.parametrize("labelled", SCENARIOS)
def test_engine_matches_chromium(labelled: LabelledScenario, live_chromium: LiveChromium) -> None:
    _compare(labelled.scenario, live_chromium)


# -- random scenarios -------------------------------------------------------------------------

PAGE = "http://app.test:8001"
API = "http://api.test:8002/resource"
SAME_ORIGIN_URL = "http://app.test:8001/resource"

# Pools of values; plain, passing values are repeated so that most draws get past the first
# check and exercise the later ones (methods, headers, credentials, exposure).
METHODS = [
    "GET", "GET", "HEAD", "POST", "POST", "PUT", "PUT", "DELETE", "PATCH", "OPTIONS",
    "get", "post", "put", "delete", "patch", "options", "Delete", "FOO", "chicken",
    "M-SEARCH", "TRACE",
]  # fmt: skip
REQUEST_HEADERS = [
    ("Content-Type", "text/plain"),
    ("Content-Type", "application/x-www-form-urlencoded;charset=UTF-8"),
    ("Content-Type", "multipart/form-data; boundary=x"),
    ("Content-Type", "application/json"),
    ("Content-Type", 'text/plain; charset="utf-8"'),
    ("Content-Type", "text/plain, application/json"),
    ("Accept", "*/*"),
    ("Accept", "application/json{"),
    ("Accept", "a" * 129),
    ("Accept-Language", "en-US,en;q=0.9"),
    ("Accept-Language", "en_US"),
    ("Content-Language", "de-DE"),
    ("Content-Language", "de/DE"),
    ("Range", "bytes=0-10"),
    ("Range", "bytes=-10"),
    ("Range", "bytes=0-1,3-4"),
    ("X-Custom", "1"),
    ("X-Other", ""),
    ("X-Long", "v" * 600),
    ("Authorization", "Bearer token"),
    ("DPR", "2.0"),
    ("DPR", "x"),
    ("Save-Data", "on"),
    ("Width", "100"),
    ("Downlink", "1.5"),
    ("Cookie", "a=b"),
    ("Origin", "http://evil.test"),
    ("Sec-Foo", "1"),
    ("Proxy-Foo", "1"),
    ("Cache-Control", "no-cache"),
]
ACAO = [PAGE, PAGE, PAGE, PAGE, "*", "*", None, "null", PAGE + "/", "http://other.test:8001",
        "", "*, *", "app.test"]  # fmt: skip
ACAC = ["true", "true", "true", None, "TRUE", "true ", "false"]
ACAM = ["PUT, DELETE, PATCH, OPTIONS, FOO, chicken, M-SEARCH, patch, put", "*", "*", None, "PUT",
        "put", "GET, PUT, DELETE, PATCH", "FOO, chicken", "PUT,,DELETE", "PUT, (DELETE)",
        "*, PUT", "M-SEARCH, patch, options"]  # fmt: skip
ACAH = ["*", "*", "x-custom, x-other, authorization, content-type", None, "x-custom",
        "X-Custom, Content-Type", "authorization", "*, authorization",
        "content-type, authorization, x-custom, x-other, accept, accept-language, "
        "content-language, range, dpr, x-long", "bad header", ",x-custom,,"]  # fmt: skip
ACEH = [None, None, "*", "X-Secret", "X-Secret, *", "x-secret, content-type"]


def _answer(status: int, pairs: list[tuple[str, str | None]]) -> dict[str, Any]:
    return {"status": status, "headers": [[n, v] for n, v in pairs if v is not None]}


@st.composite
def random_scenarios(draw: st.DrawFn) -> dict[str, Any]:
    method = draw(st.sampled_from(METHODS))
    headers = draw(st.lists(st.sampled_from(REQUEST_HEADERS), max_size=4, unique_by=lambda h: h[0]))
    takes_body = method.upper() not in ("GET", "HEAD")
    preflight_status = draw(st.sampled_from([204, 204, 204, 200, 299, 404, 500]))
    acac = draw(st.sampled_from(ACAC))
    return {
        "name": "hypothesis",
        "source": "random differential scenario",
        "page_origin": PAGE,
        "request": {
            "url": draw(st.sampled_from([API] * 8 + [SAME_ORIGIN_URL])),
            "method": method,
            "headers": [list(h) for h in headers],
            "mode": draw(st.sampled_from(["cors"] * 8 + ["no-cors", "same-origin"])),
            "credentials": draw(st.sampled_from(["omit", "same-origin", "same-origin", "include"])),
            "body": "payload" if takes_body and draw(st.booleans()) else None,
        },
        "server": {
            "preflight": _answer(
                preflight_status,
                [
                    ("Access-Control-Allow-Origin", draw(st.sampled_from(ACAO))),
                    ("Access-Control-Allow-Credentials", acac),
                    ("Access-Control-Allow-Methods", draw(st.sampled_from(ACAM))),
                    ("Access-Control-Allow-Headers", draw(st.sampled_from(ACAH))),
                    ("Access-Control-Max-Age", draw(st.sampled_from([None, "0", "600"]))),
                ],
            ),
            "response": _answer(
                draw(st.sampled_from([200, 200, 201, 404, 500])),
                [
                    ("Access-Control-Allow-Origin", draw(st.sampled_from(ACAO))),
                    ("Access-Control-Allow-Credentials", draw(st.sampled_from([acac, "true"]))),
                    ("Access-Control-Expose-Headers", draw(st.sampled_from(ACEH))),
                    ("Content-Type", "text/plain"),
                    ("X-Secret", "s3cr3t"),
                    ("Content-Length", "2"),
                ],
            ),
        },
    }


@needs_engine
@settings(
    max_examples=60,
    derandomize=True,
    deadline=None,
    database=None,
    # Every example costs a browser run: report the first disagreement as drawn, unshrunk.
    phases=(Phase.explicit, Phase.generate),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(scenario=random_scenarios())
def test_random_scenarios_engine_matches_chromium(
    scenario: dict[str, Any], live_chromium: LiveChromium
) -> None:
    _compare(scenario, live_chromium)


def test_known_engine_gaps_name_existing_scenarios() -> None:
    ids = {s.id for s in load_shared() + load_own()}
    assert set(KNOWN_ENGINE_GAPS) <= ids
