"""Policy construction: every refusal code, permitted examples, normalization, immutability."""

from __future__ import annotations

from typing import Any

import pytest

from crossorigin.policy import PROBLEM_CODES, Policy, PolicyError

CREDENTIALS = {"allow_credentials": True}


def _raise(origin: str) -> bool:
    raise RuntimeError("no")


# (code, keywords that produce exactly that problem, the offending value)
REFUSED: list[tuple[str, dict[str, Any], object]] = [
    ("option-type", {"allow_origins": "https://a.example"}, "https://a.example"),
    ("option-type", {"allow_credentials": "yes"}, "yes"),
    ("option-type", {"max_age": "600"}, "600"),
    ("option-type", {"allow_headers": [b"X-Token"]}, b"X-Token"),
    ("origin-invalid", {"allow_origins": ["https://exa mple.com"]}, "https://exa mple.com"),
    ("origin-missing-scheme", {"allow_origins": ["app.example.com"]}, "app.example.com"),
    ("origin-scheme", {"allow_origins": ["ftp://files.example.com"]}, "ftp://files.example.com"),
    ("origin-scheme", {"allow_origins": ["data://x"]}, "data://x"),
    ("origin-path", {"allow_origins": ["https://a.example/app"]}, "https://a.example/app"),
    ("origin-trailing-slash", {"allow_origins": ["https://a.example/"]}, "https://a.example/"),
    ("origin-query", {"allow_origins": ["https://a.example?x=1"]}, "https://a.example?x=1"),
    ("origin-userinfo", {"allow_origins": ["https://u:p@a.example"]}, "https://u:p@a.example"),
    ("origin-default-port", {"allow_origins": ["https://a.example:443"]}, "https://a.example:443"),
    ("origin-default-port", {"allow_origins": ["http://a.example:80"]}, "http://a.example:80"),
    ("origin-case", {"allow_origins": ["https://App.example"]}, "https://App.example"),
    ("origin-unicode-host", {"allow_origins": ["https://bücher.de"]}, "https://bücher.de"),
    ("origin-non-canonical-ip", {"allow_origins": ["http://0x7f000001"]}, "http://0x7f000001"),
    ("origin-non-canonical-ip", {"allow_origins": ["http://[0:0::1]"]}, "http://[0:0::1]"),
    ("origin-whitespace", {"allow_origins": [" https://a.example"]}, " https://a.example"),
    (
        "origin-too-long",
        {"allow_origins": ["https://" + "a" * 330 + ".example"]},
        "https://" + "a" * 330 + ".example",
    ),
    ("origin-null", {"allow_origins": ["null"]}, "null"),
    ("origin-file", {"allow_origins": ["file://"]}, "file://"),
    ("pattern-invalid", {"allow_origins": ["https://*example.com"]}, "https://*example.com"),
    ("pattern-invalid", {"allow_origins": ["https://a.*.example.com"]}, "https://a.*.example.com"),
    ("origin-missing-scheme", {"allow_origins": ["*.example.com"]}, "*.example.com"),
    ("pattern-ip-wildcard", {"allow_origins": ["https://*.10.0.0.1"]}, "https://*.10.0.0.1"),
    ("wildcard-with-credentials", {"allow_origins": ["*"], **CREDENTIALS}, "*"),
    (
        "wildcard-with-credentials",
        {"allow_origin_regex": "https://.*", **CREDENTIALS},
        "https://.*",
    ),
    (
        "public-suffix-with-credentials",
        {"allow_origins": ["https://*.com"], **CREDENTIALS},
        "https://*.com",
    ),
    (
        "public-suffix-with-credentials",
        {"allow_origins": ["https://*.github.io"], **CREDENTIALS},
        "https://*.github.io",
    ),
    (
        "public-suffix-with-credentials",
        {"allow_origins": ["https://*.co.uk:*"], **CREDENTIALS},
        "https://*.co.uk:*",
    ),
    (
        "insecure-origin-with-credentials",
        {"allow_origins": ["http://app.example.com"], **CREDENTIALS},
        "http://app.example.com",
    ),
    (
        "insecure-origin-with-credentials",
        {"allow_origins": ["http://*.example.com"], **CREDENTIALS},
        "http://*.example.com",
    ),
    ("regex-invalid", {"allow_origin_regex": "https://(a.example"}, "https://(a.example"),
    (
        "regex-attack-origin",
        {"allow_origin_regex": r"https://a\.example.*"},
        r"https://a\.example.*",
    ),
    (
        "regex-unverifiable",
        {"allow_origin_regex": r"https://(a)\1\.example\.com"},
        r"https://(a)\1\.example\.com",
    ),
    (
        "regex-backtracking",
        {"allow_origin_regex": r"https://([a-z]+)+\.example\.com"},
        r"https://([a-z]+)+\.example\.com",
    ),
    ("predicate-not-callable", {"allow_origin_predicate": "yes"}, "yes"),
    ("predicate-failed", {"allow_origin_predicate": _raise, **CREDENTIALS}, _raise),
    ("method-invalid", {"allow_methods": ["GET PUT"]}, "GET PUT"),
    ("method-forbidden", {"allow_methods": ["connect"]}, "connect"),
    ("method-forbidden", {"allow_methods": ["TRACE"]}, "TRACE"),
    ("method-forbidden", {"allow_methods": ["Track"]}, "Track"),
    ("header-invalid", {"allow_headers": ["X Token"]}, "X Token"),
    ("header-forbidden", {"allow_headers": ["Cookie"]}, "Cookie"),
    ("header-forbidden", {"allow_headers": ["Sec-Fetch-Mode"]}, "Sec-Fetch-Mode"),
    ("header-forbidden", {"allow_headers": ["Proxy-Authorization"]}, "Proxy-Authorization"),
    (
        "header-meaningless",
        {"allow_headers": ["Access-Control-Allow-Origin"]},
        "Access-Control-Allow-Origin",
    ),
    ("expose-invalid", {"expose_headers": ["X Id"]}, "X Id"),
    ("expose-forbidden", {"expose_headers": ["Set-Cookie"]}, "Set-Cookie"),
    ("expose-meaningless", {"expose_headers": ["Content-Type"]}, "Content-Type"),
    (
        "expose-meaningless",
        {"expose_headers": ["Access-Control-Max-Age"]},
        "Access-Control-Max-Age",
    ),
    ("expose-wildcard-with-credentials", {"expose_headers": ["*"], **CREDENTIALS}, "*"),
    ("max-age-out-of-range", {"max_age": 86401}, 86401),
    ("max-age-out-of-range", {"max_age": -1}, -1),
    ("preflight-status-out-of-range", {"preflight_status": 302}, 302),
    ("preflight-failure-status-out-of-range", {"preflight_failure_status": 500}, 500),
    ("preflight-failure-status-out-of-range", {"preflight_failure_status": 200}, 200),
]


@pytest.mark.parametrize(
    ("code", "keywords", "value"), REFUSED, ids=[f"{c}-{i}" for i, (c, _, _) in enumerate(REFUSED)]
)
def test_each_refusal_has_its_code_the_value_and_a_fix(
    code: str, keywords: dict[str, Any], value: object
) -> None:
    with pytest.raises(PolicyError) as caught:
        Policy(**keywords)
    (problem,) = caught.value.problems
    assert problem.code == code
    assert problem.value == value
    assert problem.message and problem.fix
    assert repr(value) in str(caught.value)


def test_every_documented_code_is_exercised() -> None:
    assert {code for code, _, _ in REFUSED} == set(PROBLEM_CODES)


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(PolicyError) as caught:
        Policy(
            allow_origins=["*", "https://a.example/", "null"],
            allow_credentials=True,
            allow_methods=["TRACE", "bad method"],
            allow_headers=["Cookie"],
            expose_headers=["Set-Cookie"],
            max_age=100_000,
            preflight_status=500,
        )
    assert caught.value.codes == (
        "wildcard-with-credentials",
        "origin-trailing-slash",
        "origin-null",
        "method-forbidden",
        "method-invalid",
        "header-forbidden",
        "expose-forbidden",
        "max-age-out-of-range",
        "preflight-status-out-of-range",
    )
    assert str(caught.value).startswith("invalid CORS policy, 9 problems:")


PERMITTED: list[dict[str, Any]] = [
    {},
    {"allow_origins": ["*"]},
    {
        "allow_origins": ["*"],
        "allow_headers": ["*"],
        "allow_methods": ["*"],
        "expose_headers": ["*"],
    },
    {"allow_origins": ["https://app.example.com", "https://*.example.com"], **CREDENTIALS},
    {
        "allow_origins": ["http://localhost:*", "http://127.0.0.1:8000", "http://[::1]:*"],
        **CREDENTIALS,
    },
    {"allow_origins": ["http://*.localhost:*"], **CREDENTIALS},
    {"allow_origins": ["https://*.example.com:8443", "https://*.example.com:*"]},
    {"allow_origins": ["https://xn--bcher-kva.de", "https://[2001:db8::1]:8443"]},
    {"allow_origins": ["capacitor://localhost", "chrome-extension://abcdefghijklmnop"]},
    {"allow_origins": ["https://*.com"]},  # broad, but without credentials
    {"allow_origins": ["http://app.example.com"]},  # insecure, but without credentials
    {"allow_origins": ["null"], "dangerously_allow_null_origin": True},
    {"allow_origins": ["file://"], "dangerously_allow_null_origin": True},
    {
        "allow_origins": ["http://app.example.com"],
        "dangerously_allow_insecure_origins": True,
        **CREDENTIALS,
    },
    {
        "allow_origins": ["https://*.github.io"],
        "dangerously_allow_public_suffix_subdomains": True,
        **CREDENTIALS,
    },
    {"allow_origin_regex": r"https://[a-z0-9-]+\.example\.com", **CREDENTIALS},
    {"allow_origin_regex": r"https://(www\.)?example\.com", **CREDENTIALS},
    {"allow_origin_regex": r"https://.*\.example\.com", **CREDENTIALS},
    {"allow_origin_regex": r"http://localhost:\d+", **CREDENTIALS},
    {"allow_origin_regex": "https://.*"},  # every https origin, without credentials
    {"allow_origin_predicate": lambda origin: origin.endswith(".example.com"), **CREDENTIALS},
    {"allow_methods": ["get", "patch", "PURGE"], "allow_headers": ["Authorization", "X-Token"]},
    {"max_age": None},
    {"max_age": 0},
    {"max_age": 86400, "preflight_status": 200},
]


@pytest.mark.parametrize("keywords", PERMITTED)
def test_permitted_configurations_build(keywords: dict[str, Any]) -> None:
    policy = Policy(**keywords)
    rebuilt = Policy(**policy.options())
    assert rebuilt.options() == policy.options()


def test_methods_are_normalized_as_fetch_does_and_header_names_unique() -> None:
    policy = Policy(
        allow_methods=["delete", "put", "patch", "DELETE"],
        allow_headers=["X-Token", "x-token", "Authorization"],
        expose_headers=["X-Request-Id"],
    )
    options = policy.options()
    # Fetch upper-cases only DELETE, GET, HEAD, OPTIONS, POST and PUT; "patch" stays as written.
    assert options["allow_methods"] == ("DELETE", "PUT", "patch")
    # Names compare case-insensitively (the first spelling is kept) and are answered sorted as
    # Starlette sorts them, the always-allowed ones included.
    assert options["allow_headers"] == (
        "Accept",
        "Accept-Language",
        "Authorization",
        "Content-Language",
        "Content-Type",
        "X-Token",
    )
    # Exposed names are written as given (browsers compare them case-insensitively).
    assert options["expose_headers"] == ("X-Request-Id",)


@pytest.mark.parametrize("keywords", PERMITTED)
def test_a_rebuilt_policy_answers_the_same(keywords: dict[str, Any]) -> None:
    policy = Policy(**keywords)
    rebuilt = Policy(**policy.options())
    origin = "https://app.example.com"
    for method in ("GET", "PUT", "PURGE", "patch"):
        for requested in (None, "x-token", "authorization,x-token", "x-other"):
            assert rebuilt.preflight_answer(origin, method, requested) == (
                policy.preflight_answer(origin, method, requested)
            )
    assert rebuilt.actual(origin) == policy.actual(origin)


def test_wildcard_methods_keep_the_custom_methods_named_beside_them() -> None:
    policy = Policy(allow_origins=["*"], allow_methods=["*", "PURGE"])
    assert policy.options()["allow_methods"] == ("*", "PURGE")
    assert policy.preflight("https://a.example", "PURGE")[0] == 204


def test_a_policy_is_immutable() -> None:
    policy = Policy(allow_origins=["https://app.example.com"])
    with pytest.raises(AttributeError):
        policy.allow_credentials = True  # type: ignore[misc]
    with pytest.raises(AttributeError):
        policy._config = None  # type: ignore[misc, assignment]
    with pytest.raises(AttributeError):
        del policy._config
    assert not policy.allow_credentials
