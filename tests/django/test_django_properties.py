"""Properties: random settings and hostile request headers never make the middleware allow an
origin the policy does not, emit an invalid header, or raise."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client
from django.test.utils import override_settings
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from crossorigin.policy import Policy, PolicyError

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


def oracle(config: dict[str, Any]) -> Policy:
    """The policy the settings describe, built directly (not by the adapter)."""
    return Policy(
        allow_origins=("*",) if config["allow_all"] else tuple(config["origins"]),
        allow_origin_regex=None if config["allow_all"] else config["regex"],
        allow_credentials=config["credentials"],
        allow_methods=tuple(config["methods"]),
        allow_headers=tuple(config["headers"]),
        expose_headers=tuple(config["expose"]),
        max_age=config["max_age"] or None,
        allow_private_network=config["private_network"],
    )


def django_settings(config: dict[str, Any]) -> dict[str, Any]:
    return {
        "CORS_ALLOWED_ORIGINS": config["origins"],
        "CORS_ALLOW_ALL_ORIGINS": config["allow_all"],
        "CORS_ALLOWED_ORIGIN_REGEXES": [config["regex"]] if config["regex"] else [],
        "CORS_ALLOW_CREDENTIALS": config["credentials"],
        "CORS_ALLOW_METHODS": config["methods"],
        "CORS_ALLOW_HEADERS": config["headers"],
        "CORS_EXPOSE_HEADERS": config["expose"],
        "CORS_PREFLIGHT_MAX_AGE": config["max_age"],
        "CORS_ALLOW_PRIVATE_NETWORK": config["private_network"],
    }


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(config=configs, request=requests)
def test_middleware_never_exceeds_the_policy(
    config: dict[str, Any], request: dict[str, Any]
) -> None:
    try:
        policy = oracle(config)
    except PolicyError:
        assume(False)
        raise
    headers = {
        name: value
        for name, value in (
            ("Origin", request["origin"]),
            ("Access-Control-Request-Method", request["acrm"]),
            ("Access-Control-Request-Headers", request["acrh"]),
            ("Access-Control-Request-Private-Network", request["acrpn"]),
        )
        if value is not None
    }
    with override_settings(**django_settings(config)):
        response = Client().generic(request["method"], "/api/data/", headers=headers)

    is_preflight = (
        request["method"] == "OPTIONS"
        and "Origin" in headers
        and ("Access-Control-Request-Method" in headers)
    )
    for name, value in response.items():
        assert TOKEN.fullmatch(name), name
        assert not any(c in value for c in "\r\n\x00"), (name, value)
        value.encode("latin-1")
    cors = {k.lower(): v for k, v in response.items() if k.lower().startswith("access-control-")}
    allowed = cors.get("access-control-allow-origin")
    if allowed is not None:
        origin = request["origin"]
        assert origin is not None
        assert policy.allows_origin(origin), origin
        assert allowed == origin or (allowed == "*" and policy.allow_all_origins)
        if allowed == "*":
            assert "access-control-allow-credentials" not in cors
    if is_preflight:
        assert response.status_code in (204, 403)
        if response.status_code == 403:
            assert cors == {}
        else:
            assert allowed is not None
    else:
        assert response.status_code == 200
        assert "origin" in [t.strip().lower() for t in response["Vary"].split(",")]
        if request["origin"] is not None and policy.allows_origin(request["origin"]):
            assert allowed is not None
