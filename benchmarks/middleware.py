"""Middleware overhead: microseconds per request, in process, by kind of request.

Every implementation is called directly - the ASGI callable with a no-op ``send`` (the
coroutine is stepped by hand: nothing in it really awaits, so no event loop is timed), the
WSGI callable with a no-op ``start_response`` - never through a server or a test client. Each
runs with 1 and with 10,000 configured origins (the allowed origin is the last one listed).

Rows: framework x kind x origin count. Columns: the bare application's cost, then each
implementation's *overhead* over it, then ratios: crossorigin's overhead over the floor's
("co/floor", the target is at most 2) and each peer's overhead over crossorigin's
("<peer>/co", the target is at least 3 for Starlette). Last, crossorigin's flatness: its
overhead with 10,000 origins over its overhead with 1.

Timing: CPU time of the benchmark's own thread (``time.thread_time_ns``), so time spent
descheduled on a busy machine is not counted. Each request kind runs every implementation
(the bare app included) in turn, for several rounds of about 20 ms of CPU each; the fastest
round counts. Compare columns of one run rather than separate runs.

The floor is a hand-written wrapper doing the least a correct middleware can do: find
Origin, answer preflights from precomputed headers after checking the method and the
requested headers (with a length cap), and append Vary: Origin plus, when allowed,
Access-Control-Allow-Origin/-Credentials to every other response.

    .venv/bin/python benchmarks/middleware.py [--quick] [--framework asgi]

Adding a framework (Flask, Django, ...): build a :class:`Framework` - how to make its bare
app, how to wrap it in each implementation, how to turn a :class:`Request` into one call -
and append it to ``FRAMEWORKS`` (or call :func:`register`). The table picks it up.
"""

from __future__ import annotations

import argparse
import functools
import gc
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

KINDS = (
    "no Origin",
    "simple allowed",
    "simple denied",
    "preflight allowed",
    "preflight denied",
    "preflight 8 KiB commas",
)
ORIGIN_COUNTS = (1, 10_000)
ALLOWED_HEADERS = ("X-Request-Id", "Authorization")
ALLOWED_METHODS = ("GET", "PUT", "DELETE")
DENIED_ORIGIN = "https://evil.example.net"


@dataclass(frozen=True)
class Request:
    """One benchmark request, in plain values; frameworks turn it into their own call."""

    method: str
    path: str
    headers: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Config:
    """The CORS configuration every implementation is given."""

    origins: tuple[str, ...]
    methods: tuple[str, ...] = ALLOWED_METHODS
    headers: tuple[str, ...] = ALLOWED_HEADERS
    credentials: bool = True

    @property
    def allowed_origin(self) -> str:
        return self.origins[-1]


def make_config(count: int) -> Config:
    origins = tuple(f"https://app{i}.example.com" for i in range(count - 1))
    return Config(origins=(*origins, "https://app.example.com"))


# A Chromium-like header set (order as Chromium sends it).
_COMMON = (
    ("host", "api.example.com"),
    ("connection", "keep-alive"),
    ("sec-ch-ua", '"Chromium";v="156", "Not)A;Brand";v="24"'),
    ("sec-ch-ua-mobile", "?0"),
    ("sec-ch-ua-platform", '"Linux"'),
    ("user-agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/156.0 Safari"),
    ("accept", "*/*"),
)
_TAIL = (
    ("sec-fetch-site", "cross-site"),
    ("sec-fetch-mode", "cors"),
    ("sec-fetch-dest", "empty"),
    ("referer", "https://app.example.com/"),
    ("accept-encoding", "gzip, deflate, br, zstd"),
    ("accept-language", "en-US,en;q=0.9"),
)


def make_request(kind: str, config: Config) -> Request:
    allowed = config.allowed_origin
    if kind == "no Origin":
        return Request("GET", "/", (*_COMMON, *_TAIL))
    if kind.startswith("simple"):
        origin = allowed if kind == "simple allowed" else DENIED_ORIGIN
        return Request("GET", "/", (*_COMMON, ("origin", origin), *_TAIL))
    origin = DENIED_ORIGIN if kind == "preflight denied" else allowed
    requested = "," * 8192 if kind == "preflight 8 KiB commas" else "authorization,x-request-id"
    headers = (
        *_COMMON[:2],
        ("accept", "*/*"),
        ("access-control-request-method", "PUT"),
        ("access-control-request-headers", requested),
        ("origin", origin),
        _COMMON[5],
        *_TAIL,
    )
    return Request("OPTIONS", "/", headers)


Handler = Any  # an ASGI or WSGI callable
Wrapper = Callable[[Handler, Config], Handler]


@dataclass
class Framework:
    """One framework's rows: its bare app, its implementations, and how to call them."""

    name: str
    bare: Callable[[], Handler]
    implementations: dict[str, Wrapper]  # name -> wrap(bare_app, config); "crossorigin" required
    prepare: Callable[[Request], Any]  # Request -> what ``call`` takes (built once, untimed)
    call: Callable[[Handler, Any], None]
    floor: str | None = None  # which implementation is the floor, if any
    peers: tuple[str, ...] = field(default=())


# -- ASGI ------------------------------------------------------------------------------------


async def _asgi_receive() -> dict[str, Any]:  # pragma: no cover - the apps never read
    return {"type": "http.request", "body": b"", "more_body": False}


async def _asgi_send(message: Any) -> None:
    return None


def asgi_bare() -> Handler:
    start = {"type": "http.response.start", "status": 200}
    body = {"type": "http.response.body", "body": b"Hello, World!", "more_body": False}

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        await send(
            {**start, "headers": [(b"content-type", b"text/plain"), (b"content-length", b"13")]}
        )
        await send(body)

    return app


def asgi_prepare(request: Request) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": request.method,
        "scheme": "https",
        "path": request.path,
        "raw_path": request.path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(n.encode("latin-1"), v.encode("latin-1")) for n, v in request.headers],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 443),
    }


def asgi_call(app: Handler, scope: dict[str, Any]) -> None:
    coroutine: Coroutine[Any, Any, None] = app(scope, _asgi_receive, _asgi_send)
    try:
        coroutine.send(None)
    except StopIteration:
        return
    raise RuntimeError("the application awaited something real")  # pragma: no cover


class AsgiFloor:
    """The least a correct CORS middleware can do (see the module docstring)."""

    def __init__(self, app: Handler, config: Config) -> None:
        self.app = app
        self.origins = frozenset(o.encode() for o in config.origins)
        self.methods = frozenset(m.encode() for m in ("GET", "HEAD", "POST", *config.methods))
        allowed = {h.lower().encode() for h in config.headers}
        allowed |= {b"accept", b"accept-language", b"content-language", b"content-type"}
        self.allowed_headers = frozenset(allowed)
        self.cap = sum(len(h) + 3 for h in allowed) + 16
        self.preflight_tail = [
            (b"access-control-allow-credentials", b"true"),
            (b"access-control-allow-methods", b",".join(m.encode() for m in config.methods)),
            (b"access-control-allow-headers", b",".join(sorted(allowed))),
            (b"access-control-max-age", b"600"),
        ]

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        origin = None
        if scope["method"] == "OPTIONS":
            method = requested = None
            for name, value in scope["headers"]:
                if name == b"origin":
                    origin = value
                elif name == b"access-control-request-method":
                    method = value
                elif name == b"access-control-request-headers":
                    requested = value
            if origin is not None and method is not None:
                ok = origin in self.origins and method in self.methods
                if ok and requested:
                    ok = len(requested) <= self.cap and all(
                        h.strip().lower() in self.allowed_headers for h in requested.split(b",")
                    )
                if ok:
                    headers = [(b"access-control-allow-origin", origin), *self.preflight_tail]
                    await send({"type": "http.response.start", "status": 204, "headers": headers})
                else:
                    await send({"type": "http.response.start", "status": 403, "headers": []})
                await send({"type": "http.response.body", "body": b""})
                return
        else:
            for name, value in scope["headers"]:
                if name == b"origin":
                    origin = value
                    break
        allowed = origin is not None and origin in self.origins

        async def send_wrapper(message: Any) -> None:
            if message["type"] == "http.response.start":
                extra = [(b"vary", b"Origin")]
                if allowed:
                    extra.append((b"access-control-allow-origin", origin))
                    extra.append((b"access-control-allow-credentials", b"true"))
                message["headers"] = [*message.get("headers", ()), *extra]
            await send(message)

        await self.app(scope, receive, send_wrapper)


def asgi_crossorigin(app: Handler, config: Config) -> Handler:
    from crossorigin.asgi import CORSMiddleware

    return CORSMiddleware(
        app,
        allow_origins=config.origins,
        allow_methods=config.methods,
        allow_headers=config.headers,
        allow_credentials=config.credentials,
    )


def asgi_starlette(app: Handler, config: Config) -> Handler:
    from starlette.middleware.cors import CORSMiddleware

    return CORSMiddleware(
        app,
        allow_origins=list(config.origins),
        allow_methods=config.methods,
        allow_headers=config.headers,
        allow_credentials=config.credentials,
    )


ASGI = Framework(
    name="asgi",
    bare=asgi_bare,
    implementations={
        "floor": AsgiFloor,
        "crossorigin": asgi_crossorigin,
        "starlette": asgi_starlette,
    },
    prepare=asgi_prepare,
    call=asgi_call,
    floor="floor",
    peers=("starlette",),
)


# -- WSGI ------------------------------------------------------------------------------------


def _start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
    return None


def wsgi_bare() -> Handler:
    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "13")])
        return [b"Hello, World!"]

    return app


def wsgi_prepare(request: Request) -> dict[str, Any]:
    environ: dict[str, Any] = {
        "REQUEST_METHOD": request.method,
        "SCRIPT_NAME": "",
        "PATH_INFO": request.path,
        "QUERY_STRING": "",
        "SERVER_NAME": "api.example.com",
        "SERVER_PORT": "443",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "https",
    }
    for name, value in request.headers:
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    return environ


def wsgi_call(app: Handler, environ: dict[str, Any]) -> None:
    app(environ, _start_response)


def wsgi_crossorigin(app: Handler, config: Config) -> Handler:
    from crossorigin.wsgi import CORSMiddleware

    return CORSMiddleware(
        app,
        allow_origins=config.origins,
        allow_methods=config.methods,
        allow_headers=config.headers,
        allow_credentials=config.credentials,
    )


WSGI = Framework(
    name="wsgi",
    bare=wsgi_bare,
    implementations={"crossorigin": wsgi_crossorigin},
    prepare=wsgi_prepare,
    call=wsgi_call,
)

FRAMEWORKS: list[Framework] = [ASGI, WSGI]


def register(framework: Framework) -> None:
    """Add a framework's rows to the table (Flask, Django, ...)."""
    FRAMEWORKS.append(framework)


# -- Measurement -----------------------------------------------------------------------------


def calibrate(call: Callable[[], None], seconds: float) -> int:
    """How many calls take about ``seconds`` (at least 20), after a warm-up."""
    count = 10
    while True:
        start = time.thread_time()
        for _ in range(count):
            call()
        elapsed = time.thread_time() - start
        if elapsed > seconds / 4 or count >= 1_000_000:
            return max(20, int(count * seconds / max(elapsed, 1e-9)))
        count *= 4


def time_interleaved(
    calls: dict[str, Callable[[], None]], rounds: int, seconds: float
) -> dict[str, float]:
    """Microseconds per call for each callable: the fastest of ``rounds`` interleaved rounds.

    Every round times each callable once, one after the other, so a burst of load on a shared
    machine hits all of them alike; the minimum is the run least disturbed.
    """
    numbers = {name: calibrate(call, seconds) for name, call in calls.items()}
    best = {name: float("inf") for name in calls}
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(rounds):
            for name, call in calls.items():
                number = numbers[name]
                start = time.thread_time_ns()
                for _ in range(number):
                    call()
                best[name] = min(best[name], (time.thread_time_ns() - start) / number / 1000)
    finally:
        if gc_was_enabled:
            gc.enable()
    return best


@dataclass
class Row:
    framework: str
    kind: str
    origins: int
    bare: float
    overhead: dict[str, float]


def measure(framework: Framework, rounds: int, seconds: float) -> list[Row]:
    rows = []
    for count in ORIGIN_COUNTS:
        config = make_config(count)
        apps = {"": framework.bare()}
        for name, wrap in framework.implementations.items():
            apps[name] = wrap(framework.bare(), config)
        for kind in KINDS:
            prepared = framework.prepare(make_request(kind, config))
            calls = {
                name: functools.partial(framework.call, app, prepared) for name, app in apps.items()
            }
            costs = time_interleaved(calls, rounds, seconds)
            bare = costs.pop("")
            overhead = {name: cost - bare for name, cost in costs.items()}
            rows.append(Row(framework.name, kind, count, bare, overhead))
    return rows


def render(frameworks: list[Framework], rows: list[Row]) -> str:
    names: list[str] = []
    for framework in frameworks:
        for name in framework.implementations:
            if name not in names:
                names.append(name)
    ratio_columns: list[tuple[str, str, str]] = []  # (title, numerator, denominator)
    for framework in frameworks:
        if framework.floor and ("co/floor", "crossorigin", framework.floor) not in ratio_columns:
            ratio_columns.append(("co/floor", "crossorigin", framework.floor))
        for peer in framework.peers:
            column = (f"{peer}/co", peer, "crossorigin")
            if column not in ratio_columns:
                ratio_columns.append(column)
    header = ["framework", "kind", "origins", "bare µs", *(f"+{n} µs" for n in names)]
    header += [title for title, _, _ in ratio_columns]
    table = [header]
    for row in rows:
        cells = [row.framework, row.kind, f"{row.origins:,}", f"{row.bare:.2f}"]
        cells += [f"{row.overhead[n]:.2f}" if n in row.overhead else "" for n in names]
        for _, numerator, denominator in ratio_columns:
            if numerator in row.overhead and denominator in row.overhead:
                low = max(row.overhead[denominator], 0.01)
                cells.append(f"{row.overhead[numerator] / low:.1f}x")
            else:
                cells.append("")
        table.append(cells)
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    lines = []
    for index, cells in enumerate(table):
        lines.append(
            "  ".join(
                c.ljust(w) if i < 2 else c.rjust(w)
                for i, (c, w) in enumerate(zip(cells, widths, strict=True))
            )
        )
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    flat = []
    by_key = {(r.framework, r.kind, r.origins): r for r in rows}
    for framework in frameworks:
        for kind in KINDS:
            one = by_key.get((framework.name, kind, ORIGIN_COUNTS[0]))
            many = by_key.get((framework.name, kind, ORIGIN_COUNTS[-1]))
            if one and many and "crossorigin" in one.overhead:
                base = max(one.bare + one.overhead["crossorigin"], 0.01)
                flat.append(
                    f"  {framework.name:<8} {kind:<24} "
                    f"{(many.bare + many.overhead['crossorigin']) / base:.2f}"
                )
    lines.append("")
    lines.append(
        f"crossorigin, total cost with {ORIGIN_COUNTS[-1]:,} origins / with {ORIGIN_COUNTS[0]}:"
    )
    lines.extend(flat)
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="fewer, shorter rounds")
    parser.add_argument("--framework", action="append", help="only these frameworks")
    args = parser.parse_args(argv)
    rounds, seconds = (3, 0.005) if args.quick else (9, 0.02)
    frameworks = [f for f in FRAMEWORKS if not args.framework or f.name in args.framework]
    rows: list[Row] = []
    for framework in frameworks:
        rows += measure(framework, rounds, seconds)
    print(render(frameworks, rows))
    return 0


# -- Flask and Django (section owned by the Django/Flask adapters) ---------------------------
# Each framework's real WSGI app, called directly with a no-op start_response (no test client),
# its response iterated and closed as a server would. Peers: flask-cors and django-cors-headers,
# given the same Config.


def _framework_prepare(request: Request) -> dict[str, Any]:
    import io
    import sys

    environ = wsgi_prepare(request)
    environ.update({"wsgi.input": io.BytesIO(b""), "wsgi.errors": sys.stderr, "CONTENT_LENGTH": ""})
    return environ


def _framework_call(app: Handler, environ: dict[str, Any]) -> None:
    environ["wsgi.input"].seek(0)
    result = app(environ, _start_response)
    for _chunk in result:
        pass
    close = getattr(result, "close", None)
    if close is not None:
        close()


def flask_bare() -> Handler:
    from flask import Flask

    app = Flask("bench")
    app.add_url_rule("/", "index", lambda: "Hello, World!", methods=["GET", "PUT", "DELETE"])
    return app


def _flask_options(config: Config) -> dict[str, Any]:
    return {
        "origins": list(config.origins),
        "methods": list(config.methods),
        "allow_headers": list(config.headers),
        "supports_credentials": config.credentials,
    }


def flask_crossorigin(app: Handler, config: Config) -> Handler:
    from crossorigin.flask import CORS

    CORS(app, **_flask_options(config))
    return app


def flask_flask_cors(app: Handler, config: Config) -> Handler:
    import logging

    from flask_cors import CORS

    logging.getLogger("flask_cors").setLevel(logging.WARNING)  # its default
    CORS(app, **_flask_options(config))
    return app


FLASK = Framework(
    name="flask",
    bare=flask_bare,
    implementations={"crossorigin": flask_crossorigin, "flask-cors": flask_flask_cors},
    prepare=_framework_prepare,
    call=_framework_call,
    peers=("flask-cors",),
)


def _django_setup() -> None:
    import logging
    import sys
    import types

    import django
    from django.conf import settings

    if settings.configured:
        return
    urls = types.ModuleType("bench_django_urls")
    sys.modules[urls.__name__] = urls
    settings.configure(
        DEBUG=False,
        SECRET_KEY="benchmark",
        ALLOWED_HOSTS=["*"],
        INSTALLED_APPS=[],
        MIDDLEWARE=[],
        ROOT_URLCONF=urls.__name__,
        DATABASES={},
        USE_TZ=True,
        LOGGING_CONFIG=None,
    )
    django.setup()
    from django.http import HttpResponse
    from django.urls import path

    urls.urlpatterns = [path("", lambda request: HttpResponse("Hello, World!"))]  # type: ignore[attr-defined]
    # Django logs every 4xx at WARNING ("Forbidden: /" for a refused preflight); that is the
    # application's logging cost, not the middleware's.
    logging.getLogger("django.request").setLevel(logging.ERROR)


def _django_handler(middleware: list[str], config: Config | None) -> Handler:
    _django_setup()
    from django.core.handlers.wsgi import WSGIHandler
    from django.test.utils import override_settings

    if config is not None:
        # Both middleware read django-cors-headers' setting names; enable() fires
        # setting_changed, so crossorigin rebuilds its policy for this Config.
        override_settings(
            CORS_ALLOWED_ORIGINS=list(config.origins),
            CORS_ALLOW_METHODS=list(config.methods),
            CORS_ALLOW_HEADERS=list(config.headers),
            CORS_ALLOW_CREDENTIALS=config.credentials,
        ).enable()
    with override_settings(MIDDLEWARE=middleware):
        return WSGIHandler()


def django_bare() -> Handler:
    return _django_handler([], None)


def django_crossorigin(app: Handler, config: Config) -> Handler:
    return _django_handler(["crossorigin.django.CorsMiddleware"], config)


def django_cors_headers(app: Handler, config: Config) -> Handler:
    return _django_handler(["corsheaders.middleware.CorsMiddleware"], config)


DJANGO = Framework(
    name="django",
    bare=django_bare,
    implementations={
        "crossorigin": django_crossorigin,
        "django-cors-headers": django_cors_headers,
    },
    prepare=_framework_prepare,
    call=_framework_call,
    peers=("django-cors-headers",),
)

register(FLASK)
register(DJANGO)


if __name__ == "__main__":
    raise SystemExit(main())
