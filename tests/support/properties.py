"""Hypothesis inputs and shared checks for the adapter property tests (Django and Flask).

``configs`` are random CORS settings, ``requests`` hostile request lines; :func:`oracle` is the
policy the settings describe, built directly (not by an adapter).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from hypothesis import strategies as st

from crossorigin.policy import Policy

__all__ = [
    "TOKEN",
    "assert_headers_well_formed",
    "configs",
    "is_preflight",
    "oracle",
    "request_headers",
    "requests",
]

ORIGIN_POOL = [
    "https://app.example.com",
    "https://*.example.com",
    "http://localhost:*",
    "https://a.example.org:8443",
    "http://127.0.0.1:8000",
]
HOSTILE_ORIGINS = [
    "https://app.example.com",
    "https://api.example.com",
    "https://a.b.example.com",
    "https://example.com",
    "https://app.example.com.evil.test",
    "https://evilexample.com",
    "https://APP.example.com",
    "https://app.example.com/",
    "https://app.example.com:443",
    "https://app.example.com,https://evil.test",
    " https://app.example.com",
    "https://a.example.org:8443",
    "http://localhost:3000",
    "http://localhost",
    "https://x.example.net",
    "https://x.example.net.evil.test",
    "null",
    "",
    "*",
    "file://",
    "https://[::1]",
    "https://xn--bcher-kva.example.com",
    "https://b\u00fccher.example.com",
]
REGEXES = [None, r"^https://[a-z]+\.example\.net$"]
HEADER_TEXT = st.text(
    alphabet=st.characters(min_codepoint=0x20, max_codepoint=0xFF, blacklist_characters="\x7f"),
    max_size=40,
)
TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")


def header_list(names: list[str], separators: list[str]) -> str:
    return "".join(name + sep for name, sep in zip(names, separators, strict=False))


configs = st.fixed_dictionaries(
    {
        "origins": st.lists(st.sampled_from(ORIGIN_POOL), max_size=4, unique=True),
        "allow_all": st.booleans(),
        "regex": st.sampled_from(REGEXES),
        "credentials": st.booleans(),
        "methods": st.lists(
            st.sampled_from(["GET", "PUT", "PATCH", "DELETE", "OPTIONS", "patch"]), max_size=4
        ),
        "headers": st.lists(
            st.sampled_from(["content-type", "x-custom", "authorization", "X-Mixed-Case"]),
            max_size=3,
        ),
        "expose": st.lists(st.sampled_from(["x-total", "x-request-id"]), max_size=2),
        "max_age": st.sampled_from([0, 1, 600, 86400]),
        "private_network": st.booleans(),
    }
)
requests = st.fixed_dictionaries(
    {
        "method": st.sampled_from(["GET", "POST", "OPTIONS", "OPTIONS", "PUT"]),
        "origin": st.one_of(st.none(), st.sampled_from(HOSTILE_ORIGINS), HEADER_TEXT),
        "acrm": st.one_of(
            st.none(),
            st.sampled_from(["GET", "PUT", "DELETE", "patch", "", "GET, PUT"]),
            HEADER_TEXT,
        ),
        "acrh": st.one_of(
            st.none(),
            st.builds(
                header_list,
                st.lists(
                    st.sampled_from(["content-type", "x-custom", "X-CUSTOM", "", "a b", "\u00e9"]),
                    max_size=6,
                ),
                st.lists(st.sampled_from([",", ", ", ",,", " ,\t", ",,,,,,,,"]), max_size=6),
            ),
            HEADER_TEXT,
        ),
        "acrpn": st.one_of(st.none(), st.sampled_from(["true", "false", " true"]), HEADER_TEXT),
    }
)


def oracle(config: dict[str, Any], *, max_age: int | None) -> Policy:
    """The policy ``config`` describes, with the adapter's reading of its max_age."""
    return Policy(
        allow_origins=("*",) if config["allow_all"] else tuple(config["origins"]),
        allow_origin_regex=None if config["allow_all"] else config["regex"],
        allow_credentials=config["credentials"],
        allow_methods=tuple(config["methods"]),
        allow_headers=tuple(config["headers"]),
        expose_headers=tuple(config["expose"]),
        max_age=max_age,
        allow_private_network=config["private_network"],
    )


def request_headers(request: dict[str, Any]) -> dict[str, str]:
    """The CORS request headers ``request`` sends (those it has)."""
    return {
        name: value
        for name, value in (
            ("Origin", request["origin"]),
            ("Access-Control-Request-Method", request["acrm"]),
            ("Access-Control-Request-Headers", request["acrh"]),
            ("Access-Control-Request-Private-Network", request["acrpn"]),
        )
        if value is not None
    }


def is_preflight(request: dict[str, Any], headers: dict[str, str]) -> bool:
    return (
        request["method"] == "OPTIONS"
        and "Origin" in headers
        and ("Access-Control-Request-Method" in headers)
    )


def assert_headers_well_formed(items: Iterable[tuple[str, str]]) -> None:
    """Every response header name is a token; no value has CR, LF or NUL, or is not Latin-1."""
    for name, value in items:
        assert TOKEN.fullmatch(name), name
        assert not any(c in value for c in "\r\n\x00"), (name, value)
        value.encode("latin-1")
