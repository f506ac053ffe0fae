"""Chromium as the oracle for the order of a fetch()'s request headers.

A page at ``http://app.test:<port>`` calls ``fetch()`` on ``http://api.test:<other port>`` with
chosen header names (every value ``1``). A raw asyncio server on 127.0.0.1 answers the preflight
by allowing exactly the requested headers, and answers the actual request with the names of its
header lines in the order they arrived, so every case is one round trip and one JSON body.

From that wire order, :func:`network_order` keeps the names the request itself carries (the
page's, plus the Content-Type a body adds): those are the entries of Blink's ``HTTPHeaderMap``,
in ``network::ResourceRequest::headers`` order, which is what
:func:`crossorigin.engine.header_order.blink_header_order` predicts. Around them the network
stack puts Host, Connection, Content-Length first and Origin, Referer, Accept-Encoding (and the
default Accept and Accept-Language) last, and Chromium's ``User-Agent`` sits among them.
One wire detail is not the map's: for a conditional request (an ``If-*`` header) the HTTP layer
builds its headers with ``Cache-Control: max-age=0`` first and merges the request's headers
after, so a page's own Cache-Control is moved to the front (net/http/
http_network_transaction.cc); it is left out of the comparison then.

Both servers and the browser use free loopback ports; nothing is fixed, so this can run beside
the scenario suites.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "HeaderOrderCase",
    "comparable",
    "network_order",
    "observe_wire_orders",
    "random_cases",
    "request_header_names",
]

# Realistic names (CORS-safelisted ones, client hints, common custom headers) beside random
# tokens; tokens use every tchar, so the case-insensitive sort meets punctuation between 'Z'
# and 'a'.
COMMON_NAMES = (
    "Accept", "Accept-Language", "Content-Language", "Content-Type", "Range", "Authorization",
    "X-Requested-With", "X-Custom", "Cache-Control", "If-None-Match", "If-Modified-Since",
    "Pragma", "X-Api-Key", "X-CSRF-Token", "DPR", "Width", "Viewport-Width", "Save-Data",
    "Downlink", "RTT", "Device-Memory", "ECT", "Priority", "X-Correlation-Id", "Traceparent",
    "Baggage", "X-A", "X-B", "If-Match", "If-Range", "If-Unmodified-Since",
)  # fmt: skip
_TCHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_!#$%&'*+.^`|~"
_LENGTHS = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 15, 20, 24, 25, 30, 40, 60)
# fetch() drops these silently (Fetch "forbidden request-header"; User-Agent stays forbidden in
# Chromium), so they never reach the map.
_FORBIDDEN = frozenset({
    "accept-charset", "accept-encoding", "access-control-request-headers",
    "access-control-request-method", "connection", "content-length", "cookie", "cookie2",
    "date", "dnt", "expect", "host", "keep-alive", "origin", "referer", "set-cookie", "te",
    "trailer", "transfer-encoding", "upgrade", "via", "user-agent",
})  # fmt: skip
_CONDITIONAL = frozenset(
    {"if-modified-since", "if-none-match", "if-unmodified-since", "if-match", "if-range"}
)
_DEFAULT_CONTENT_TYPE = "Content-Type"


@dataclass(frozen=True)
class HeaderOrderCase:
    """One fetch(): its header names in call order, its method, whether it sends a body."""

    names: tuple[str, ...]
    method: str
    body: bool

    def to_json(self) -> dict[str, Any]:
        return {"names": list(self.names), "method": self.method, "body": self.body}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> HeaderOrderCase:
        return cls(tuple(data["names"]), data["method"], bool(data["body"]))


def _is_settable(name: str) -> bool:
    lowered = name.lower()
    return lowered not in _FORBIDDEN and not lowered.startswith(("sec-", "proxy-"))


def _random_name(rng: random.Random) -> str:
    if rng.random() < 0.4:
        name = rng.choice(COMMON_NAMES)
    else:
        name = "".join(rng.choice(_TCHARS) for _ in range(rng.choice(_LENGTHS)))
        if rng.random() < 0.5:
            name = "X-" + name
    return name.lower() if rng.random() < 0.2 else name


def random_cases(rng: random.Random, count: int, *, max_names: int = 20) -> list[HeaderOrderCase]:
    """``count`` fetch() calls with 1..max_names distinct settable names each."""
    cases = []
    for _ in range(count):
        wanted = rng.randint(1, max_names)
        names: list[str] = []
        seen: set[str] = set()
        while len(names) < wanted:
            name = _random_name(rng)
            if name.lower() in seen or not _is_settable(name):
                continue
            seen.add(name.lower())
            names.append(name)
        method = rng.choice(("POST", "POST", "PUT", "GET"))
        cases.append(HeaderOrderCase(tuple(names), method, method != "GET" and rng.random() < 0.7))
    return cases


def request_header_names(case: HeaderOrderCase) -> list[str]:
    """The fetch()'s header list: the page's names, then the Content-Type a string body adds."""
    names = list(case.names)
    if case.body and "content-type" not in {n.lower() for n in names}:
        names.append(_DEFAULT_CONTENT_TYPE)
    return names


def comparable(case: HeaderOrderCase, names: Sequence[str]) -> list[str]:
    """``names`` cut down to what the wire can tell about the map's order (see module doc).

    Keeps the request's own header names, each once, in the given order; for a conditional
    request Cache-Control is dropped, since the HTTP layer moves it to the front.
    """
    own = {n.lower() for n in request_header_names(case)}
    if own & _CONDITIONAL:
        own.discard("cache-control")
    order: list[str] = []
    seen: set[str] = set()
    for name in names:
        if name.lower() in own and name.lower() not in seen:
            seen.add(name.lower())
            order.append(name)
    return order


def network_order(case: HeaderOrderCase, wire: Sequence[str]) -> list[str]:
    """The request's own header names in the order the wire carried them, :func:`comparable`."""
    return comparable(case, wire)


# -- the live oracle ------------------------------------------------------------------------

_PAGE = b"<!doctype html><meta charset=utf-8><link rel=icon href='data:,'><title>order</title>"
_FETCH_ALL_JS = """async ([url, cases]) => {
  const orders = [];
  for (const [index, c] of cases.entries()) {
    const init = {method: c.method, headers: c.names.map((name) => [name, '1'])};
    if (c.body) init.body = 'x';
    const response = await fetch(url + '?' + index, init);
    orders.push(await response.json());
  }
  return orders;
}"""


async def _serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            request_line, *lines = head.decode("latin-1").split("\r\n")
            fields = [line.split(":", 1) for line in lines if line]
            values = {name.lower(): value.strip() for name, value in fields}
            length = int(values.get("content-length", "0"))
            if length:
                await reader.readexactly(length)
            origin = values.get("origin", "")
            if request_line.startswith("OPTIONS "):
                requested = values.get("access-control-request-headers", "")
                extra = (
                    f"Access-Control-Allow-Origin: {origin}\r\n"
                    "Access-Control-Allow-Methods: GET, POST, PUT\r\n"
                    f"Access-Control-Allow-Headers: {requested}\r\n"
                )
                body = b""
            elif origin:
                extra = (
                    f"Access-Control-Allow-Origin: {origin}\r\nContent-Type: application/json\r\n"
                )
                body = json.dumps([name for name, _ in fields]).encode()
            else:
                extra = "Content-Type: text/html; charset=utf-8\r\n"
                body = _PAGE
            writer.write(
                f"HTTP/1.1 200 OK\r\n{extra}Content-Length: {len(body)}\r\n\r\n".encode("latin-1")
                + body
            )
            await writer.drain()
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
        pass
    finally:
        writer.close()


async def observe_wire_orders(cases: Sequence[HeaderOrderCase]) -> list[list[str]]:
    """The header names of each case's actual request, in wire order, from real Chromium."""
    from playwright.async_api import async_playwright

    from tests.support.chromium import close_chromium, launch_chromium

    page_server = await asyncio.start_server(_serve, "127.0.0.1", 0)
    api_server = await asyncio.start_server(_serve, "127.0.0.1", 0)
    page_port = page_server.sockets[0].getsockname()[1]
    api_port = api_server.sockets[0].getsockname()[1]
    try:
        async with async_playwright() as playwright:
            browser = await launch_chromium(playwright)
            try:
                page = await browser.new_page()
                await page.goto(f"http://app.test:{page_port}/")
                orders: list[list[str]] = await page.evaluate(
                    _FETCH_ALL_JS,
                    [f"http://api.test:{api_port}/order", [c.to_json() for c in cases]],
                )
            finally:
                await close_chromium(browser)
    finally:
        for server in (page_server, api_server):
            server.close()
            with contextlib.suppress(Exception):
                await server.wait_closed()
    return orders
