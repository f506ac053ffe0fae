"""Fixtures of the fix tests: one page server and one Chromium per test process."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fixes.browser import Chromium, PageServer, chromium_missing


@pytest.fixture(scope="session")
def page_server() -> Iterator[PageServer]:
    server = PageServer()
    yield server
    server.close()


@pytest.fixture(scope="session")
def chromium() -> Iterator[Chromium]:
    reason = chromium_missing()
    if reason is not None:
        pytest.skip(reason)
    browser = Chromium()
    yield browser
    browser.close()
