"""The engine's behaviour beyond the recorded scenarios: the step-by-step API, the trace,
the preflight cache across fetches, redirect limits, Local Network Access."""

from __future__ import annotations

import re

import pytest

from crossorigin.engine import (
    EngineInputError,
    Fetch,
    FetchRequest,
    HttpRequest,
    HttpResponse,
    PreflightCache,
    parse_max_age,
    run,
)
from crossorigin.errors import CorsError

PAGE = "https://app.example"
API = "https://api.example/items"
ALLOW = (("Access-Control-Allow-Origin", PAGE),)


def _server(
    preflight: tuple[tuple[str, str], ...],
    response: tuple[tuple[str, str], ...] = ALLOW,
    status: int = 200,
):
    def respond(request: HttpRequest) -> HttpResponse:
        if request.is_preflight:
            return HttpResponse(204, preflight)
        return HttpResponse(status, response)

    return respond


def test_stepwise_preflight_then_actual_request() -> None:
    fetch = Fetch(
        FetchRequest(PAGE, API, "put", (("X-B", "1"), ("x-a", "2")), credentials="include")
    )
    preflight = fetch.next_request()
    assert preflight is not None and preflight.is_preflight
    assert preflight.method == "OPTIONS" and preflight.url == API
    assert preflight.header("Access-Control-Request-Method") == "PUT"  # normalized
    assert preflight.header("Access-Control-Request-Headers") == "x-a,x-b"
    assert preflight.header("Origin") == PAGE
    assert not preflight.with_credentials  # a preflight never carries cookies
    fetch.receive(
        HttpResponse(
            204,
            (
                *ALLOW,
                ("Access-Control-Allow-Credentials", "true"),
                ("Access-Control-Allow-Methods", "PUT"),
                ("Access-Control-Allow-Headers", "X-A, X-B"),
            ),
        )
    )
    actual = fetch.next_request()
    assert actual is not None and not actual.is_preflight
    assert actual.method == "PUT" and actual.with_credentials
    assert actual.header("x-b") == "1" and actual.header("Origin") == PAGE
    fetch.receive(HttpResponse(200, (*ALLOW, ("Access-Control-Allow-Credentials", "true"))))
    assert fetch.next_request() is None
    result = fetch.result
    assert result.outcome == "allowed" and result.status_visible == 200
    assert [e.kind for e in result.exchanges] == ["preflight", "actual"]


def test_receive_without_a_pending_request_is_an_error() -> None:
    fetch = Fetch(FetchRequest(PAGE, API, "CONNECT"))
    assert fetch.next_request() is None
    with pytest.raises(RuntimeError):
        fetch.receive(HttpResponse(200))


def test_failing_check_names_header_value_and_error() -> None:
    result = run(
        FetchRequest(PAGE, API, headers=(("Authorization", "Bearer t"),), credentials="include"),
        _server(
            (
                *ALLOW,
                ("Access-Control-Allow-Credentials", "true"),
                ("Access-Control-Allow-Headers", "*"),
            )
        ),
    )
    assert result.error is CorsError.kHeaderDisallowedByPreflightResponse
    failed = result.failed_check
    assert failed is not None
    assert failed.header == "Access-Control-Allow-Headers" and failed.value == "*"
    assert failed.expected == "authorization"
    explanation = result.explanation()
    assert (
        "authorization" in explanation.cause and "Access-Control-Allow-Headers" in explanation.fix
    )
    assert result.console is not None and result.console.endswith(
        "Request header field authorization is not allowed by Access-Control-Allow-Headers in "
        "preflight response."
    )


def test_preflight_cache_serves_the_next_fetch_until_max_age() -> None:
    cache = PreflightCache()
    server = _server(
        (*ALLOW, ("Access-Control-Allow-Methods", "PUT"), ("Access-Control-Max-Age", "60"))
    )
    request = FetchRequest(PAGE, API, "PUT")
    assert run(request, server, cache=cache, now=0).preflight_sent
    assert not run(request, server, cache=cache, now=59).preflight_sent
    assert run(request, server, cache=cache, now=61).preflight_sent


def test_cached_wildcard_does_not_cover_authorization_but_a_new_preflight_passes() -> None:
    cache = PreflightCache()
    server = _server(
        (*ALLOW, ("Access-Control-Allow-Headers", "*"), ("Access-Control-Max-Age", "600"))
    )
    run(FetchRequest(PAGE, API, headers=(("X-A", "1"),)), server, cache=cache)
    covered = run(FetchRequest(PAGE, API, headers=(("X-A", "2"),)), server, cache=cache, now=1)
    assert not covered.preflight_sent
    with_auth = run(
        FetchRequest(PAGE, API, headers=(("Authorization", "t"),)), server, cache=cache, now=2
    )
    assert with_auth.preflight_sent and with_auth.outcome == "allowed"


def test_uncredentialed_cache_entry_never_serves_a_credentialed_request() -> None:
    cache = PreflightCache()
    server = _server(
        (
            *ALLOW,
            ("Access-Control-Allow-Credentials", "true"),
            ("Access-Control-Allow-Methods", "PUT"),
            ("Access-Control-Max-Age", "600"),
        ),
        (*ALLOW, ("Access-Control-Allow-Credentials", "true")),
    )
    run(FetchRequest(PAGE, API, "PUT", credentials="omit"), server, cache=cache)
    assert run(
        FetchRequest(PAGE, API, "PUT", credentials="include"), server, cache=cache, now=1
    ).preflight_sent


@pytest.mark.parametrize(
    ("value", "browser", "seconds"),
    [
        (None, "chromium", 5),
        ("abc", "chromium", 5),
        ("-1", "chromium", 0),
        ("86400", "chromium", 7200),
        ("86400", "safari", 600),
        ("86400", "firefox", 86400),
        ("+5", "firefox", None),
        ("0", "firefox", None),
        ("600", "chromium", 600),
    ],
)
def test_max_age_parsing_per_browser(
    value: str | None, browser: str, seconds: float | None
) -> None:
    assert parse_max_age(value, browser) == seconds


def _redirect_chain(length: int):
    def respond(request: HttpRequest) -> HttpResponse:
        hop = int(request.url.rsplit("/", 1)[1] or 0)
        if hop < length:
            return HttpResponse(302, (*ALLOW, ("Location", f"/{hop + 1}")))
        return HttpResponse(200, ALLOW)

    return respond


def test_twenty_redirects_are_followed_the_twenty_first_fails() -> None:
    assert (
        run(FetchRequest(PAGE, "https://api.example/0"), _redirect_chain(20)).outcome == "allowed"
    )
    result = run(FetchRequest(PAGE, "https://api.example/0"), _redirect_chain(21))
    assert result.outcome == "blocked" and result.error is None
    assert result.network_error == "net::ERR_TOO_MANY_REDIRECTS"


def test_cross_origin_redirect_taints_the_origin_and_drops_authorization() -> None:
    seen: list[HttpRequest] = []

    def respond(request: HttpRequest) -> HttpResponse:
        seen.append(request)
        if request.url == API:
            if request.is_preflight:
                return HttpResponse(
                    204, (*ALLOW, ("Access-Control-Allow-Headers", "authorization"))
                )
            return HttpResponse(307, (*ALLOW, ("Location", "https://cdn.example/x")))
        return HttpResponse(200, (("Access-Control-Allow-Origin", "*"),))

    result = run(FetchRequest(PAGE, API, headers=(("Authorization", "t"),)), respond)
    assert result.outcome == "allowed"
    final = seen[-1]
    assert final.url == "https://cdn.example/x" and final.header("Origin") == "null"
    assert final.header("Authorization") is None
    assert result.url_list == (API, "https://cdn.example/x")


def test_opaque_page_origin_sends_null() -> None:
    result = run(FetchRequest("null", API), _server((), (("Access-Control-Allow-Origin", "null"),)))
    assert result.outcome == "allowed"
    assert result.exchanges[0].request.header("Origin") == "null"


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        (FetchRequest(PAGE, API, "TRACE"), "'TRACE' HTTP method is unsupported."),
        (FetchRequest(PAGE, API, "PUT", mode="no-cors"), "'PUT' is unsupported in no-cors mode."),
        (
            FetchRequest(PAGE, API, "GET", body="x"),
            "Request with GET/HEAD method cannot have body.",
        ),
        (FetchRequest(PAGE, "https://u:p@api.example/"), "includes credentials"),
        (FetchRequest(PAGE, "http://[::1"), "Failed to parse URL"),
        (FetchRequest(PAGE, API, headers=(("Bad Name", "1"),)), "Invalid name"),
        (FetchRequest(PAGE, API, "GE T"), "is not a valid HTTP method"),
    ],
)
def test_fetch_type_errors_send_nothing(request_: FetchRequest, message: str) -> None:
    result = run(request_, _server(()))
    assert result.error_name == "TypeError" and not result.exchanges
    assert result.type_error is not None and message in result.type_error


def test_bad_engine_input_names_the_value() -> None:
    with pytest.raises(EngineInputError, match=re.escape("'https://app.example/'")):
        Fetch(FetchRequest("https://app.example/", API))
    with pytest.raises(EngineInputError, match="'navigate'"):
        Fetch(FetchRequest(PAGE, API, mode="navigate"))  # type: ignore[arg-type]


def test_local_network_access_from_public_pages() -> None:
    local = "http://192.168.1.10/api"
    insecure = run(
        FetchRequest("http://93.184.216.34", local),
        _server((), (("Access-Control-Allow-Origin", "*"),)),
    )
    assert insecure.error is CorsError.kInsecureLocalNetwork
    assert insecure.console is not None and "address space `local`" in insecure.console
    secure = FetchRequest(
        "https://app.example",
        local,
        client_address_space="public",
        local_network_permission="denied",
    )
    assert run(secure, _server(())).error is CorsError.kLocalNetworkAccessPermissionDenied
    mismatch = FetchRequest(PAGE, "http://127.0.0.1:9000/", target_address_space="local")
    assert run(mismatch, _server(())).error is CorsError.kInvalidLocalNetworkAccess


def test_private_network_access_preflight_in_the_pna_era() -> None:
    request = FetchRequest(
        "https://app.example", "https://10.0.0.5/x", client_address_space="public"
    )
    server = _server(
        (("Access-Control-Allow-Origin", "https://app.example"),),
        (("Access-Control-Allow-Origin", "https://app.example"),),
    )
    result = run(request, server, network_access="pna")
    assert result.preflight_sent
    assert result.exchanges[0].request.header("Access-Control-Request-Private-Network") == "true"
    assert result.error is CorsError.kPreflightMissingAllowPrivateNetwork
