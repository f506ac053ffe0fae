"""crossorigin.asgi.CORSMiddleware called directly: routing, Vary, message hygiene, drop-in use."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.testclient import TestClient

from crossorigin.asgi import CORSMiddleware
from crossorigin.policy import VARY_PREFLIGHT, Policy, PolicyError
from tests.support.middleware import policy_keywords

APP_ORIGIN = "https://app.example.com"
OTHER_ORIGIN = "https://other.example.net"


class RecordingApp:
    """An ASGI app that answers 200 and remembers every request it saw."""

    def __init__(self, headers: list[tuple[bytes, bytes]] | None = None) -> None:
        self.seen: list[tuple[str, dict[bytes, bytes]]] = []
        self.headers = headers if headers is not None else [(b"content-type", b"text/plain")]

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        self.seen.append((scope["method"], dict(scope["headers"])))
        await send({"type": "http.response.start", "status": 200, "headers": self.headers})
        await send({"type": "http.response.body", "body": b"app"})


def call(
    app: Any, method: str, headers: list[tuple[str, str]] | None = None
) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    """Run one request through ``app``; (status, header list, body)."""
    scope = {
        "type": "http",
        "method": method,
        "path": "/",
        "headers": [(n.lower().encode(), v.encode()) for n, v in (headers or [])],
    }
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b""}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    start, *bodies = sent
    return start["status"], list(start.get("headers", [])), b"".join(b["body"] for b in bodies)


def values(headers: list[tuple[bytes, bytes]], name: bytes) -> list[bytes]:
    return [value for key, value in headers if key == name]


def middleware(app: Any = None, **options: Any) -> CORSMiddleware:
    return CORSMiddleware(
        app if app is not None else RecordingApp(), **policy_keywords(APP_ORIGIN, **options)
    )


def preflight_headers(
    origin: str = APP_ORIGIN, method: str = "PUT", requested: str | None = "x-token"
) -> list[tuple[str, str]]:
    headers = [("Origin", origin), ("Access-Control-Request-Method", method)]
    if requested is not None:
        headers.append(("Access-Control-Request-Headers", requested))
    return headers


# -- Preflights are the middleware's; every other OPTIONS is the application's ---------------


def test_a_preflight_is_answered_and_never_reaches_the_application() -> None:
    app = RecordingApp()
    status, headers, body = call(middleware(app), "OPTIONS", preflight_headers())
    # Built from keywords, the drop-in keeps Starlette's answer: 200 "OK".
    assert (status, body) == (200, b"OK")
    assert app.seen == []
    assert values(headers, b"access-control-allow-origin") == [APP_ORIGIN.encode()]
    assert values(headers, b"access-control-allow-credentials") == [b"true"]
    assert values(headers, b"access-control-allow-methods") == [b"GET, PUT"]
    assert b"X-Token" in values(headers, b"access-control-allow-headers")[0].split(b", ")
    assert values(headers, b"vary") == [VARY_PREFLIGHT.encode()]
    assert values(headers, b"content-length") == [b"2"]
    assert values(headers, b"content-type") == [b"text/plain; charset=utf-8"]


def test_crossorigin_statuses_are_one_keyword_away_or_come_with_a_policy() -> None:
    own = {"preflight_status": 204, "preflight_failure_status": 403}
    shared = Policy(**policy_keywords(APP_ORIGIN))
    for app in (middleware(**own), CORSMiddleware(RecordingApp(), policy=shared)):
        status, headers, body = call(app, "OPTIONS", preflight_headers())
        assert (status, body) == (204, b"")
        assert values(headers, b"content-length") == []  # RFC 9110 §8.6: none in a 204
        assert values(headers, b"content-type") == []
        status, headers, body = call(app, "OPTIONS", preflight_headers(method="DELETE"))
        assert (status, body) == (403, b"Disallowed CORS method")


@pytest.mark.parametrize(
    "headers",
    [
        [("Origin", APP_ORIGIN)],  # no Access-Control-Request-Method
        [("Access-Control-Request-Method", "PUT")],  # no Origin
        [],
    ],
    ids=["origin-only", "request-method-only", "bare"],
)
def test_other_options_requests_go_to_the_application(headers: list[tuple[str, str]]) -> None:
    app = RecordingApp()
    status, response_headers, body = call(middleware(app), "OPTIONS", headers)
    assert (status, body) == (200, b"app")
    assert [method for method, _ in app.seen] == ["OPTIONS"]
    assert values(response_headers, b"vary") == [b"Origin"]


@pytest.mark.parametrize(
    ("headers", "why"),
    [
        (preflight_headers(origin=OTHER_ORIGIN), "origin"),
        (preflight_headers(method="DELETE"), "method"),
        (preflight_headers(requested="x-token,x-other"), "header"),
        (preflight_headers(requested="," * 8192), "8 KiB of commas"),
        ([*preflight_headers(), ("Access-Control-Request-Private-Network", "true")], "PNA"),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_a_failed_preflight_has_no_cors_headers_and_says_why(
    headers: list[tuple[str, str]], why: str
) -> None:
    app = RecordingApp()
    status, response_headers, body = call(middleware(app), "OPTIONS", headers)
    assert status == 400, why  # Starlette's status, kept by the drop-in
    reason = {"header": "headers", "8 KiB of commas": "headers", "PNA": "private-network"}
    assert body == f"Disallowed CORS {reason.get(why, why)}".encode()
    assert app.seen == []
    assert not [name for name, _ in response_headers if name.startswith(b"access-control-")]
    assert values(response_headers, b"vary") == [VARY_PREFLIGHT.encode()]
    assert values(response_headers, b"content-length") == [str(len(body)).encode()]


def test_request_headers_on_several_lines_are_one_list() -> None:
    headers = [*preflight_headers(requested="x-token"), ("Access-Control-Request-Headers", "")]
    headers.append(("Access-Control-Request-Headers", "content-type"))
    assert call(middleware(), "OPTIONS", headers)[0] == 200
    headers.append(("Access-Control-Request-Headers", "x-other"))
    assert call(middleware(), "OPTIONS", headers)[0] == 400


def test_many_request_header_lines_are_refused_not_amplified() -> None:
    headers = preflight_headers(requested=None)
    headers += [("Access-Control-Request-Headers", ",")] * 5000
    assert call(middleware(), "OPTIONS", headers)[:3:2] == (400, b"Disallowed CORS headers")


def test_any_ok_status_may_be_chosen_and_gets_ok_as_its_body() -> None:
    status, headers, body = call(middleware(preflight_status=202), "OPTIONS", preflight_headers())
    assert (status, body) == (202, b"OK")
    assert values(headers, b"content-length") == [b"2"]


# -- Actual requests: never refused, headers only when allowed, Vary always ------------------


def test_an_allowed_origin_gets_the_cors_headers() -> None:
    app = RecordingApp()
    status, headers, body = call(middleware(app), "GET", [("Origin", APP_ORIGIN)])
    assert (status, body) == (200, b"app")
    assert values(headers, b"access-control-allow-origin") == [APP_ORIGIN.encode()]
    assert values(headers, b"access-control-allow-credentials") == [b"true"]
    assert values(headers, b"access-control-expose-headers") == [b"X-Request-Id"]
    assert values(headers, b"vary") == [b"Origin"]


@pytest.mark.parametrize(
    "origin",
    [None, OTHER_ORIGIN, "null", APP_ORIGIN + "/", APP_ORIGIN.upper(), APP_ORIGIN + ", x"],
)
def test_other_requests_reach_the_application_without_cors_headers(origin: str | None) -> None:
    app = RecordingApp()
    request_headers = [] if origin is None else [("Origin", origin)]
    status, headers, body = call(middleware(app), "GET", request_headers)
    assert (status, body) == (200, b"app")
    assert len(app.seen) == 1
    assert not [name for name, _ in headers if name.startswith(b"access-control-")]
    assert values(headers, b"vary") == [b"Origin"]


@pytest.mark.parametrize(
    ("app_vary", "expected"),
    [
        ([b"Accept-Encoding"], [b"Accept-Encoding, Origin"]),
        ([b"Accept-Encoding", b"Accept-Language"], [b"Accept-Encoding, Accept-Language, Origin"]),
        ([b"origin"], [b"origin"]),
        ([b"Accept, ORIGIN"], [b"Accept, ORIGIN"]),
        ([b"*"], [b"*"]),
        ([b""], [b"Origin"]),
    ],
)
def test_vary_is_merged_into_one_line_never_overwritten_or_duplicated(
    app_vary: list[bytes], expected: list[bytes]
) -> None:
    app = RecordingApp([(b"content-type", b"text/plain")] + [(b"vary", v) for v in app_vary])
    for origin in (APP_ORIGIN, OTHER_ORIGIN):
        _, headers, _ = call(middleware(app), "GET", [("Origin", origin)])
        assert values(headers, b"vary") == expected
        assert values(headers, b"content-type") == [b"text/plain"]


def test_the_applications_message_and_header_list_are_never_mutated() -> None:
    shared_headers = [(b"content-type", b"text/plain")]
    shared_start = {"type": "http.response.start", "status": 200, "headers": shared_headers}

    async def reusing_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        await send(shared_start)
        await send({"type": "http.response.body", "body": b""})

    cors = middleware(reusing_app)
    _, first, _ = call(cors, "GET", [("Origin", APP_ORIGIN)])
    _, second, _ = call(cors, "GET", [("Origin", OTHER_ORIGIN)])
    assert shared_headers == [(b"content-type", b"text/plain")]
    assert shared_start["headers"] is shared_headers
    assert values(first, b"access-control-allow-origin") == [APP_ORIGIN.encode()]
    assert values(second, b"access-control-allow-origin") == []


def test_response_headers_given_as_a_generator_are_read_once() -> None:
    async def generating(scope: dict[str, Any], receive: Any, send: Any) -> None:
        headers = ((name, value) for name, value in [(b"vary", b"Accept"), (b"x-a", b"1")])
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b""})

    _, headers, _ = call(middleware(generating), "GET", [("Origin", APP_ORIGIN)])
    assert values(headers, b"vary") == [b"Accept, Origin"]
    assert values(headers, b"x-a") == [b"1"]


def test_a_response_start_without_headers_still_gets_vary() -> None:
    async def bare(scope: dict[str, Any], receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 204})
        await send({"type": "http.response.body", "body": b""})

    _, headers, _ = call(middleware(bare), "GET", [("Origin", APP_ORIGIN)])
    assert values(headers, b"vary") == [b"Origin"]
    assert values(headers, b"access-control-allow-origin") == [APP_ORIGIN.encode()]


def test_a_header_list_returned_to_one_response_is_not_shared_with_the_next() -> None:
    cors = middleware()
    _, first, _ = call(cors, "GET", [("Origin", APP_ORIGIN)])
    first.append((b"x-mutated", b"yes"))
    _, second, _ = call(cors, "GET", [("Origin", APP_ORIGIN)])
    assert values(second, b"x-mutated") == []


@pytest.mark.parametrize("scope_type", ["websocket", "lifespan"])
def test_non_http_scopes_pass_through_untouched(scope_type: str) -> None:
    seen: list[tuple[dict[str, Any], Any]] = []

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        seen.append((scope, send))

    async def send(message: Any) -> None:
        return None

    scope = {"type": scope_type, "headers": [(b"origin", b"https://evil.example")]}
    asyncio.run(middleware(app)(scope, None, send))
    assert seen == [(scope, send)]


# -- Construction ---------------------------------------------------------------------------


def test_a_dangerous_configuration_is_refused_with_every_problem() -> None:
    with pytest.raises(PolicyError) as caught:
        CORSMiddleware(
            RecordingApp(),
            allow_origins=["*", "https://app.example.com/"],
            allow_credentials=True,
            allow_methods=["TRACE"],
        )
    assert caught.value.codes == (
        "wildcard-with-credentials",
        "origin-trailing-slash",
        "method-forbidden",
    )


def test_a_prebuilt_policy_can_be_shared_but_not_mixed_with_keywords() -> None:
    policy = Policy(allow_origins=[APP_ORIGIN])
    first, second = (
        CORSMiddleware(RecordingApp(), policy=policy),
        CORSMiddleware(RecordingApp(), policy=policy),
    )
    assert first.policy is second.policy is policy
    with pytest.raises(TypeError):
        CORSMiddleware(RecordingApp(), policy=policy, preflight_status=200)


def test_starlettes_positional_order_is_kept() -> None:
    cors = CORSMiddleware(RecordingApp(), [APP_ORIGIN], ["GET", "PATCH"], ["X-Token"], True)
    assert cors.policy.options()["allow_methods"] == ("GET", "PATCH")
    assert cors.policy.allow_credentials


# -- Drop-in use in Starlette and FastAPI, and per-route policies ---------------------------


def homepage(request: Request) -> Response:
    return PlainTextResponse("home")


def test_starlette_add_middleware() -> None:
    app = Starlette(routes=[Route("/", homepage, methods=["GET", "PUT"])])
    app.add_middleware(
        CORSMiddleware, allow_origins=[APP_ORIGIN], allow_methods=["PUT"], allow_credentials=True
    )
    client = TestClient(app)
    response = client.get("/", headers={"Origin": APP_ORIGIN})
    assert response.headers["access-control-allow-origin"] == APP_ORIGIN
    assert response.headers["vary"] == "Origin"
    preflight = client.options(
        "/", headers={"Origin": APP_ORIGIN, "Access-Control-Request-Method": "PUT"}
    )
    assert preflight.status_code == 200


def test_fastapi_add_middleware() -> None:
    fastapi = pytest.importorskip("fastapi")
    app = fastapi.FastAPI()

    @app.get("/items")
    def items() -> dict[str, int]:
        return {"count": 1}

    app.add_middleware(CORSMiddleware, allow_origins=[APP_ORIGIN], allow_headers=["X-Token"])
    client = TestClient(app)
    response = client.get("/items", headers={"Origin": APP_ORIGIN})
    assert response.json() == {"count": 1}
    assert response.headers["access-control-allow-origin"] == APP_ORIGIN
    denied = client.get("/items", headers={"Origin": OTHER_ORIGIN})
    assert "access-control-allow-origin" not in denied.headers
    assert denied.headers["vary"] == "Origin"
    preflight = client.options(
        "/items",
        headers={
            "Origin": APP_ORIGIN,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "x-token",
        },
    )
    assert preflight.status_code == 200


def test_per_route_policies_with_mount_and_route_middleware() -> None:
    public = CORSMiddleware(
        Starlette(routes=[Route("/data", homepage)]), allow_origins=["*"], max_age=None
    )
    private_route = Route(
        "/account",
        homepage,
        methods=["GET", "OPTIONS"],
        middleware=[Middleware(CORSMiddleware, allow_origins=[APP_ORIGIN], allow_credentials=True)],
    )
    client = TestClient(Starlette(routes=[Mount("/public", app=public), private_route]))

    from_other = {"Origin": OTHER_ORIGIN}
    assert (
        client.get("/public/data", headers=from_other).headers["access-control-allow-origin"] == "*"
    )
    assert "access-control-allow-origin" not in client.get("/account", headers=from_other).headers
    account = client.get("/account", headers={"Origin": APP_ORIGIN})
    assert account.headers["access-control-allow-origin"] == APP_ORIGIN
    assert account.headers["access-control-allow-credentials"] == "true"
    preflight = client.options(
        "/account", headers={"Origin": APP_ORIGIN, "Access-Control-Request-Method": "GET"}
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == APP_ORIGIN
    assert client.get("/other", headers=from_other).status_code == 404
