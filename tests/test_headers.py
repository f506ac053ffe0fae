"""Fetch's method and header rules, with Chromium's additions."""

from __future__ import annotations

import pytest

from crossorigin.headers import (
    cors_unsafe_request_header_names,
    is_cors_safelisted_request_header,
    is_forbidden_method,
    is_forbidden_request_header,
    is_no_cors_safelisted_request_header,
    normalize_method,
    parse_header_list,
)


@pytest.mark.parametrize(
    ("given", "sent"),
    [
        ("delete", "DELETE"),
        ("get", "GET"),
        ("Post", "POST"),
        ("put", "PUT"),
        ("options", "OPTIONS"),
        ("patch", "patch"),
        ("PATCH", "PATCH"),
        ("Egg", "Egg"),
    ],
)
def test_normalize_method_upper_cases_only_the_six(given: str, sent: str) -> None:
    assert normalize_method(given) == sent


@pytest.mark.parametrize("method", ["CONNECT", "trace", "Track"])
def test_forbidden_methods_in_any_case(method: str) -> None:
    assert is_forbidden_method(method)


@pytest.mark.parametrize(
    ("name", "value", "safelisted"),
    [
        ("Accept", "application/json", True),
        ("Accept", "text/html{", False),  # '{' is a CORS-unsafe byte
        ("Accept", "a" * 128, True),
        ("Accept", "a" * 129, False),  # the 128-byte limit holds exactly
        ("Accept-Language", "en-US,en;q=0.5", True),
        ("Content-Language", "en_US", False),  # '_' is not allowed
        ("Content-Type", "text/plain;charset=UTF-8", True),
        ("Content-Type", "multipart/form-data; boundary=x", True),
        ("Content-Type", "APPLICATION/X-WWW-FORM-URLENCODED", True),
        ("Content-Type", "application/json", False),
        ("Content-Type", 'text/plain; charset="utf-8"', False),  # '"' is unsafe
        ("Content-Type", "text/plain, text/html", False),
        ("Range", "bytes=0-10", True),
        ("Range", "bytes=100-", True),
        ("Range", "bytes=-10", False),  # suffix ranges preflight
        ("Range", "bytes=10-5", False),
        ("Range", "bytes= 0-10", False),
        ("Range", "bytes=0-1,3-4", False),
        ("DPR", "2.5", True),  # Chromium's client hints
        ("Width", "2.5", False),
        ("Save-Data", "on", True),
        ("ECT", "4g", True),
        ("X-Custom", "1", False),
    ],
)
def test_cors_safelisted_request_header(name: str, value: str, safelisted: bool) -> None:
    assert is_cors_safelisted_request_header(name, value) is safelisted


def test_no_cors_safelist_is_narrower() -> None:
    assert is_no_cors_safelisted_request_header("Content-Type", "text/plain")
    assert not is_no_cors_safelisted_request_header("Range", "bytes=0-1")
    assert not is_no_cors_safelisted_request_header("DPR", "2")


@pytest.mark.parametrize(
    ("name", "value", "forbidden"),
    [
        ("Cookie", "a=b", True),
        ("sec-fetch-mode", "cors", True),
        ("Proxy-Authorization", "x", True),
        ("X-HTTP-Method-Override", "TRACE", True),
        ("X-HTTP-Method-Override", "PUT", False),
        ("Authorization", "Bearer t", False),
    ],
)
def test_forbidden_request_headers(name: str, value: str, forbidden: bool) -> None:
    assert is_forbidden_request_header(name, value) is forbidden


def test_unsafe_names_are_lowercased_sorted_and_deduplicated() -> None:
    headers = [("X-B", "1"), ("x-a", "2"), ("X-B", "3"), ("Content-Type", "application/json")]
    assert cors_unsafe_request_header_names(headers) == ["content-type", "x-a", "x-b"]
    assert cors_unsafe_request_header_names(headers, sort=False) == ["x-b", "x-a", "content-type"]


def test_forbidden_headers_never_count_as_unsafe() -> None:
    assert cors_unsafe_request_header_names([("Cookie", "a"), ("Origin", "x")]) == []


def test_safelisted_values_over_1024_bytes_in_total_become_unsafe() -> None:
    under = [("Accept", "a" * 128)] * 8  # 1,024 bytes: still fine
    over = [*under, ("Content-Language", "en")]
    assert cors_unsafe_request_header_names(under) == []
    assert cors_unsafe_request_header_names(over) == ["accept", "content-language"]


@pytest.mark.parametrize(
    ("value", "parsed"),
    [
        (None, []),
        ("GET, , PUT", ["GET", "PUT"]),
        (" X-A ,x-b", ["X-A", "x-b"]),
        ("*", ["*"]),
        ("PUT, (DELETE)", None),
        ("a b", None),
    ],
)
def test_parse_header_list(value: str | None, parsed: list[str] | None) -> None:
    assert parse_header_list(value) == parsed
