"""WSGI adapter: ``CORSMiddleware(app, ...)`` with the same options as the ASGI one.

    from crossorigin.wsgi import CORSMiddleware
    application = CORSMiddleware(application, allow_origins=["https://app.example.com"],
                                 allow_methods=["GET", "PUT"], allow_credentials=True)

All decisions are the :class:`~crossorigin.policy.Policy`'s; this layer reads the ``environ``
(where servers have already joined repeated header lines with commas, PEP 3333) and writes:

- a preflight (OPTIONS + Origin + Access-Control-Request-Method) is answered here with the
  policy's status (204, or 403 naming the failed checks in a text/plain body) and never
  reaches the application; every other OPTIONS request does;
- every other response gets the policy's headers appended in ``start_response`` and
  ``Origin`` merged into its Vary (appended, de-duplicated case-insensitively, one line);
  the application's header list is never mutated.

Per-route policies: wrap each part of the application in its own middleware and route with
the framework's or the server's dispatcher (Werkzeug's ``DispatcherMiddleware``, a
``Map``/``Mount`` of sub-applications); never stack two CORS middlewares on one path.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from http import HTTPStatus
from types import TracebackType
from typing import Any

from crossorigin.policy import Policy
from crossorigin.policy._middleware import middleware_policy
from crossorigin.policy._vary import merge_vary

__all__ = ["CORSMiddleware"]

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]
StartResponse = Callable[..., Callable[[bytes], object]]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

_STATUS_LINES = {status.value: f"{status.value} {status.phrase}" for status in HTTPStatus}


def _with_cors(
    headers: list[tuple[str, str]], cors: list[tuple[str, str]]
) -> list[tuple[str, str]]:
    """A fresh header list: the app's headers, Origin merged into Vary, then the CORS pairs."""
    fresh: list[tuple[str, str]] = []
    vary_values: list[str] | None = None
    for name, value in headers:
        if len(name) == 4 and name.lower() == "vary":
            if vary_values is None:
                vary_values = []
            vary_values.append(value)
        else:
            fresh.append((name, value))
    fresh.append(("Vary", "Origin" if vary_values is None else merge_vary(vary_values)))
    fresh.extend(cors)
    return fresh


# Starlette's defaults, which are this adapter's.


class CORSMiddleware:
    """CORS for a WSGI application, decided by one :class:`~crossorigin.policy.Policy`."""

    def __init__(  # noqa: PLR0917 - the ASGI adapter's (Starlette's) positional order
        self,
        app: WSGIApp,
        allow_origins: Collection[str] = (),
        allow_methods: Collection[str] = ("GET",),
        allow_headers: Collection[str] = (),
        allow_credentials: bool = False,
        allow_origin_regex: str | None = None,
        allow_private_network: bool = False,
        expose_headers: Collection[str] = (),
        max_age: int | None = 600,
        *,
        policy: Policy | None = None,
        **more: Any,
    ) -> None:
        given = {
            "allow_origins": allow_origins,
            "allow_methods": allow_methods,
            "allow_headers": allow_headers,
            "allow_credentials": allow_credentials,
            "allow_origin_regex": allow_origin_regex,
            "allow_private_network": allow_private_network,
            "expose_headers": expose_headers,
            "max_age": max_age,
        }
        policy = middleware_policy(policy, given, more)
        self.app = app
        self.policy = policy

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        origin: str | None = environ.get("HTTP_ORIGIN")
        if origin is not None and environ["REQUEST_METHOD"] == "OPTIONS":
            method = environ.get("HTTP_ACCESS_CONTROL_REQUEST_METHOD")
            if method is not None:
                status, headers, text, _ = self.policy.preflight_answer(
                    origin,
                    method,
                    environ.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS"),
                    environ.get("HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK"),
                )
                body = text.encode()
                if body:
                    headers.append(("Content-Type", "text/plain; charset=utf-8"))
                if status != HTTPStatus.NO_CONTENT:  # RFC 9110 §8.6: none in a 204
                    headers.append(("Content-Length", str(len(body))))
                start_response(_STATUS_LINES.get(status, str(status)), headers)
                return [body] if body else []
        cors = self.policy.actual(origin)

        def start_response_with_cors(
            status: str, headers: list[tuple[str, str]], exc_info: ExcInfo | None = None
        ) -> Callable[[bytes], object]:
            return start_response(status, _with_cors(headers, cors), exc_info)

        return self.app(environ, start_response_with_cors)
