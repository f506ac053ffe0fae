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
from tests.asgi.loopback import (
    BROWSER_CASES,
    BrowserCase,
    Chromium,
    PageServer,
    check_browser_case,
    serve_wsgi,
)

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


@pytest.mark.parametrize("case", BROWSER_CASES, ids=lambda case: case.name)
def test_chromium_agrees_with_the_middleware(
    chromium: Chromium,
    page_server: PageServer,
    server: tuple[str, RecordingApp, CORSMiddleware],
    case: BrowserCase,
) -> None:
    base, app, cors = server
    check_browser_case(
        chromium, page_server, case, base=base, methods=app.methods, policy=cors.policy
    )
