"""Fixtures of the fix tests: one page server and one Chromium per test process."""

from __future__ import annotations

from tests.fixes.browser import Chromium
from tests.support.fixtures import chromium_fixture, page_server

__all__ = ["chromium", "page_server"]

chromium = chromium_fixture(Chromium)
