"""Stack detection from response headers and error bodies; the page's dev server."""

from __future__ import annotations

import pytest

from crossorigin.doctor.stacks import detect_dev_server, detect_stacks
from crossorigin.engine import HttpResponse


def _detect(*headers: tuple[str, str], body: bytes = b"") -> list[tuple[str, ...]]:
    return [d.stacks for d in detect_stacks([(HttpResponse(404, headers), body)])]


@pytest.mark.parametrize(
    ("headers", "body", "stacks"),
    [
        ((("X-Powered-By", "Express"),), b"", ("express", "nestjs")),
        ((("Server", "uvicorn"),), b"", ("fastapi", "starlette")),
        ((("Server", "Werkzeug/3.1.3 Python/3.12.1"),), b"", ("flask",)),
        ((("Server", "WSGIServer/0.2 CPython/3.11.7"),), b"", ("django",)),
        ((("Server", "Kestrel"),), b"", ("aspnet-core",)),
        ((("X-Powered-By", "ASP.NET"),), b"", ("aspnet-core",)),
        ((("Server", "Puma 6.4"),), b"", ("rails",)),
        ((("X-Runtime", "0.012345"),), b"", ("rails",)),
        ((("Server", "Caddy"),), b"", ("caddy",)),
        ((("Server", "Apache/2.4.62 (Debian)"),), b"", ("apache",)),
        ((("x-amzn-RequestId", "5b1c"),), b"", ("aws-api-gateway",)),
        (
            (
                ("Vary", "Origin"),
                ("Vary", "Access-Control-Request-Method"),
                ("Vary", "Access-Control-Request-Headers"),
            ),
            b"",
            ("spring-boot",),
        ),
        ((), b'{"detail":"Not Found"}', ("fastapi",)),
        ((), b"<pre>Cannot OPTIONS /v1/items</pre>", ("express", "nestjs")),
        ((), b"404 page not found\n", ("go",)),
    ],
)
def test_detects(
    headers: tuple[tuple[str, str], ...], body: bytes, stacks: tuple[str, ...]
) -> None:
    assert _detect(*headers, body=body)[0] == stacks


def test_application_before_the_server_in_front() -> None:
    found = _detect(("Server", "nginx/1.26"), ("X-Powered-By", "Express"))
    assert found == [("express", "nestjs"), ("nginx",)]


def test_nothing_to_go_on() -> None:
    assert _detect(("Content-Type", "text/plain")) == []


@pytest.mark.parametrize(
    ("origin", "name"),
    [
        ("http://localhost:5173", "Vite"),
        ("http://127.0.0.1:3000", "Create React App or Next.js"),
        ("http://localhost:4200", "Angular CLI (webpack-dev-server)"),
        ("http://localhost:8000", None),
        ("https://app.example.com:5173", None),
        ("null", None),
    ],
)
def test_dev_server_from_the_page_origin(origin: str, name: str | None) -> None:
    found = detect_dev_server(origin)
    assert (found.name if found else None) == name


def test_next_js_from_a_response() -> None:
    response = HttpResponse(200, (("X-Powered-By", "Next.js"),))
    found = detect_dev_server("https://app.example.com", [(response, b"")])
    assert found is not None and found.stacks == ("nextjs",)
