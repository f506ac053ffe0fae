"""Just enough real Chromium for the fix tests: serve a page at an origin, fetch() a URL from it.

The browser runs in a thread of its own with its own event loop (async Playwright), so it never
meets another test's event loop. Every fetch gets a fresh browser context: no preflight cache,
HTTP cache or connection is shared between two calls. ``*.test`` resolves to 127.0.0.1 (the
flags of notes/TEAM.md), so a page "at" ``http://app.test:PORT`` is served by
:class:`PageServer` on 127.0.0.1:PORT, whatever the host name.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from tests.support.chromium import ChromiumThread
from tests.support.pages import PageServer

__all__ = ["Chromium", "FetchOutcome", "PageServer"]

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


class Chromium(ChromiumThread):
    """Headless Chromium (:func:`tests.support.chromium.launch_chromium`) on a private thread."""

    def __init__(self) -> None:
        super().__init__(timeout=60)

    def fetch(
        self,
        page_origin: str,
        url: str,
        init: Mapping[str, Any],
        expose: tuple[str, ...] = (),
    ) -> FetchOutcome:
        """Load a page at ``page_origin`` and run ``fetch(url, init)`` in it."""
        return self.run(self._fetch(page_origin, url, dict(init), list(expose)))

    async def _fetch(
        self, page_origin: str, url: str, init: dict[str, Any], expose: list[str]
    ) -> FetchOutcome:
        context = await self.browser.new_context()
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
