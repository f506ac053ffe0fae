"""``crossorigin check`` against real loopback servers: every CorsError a server can cause,
the trace, the console text of each browser, fixes, and the errors that are not CORS."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from crossorigin.errors import CorsError
from tests.doctor.conftest import ORIGIN, Run
from tests.doctor.loopback import (
    Answer,
    LoopbackServer,
    closed_port,
    self_signed_context,
    silent_server,
)

pytestmark = pytest.mark.server

ACAO = "Access-Control-Allow-Origin"
ACAC = "Access-Control-Allow-Credentials"
ACAM = "Access-Control-Allow-Methods"
ACAH = "Access-Control-Allow-Headers"
OK_PREFLIGHT = Answer(204, ((ACAO, ORIGIN), (ACAM, "PUT")))
PUT = ("-X", "PUT")


@dataclass(frozen=True)
class Case:
    error: CorsError
    args: tuple[str, ...] = ()
    preflight: Answer = field(default_factory=Answer)
    response: Answer = field(default_factory=Answer)
    # Location values may name the server's port: "{port}" is filled in.
    location: str | None = None


def _redirect(location: str, *extra: tuple[str, str]) -> Answer:
    return Answer(302, ((ACAO, ORIGIN), ("Location", location), *extra))


CASES: list[Case] = [
    Case(
        CorsError.kMissingAllowOriginHeader,
        response=Answer(200, (("Content-Type", "text/plain"),), b"hi"),
    ),
    Case(
        CorsError.kWildcardOriginNotAllowed,
        ("--credentials", "include"),
        response=Answer(200, ((ACAO, "*"),)),
    ),
    Case(
        CorsError.kMultipleAllowOriginValues, response=Answer(200, ((ACAO, ORIGIN), (ACAO, ORIGIN)))
    ),
    Case(CorsError.kInvalidAllowOriginValue, response=Answer(200, ((ACAO, "app.test"),))),
    Case(CorsError.kAllowOriginMismatch, response=Answer(200, ((ACAO, ORIGIN + "/"),))),
    Case(
        CorsError.kInvalidAllowCredentials,
        ("--credentials", "include"),
        response=Answer(200, ((ACAO, ORIGIN), (ACAC, "True"))),
    ),
    Case(CorsError.kCorsDisabledScheme, response=_redirect("ftp://files.test/report.csv")),
    Case(
        CorsError.kRedirectContainsCredentials, location="http://user:secret@api.test:{port}/next"
    ),
    Case(
        CorsError.kPreflightInvalidStatus,
        PUT,
        preflight=Answer(405, ((ACAO, ORIGIN), (ACAM, "PUT"))),
    ),
    Case(
        CorsError.kPreflightDisallowedRedirect,
        PUT,
        preflight=Answer(301, ((ACAO, ORIGIN), ("Location", "/elsewhere"))),
    ),
    Case(
        CorsError.kPreflightMissingAllowOriginHeader, PUT, preflight=Answer(404, (), b"Not Found")
    ),
    Case(
        CorsError.kPreflightWildcardOriginNotAllowed,
        (*PUT, "--credentials", "include"),
        preflight=Answer(204, ((ACAO, "*"), (ACAC, "true"), (ACAM, "PUT"))),
    ),
    Case(
        CorsError.kPreflightMultipleAllowOriginValues,
        PUT,
        preflight=Answer(204, ((ACAO, ORIGIN), (ACAO, "http://other.test"), (ACAM, "PUT"))),
    ),
    Case(
        CorsError.kPreflightInvalidAllowOriginValue,
        PUT,
        preflight=Answer(204, ((ACAO, "app.test"), (ACAM, "PUT"))),
    ),
    Case(
        CorsError.kPreflightAllowOriginMismatch,
        PUT,
        preflight=Answer(204, ((ACAO, "https://app.test:8001"), (ACAM, "PUT"))),
    ),
    Case(
        CorsError.kPreflightInvalidAllowCredentials,
        (*PUT, "--credentials", "include"),
        preflight=Answer(204, ((ACAO, ORIGIN), (ACAM, "PUT"))),
    ),
    Case(
        CorsError.kInvalidAllowMethodsPreflightResponse,
        PUT,
        preflight=Answer(204, ((ACAO, ORIGIN), (ACAM, "GET, (PUT)"))),
    ),
    Case(
        CorsError.kInvalidAllowHeadersPreflightResponse,
        ("-H", "X-Api-Key: 1"),
        preflight=Answer(204, ((ACAO, ORIGIN), (ACAH, "X-Api-Key; Content-Type"))),
    ),
    Case(
        CorsError.kMethodDisallowedByPreflightResponse,
        PUT,
        preflight=Answer(204, ((ACAO, ORIGIN), (ACAM, "GET, POST"))),
    ),
    Case(
        CorsError.kHeaderDisallowedByPreflightResponse,
        ("-H", "Authorization: Bearer t"),
        preflight=Answer(204, ((ACAO, ORIGIN), (ACAH, "Content-Type"))),
    ),
]

# Errors no server answer can cause: the page's own request (mode, Local Network Access
# permission and address spaces) or Chromium internals (kInvalidResponse is only a DevTools
# warning; the Private Network Access ones need Chromium 104-141's preflight mode).
NOT_SERVER_CAUSED = {
    CorsError.kDisallowedByMode,
    CorsError.kInvalidResponse,
    CorsError.kInsecureLocalNetwork,
    CorsError.kInvalidLocalNetworkAccess,
    CorsError.kLocalNetworkAccessPermissionDenied,
    CorsError.kPreflightMissingAllowPrivateNetwork,
    CorsError.kPreflightInvalidAllowPrivateNetwork,
    CorsError.kUnexpectedPrivateNetworkAccess,
}


def test_every_server_caused_error_has_a_case() -> None:
    covered = {case.error for case in CASES}
    assert covered == set(CorsError) - NOT_SERVER_CAUSED


@pytest.mark.parametrize("case", CASES, ids=[case.error.value for case in CASES])
def test_server_caused_error(case: Case, server: LoopbackServer, check: Callable[..., Run]) -> None:
    response = case.response
    if case.location is not None:
        response = _redirect(case.location.format(port=server.port))
    server.route("/r", preflight=case.preflight, response=response)
    server.route("/next", response=Answer(200, ((ACAO, "*"),)))
    run = check("/r", *case.args, "--cookie", "sid=secret")
    data = run.data
    assert run.code == 1
    assert data["outcome"] == "blocked"
    assert data["error"] == case.error.value
    url = f"http://api.test:{server.port}/r"
    assert data["url"] == url
    if case.error is CorsError.kCorsDisabledScheme:
        # Chromium names the URL it was redirected to, as it does for other redirects.
        assert f"(redirected from '{url}') from origin '{ORIGIN}'" in data["console"]
    else:
        assert data["console"].startswith(f"Access to fetch at '{url}' from origin '{ORIGIN}'")
    failed = [c for c in data["checks"] if not c["passed"]]
    assert failed
    assert failed[-1]["error"] in (case.error.value, None)
    # What the doctor recorded is what reached the server, in order.
    assert [e["request"]["method"] for e in data["exchanges"]] == [
        r.method for r in server.received if r.path == "/r"
    ][: len(data["exchanges"])]
    preflights = [r for r in server.received if r.is_preflight]
    assert data["preflight_sent"] == bool(preflights)
    for preflight in preflights:
        assert preflight.header("Cookie") is None
        assert preflight.header("Origin") == ORIGIN
    assert data["explanation"]["cause"]
    if data["fixes"]:
        assert all(ORIGIN in snippet for snippet in data["fixes"].values())


def test_repeated_header_lines_are_kept(server: LoopbackServer, check: Callable[..., Run]) -> None:
    server.route("/r", response=Answer(200, ((ACAO, ORIGIN), ("Vary", "Origin"), (ACAO, ORIGIN))))
    data = check("/r").data
    headers = data["exchanges"][0]["response"]["headers"]
    assert [value for name, value in headers if name == ACAO] == [ORIGIN, ORIGIN]
    assert data["error"] == "kMultipleAllowOriginValues"
    assert f"'{ORIGIN}, {ORIGIN}'" in data["console"]


def test_allowed_with_preflight(server: LoopbackServer, check: Callable[..., Run]) -> None:
    server.route(
        "/items/1",
        preflight=Answer(204, ((ACAO, ORIGIN), (ACAM, "PUT"), (ACAH, "Content-Type"))),
        response=Answer(
            200,
            ((ACAO, ORIGIN), ("Access-Control-Expose-Headers", "X-Total"), ("X-Total", "3")),
            b'{"ok": true}',
        ),
    )
    run = check("/items/1", "-X", "PUT", "-H", "Content-Type: application/json", "-d", '{"a": 1}')
    data = run.data
    assert run.code == 0
    assert data["outcome"] == "allowed"
    assert data["error"] is None
    assert [e["kind"] for e in data["exchanges"]] == ["preflight", "actual"]
    assert "x-total" in data["readable_headers"]
    assert [r.method for r in server.received] == ["OPTIONS", "PUT"]
    assert server.received[0].header("Access-Control-Request-Headers") == "content-type"
    assert data["fixes"] == {}
    assert data["non_browser"]["status"] == 200


def test_body_is_sent_and_data_implies_post(
    server: LoopbackServer, check: Callable[..., Run]
) -> None:
    server.route("/form", response=Answer(200, ((ACAO, ORIGIN),)))
    data = check("/form", "-d", "a=1", "-H", "Content-Type: application/x-www-form-urlencoded").data
    assert data["request"]["method"] == "POST"
    assert data["preflight_sent"] is False
    assert data["outcome"] == "allowed"


def test_opaque_no_cors_exits_zero(server: LoopbackServer, check: Callable[..., Run]) -> None:
    server.route("/pixel", response=Answer(200, (), b"GIF89a"))
    run = check("/pixel", "--mode", "no-cors")
    assert run.code == 0
    assert run.data["outcome"] == "opaque"
    assert server.received[0].header("Origin") is None


def test_cookies_only_where_the_browser_sends_them(
    server: LoopbackServer, check: Callable[..., Run]
) -> None:
    server.route(
        "/me",
        preflight=Answer(204, ((ACAO, ORIGIN), (ACAC, "true"), (ACAH, "X-Csrf"))),
        response=Answer(200, ((ACAO, ORIGIN), (ACAC, "true"))),
    )
    data = check("/me", "--credentials", "include", "-H", "X-Csrf: 1", "--cookie", "sid=7").data
    assert data["outcome"] == "allowed"
    preflight, actual = server.received
    assert preflight.is_preflight and preflight.header("Cookie") is None
    assert actual.header("Cookie") == "sid=7"
    server.received.clear()
    check("/me", "--cookie", "sid=7")  # credentials same-origin: none cross-origin
    assert server.received[-1].header("Cookie") is None


def test_redirect_gets_a_preflight_per_hop(
    server: LoopbackServer, check: Callable[..., Run]
) -> None:
    server.route(
        "/a",
        preflight=Answer(204, ((ACAO, ORIGIN), (ACAM, "PUT"))),
        response=Answer(307, ((ACAO, ORIGIN), ("Location", "/b"))),
    )
    server.route(
        "/b",
        preflight=Answer(204, ((ACAO, ORIGIN), (ACAM, "PUT"))),
        response=Answer(200, ((ACAO, ORIGIN),), b"done"),
    )
    data = check("/a", "-X", "PUT").data
    assert data["outcome"] == "allowed"
    assert [(r.method, r.path) for r in server.received] == [
        ("OPTIONS", "/a"),
        ("PUT", "/a"),
        ("OPTIONS", "/b"),
        ("PUT", "/b"),
    ]
    assert [e["kind"] for e in data["exchanges"]] == ["preflight", "actual", "preflight", "actual"]


def test_resolve_keeps_the_host_header(server: LoopbackServer, check: Callable[..., Run]) -> None:
    server.route("/r", response=Answer(200, ((ACAO, ORIGIN),)))
    check("/r")
    assert server.received[0].header("Host") == f"api.test:{server.port}"


def test_forbidden_method_is_a_type_error_and_sends_nothing(
    server: LoopbackServer, check: Callable[..., Run]
) -> None:
    run = check("/r", "-X", "CONNECT")
    assert run.code == 1
    assert run.data["error"] == "TypeError"
    assert server.received == []


def test_fix_for_the_detected_stack(server: LoopbackServer, check: Callable[..., Run]) -> None:
    express = (("X-Powered-By", "Express"),)
    server.route("/r", preflight=Answer(404, express, b"Cannot OPTIONS /r"))
    data = check("/r", "-H", "Authorization: Bearer x").data
    # The preflight (no headers at all) fails first; the fix covers what the request needs.
    assert data["error"] == "kPreflightMissingAllowOriginHeader"
    assert data["stacks"]["shown"] == ["express", "nestjs"]
    assert set(data["fixes"]) == {"express", "nestjs"}
    assert "Authorization" in data["fixes"]["express"]
    assert data["stacks"]["detected"][0]["evidence"] == "X-Powered-By: Express"


def test_stack_option_chooses_the_fix(server: LoopbackServer, check: Callable[..., Run]) -> None:
    server.route("/r", response=Answer(200, (("X-Powered-By", "Express"),)))
    data = check("/r", "--stack", "flask").data
    assert list(data["fixes"]) == ["flask"]


def test_unknown_stack_shows_common_ones(server: LoopbackServer, check: Callable[..., Run]) -> None:
    server.route("/r", response=Answer(200, ()))
    data = check("/r").data
    assert len(data["fixes"]) >= 2
    assert "could not be told" in data["stacks"]["reason"]


def test_dev_server_page_gets_the_proxy_alternative(
    server: LoopbackServer, check: Callable[..., Run]
) -> None:
    server.route("/r", response=Answer(200, ()))
    data = check("/r", origin="http://localhost:5173").data
    assert data["dev_server"]["name"] == "Vite"
    assert "vite" in data["fixes"]
    assert f"http://api.test:{server.port}" in data["fixes"]["vite"]
    assert "changeOrigin: true" in data["fixes"]["vite"]


@pytest.mark.parametrize(
    ("browser", "start"),
    [
        (
            "firefox",
            "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the "
            "remote resource at http://api.test:",
        ),
        (
            "safari",
            f"Origin {ORIGIN} is not allowed by Access-Control-Allow-Origin. Status code: 200",
        ),
    ],
)
def test_console_of_other_browsers(
    browser: str, start: str, server: LoopbackServer, check: Callable[..., Run]
) -> None:
    server.route("/r", response=Answer(200, ()))
    data = check("/r", "--browser", browser).data
    assert data["console"].startswith(start)
    assert data["console_by_browser"]["chromium"].startswith("Access to fetch at")
    if browser == "safari":
        assert data["console"].endswith("due to access control checks.")


def test_firefox_calls_one_field_with_two_origins_a_mismatch(
    server: LoopbackServer, check: Callable[..., Run]
) -> None:
    server.route("/r", response=Answer(200, ((ACAO, f"{ORIGIN}, http://b.test"),)))
    data = check("/r", "--browser", "firefox").data
    assert data["error"] == "kMultipleAllowOriginValues"
    assert f"does not match ‘{ORIGIN}, http://b.test’" in data["console"]


def test_safari_reports_the_preflight_status_first(
    server: LoopbackServer, check: Callable[..., Run]
) -> None:
    server.route("/r", preflight=Answer(404, ()))
    data = check("/r", "-X", "DELETE", "--browser", "safari").data
    assert data["error"] == "kPreflightMissingAllowOriginHeader"
    assert data["console"].startswith("Preflight response is not successful. Status code: 404")


def test_what_curl_gets(server: LoopbackServer, check: Callable[..., Run]) -> None:
    server.route("/r", response=Answer(500, (("Content-Type", "text/html"),), b"x" * 1200))
    data = check("/r").data
    assert data["non_browser"] == {
        "sent": True,
        "method": "GET",
        "url": f"http://api.test:{server.port}/r",
        "status": 500,
        "reason": "Internal Server Error",
        "body_size": 1200,
        "network_error": None,
    }
    assert data["non_browser_summary"] == (
        "curl/Postman: 500 Internal Server Error, 1.2 kB: the server answered; "
        "the browser withheld it"
    )


def test_curl_view_of_a_failed_preflight_get(
    server: LoopbackServer, check: Callable[..., Run]
) -> None:
    server.route("/r", preflight=Answer(404, ()), response=Answer(200, (), b"ok"))
    data = check("/r", "-H", "X-Api-Key: 1").data
    assert data["actual_request_sent"] is False
    # GET changes nothing: the doctor asks once more, as curl would (without Origin).
    assert data["non_browser"]["status"] == 200
    assert server.received[-1].method == "GET"
    assert server.received[-1].header("Origin") is None
    assert server.received[-1].header("X-Api-Key") == "1"


def test_curl_view_never_sends_an_unsafe_method(
    server: LoopbackServer, check: Callable[..., Run]
) -> None:
    server.route("/r", preflight=Answer(404, ()))
    data = check("/r", "-X", "DELETE").data
    assert data["non_browser"]["sent"] is False
    assert [r.method for r in server.received] == ["OPTIONS"]


def test_terminal_shows_a_redirect_to_a_non_http_scheme(
    server: LoopbackServer, check: Callable[..., Run]
) -> None:
    server.route("/r", response=_redirect("ftp://files.test/report.csv"))
    out = check("/r", json_output=False).out
    assert "✘ the redirect goes to a ftp: URL; CORS requests need http or https" in out
    assert out.index("← 302 Found") < out.index("✘ the redirect goes to a ftp: URL")


def test_terminal_trace_in_order(server: LoopbackServer, check: Callable[..., Run]) -> None:
    server.route(
        "/r",
        preflight=Answer(204, ((ACAO, ORIGIN), (ACAM, "GET, POST"), ("X-Powered-By", "Express"))),
    )
    run = check("/r", "-X", "PUT", json_output=False)
    assert run.code == 1
    out = run.out
    markers = [
        f"The page at {ORIGIN} runs:",
        'method: "PUT"',
        "→ Preflight: OPTIONS",
        "Access-Control-Request-Method: PUT",
        "← 204 No Content",
        "Access-Control-Allow-Methods: GET, POST",
        "✔ Access-Control-Allow-Origin",
        "✘ method PUT is not in Access-Control-Allow-Methods 'GET, POST'",
        "✘ BLOCKED  kMethodDisallowedByPreflightResponse",
        "Chromium console:",
        "Method PUT is not allowed by Access-Control-Allow-Methods in preflight response.",
        "Cause:",
        "curl/Postman: would send PUT directly",
        "Server fix (detected from X-Powered-By: Express)",
        "app.use(cors(corsOptions))",
    ]
    positions = [out.find(marker) for marker in markers]
    assert -1 not in positions, [m for m, p in zip(markers, positions, strict=True) if p < 0]
    assert positions == sorted(positions)


# -- not CORS: exit status 2 ---------------------------------------------------------------


def test_connection_refused(cli: Callable[..., Run]) -> None:
    port = closed_port()
    run = cli("check", f"http://127.0.0.1:{port}/", "--origin", ORIGIN, "--json")
    assert run.code == 2
    data = run.data
    assert data["network_error"]["kind"] == "connection-refused"
    assert data["network_error"]["browser_error"] == "net::ERR_CONNECTION_REFUSED"
    assert data["error"] is None
    assert data["console"] == f"GET http://127.0.0.1:{port}/ net::ERR_CONNECTION_REFUSED"
    assert data["fixes"] == {}


def test_connection_refused_says_so_in_the_terminal(cli: Callable[..., Run]) -> None:
    run = cli("check", f"http://127.0.0.1:{closed_port()}/", "--origin", ORIGIN)
    assert run.code == 2
    assert "Not a CORS error: connection refused" in run.out


def test_timeout(cli: Callable[..., Run]) -> None:
    with silent_server() as port:
        run = cli(
            "check", f"http://127.0.0.1:{port}/", "--origin", ORIGIN, "--timeout", "0.3", "--json"
        )
    assert run.code == 2
    assert run.data["network_error"]["kind"] == "timeout"


def test_unresolvable_name(cli: Callable[..., Run]) -> None:
    run = cli("check", "http://nowhere.invalid/", "--origin", ORIGIN, "--json", "--timeout", "5")
    assert run.code == 2
    assert run.data["network_error"]["kind"] == "dns"


def test_tls_to_a_plain_http_server(server: LoopbackServer, cli: Callable[..., Run]) -> None:
    run = cli(
        "check",
        f"https://api.test:{server.port}/",
        "--origin",
        ORIGIN,
        "--resolve",
        f"api.test:{server.port}:127.0.0.1",
        "--json",
    )
    assert run.code == 2
    assert run.data["network_error"]["kind"] == "tls"
    assert run.data["network_error"]["browser_error"] == "net::ERR_SSL_PROTOCOL_ERROR"


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[LoopbackServer]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a certificate")
    loopback = LoopbackServer(tls=self_signed_context("api.test", str(tmp_path)))
    try:
        yield loopback
    finally:
        loopback.close()


def test_resolve_keeps_the_tls_server_name(
    tls_server: LoopbackServer, cli: Callable[..., Run]
) -> None:
    tls_server.route("/r", response=Answer(200, ((ACAO, ORIGIN),)))
    url = f"https://api.test:{tls_server.port}/r"
    resolve = f"api.test:{tls_server.port}:127.0.0.1"
    run = cli("check", url, "--origin", ORIGIN, "--resolve", resolve, "--insecure", "--json")
    assert run.code == 0
    assert run.data["outcome"] == "allowed"
    assert tls_server.server_names == ["api.test"]
    assert tls_server.received[0].header("Host") == f"api.test:{tls_server.port}"


def test_untrusted_certificate(tls_server: LoopbackServer, cli: Callable[..., Run]) -> None:
    url = f"https://api.test:{tls_server.port}/r"
    resolve = f"api.test:{tls_server.port}:127.0.0.1"
    run = cli("check", url, "--origin", ORIGIN, "--resolve", resolve, "--json")
    assert run.code == 2
    assert run.data["network_error"]["kind"] == "tls-certificate"
    assert run.data["network_error"]["browser_error"] == "net::ERR_CERT_AUTHORITY_INVALID"
    assert tls_server.received == []


def test_cacert_trusts_a_development_ca(
    tls_server: LoopbackServer, cli: Callable[..., Run], tmp_path: Path
) -> None:
    # The self-signed certificate is its own CA, as mkcert's root is for its certificates.
    tls_server.route("/r", response=Answer(200, ((ACAO, ORIGIN),)))
    url = f"https://api.test:{tls_server.port}/r"
    resolve = f"api.test:{tls_server.port}:127.0.0.1"
    cert = str(tmp_path / "cert.pem")
    run = cli("check", url, "--origin", ORIGIN, "--resolve", resolve, "--cacert", cert, "--json")
    assert run.code == 0, run.err
    assert run.data["outcome"] == "allowed"
    # Any other CA file does not vouch for it: the bundle is replaced, not extended.
    other = tmp_path / "other"
    other.mkdir()
    self_signed_context("api.test", str(other))
    other_ca = str(other / "cert.pem")
    args = ("--origin", ORIGIN, "--resolve", resolve, "--cacert", other_ca, "--json")
    run = cli("check", url, *args)
    assert run.code == 2
    assert run.data["network_error"]["browser_error"] == "net::ERR_CERT_AUTHORITY_INVALID"


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "no such file"), ("not a certificate\n", "is not a PEM file of CA certificates")],
)
def test_a_bad_cacert_is_a_usage_error(
    content: str | None, message: str, cli: Callable[..., Run], tmp_path: Path
) -> None:
    path = tmp_path / "ca.pem"
    if content is not None:
        path.write_text(content)
    run = cli("check", "http://api.test/", "--origin", ORIGIN, "--cacert", str(path))
    assert run.code == 2
    assert message in run.err
    assert "Traceback" not in run.err


# -- usage errors --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("http://api.test/",), "--origin is required"),
        (("http://api.test/", "--origin", "app.test"), "page origin"),
        (("http://api.test/", "--origin", ORIGIN, "-H", "Authorization"), "is not 'Name: value'"),
        (("http://api.test/", "--origin", ORIGIN, "--resolve", "api.test:80"), "HOST:PORT:ADDRESS"),
        (("http://api.test/", "--origin", ORIGIN, "--stack", "cobol"), "not a known stack"),
        (("http://api.test/", "--origin", ORIGIN, "--timeout", "0"), "--timeout"),
        (("http://api.test/", "--origin", ORIGIN, "--timeout", "nan"), "finite positive"),
    ],
)
def test_usage_errors(args: tuple[str, ...], message: str, cli: Callable[..., Run]) -> None:
    run = cli("check", *args)
    assert run.code == 2
    assert message in run.err
