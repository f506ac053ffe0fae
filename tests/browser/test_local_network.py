"""Local Network Access judged by real Chromium 156, and the engine compared with it.

Every other recorded scenario runs page and server on loopback, so no LNA check fires. Here
Chromium is told that some loopback ports are elsewhere, with the switch web-platform-tests use
(services/network/public/cpp/network_switches.cc):

    --ip-address-space-overrides=127.0.0.1:<public port>=public,127.0.0.1:<local port>=local

The third port keeps its real space, ``loopback``. A page on the public port is a public page.
It is a secure context only if it is also named in

    --unsafely-treat-insecure-origin-as-secure=http://secure.test:<public port>,...

An https page is not used: with a self-signed certificate and --ignore-certificate-errors it
is a secure context too, but mixed-content blocking then stops ``http://api.test`` before any
LNA check (a network error, no CorsError; targetAddressSpace lifts it), and the engine does not
model mixed content. The permission is set per browser context with DevTools
``Browser.setPermission``: Chromium 156 checks ``loopback-network`` for a loopback resource and
``local-network`` for a local one; the older ``local-network-access`` name grants neither.
Headless Chromium answers an undecided (``prompt``) permission with a denial at once. The
Private Network Access preflight is not judged: Chromium 156 never sends
Access-Control-Request-Private-Network, whatever PNA feature is enabled.

Each situation runs live (fresh context) and through ``crossorigin.engine.run`` with the same
server answers; the verdict, CorsError, console line, the requests that reached a server (with
their ``Access-Control-Request-*`` headers) and any fetch() TypeError must agree, and the error
must be the one recorded here from Chromium.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import pytest

from crossorigin.engine import FetchResult, run
from tests.support.chromium import chromium_available
from tests.support.live_situations import (
    FetchSituation,
    Live,
    engine_received,
    observe_all,
    respond,
    serving,
)

pytestmark = [pytest.mark.browser, pytest.mark.server, pytest.mark.xdist_group("local-network")]

# The hosts (all 127.0.0.1) a page can be served from: the port decides the address space,
# the name decides whether Chromium counts it a secure context.
PAGES: Mapping[str, tuple[str, str, bool]] = {
    # key: (origin template, address space, secure context)
    "public": ("http://public.test:{public}", "public", False),
    "secure": ("http://secure.test:{public}", "public", True),
    "lan": ("http://lan.test:{local}", "local", False),
    "home": ("http://home.test:{loopback}", "loopback", False),
}
SECURE_ORIGINS = ("http://secure.test:{public}",)
LOOPBACK_API = "http://api.test:{loopback}/{name}/data"
LOCAL_API = "http://lan-api.test:{local}/{name}/data"
PUBLIC_API = "http://other.test:{public}/{name}/data"


@dataclass(frozen=True)
class Situation(FetchSituation):
    # also, keyword-only: method, headers, mode, target, redirect_to, grants (FetchSituation)
    page: str  # a key of PAGES
    url: str  # template: {public} {local} {loopback} ports and {name}
    error: str | None  # what Chromium 156 reported (None: the fetch was allowed)
    resource_space: str | None = None  # told to the engine; None: it derives it from the URL

    def request_url(self, ports: Mapping[str, int]) -> str:
        return self.filled_url(self.url, ports)

    def page_origin(self, ports: Mapping[str, int]) -> str:
        return PAGES[self.page][0].format(**ports)

    def permission(self) -> str:
        """The engine's one permission state: Chromium's for the resource's space (the
        IP-literal and redirect situations end on loopback)."""
        space = self.resource_space or "loopback"
        name = "local-network" if space == "local" else "loopback-network"
        return self.grants.get(name, "prompt")


GRANT_LOOPBACK = {"loopback-network": "granted"}
GRANT_LOCAL = {"local-network": "granted"}
PREFLIGHTED: dict[str, Any] = {"method": "PUT", "headers": (("X-A", "1"),)}
DENIED = "kLocalNetworkAccessPermissionDenied"
INSECURE = "kInsecureLocalNetwork"
INVALID = "kInvalidLocalNetworkAccess"
LOOPBACK_IP = "http://127.0.0.1:{loopback}/{name}/data"

SITUATIONS = [
    # A page that is not a secure context may not reach a more private space at all.
    Situation("insecure-public-to-loopback", "public", LOOPBACK_API, INSECURE, "loopback"),
    Situation("insecure-public-to-local", "public", LOCAL_API, INSECURE, "local"),
    Situation("insecure-no-cors", "public", LOOPBACK_API, INSECURE, "loopback", mode="no-cors"),
    # mode same-origin fails in Blink before the network service looks at address spaces.
    Situation(
        "insecure-same-origin-mode",
        "public",
        LOOPBACK_API,
        "kDisallowedByMode",
        "loopback",
        mode="same-origin",
    ),
    # A secure public page needs the permission named after the resource's space.
    Situation("secure-undecided", "secure", LOOPBACK_API, DENIED, "loopback"),
    Situation(
        "secure-denied",
        "secure",
        LOOPBACK_API,
        DENIED,
        "loopback",
        grants={"loopback-network": "denied"},
    ),
    Situation("secure-granted", "secure", LOOPBACK_API, None, "loopback", grants=GRANT_LOOPBACK),
    Situation("secure-granted-local", "secure", LOCAL_API, None, "local", grants=GRANT_LOCAL),
    Situation(
        "secure-local-needs-local-grant",
        "secure",
        LOCAL_API,
        DENIED,
        "local",
        grants=GRANT_LOOPBACK,
    ),
    Situation(
        "secure-legacy-grant-is-not-enough",
        "secure",
        LOOPBACK_API,
        DENIED,
        "loopback",
        grants={"local-network-access": "granted"},
    ),
    # An IP literal: the engine finds the space itself.
    Situation("secure-undecided-ip-literal", "secure", LOOPBACK_IP, DENIED),
    # The check runs when the preflight's connection is made: nothing reaches the server and
    # the message has no preflight prefix. Granted, the preflight carries no
    # Access-Control-Request-Private-Network (the PNA preflight is gone).
    Situation(
        "secure-undecided-preflight", "secure", LOOPBACK_API, DENIED, "loopback", **PREFLIGHTED
    ),
    Situation(
        "secure-granted-preflight",
        "secure",
        LOOPBACK_API,
        None,
        "loopback",
        grants=GRANT_LOOPBACK,
        **PREFLIGHTED,
    ),
    # targetAddressSpace does not replace the permission; a mismatch fails whatever the page.
    Situation(
        "target-match-undecided", "secure", LOOPBACK_API, DENIED, "loopback", target="loopback"
    ),
    Situation(
        "target-match-granted",
        "secure",
        LOOPBACK_API,
        None,
        "loopback",
        grants=GRANT_LOOPBACK,
        target="loopback",
    ),
    Situation(
        "target-mismatch",
        "secure",
        LOOPBACK_API,
        INVALID,
        "loopback",
        grants=GRANT_LOOPBACK,
        target="local",
    ),
    Situation(
        "target-public-mismatch",
        "secure",
        LOOPBACK_API,
        INVALID,
        "loopback",
        grants=GRANT_LOOPBACK,
        target="public",
    ),
    Situation(
        "target-mismatch-insecure-page", "public", LOOPBACK_API, INVALID, "loopback", target="local"
    ),
    Situation(
        "target-match-insecure-page",
        "public",
        LOOPBACK_API,
        INSECURE,
        "loopback",
        target="loopback",
    ),
    Situation(
        "target-mismatch-same-space", "home", LOOPBACK_API, INVALID, "loopback", target="local"
    ),
    # Blink's enum keeps PNA's names: "private" means local, "unknown" means no target.
    Situation(
        "target-private-is-local",
        "secure",
        LOCAL_API,
        None,
        "local",
        grants=GRANT_LOCAL,
        target="private",
    ),
    Situation(
        "target-private-mismatch",
        "secure",
        LOOPBACK_API,
        INVALID,
        "loopback",
        grants=GRANT_LOOPBACK,
        target="private",
    ),
    Situation(
        "target-unknown",
        "secure",
        LOOPBACK_API,
        None,
        "loopback",
        grants=GRANT_LOOPBACK,
        target="unknown",
    ),
    Situation("target-bogus", "secure", LOOPBACK_API, "TypeError", "loopback", target="bogus"),
    Situation(  # WebIDL reads the init dictionary before the Request constructor checks
        "target-bogus-before-method",
        "secure",
        LOOPBACK_API,
        "TypeError",
        "loopback",
        method="CONNECT",
        target="bogus",
    ),
    # Only public -> local/loopback is checked: local and loopback count as one space.
    Situation("insecure-local-page-to-loopback", "lan", LOOPBACK_API, None, "loopback"),
    Situation("insecure-loopback-page-to-local", "home", LOCAL_API, None, "local"),
    Situation("insecure-public-to-public", "public", PUBLIC_API, None, "public"),
    # Each hop is checked: a public server (unknown to the engine) redirecting to loopback.
    Situation(
        "secure-redirect-to-loopback",
        "secure",
        "http://other.test:{public}/{name}/redirect",
        DENIED,
        redirect_to=LOOPBACK_IP,
    ),
]


# -- Chromium -------------------------------------------------------------------------------


def extra_args(ports: Mapping[str, int]) -> list[str]:
    """The two switches this file needs."""
    return [
        # Which loopback ports stand for another address space (the third stays loopback).
        "--ip-address-space-overrides="
        f"127.0.0.1:{ports['public']}=public,127.0.0.1:{ports['local']}=local",
        # A secure public page without a certificate: only these http origins count as secure.
        "--unsafely-treat-insecure-origin-as-secure="
        + ",".join(o.format(**ports) for o in SECURE_ORIGINS),
    ]


@dataclass
class Observed:
    ports: dict[str, int]
    live: dict[str, Live]


@pytest.fixture(scope="module")
def observed() -> Iterator[Observed]:
    reason = chromium_available()
    if reason is not None:
        pytest.skip(reason)
    # One server per address space, all on 127.0.0.1.
    with serving(dict.fromkeys(("public", "local", "loopback"))) as servers:
        # 127.0.0.1 itself is let through so that a URL can name the loopback server by address.
        live = observe_all(
            servers, SITUATIONS, exclude=["127.0.0.1"], extra_args=extra_args(servers.ports)
        )
        yield Observed(dict(servers.ports), live)


# -- the engine -----------------------------------------------------------------------------


def engine_run(situation: Situation, ports: Mapping[str, int]) -> FetchResult:
    _, client_space, secure = PAGES[situation.page]
    request = situation.fetch_request(
        ports,
        client_address_space=client_space,
        resource_address_space=situation.resource_space,
        page_is_secure_context=secure,
        local_network_permission=situation.permission(),
    )
    return run(request, respond, browser="chromium")


@pytest.mark.parametrize("situation", SITUATIONS, ids=lambda s: s.name)
def test_engine_agrees_with_chromium(observed: Observed, situation: Situation) -> None:
    live = observed.live[situation.name]
    assert live.error == situation.error, f"Chromium now reports {live.error}: {live}"
    result = engine_run(situation, observed.ports)
    assert result.outcome == live.outcome
    assert result.error_name == live.error
    assert result.console == live.console
    assert result.type_error == live.type_error
    assert engine_received(result) == live.received
    if live.outcome == "allowed":
        assert result.status_visible == live.status
