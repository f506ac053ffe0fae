"""Mixed content judged by real Chromium 156, and the engine compared with it.

An https page (a self-signed certificate made with the openssl CLI; Chromium gets
--ignore-certificate-errors for this file only) calls an http:// API on loopback. Blink's
MixedContentChecker::ShouldBlockFetch (third_party/blink/renderer/core/loader/
mixed_content_checker.cc) blocks a URL that is not potentially trustworthy before anything is
sent: fetch() rejects with "Failed to fetch", no CorsError, and the console says "Mixed
Content: ...". 127.0.0.1, localhost and *.localhost are potentially trustworthy, so they pass.
A redirect hop is checked the same way. A targetAddressSpace of local/loopback lifts the block
(a warning is logged instead) and hands the request to Local Network Access.

Two https pages: ``app.test`` on a port that keeps its real space (loopback: no Local Network
Access check applies) and ``pub.test`` on a port told to be public with
--ip-address-space-overrides (so Local Network Access checks its calls to the API).

Each situation runs live (fresh context) and through ``crossorigin.engine.run`` with the same
server answers; the verdict, CorsError, console error line, the mixed-content warning, the
requests that reached a server and DevTools' blockedReason must agree.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from crossorigin.engine import FetchResult, run
from tests.support.chromium import chromium_available
from tests.support.live_situations import (
    FetchSituation,
    Live,
    Received,
    engine_received,
    observe_all,
    respond,
    self_signed,
    serving,
)

pytestmark = [pytest.mark.browser, pytest.mark.server, pytest.mark.xdist_group("mixed-content")]

# key: (origin template, the page's address space told to the engine)
PAGES: Mapping[str, tuple[str, str | None]] = {
    "app": ("https://app.test:{app}", None),
    "pub": ("https://pub.test:{pub}", "public"),
}
API = "http://api.test:{api}/{name}/data"
MIXED = "mixed-content"
DENIED = "kLocalNetworkAccessPermissionDenied"
INVALID = "kInvalidLocalNetworkAccess"


@dataclass(frozen=True)
class Situation(FetchSituation):
    # also, keyword-only: method, headers, mode, target, redirect_to (FetchSituation)
    url: str  # template: {app} {pub} {api} ports and {name}
    blocked_by: str | None  # what Chromium 156 did: MIXED, a CorsError name, or None (allowed)
    page: str = "app"
    warned: bool = False  # Chromium logged the mixed-content warning (the block was lifted)
    resource_space: str | None = None  # told to the engine; None: it derives it from the URL

    def request_url(self, ports: Mapping[str, int]) -> str:
        return self.filled_url(self.url, ports)

    def page_origin(self, ports: Mapping[str, int]) -> str:
        return PAGES[self.page][0].format(**ports)


SITUATIONS = [
    # Not potentially trustworthy: blocked in Blink, whatever the mode or method.
    Situation("http-api", API, MIXED),
    Situation("http-api-preflighted", API, MIXED, method="PUT", headers=(("X-A", "1"),)),
    Situation("http-api-no-cors", API, MIXED, mode="no-cors"),
    Situation("http-api-post", API, MIXED, method="POST"),
    # The long URL shows how Blink elides it in the console (KURL::ElidedString).
    Situation("http-api-long-url", API + "?q=" + "x" * 1500, MIXED),
    # mode same-origin fails in FetchManager before the mixed-content check, and on a redirect
    # the same-origin check of the hop comes first too (Chromium's "Unsafe attempt" line).
    Situation("http-api-same-origin-mode", API, "kDisallowedByMode", mode="same-origin"),
    # Blink blocks mixed content before the network stack refuses a bad port (6000, X11)...
    Situation("http-api-bad-port", "http://api.test:6000/{name}/data", MIXED),
    # ...and checks mode same-origin before both.
    Situation(
        "same-origin-mode-bad-port",
        "http://127.0.0.1:6000/{name}/data",
        "kDisallowedByMode",
        mode="same-origin",
    ),
    # Potentially trustworthy http URLs are not mixed content: CORS decides.
    Situation("loopback-ip", "http://127.0.0.1:{api}/{name}/data", None),
    Situation("localhost", "http://localhost:{api}/{name}/data", None),
    Situation("sub-localhost", "http://api.localhost:{api}/{name}/data", None),
    # Each redirect hop is checked: the https hop reaches the server, the http one does not.
    Situation("redirect-to-http", "https://app.test:{app}/{name}/redirect", MIXED, redirect_to=API),
    Situation(
        "redirect-to-loopback-ip",
        "https://app.test:{app}/{name}/redirect",
        None,
        redirect_to="http://127.0.0.1:{api}/{name}/data",
    ),
    Situation(
        "redirect-to-http-same-origin-mode",
        "https://app.test:{app}/{name}/redirect",
        MIXED,
        mode="same-origin",
        redirect_to=API,
    ),
    # targetAddressSpace local/loopback lifts the block (a warning instead) and leaves the
    # request to Local Network Access; public (or unknown) does not.
    Situation("target-loopback", API, None, target="loopback", warned=True),
    Situation(
        "target-local-mismatch",
        API,
        INVALID,
        target="local",
        warned=True,
        resource_space="loopback",
    ),
    Situation("target-public", API, MIXED, target="public"),
    Situation("target-unknown", API, MIXED, target="unknown"),
    Situation(
        "public-page-target-loopback",
        API,
        DENIED,
        page="pub",
        target="loopback",
        warned=True,
        resource_space="loopback",
    ),
    Situation("public-page-no-target", API, MIXED, page="pub", resource_space="loopback"),
]


# -- Chromium -------------------------------------------------------------------------------


@dataclass
class Observed:
    ports: dict[str, int]
    live: dict[str, Live]


def observe() -> Observed:
    directory = Path(tempfile.mkdtemp(prefix="crossorigin-mixed-"))
    try:
        tls = self_signed(directory, ("app.test", "pub.test"))
        with serving({"app": tls, "pub": tls, "api": None}) as servers:
            live = observe_all(
                servers,
                SITUATIONS,
                # Loopback literals and localhost names are let through (still nothing but
                # loopback).
                exclude=["127.0.0.1", "127.0.0.2", "localhost", "*.localhost"],
                extra_args=[
                    "--ignore-certificate-errors",  # the self-signed certificate of the pages
                    f"--ip-address-space-overrides=127.0.0.1:{servers.ports['pub']}=public",
                ],
                ignore_https_errors=True,
            )
            return Observed(dict(servers.ports), live)
    finally:
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="module")
def observed() -> Observed:
    reason = chromium_available()
    if reason is not None:
        pytest.skip(reason)
    return observe()


# -- the engine -----------------------------------------------------------------------------


def engine_run(situation: Situation, ports: Mapping[str, int]) -> FetchResult:
    request = situation.fetch_request(
        ports,
        client_address_space=PAGES[situation.page][1],
        resource_address_space=situation.resource_space,
        local_network_permission="prompt",  # headless Chromium denies an undecided one
    )
    return run(request, respond, browser="chromium")


def _method_and_url(received: list[Received]) -> list[tuple[str, str]]:
    return [(r.method, r.url) for r in received]


def _engine_warning(result: FetchResult) -> str | None:
    """The mixed-content warning the engine's trace records when the block is lifted."""
    lifted = [c.value for c in result.checks if c.name == "mixed-content" and c.passed]
    return lifted[0] if lifted else None


def _blocked_by(live: Live) -> str | None:
    """What stopped the fetch in Chromium, in the terms of ``Situation.blocked_by``."""
    if live.blocked_reason == MIXED:
        return MIXED
    if live.error is not None:
        return live.error
    return None if live.outcome == "allowed" else live.blocked_reason or live.error_text


@pytest.mark.parametrize("situation", SITUATIONS, ids=lambda s: s.name)
def test_engine_agrees_with_chromium(observed: Observed, situation: Situation) -> None:
    live = observed.live[situation.name]
    blocked_by = _blocked_by(live)
    if situation.name == "redirect-to-http-same-origin-mode":
        assert blocked_by == "origin", f"Chromium now reports {blocked_by}: {live}"
    else:
        assert blocked_by == situation.blocked_by, f"Chromium now reports {blocked_by}: {live}"
    assert (live.warning is not None) == situation.warned, live
    result = engine_run(situation, observed.ports)
    assert result.outcome == live.outcome
    assert result.error_name == live.error
    assert result.console == live.console
    assert _engine_warning(result) == live.warning
    # The method and URL of what reached a server (Access-Control-Request-* not compared here).
    assert _method_and_url(engine_received(result)) == _method_and_url(live.received)
    assert (result.network_error == MIXED) == (live.blocked_reason == MIXED)
    if live.outcome == "allowed":
        assert result.status_visible == live.status
    if live.blocked_reason == MIXED:
        assert result.explanation().summary.startswith("Blocked as mixed content, not by CORS")


if __name__ == "__main__":  # print what Chromium does, to record it above
    seen = observe()
    for name, live in seen.live.items():
        print(name, live, sep="\n  ")
