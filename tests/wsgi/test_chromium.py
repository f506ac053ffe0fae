"""crossorigin.wsgi under waitress on loopback, driven by real headless Chromium.

The same cases as tests/asgi/test_chromium.py: what the middleware allows Chromium allows,
what it refuses Chromium blocks, and the policy's self-check agrees.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from crossorigin.wsgi import CORSMiddleware
from tests.asgi.loopback import Chromium, PageServer, serve_wsgi
from tests.asgi.test_chromium import CASES

pytestmark = [pytest.mark.browser, pytest.mark.server]


class RecordingApp:
    def __init__(self) -> None:
        self.methods: list[str] = []
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        with self._lock:
            self.methods.append(environ["REQUEST_METHOD"])
        start_response(
            "200 OK",
            [("Content-Type", "text/plain"), ("X-Request-Id", "42"), ("Content-Length", "5")],
        )
        return [b"hello"]


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
        dangerously_allow_insecure_origins=True,  # no TLS on the loopback test network
    )
    with serve_wsgi(cors) as base:
        yield base, app, cors


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
    assert app.methods == app_methods
    if seen["ok"]:
        assert seen["headers"].get("x-request-id") == "42"
        assert seen["body"] == "hello"
    check = cors.policy.check(
        page_origin,
        method=init.get("method", "GET"),
        headers=list(init.get("headers", {}).items()),
        credentials=init.get("credentials") == "include",
        url=base + "/resource",
    )
    assert check.allowed == seen["ok"], check.explanation
