"""Fixtures shared by the adapter tests: a page server and headless Chromium (session-wide)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.asgi.loopback import Chromium, PageServer, chromium_unavailable, shared_chromium


@pytest.fixture(scope="session")
def page_server() -> Iterator[PageServer]:
    server = PageServer()
    yield server
    server.close()


@pytest.fixture(scope="session")
def chromium() -> Iterator[Chromium]:
    reason = chromium_unavailable()
    if reason is not None:
        pytest.skip(reason)
    yield shared_chromium()
