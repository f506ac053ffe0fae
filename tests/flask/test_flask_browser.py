"""Flask apps with crossorigin.flask under waitress, driven by real headless Chromium.

What the adapter allows, Chromium allows; what it refuses, Chromium blocks; and a preflight
never reaches application code (hooks included).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask, Response

from crossorigin.flask import CORS, cross_origin
from tests.django.live import Browser, chromium_available, serve

pytestmark = [
    pytest.mark.browser,
    pytest.mark.server,
    pytest.mark.skipif(chromium_available() is not None, reason=str(chromium_available())),
]

JSON = {"Content-Type": "application/json"}
METHODS = ["GET", "PUT", "PATCH", "DELETE", "POST"]


def make_app(app_origin: str, options: dict[str, Any], calls: list[str]) -> Flask:
    app = Flask(__name__)

    @app.before_request
    def before() -> None:
        from flask import request

        if request.path.startswith(("/api/", "/open")):  # not the page, nor /favicon.ico
            calls.append("before_request")

    CORS(app, resources={r"/api/*": {"origins": [app_origin], **options}})

    @app.route("/page")
    def page() -> str:
        return "<!doctype html><title>page</title>"

    @app.route("/api/data", methods=METHODS)
    def data() -> Response:
        from flask import request

        calls.append(request.method)
        return Response(f"data for {request.method}", headers={"X-Total": "7"})

    @app.route("/api/admin", methods=METHODS)
    @cross_origin(origins=["https://admin.example.com"])
    def admin() -> str:
        calls.append("admin")
        return "admin"

    @app.route("/open", methods=METHODS)
    @cross_origin()
    def open_to_all() -> str:
        calls.append("open")
        return "data for open"

    return app


@dataclass(frozen=True)
class Case:
    name: str
    page: str
    init: dict[str, Any]
    allowed: bool
    reached: list[str]
    options: dict[str, Any] = field(default_factory=dict)
    path: str = "/api/data"


CASES = [
    Case("simple GET, allowed", "app", {}, True, ["before_request", "GET"]),
    Case("simple GET, denied: served, not readable", "evil", {}, False, ["before_request", "GET"]),
    Case(
        "preflighted PUT, allowed",
        "app",
        {"method": "PUT", "headers": JSON},
        True,
        ["before_request", "PUT"],
    ),
    Case("preflighted PUT, denied origin", "evil", {"method": "PUT", "headers": JSON}, False, []),
    Case("method not allowed", "app", {"method": "DELETE"}, False, [], {"methods": ["GET"]}),
    Case(
        "header not allowed",
        "app",
        {"headers": {"X-Custom": "1"}},
        False,
        [],
        {"allow_headers": ["X-Other"]},
    ),
    Case(
        "header allowed",
        "app",
        {"headers": {"X-Custom": "1"}},
        True,
        ["before_request", "GET"],
        {"allow_headers": ["X-Custom"]},
    ),
    Case(
        "header regex allows a matching header (any case)",
        "app",
        {"headers": {"X-Company-Id": "1"}},
        True,
        ["before_request", "GET"],
        {"allow_headers": [r"X-COMPANY-.*"]},
    ),
    Case(
        "header regex refuses another header",
        "app",
        {"headers": {"X-Other": "1"}},
        False,
        [],
        {"allow_headers": [r"X-COMPANY-.*"]},
    ),
    Case(
        "header regex matches the whole name",
        "app",
        {"headers": {"X-Company-Id": "1"}},
        False,
        [],
        {"allow_headers": [r"X-(Company|Team)"]},
    ),
    Case(
        "credentials refused without supports_credentials",
        "app",
        {"credentials": "include"},
        False,
        ["before_request", "GET"],
    ),
    Case(
        "decorated view with its own origins",
        "app",
        {"method": "PUT"},
        False,
        [],
        path="/api/admin",
    ),
    Case(
        "@cross_origin() allows any origin",
        "evil",
        {"method": "PATCH", "headers": JSON},
        True,
        ["before_request", "open"],
        path="/open",
    ),
]


class Switch:
    """The WSGI app waitress serves; each test plugs its own Flask app in."""

    def __init__(self) -> None:
        self.app: Callable[..., Any] | None = None

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        assert self.app is not None
        return self.app(environ, start_response)


@pytest.fixture(scope="module")
def live() -> Iterator[tuple[Browser, int, Switch]]:
    switch = Switch()
    with serve(switch) as port:
        browser = Browser()
        try:
            yield browser, port, switch
        finally:
            browser.close()


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_chromium_agrees_with_the_adapter(live: tuple[Browser, int, Switch], case: Case) -> None:
    browser, port, switch = live
    calls: list[str] = []
    switch.app = make_app(f"http://app.test:{port}", case.options, calls)
    result = browser.fetch(
        f"http://{case.page}.test:{port}/page", f"http://api.test:{port}{case.path}", **case.init
    )
    assert result["ok"] is case.allowed, result
    if case.allowed:
        assert result["body"].startswith("data for")
    else:
        assert "Failed to fetch" in result["error"]
    assert calls == case.reached


def test_exposed_headers_are_readable_only_when_exposed(
    live: tuple[Browser, int, Switch],
) -> None:
    browser, port, switch = live
    page, url = f"http://app.test:{port}/page", f"http://api.test:{port}/api/data"
    switch.app = make_app(f"http://app.test:{port}", {}, [])
    assert "x-total" not in browser.fetch(page, url)["headers"]
    switch.app = make_app(f"http://app.test:{port}", {"expose_headers": ["X-Total"]}, [])
    assert browser.fetch(page, url)["headers"]["x-total"] == "7"
