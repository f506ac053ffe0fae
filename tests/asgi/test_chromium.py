"""crossorigin.asgi under uvicorn on loopback, driven by real headless Chromium.

A page at one loopback origin calls ``fetch()`` against the server at another. For every
case, what the middleware allows Chromium allows, what it refuses Chromium blocks, and the
policy's self-check (the browser engine run against the policy's own answers) agrees.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from crossorigin.asgi import CORSMiddleware
from tests.asgi.loopback import Chromium, PageServer, serve_asgi

pytestmark = [pytest.mark.browser, pytest.mark.server]


class RecordingApp:
    """Answers every request with 200 and X-Request-Id; remembers the methods it saw."""

    def __init__(self) -> None:
        self.methods: list[str] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        self.methods.append(scope["method"])
        headers = [(b"content-type", b"text/plain"), (b"x-request-id", b"42")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"hello"})


@pytest.fixture(scope="module")
def server(page_server: PageServer) -> Iterator[tuple[str, RecordingApp, CORSMiddleware]]:
    app = RecordingApp()
    cors = CORSMiddleware(
        app,
        allow_origins=[page_server.origin()],
        allow_methods=["GET", "PUT"],
        allow_headers=["X-Token"],
        allow_credentials=True,
        expose_headers=["X-Request-Id"],
        # The loopback test network has no TLS, and http://app.test is not a loopback name
        # to the policy (Chromium maps it to 127.0.0.1 by a command-line rule).
        dangerously_allow_insecure_origins=True,
    )
    with serve_asgi(cors) as base:
        yield base, app, cors


CASES = [
    # (id, page host, fetch init, Chromium's verdict, methods the app sees)
    ("simple GET", "app.test", {}, "ok", ["GET"]),
    ("simple GET, other origin", "other.test", {}, "blocked", ["GET"]),
    ("credentialed GET", "app.test", {"credentials": "include"}, "ok", ["GET"]),
    (
        "PUT with an allowed header",
        "app.test",
        {"method": "PUT", "headers": {"X-Token": "t"}, "credentials": "include"},
        "ok",
        ["PUT"],
    ),
    (
        "PUT with a header not allowed",
        "app.test",
        {"method": "PUT", "headers": {"X-Other": "t"}},
        "blocked",
        [],
    ),
    ("DELETE, method not allowed", "app.test", {"method": "DELETE"}, "blocked", []),
    ("PUT from another origin", "other.test", {"method": "PUT"}, "blocked", []),
    (
        "JSON POST (Content-Type is always allowed)",
        "app.test",
        {"method": "POST", "headers": {"Content-Type": "application/json"}, "body": "{}"},
        "ok",
        ["POST"],
    ),
]


@pytest.mark.parametrize(
    ("host", "init", "verdict", "app_methods"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_chromium_agrees_with_the_middleware(
    chromium: Chromium,
    page_server: PageServer,
    server: tuple[str, RecordingApp, CORSMiddleware],
    host: str,
    init: dict[str, Any],
    verdict: str,
    app_methods: list[str],
) -> None:
    base, app, cors = server
    app.methods.clear()
    page_origin = page_server.origin(host)
    seen = chromium.fetch(page_origin, base + "/resource", **init)
    assert ("ok" if seen["ok"] else "blocked") == verdict, seen
    # Preflights never reach the application; refused preflights stop the actual request.
    assert app.methods == app_methods
    if seen["ok"]:
        assert seen["headers"].get("x-request-id") == "42"  # exposed
        assert seen["body"] == "hello"
    check = cors.policy.check(
        page_origin,
        method=init.get("method", "GET"),
        headers=list(init.get("headers", {}).items()),
        credentials=init.get("credentials") == "include",
        url=base + "/resource",
    )
    assert check.allowed == seen["ok"], check.explanation
