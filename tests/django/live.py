"""A WSGI app served by waitress on loopback, and headless Chromium fetching from it.

Shared by the Django and Flask browser tests. Hosts under ``.test`` resolve to 127.0.0.1 in
Chromium (TEAM.md flags), so one server on one free port is three origins:
``http://app.test:PORT`` (allowed by the tests' policies), ``http://evil.test:PORT`` (not) and
``http://api.test:PORT`` (the API). The page is loaded from the first two; the API is
cross-origin to both.
"""

from __future__ import annotations

import itertools
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from playwright.sync_api import BrowserContext, Page, sync_playwright
from waitress.server import create_server

from tests.support.chromium import chromium_available, launch_args

__all__ = ["Browser", "chromium_available", "serve"]

_FETCH = """async ({url, init}) => {
  try {
    const response = await fetch(url, init);
    const headers = {};
    response.headers.forEach((value, name) => { headers[name] = value; });
    return {ok: true, status: response.status, body: await response.text(), headers};
  } catch (error) {
    return {ok: false, error: String(error)};
  }
}"""


@contextmanager
def serve(app: Callable[..., Any]) -> Iterator[int]:
    """Serve ``app`` (a WSGI callable) on 127.0.0.1 and a free port; yields the port."""
    server = create_server(
        app, host="127.0.0.1", port=0, threads=4, clear_untrusted_proxy_headers=True
    )
    port = int(server.effective_port)  # type: ignore[union-attr]
    thread = threading.Thread(target=server.run, name="waitress", daemon=True)
    thread.start()
    try:
        yield port
    finally:
        server.close()
        thread.join(5)


class Browser:
    """One headless Chromium (persistent context, fresh profile); ``fetch`` from a page."""

    def __init__(self) -> None:
        self._profile = tempfile.mkdtemp(prefix="crossorigin-adapter-chromium-")
        self._playwright = sync_playwright().start()
        self._context: BrowserContext = self._playwright.chromium.launch_persistent_context(
            self._profile,
            executable_path=shutil.which("chromium"),
            ignore_default_args=True,
            args=launch_args(self._profile),
        )
        self._page: Page = (
            self._context.pages[0] if self._context.pages else self._context.new_page()
        )
        self._unique = itertools.count()

    def fetch(self, page_url: str, url: str, **init: Any) -> dict[str, Any]:
        """Load ``page_url``, then ``fetch(url, init)`` from it: ok/status/body/headers or error.

        A query parameter makes every URL unique, so no preflight is answered from the cache.
        """
        if self._page.url != page_url:
            self._page.goto(page_url)
        separator = "&" if "?" in url else "?"
        unique = f"{url}{separator}n={next(self._unique)}"
        result: dict[str, Any] = self._page.evaluate(_FETCH, {"url": unique, "init": init})
        return result

    def close(self) -> None:
        self._context.close()
        self._playwright.stop()
        shutil.rmtree(self._profile, ignore_errors=True)
