"""Just enough real Chromium for the fix tests: serve a page at an origin, fetch() a URL from it.

The browser runs in a thread of its own with its own event loop (async Playwright), so it never
meets another test's event loop. Every fetch gets a fresh browser context: no preflight cache,
HTTP cache or connection is shared between two calls. ``*.test`` resolves to 127.0.0.1 (the
flags of notes/TEAM.md), so a page "at" ``http://app.test:PORT`` is served by
:class:`PageServer` on 127.0.0.1:PORT, whatever the host name.
"""

from __future__ import annotations

import asyncio
import importlib.util
import shutil
import tempfile
import threading
from collections.abc import Coroutine, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeVar

__all__ = ["Chromium", "FetchOutcome", "PageServer", "chromium_missing"]

T = TypeVar("T")

_BLOCKED = "has been blocked by CORS policy"
_FETCH = """async ([url, init, expose]) => {
  try {
    const response = await fetch(url, init);
    const body = await response.text();
    const exposed = {};
    for (const name of expose) exposed[name] = response.headers.get(name);
    return {ok: true, status: response.status, body, exposed};
  } catch (error) {
    return {ok: false, error: String(error)};
  }
}"""


def chromium_missing() -> str | None:
    """Why Chromium cannot run here, or None when it can."""
    if shutil.which("chromium") is None:
        return "Debian chromium is not installed (scripts/setup installs it)"
    if importlib.util.find_spec("playwright") is None:
        return "playwright is not installed (pip install -e '.[test]')"
    return None


@dataclass(frozen=True)
class FetchOutcome:
    """What the page's script saw, and what Chromium printed to the console."""

    ok: bool
    status: int | None = None
    body: str = ""
    exposed: Mapping[str, str | None] = field(default_factory=dict)
    error: str | None = None
    console: tuple[str, ...] = ()

    @property
    def blocked_by_cors(self) -> bool:
        return not self.ok and any(_BLOCKED in line for line in self.console)


class PageServer:
    """Serves an empty HTML page at every path, on 127.0.0.1 and a free port."""

    def __init__(self) -> None:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _PageHandler)
        self._server.daemon_threads = True
        self.port: int = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def origin(self, host: str) -> str:
        return f"http://{host}:{self.port}"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


class _PageHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        body = b"<!doctype html><title>page</title>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


class Chromium:
    """Headless Chromium (Debian's), launched as notes/TEAM.md prescribes."""

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self._profile = tempfile.TemporaryDirectory(prefix="crossorigin-fix-chromium-")
        self._playwright: Any = None
        self._browser: Any = None
        self._run(self._launch())

    def _run(self, coroutine: Coroutine[Any, Any, T], timeout: float = 60) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    async def _launch(self) -> None:
        from playwright.async_api import async_playwright

        self._playwright = await async_playwright().start()
        self._browser = await self._playwright.chromium.launch(
            executable_path=shutil.which("chromium"),
            ignore_default_args=True,
            args=[
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
                f"--user-data-dir={self._profile.name}",
                "about:blank",
            ],
        )

    def fetch(
        self,
        page_origin: str,
        url: str,
        init: Mapping[str, Any],
        expose: tuple[str, ...] = (),
    ) -> FetchOutcome:
        """Load a page at ``page_origin`` and run ``fetch(url, init)`` in it."""
        return self._run(self._fetch(page_origin, url, dict(init), list(expose)))

    async def _fetch(
        self, page_origin: str, url: str, init: dict[str, Any], expose: list[str]
    ) -> FetchOutcome:
        context = await self._browser.new_context()
        try:
            page = await context.new_page()
            console: list[str] = []
            page.on("console", lambda message: console.append(message.text))
            await page.goto(page_origin + "/")
            result = await page.evaluate(_FETCH, [url, init, expose])
            if not result["ok"]:
                # The console line can arrive just after the promise rejects.
                for _ in range(50):
                    if any(_BLOCKED in line for line in console):
                        break
                    await asyncio.sleep(0.02)
            return FetchOutcome(
                ok=result["ok"],
                status=result.get("status"),
                body=result.get("body", ""),
                exposed=result.get("exposed", {}),
                error=result.get("error"),
                console=tuple(console),
            )
        finally:
            await context.close()

    def close(self) -> None:
        async def shutdown() -> None:
            await self._browser.close()
            await self._playwright.stop()

        try:
            self._run(shutdown())
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)
            self._loop.close()
            self._profile.cleanup()
