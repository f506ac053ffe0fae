"""Mixed content in the engine, as tests/browser/test_mixed_content.py recorded Chromium 156."""

from __future__ import annotations

import pytest

from crossorigin.engine import FetchRequest, FetchResult, HttpRequest, HttpResponse, run
from crossorigin.engine.mixed_content import MIXED_CONTENT_BLOCKED, mixed_content_console_message

PAGE = "https://app.example.com"
API = "http://api.example.com/v1/me"
ALLOW = (("Access-Control-Allow-Origin", PAGE),)


def _respond(request: HttpRequest) -> HttpResponse:
    if request.url.startswith("https://app.example.com/go"):
        return HttpResponse(307, (("Location", API), *ALLOW))
    return HttpResponse(200, ALLOW)


def _fetch(url: str = API, page: str = PAGE, **init: object) -> FetchResult:
    return run(FetchRequest(page, url, **init), _respond)  # type: ignore[arg-type]


def _mixed_check(result: FetchResult) -> bool | None:
    checks = [c for c in result.checks if c.name == "mixed-content"]
    return checks[0].passed if checks else None


def test_an_https_page_calling_an_http_api_is_blocked_before_sending() -> None:
    result = _fetch()
    assert (result.outcome, result.error, result.type_error) == ("blocked", None, None)
    assert result.network_error == MIXED_CONTENT_BLOCKED
    assert result.exchanges == ()
    assert result.console == (
        "Mixed Content: The page at 'https://app.example.com/' was loaded over HTTPS, but "
        "requested an insecure resource 'http://api.example.com/v1/me'. This request has been "
        "blocked; the content must be served over HTTPS."
    )
    assert _mixed_check(result) is False
    explanation = result.explanation()
    assert explanation.summary.startswith("Blocked as mixed content, not by CORS")
    assert "Serve the API over https" in explanation.fix
    assert "proxy" in explanation.fix


@pytest.mark.parametrize(
    "init",
    [
        {"method": "PUT", "headers": (("X-A", "1"),)},
        {"mode": "no-cors"},
        {"method": "POST", "body": "x", "credentials": "include"},
    ],
    ids=["preflighted", "no-cors", "credentialed-post"],
)
def test_neither_preflight_nor_no_cors_gets_past_it(init: dict[str, object]) -> None:
    result = _fetch(**init)
    assert result.network_error == MIXED_CONTENT_BLOCKED
    assert not result.preflight_sent and not result.actual_request_sent


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/x",
        "http://127.9.9.9/x",
        "http://[::1]:8000/x",
        "http://localhost:8000/x",
        "http://api.localhost/x",
        "https://api.example.com/x",
    ],
)
def test_potentially_trustworthy_urls_are_not_mixed_content(url: str) -> None:
    result = _fetch(url)
    assert result.network_error != MIXED_CONTENT_BLOCKED
    assert result.actual_request_sent
    assert _mixed_check(result) is None


@pytest.mark.parametrize("page", ["http://app.example.com", "http://localhost:3000", "null"])
def test_only_https_pages_restrict_mixed_content(page: str) -> None:
    # http://localhost is a secure context but does not restrict mixed content; an opaque
    # page's precursor origin is unknown to the engine, so it is not judged.
    assert _fetch(page=page).network_error != MIXED_CONTENT_BLOCKED


def test_a_redirect_hop_to_http_is_blocked_after_the_https_hop() -> None:
    result = _fetch("https://app.example.com/go")
    assert result.network_error == MIXED_CONTENT_BLOCKED
    assert [e.request.url for e in result.exchanges] == ["https://app.example.com/go"]
    assert result.console is not None and f"insecure resource '{API}'" in result.console
    (check,) = [c for c in result.checks if c.name == "mixed-content"]
    assert (check.passed, check.stage) == (False, "redirect")


@pytest.mark.parametrize("target", ["local", "private", "loopback"])
def test_target_address_space_lifts_it_with_a_warning(target: str) -> None:
    result = _fetch(target_address_space=target)
    assert result.network_error != MIXED_CONTENT_BLOCKED
    assert result.outcome == "allowed"
    (check,) = [c for c in result.checks if c.name == "mixed-content"]
    assert check.passed
    assert check.value == mixed_content_console_message(PAGE + "/", API, blocked=False)
    assert check.value.endswith("This content should also be served over HTTPS.")


@pytest.mark.parametrize("target", ["public", "unknown"])
def test_other_target_address_spaces_do_not(target: str) -> None:
    assert _fetch(target_address_space=target).network_error == MIXED_CONTENT_BLOCKED


def test_lifted_requests_go_on_to_local_network_access() -> None:
    denied = _fetch(
        target_address_space="loopback",
        client_address_space="public",
        resource_address_space="loopback",
        local_network_permission="prompt",
    )
    assert denied.error_name == "kLocalNetworkAccessPermissionDenied"
    mismatch = _fetch(target_address_space="local", resource_address_space="loopback")
    assert mismatch.error_name == "kInvalidLocalNetworkAccess"


def test_a_local_ip_literal_is_let_through_for_local_network_access() -> None:
    result = _fetch("http://192.168.1.20/x", client_address_space="public")
    assert _mixed_check(result) is True
    assert result.outcome == "allowed"  # the permission is granted by default
    public_ip = _fetch("http://203.0.113.9/x")
    assert public_ip.network_error == MIXED_CONTENT_BLOCKED


def test_the_older_private_network_access_model_has_no_exemption() -> None:
    request = FetchRequest(PAGE, API, target_address_space="loopback")
    result = run(request, _respond, network_access="pna")
    assert result.network_error == MIXED_CONTENT_BLOCKED


def test_mode_same_origin_comes_first_and_a_bad_port_after() -> None:
    same_origin = _fetch(mode="same-origin")
    assert same_origin.error_name == "kDisallowedByMode"
    bad_port = _fetch("http://api.example.com:6000/x")
    assert bad_port.network_error == MIXED_CONTENT_BLOCKED
    same_origin_bad_port = _fetch("http://127.0.0.1:6000/x", mode="same-origin")
    assert same_origin_bad_port.error_name == "kDisallowedByMode"
    assert _fetch("http://127.0.0.1:6000/x").network_error == "net::ERR_UNSAFE_PORT"


def test_xhr_and_long_urls_in_the_console_line() -> None:
    xhr = _fetch(initiator="XMLHttpRequest")
    assert xhr.console is not None
    assert f"requested an insecure XMLHttpRequest endpoint '{API}'" in xhr.console
    long_url = API + "?q=" + "x" * 1500
    console = _fetch(long_url).console
    assert console is not None
    shown = console.split("insecure resource '")[1].split("'. ")[0]
    assert shown == long_url[:511] + "..." + long_url[-510:]
    assert len(shown) == 1024


def test_callers_can_judge_cors_alone() -> None:
    result = _fetch(check_mixed_content=False)
    assert result.outcome == "allowed"
    assert _mixed_check(result) is None
