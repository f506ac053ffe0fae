"""``crossorigin har``: recorded Chromium HARs, pairing, sanitized and Firefox-style input,
malformed input, and a live recording checked against what Chromium reported over DevTools."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from crossorigin.cli import main
from crossorigin.doctor.har import HarError, analyse_har, find_cross_origin, parse_har
from tests.doctor.har_recorder import FIXTURES, sanitize

HAR_FILES = sorted(FIXTURES.glob("*.har"))
PAGE = "https://app.example.com"
API = "https://api.example.com"


def _truth(path: Path) -> dict[str, Any]:
    return json.loads(path.with_suffix(".cdp.json").read_text())


# -- recorded by real Chromium (tests/doctor/har_recorder.py) ------------------------------------


def test_every_recorded_case_is_here() -> None:
    names = {path.stem for path in HAR_FILES}
    assert {
        "allowed-simple",
        "allowed-preflight",
        "error-400-without-cors",
        "wildcard-with-credentials",
        "wildcard-with-credentials-sanitized",
        "preflight-404",
        "header-disallowed",
        "method-disallowed",
        "redirect-without-cors",
        "page-session",
    } <= names


@pytest.mark.parametrize("path", HAR_FILES, ids=[p.stem for p in HAR_FILES])
def test_recovers_the_error_chromium_reported(path: Path) -> None:
    """From the HAR alone, the CorsError Chromium gave in Network.loadingFailed and the exact
    console line it printed, for every cross-origin call of the page."""
    truth = _truth(path)
    analysis = analyse_har(json.loads(path.read_text()))
    # The page's own document and same-origin calls are not cross-origin requests.
    assert [(r.fetch.method, r.fetch.url) for r in analysis.requests] == [
        (call["method"], call["url"]) for call in truth["requests"]
    ]
    for item, call in zip(analysis.requests, truth["requests"], strict=True):
        assert item.fetch.page_origin == truth["page_origin"]
        assert item.result.error_name == call["cors_error"], call["url"]
        assert item.agrees is True
        assert item.diagnosis.console == call["console"]
        if call["cors_error"] is None:
            assert item.result.outcome == "allowed"
        else:
            assert item.recorded == "blocked"
            if call["failed_parameter"]:
                assert call["failed_parameter"] in (item.diagnosis.console or "")


def test_a_page_session_pairs_many_entries() -> None:
    """A real page's HAR: the second PUT's preflight came from Chromium's preflight cache (no
    entry), the XMLHttpRequest is worded as such, the same-origin POST is left out."""
    har = json.loads((FIXTURES / "page-session.har").read_text())
    analysis = analyse_har(har)
    first, second, xhr, broken = analysis.requests
    assert first.result.preflight_sent and len(first.request.preflights) == 1
    assert not second.result.preflight_sent and second.request.preflights == ()
    assert not any("preflight cache" in caveat for caveat in second.caveats)
    assert xhr.fetch.initiator == "XMLHttpRequest"
    assert (xhr.diagnosis.console or "").startswith("Access to XMLHttpRequest at ")
    assert broken.result.error_name == "kMissingAllowOriginHeader"
    assert "express" in broken.diagnosis.stacks_shown


def test_the_400_is_a_cors_failure_not_just_a_400() -> None:
    har = json.loads((FIXTURES / "error-400-without-cors.har").read_text())
    (item,) = analyse_har(har).requests
    assert item.result.error_name == "kMissingAllowOriginHeader"
    assert item.diagnosis.non_browser is not None
    assert "400 Bad Request" in item.diagnosis.non_browser
    assert "withheld" in item.diagnosis.non_browser
    # The fix is for the stack the recorded response gives away (Server: nginx).
    assert "nginx" in item.diagnosis.stacks_shown


def test_failed_preflight_says_the_actual_request_was_never_sent() -> None:
    har = json.loads((FIXTURES / "preflight-404.har").read_text())
    (item,) = analyse_har(har).requests
    assert item.result.error_name == "kPreflightInvalidStatus"
    assert item.request.last.status == 0
    assert any("never sent" in caveat for caveat in item.caveats)
    assert "aspnet-core" in item.diagnosis.stacks_shown  # Server: Kestrel


def test_sanitized_copy_infers_credentials_and_says_so() -> None:
    full = json.loads((FIXTURES / "wildcard-with-credentials.har").read_text())
    sanitized = json.loads((FIXTURES / "wildcard-with-credentials-sanitized.har").read_text())
    (with_cookie,) = analyse_har(full).requests
    assert with_cookie.fetch.credentials == "include"
    assert not with_cookie.credentials_inferred
    analysis = analyse_har(sanitized)
    (item,) = analysis.requests
    assert item.fetch.credentials == "include"
    assert item.credentials_inferred
    assert "only credentials: 'include' reproduces" in item.credentials_evidence
    assert item.result.error_name == "kWildcardOriginNotAllowed"
    assert any("sanitized" in note for note in analysis.notes)


# -- synthetic HARs: pairing and what real exports do ---------------------------------------------


def _headers(pairs: dict[str, str]) -> list[dict[str, str]]:
    return [{"name": name, "value": value} for name, value in pairs.items()]


def _entry(  # noqa: PLR0917 - mirrors a HAR entry's fields, in order
    method: str,
    url: str,
    request_headers: dict[str, str],
    status: int,
    response_headers: dict[str, str],
    started: str,
    **extra: Any,
) -> dict[str, Any]:
    error = extra.pop("error", "absent")
    entry: dict[str, Any] = {
        "startedDateTime": started,
        "time": 3,
        "request": {"method": method, "url": url, "headers": _headers(request_headers)},
        "response": {
            "status": status,
            "statusText": "",
            "httpVersion": "h2",
            "headers": _headers(response_headers),
        },
    }
    if error != "absent":
        entry["response"]["_error"] = error
    entry.update(extra)
    return entry


def _har(*entries: dict[str, Any], creator: str = "WebInspector") -> dict[str, Any]:
    return {"log": {"version": "1.2", "creator": {"name": creator}, "entries": list(entries)}}


def _chrome_put(started_actual: str, started_preflight: str, acam: str) -> list[dict[str, Any]]:
    url = f"{API}/v1/items/1"
    actual = _entry(
        "PUT",
        url,
        {"Content-Type": "application/json", "Origin": PAGE},
        200 if acam == "PUT" else 0,
        {"access-control-allow-origin": PAGE} if acam == "PUT" else {},
        started_actual,
        error=None if acam == "PUT" else "net::ERR_FAILED",
        _resourceType="fetch",
        _initiator={"type": "script"},
    )
    preflight = _entry(
        "OPTIONS",
        url,
        {
            "Access-Control-Request-Method": "PUT",
            "Access-Control-Request-Headers": "content-type",
            "Origin": PAGE,
        },
        204,
        {
            "access-control-allow-origin": PAGE,
            "access-control-allow-methods": acam,
            "access-control-allow-headers": "content-type",
        },
        started_preflight,
        error=None,
        _resourceType="preflight",
        _initiator={"type": "preflight", "url": url, "requestId": "1.2"},
    )
    return [actual, preflight]


def test_preflights_pair_with_the_nearest_request_for_their_url() -> None:
    # Two PUTs to one URL: the first preflight refuses PUT, the second allows it; the
    # preflight entries follow their requests in the file, as Chrome writes them.
    first = _chrome_put("2026-01-01T10:00:00.000Z", "2026-01-01T10:00:00.001Z", "GET")
    second = _chrome_put("2026-01-01T10:00:09.000Z", "2026-01-01T10:00:09.002Z", "PUT")
    log = parse_har(_har(*first, *second))
    requests = find_cross_origin(log)
    assert [[p.index for p in r.preflights] for r in requests] == [[1], [3]]
    analysis = analyse_har(_har(*first, *second))
    assert [r.result.error_name for r in analysis.requests] == [
        "kMethodDisallowedByPreflightResponse",
        None,
    ]
    assert all(r.agrees for r in analysis.requests)


def test_entries_out_of_order_are_sorted_and_said_so() -> None:
    later, earlier = _chrome_put("2026-01-01T10:00:05.000Z", "2026-01-01T10:00:05.001Z", "PUT")
    analysis = analyse_har(
        _har(
            earlier, later, *_chrome_put("2026-01-01T10:00:00Z", "2026-01-01T10:00:00.001Z", "PUT")
        )
    )
    assert any("not in time order" in note for note in analysis.notes)
    assert [r.request.indexes for r in analysis.requests] == [[2, 3], [0, 1]]


def test_a_cached_preflight_is_not_in_the_har_and_is_not_needed() -> None:
    # Chromium keeps a passed preflight 5 s (no Access-Control-Max-Age): the second PUT
    # goes without one, and the HAR has none.
    first = _chrome_put("2026-01-01T10:00:00.000Z", "2026-01-01T10:00:00.001Z", "PUT")
    second = _chrome_put("2026-01-01T10:00:01.000Z", "2026-01-01T10:00:01.001Z", "PUT")[0]
    analysis = analyse_har(_har(*first, second))
    assert [r.result.outcome for r in analysis.requests] == ["allowed", "allowed"]
    assert analysis.requests[1].result.preflight_sent is False
    assert not any("preflight cache" in c for c in analysis.requests[1].caveats)


def test_a_preflight_missing_from_the_har_is_assumed_and_said_so() -> None:
    (actual, _) = _chrome_put("2026-01-01T10:00:00.000Z", "2026-01-01T10:00:00.001Z", "PUT")
    (item,) = analyse_har(_har(actual)).requests
    assert item.result.outcome == "allowed"
    assert any("preflight cache" in caveat for caveat in item.caveats)


def test_firefox_style_har_lowercase_http2_and_no_initiator() -> None:
    # Firefox: no _initiator, no _resourceType, no _error; HTTP/2 lower-case names and
    # pseudo-headers; the Authorization header the preflight asked for was removed.
    url = f"{API}/v1/me"
    preflight = _entry(
        "OPTIONS",
        url,
        {
            ":authority": "api.example.com",
            ":method": "OPTIONS",
            "origin": PAGE,
            "access-control-request-method": "GET",
            "access-control-request-headers": "authorization",
        },
        200,
        {"access-control-allow-origin": PAGE, "access-control-allow-headers": "x-other"},
        "2026-01-01T10:00:00.000+01:00",
    )
    actual = _entry(
        "GET",
        url,
        {":authority": "api.example.com", "origin": PAGE},
        0,
        {},
        "2026-01-01T10:00:00.050+01:00",
    )
    analysis = analyse_har(_har(preflight, actual, creator="Firefox"))
    (item,) = analysis.requests
    assert item.request.preflights[0].index == 0
    assert item.fetch.headers == (("authorization", "(value not in the HAR)"),)
    assert item.result.error_name == "kHeaderDisallowedByPreflightResponse"
    assert item.recorded == "unknown" and item.agrees is None
    assert any("pseudo-headers" in note for note in analysis.notes)
    assert any("Firefox" in note for note in analysis.notes)
    assert any("does not carry it" in caveat for caveat in item.caveats)


def test_a_response_from_cache_is_said_so() -> None:
    entry = _entry(
        "GET",
        f"{API}/logo.json",
        {"Origin": PAGE},
        200,
        {"Access-Control-Allow-Origin": "https://other.example.com"},
        "2026-01-01T10:00:00Z",
        error="net::ERR_FAILED",
        _fromCache="disk",
    )
    (item,) = analyse_har(_har(entry)).requests
    assert item.result.error_name == "kAllowOriginMismatch"
    assert any("disk cache" in caveat for caveat in item.caveats)


def test_same_origin_and_origin_filter() -> None:
    same = _entry("POST", f"{PAGE}/api", {"Origin": PAGE}, 200, {}, "2026-01-01T10:00:00Z")
    other = _entry(
        "GET",
        f"{API}/x",
        {"Origin": "https://admin.example.com"},
        200,
        {"Access-Control-Allow-Origin": "https://admin.example.com"},
        "2026-01-01T10:00:01Z",
    )
    assert [r.fetch.page_origin for r in analyse_har(_har(same, other)).requests] == [
        "https://admin.example.com"
    ]
    assert analyse_har(_har(same, other), origin=PAGE).requests == ()


# -- malformed input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "named"),
    [
        ([1, 2], "JSON list"),
        ({"entries": []}, 'no "log"'),
        ({"log": {"entries": {}}}, "log.entries"),
        ({"log": {"entries": [{"request": {"method": "GET"}}]}}, "log.entries[0].request"),
        ({"log": {"entries": ["x"]}}, "log.entries[0] is str"),
        (
            {"log": {"entries": [{"request": {"method": "GET", "url": "u", "headers": "h"}}]}},
            "log.entries[0].request.headers",
        ),
        (
            {
                "log": {
                    "entries": [
                        {"request": {"method": "GET", "url": "u"}, "response": {"status": "ok"}}
                    ]
                }
            },
            "'ok'",
        ),
    ],
)
def test_not_a_har_names_the_problem(data: object, named: str) -> None:
    with pytest.raises(HarError) as caught:
        parse_har(data)
    assert named in str(caught.value)


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(["har", *args])
    out = capsys.readouterr()
    return status, out.out, out.err


def test_cli_exit_status_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = _cli(capsys, str(FIXTURES / "allowed-simple.har"), "--json")
    assert status == 0
    data = json.loads(out)
    assert data["error"] is None and data["blocked"] == 0 and data["cross_origin"] == 1
    status, out, _ = _cli(capsys, str(FIXTURES / "error-400-without-cors.har"), "--json")
    assert status == 1
    (request,) = json.loads(out)["requests"]
    assert request["error"] == "kMissingAllowOriginHeader"
    assert request["recorded"] == {"outcome": "blocked", "status": 400, "error": "net::ERR_FAILED"}
    assert request["agrees_with_recording"] is True
    assert request["credentials"]["inferred"] is True


def test_cli_human_output(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = _cli(capsys, str(FIXTURES / "method-disallowed.har"))
    assert status == 1
    assert "kMethodDisallowedByPreflightResponse" in out
    assert "Method PATCH is not allowed by Access-Control-Allow-Methods" in out
    assert "Cause:" in out and "Fix:" in out
    assert "1 blocked by CORS" in out
    status, out, _ = _cli(capsys, str(FIXTURES / "allowed-simple.har"))
    assert status == 0 and "--all shows them" in out
    status, out, _ = _cli(capsys, str(FIXTURES / "allowed-simple.har"), "--all")
    assert "ALLOWED" in out


def test_cli_no_cross_origin_requests(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "same.har"
    path.write_text(
        json.dumps(_har(_entry("GET", f"{PAGE}/", {}, 200, {}, "2026-01-01T10:00:00Z")))
    )
    status, out, _ = _cli(capsys, str(path), "--json")
    assert status == 0
    data = json.loads(out)
    assert data["requests"] == [] and data["entries"] == 1 and data["error"] is None
    status, out, _ = _cli(capsys, str(path))
    assert status == 0 and "No cross-origin requests" in out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty"),
        (b"<html>", "is not JSON"),
        (b"\xff\xfe{", "not UTF-8"),
        (b'{"log": 3}', 'no "log" object'),
    ],
)
def test_cli_bad_input_is_one_line_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "in.har"
    path.write_bytes(content)
    status, out, err = _cli(capsys, str(path))
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and message in err
    status, out, err = _cli(capsys, str(path), "--json")
    assert status == 2
    assert message in json.loads(out)["error"]


def test_cli_missing_file_and_bad_origin(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = _cli(capsys, "/nonexistent/x.har")
    assert status == 2 and "no such file" in err
    status, _, err = _cli(capsys, str(FIXTURES / "allowed-simple.har"), "--origin", "app")
    assert status == 2 and "--origin 'app'" in err


# -- live: record fresh HARs with real Chromium ----------------------------------------------------


@pytest.mark.browser
def test_live_recordings_agree_with_chromium() -> None:
    """Fresh HARs (and their sanitized copies): the error and console line Chromium reported
    over DevTools, for every cross-origin call."""
    import asyncio

    from tests.doctor.har_recorder import record
    from tests.support.chromium import chromium_available

    reason = chromium_available()
    if reason is not None:
        pytest.skip(reason)
    recordings = asyncio.run(record())
    assert len(recordings) >= 9
    for recording in recordings:
        for har, label in ((recording.har, "full"), (sanitize(recording.har), "sanitized")):
            analysis = analyse_har(har)
            assert len(analysis.requests) == len(recording.calls), (recording.name, label)
            for item, call in zip(analysis.requests, recording.calls, strict=True):
                where = (recording.name, label, call.url)
                assert item.fetch.url == call.url, where
                assert item.result.error_name == call.cors_error, where
                assert item.agrees is True, where
                assert item.diagnosis.console == call.console, where


def test_credentials_caveat_only_when_the_verdict_depends_on_it() -> None:
    # No _error (Firefox): nothing recorded to decide; ACAO * is fine without credentials
    # and blocked with them, so the guess is stated with the other verdict.
    wildcard = _entry(
        "GET",
        f"{API}/me",
        {"Origin": PAGE},
        200,
        {"Access-Control-Allow-Origin": "*"},
        "2026-01-01T10:00:00Z",
    )
    (item,) = analyse_har(_har(wildcard, creator="Firefox")).requests
    assert item.result.outcome == "allowed"
    assert any("it would be kWildcardOriginNotAllowed" in c for c in item.caveats)
    exact = _entry(
        "GET",
        f"{API}/me",
        {"Origin": PAGE},
        200,
        {"Access-Control-Allow-Origin": PAGE, "Access-Control-Allow-Credentials": "true"},
        "2026-01-01T10:00:00Z",
    )
    (item,) = analyse_har(_har(exact, creator="Firefox")).requests
    assert item.credentials_inferred
    assert not any("Credentials mode" in c for c in item.caveats)


def test_origin_without_cors_is_left_out() -> None:
    """A form posted to another site, a WebSocket handshake and a no-cors request send Origin,
    but no CORS check applies to them."""
    form = _entry(
        "POST",
        f"{API}/login",
        {"Origin": PAGE, "Sec-Fetch-Mode": "navigate"},
        302,
        {},
        "2026-01-01T10:00:00Z",
        _resourceType="document",
    )
    socket = _entry(
        "GET",
        "wss://api.example.com/live",
        {"Origin": PAGE},
        101,
        {},
        "2026-01-01T10:00:01Z",
        _resourceType="websocket",
    )
    beacon = _entry(
        "POST",
        f"{API}/beacon",
        {"Origin": PAGE},
        204,
        {},
        "2026-01-01T10:00:02Z",
        _resourceType="ping",
    )
    no_cors = _entry(
        "POST",
        f"{API}/collect",
        {"Origin": PAGE, "sec-fetch-mode": "no-cors"},
        200,
        {},
        "2026-01-01T10:00:03Z",
        _resourceType="fetch",
    )
    cors = _entry(
        "GET",
        f"{API}/data",
        {"Origin": PAGE, "Sec-Fetch-Mode": "cors"},
        200,
        {},
        "2026-01-01T10:00:04Z",
        _resourceType="fetch",
        error="net::ERR_FAILED",
    )
    analysis = analyse_har(_har(form, socket, beacon, no_cors, cors))
    assert [r.fetch.url for r in analysis.requests] == [f"{API}/data"]
    assert analysis.requests[0].result.error_name == "kMissingAllowOriginHeader"


def test_cli_origin_filter_names_the_other_origins(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(FIXTURES / "error-400-without-cors.har")
    status, out, _ = _cli(capsys, path, "--origin", "https://elsewhere.example", "--json")
    data = json.loads(out)
    assert status == 0 and data["requests"] == []
    assert data["other_page_origins"] == [
        _truth(FIXTURES / "error-400-without-cors.har")["page_origin"]
    ]
    status, out, _ = _cli(capsys, path, "--origin", "https://elsewhere.example")
    assert "No cross-origin requests from that origin" in out and "--origin chooses" in out


def test_a_failure_that_is_not_cors_is_said_so() -> None:
    entry = _entry(
        "GET",
        f"{API}/ads.js",
        {"Origin": PAGE},
        0,
        {},
        "2026-01-01T10:00:00Z",
        error="net::ERR_BLOCKED_BY_CLIENT",
        _resourceType="fetch",
    )
    (item,) = analyse_har(_har(entry)).requests
    assert item.recorded == "failed" and item.agrees is None
    assert any("ERR_BLOCKED_BY_CLIENT: not a CORS error (an extension" in c for c in item.caveats)
    assert item.result.error_name is None  # no response: a network error, not a CorsError


def test_a_preflight_alone_is_diagnosed_from_its_own_headers() -> None:
    """An export that kept the preflight but not its request (or a filtered one): the
    page's call is rebuilt from Access-Control-Request-Method and -Headers."""
    preflight = _entry(
        "OPTIONS",
        f"{API}/v1/orders",
        {
            "Origin": PAGE,
            "Access-Control-Request-Method": "DELETE",
            "Access-Control-Request-Headers": "x-csrf-token",
        },
        403,
        {"Server": "nginx"},
        "2026-01-01T10:00:00Z",
        error=None,
        _resourceType="preflight",
        _initiator={"type": "preflight", "url": f"{API}/v1/orders"},
    )
    (item,) = analyse_har(_har(preflight)).requests
    assert item.request.hops == ()
    assert item.fetch.method == "DELETE"
    assert item.fetch.headers == (("x-csrf-token", "(value not in the HAR)"),)
    assert item.result.error_name == "kPreflightMissingAllowOriginHeader"
    assert item.recorded == "unknown"
    assert any("no entry for the request this preflight" in c for c in item.caveats)


# -- review fixes ------------------------------------------------------------------------------


def _write(tmp_path: Path, har: dict[str, Any], name: str = "in.har") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(har))
    return str(path)


def test_cli_prints_har_strings_literally_not_as_markup(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    url = f"{API}/x?q=[/x]&filter[status]=open&page[size]=10&[bold]y"
    entry = _entry(
        "GET",
        url,
        {"Origin": PAGE, "X-Note": "[red]hi[/red]"},
        200,
        {"X-Echo": "[/]"},
        "2026-01-01T10:00:00Z",
        error="net::ERR_FAILED",
        _resourceType="fetch",
    )
    status, out, err = _cli(capsys, _write(tmp_path, _har(entry)), "--all")
    assert status == 1, err
    flat = "".join(out.split())  # the table folds long URLs over lines
    assert "filter[status]=open&page[size]=10&[bold]y" in flat
    assert "[red]hi[/red]" in out and "X-Echo: [/]" in out


def test_a_same_origin_request_redirected_to_another_origin_is_cross_origin() -> None:
    """The SSO redirect: GET /api/me on the page's own origin, 302 to the API, which
    answers without Access-Control-Allow-Origin. Only the second hop carries Origin."""
    own = _entry(
        "GET",
        f"{PAGE}/api/me",
        {"Sec-Fetch-Mode": "cors"},
        302,
        {"Location": f"{API}/me"},
        "2026-01-01T10:00:00.000Z",
        error=None,
        _resourceType="fetch",
    )
    moved = _entry(
        "GET",
        f"{API}/me",
        {"Origin": PAGE, "Sec-Fetch-Mode": "cors"},
        200,
        {},
        "2026-01-01T10:00:00.010Z",
        error="net::ERR_FAILED",
        _resourceType="fetch",
    )
    (item,) = analyse_har(_har(own, moved)).requests
    assert item.fetch.page_origin == PAGE and item.fetch.url == f"{PAGE}/api/me"
    assert item.request.origin_source == "a redirect hop's Origin"
    assert item.result.error_name == "kMissingAllowOriginHeader"
    assert item.agrees is True
    assert item.diagnosis.console == (
        f"Access to fetch at '{API}/me' (redirected from '{PAGE}/api/me') from origin "
        f"'{PAGE}' has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header "
        "is present on the requested resource."
    )


def test_cli_too_deep_json_is_one_line_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "deep.har"
    path.write_text("[" * 100_000)
    status, out, err = _cli(capsys, str(path))
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and "too deeply" in err


def test_cli_a_lone_surrogate_is_written_not_crashed_on(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    entry = _entry(
        "GET",
        f"{API}/x",
        {"Origin": PAGE, "X-Note": "a\ud800b"},
        200,
        {"Access-Control-Allow-Origin": PAGE},
        "2026-01-01T10:00:00Z",
        error=None,
        _resourceType="fetch",
    )
    path = tmp_path / "surrogate.har"
    path.write_text(json.dumps(_har(entry)))  # ASCII: the surrogate stays an escape
    _, out, _ = _cli(capsys, str(path), "--json")
    data = json.loads(out)
    assert data["requests"][0]["request"]["headers"] == [["X-Note", "a\ud800b"]]
    _, out, _ = _cli(capsys, str(path), "--all")
    assert "a\\ud800b" in out


def test_cli_piped_into_a_closed_reader_exits_quietly(tmp_path: Path) -> None:
    import subprocess
    import sys

    entries = [
        _entry(
            "GET",
            f"{API}/x{number}",
            {"Origin": PAGE},
            200,
            {"Access-Control-Allow-Origin": PAGE},
            f"2026-01-01T10:00:{number // 1000:02d}.{number % 1000:03d}Z",
            error=None,
            _resourceType="fetch",
        )
        for number in range(200)
    ]
    path = _write(tmp_path, _har(*entries))
    code = (
        "import argparse, sys; from crossorigin.commands.har import run; "
        f"sys.exit(run(argparse.Namespace(file={path!r}, origin=None, all=True, stack=None, "
        "json=sys.argv[1] == 'json')))"
    )
    for form in ("json", "text"):
        process = subprocess.Popen(
            [sys.executable, "-c", code, form], stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        assert process.stdout is not None and process.stderr is not None
        process.stdout.read(10)
        process.stdout.close()  # `| head -c 10`
        err = process.stderr.read().decode()
        status = process.wait(timeout=60)
        assert "Traceback" not in err and "Error" not in err, err
        assert status == 0  # the verdict (nothing blocked), not rich's exit status 1


def test_credentials_are_redacted_in_every_output_but_still_count(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    secrets = ["sid=s3cr3t-cookie", "Bearer s3cr3t-bearer", "s3cr3t-key", "s3cr3t-set", "s3cr3t-x"]
    entry = _entry(
        "GET",
        f"{API}/me",
        {
            "Origin": PAGE,
            "Cookie": secrets[0],
            "Authorization": secrets[1],
            "X-Api-Key": secrets[2],
            "X-Auth-Token": secrets[4],
            "Proxy-Authorization": "Basic s3cr3t-proxy",
        },
        200,
        {"Access-Control-Allow-Origin": "*", "Set-Cookie": secrets[3]},
        "2026-01-01T10:00:00Z",
        error="net::ERR_FAILED",
        _resourceType="fetch",
    )
    path = _write(tmp_path, _har(entry))
    (item,) = analyse_har(_har(entry)).requests
    assert item.fetch.credentials == "include" and not item.credentials_inferred
    assert ("Authorization", "[redacted]") in item.fetch.headers
    for args in ((), ("--json",)):
        _, out, _ = _cli(capsys, path, "--all", *args)
        assert "s3cr3t" not in out
        assert "[redacted]" in out


def _lone_preflight(allow_methods: str) -> dict[str, Any]:
    return _entry(
        "OPTIONS",
        f"{API}/v1/items",
        {"Origin": PAGE, "Access-Control-Request-Method": "PUT"},
        204,
        {
            "Access-Control-Allow-Origin": PAGE,
            "Access-Control-Allow-Methods": allow_methods,
            "Access-Control-Allow-Credentials": "true",
        },
        "2026-01-01T10:00:00Z",
        error=None,
        _resourceType="preflight",
        _initiator={"type": "preflight", "url": f"{API}/v1/items"},
    )


def test_a_passed_preflight_without_its_request_is_unknown_not_a_network_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (item,) = analyse_har(_har(_lone_preflight("PUT"))).requests
    assert item.incomplete and item.verdict == "unknown" and item.agrees is None
    assert item.result.console is None and item.result.network_error is None
    assert "preflight passed; the request itself is not in the HAR (unknown)" in item.caveats
    assert [w.kind for w in item.report.wire] == ["preflight"]
    path = _write(tmp_path, _har(_lone_preflight("PUT")))
    status, out, _ = _cli(capsys, path)
    assert status == 0
    assert "NETWORK ERROR" not in out and "Access to fetch" not in out
    assert out.count("preflight passed; the request itself is not in the HAR (unknown)") == 1
    _, out, _ = _cli(capsys, path, "--json")
    (request,) = json.loads(out)["requests"]
    assert request["verdict"] == "unknown" and request["outcome"] == "unknown"
    assert request["console"] is None
    # A failing lone preflight is still a CORS block.
    (failed,) = analyse_har(_har(_lone_preflight("GET"))).requests
    assert failed.verdict == "blocked" and not failed.incomplete


@pytest.mark.parametrize(
    ("method", "headers"),
    [("GET", {"Bad Name": "1"}), ("GE T", {})],
    ids=["header-name-with-space", "method-with-space"],
)
def test_a_call_fetch_would_refuse_is_not_counted_as_blocked_by_cors(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, method: str, headers: dict[str, str]
) -> None:
    entry = _entry(
        method,
        f"{API}/x",
        {"Origin": PAGE, **headers},
        200,
        {"Access-Control-Allow-Origin": PAGE},
        "2026-01-01T10:00:00Z",
        error=None,
        _resourceType="fetch",
    )
    analysis = analyse_har(_har(entry))
    (item,) = analysis.requests
    assert item.result.error_name == "TypeError"
    assert item.verdict == "not-replayable" and not item.blocked
    assert analysis.blocked == ()
    status, out, _ = _cli(capsys, _write(tmp_path, _har(entry)))
    assert status == 0
    assert "0 blocked by CORS, 1 could not be replayed" in " ".join(out.split())
    _, out, _ = _cli(capsys, _write(tmp_path, _har(entry)), "--json")
    data = json.loads(out)
    assert data["blocked"] == 0 and data["not_replayable"] == 1


def test_concurrent_preflights_pair_by_their_header_names_not_just_time() -> None:
    """Two PUTs to one URL a millisecond apart, with X-A and X-B: each preflight asked for
    its own request's header; the nearest in time is the other one."""
    url = f"{API}/x"

    def put(header: str, started: str, ok: bool) -> dict[str, Any]:
        return _entry(
            "PUT",
            url,
            {"Origin": PAGE, header: "1"},
            200 if ok else 0,
            {"Access-Control-Allow-Origin": PAGE} if ok else {},
            started,
            error=None if ok else "net::ERR_FAILED",
            _resourceType="fetch",
        )

    def preflight(asked: str, allowed: str, started: str) -> dict[str, Any]:
        return _entry(
            "OPTIONS",
            url,
            {
                "Origin": PAGE,
                "Access-Control-Request-Method": "PUT",
                "Access-Control-Request-Headers": asked,
            },
            204,
            {
                "Access-Control-Allow-Origin": PAGE,
                "Access-Control-Allow-Methods": "PUT",
                "Access-Control-Allow-Headers": allowed,
            },
            started,
            error=None,
            _resourceType="preflight",
            _initiator={"type": "preflight", "url": url},
        )

    har = _har(
        put("X-A", "2026-01-01T10:00:00.000Z", ok=True),
        put("X-B", "2026-01-01T10:00:00.004Z", ok=False),
        preflight("x-b", "x-a", "2026-01-01T10:00:00.001Z"),
        preflight("x-a", "x-a", "2026-01-01T10:00:00.003Z"),
    )
    first, second = find_cross_origin(parse_har(har))
    assert [p.index for p in first.preflights] == [3]
    assert [p.index for p in second.preflights] == [2]
    analysis = analyse_har(har)
    assert [r.result.error_name for r in analysis.requests] == [
        None,
        "kHeaderDisallowedByPreflightResponse",
    ]
    assert all(r.agrees for r in analysis.requests)


def test_a_preflight_for_another_url_is_never_used() -> None:
    (actual, _) = _chrome_put("2026-01-01T10:00:00.000Z", "2026-01-01T10:00:00.001Z", "PUT")
    (_, other) = _chrome_put("2026-01-01T10:00:00.000Z", "2026-01-01T10:00:00.001Z", "GET")
    other["request"]["url"] = other["_initiator"]["url"] = f"{API}/v1/other"
    analysis = analyse_har(_har(actual, other))
    put = next(r for r in analysis.requests if r.request.hops)
    assert put.request.preflights == ()
    assert put.result.outcome == "allowed"  # its preflight is assumed from the cache
    assert any("preflight cache" in caveat for caveat in put.caveats)


def test_firefox_added_headers_are_not_the_pages() -> None:
    """Firefox adds Alt-Used, Priority, TE and Upgrade-Insecure-Requests itself: a GET with
    them is a simple request, not one that needed a preflight."""
    entry = _entry(
        "GET",
        f"{API}/me",
        {
            "origin": PAGE,
            "alt-used": "api.example.com",
            "priority": "u=4",
            "te": "trailers",
            "upgrade-insecure-requests": "1",
            "accept": "*/*",
        },
        200,
        {"access-control-allow-origin": PAGE},
        "2026-01-01T10:00:00.000+01:00",
    )
    (item,) = analyse_har(_har(entry, creator="Firefox")).requests
    assert item.fetch.headers == ()
    assert item.result.outcome == "allowed" and not item.result.preflight_sent
    assert not any("preflight cache" in caveat for caveat in item.caveats)


@pytest.mark.parametrize(
    ("resource_type", "kind"),
    [("font", "font"), ("script", "script"), ("stylesheet", "CSS stylesheet"), ("xhr", None)],
)
def test_the_console_line_names_the_resource_kind(resource_type: str, kind: str | None) -> None:
    entry = _entry(
        "GET",
        f"{API}/asset",
        {"Origin": PAGE, "Sec-Fetch-Mode": "cors"},
        200,
        {},
        "2026-01-01T10:00:00Z",
        error="net::ERR_FAILED",
        _resourceType=resource_type,
    )
    (item,) = analyse_har(_har(entry)).requests
    assert item.result.error_name == "kMissingAllowOriginHeader"
    expected = kind or "XMLHttpRequest"
    assert (item.diagnosis.console or "").startswith(f"Access to {expected} at '{API}/asset'")
    assert any(f"'Access to {kind} at'" in c for c in item.caveats) == (kind is not None)


def test_a_base64_response_body_is_decoded_for_stack_detection() -> None:
    import base64

    body = '{"detail": "Not Found"}'
    entry = _entry(
        "GET",
        f"{API}/missing",
        {"Origin": PAGE},
        404,
        {"Content-Type": "application/json"},
        "2026-01-01T10:00:00Z",
        error="net::ERR_FAILED",
        _resourceType="fetch",
    )
    entry["response"]["content"] = {
        "size": len(body),
        "mimeType": "application/json",
        "text": base64.b64encode(body.encode()).decode(),
        "encoding": "base64",
    }
    (item,) = analyse_har(_har(entry)).requests
    assert item.request.last.response_body == body
    assert item.diagnosis.stacks_shown[0] == "fastapi"


def test_a_recorded_network_error_replaces_the_no_answer_caveat() -> None:
    entry = _entry(
        "GET",
        f"{API}/x",
        {"Origin": PAGE},
        0,
        {},
        "2026-01-01T10:00:00Z",
        error="net::ERR_CONNECTION_REFUSED",
        _resourceType="fetch",
    )
    (item,) = analyse_har(_har(entry)).requests
    assert not any("never got an answer" in caveat for caveat in item.caveats)
    assert any("nothing listened" in caveat for caveat in item.caveats)


def test_cli_prints_one_server_fix_once_for_many_requests(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    entries = [
        _entry(
            "GET",
            f"{API}/x{number}",
            {"Origin": PAGE},
            404,
            {"Server": "nginx"},
            f"2026-01-01T10:00:0{number}Z",
            error="net::ERR_FAILED",
            _resourceType="fetch",
        )
        for number in range(3)
    ]
    status, out, _ = _cli(capsys, _write(tmp_path, _har(*entries)))
    assert status == 1 and "3 blocked by CORS" in out
    assert out.count("Fix: nginx") == 1
    assert out.count("Server fix: the same as for #1 above.") == 2
