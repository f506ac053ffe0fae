"""Requirement: what it accepts, how it normalizes, and the message for each bad value."""

from __future__ import annotations

import pytest

from crossorigin.doctor.fixes import Requirement, RequirementError


def test_values_are_normalized_and_deduplicated() -> None:
    requirement = Requirement(
        origins=("https://app.example.com", "https://app.example.com", "http://localhost:5173"),
        methods=("put", "PATCH,delete", "PUT"),
        request_headers=("Authorization, content-type", "authorization"),
        expose_headers=("X-Total",),
    )
    assert requirement.origins == ("https://app.example.com", "http://localhost:5173")
    # Fetch normalizes only DELETE, GET, HEAD, OPTIONS, POST and PUT.
    assert requirement.methods == ("PUT", "PATCH", "DELETE")
    assert requirement.request_headers == ("Authorization", "content-type")


def test_a_single_origin_string_is_one_origin() -> None:
    assert Requirement(origins="https://app.example.com").origins == ("https://app.example.com",)


def test_safelisted_methods_never_reach_allow_methods() -> None:
    requirement = Requirement(origins=("https://a.example",), methods=("GET", "POST", "PUT"))
    assert requirement.preflight_methods == ("PUT",)
    assert requirement.server_checked_methods == ("GET", "HEAD", "POST", "PUT")


@pytest.mark.parametrize(
    ("methods", "headers", "private_network", "expected"),
    [
        ((), (), False, False),
        (("GET", "POST"), (), False, False),
        (("DELETE",), (), False, True),
        ((), ("X-Requested-With",), False, True),
        ((), (), True, True),
    ],
)
def test_needs_preflight(
    methods: tuple[str, ...], headers: tuple[str, ...], private_network: bool, expected: bool
) -> None:
    requirement = Requirement(
        origins=("https://a.example",),
        methods=methods,
        request_headers=headers,
        private_network=private_network,
    )
    assert requirement.needs_preflight is expected


def test_insecure_origins_are_plain_http_and_not_loopback() -> None:
    requirement = Requirement(
        origins=(
            "http://app.test:8080",
            "http://localhost:5173",
            "http://127.0.0.1:3000",
            "https://app.example.com",
        )
    )
    assert requirement.insecure_origins == ("http://app.test:8080",)


@pytest.mark.parametrize(
    ("kwargs", "option", "fragment"),
    [
        ({"origins": ()}, "origin", "no origin given"),
        ({"origins": ("*",)}, "origin", "wildcard"),
        ({"origins": ("https://*.example.com",)}, "origin", "wildcard"),
        ({"origins": ("null",)}, "origin", "sandboxed"),
        ({"origins": ("https://app.example.com/",)}, "origin", "remove the trailing '/'"),
        ({"origins": ("app.example.com",)}, "origin", "write it as 'https://app.example.com'"),
        ({"origins": ("HTTPS://App.example.com",)}, "origin", "write 'https://app.example.com'"),
        ({"origins": ("https://app.example.com:443",)}, "origin", "default port"),
        ({"origins": ("ws://app.example.com",)}, "origin", "not a web page origin"),
        ({"origins": ("https://a$b.example",)}, "origin", "characters no host name has"),
        ({"methods": ("PU T",)}, "methods", "not a valid HTTP token"),
        ({"methods": ("*",)}, "methods", "wildcard"),
        ({"methods": ("TRACE",)}, "methods", "forbidden"),
        ({"methods": ("GET$",)}, "methods", "treat specially"),
        ({"request_headers": ("X Token",)}, "headers", "not a valid HTTP token"),
        ({"request_headers": ("*",)}, "headers", "wildcard"),
        ({"request_headers": ("Cookie",)}, "headers", "--credentials"),
        ({"request_headers": ("Host",)}, "headers", "forbidden"),
        ({"request_headers": ("Sec-Fetch-Mode",)}, "headers", "forbidden"),
        ({"request_headers": ("Access-Control-Allow-Origin",)}, "headers", "CORS header"),
        ({"expose_headers": ("Set-Cookie",)}, "expose", "never readable"),
        ({"expose_headers": ("*",)}, "expose", "wildcard"),
        ({"expose_headers": ("Access-Control-Max-Age",)}, "expose", "CORS header"),
        ({"max_age": -1}, "max_age", "out of range"),
        ({"max_age": 86401}, "max_age", "out of range"),
        ({"max_age": True}, "max_age", "not a number"),
        ({"api_origin": "https://api.example.com/v1"}, "api_origin", "remove the path"),
    ],
)
def test_bad_values_name_the_value_and_the_fix(
    kwargs: dict[str, object], option: str, fragment: str
) -> None:
    arguments: dict[str, object] = {"origins": ("https://app.example.com",), **kwargs}
    with pytest.raises(RequirementError) as caught:
        Requirement(**arguments)  # type: ignore[arg-type]
    assert caught.value.option == option
    assert fragment in str(caught.value)
    assert "\n" not in str(caught.value)
    if caught.value.value:
        assert caught.value.value in str(caught.value)


def test_max_age_bounds_are_inclusive() -> None:
    assert Requirement(origins=("https://a.example",), max_age=0).max_age == 0
    assert Requirement(origins=("https://a.example",), max_age=86400).max_age == 86400
