"""Decisions: request values in, status and header pairs out (Fetch §4.8, §4.9)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from crossorigin.policy import VARY_PREFLIGHT, Policy, merge_vary

APP = "https://app.example.com"
OTHER = "https://other.example.net"
FAILED = (403, [("Vary", VARY_PREFLIGHT)])
TEXT = "text/plain; charset=utf-8"


def names(headers: list[tuple[str, str]]) -> dict[str, str]:
    found = dict(headers)
    assert len(found) == len(headers), f"a header appears twice: {headers}"
    return found


def build(**options: Any) -> Policy:
    settings: dict[str, Any] = {
        "allow_origins": [APP],
        "allow_methods": ["GET", "PUT"],
        "allow_headers": ["X-Token"],
        "allow_credentials": True,
        "expose_headers": ["X-Request-Id"],
    }
    settings.update(options)
    return Policy(**settings)


# -- Actual requests ---------------------------------------------------------------------------


def test_an_allowed_origin_is_reflected_with_credentials_and_exposed_headers() -> None:
    assert build().actual(APP) == [
        ("Access-Control-Allow-Origin", APP),
        ("Access-Control-Allow-Credentials", "true"),
        ("Access-Control-Expose-Headers", "X-Request-Id"),
    ]


@pytest.mark.parametrize("origin", [None, OTHER, "null", "", APP + "/", " " + APP, APP.upper()])
def test_other_actual_requests_get_nothing_and_are_never_refused(origin: str | None) -> None:
    assert build().actual(origin) == []


def test_every_origin_without_credentials_gets_a_wildcard_never_a_reflection() -> None:
    policy = Policy(allow_origins=["*"], expose_headers=["X-Request-Id"])
    for origin in (APP, "null", "garbage, with a comma"):
        assert policy.actual(origin) == [
            ("Access-Control-Allow-Origin", "*"),
            ("Access-Control-Expose-Headers", "X-Request-Id"),
        ]
    assert policy.actual(None) == []  # not a CORS request: nothing to say (but Vary: Origin)


def test_the_returned_lists_are_fresh() -> None:
    policy = build()
    first = policy.actual(APP)
    first.append(("X-Mutated", "1"))
    first[0] = ("Access-Control-Allow-Origin", OTHER)
    assert policy.actual(APP)[0] == ("Access-Control-Allow-Origin", APP)
    _, headers = policy.preflight(APP, "PUT")
    headers.clear()
    assert policy.preflight(APP, "PUT")[1]


# -- Preflights --------------------------------------------------------------------------------


def test_a_successful_preflight_answers_exactly_what_was_asked() -> None:
    status, headers = build().preflight(APP, "PUT", "x-token")
    assert status == 204
    assert headers == [
        ("Access-Control-Allow-Origin", APP),
        ("Access-Control-Allow-Credentials", "true"),
        ("Access-Control-Allow-Methods", "GET, PUT"),
        (
            "Access-Control-Allow-Headers",
            "Accept, Accept-Language, Content-Language, Content-Type, X-Token",
        ),
        ("Access-Control-Max-Age", "600"),
        ("Vary", VARY_PREFLIGHT),
    ]


@pytest.mark.parametrize(
    ("origin", "method", "requested", "private_network"),
    [
        (OTHER, "PUT", None, None),
        ("null", "GET", None, None),
        (APP, "DELETE", None, None),
        (APP, "put", None, None),  # methods are case-sensitive on the wire
        (APP, "PUT", "x-token, x-other", None),
        (APP, "PUT", "authorization", None),
        (APP, "PUT", "," * 8192, None),
        (APP, "PUT", ["x-token"] * 2000, None),
        (APP, "PUT", None, "true"),
        (APP, "", None, None),
    ],
)
def test_failed_preflights_are_403_with_vary_only(
    origin: str, method: str, requested: str | list[str] | None, private_network: str | None
) -> None:
    assert build().preflight(origin, method, requested, private_network) == FAILED


def test_the_allowed_methods_are_listed_so_one_preflight_covers_them_all() -> None:
    # Chromium's preflight cache keeps the listed methods: a later DELETE reuses it.
    policy = build(allow_methods=["PUT", "delete"])
    status, headers = policy.preflight(APP, "PUT", "x-token")
    assert status == 204
    assert names(headers)["Access-Control-Allow-Methods"] == "PUT, DELETE"


def test_an_unlisted_method_is_refused_even_a_safelisted_one() -> None:
    # A browser would accept GET unlisted; the configuration does not name it: refused,
    # as Starlette does, so allow_methods reads as the whole list.
    policy = build(allow_methods=["PUT"])
    for method in ("GET", "HEAD", "POST"):
        assert policy.preflight(APP, method, "x-token") == FAILED
        assert policy.preflight_answer(APP, method, "x-token").refusals == ("method",)


def test_wildcard_methods_are_the_standard_methods() -> None:
    policy = build(allow_methods=["*"])
    standard = "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT, QUERY"
    for method in ("PATCH", "QUERY", "DELETE", "GET"):
        status, headers = policy.preflight(APP, method)
        assert status == 204
        assert names(headers)["Access-Control-Allow-Methods"] == standard
    # A custom method must be named; a lowercase one never matches (browsers send it as is).
    for bad in ("PURGE", "patch", "GET PUT", "PUT\r\nX: y", "", "A" * 65):
        assert policy.preflight(APP, bad) == FAILED
    status, _ = build(allow_methods=["PURGE"]).preflight(APP, "PURGE")
    assert status == 204


@pytest.mark.parametrize(
    "requested",
    [
        "x-token",
        "X-Token",
        "content-type,x-token",
        " x-token , content-type ",
        ["x-token", "content-type"],
        ["x-token", ""],
        "x-token,,",
    ],
)
def test_listed_request_headers_pass_in_any_spelling(requested: str | list[str]) -> None:
    status, headers = build().preflight(APP, "PUT", requested)
    assert status == 204
    assert "X-Token" in names(headers)["Access-Control-Allow-Headers"].split(", ")


def test_echo_request_headers_answers_with_the_validated_request_list() -> None:
    policy = build(echo_request_headers=True)
    status, headers = policy.preflight(APP, "PUT", " X-token,content-type ")
    assert status == 204
    assert names(headers)["Access-Control-Allow-Headers"] == "X-token,content-type"
    assert policy.preflight(APP, "PUT", "x-token,x-other") == FAILED


def test_header_patterns_match_names_case_insensitively_and_are_echoed() -> None:
    policy = build(allow_headers=["X-Token", re.compile(r"X-Company-[a-z]+")])
    status, headers = policy.preflight(APP, "PUT", "x-company-foo,X-TOKEN")
    assert status == 204
    assert names(headers)["Access-Control-Allow-Headers"] == "x-company-foo,X-TOKEN"
    for refused in ("x-company-", "x-company-foo-bar", "x-other", "x-company-foo,x-other"):
        assert policy.preflight(APP, "PUT", refused) == FAILED, refused
    assert policy.preflight(APP, "PUT", "x-company-a," * 1000) == FAILED  # over the cap
    raw = policy.preflight_raw(APP.encode(), b"PUT", [b"X-Company-Bar"], None)
    assert raw[0] == 204
    assert (b"access-control-allow-headers", b"X-Company-Bar") in raw[1]


@pytest.mark.parametrize("requested", [None, "", []])
def test_the_header_list_is_sent_even_when_none_was_requested(
    requested: str | list[str] | None,
) -> None:
    # As Starlette does: one cached preflight then covers a later request with X-Token.
    status, headers = build().preflight(APP, "PUT", requested)
    assert status == 204
    assert names(headers)["Access-Control-Allow-Headers"] == (
        "Accept, Accept-Language, Content-Language, Content-Type, X-Token"
    )
    # Echoing has nothing to echo.
    status, headers = build(echo_request_headers=True).preflight(APP, "PUT", requested)
    assert status == 204
    assert "Access-Control-Allow-Headers" not in names(headers)


def test_wildcard_headers_echo_the_request_list() -> None:
    policy = build(allow_headers=["*"])
    status, headers = policy.preflight(APP, "PUT", " authorization,x-anything ")
    assert status == 204
    assert names(headers)["Access-Control-Allow-Headers"] == "authorization,x-anything"
    status, headers = policy.preflight(APP, "PUT", ["a", "b"])
    assert names(headers)["Access-Control-Allow-Headers"] == "a,b"
    for hostile in ("a\r\nb", 'a"b', "a;b", "," * 8192, "x" * 5000):
        assert policy.preflight(APP, "PUT", hostile) == FAILED


def test_wildcard_origins_without_credentials_answer_with_a_wildcard() -> None:
    policy = Policy(allow_origins=["*"], allow_methods=["PUT"], max_age=None)
    status, headers = policy.preflight("null", "PUT")
    assert status == 204
    assert headers == [
        ("Access-Control-Allow-Origin", "*"),
        ("Access-Control-Allow-Methods", "PUT"),
        ("Access-Control-Allow-Headers", "Accept, Accept-Language, Content-Language, Content-Type"),
        ("Vary", VARY_PREFLIGHT),
    ]


def test_private_network_access_is_answered_only_when_opted_into() -> None:
    status, headers = build(allow_private_network=True).preflight(APP, "PUT", None, "true")
    assert status == 204
    assert names(headers)["Access-Control-Allow-Private-Network"] == "true"
    status, headers = build(allow_private_network=True).preflight(APP, "PUT")
    assert "Access-Control-Allow-Private-Network" not in names(headers)
    assert build().preflight(APP, "PUT", None, "true") == FAILED


def test_custom_success_status_and_omitted_max_age() -> None:
    status, headers = build(preflight_status=200, max_age=None).preflight(APP, "PUT")
    assert status == 200
    assert "Access-Control-Max-Age" not in names(headers)


def test_refusal_reasons_come_from_the_same_decision() -> None:
    policy = build()
    assert policy.preflight_refusal(APP, "PUT", "x-token") is None
    assert policy.preflight_refusal(OTHER, "PUT") == "origin"
    assert policy.preflight_refusal(APP, "DELETE") == "method"
    assert policy.preflight_refusal(APP, "PUT", "x-other") == "headers"
    assert policy.preflight_refusal(APP, "PUT", None, "true") == "private-network"


def test_a_refusal_names_every_failed_check_in_its_body() -> None:
    policy = build()
    answer = policy.preflight_answer(OTHER, "DELETE", "x-other", "true")
    assert answer.status == 403
    assert answer.headers == [("Vary", VARY_PREFLIGHT)]
    assert answer.refusals == ("origin", "method", "headers", "private-network")
    assert answer.body == "Disallowed CORS origin, method, headers, private-network"
    assert policy.preflight_answer(APP, "PUT").body == ""  # 204: no body
    assert build(preflight_status=200).preflight_answer(APP, "PUT").body == "OK"
    failure = build(preflight_failure_status=400).preflight_answer(APP, "DELETE")
    assert (failure.status, failure.body) == (400, "Disallowed CORS method")
    # RFC 9110 §15.3.6: a 205 has no content either.
    assert build(preflight_status=205).preflight_answer(APP, "PUT").body == ""
    raw = build(preflight_status=205).preflight_raw(APP.encode(), b"PUT", None, None)
    assert (raw[2], (b"content-length", b"0") in raw[1]) == (b"", True)


def test_hostile_lists_cost_bounded_work_on_every_path() -> None:
    patterns = build(allow_headers=[re.compile(r"X-C-.*")])
    assert patterns.preflight(APP, "PUT", ",".join(["x-c-a"] * 65)) == FAILED  # > 64 names
    assert patterns.preflight(APP, "PUT", "x-c-a x-evil") == FAILED  # one element, two words
    status, _ = patterns.preflight(APP, "PUT", ",".join(["x-c-a"] * 64))
    assert status == 204
    # The cap counts the separators the joined value has, as a WSGI server joins the lines.
    short = build(allow_headers=["x-a"])
    lines = ["x-a"] * 40
    assert short.preflight(APP, "PUT", lines) == short.preflight(APP, "PUT", ",".join(lines))


def test_only_ascii_names_match() -> None:
    # str.lower() maps the Kelvin sign to "k": "X-\u212aey" must not pass for X-Key.
    policy = build(allow_headers=["X-Key"], echo_request_headers=True)
    assert policy.preflight(APP, "PUT", "x-\u212aey") == FAILED


def test_the_asgi_entry_points_decide_the_same_in_bytes() -> None:
    policy = build(allow_origins=[APP, "https://*.example.org"])
    for origin in (APP, "https://a.example.org", OTHER):
        raw = policy.actual_raw(origin.encode())
        assert [(n.decode(), v.decode()) for n, v in raw] == [
            (n.lower(), v) for n, v in policy.actual(origin)
        ]
        for requested in (None, "x-token", "x-other"):
            status, headers = policy.preflight(origin, "PUT", requested)
            raw_status, raw_headers, raw_body = policy.preflight_raw(
                origin.encode(), b"PUT", None if requested is None else [requested.encode()], None
            )
            assert raw_status == status
            body = policy.preflight_answer(origin, "PUT", requested).body
            assert raw_body == body.encode()
            # The raw list is ready to send: the body's framing comes with it.
            framing = [("content-length", str(len(body))), ("content-type", TEXT)] if body else []
            assert [(n.decode(), v.decode()) for n, v in raw_headers] == [
                (n.lower(), v) for n, v in headers
            ] + framing


# -- Classification and Vary -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "headers", "expected"),
    [
        ("OPTIONS", {"Origin": APP, "Access-Control-Request-Method": "PUT"}, True),
        ("OPTIONS", [("origin", APP), ("access-control-request-method", "PUT")], True),
        ("OPTIONS", {"Origin": APP}, False),
        ("OPTIONS", {"Access-Control-Request-Method": "PUT"}, False),
        ("GET", {"Origin": APP, "Access-Control-Request-Method": "PUT"}, False),
        ("options", {"Origin": APP, "Access-Control-Request-Method": "PUT"}, False),
    ],
)
def test_is_preflight(method: str, headers: Any, expected: bool) -> None:
    assert Policy.is_preflight(method, headers) is expected


@pytest.mark.parametrize(
    ("existing", "merged"),
    [
        ([], "Origin"),
        (["Accept-Encoding"], "Accept-Encoding, Origin"),
        (["Accept-Encoding", "Cookie"], "Accept-Encoding, Cookie, Origin"),
        (["accept-encoding, origin"], "accept-encoding, origin"),
        (["ORIGIN"], "ORIGIN"),
        (["*"], "*"),
        ([" ", "Accept"], "Accept, Origin"),
        (["Origin-Agent"], "Origin-Agent, Origin"),
    ],
)
def test_merge_vary(existing: list[str], merged: str) -> None:
    assert merge_vary(existing) == merged
