"""Fixtures of the adapter tests: a page server and headless Chromium (tests/support)."""

from __future__ import annotations

from tests.asgi.loopback import Chromium
from tests.support.fixtures import chromium_fixture, page_server

__all__ = ["chromium", "page_server"]

chromium = chromium_fixture(Chromium)
