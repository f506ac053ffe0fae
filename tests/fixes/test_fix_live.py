"""Every fix that can run here, applied to the real server and checked for real.

For each stack the doctor generates the fix for a request that fails without one: a PUT with
Authorization and a JSON body, credentials included, from ``http://app.test:<port>`` (and a
second allowed origin, ``http://admin.test:<port>``, for the allowlist form), reading the
exposed ``X-Total`` header. The snippet goes, as printed, into a minimal application or server
configuration; the real server starts on 127.0.0.1. Then:

- the raw HTTP answers (httpx over loopback): preflight status and exact headers for allowed
  and denied origins, actual responses, Vary;
- real headless Chromium: the fetch now succeeds from each allowed origin and stays blocked
  from ``http://evil.test:<port>``.

Each server starts once per module and test process.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from crossorigin.doctor.fixes import Fix, Requirement, fix_for
from tests.fixes.browser import Chromium, PageServer
from tests.fixes.servers import (
    Backend,
    RunningServer,
    missing_tool,
    start_apache,
    start_caddy,
    start_django,
    start_express,
    start_fastapi,
    start_flask,
    start_nestjs,
    start_nginx,
    start_starlette,
    temporary_directory,
)

pytestmark = pytest.mark.server

PREFLIGHT_METHODS = {"PUT"}
CHECKED_METHODS = {"GET", "HEAD", "POST", "PUT"}
REQUEST_HEADERS = {"authorization", "content-type"}
# What Starlette's CORSMiddleware and crossorigin's policy add to every allow_headers list.
SAFELISTED = {"accept", "accept-language", "content-language", "content-type"}


@dataclass(frozen=True)
class Stack:
    """How a stack's server starts, and what its answers look like when the fix is right."""

    start: Callable[[Fix, Path], RunningServer] | None = None
    start_web_server: Callable[[Fix, Path, int], RunningServer] | None = None
    preflight_status: int = 204
    allow_methods: frozenset[str] = frozenset(PREFLIGHT_METHODS)
    allow_headers: frozenset[str] = frozenset(REQUEST_HEADERS)
    # Own configurations send CORS headers to allowed origins only; some middleware sends
    # Access-Control-Allow-Credentials to everyone (harmless without Allow-Origin).
    credentials_only_when_allowed: bool = True
    # Apply the fix's first alternative (crossorigin's own adapter) instead of its snippet.
    alternative: bool = False


CROSSORIGIN_HEADERS = frozenset(REQUEST_HEADERS | SAFELISTED)

STACKS = {
    "express": Stack(start=start_express, credentials_only_when_allowed=False),
    "nestjs": Stack(start=start_nestjs, credentials_only_when_allowed=False),
    "fastapi": Stack(
        start=start_fastapi,
        preflight_status=200,
        allow_methods=frozenset(CHECKED_METHODS),
        allow_headers=frozenset(REQUEST_HEADERS | SAFELISTED),
        credentials_only_when_allowed=False,
    ),
    "starlette": Stack(
        start=start_starlette,
        preflight_status=200,
        allow_methods=frozenset(CHECKED_METHODS),
        allow_headers=frozenset(REQUEST_HEADERS | SAFELISTED),
        credentials_only_when_allowed=False,
    ),
    "django": Stack(start=start_django, preflight_status=200),
    "flask": Stack(
        start=start_flask, preflight_status=200, allow_methods=frozenset(CHECKED_METHODS)
    ),
    # crossorigin's adapters, as the alternatives print them. The ASGI drop-in keeps
    # Starlette's 200 and lists the allowed methods; Django's answers 204.
    "fastapi+crossorigin.asgi": Stack(
        start=start_fastapi,
        preflight_status=200,
        allow_methods=frozenset(CHECKED_METHODS),
        allow_headers=CROSSORIGIN_HEADERS,
        alternative=True,
    ),
    "starlette+crossorigin.asgi": Stack(
        start=start_starlette,
        preflight_status=200,
        allow_methods=frozenset(CHECKED_METHODS),
        allow_headers=CROSSORIGIN_HEADERS,
        alternative=True,
    ),
    # crossorigin.django lists GET, HEAD and POST beside the configured methods, as
    # django-cors-headers never refused them.
    "django+crossorigin.django": Stack(
        start=start_django,
        allow_methods=frozenset(CHECKED_METHODS),
        allow_headers=CROSSORIGIN_HEADERS,
        alternative=True,
    ),
    "nginx": Stack(start_web_server=start_nginx),
    "apache": Stack(start_web_server=start_apache),
    "caddy": Stack(start_web_server=start_caddy),
}


@dataclass
class Live:
    stack: str
    spec: Stack
    fix: Fix
    server: RunningServer
    allowed: tuple[str, str]
    denied: str
    backend: Backend | None

    @property
    def url(self) -> str:
        return self.server.url


def requirement_for(page_server: PageServer) -> Requirement:
    return Requirement(
        origins=(page_server.origin("app.test"), page_server.origin("admin.test")),
        methods=("PUT",),
        request_headers=("Authorization", "Content-Type"),
        credentials=True,
        expose_headers=("X-Total",),
        max_age=600,
    )


@pytest.fixture(scope="module", params=list(STACKS))
def live(request: pytest.FixtureRequest, page_server: PageServer) -> Iterator[Live]:
    stack: str = request.param
    base = stack.partition("+")[0]
    reason = missing_tool(base)
    if reason is not None:
        pytest.skip(reason)
    spec = STACKS[stack]
    requirement = requirement_for(page_server)
    fix = fix_for(base, requirement)
    if spec.alternative:
        fix = dataclasses.replace(fix, parts=fix.alternatives[:1])
    allowed = (requirement.origins[0], requirement.origins[1])
    denied = page_server.origin("evil.test")
    with temporary_directory(f"crossorigin-fix-{stack}-") as directory:
        if spec.start_web_server is not None:
            with (
                Backend() as backend,
                spec.start_web_server(fix, directory, backend.port) as server,
            ):
                yield Live(stack, spec, fix, server, allowed, denied, backend)
        else:
            assert spec.start is not None
            with spec.start(fix, directory) as server:
                yield Live(stack, spec, fix, server, allowed, denied, None)


def tokens(response: httpx.Response, name: str, *, lower: bool = True) -> set[str]:
    """The comma-separated tokens of every line of a header (lowercased unless they are
    methods, which browsers compare case-sensitively)."""
    return {
        token.strip().lower() if lower else token.strip()
        for line in response.headers.get_list(name)
        for token in line.split(",")
        if token.strip()
    }


def preflight(live: Live, origin: str) -> httpx.Response:
    # What Chromium sends: the method, and the unsafe header names lowercased and sorted.
    return httpx.options(
        live.url,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "PUT",
            "Access-Control-Request-Headers": "authorization,content-type",
        },
        timeout=10,
    )


def put(live: Live, origin: str | None) -> httpx.Response:
    headers = {"Authorization": "Bearer token-1", "Content-Type": "application/json"}
    if origin is not None:
        headers["Origin"] = origin
    return httpx.put(live.url, headers=headers, content=b'{"n": 1}', timeout=10)


def test_allowed_preflights_get_exactly_what_the_request_needs(live: Live) -> None:
    for origin in live.allowed:
        response = preflight(live, origin)
        context = f"{live.stack} preflight from {origin}:\n{live.server.output()}"
        assert response.status_code == live.spec.preflight_status, context
        assert response.headers.get_list("access-control-allow-origin") == [origin], context
        assert response.headers.get_list("access-control-allow-credentials") == ["true"], context
        assert (
            tokens(response, "access-control-allow-methods", lower=False) == live.spec.allow_methods
        )
        assert tokens(response, "access-control-allow-headers") == live.spec.allow_headers
        assert response.headers.get_list("access-control-max-age") == ["600"]
        assert "origin" in tokens(response, "vary")
    if live.backend is not None:
        assert "OPTIONS" not in live.backend.methods, "a preflight reached the application"


def test_a_denied_origin_gets_no_permission(live: Live) -> None:
    response = preflight(live, live.denied)
    assert "access-control-allow-origin" not in response.headers
    if live.spec.credentials_only_when_allowed:
        assert "access-control-allow-credentials" not in response.headers
    actual = put(live, live.denied)
    assert actual.status_code == 200
    assert "access-control-allow-origin" not in actual.headers
    if live.spec.credentials_only_when_allowed:
        assert "access-control-allow-credentials" not in actual.headers
    assert "origin" in tokens(actual, "vary"), "a denied origin's answer must Vary: Origin"


def test_actual_responses_allow_the_origin_and_expose_the_header(live: Live) -> None:
    for origin in live.allowed:
        response = put(live, origin)
        assert response.status_code == 200
        assert response.json() == {"method": "PUT", "authorization": "Bearer token-1"}
        assert response.headers.get_list("access-control-allow-origin") == [origin]
        assert response.headers.get_list("access-control-allow-credentials") == ["true"]
        assert tokens(response, "access-control-expose-headers") == {"x-total"}
        assert "origin" in tokens(response, "vary")


def test_requests_without_origin_vary_on_origin(live: Live) -> None:
    response = put(live, None)
    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers
    assert "origin" in tokens(response, "vary")


@pytest.mark.parametrize(
    "live", [name for name, spec in STACKS.items() if spec.start_web_server], indirect=True
)
def test_other_options_requests_reach_the_application(live: Live) -> None:
    """Only a real preflight is answered by the web server (the middleware stacks decide this
    themselves, and their notes say how)."""
    assert live.backend is not None
    response = httpx.options(live.url, headers={"Origin": live.allowed[0]}, timeout=10)
    assert response.status_code == 200
    assert response.json()["method"] == "OPTIONS"


FETCH_INIT = {
    "method": "PUT",
    "headers": {"Authorization": "Bearer token-1", "Content-Type": "application/json"},
    "body": '{"n": 1}',
    "credentials": "include",
}


@pytest.mark.browser
def test_chromium_fetch_succeeds_from_allowed_origins_only(live: Live, chromium: Chromium) -> None:
    for origin in live.allowed:
        outcome = chromium.fetch(origin, live.server.browser_url, FETCH_INIT, expose=("X-Total",))
        assert outcome.ok, f"{live.stack}: {outcome}\n{live.fix.snippet}"
        assert outcome.status == 200
        assert json.loads(outcome.body) == {"method": "PUT", "authorization": "Bearer token-1"}
        assert outcome.exposed == {"X-Total": "42"}
    blocked = chromium.fetch(live.denied, live.server.browser_url, FETCH_INIT)
    assert blocked.blocked_by_cors, f"{live.stack}: {blocked}"


@pytest.mark.browser
def test_the_request_fails_without_a_fix(page_server: PageServer, chromium: Chromium) -> None:
    """The scenario above is a real failure: the same fetch to an API without CORS headers."""
    with Backend() as backend:
        outcome = chromium.fetch(page_server.origin("app.test"), backend.browser_url, FETCH_INIT)
    assert outcome.blocked_by_cors, outcome
    assert backend.methods == ["OPTIONS"], "only the preflight was sent"
