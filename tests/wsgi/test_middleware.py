"""crossorigin.wsgi.CORSMiddleware called directly: routing, Vary, list hygiene, per-route use."""

from __future__ import annotations

from typing import Any

import pytest

from crossorigin.policy import VARY_PREFLIGHT, Policy, PolicyError
from crossorigin.wsgi import CORSMiddleware
from tests.support.middleware import policy_keywords

APP_ORIGIN = "https://app.example.com"
OTHER_ORIGIN = "https://other.example.net"


class RecordingApp:
    """A WSGI app that answers 200 and remembers the methods it saw."""

    def __init__(self, headers: list[tuple[str, str]] | None = None) -> None:
        self.methods: list[str] = []
        self.headers = headers if headers is not None else [("Content-Type", "text/plain")]

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        self.methods.append(environ["REQUEST_METHOD"])
        start_response("200 OK", self.headers)
        return [b"app"]


def call(
    app: Any, method: str, headers: dict[str, str] | None = None, path: str = "/"
) -> tuple[str, list[tuple[str, str]], bytes]:
    environ: dict[str, Any] = {"REQUEST_METHOD": method, "PATH_INFO": path, "SCRIPT_NAME": ""}
    for name, value in (headers or {}).items():
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    started: list[tuple[str, list[tuple[str, str]]]] = []

    def start_response(
        status: str, response_headers: list[tuple[str, str]], exc: Any = None
    ) -> Any:
        started.append((status, response_headers))
        return lambda data: None

    body = b"".join(app(environ, start_response))
    status, response_headers = started[0]
    return status, response_headers, body


def values(headers: list[tuple[str, str]], name: str) -> list[str]:
    return [value for key, value in headers if key.lower() == name.lower()]


def middleware(app: Any = None, **options: Any) -> CORSMiddleware:
    return CORSMiddleware(
        app if app is not None else RecordingApp(), **policy_keywords(APP_ORIGIN, **options)
    )


def preflight(
    origin: str = APP_ORIGIN, method: str = "PUT", requested: str | None = "x-token"
) -> dict[str, str]:
    headers = {"Origin": origin, "Access-Control-Request-Method": method}
    if requested is not None:
        headers["Access-Control-Request-Headers"] = requested
    return headers


def test_a_preflight_is_answered_and_never_reaches_the_application() -> None:
    app = RecordingApp()
    status, headers, body = call(middleware(app), "OPTIONS", preflight())
    assert (status, body, app.methods) == ("204 No Content", b"", [])
    assert values(headers, "Access-Control-Allow-Origin") == [APP_ORIGIN]
    assert values(headers, "Access-Control-Allow-Credentials") == ["true"]
    assert values(headers, "Access-Control-Allow-Methods") == ["GET, PUT"]
    assert values(headers, "Vary") == [VARY_PREFLIGHT]


@pytest.mark.parametrize(
    "headers",
    [{"Origin": APP_ORIGIN}, {"Access-Control-Request-Method": "PUT"}, {}],
    ids=["origin-only", "request-method-only", "bare"],
)
def test_other_options_requests_go_to_the_application(headers: dict[str, str]) -> None:
    app = RecordingApp()
    status, response_headers, body = call(middleware(app), "OPTIONS", headers)
    assert (status, body, app.methods) == ("200 OK", b"app", ["OPTIONS"])
    assert values(response_headers, "Vary") == ["Origin"]


@pytest.mark.parametrize(
    "headers",
    [
        preflight(origin=OTHER_ORIGIN),
        preflight(method="DELETE"),
        preflight(requested="x-token, x-other"),
        preflight(requested="," * 8192),
        {**preflight(), "Access-Control-Request-Private-Network": "true"},
    ],
    ids=["origin", "method", "header", "commas", "private-network"],
)
def test_a_failed_preflight_is_403_without_cors_headers(
    headers: dict[str, str], request: pytest.FixtureRequest
) -> None:
    app = RecordingApp()
    status, response_headers, body = call(middleware(app), "OPTIONS", headers)
    why = request.node.callspec.id
    reason = {"header": "headers", "commas": "headers"}.get(why, why)
    assert (status, app.methods) == ("403 Forbidden", [])
    assert body == f"Disallowed CORS {reason}".encode()
    assert not [n for n, _ in response_headers if n.lower().startswith("access-control-")]
    assert values(response_headers, "Content-Length") == [str(len(body))]
    assert values(response_headers, "Content-Type") == ["text/plain; charset=utf-8"]


def test_an_allowed_origin_gets_the_cors_headers_and_vary() -> None:
    status, headers, body = call(middleware(), "GET", {"Origin": APP_ORIGIN})
    assert (status, body) == ("200 OK", b"app")
    assert values(headers, "Access-Control-Allow-Origin") == [APP_ORIGIN]
    assert values(headers, "Access-Control-Expose-Headers") == ["X-Request-Id"]
    assert values(headers, "Vary") == ["Origin"]


@pytest.mark.parametrize("origin", [None, OTHER_ORIGIN, "null", APP_ORIGIN + "\r\nX: y"])
def test_other_requests_get_vary_and_no_cors_headers(origin: str | None) -> None:
    headers = {} if origin is None else {"Origin": origin}
    status, response_headers, body = call(middleware(), "GET", headers)
    assert (status, body) == ("200 OK", b"app")
    assert not [n for n, _ in response_headers if n.lower().startswith("access-control-")]
    assert values(response_headers, "Vary") == ["Origin"]


@pytest.mark.parametrize(
    ("app_vary", "expected"),
    [
        (["Accept-Encoding"], ["Accept-Encoding, Origin"]),
        (["Accept-Encoding", "Accept-Language"], ["Accept-Encoding, Accept-Language, Origin"]),
        (["ORIGIN"], ["ORIGIN"]),
        (["*"], ["*"]),
    ],
)
def test_vary_is_merged_never_overwritten_or_duplicated(
    app_vary: list[str], expected: list[str]
) -> None:
    app_headers = [("Content-Type", "text/plain")] + [("vary", value) for value in app_vary]
    original = list(app_headers)
    _, headers, _ = call(middleware(RecordingApp(app_headers)), "GET", {"Origin": APP_ORIGIN})
    assert values(headers, "Vary") == expected
    assert app_headers == original  # the application's list is not mutated


def test_per_route_policies_with_a_path_dispatcher() -> None:
    public = middleware(allow_origins=["*"], allow_credentials=False)
    private = middleware()

    def dispatch(environ: dict[str, Any], start_response: Any) -> Any:
        target = public if environ["PATH_INFO"].startswith("/public") else private
        return target(environ, start_response)

    _, headers, _ = call(dispatch, "GET", {"Origin": OTHER_ORIGIN}, "/public/data")
    assert values(headers, "Access-Control-Allow-Origin") == ["*"]
    _, headers, _ = call(dispatch, "GET", {"Origin": OTHER_ORIGIN}, "/account")
    assert values(headers, "Access-Control-Allow-Origin") == []
    _, headers, _ = call(dispatch, "GET", {"Origin": APP_ORIGIN}, "/account")
    assert values(headers, "Access-Control-Allow-Credentials") == ["true"]


def test_construction_errors_and_shared_policies() -> None:
    with pytest.raises(PolicyError) as caught:
        CORSMiddleware(RecordingApp(), allow_origins=["*"], allow_credentials=True)
    assert caught.value.codes == ("wildcard-with-credentials",)
    policy = Policy(allow_origins=[APP_ORIGIN])
    assert CORSMiddleware(RecordingApp(), policy=policy).policy is policy
    with pytest.raises(TypeError):
        CORSMiddleware(RecordingApp(), policy=policy, max_age=5)
