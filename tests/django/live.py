"""A WSGI app served by waitress on loopback, and headless Chromium fetching from it.

Shared by the Django and Flask browser tests. Hosts under ``.test`` resolve to 127.0.0.1 in
Chromium (TEAM.md flags), so one server on one free port is three origins:
``http://app.test:PORT`` (allowed by the tests' policies), ``http://evil.test:PORT`` (not) and
``http://api.test:PORT`` (the API). The page is loaded from the first two; the API is
cross-origin to both.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from playwright.async_api import Page
from waitress.server import create_server

from tests.support.chromium import ChromiumThread, chromium_available

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


class Browser(ChromiumThread):
    """One headless Chromium (:func:`tests.support.chromium.launch_chromium`) and one page in
    one browser context, kept across calls; ``fetch`` from that page."""

    def __init__(self) -> None:
        super().__init__()
        self._page: Page = self.run(self._new_page())
        self._unique = itertools.count()

    async def _new_page(self) -> Page:
        context = await self.browser.new_context()
        return await context.new_page()

    def fetch(self, page_url: str, url: str, **init: Any) -> dict[str, Any]:
        """Load ``page_url``, then ``fetch(url, init)`` from it: ok/status/body/headers or error.

        A query parameter makes every URL unique, so no preflight is answered from the cache.
        """
        separator = "&" if "?" in url else "?"
        unique = f"{url}{separator}n={next(self._unique)}"
        return self.run(self._fetch(page_url, unique, init))

    async def _fetch(self, page_url: str, url: str, init: dict[str, Any]) -> dict[str, Any]:
        if self._page.url != page_url:
            await self._page.goto(page_url)
        result: dict[str, Any] = await self._page.evaluate(_FETCH, {"url": url, "init": init})
        return result
