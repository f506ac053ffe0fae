"""Which server stack answered: guessed from response headers and error-page bodies.

The doctor shows the fix for the stack it detects (``Server``, ``X-Powered-By``, the headers
and error bodies frameworks are known to produce), and tells the page's dev server (Vite,
webpack-dev-server, Next.js, Create React App) from the page origin's port, so that it can
offer the dev-proxy alternative. Stack ids are those of :mod:`crossorigin.doctor.fixes`.
Pure functions over plain values.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from crossorigin.engine import HttpResponse
from crossorigin.origin import OriginError, parse_origin

__all__ = [
    "COMMON_STACKS",
    "Detection",
    "DevServer",
    "detect_dev_server",
    "detect_stacks",
]

# Shown when nothing in the responses names the stack.
COMMON_STACKS: tuple[str, ...] = ("express", "fastapi", "django", "spring-boot", "nginx")


@dataclass(frozen=True, slots=True)
class Detection:
    """Stacks that one piece of evidence points to, equally likely, best first.

    ``layer`` is ``app`` (the framework that runs the code) or ``front`` (a web server or
    gateway in front of it).
    """

    stacks: tuple[str, ...]
    evidence: str
    layer: str = "app"


@dataclass(frozen=True, slots=True)
class DevServer:
    """The front-end dev server the page most likely runs on, and the dev-proxy fix ids."""

    name: str
    stacks: tuple[str, ...]
    evidence: str


# (header, pattern on its value, stacks, layer); first match per rule, checked in order.
_HEADER_RULES: tuple[tuple[str, str, tuple[str, ...], str], ...] = (
    ("x-powered-by", r"\bexpress\b", ("express", "nestjs"), "app"),
    ("x-powered-by", r"\bnext\.js\b", ("nextjs",), "app"),
    ("x-powered-by", r"\basp\.net\b", ("aspnet-core",), "app"),
    ("x-powered-by", r"\b(servlet|jsp)\b", ("spring-boot",), "app"),
    ("server", r"\bkestrel\b|\bmicrosoft-iis\b", ("aspnet-core",), "app"),
    ("server", r"\bwerkzeug\b", ("flask",), "app"),
    ("server", r"\bwsgiserver\b", ("django",), "app"),
    ("server", r"\bdaphne\b", ("django",), "app"),
    ("server", r"\b(uvicorn|hypercorn|granian)\b", ("fastapi", "starlette"), "app"),
    ("server", r"\bgunicorn\b|\bwaitress\b", ("django", "flask"), "app"),
    ("server", r"\b(puma|webrick|passenger|thin|unicorn|falcon)\b", ("rails",), "app"),
    ("server", r"\b(jetty|apache-coyote|tomcat|undertow)\b", ("spring-boot",), "app"),
    ("x-runtime", r"^\d+(\.\d+)?$", ("rails",), "app"),
    ("x-amzn-requestid", r".", ("aws-api-gateway",), "front"),
    ("x-amz-apigw-id", r".", ("aws-api-gateway",), "front"),
    ("apigw-requestid", r".", ("aws-api-gateway",), "front"),
    ("server", r"\b(nginx|openresty)\b", ("nginx",), "front"),
    ("server", r"\bcaddy\b", ("caddy",), "front"),
    ("server", r"\bapache\b", ("apache",), "front"),
)

# Bodies of the error pages frameworks produce by default (404/405/500).
_BODY_RULES: tuple[tuple[str, tuple[str, ...], str, str], ...] = (
    (
        r'^\{"detail":\s*"(Not Found|Method Not Allowed)"\}',
        ("fastapi",),
        "app",
        'a {"detail": ...} error body (FastAPI)',
    ),
    (r"<pre>Cannot [A-Za-z]+ /", ("express", "nestjs"), "app", "a 'Cannot GET /…' page (Express)"),
    (
        r'"statusCode":\s*\d+.*"message":\s*"Cannot [A-Za-z]+ /',
        ("nestjs",),
        "app",
        "a NestJS 404 body",
    ),
    (
        r'"timestamp":.*"status":\s*\d+.*"error":.*"path":',
        ("spring-boot",),
        "app",
        "a Spring Boot error body",
    ),
    (
        r"<title>\d{3} [^<]+</title>\s*<h1>[^<]+</h1>\s*<p>The requested URL",
        ("flask",),
        "app",
        "a Werkzeug error page (Flask)",
    ),
    (
        r"The requested resource was not found on this server",
        ("django",),
        "app",
        "a Django 404 page",
    ),
    (r"^404 page not found\n?$", ("go",), "app", "Go net/http's '404 page not found'"),
    (r"<center>(nginx|openresty)[^<]*</center>", ("nginx",), "front", "an nginx error page"),
    (r"<address>Apache", ("apache",), "front", "an Apache error page"),
)


def _vary_lines(response: HttpResponse) -> list[str]:
    return [value.strip().lower() for value in response.header_lines("Vary")]


def detect_stacks(responses: Iterable[tuple[HttpResponse, bytes]]) -> tuple[Detection, ...]:
    """Every stack the responses point to, app frameworks before front servers, strongest
    evidence first; empty when nothing gives the stack away."""
    found: list[Detection] = []
    seen: set[tuple[str, ...]] = set()

    def add(detection: Detection) -> None:
        if detection.stacks not in seen:
            seen.add(detection.stacks)
            found.append(detection)

    for response, body in responses:
        for header, pattern, stacks, layer in _HEADER_RULES:
            for value in response.header_lines(header):
                if re.search(pattern, value, re.IGNORECASE):
                    add(Detection(stacks, f"{_title(header)}: {value.strip()}", layer))
                    break
        # Spring's CorsFilter and DefaultCorsProcessor add these three as separate lines.
        vary = _vary_lines(response)
        if "access-control-request-method" in vary and "access-control-request-headers" in vary:
            add(
                Detection(
                    ("spring-boot",),
                    "Vary: Origin / Access-Control-Request-Method / "
                    "Access-Control-Request-Headers on separate lines (Spring)",
                )
            )
        text = body[:4096].decode("utf-8", "replace").strip()
        for pattern, stacks, layer, evidence in _BODY_RULES:
            if text and re.search(pattern, text, re.DOTALL):
                add(Detection(stacks, evidence, layer))
    return tuple(sorted(found, key=lambda detection: 0 if detection.layer == "app" else 1))


def _title(header: str) -> str:
    return "-".join(part.capitalize() for part in header.split("-")).replace(
        "X-Amzn-Requestid", "X-Amzn-RequestId"
    )


# Default ports of front-end dev servers (the page origin's port gives them away).
_DEV_PORTS: dict[int, tuple[str, tuple[str, ...]]] = {
    5173: ("Vite", ("vite",)),
    4173: ("Vite (preview)", ("vite",)),
    3000: ("Create React App or Next.js", ("create-react-app", "nextjs")),
    8080: ("webpack-dev-server (Vue CLI)", ("webpack-dev-server",)),
    4200: ("Angular CLI (webpack-dev-server)", ("webpack-dev-server",)),
}
_LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]", "0.0.0.0"})


def detect_dev_server(
    page_origin: str, responses: Sequence[tuple[HttpResponse, bytes]] = ()
) -> DevServer | None:
    """The dev server the page runs on, if the page origin looks like one (a local host on a
    dev server's default port) or a response says Next.js."""
    for response, _ in responses:
        for value in response.header_lines("X-Powered-By"):
            if "next.js" in value.lower():
                return DevServer("Next.js", ("nextjs",), f"X-Powered-By: {value.strip()}")
    try:
        origin = parse_origin(page_origin)
    except OriginError:
        return None
    if origin.is_opaque or origin.host not in _LOCAL_HOSTS:
        return None
    port = origin.port
    if port is None or port not in _DEV_PORTS:
        return None
    name, stacks = _DEV_PORTS[port]
    return DevServer(name, stacks, f"the page is served from {page_origin}")
