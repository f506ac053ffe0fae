"""A loopback HTTP/1.1 server that answers a CORS scenario byte for byte.

Written on asyncio streams rather than a framework so that response headers go out exactly as a
scenario spells them: repeated header lines stay separate lines, odd whitespace and empty values
are kept, and NUL or other control bytes are not rejected. The server listens on 127.0.0.1 at
the ports the scenarios name (Chromium maps every ``*.test`` host to 127.0.0.1), serves a blank
page for the calling document, and records every request so the runner can tell whether a
preflight and the actual request reached it.

Several scenarios may run at once in separate browser contexts; each context sends a
``User-Agent`` ending in ``crossorigin-scenario/<tag>``, and the tag picks the scenario (and its
request log) a request belongs to.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

import ada_url

__all__ = [
    "TAG_PREFIX",
    "ReceivedRequest",
    "ScenarioServer",
    "answer_for",
    "scenario_ports",
    "url_key",
]

TAG_PREFIX = "crossorigin-scenario/"

# The empty data: icon keeps Chromium from asking for /favicon.ico during the scenario.
_HEAD = b'<!doctype html><meta charset=utf-8><link rel=icon href="data:,">'
_PAGE_HTML = _HEAD + b"<title>crossorigin scenario</title>"
# For page_origin "null": a sandboxed srcdoc iframe has an opaque origin and makes the call.
_SANDBOX_HTML = (
    _HEAD + b"<title>crossorigin sandbox</title>"
    b'<iframe name=sandboxed sandbox="allow-scripts" '
    b'srcdoc="&lt;!doctype html&gt;&lt;title&gt;opaque&lt;/title&gt;"></iframe>'
)
_TAG_RE = re.compile(re.escape(TAG_PREFIX) + r"([0-9A-Za-z_-]+)")
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_DEFAULT_ANSWER: Mapping[str, Any] = {"status": 200, "headers": []}
_MAX_BODY = 1 << 20
_NOT_FOUND = b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
# A request head must arrive this soon; anything else (a TLS hello, a stalled client) is dropped.
_HEAD_TIMEOUT = 5.0
_REQUEST_LINE = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+ \S+ HTTP/1\.[01]")


def url_key(url: str, base: str | None = None) -> str | None:
    """The URL as a redirect key: WHATWG-parsed, without user info and fragment."""
    try:
        parsed = ada_url.URL(url, base) if base is not None else ada_url.URL(url)
    except ValueError:
        return None
    if parsed.username or parsed.password:  # only URLs with a host can carry user info
        parsed.username = ""
        parsed.password = ""
    parsed.hash = ""
    return parsed.href


def scenario_ports(scenario: Mapping[str, Any]) -> set[int]:
    """Every loopback port a scenario can reach: page, request URL, redirect keys, Locations."""
    request_url = url_key(scenario["request"]["url"], _page_base(scenario))
    server = scenario.get("server") or {}
    redirects = server.get("redirects") or {}
    # A Location resolves against the URL that answered it: the request URL or a redirect key.
    bases = [request_url or scenario["request"]["url"], *redirects]
    urls = set(bases)
    if scenario["page_origin"] != "null":
        urls.add(scenario["page_origin"])
    answers = [server.get("preflight"), server.get("response")]
    for entry in redirects.values():
        answers += [entry.get("preflight"), entry.get("response")]
    for answer in answers:
        for name, value in (answer or {}).get("headers", []):
            if name.lower() == "location":
                # Over-binding a port is harmless, so resolve against every base.
                urls.update(key for base in bases if (key := url_key(value, base)) is not None)
    ports: set[int] = set()
    for url in urls:
        try:
            parsed = ada_url.URL(url)
        except ValueError:
            continue
        # https:// URLs are bound too, so a TLS hello meets a closed connection, not whatever
        # else listens there; well-known ports (80, 443) are left alone.
        if parsed.protocol in ("http:", "https:") and parsed.port and int(parsed.port) >= 1024:
            ports.add(int(parsed.port))
    return ports


def _page_base(scenario: Mapping[str, Any]) -> str | None:
    # fetch() resolves the request URL against the calling document, served at "/".
    origin = scenario["page_origin"]
    return None if origin == "null" else origin + "/"


def answer_for(scenario: Mapping[str, Any], url: str, *, is_preflight: bool) -> Mapping[str, Any]:
    """The answer (status and header list) FORMAT.md assigns to a request.

    The request URL gets ``server.preflight``/``server.response``; any other URL (one reached
    through a Location) is looked up in ``server.redirects``, ignoring user info and fragment,
    and gets the default answer when no key matches.
    """
    server = scenario.get("server") or {}
    kind = "preflight" if is_preflight else "response"
    key = url_key(url)
    if key == url_key(scenario["request"]["url"], _page_base(scenario)):
        return server.get(kind) or _DEFAULT_ANSWER
    for candidate, entry in (server.get("redirects") or {}).items():
        if url_key(candidate) == key:
            return entry.get(kind) or _DEFAULT_ANSWER
    return _DEFAULT_ANSWER


@dataclass(frozen=True)
class ReceivedRequest:
    """One request as the server read it off the socket."""

    method: str
    url: str
    headers: tuple[tuple[str, str], ...]
    body: bytes

    def header(self, name: str) -> str | None:
        name = name.lower()
        values = [v for n, v in self.headers if n.lower() == name]
        return ", ".join(values) if values else None

    @property
    def is_preflight(self) -> bool:
        return self.method == "OPTIONS" and self.header("access-control-request-method") is not None


@dataclass
class _Active:
    scenario: Mapping[str, Any]
    requests: list[ReceivedRequest] = field(default_factory=list)
    # Until armed, GET requests load the calling document (at any path, usually "/").
    armed: bool = False


def _encode(text: str) -> bytes:
    # Header names and values go out as their UTF-8 bytes (what crossorigin.simulate assumes).
    return text.encode("utf-8")


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Status"


def _render(answer: Mapping[str, Any], method: str) -> tuple[bytes, bool]:
    """The response bytes, and whether the connection can stay open afterwards."""
    status = int(answer.get("status", 200))
    headers: Sequence[Sequence[str]] = answer.get("headers", [])
    head = bytearray(f"HTTP/1.1 {status} {_reason(status)}\r\n".encode("ascii"))
    lengths: list[str] = []
    chunked = False
    for name, value in headers:
        head += _encode(name) + b": " + _encode(value) + b"\r\n"
        if name.lower() == "content-length":
            lengths.append(value.strip())
        elif name.lower() == "transfer-encoding" and "chunked" in value.lower():
            chunked = True
    head += b"\r\n"
    if method == "HEAD" or status < 200 or status in (204, 304):
        return bytes(head), True
    if chunked:
        return bytes(head) + b"0\r\n\r\n", False
    if lengths and all(v.isdigit() for v in lengths) and int(lengths[0]) <= _MAX_BODY:
        size = int(lengths[0])
        body = (b"ok" * (size // 2 + 1))[:size]
        return bytes(head) + body, len(set(lengths)) == 1
    # No usable Content-Length: the (empty) body ends when the connection closes.
    return bytes(head), False


def _page(body: bytes) -> bytes:
    return (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
        b"Cache-Control: no-store\r\nContent-Length: "
        + str(len(body)).encode()
        + b"\r\n\r\n"
        + body
    )


class ScenarioServer:
    """Listens on loopback ports on its own event loop thread; answers registered scenarios."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._active: dict[str, _Active] = {}
        self._servers: dict[int, asyncio.base_events.Server] = {}
        self.stray: list[ReceivedRequest] = []
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="scenario-server", daemon=True
        )
        self._thread.start()

    # -- lifecycle ---------------------------------------------------------------------------
    def listen(self, ports: Iterable[int]) -> None:
        """Bind every port not bound yet (raises OSError when one is taken)."""
        missing = sorted(set(ports) - set(self._servers))
        if missing:
            asyncio.run_coroutine_threadsafe(self._listen(missing), self._loop).result()

    def listen_ephemeral(self) -> int:
        """Bind one free port chosen by the kernel (for tests of the server itself)."""

        async def bind() -> int:
            server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
            port = int(server.sockets[0].getsockname()[1])
            self._servers[port] = server
            return port

        return asyncio.run_coroutine_threadsafe(bind(), self._loop).result()

    async def _listen(self, ports: Sequence[int]) -> None:
        for port in ports:
            try:
                self._servers[port] = await asyncio.start_server(
                    self._handle, "127.0.0.1", port, reuse_address=True
                )
            except OSError as error:
                raise OSError(
                    error.errno,
                    f"cannot listen on 127.0.0.1:{port} ({error.strerror}): the Chromium "
                    "scenarios need the ports their URLs name; stop whatever holds it",
                ) from error

    def stop_listening(self) -> None:
        """Release every port (open connections finish on their own)."""

        async def stop() -> None:
            servers = list(self._servers.values())
            self._servers.clear()
            for server in servers:
                server.close()

        if self._loop.is_running():
            asyncio.run_coroutine_threadsafe(stop(), self._loop).result()

    @property
    def ports(self) -> frozenset[int]:
        return frozenset(self._servers)

    def close(self) -> None:
        if self._loop.is_running():
            self.stop_listening()
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(5)
        self._loop.close()

    # -- scenarios ---------------------------------------------------------------------------
    def register(self, tag: str, scenario: Mapping[str, Any]) -> None:
        with self._lock:
            self._active[tag] = _Active(scenario)

    def arm(self, tag: str) -> None:
        """The page has loaded: from now on requests belong to the scenario's fetch."""
        with self._lock:
            self._active[tag].armed = True

    def requests(self, tag: str) -> list[ReceivedRequest]:
        with self._lock:
            return list(self._active[tag].requests)

    def unregister(self, tag: str) -> list[ReceivedRequest]:
        with self._lock:
            return self._active.pop(tag).requests

    # -- HTTP --------------------------------------------------------------------------------
    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        port = writer.get_extra_info("sockname")[1]
        try:
            while True:
                request = await self._read(reader, port)
                if request is None:
                    break
                data, keep_open = self._respond(request)
                writer.write(data)
                await writer.drain()
                if not keep_open or (request.header("connection") or "").lower() == "close":
                    break
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _read(self, reader: asyncio.StreamReader, port: int) -> ReceivedRequest | None:
        try:
            first = await asyncio.wait_for(reader.readexactly(1), _HEAD_TIMEOUT)
            if first == b"\x16":  # a TLS ClientHello: an https:// URL aimed at this port
                return None
            head = first + await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), _HEAD_TIMEOUT)
        except (asyncio.IncompleteReadError, TimeoutError):
            return None
        lines = head.decode("latin-1").split("\r\n")
        if not _REQUEST_LINE.fullmatch(lines[0]):
            return None
        method, target, _version = lines[0].split(" ", 2)
        headers: list[tuple[str, str]] = []
        for line in lines[1:]:
            if not line:
                continue
            name, _, value = line.partition(":")
            headers.append((name, value.strip(" \t")))
        length = next((v for n, v in headers if n.lower() == "content-length"), "0")
        body = await reader.readexactly(int(length)) if length.isdigit() else b""
        host = next((v for n, v in headers if n.lower() == "host"), f"127.0.0.1:{port}")
        return ReceivedRequest(method, f"http://{host}{target}", tuple(headers), body)

    def _respond(self, request: ReceivedRequest) -> tuple[bytes, bool]:
        with self._lock:
            active = self._find(request)
            if active is None:
                self.stray.append(request)
                return _NOT_FOUND, True
            if not active.armed:
                if request.method != "GET":
                    return _NOT_FOUND, True
                null_origin = active.scenario["page_origin"] == "null"
                return _page(_SANDBOX_HTML if null_origin else _PAGE_HTML), True
            active.requests.append(request)
            answer = answer_for(active.scenario, request.url, is_preflight=request.is_preflight)
        return _render(answer, request.method)

    def _find(self, request: ReceivedRequest) -> _Active | None:
        match = _TAG_RE.search(request.header("user-agent") or "")
        return self._active.get(match.group(1)) if match is not None else None
