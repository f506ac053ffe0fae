"""The doctor's network side: send what the browser would send, and record what comes back.

:func:`probe` drives the engine's sans-IO :class:`~crossorigin.engine.Fetch` step by step:
each request the engine says the browser sends (a preflight, the actual request, the request
after a redirect) goes out with httpx exactly as given, redirects not followed by httpx
(the engine follows them, with a preflight per hop where the browser would send one), and
the answer goes back to the engine with its header lines in order and repeated names kept.

Failures that are not CORS (DNS, refused connections, TLS, timeouts, broken HTTP) are
classified as :class:`NetworkFailure` with the ``net::ERR_…`` code Chromium would log.

httpx is imported here, never by crossorigin's core: this module belongs to the ``cli`` extra.
"""

from __future__ import annotations

import errno
import functools
import socket
import ssl
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import httpcore
import httpx

from crossorigin.engine import Fetch, FetchRequest, FetchResult, HttpRequest, HttpResponse

__all__ = [
    "MAX_BODY",
    "NetworkFailure",
    "NonBrowserView",
    "ProbeReport",
    "ResolveError",
    "WireExchange",
    "classify",
    "open_client",
    "parse_resolve",
    "probe",
    "send_request",
]

# Bodies are read to count their size; beyond this the rest is skipped (and the size says so).
MAX_BODY = 10 * 1024 * 1024
# Enough of a body to recognize a framework's error page (stacks.py).
BODY_PREVIEW = 4096
USER_AGENT = "Mozilla/5.0 (compatible; crossorigin-doctor/0.1)"

FailureKind = Literal[
    "dns", "connection-refused", "timeout", "tls", "tls-certificate", "protocol", "connection"
]


class ResolveError(ValueError):
    """A ``--resolve`` entry that is not ``HOST:PORT:ADDRESS``."""


@dataclass(frozen=True, slots=True)
class NetworkFailure:
    """The request never got an HTTP response: not a CORS error.

    ``browser_error`` is what Chromium logs for it (``net::ERR_CONNECTION_REFUSED``...).
    """

    kind: FailureKind
    url: str
    message: str
    browser_error: str

    @property
    def title(self) -> str:
        return {
            "dns": "DNS lookup failed",
            "connection-refused": "connection refused",
            "timeout": "timed out",
            "tls": "TLS handshake failed",
            "tls-certificate": "TLS certificate rejected",
            "protocol": "not a valid HTTP response",
            "connection": "connection failed",
        }[self.kind]

    def as_json(self) -> dict[str, str]:
        return {
            "kind": self.kind,
            "url": self.url,
            "message": self.message,
            "browser_error": self.browser_error,
        }


@dataclass(frozen=True, slots=True)
class WireExchange:
    """One request the doctor sent for the browser, and what came back."""

    kind: Literal["preflight", "actual"]
    request: HttpRequest
    response: HttpResponse | None
    reason: str = ""
    http_version: str = ""
    body_size: int | None = None
    body_truncated: bool = False
    body_preview: bytes = b""
    elapsed: float = 0.0

    def as_json(self) -> dict[str, object]:
        response: dict[str, object] | None = None
        if self.response is not None:
            response = {
                "status": self.response.status,
                "reason": self.reason,
                "http_version": self.http_version,
                "headers": [list(pair) for pair in self.response.headers],
                "body_size": self.body_size,
            }
        return {
            "kind": self.kind,
            "request": {
                "method": self.request.method,
                "url": self.request.url,
                "headers": [list(pair) for pair in self.request.headers],
                "with_credentials": self.request.with_credentials,
            },
            "response": response,
            "elapsed_ms": round(self.elapsed * 1000, 1),
        }


@dataclass(frozen=True, slots=True)
class NonBrowserView:
    """What curl or Postman get for the same request: no CORS, no preflight.

    ``sent`` is False when the doctor did not send it itself (the browser never sent the
    actual request and its method may change data).
    """

    sent: bool
    method: str
    url: str
    status: int | None = None
    reason: str = ""
    body_size: int | None = None
    failure: NetworkFailure | None = None

    @classmethod
    def answered(cls, exchange: WireExchange) -> NonBrowserView:
        """The view of an actual request the browser sent and the server answered."""
        assert exchange.response is not None
        return cls(
            True,
            exchange.request.method,
            exchange.request.url,
            exchange.response.status,
            exchange.reason,
            exchange.body_size,
        )

    def as_json(self) -> dict[str, object]:
        return {
            "sent": self.sent,
            "method": self.method,
            "url": self.url,
            "status": self.status,
            "reason": self.reason,
            "body_size": self.body_size,
            "network_error": self.failure.as_json() if self.failure else None,
        }


@dataclass(frozen=True, slots=True)
class ProbeReport:
    """A fetch() as the browser would make it against the real server."""

    request: FetchRequest
    browser: str
    result: FetchResult
    wire: tuple[WireExchange, ...]
    failure: NetworkFailure | None = None
    non_browser: NonBrowserView | None = None
    resolved: Mapping[tuple[str, int], str] = field(default_factory=dict)

    @property
    def responses(self) -> Iterator[tuple[HttpResponse, bytes]]:
        for exchange in self.wire:
            if exchange.response is not None:
                yield exchange.response, exchange.body_preview


# -- --resolve --------------------------------------------------------------------------


def parse_resolve(entries: Sequence[str]) -> dict[tuple[str, int], str]:
    """curl's ``--resolve HOST:PORT:ADDRESS`` entries as ``{(host, port): address}``.

    ADDRESS may be an IPv6 literal in brackets (``[::1]``); like curl, only the first of a
    comma-separated list is used.
    """
    table: dict[tuple[str, int], str] = {}
    for entry in entries:
        host, sep1, rest = entry.partition(":")
        port_text, sep2, address = rest.partition(":")
        address = address.split(",", 1)[0].strip()
        if not (sep1 and sep2 and host and address) or not port_text.isdigit():
            raise ResolveError(
                f"--resolve {entry!r} is not HOST:PORT:ADDRESS: write e.g. "
                "--resolve api.example.com:443:127.0.0.1"
            )
        port = int(port_text)
        if not 0 < port < 65536:
            raise ResolveError(f"--resolve {entry!r}: port {port} is out of range (1-65535)")
        if address.startswith("[") and address.endswith("]"):
            address = address[1:-1]
        host = host.strip("[]").lower()
        table[(host, port)] = address
    return table


class _ResolvingBackend(httpcore.NetworkBackend):
    """Connects (host, port) pairs listed in ``--resolve`` to the given address; the URL, the
    Host header and the TLS server name stay as given (httpcore takes SNI from the URL)."""

    def __init__(self, table: Mapping[tuple[str, int], str]) -> None:
        self._table = dict(table)
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.NetworkStream:
        address = self._table.get((host.lower(), port), host)
        return self._inner.connect_tcp(address, port, timeout, local_address, socket_options)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Any = None
    ) -> httpcore.NetworkStream:  # pragma: no cover - never used by the doctor
        return self._inner.connect_unix_socket(path, timeout, socket_options)

    def sleep(self, seconds: float) -> None:  # pragma: no cover
        self._inner.sleep(seconds)


@functools.cache
def _ssl_context(insecure: bool, cacert: str | None) -> ssl.SSLContext:
    # Loading the CA bundle takes tens of milliseconds: once per process is enough. With
    # cacert, that file replaces the bundle, as curl's --cacert does.
    if cacert is not None and not insecure:
        return ssl.create_default_context(cafile=cacert)
    return httpx.create_ssl_context(verify=not insecure, trust_env=False)


def _transport(
    resolve: Mapping[tuple[str, int], str], *, insecure: bool, cacert: str | None
) -> httpx.HTTPTransport:
    ssl_context = _ssl_context(insecure, cacert)
    transport = httpx.HTTPTransport(verify=ssl_context, trust_env=False)
    # httpx has no switch for a custom network backend: replace its pool by an equivalent
    # one that resolves through the --resolve table.
    transport._pool = httpcore.ConnectionPool(
        ssl_context=ssl_context, network_backend=_ResolvingBackend(resolve)
    )
    return transport


# -- failures ----------------------------------------------------------------------------


def _causes(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def classify(error: Exception, url: str) -> NetworkFailure:
    """Name the network failure behind an httpx exception, as a browser would report it."""
    chain = list(_causes(error))
    text = str(error) or type(error).__name__
    for cause in chain:
        if isinstance(cause, socket.gaierror):
            return NetworkFailure(
                "dns", url, f"cannot resolve the host name: {cause}", "net::ERR_NAME_NOT_RESOLVED"
            )
        if isinstance(cause, ssl.SSLCertVerificationError):
            reason = cause.verify_message or str(cause)
            code = "net::ERR_CERT_AUTHORITY_INVALID"
            lowered = reason.lower()
            if "hostname" in lowered or "ip address mismatch" in lowered:
                code = "net::ERR_CERT_COMMON_NAME_INVALID"
            elif "expired" in lowered or "not yet valid" in lowered:
                code = "net::ERR_CERT_DATE_INVALID"
            return NetworkFailure(
                "tls-certificate", url, f"the server's certificate is not trusted: {reason}", code
            )
        if isinstance(cause, ssl.SSLError):
            hint = (
                " (is this an http:// server? try http:// in the URL)"
                if "WRONG_VERSION_NUMBER" in str(cause) or "record layer" in str(cause)
                else ""
            )
            return NetworkFailure(
                "tls",
                url,
                f"the TLS handshake failed: {cause.reason or cause}{hint}",
                "net::ERR_SSL_PROTOCOL_ERROR",
            )
        if isinstance(cause, ConnectionRefusedError):
            return NetworkFailure(
                "connection-refused",
                url,
                "nothing is listening at this host and port (connection refused)",
                "net::ERR_CONNECTION_REFUSED",
            )
    if isinstance(error, httpx.ConnectTimeout):
        return NetworkFailure(
            "timeout",
            url,
            "the connection was not accepted in time",
            "net::ERR_CONNECTION_TIMED_OUT",
        )
    if isinstance(error, httpx.TimeoutException):
        return NetworkFailure(
            "timeout",
            url,
            "the server accepted the connection but did not answer in time",
            "net::ERR_TIMED_OUT",
        )
    if isinstance(error, httpx.RemoteProtocolError):
        if "without sending" in text or "Server disconnected" in text:
            return NetworkFailure(
                "protocol",
                url,
                f"the server closed the connection without answering: {text}",
                "net::ERR_EMPTY_RESPONSE",
            )
        return NetworkFailure(
            "protocol",
            url,
            f"the server's answer is not valid HTTP: {text}",
            "net::ERR_INVALID_HTTP_RESPONSE",
        )
    if isinstance(error, httpx.ReadError | httpx.WriteError):
        return NetworkFailure(
            "connection", url, f"the connection broke: {text}", "net::ERR_CONNECTION_RESET"
        )
    for cause in chain:
        if isinstance(cause, OSError) and cause.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH):
            return NetworkFailure(
                "connection", url, f"no route to the host: {cause}", "net::ERR_ADDRESS_UNREACHABLE"
            )
    return NetworkFailure(
        "connection", url, f"cannot connect: {text}", "net::ERR_CONNECTION_FAILED"
    )


# -- sending -----------------------------------------------------------------------------


@dataclass(slots=True)
class _Received:
    response: HttpResponse
    reason: str
    http_version: str
    body_size: int
    truncated: bool
    preview: bytes
    elapsed: float

    def exchange(self, kind: Literal["preflight", "actual"], request: HttpRequest) -> WireExchange:
        return WireExchange(
            kind,
            request,
            self.response,
            self.reason,
            self.http_version,
            self.body_size,
            self.truncated,
            self.preview,
            self.elapsed,
        )


def _send(client: httpx.Client, request: HttpRequest, *, cookie: str | None) -> _Received:
    # Values as Latin-1 bytes, as browsers send them (httpx would encode str as ASCII).
    headers = [(name.encode("ascii"), value.encode("latin-1")) for name, value in request.headers]
    if cookie and request.with_credentials:
        headers.append((b"Cookie", cookie.encode("latin-1")))
    started = time.perf_counter()
    outgoing = client.build_request(
        request.method,
        request.url,
        headers=headers,
        content=request.body.encode("utf-8") if request.body is not None else None,
    )
    response = client.send(outgoing, stream=True)
    try:
        size = 0
        truncated = False
        preview = bytearray()
        if request.method != "HEAD":
            for chunk in response.iter_bytes():
                size += len(chunk)
                if len(preview) < BODY_PREVIEW:
                    preview += chunk[: BODY_PREVIEW - len(preview)]
                if size > MAX_BODY:
                    truncated = True
                    break
    finally:
        response.close()
    elapsed = time.perf_counter() - started
    raw = [
        (name.decode("latin-1"), value.decode("latin-1")) for name, value in response.headers.raw
    ]
    return _Received(
        HttpResponse(
            status=response.status_code, headers=tuple(raw), body_size=size, url=request.url
        ),
        response.reason_phrase,
        response.http_version,
        size,
        truncated,
        bytes(preview),
        elapsed,
    )


def open_client(
    *,
    timeout: float = 10.0,
    insecure: bool = False,
    cacert: str | None = None,
    resolve: Mapping[tuple[str, int], str] | None = None,
) -> httpx.Client:
    """A client set up as :func:`probe`'s (``--resolve``, TLS, timeout, no redirects
    followed, no cookie jar), for callers that send their own requests (``audit``)."""
    client = httpx.Client(
        transport=_transport(dict(resolve or {}), insecure=insecure, cacert=cacert),
        timeout=httpx.Timeout(timeout),
        follow_redirects=False,
        headers={"User-Agent": USER_AGENT},
    )
    client.cookies = httpx.Cookies()
    return client


def send_request(client: httpx.Client, request: HttpRequest) -> WireExchange:
    """Send ``request`` exactly as given (its headers, in order) through a client of
    :func:`open_client`; httpx errors propagate (:func:`classify` names them)."""
    client.cookies.clear()
    received = _send(client, request, cookie=None)
    return received.exchange("preflight" if request.is_preflight else "actual", request)


def probe(
    request: FetchRequest,
    *,
    browser: str = "chromium",
    timeout: float = 10.0,
    insecure: bool = False,
    cacert: str | None = None,
    resolve: Mapping[tuple[str, int], str] | None = None,
    cookie: str | None = None,
) -> ProbeReport:
    """Make ``request`` against the real server as ``browser`` would, and record everything.

    ``cookie`` (a ``Cookie`` header value) goes only with requests the browser would send
    credentials on, never with a preflight. ``cacert`` is a PEM file of CA certificates to
    trust instead of the system's (a development CA such as mkcert's). Raises
    :class:`~crossorigin.engine.EngineInputError` for a request no page could make.
    """
    table = dict(resolve or {})
    fetch = Fetch(request, browser=browser, now=time.time())
    wire: list[WireExchange] = []
    failure: NetworkFailure | None = None
    # No cookie jar: httpx would otherwise keep Set-Cookie answers and send them back.
    with open_client(timeout=timeout, insecure=insecure, cacert=cacert, resolve=table) as client:
        while (outgoing := fetch.next_request()) is not None:
            kind: Literal["preflight", "actual"] = (
                "preflight" if outgoing.is_preflight else "actual"
            )
            client.cookies.clear()
            try:
                received = _send(client, outgoing, cookie=cookie)
            except httpx.HTTPError as error:
                failure = classify(error, outgoing.url)
                wire.append(WireExchange(kind, outgoing, None))
                fetch.receive(HttpResponse(status=0, network_error=failure.browser_error))
                break
            wire.append(received.exchange(kind, outgoing))
            fetch.receive(received.response)
        result = fetch.result
        non_browser = _non_browser_view(client, request, result, wire, failure, cookie=cookie)
    return ProbeReport(request, browser, result, tuple(wire), failure, non_browser, table)


def _non_browser_view(
    client: httpx.Client,
    request: FetchRequest,
    result: FetchResult,
    wire: Sequence[WireExchange],
    failure: NetworkFailure | None,
    *,
    cookie: str | None,
) -> NonBrowserView | None:
    """What curl gets: the last actual response if the browser sent the request; otherwise,
    for GET and HEAD only (they change nothing), the doctor sends it once without CORS."""
    if result.type_error is not None or not wire:
        return None  # the browser sent nothing: there is no answer to compare with
    actual = [exchange for exchange in wire if exchange.kind == "actual"]
    if actual and actual[-1].response is not None:
        return NonBrowserView.answered(actual[-1])
    method = request.method.upper()
    url = wire[-1].request.url if wire else request.url
    if failure is not None:
        return NonBrowserView(True, method, url, failure=failure)
    if method not in ("GET", "HEAD"):
        return NonBrowserView(False, method, url)
    headers = tuple(
        (name, value) for name, value in request.headers if name.lower() not in ("origin",)
    )
    try:
        received = _send(
            client, HttpRequest(method, url, headers, with_credentials=True), cookie=cookie
        )
    except httpx.HTTPError as error:
        return NonBrowserView(True, method, url, failure=classify(error, url))
    return NonBrowserView(
        True, method, url, received.response.status, received.reason, received.body_size
    )
