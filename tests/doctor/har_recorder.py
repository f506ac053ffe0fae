"""Record HAR files from real Chromium, with the CorsError DevTools reported beside them.

Each case loads a blank page at ``http://app.test:PORT/`` and runs one ``fetch()`` to
``http://api.test:PORT/...`` (Chromium maps ``*.test`` to 127.0.0.1); a raw loopback server
answers each path and method with fixed bytes. The ``Network.*`` events of the page's DevTools
session are turned into a HAR 1.2 log the way DevTools' "Export HAR" does it
(devtools-frontend ``front_end/models/har/Log.ts``: ``_initiator``, ``_resourceType``,
``_priority``, ``response._error``, one entry per redirect hop, headers from the
``*ExtraInfo`` events when they came). What the HAR export leaves out, the
``Network.loadingFailed.corsErrorStatus``, is written next to it as the ground truth.

``python -m tests.doctor.har_recorder [DIR]`` rewrites the fixtures (tests/doctor/har/).
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import datetime as dt
import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.async_api import async_playwright

from tests.support.chromium import close_chromium, launch_chromium

FIXTURES = Path(__file__).parent / "har"
# Same site (shop.test), different origins: a cookie set by the API is sent on credentialed
# fetches without needing SameSite=None (which requires Secure, so https).
PAGE_HOST = "app.shop.test"
API_HOST = "api.shop.test"
# DevTools still spells some enumerators the pre-rename way (tests/support/chromium.py).
_CDP_TO_MOJOM = {
    "InsecurePrivateNetwork": "kInsecureLocalNetwork",
    "InvalidPrivateNetworkAccess": "kInvalidLocalNetworkAccess",
}

Answer = tuple[int, tuple[tuple[str, str], ...]]


@dataclass(frozen=True)
class Call:
    """A later call of the same page: fetch() (or XMLHttpRequest) of ``path`` on the API host
    (on the page's own host when ``same_origin``)."""

    path: str
    init: Mapping[str, Any] = field(default_factory=dict)
    xhr: bool = False
    same_origin: bool = False


@dataclass(frozen=True)
class Case:
    """One page: its first fetch's path and init, any later calls, and the server's answer
    per (method, path)."""

    name: str
    path: str
    init: Mapping[str, Any]
    routes: Mapping[tuple[str, str], Answer]
    with_cookie: bool = False  # set a cookie on the API host first, so credentials carry one
    more: tuple[Call, ...] = ()

    @property
    def calls(self) -> tuple[Call, ...]:
        return (Call(self.path, self.init), *self.more)


def _acao(*extra: tuple[str, str]) -> tuple[tuple[str, str], ...]:
    return (("Access-Control-Allow-Origin", "{origin}"), ("Vary", "Origin"), *extra)


CASES: tuple[Case, ...] = (
    Case(
        "allowed-simple",
        "/v1/items",
        {},
        {("GET", "/v1/items"): (200, (("Content-Type", "application/json"), *_acao()))},
    ),
    Case(
        "allowed-preflight",
        "/v1/items/7",
        {"method": "PUT", "headers": {"Content-Type": "application/json"}, "body": "{}"},
        {
            ("OPTIONS", "/v1/items/7"): (
                204,
                _acao(
                    ("Access-Control-Allow-Methods", "GET, PUT"),
                    ("Access-Control-Allow-Headers", "Content-Type"),
                ),
            ),
            ("PUT", "/v1/items/7"): (200, (("Content-Type", "application/json"), *_acao())),
        },
    ),
    Case(
        "error-400-without-cors",
        "/v1/orders",
        {"method": "POST", "headers": {"Content-Type": "text/plain"}, "body": "oops"},
        {
            ("POST", "/v1/orders"): (
                400,
                (("Server", "nginx/1.26.3"), ("Content-Type", "application/json")),
            )
        },
    ),
    Case(
        "wildcard-with-credentials",
        "/v1/me",
        {"credentials": "include"},
        {
            ("GET", "/v1/me"): (
                200,
                (
                    ("Server", "uvicorn"),
                    ("Content-Type", "application/json"),
                    ("Access-Control-Allow-Origin", "*"),
                ),
            )
        },
        with_cookie=True,
    ),
    Case(
        "preflight-404",
        "/v1/items/9",
        {"method": "DELETE"},
        {
            ("OPTIONS", "/v1/items/9"): (404, (("Server", "Kestrel"), *_acao())),
            ("DELETE", "/v1/items/9"): (204, _acao()),
        },
    ),
    Case(
        "header-disallowed",
        "/v1/reports",
        {"headers": {"Authorization": "Bearer t0ken", "X-Trace": "1"}},
        {
            ("OPTIONS", "/v1/reports"): (
                204,
                (
                    ("Server", "Werkzeug/3.1.3 Python/3.11.7"),
                    *_acao(("Access-Control-Allow-Headers", "X-Trace")),
                ),
            ),
            ("GET", "/v1/reports"): (200, _acao()),
        },
    ),
    Case(
        "method-disallowed",
        "/v1/products/3",
        {"method": "PATCH", "headers": {"Content-Type": "application/json"}, "body": "{}"},
        {
            ("OPTIONS", "/v1/products/3"): (
                204,
                (
                    ("X-Powered-By", "Express"),
                    *_acao(
                        ("Access-Control-Allow-Methods", "GET,POST"),
                        ("Access-Control-Allow-Headers", "Content-Type"),
                    ),
                ),
            ),
            ("PATCH", "/v1/products/3"): (200, _acao()),
        },
    ),
    Case(
        "redirect-without-cors",
        "/v1/old",
        {},
        {
            ("GET", "/v1/old"): (302, (("Location", "/v1/new"), *_acao())),
            ("GET", "/v1/new"): (200, (("Content-Type", "application/json"),)),
        },
    ),
)
# A page that makes several calls: the HAR has many entries, a preflight served from the
# cache (the second PUT has none), an XMLHttpRequest, a same-origin call and an error page.
CASES += (
    Case(
        "page-session",
        "/v1/cart",
        {"method": "PUT", "headers": {"Content-Type": "application/json"}, "body": "[]"},
        {
            ("OPTIONS", "/v1/cart"): (
                204,
                _acao(
                    ("Access-Control-Allow-Methods", "PUT"),
                    ("Access-Control-Allow-Headers", "content-type"),
                ),
            ),
            ("PUT", "/v1/cart"): (200, (("Content-Type", "application/json"), *_acao())),
            ("OPTIONS", "/v1/profile"): (204, _acao(("Access-Control-Allow-Headers", "X-Other"))),
            ("GET", "/v1/profile"): (200, _acao()),
            ("GET", "/v1/broken"): (
                500,
                (("X-Powered-By", "Express"), ("Content-Type", "text/html")),
            ),
        },
        more=(
            Call(
                "/v1/cart",
                {"method": "PUT", "headers": {"Content-Type": "application/json"}, "body": "[1]"},
            ),
            Call("/v1/profile", {"headers": {"X-Api-Key": "k"}}, xhr=True),
            Call("/log", {"method": "POST", "body": "seen"}, same_origin=True),
            Call("/v1/broken"),
        ),
    ),
)
# The sanitized copies DevTools' default "Export HAR (sanitized)" would give.
SANITIZED = {"wildcard-with-credentials-sanitized": "wildcard-with-credentials"}


# -- the loopback server --------------------------------------------------------------------


class _Server:
    def __init__(self) -> None:
        self.case: Case | None = None
        self.port = 0
        self._server: asyncio.Server | None = None

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(Exception):
            while True:
                head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
                lines = head.decode("latin-1").split("\r\n")
                method, target, _ = lines[0].split(" ", 2)
                headers = {}
                for line in lines[1:]:
                    if ":" in line:
                        name, _, value = line.partition(":")
                        headers[name.strip().lower()] = value.strip()
                length = int(headers.get("content-length", "0") or 0)
                if length:
                    await reader.readexactly(length)
                writer.write(self._answer(method, target, headers))
                await writer.drain()
        writer.close()

    def _answer(self, method: str, target: str, headers: Mapping[str, str]) -> bytes:
        host = headers.get("host", "").split(":")[0]
        path = urlsplit(target).path
        if host == PAGE_HOST or self.case is None:
            body = b'<!doctype html><link rel=icon href="data:,"><title>app</title>'
            status: int = 200
            out: list[tuple[str, str]] = [("Content-Type", "text/html")]
        elif path == "/set-cookie":
            body = b"ok"
            status = 200
            out = [("Set-Cookie", "session=abc123; Path=/; HttpOnly")]
        else:
            status, answer = self.case.routes.get((method, path), (404, ()))
            origin = headers.get("origin", "")
            out = [(name, value.replace("{origin}", origin)) for name, value in answer]
            body = b"" if status in (204, 304) or method == "HEAD" else b'{"ok": false}'
        reason = HTTPStatus(status).phrase
        lines = [f"HTTP/1.1 {status} {reason}", *(f"{n}: {v}" for n, v in out)]
        if status not in (204, 304):
            lines.append(f"Content-Length: {len(body)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


# -- DevTools events to HAR -----------------------------------------------------------------


@dataclass
class _Request:
    """One HAR entry in the making: a request id's hop (redirects start a new one)."""

    request_id: str
    will_be_sent: dict[str, Any]
    extra_request_headers: dict[str, str] | None = None
    response: dict[str, Any] | None = None
    extra_response: dict[str, Any] | None = None
    failed: dict[str, Any] | None = None
    finished: dict[str, Any] | None = None
    redirect_response: dict[str, Any] | None = None
    redirected_at: float | None = None  # the next hop's requestWillBeSent timestamp


@dataclass
class _Events:
    requests: list[_Request] = field(default_factory=list)
    by_id: dict[str, _Request] = field(default_factory=dict)
    # ExtraInfo events may come before the request they belong to.
    early_request_extra: dict[str, dict[str, str]] = field(default_factory=dict)
    response_extras: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    failures: list[dict[str, Any]] = field(default_factory=list)

    def will_be_sent(self, params: dict[str, Any]) -> None:
        rid = params["requestId"]
        previous = self.by_id.get(rid)
        if previous is not None and params.get("redirectResponse"):
            previous.redirect_response = params["redirectResponse"]
            previous.redirected_at = params.get("timestamp")
        entry = _Request(rid, params)
        if rid in self.early_request_extra:
            entry.extra_request_headers = self.early_request_extra.pop(rid)
        self.by_id[rid] = entry
        self.requests.append(entry)

    def request_extra(self, params: dict[str, Any]) -> None:
        entry = self.by_id.get(params["requestId"])
        if entry is not None and entry.extra_request_headers is None:
            entry.extra_request_headers = params["headers"]
        else:
            self.early_request_extra[params["requestId"]] = params["headers"]

    def response_received(self, params: dict[str, Any]) -> None:
        entry = self.by_id.get(params["requestId"])
        if entry is not None:
            entry.response = params["response"]

    def response_extra(self, params: dict[str, Any]) -> None:
        # Matched with their hops once recording ends (assign_response_extra): a redirect
        # hop's ExtraInfo may come before or after the next hop's requestWillBeSent.
        self.response_extras.setdefault(params["requestId"], []).append(params)

    def assign_response_extra(self) -> None:
        """Each hop of a request id gets its ExtraInfo: a redirect hop the next one with its
        status (3xx), the last hop the first one left, in arrival order."""
        for rid, extras in self.response_extras.items():
            hops = [item for item in self.requests if item.request_id == rid]
            left = list(extras)
            for hop in hops:
                if hop.redirect_response is None:
                    continue
                status = hop.redirect_response.get("status")
                match = next((e for e in left if e.get("statusCode") == status), None)
                if match is not None:
                    left.remove(match)
                    hop.extra_response = match
            if hops and hops[-1].redirect_response is None and left:
                hops[-1].extra_response = left[0]

    def loading_finished(self, params: dict[str, Any]) -> None:
        entry = self.by_id.get(params["requestId"])
        if entry is not None:
            entry.finished = params

    def loading_failed(self, params: dict[str, Any]) -> None:
        self.failures.append(params)
        entry = self.by_id.get(params["requestId"])
        if entry is not None:
            entry.failed = params


def _header_list(headers: Mapping[str, str] | None) -> list[dict[str, str]]:
    # CDP joins repeated header lines with "\n"; DevTools splits them again.
    out = []
    for name, value in (headers or {}).items():
        for line in str(value).split("\n"):
            out.append({"name": name, "value": line})
    return out


def _iso(wall_time: float) -> str:
    moment = dt.datetime.fromtimestamp(wall_time, tz=dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _entry(item: _Request, page_id: str) -> dict[str, Any]:
    sent = item.will_be_sent
    request = sent["request"]
    url = request["url"]
    response = item.redirect_response or item.response
    extra = item.extra_response
    status = 0
    status_text = ""
    http_version = ""
    response_headers: Mapping[str, str] | None = None
    mime = "x-unknown"
    if response is not None:
        status = response["status"]
        status_text = response.get("statusText", "")
        http_version = response.get("protocol", "")
        response_headers = response.get("headers")
        mime = response.get("mimeType") or mime
    if extra is not None:
        # DevTools takes the raw headers of the ExtraInfo event when it has them; a blocked
        # response only has those (no responseReceived): status and headers, no protocol.
        response_headers = extra.get("headers", response_headers)
        if response is None:
            status = extra.get("statusCode", 0)
            text = extra.get("headersText") or ""
            if text.startswith("HTTP/"):
                status_text = text.split("\r\n", 1)[0].split(" ", 2)[-1]
    error = item.failed.get("errorText") if item.failed is not None else None
    request_headers = (
        item.extra_request_headers
        if item.extra_request_headers is not None
        else request.get("headers", {})
    )
    query = [
        {"name": k, "value": v}
        for k, _, v in (p.partition("=") for p in urlsplit(url).query.split("&") if p)
    ]
    location = ""
    for name, value in (response_headers or {}).items():
        if name.lower() == "location":
            location = value
    initiator = sent.get("initiator", {"type": "other"})
    # DevTools names a CORS preflight's resource type "preflight" (CDP says "Other" or
    # "Preflight"; the initiator type is "preflight").
    resource_type = (
        "preflight"
        if initiator.get("type") == "preflight"
        else str(sent.get("type", "Other")).lower()
    )
    # Total time: requestWillBeSent to the hop's end (loadingFinished, loadingFailed, or the
    # next hop of a redirect), in milliseconds, as DevTools' entry.time.
    end = (item.finished or item.failed or {}).get("timestamp", item.redirected_at)
    start = sent.get("timestamp")
    total = max(0.0, (end - start) * 1000) if end is not None and start is not None else 0.0
    entry: dict[str, Any] = {
        "_connectionId": str(response.get("connectionId", "")) if response else "",
        "_initiator": initiator,
        "_priority": request.get("initialPriority", "High"),
        "_resourceType": resource_type,
        "cache": {},
        "connection": str(response.get("connectionId", "")) if response else "",
        "pageref": page_id,
        "request": {
            "method": request["method"],
            "url": url.split("#", 1)[0],
            "httpVersion": http_version,
            "headers": _header_list(request_headers),
            "queryString": query,
            "cookies": [],
            "headersSize": -1,
            "bodySize": len(request.get("postData", "") or ""),
        },
        "response": {
            "status": status,
            "statusText": status_text,
            "httpVersion": http_version,
            "headers": _header_list(response_headers),
            "cookies": [],
            "content": {"size": 0, "mimeType": mime},
            "redirectURL": location,
            "headersSize": -1,
            "bodySize": -1,
            "_transferSize": (item.finished or {}).get("encodedDataLength", 0),
            "_error": error,
        },
        "serverIPAddress": (response or {}).get("remoteIPAddress", ""),
        "startedDateTime": _iso(sent["wallTime"]),
        "time": round(total, 3),
        "timings": {
            "blocked": -1,
            "dns": -1,
            "ssl": -1,
            "connect": -1,
            "send": 0,
            "wait": round(total, 3),
            "receive": 0,
            "_blocked_queueing": -1,
        },
    }
    if request.get("postData") is not None:
        mime_type = next(
            (v for k, v in request.get("headers", {}).items() if k.lower() == "content-type"), ""
        )
        entry["request"]["postData"] = {"mimeType": mime_type, "text": request["postData"]}
    return entry


def build_har(events: _Events, page_url: str, started: float) -> dict[str, Any]:
    """A HAR 1.2 log shaped like DevTools' export, from the recorded events."""
    page_id = "page_1"
    return {
        "log": {
            "version": "1.2",
            "creator": {"name": "WebInspector", "version": "537.36"},
            "pages": [
                {
                    "startedDateTime": _iso(started),
                    "id": page_id,
                    "title": page_url,
                    "pageTimings": {"onContentLoad": -1, "onLoad": -1},
                }
            ],
            "entries": [_entry(item, page_id) for item in events.requests],
        }
    }


def sanitize(har: Mapping[str, Any]) -> dict[str, Any]:
    """DevTools' "Export HAR (sanitized)": no Cookie, Authorization or Set-Cookie, no cookies."""
    out: dict[str, Any] = copy.deepcopy(dict(har))
    for entry in out["log"]["entries"]:
        for part, names in (
            ("request", ("cookie", "authorization")),
            ("response", ("set-cookie",)),
        ):
            message = entry[part]
            message["headers"] = [h for h in message["headers"] if h["name"].lower() not in names]
            message["cookies"] = []
    return out


# -- recording --------------------------------------------------------------------------------


@dataclass
class CallTruth:
    """What DevTools said about one cross-origin call (none of it is in the HAR)."""

    url: str
    method: str
    cors_error: str | None  # mojom name (kMissingAllowOriginHeader...) or None
    failed_parameter: str | None
    console: str | None  # the page's console error line for it


@dataclass
class Recording:
    """A case's HAR and what DevTools said about each cross-origin call."""

    name: str
    har: dict[str, Any]
    page_origin: str
    calls: list[CallTruth]

    def truth(self) -> dict[str, Any]:
        return {
            "case": self.name,
            "page_origin": self.page_origin,
            "source": "Network.loadingFailed.corsErrorStatus and Log.entryAdded (Chromium, CDP)",
            "requests": [
                {
                    "url": call.url,
                    "method": call.method,
                    "cors_error": call.cors_error,
                    "failed_parameter": call.failed_parameter,
                    "console": call.console,
                }
                for call in self.calls
            ],
        }


_CALL_JS = """async ([url, init, xhr]) => {
  if (xhr) {
    await new Promise((done) => {
      const request = new XMLHttpRequest();
      request.open(init.method || "GET", url);
      for (const [name, value] of Object.entries(init.headers || {})) {
        request.setRequestHeader(name, value);
      }
      request.onloadend = done;
      request.send(init.body || null);
    });
    return;
  }
  try { await (await fetch(url, init)).text(); } catch (e) {}
}"""


async def _record_case(browser: Any, server: _Server, case: Case) -> Recording:
    server.case = case
    origin = f"http://{PAGE_HOST}:{server.port}"
    context = await browser.new_context()
    try:
        page = await context.new_page()
        if case.with_cookie:
            await page.goto(f"http://{API_HOST}:{server.port}/set-cookie")
        events = _Events()
        session = await context.new_cdp_session(page)
        session.on("Network.requestWillBeSent", events.will_be_sent)
        session.on("Network.requestWillBeSentExtraInfo", events.request_extra)
        session.on("Network.responseReceived", events.response_received)
        session.on("Network.responseReceivedExtraInfo", events.response_extra)
        session.on("Network.loadingFinished", events.loading_finished)
        session.on("Network.loadingFailed", events.loading_failed)
        console: list[str] = []
        session.on(
            "Log.entryAdded",
            lambda p: (
                console.append(p["entry"]["text"])
                if p["entry"].get("level") == "error" and p["entry"].get("source") != "network"
                else None
            ),
        )
        await session.send("Network.enable")
        await session.send("Log.enable")
        started = dt.datetime.now(dt.UTC).timestamp()
        await page.goto(origin + "/")
        api = f"http://{API_HOST}:{server.port}"
        for call in case.calls:
            base = origin if call.same_origin else api
            await page.evaluate(_CALL_JS, [base + call.path, dict(call.init), call.xhr])
        # Let the last events arrive (loadingFinished, the preflight's, the console line, which
        # may come after loadingFailed): every hop done, then nothing new for 0.3 s; at most
        # 10 s, for a loaded CI machine.
        deadline = asyncio.get_running_loop().time() + 10
        quiet_since, seen = 0.0, -1
        while (now := asyncio.get_running_loop().time()) < deadline:
            hops = [r for r in events.requests if r.redirect_response is None]
            done = bool(hops) and all(r.finished or r.failed for r in hops)
            ended = sum(bool(r.finished or r.failed) for r in hops)
            extras = sum(len(found) for found in events.response_extras.values())
            count = len(events.requests) + len(console) + ended + extras
            if count != seen:
                seen, quiet_since = count, now
            elif done and now - quiet_since >= 0.3:
                break
            await asyncio.sleep(0.02)
        await session.detach()
    finally:
        await context.close()
    events.assign_response_extra()
    har = build_har(events, origin + "/", started)
    return Recording(case.name, har, origin, _truths(case, events, console, origin, api))


def _truths(
    case: Case, events: _Events, console: list[str], origin: str, api: str
) -> list[CallTruth]:
    """Each cross-origin call's CorsError and console line: the page's script-initiated
    requests in order are its calls (a redirect keeps the request id)."""
    script_ids: list[str] = []
    for item in events.requests:
        sent = item.will_be_sent
        if sent.get("type") in ("Fetch", "XHR") and item.request_id not in script_ids:
            script_ids.append(item.request_id)
    failures = {f["requestId"]: f for f in events.failures}
    lines = [line for line in console if "blocked by CORS policy" in line]
    truths = []
    for call, request_id in zip(case.calls, script_ids, strict=True):
        if call.same_origin:
            continue
        url = api + call.path
        failure = failures.get(request_id) or {}
        status = failure.get("corsErrorStatus")
        error = (
            _CDP_TO_MOJOM.get(status["corsError"], "k" + status["corsError"]) if status else None
        )
        line = None
        if error is not None:
            line = next((text for text in lines if f"'{url}'" in text), None)
            if line is not None:
                lines.remove(line)
        truths.append(
            CallTruth(
                url,
                str(call.init.get("method", "GET")),
                error,
                status.get("failedParameter") if status else None,
                line,
            )
        )
    return truths


async def record(cases: Sequence[Case] = CASES) -> list[Recording]:
    """Run each case in a fresh context of one headless Chromium; return the recordings."""
    server = _Server()
    await server.start()
    try:
        async with async_playwright() as playwright:
            browser = await launch_chromium(playwright)
            try:
                return [await _record_case(browser, server, case) for case in cases]
            finally:
                await close_chromium(browser)
    finally:
        await server.close()


def write_fixtures(directory: Path = FIXTURES) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    recordings = {r.name: r for r in asyncio.run(record())}
    for name, source in SANITIZED.items():
        original = recordings[source]
        recordings[name] = Recording(
            name, sanitize(original.har), original.page_origin, original.calls
        )
    for name, recording in recordings.items():
        har_path = directory / f"{name}.har"
        har_path.write_text(json.dumps(recording.har, indent=2) + "\n")
        truth_path = directory / f"{name}.cdp.json"
        truth_path.write_text(json.dumps(recording.truth(), indent=2) + "\n")
        written += [har_path, truth_path]
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else FIXTURES
    for path in write_fixtures(target):
        print(path)
