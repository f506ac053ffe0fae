"""flask-cors' test classes whose setUp crossorigin refuses, rerun without the refused routes.

OriginsTestCase, AppExtensionRegexp and SupportsCredentialsCase (tests/third_party/flask_cors)
each declare an unsafe route in ``setUp`` (an origin regex that matches attackers' origins,
credentials with every origin), so every test of the class errors there. Here each class is
rebuilt with the same routes minus the refused ones, to show that its other tests pass: the
inherited test methods run unchanged; the ones that need a refused route are skipped.
"""

from __future__ import annotations

import unittest
from collections.abc import Callable
from typing import Any

from flask import Flask

from crossorigin.flask import CORS, cross_origin

# Modules, not classes: a TestCase class in this namespace would be collected a second time.
from tests.third_party.flask_cors.decorator import test_credentials as credentials
from tests.third_party.flask_cors.decorator import test_origins as origins
from tests.third_party.flask_cors.extension import test_app_extension as app_extension

NEEDS_REFUSED_ROUTE = "needs a route crossorigin refuses (see tests/third_party/flask_cors)"


def _skip(reason: str) -> Callable[[Any], None]:
    @unittest.skip(reason)
    def skipped(self: Any) -> None:
        raise AssertionError("skipped")

    return skipped


class TestOriginsWithoutRefusedRoutes(origins.OriginsTestCase):  # type: ignore[misc]
    def setUp(self) -> None:
        self.app = Flask(__name__)
        routes = {
            "/": {},
            "/test_always_send": {"always_send": True},
            "/test_always_send_no_wildcard": {"always_send": True, "send_wildcard": False},
            "/test_send_wildcard_with_origin": {"send_wildcard": True},
            "/test_list": {"origins": ["http://foo.com", "http://bar.com"]},
            "/test_string": {"origins": "http://foo.com"},
            "/test_set": {"origins": {"http://foo.com", "http://bar.com"}},
        }
        for path, options in routes.items():
            self.app.add_url_rule(path, path, cross_origin(**options)(lambda: "Welcome!"))

    test_subdomain_regex = _skip(NEEDS_REFUSED_ROUTE)
    test_compiled_subdomain_regex = _skip(NEEDS_REFUSED_ROUTE)
    test_regex_list = _skip(NEEDS_REFUSED_ROUTE)
    test_regex_mixed_list = _skip(NEEDS_REFUSED_ROUTE)
    test_multiple_protocols = _skip(NEEDS_REFUSED_ROUTE)


class TestAppExtensionWithoutRefusedResources(app_extension.AppExtensionRegexp):  # type: ignore[misc]
    def setUp(self) -> None:
        self.app = Flask(__name__)
        CORS(
            self.app,
            resources={
                r"/test_list": {"origins": ["http://foo.com", "http://bar.com"]},
                r"/test_string": {"origins": "http://foo.com"},
                r"/test_set": {"origins": {"http://foo.com", "http://bar.com"}},
                r"/test_send_wildcard_with_origin": {"send_wildcard": True},
                r"/test_defaults": {},
            },
        )
        for path in (
            "/test_defaults",
            "/test_send_wildcard_with_origin",
            "/test_list",
            "/test_string",
            "/test_set",
        ):
            self.app.add_url_rule(path, path, lambda: "Welcome!")

    test_subdomain_regex = _skip(NEEDS_REFUSED_ROUTE)
    test_compiled_subdomain_regex = _skip(NEEDS_REFUSED_ROUTE)
    test_regex_list = _skip(NEEDS_REFUSED_ROUTE)
    test_regex_mixed_list = _skip(NEEDS_REFUSED_ROUTE)


class TestCredentialsWithoutTheWildcardRoute(credentials.SupportsCredentialsCase):  # type: ignore[misc]
    def setUp(self) -> None:
        self.app = Flask(__name__)
        for path, options in {
            "/test_credentials_unsupported": {"supports_credentials": False},
            "/test_default": {},
        }.items():
            self.app.add_url_rule(path, path, cross_origin(**options)(lambda: "Open!"))

    test_credentials_supported = _skip(NEEDS_REFUSED_ROUTE)
