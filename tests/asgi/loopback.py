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

import asyncio
import atexit
import contextlib
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeVar

T = TypeVar("T")

PAGE = b"<!doctype html><meta charset=utf-8><title>page</title>"

LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-proxy-server",
    "--disable-field-trial-config",
    "--remote-debugging-pipe",
    "--host-resolver-rules=MAP *.test 127.0.0.1, MAP * ~NOTFOUND",
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


def chromium_unavailable() -> str | None:
    """Why Chromium tests cannot run here, or None."""
    if shutil.which("chromium") is None:
        return "chromium is not installed"
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        return "playwright is not installed"
    return None


class _PageHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(PAGE)))
        self.end_headers()
        self.wfile.write(PAGE)

    def log_message(self, format: str, *args: Any) -> None:
        return


class PageServer:
    """A blank HTML page on 127.0.0.1, any Host."""

    def __init__(self) -> None:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _PageHandler)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def origin(self, host: str = "app.test") -> str:
        return f"http://{host}:{self.port}"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


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


class Chromium:
    """Headless Chromium driven through Playwright's async API on a private thread.

    The caller's thread never gets an event loop (the tests call ``asyncio.run`` and
    Starlette's test client freely); one fresh browser context per fetch.
    """

    def __init__(self) -> None:
        self._user_data_dir = tempfile.mkdtemp(prefix="crossorigin-adapters-")
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self._playwright: Any = None
        self._browser: Any = None
        self._run(self._launch())

    def _run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout=120)

    async def _launch(self) -> None:
        from playwright.async_api import async_playwright

        self._playwright = await async_playwright().start()
        self._browser = await self._playwright.chromium.launch(
            executable_path=shutil.which("chromium"),
            ignore_default_args=True,
            args=[*LAUNCH_ARGS, f"--user-data-dir={self._user_data_dir}", "about:blank"],
            timeout=60_000,
        )

    async def _fetch(self, page_origin: str, url: str, init: dict[str, Any]) -> dict[str, Any]:
        context = await self._browser.new_context()
        try:
            page = await context.new_page()
            await page.goto(page_origin + "/", wait_until="load")
            result: dict[str, Any] = await page.evaluate(FETCH_JS, {"url": url, "init": init})
            return result
        finally:
            await context.close()

    def fetch(self, page_origin: str, url: str, **init: Any) -> dict[str, Any]:
        """``fetch(url, init)`` from a page at ``page_origin``; what the page saw."""
        return self._run(self._fetch(page_origin, url, init))

    async def _close(self) -> None:
        await self._browser.close()
        await self._playwright.stop()

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._run(self._close())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        shutil.rmtree(self._user_data_dir, ignore_errors=True)


_shared: list[Chromium] = []


def shared_chromium() -> Chromium:
    """One Chromium per test process, closed when the process exits."""
    if not _shared:
        _shared.append(Chromium())
        atexit.register(_shared[0].close)
    return _shared[0]


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
        "JSON POST (Content-Type is always allowed)",
        "app.test",
        {"method": "POST", "headers": {"Content-Type": "application/json"}, "body": "{}"},
        "ok",
        ["POST"],
    ),
]


def check_browser_case(
    chromium: Chromium,
    page_server: PageServer,
    case: BrowserCase,
    *,
    base: str,
    methods: list[str],
    policy: Any,
) -> None:
    """Run ``case`` in Chromium and assert the verdict, the app's view and the self-check."""
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
