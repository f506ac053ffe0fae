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
    LiveAdapter,
    PageServer,
    check_browser_case,
    serve_wsgi,
)
from tests.support.middleware import policy_keywords

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
def server(page_server: PageServer) -> Iterator[LiveAdapter]:
    app = RecordingApp()
    cors = CORSMiddleware(
        app,
        # no TLS on the loopback test network
        **policy_keywords(page_server.origin(), dangerously_allow_insecure_origins=True),
    )
    with serve_wsgi(cors) as base:
        yield LiveAdapter(base, app.methods, cors.policy)


@pytest.mark.parametrize("case", BROWSER_CASES, ids=lambda case: case.name)
def test_chromium_agrees_with_the_middleware(
    chromium: Chromium, page_server: PageServer, server: LiveAdapter, case: BrowserCase
) -> None:
    check_browser_case(chromium, page_server, case, server)
