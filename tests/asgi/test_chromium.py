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
from tests.asgi.loopback import (
    BROWSER_CASES,
    BrowserCase,
    Chromium,
    LiveAdapter,
    PageServer,
    check_browser_case,
    serve_asgi,
)
from tests.support.middleware import policy_keywords

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
def server(page_server: PageServer) -> Iterator[LiveAdapter]:
    app = RecordingApp()
    cors = CORSMiddleware(
        app,
        # The loopback test network has no TLS, and http://app.test is not a loopback name
        # to the policy (Chromium maps it to 127.0.0.1 by a command-line rule).
        **policy_keywords(page_server.origin(), dangerously_allow_insecure_origins=True),
    )
    with serve_asgi(cors) as base:
        yield LiveAdapter(base, app.methods, cors.policy)


@pytest.mark.parametrize("case", BROWSER_CASES, ids=lambda case: case.name)
def test_chromium_agrees_with_the_middleware(
    chromium: Chromium, page_server: PageServer, server: LiveAdapter, case: BrowserCase
) -> None:
    check_browser_case(chromium, page_server, case, server)
