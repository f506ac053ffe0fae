"""ASGI adapter: a drop-in replacement for ``starlette.middleware.cors.CORSMiddleware``.

    from crossorigin.asgi import CORSMiddleware
    app.add_middleware(CORSMiddleware, allow_origins=["https://app.example.com"],
                       allow_methods=["GET", "PUT"], allow_headers=["Authorization"],
                       allow_credentials=True)

Same positional order, keyword names and defaults as Starlette's, plus the policy's other
keywords (``allow_origin_predicate``, ``preflight_status``, ``preflight_failure_status``,
``echo_request_headers``, the ``dangerously_*`` flags) and ``policy=`` to share one prebuilt
:class:`~crossorigin.policy.Policy`. All decisions are the policy's; this layer only reads
``scope["headers"]`` (raw bytes, one pass, no Headers object) and writes the answer:

- a preflight (OPTIONS + Origin + Access-Control-Request-Method) is answered here and never
  reaches the application; every other OPTIONS request does. Built from keywords, the answer
  keeps Starlette's statuses, 200 ``OK`` and 400 ``Disallowed CORS <checks>`` (with no CORS
  header), so a switch changes no status a client or a test of the app sees, only the unsafe
  cases and the details listed in docs/policy.md; pass ``preflight_status=204,
  preflight_failure_status=403`` for crossorigin's own (a ``policy=`` keeps the policy's, 204
  and 403 by default);
- every other response gets the policy's headers appended and ``Origin`` merged into its
  Vary (appended, de-duplicated case-insensitively, collapsed into one line so middleware that
  reads only the first Vary line, like Starlette's GZip, keeps it);
- the application's message and header list are never mutated: the start message is copied
  with a fresh header list (an application may reuse a prebuilt message).

Per-route policies: wrap the part of the application that needs a different policy - a
``Mount("/public", app=CORSMiddleware(sub_app, ...))``, or a ``Route`` whose ``methods``
include ``OPTIONS`` with ``middleware=[Middleware(CORSMiddleware, ...)]``. Route matching
stays the framework's (flask-cors's own path regexes produced three CVEs in 2024). Do not stack
two CORS middlewares on one path.

WebSocket and lifespan scopes pass through untouched: CORS does not apply to WebSockets
(browsers send Origin on the handshake; check it in the endpoint).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, MutableMapping
from typing import Any

from crossorigin.policy import Policy
from crossorigin.policy._middleware import middleware_policy

__all__ = ["CORSMiddleware"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_VARY_ORIGIN = (b"vary", b"Origin")
# Starlette's preflight statuses: what its users' clients and tests see today.
_STARLETTE_ANSWER = {"preflight_status": 200, "preflight_failure_status": 400}


def _merge_vary(values: list[bytes]) -> bytes | None:
    """The app's Vary lines as one value with Origin added; None if Origin (or *) is there."""
    for value in values:
        for item in value.split(b","):
            token = item.strip(b" \t").lower()
            if token in (b"origin", b"*"):
                return None
    joined = b", ".join(v.strip(b" \t") for v in values if v.strip(b" \t"))
    return joined + b", Origin" if joined else b"Origin"


def _with_cors(headers: Any, cors: tuple[tuple[bytes, bytes], ...]) -> list[Any]:
    """A fresh header list: the app's headers, Origin merged into Vary, then the CORS pairs.

    ASGI requires lowercase header names, so Vary is found as ``b"vary"``.
    """
    if type(headers) is not list:  # any iterable is allowed: read it once
        headers = list(headers)
    for name, _value in headers:
        if name == b"vary":
            break
    else:
        return [*headers, _VARY_ORIGIN, *cors]
    vary_values = [value for name, value in headers if name == b"vary"]
    fresh: list[Any] = [pair for pair in headers if pair[0] != b"vary"]
    merged = _merge_vary(vary_values)
    if merged is None:
        fresh.extend((b"vary", value) for value in vary_values)
    else:
        fresh.append((b"vary", merged))
    fresh.extend(cors)
    return fresh


# Starlette's defaults, which are this adapter's.


class CORSMiddleware:
    """CORS for an ASGI application, decided by one :class:`~crossorigin.policy.Policy`."""

    def __init__(  # noqa: PLR0917 - Starlette's positional order, for a drop-in
        self,
        app: ASGIApp,
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
        policy = middleware_policy(policy, given, more, _STARLETTE_ANSWER)
        self.app = app
        self.policy = policy
        self._actual = policy.actual_raw
        # The policy's decisions over raw bytes, called directly (the hot path of a preflight).
        self._preflight = policy.raw_decider.preflight
        self._frames = policy.raw_decider.frames

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        origin: bytes | None = None
        if scope["method"] == "OPTIONS":
            method: bytes | None = None
            request_headers: list[bytes] | None = None
            private_network: bytes | None = None
            for name, value in scope["headers"]:
                if name == b"origin":
                    if origin is None:
                        origin = value
                elif name == b"access-control-request-method":
                    if method is None:
                        method = value
                elif name == b"access-control-request-headers":
                    if request_headers is None:
                        request_headers = [value]
                    else:
                        request_headers.append(value)
                elif name == b"access-control-request-private-network":
                    private_network = value
            if origin is not None and method is not None:
                status, headers, failed = self._preflight(
                    origin, method, request_headers, private_network
                )
                body, framing = self._frames[failed]
                if framing:
                    headers += framing
                await send({"type": "http.response.start", "status": status, "headers": headers})
                await send({"type": "http.response.body", "body": body, "more_body": False})
                return
        else:
            for name, value in scope["headers"]:
                if name == b"origin":
                    origin = value
                    break
        cors = self._actual(origin) if origin is not None else ()

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                # A copy: the application may reuse its message and header list.
                headers = _with_cors(message.get("headers", ()), cors)
                message = dict(message)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_cors)
