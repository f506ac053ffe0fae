"""Real servers and real Chromium on loopback, for the adapter tests (ASGI and WSGI).

- :class:`PageServer` serves a blank page on every host name, so one server is several page
  origins (``http://app.test:P``, ``http://other.test:P``). Chromium reaches every ``*.test``
  name at 127.0.0.1 through its host-resolver rules, and nothing else (IP literals and
  ``localhost`` included), so every URL here uses a ``*.test`` name.
- :func:`serve_asgi` runs an ASGI app under uvicorn, :func:`serve_wsgi` a WSGI app under
  waitress, each on a free port, until the context exits.
- :class:`Chromium` is headless Chromium launched as notes/TEAM.md prescribes;
  :meth:`Chromium.fetch` loads a page at one origin, calls ``fetch()`` against another and
  reports what the page saw (``ok`` or ``blocked``), in a fresh context each time (no
  preflight cache carried over).
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from tests.support.chromium import ChromiumThread
from tests.support.pages import PageServer

__all__ = [
    "BROWSER_CASES",
    "BrowserCase",
    "Chromium",
    "LiveAdapter",
    "PageServer",
    "check_browser_case",
    "serve_asgi",
    "serve_wsgi",
]

FETCH_JS = """
async ({url, init}) => {
  try {
    const response = await fetch(url, init);
    const headers = {};
    response.headers.forEach((value, name) => { headers[name] = value; });
    return {ok: true, status: response.status, headers, body: await response.text()};
  } catch (error) {
    return {ok: false, error: String(error)};
  }
}
"""


def _free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@contextlib.contextmanager
def serve_asgi(app: Any) -> Iterator[str]:
    """Serve ``app`` with uvicorn on a free loopback port; yields ``http://api.test:PORT``."""
    import uvicorn

    sock = _free_socket()
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    try:
        yield f"http://api.test:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


@contextlib.contextmanager
def serve_wsgi(app: Callable[..., Any]) -> Iterator[str]:
    """Serve ``app`` with waitress on a free loopback port; yields ``http://api.test:PORT``."""
    from waitress.server import create_server

    server = create_server(app, host="127.0.0.1", port=0, threads=2)
    port = server.effective_port  # type: ignore[union-attr]
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://api.test:{port}"
    finally:
        server.close()
        thread.join(10)


class Chromium(ChromiumThread):
    """Headless Chromium (:func:`tests.support.chromium.launch_chromium`) on a private thread;
    one fresh browser context per fetch."""

    def __init__(self) -> None:
        super().__init__(timeout=120)

    async def _fetch(self, page_origin: str, url: str, init: dict[str, Any]) -> dict[str, Any]:
        context = await self.browser.new_context()
        try:
            page = await context.new_page()
            await page.goto(page_origin + "/", wait_until="load")
            result: dict[str, Any] = await page.evaluate(FETCH_JS, {"url": url, "init": init})
            return result
        finally:
            await context.close()

    def fetch(self, page_origin: str, url: str, **init: Any) -> dict[str, Any]:
        """``fetch(url, init)`` from a page at ``page_origin``; what the page saw."""
        return self.run(self._fetch(page_origin, url, init))


@dataclass(frozen=True)
class BrowserCase:
    """One fetch() from a page, and what must happen: Chromium's verdict, what the app saw."""

    name: str
    page_host: str
    init: dict[str, Any]
    verdict: str  # "ok" or "blocked"
    app_methods: list[str]  # preflights never reach the app; refused ones stop the request


# Against a policy allowing http://app.test:P with GET and PUT, X-Token, credentials and
# exposing X-Request-Id; the app answers 200 "hello" with X-Request-Id: 42.
BROWSER_CASES = [
    BrowserCase("simple GET", "app.test", {}, "ok", ["GET"]),
    BrowserCase("simple GET, other origin", "other.test", {}, "blocked", ["GET"]),
    BrowserCase("credentialed GET", "app.test", {"credentials": "include"}, "ok", ["GET"]),
    BrowserCase(
        "PUT with an allowed header",
        "app.test",
        {"method": "PUT", "headers": {"X-Token": "t"}, "credentials": "include"},
        "ok",
        ["PUT"],
    ),
    BrowserCase(
        "PUT with a header not allowed",
        "app.test",
        {"method": "PUT", "headers": {"X-Other": "t"}},
        "blocked",
        [],
    ),
    BrowserCase("DELETE, method not allowed", "app.test", {"method": "DELETE"}, "blocked", []),
    BrowserCase("PUT from another origin", "other.test", {"method": "PUT"}, "blocked", []),
    BrowserCase(
        "JSON PUT (Content-Type is always allowed)",
        "app.test",
        {"method": "PUT", "headers": {"Content-Type": "application/json"}, "body": "{}"},
        "ok",
        ["PUT"],
    ),
    BrowserCase(
        "JSON POST, POST not listed",
        "app.test",
        {"method": "POST", "headers": {"Content-Type": "application/json"}, "body": "{}"},
        "blocked",
        [],
    ),
]


@dataclass(frozen=True)
class LiveAdapter:
    """A middleware served on loopback: its base URL, the methods its app saw, its policy."""

    base: str
    methods: list[str]
    policy: Any


def check_browser_case(
    chromium: Chromium, page_server: PageServer, case: BrowserCase, adapter: LiveAdapter
) -> None:
    """Run ``case`` in Chromium and assert the verdict, the app's view and the self-check."""
    base, methods, policy = adapter.base, adapter.methods, adapter.policy
    methods.clear()
    page_origin = page_server.origin(case.page_host)
    seen = chromium.fetch(page_origin, base + "/resource", **case.init)
    assert ("ok" if seen["ok"] else "blocked") == case.verdict, seen
    assert methods == case.app_methods
    if seen["ok"]:
        assert seen["headers"].get("x-request-id") == "42"  # exposed
        assert seen["body"] == "hello"
    try:
        import crossorigin.engine  # noqa: F401
    except ImportError:  # the self-check needs the browser engine; the rest stands alone
        return
    check = policy.check(
        page_origin,
        method=case.init.get("method", "GET"),
        headers=list(case.init.get("headers", {}).items()),
        credentials=case.init.get("credentials") == "include",
        url=base + "/resource",
    )
    assert check.allowed == seen["ok"], check.explanation
