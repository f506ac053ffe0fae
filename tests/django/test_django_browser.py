"""Django's WSGI handler under waitress, driven by real headless Chromium from other origins.

What the middleware allows, Chromium allows; what it refuses, Chromium blocks; and a preflight
never reaches a view.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.test.utils import override_settings

from tests.django.live import Browser, chromium_available, serve
from tests.django.project import views

pytestmark = [
    pytest.mark.browser,
    pytest.mark.server,
    pytest.mark.skipif(chromium_available() is not None, reason=str(chromium_available())),
]

JSON = {"Content-Type": "application/json"}


@dataclass(frozen=True)
class Case:
    name: str
    page: str  # host of the page: "app" (allowed by default) or "evil"
    init: dict[str, Any]
    allowed: bool
    reached_view: list[str]  # methods the view saw
    settings: dict[str, Any] = field(default_factory=dict)
    path: str = "/api/data/"


CASES = [
    Case("simple GET, allowed origin", "app", {}, True, ["GET"]),
    Case("simple GET, denied origin: served, not readable", "evil", {}, False, ["GET"]),
    Case("preflighted PUT, allowed", "app", {"method": "PUT", "headers": JSON}, True, ["PUT"]),
    Case("preflighted PUT, denied origin", "evil", {"method": "PUT", "headers": JSON}, False, []),
    Case(
        "header not in CORS_ALLOW_HEADERS",
        "app",
        {"headers": {"X-Not-Allowed": "1"}},
        False,
        [],
    ),
    Case(
        "header in CORS_ALLOW_HEADERS",
        "app",
        {"headers": {"X-Requested-With": "fetch"}},
        True,
        ["GET"],
    ),
    Case(
        "method not in CORS_ALLOW_METHODS",
        "app",
        {"method": "DELETE"},
        False,
        [],
        {"CORS_ALLOW_METHODS": ["GET", "PUT"]},
    ),
    Case(
        "credentials without CORS_ALLOW_CREDENTIALS",
        "app",
        {"credentials": "include"},
        False,
        ["GET"],
    ),
    Case(
        "credentials with CORS_ALLOW_CREDENTIALS",
        "app",
        {"credentials": "include", "method": "PATCH"},
        True,
        ["PATCH"],
        {"CORS_ALLOW_CREDENTIALS": True, "CORS_DANGEROUSLY_ALLOW_INSECURE_ORIGINS": True},
    ),
    Case(
        "any origin with CORS_ALLOW_ALL_ORIGINS",
        "evil",
        {"method": "PUT", "headers": JSON},
        True,
        ["PUT"],
        {"CORS_ALLOW_ALL_ORIGINS": True},
    ),
    Case(
        "URL outside CORS_URLS_REGEX",
        "app",
        {},
        False,
        ["GET"],
        {"CORS_URLS_REGEX": r"^/api/"},
        "/other/",
    ),
    Case(
        "@cors view refuses the settings' origin",
        "app",
        {"method": "PUT", "headers": JSON},
        False,
        [],
        path="/own/",
    ),
]


@pytest.fixture(scope="module")
def live() -> Iterator[tuple[Browser, int]]:
    with serve(WSGIHandler()) as port:
        browser = Browser()
        try:
            yield browser, port
        finally:
            browser.close()


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_chromium_agrees_with_the_middleware(live: tuple[Browser, int], case: Case) -> None:
    browser, port = live
    settings = {"CORS_ALLOWED_ORIGINS": [f"http://app.test:{port}"], **case.settings}
    with override_settings(**settings):
        result = browser.fetch(
            f"http://{case.page}.test:{port}/page/",
            f"http://api.test:{port}{case.path}",
            **case.init,
        )
    assert result["ok"] is case.allowed, result
    if case.allowed:
        assert result["body"].startswith("data for") or result["body"] == "own policy"
    else:
        assert "Failed to fetch" in result["error"]
    assert [method for method, _path in views.CALLS] == case.reached_view


def test_exposed_headers_are_readable_only_when_exposed(live: tuple[Browser, int]) -> None:
    browser, port = live
    page, url = f"http://app.test:{port}/page/", f"http://api.test:{port}/api/data/"
    with override_settings(CORS_ALLOWED_ORIGINS=[f"http://app.test:{port}"]):
        assert "x-total-count" not in browser.fetch(page, url)["headers"]
    with override_settings(
        CORS_ALLOWED_ORIGINS=[f"http://app.test:{port}"], CORS_EXPOSE_HEADERS=["X-Total-Count"]
    ):
        assert browser.fetch(page, url)["headers"]["x-total-count"] == "7"
