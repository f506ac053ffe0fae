"""``crossorigin demo``: the classic CORS mistakes, live on loopback, each diagnosed by check.

A small bundled API (standard library ``http.server``, in a thread, 127.0.0.1, port 0) makes
one classic mistake per route, each imitating the headers of a stack that typically makes
it, so that stack detection and the per-stack fix show as they would against a real server.
A tiny dev proxy (a second server) stands in front of a correct route and drops
``Access-Control-Allow-Origin``. Every case is run through the same probe as ``crossorigin
check``, with ``api.test`` and ``proxy.test`` mapped to 127.0.0.1 (``--resolve``): no network
is needed.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import shlex
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from crossorigin.engine import FetchRequest

__all__ = ["CASES", "DemoCase", "DemoServers", "check_command", "demo_request", "running", "select"]

PAGE_ORIGIN = "http://app.test"
DEV_PAGE_ORIGIN = "http://localhost:5173"
API_HOST = "api.test"
PROXY_HOST = "proxy.test"

Headers = list[tuple[str, str]]
Answer = tuple[int, Headers, bytes]


@dataclass(frozen=True, slots=True)
class DemoCase:
    """One mistake: the page's request, the route that makes the mistake, what it imitates,
    and the CorsError the browser reports."""

    name: str
    title: str
    mistake: str
    imitates: str
    expect: str
    path: str
    method: str = "GET"
    headers: tuple[tuple[str, str], ...] = ()
    credentials: str = "same-origin"
    body: str | None = None
    via_proxy: bool = False

    @property
    def page_origin(self) -> str:
        return DEV_PAGE_ORIGIN if self.via_proxy else PAGE_ORIGIN


CASES: tuple[DemoCase, ...] = (
    DemoCase(
        "no-allow-origin",
        "No Access-Control-Allow-Origin",
        "The API never sends CORS headers (no CORS middleware installed).",
        "Django (runserver)",
        "kMissingAllowOriginHeader",
        "/v1/products",
    ),
    DemoCase(
        "wildcard-with-credentials",
        "Access-Control-Allow-Origin: * with credentials",
        "The page sends cookies (credentials: 'include') and the API answers '*'.",
        "FastAPI (uvicorn)",
        "kWildcardOriginNotAllowed",
        "/v1/me",
        credentials="include",
    ),
    DemoCase(
        "authorization-not-allowed",
        "Authorization missing from Access-Control-Allow-Headers",
        "The preflight allows Content-Type only, and the page sends a bearer token.",
        "Flask (Werkzeug)",
        "kHeaderDisallowedByPreflightResponse",
        "/v1/orders",
        headers=(("Authorization", "Bearer demo-token"),),
    ),
    DemoCase(
        "put-not-allowed",
        "PUT missing from Access-Control-Allow-Methods",
        "The CORS middleware lists GET and POST only; the page updates with PUT.",
        "Express (cors package)",
        "kMethodDisallowedByPreflightResponse",
        "/v1/products/42",
        method="PUT",
        headers=(("Content-Type", "application/json"),),
        body='{"name": "Kettle", "price": 25}',
    ),
    DemoCase(
        "preflight-404",
        "The preflight is answered 404 by the router",
        "Headers are added to every response, but the router has no OPTIONS route.",
        "ASP.NET Core (Kestrel)",
        "kPreflightInvalidStatus",
        "/v1/products/42/reviews",
        method="DELETE",
    ),
    DemoCase(
        "error-page-without-cors",
        "A 500 error page without CORS headers",
        "nginx adds the CORS headers with add_header but without 'always', so the "
        "upstream's 500 error goes out without them.",
        "nginx in front of an app",
        "kMissingAllowOriginHeader",
        "/v1/checkout",
        method="POST",
        headers=(("Content-Type", "application/json"),),
        body='{"cart": 7}',
    ),
    DemoCase(
        "dev-proxy-drops-header",
        "A dev proxy drops the header",
        "The API is configured correctly, but the proxy in front of it (proxy.test) "
        "removes Access-Control-Allow-Origin from the answer.",
        "a correct FastAPI app behind a proxy",
        "kMissingAllowOriginHeader",
        "/v1/catalog",
        via_proxy=True,
    ),
)


# -- the bundled API -----------------------------------------------------------------------


def _json(value: object) -> bytes:
    return json.dumps(value).encode()


def _django_like(origin: str | None, method: str) -> Answer:
    headers = [
        ("Server", "WSGIServer/0.2 CPython/3.11.7"),
        ("Content-Type", "application/json"),
        ("X-Frame-Options", "DENY"),
        ("Vary", "Cookie"),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "same-origin"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
    ]
    return 200, headers, _json([{"id": 42, "name": "Kettle"}, {"id": 43, "name": "Teapot"}])


def _uvicorn_wildcard(origin: str | None, method: str) -> Answer:
    headers = [
        ("server", "uvicorn"),
        ("content-type", "application/json"),
        ("access-control-allow-origin", "*"),
        ("access-control-allow-credentials", "true"),
    ]
    return 200, headers, _json({"user": "ada", "plan": "pro"})


def _flask_orders(origin: str | None, method: str) -> Answer:
    headers = [("Server", "Werkzeug/3.1.3 Python/3.11.7")]
    if origin:
        headers += [("Access-Control-Allow-Origin", origin), ("Vary", "Origin")]
    if method == "OPTIONS":
        headers += [
            ("Allow", "GET, HEAD, OPTIONS"),
            ("Access-Control-Allow-Methods", "GET, POST, OPTIONS"),
            ("Access-Control-Allow-Headers", "Content-Type"),
            ("Content-Type", "text/html; charset=utf-8"),
        ]
        return 200, headers, b""
    headers.append(("Content-Type", "application/json"))
    return 200, headers, _json([{"order": 1001, "total": 59.0}])


def _express_product(origin: str | None, method: str) -> Answer:
    headers = [("X-Powered-By", "Express")]
    if origin:
        headers += [("Access-Control-Allow-Origin", origin), ("Vary", "Origin")]
    if method == "OPTIONS":
        headers += [
            ("Access-Control-Allow-Methods", "GET,POST"),
            ("Access-Control-Allow-Headers", "Content-Type"),
            ("Content-Length", "0"),
        ]
        return 204, headers, b""
    headers.append(("Content-Type", "application/json; charset=utf-8"))
    return 200, headers, _json({"id": 42, "name": "Kettle", "price": 25})


def _kestrel_reviews(origin: str | None, method: str) -> Answer:
    headers = [("Server", "Kestrel")]
    if origin:
        # A hand-written middleware adds these to every response, before routing runs.
        headers += [
            ("Access-Control-Allow-Origin", origin),
            ("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE"),
            ("Vary", "Origin"),
        ]
    if method == "OPTIONS":
        return 404, headers, b""
    headers.append(("Content-Type", "application/json; charset=utf-8"))
    return 204, headers, b""


_NGINX_500 = (
    b"<html>\r\n<head><title>500 Internal Server Error</title></head>\r\n<body>\r\n"
    b"<center><h1>500 Internal Server Error</h1></center>\r\n"
    b"<hr><center>nginx/1.26.2</center>\r\n</body>\r\n</html>\r\n"
)


def _nginx_checkout(origin: str | None, method: str) -> Answer:
    headers = [("Server", "nginx/1.26.2")]
    if method == "OPTIONS":
        if origin:
            headers += [
                ("Access-Control-Allow-Origin", origin),
                ("Access-Control-Allow-Methods", "GET, POST, OPTIONS"),
                ("Access-Control-Allow-Headers", "Content-Type"),
                ("Access-Control-Max-Age", "600"),
                ("Vary", "Origin"),
            ]
        return 204, headers, b""
    # The upstream failed; add_header (without 'always') skips error responses.
    headers.append(("Content-Type", "text/html"))
    return 500, headers, _NGINX_500


def _correct_catalog(origin: str | None, method: str) -> Answer:
    headers = [("server", "uvicorn"), ("content-type", "application/json")]
    if origin in (DEV_PAGE_ORIGIN, PAGE_ORIGIN):
        headers += [("access-control-allow-origin", origin), ("vary", "Origin")]
    return 200, headers, _json([{"sku": "K-1", "name": "Kettle"}])


_ROUTES: dict[str, Callable[[str | None, str], Answer]] = {
    "/v1/products": _django_like,
    "/v1/me": _uvicorn_wildcard,
    "/v1/orders": _flask_orders,
    "/v1/products/42": _express_product,
    "/v1/products/42/reviews": _kestrel_reviews,
    "/v1/checkout": _nginx_checkout,
    "/v1/catalog": _correct_catalog,
}


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Status"


class _Handler(BaseHTTPRequestHandler):
    """Writes each answer's header lines exactly as the route gives them."""

    protocol_version = "HTTP/1.1"
    routes: dict[str, Callable[[str | None, str], Answer]] = _ROUTES

    def log_message(self, format: str, *args: object) -> None:
        pass  # the demo prints its own trace

    def handle_one_request(self) -> None:
        # Answer every method name (http.server only dispatches do_<METHOD>).
        self.raw_requestline = self.rfile.readline(65537)
        if not self.raw_requestline:
            self.close_connection = True
            return
        if not self.parse_request():
            return
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        route = self.routes.get(self.path.split("?", 1)[0])
        if route is None:
            answer: Answer = (404, [("Content-Type", "text/plain")], b"Not Found")
        else:
            answer = route(self.headers.get("Origin"), self.command)
        self._write(*answer)

    def _write(self, status: int, headers: Headers, body: bytes) -> None:
        lines = [f"HTTP/1.1 {status} {_reason(status)}", *(f"{n}: {v}" for n, v in headers)]
        if not any(name.lower() == "content-length" for name, _ in headers):
            lines.append(f"Content-Length: {len(body)}")
        payload = b"" if self.command == "HEAD" else body
        self.wfile.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + payload)
        self.wfile.flush()


# Hop-by-hop headers (RFC 9110 §7.6.1) a proxy does not forward.
_HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-connection",
        "transfer-encoding",
        "upgrade",
        "te",
        "trailer",
        "content-length",
    }
)


def _proxy_handler(upstream_port: int) -> type[_Handler]:
    class ProxyHandler(_Handler):
        """A dev proxy in front of the API: forwards /api/* to /v1/* and, wrongly, drops
        Access-Control-Allow-Origin from the answer."""

        def handle_one_request(self) -> None:
            self.raw_requestline = self.rfile.readline(65537)
            if not self.raw_requestline:
                self.close_connection = True
                return
            if not self.parse_request():
                return
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            path = self.path.replace("/api/", "/v1/", 1)
            headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
            connection = http.client.HTTPConnection("127.0.0.1", upstream_port, timeout=10)
            try:
                connection.request(self.command, path, body=body, headers=headers)
                upstream = connection.getresponse()
                data = upstream.read()
                kept = [
                    (name, value)
                    for name, value in upstream.getheaders()
                    if name.lower() not in _HOP_BY_HOP
                    and name.lower() != "access-control-allow-origin"
                ]
                kept.append(("Via", "1.1 dev-proxy"))
                self._write(upstream.status, kept, data)
            finally:
                connection.close()

    return ProxyHandler


class DemoServers:
    """The demo API and its dev proxy, listening on 127.0.0.1 (port 0) in threads."""

    def __init__(self, api_port: int = 0, proxy_port: int = 0) -> None:
        self.api = ThreadingHTTPServer(("127.0.0.1", api_port), _Handler)
        try:
            self.proxy = ThreadingHTTPServer(
                ("127.0.0.1", proxy_port), _proxy_handler(self.api_port)
            )
        except OSError:
            self.api.server_close()
            raise
        self._threads: list[threading.Thread] = []
        for server in (self.api, self.proxy):
            server.daemon_threads = True
            thread = threading.Thread(
                target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
            )
            thread.start()
            self._threads.append(thread)

    @property
    def api_port(self) -> int:
        return int(self.api.server_address[1])

    @property
    def proxy_port(self) -> int:
        return int(self.proxy.server_address[1])

    @property
    def resolve(self) -> dict[tuple[str, int], str]:
        """The --resolve table: api.test and proxy.test at 127.0.0.1."""
        return {(API_HOST, self.api_port): "127.0.0.1", (PROXY_HOST, self.proxy_port): "127.0.0.1"}

    def url(self, case: DemoCase) -> str:
        if case.via_proxy:
            return f"http://{PROXY_HOST}:{self.proxy_port}{case.path.replace('/v1/', '/api/', 1)}"
        return f"http://{API_HOST}:{self.api_port}{case.path}"

    def close(self) -> None:
        for server in (self.proxy, self.api):
            server.shutdown()
            server.server_close()
        for thread in self._threads:
            thread.join(5)


@contextlib.contextmanager
def running(api_port: int = 0, proxy_port: int = 0) -> Iterator[DemoServers]:
    servers = DemoServers(api_port, proxy_port)
    try:
        yield servers
    finally:
        servers.close()


def demo_request(case: DemoCase, servers: DemoServers) -> FetchRequest:
    """The page's fetch() for a case."""
    return FetchRequest(
        page_origin=case.page_origin,
        url=servers.url(case),
        method=case.method,
        headers=case.headers,
        credentials=case.credentials,  # type: ignore[arg-type]
        body=case.body,
    )


def check_command(case: DemoCase, servers: DemoServers) -> str:
    """The ``crossorigin check`` command line that reproduces a case against the servers."""
    args = ["crossorigin", "check", servers.url(case), "--origin", case.page_origin]
    if case.method != ("POST" if case.body is not None else "GET"):
        args += ["-X", case.method]
    for name, value in case.headers:
        args += ["-H", f"{name}: {value}"]
    if case.body is not None:
        args += ["-d", case.body]
    if case.credentials != "same-origin":
        args += ["--credentials", case.credentials]
    host, port = (
        (PROXY_HOST, servers.proxy_port) if case.via_proxy else (API_HOST, servers.api_port)
    )
    args += ["--resolve", f"{host}:{port}:127.0.0.1"]
    return shlex.join(args)


def select(names: Sequence[str]) -> tuple[DemoCase, ...]:
    """The cases named (all when none); raises KeyError naming an unknown one."""
    if not names:
        return CASES
    by_name = {case.name: case for case in CASES}
    chosen = []
    for name in names:
        if name.isdigit() and 1 <= int(name) <= len(CASES):
            chosen.append(CASES[int(name) - 1])
        elif name in by_name:
            chosen.append(by_name[name])
        else:
            raise KeyError(name)
    return tuple(chosen)
