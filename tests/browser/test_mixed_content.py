"""Mixed content judged by real Chromium 156, and the engine compared with it.

An https page (a self-signed certificate made with the openssl CLI; Chromium gets
--ignore-certificate-errors for this file only) calls an http:// API on loopback. Blink's
MixedContentChecker::ShouldBlockFetch (third_party/blink/renderer/core/loader/
mixed_content_checker.cc) blocks a URL that is not potentially trustworthy before anything is
sent: fetch() rejects with "Failed to fetch", no CorsError, and the console says "Mixed
Content: ...". 127.0.0.1, localhost and *.localhost are potentially trustworthy, so they pass.
A redirect hop is checked the same way. A targetAddressSpace of local/loopback lifts the block
(a warning is logged instead) and hands the request to Local Network Access.

Two https pages: ``app.test`` on a port that keeps its real space (loopback: no Local Network
Access check applies) and ``pub.test`` on a port told to be public with
--ip-address-space-overrides (so Local Network Access checks its calls to the API).

Each situation runs live (fresh context) and through ``crossorigin.engine.run`` with the same
server answers; the verdict, CorsError, console error line, the mixed-content warning, the
requests that reached a server and DevTools' blockedReason must agree.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import ssl
import subprocess
import tempfile
import threading
import urllib.parse
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, async_playwright

from crossorigin.engine import FetchRequest, FetchResult, HttpRequest, HttpResponse, run
from tests.support.chromium import chromium_available, launch_args

pytestmark = [pytest.mark.browser, pytest.mark.server, pytest.mark.xdist_group("mixed-content")]

PAGE_HTML = b'<!doctype html><meta charset=utf-8><link rel=icon href="data:,"><title>mc</title>'
# key: (origin template, the page's address space told to the engine)
PAGES: Mapping[str, tuple[str, str | None]] = {
    "app": ("https://app.test:{app}", None),
    "pub": ("https://pub.test:{pub}", "public"),
}
API = "http://api.test:{api}/{name}/data"
FETCH_JS = """async ([url, init]) => {
  try {
    const response = await fetch(url, init);
    return {settled: "resolved", type: response.type, status: response.status};
  } catch (error) {
    return {settled: "rejected", message: String(error && error.message)};
  }
}"""
FAILURE_EVENT_WAIT = 1.0
MIXED = "mixed-content"
DENIED = "kLocalNetworkAccessPermissionDenied"
INVALID = "kInvalidLocalNetworkAccess"


@dataclass(frozen=True)
class Situation:
    name: str
    url: str  # template: {app} {pub} {api} ports and {name}
    blocked_by: str | None  # what Chromium 156 did: MIXED, a CorsError name, or None (allowed)
    page: str = "app"
    method: str = "GET"
    headers: tuple[tuple[str, str], ...] = ()
    mode: str = "cors"
    target: str | None = None  # fetch()'s targetAddressSpace
    redirect_to: str | None = None  # template: the url answers 307 to this
    warned: bool = False  # Chromium logged the mixed-content warning (the block was lifted)
    resource_space: str | None = None  # told to the engine; None: it derives it from the URL

    def request_url(self, ports: Mapping[str, int]) -> str:
        url = self.url.format(name=self.name, **ports)
        if self.redirect_to is not None:
            to = self.redirect_to.format(name=self.name, **ports)
            url += "?to=" + urllib.parse.quote(to, safe="")
        return url

    def page_origin(self, ports: Mapping[str, int]) -> str:
        return PAGES[self.page][0].format(**ports)


SITUATIONS = [
    # Not potentially trustworthy: blocked in Blink, whatever the mode or method.
    Situation("http-api", API, MIXED),
    Situation("http-api-preflighted", API, MIXED, method="PUT", headers=(("X-A", "1"),)),
    Situation("http-api-no-cors", API, MIXED, mode="no-cors"),
    Situation("http-api-post", API, MIXED, method="POST"),
    # The long URL shows how Blink elides it in the console (KURL::ElidedString).
    Situation("http-api-long-url", API + "?q=" + "x" * 1500, MIXED),
    # mode same-origin fails in FetchManager before the mixed-content check, and on a redirect
    # the same-origin check of the hop comes first too (Chromium's "Unsafe attempt" line).
    Situation("http-api-same-origin-mode", API, "kDisallowedByMode", mode="same-origin"),
    # Blink blocks mixed content before the network stack refuses a bad port (6000, X11)...
    Situation("http-api-bad-port", "http://api.test:6000/{name}/data", MIXED),
    # ...and checks mode same-origin before both.
    Situation(
        "same-origin-mode-bad-port",
        "http://127.0.0.1:6000/{name}/data",
        "kDisallowedByMode",
        mode="same-origin",
    ),
    # Potentially trustworthy http URLs are not mixed content: CORS decides.
    Situation("loopback-ip", "http://127.0.0.1:{api}/{name}/data", None),
    Situation("localhost", "http://localhost:{api}/{name}/data", None),
    Situation("sub-localhost", "http://api.localhost:{api}/{name}/data", None),
    # Each redirect hop is checked: the https hop reaches the server, the http one does not.
    Situation("redirect-to-http", "https://app.test:{app}/{name}/redirect", MIXED, redirect_to=API),
    Situation(
        "redirect-to-loopback-ip",
        "https://app.test:{app}/{name}/redirect",
        None,
        redirect_to="http://127.0.0.1:{api}/{name}/data",
    ),
    Situation(
        "redirect-to-http-same-origin-mode",
        "https://app.test:{app}/{name}/redirect",
        MIXED,
        mode="same-origin",
        redirect_to=API,
    ),
    # targetAddressSpace local/loopback lifts the block (a warning instead) and leaves the
    # request to Local Network Access; public (or unknown) does not.
    Situation("target-loopback", API, None, target="loopback", warned=True),
    Situation(
        "target-local-mismatch",
        API,
        INVALID,
        target="local",
        warned=True,
        resource_space="loopback",
    ),
    Situation("target-public", API, MIXED, target="public"),
    Situation("target-unknown", API, MIXED, target="unknown"),
    Situation(
        "public-page-target-loopback",
        API,
        DENIED,
        page="pub",
        target="loopback",
        warned=True,
        resource_space="loopback",
    ),
    Situation("public-page-no-target", API, MIXED, page="pub", resource_space="loopback"),
]


# -- the servers ----------------------------------------------------------------------------


def answer(method: str, target: str, origin: str | None) -> tuple[int, list[tuple[str, str]]]:
    """How every server here answers: the live ones and the engine's ``respond``."""
    path, _, query = target.partition("?")
    if path == "/":
        return 200, [("Content-Type", "text/html")]
    cors = [("Access-Control-Allow-Origin", origin or "*")]
    if path.endswith("/redirect"):
        return 307, [("Location", urllib.parse.parse_qs(query)["to"][0]), *cors]
    if method == "OPTIONS":
        allow = [("Access-Control-Allow-Methods", "PUT"), ("Access-Control-Allow-Headers", "x-a")]
        return 204, [*cors, *allow]
    return 200, [*cors, ("Content-Type", "text/plain")]


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        if self.path != "/":
            url = f"{self.server.scheme}://{self.headers['Host']}{self.path}"
            with self.server.lock:
                self.server.log.append((self.command, url))
        status, headers = answer(self.command, self.path, self.headers.get("Origin"))
        body = PAGE_HTML if self.path == "/" else b"ok" if status == 200 else b""
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_OPTIONS = _serve


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self, log: list[tuple[str, str]], lock: threading.Lock, tls: ssl.SSLContext | None
    ) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.log = log
        self.lock = lock
        self.scheme = "https" if tls else "http"
        if tls is not None:
            self.socket = tls.wrap_socket(self.socket, server_side=True)


def _self_signed(directory: Path) -> ssl.SSLContext:
    """A certificate for the .test pages, made with the openssl CLI."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-subj", "/CN=app.test", "-addext", "subjectAltName=DNS:app.test,DNS:pub.test"),
            *("-keyout", str(key), "-out", str(cert)),
        ],
        check=True,
        capture_output=True,
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context


@dataclass
class Servers:
    ports: dict[str, int]
    log: list[tuple[str, str]]
    lock: threading.Lock

    def received(self, situation: Situation) -> list[tuple[str, str]]:
        """What reached any server for this situation (its paths start with its name)."""
        prefix = f"/{situation.name}/"
        with self.lock:
            return [r for r in self.log if urllib.parse.urlsplit(r[1]).path.startswith(prefix)]


@contextlib.contextmanager
def serving(directory: Path) -> Iterator[Servers]:
    log: list[tuple[str, str]] = []
    lock = threading.Lock()
    tls = _self_signed(directory)
    servers = {"app": _Server(log, lock, tls), "pub": _Server(log, lock, tls)}
    servers["api"] = _Server(log, lock, None)
    for server in servers.values():
        threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield Servers({k: s.server_address[1] for k, s in servers.items()}, log, lock)
    finally:
        for server in servers.values():
            server.shutdown()
            server.server_close()


# -- Chromium -------------------------------------------------------------------------------

HOST_RULES = "--host-resolver-rules=MAP *.test 127.0.0.1, MAP * ~NOTFOUND"


def chromium_args(user_data_dir: str, ports: Mapping[str, int]) -> list[str]:
    """notes/TEAM.md's command line, two rules more, and the switches this file needs."""
    args = launch_args(user_data_dir)
    assert HOST_RULES in args, "notes/TEAM.md's host rules changed: update HOST_RULES"
    # Loopback literals and localhost names are let through (still nothing but loopback).
    args[args.index(HOST_RULES)] = (
        "--host-resolver-rules=MAP *.test 127.0.0.1, EXCLUDE 127.0.0.1, EXCLUDE 127.0.0.2, "
        "EXCLUDE localhost, EXCLUDE *.localhost, MAP * ~NOTFOUND"
    )
    extra = [
        "--ignore-certificate-errors",  # the self-signed certificate of the https pages
        f"--ip-address-space-overrides=127.0.0.1:{ports['pub']}=public",
    ]
    return [*args[:-1], *extra, args[-1]]  # the start URL stays last


@dataclass
class Live:
    """What one situation showed in Chromium."""

    outcome: str
    error: str | None
    console: str | None  # the first error-level console line
    warning: str | None  # the mixed-content warning, if any
    blocked_reason: str | None  # DevTools Network.loadingFailed blockedReason
    error_text: str | None  # DevTools Network.loadingFailed errorText
    status: int | None
    received: list[tuple[str, str]]


async def _observe(browser: Browser, servers: Servers, situation: Situation) -> Live:
    ports = servers.ports
    context = await browser.new_context(ignore_https_errors=True)
    failures: list[dict[str, Any]] = []
    issues: list[dict[str, Any]] = []
    log: list[dict[str, Any]] = []
    failed = asyncio.Event()

    def on_failure(params: dict[str, Any]) -> None:
        failures.append(params)
        failed.set()

    def on_issue(params: dict[str, Any]) -> None:
        if params["issue"]["code"] == "CorsIssue":
            issues.append(params["issue"]["details"]["corsIssueDetails"])
            failed.set()

    try:
        page = await context.new_page()
        session = await context.new_cdp_session(page)
        session.on("Network.loadingFailed", on_failure)
        session.on("Audits.issueAdded", on_issue)
        session.on("Log.entryAdded", lambda p: log.append(p["entry"]))
        for domain in ("Network", "Log", "Audits"):
            await session.send(f"{domain}.enable")
        await page.goto(situation.page_origin(ports) + "/")
        init: dict[str, Any] = {
            "method": situation.method,
            "headers": [list(h) for h in situation.headers],
            "mode": situation.mode,
        }
        if situation.target is not None:
            init["targetAddressSpace"] = situation.target
        settled = await page.evaluate(FETCH_JS, [situation.request_url(ports), init])
        if settled.get("message") == "Failed to fetch":  # DevTools says why, a little later
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(failed.wait(), FAILURE_EVENT_WAIT)
        await session.send("Runtime.evaluate", {"expression": "0"})  # flushes the events
    finally:
        with contextlib.suppress(Exception):
            await context.close()
    errors = [e["text"] for e in log if e["level"] == "error" and e.get("source") != "network"]
    warnings = [e["text"] for e in log if e["level"] == "warning" and "Mixed Content" in e["text"]]
    console, warning = (errors or [None])[0], (warnings or [None])[0]
    received = servers.received(situation)
    fetch_failures = [f for f in failures if f.get("type") == "Fetch"]
    failure = fetch_failures[0] if fetch_failures else {}
    reason, text = failure.get("blockedReason"), failure.get("errorText")
    if settled["settled"] == "resolved":
        outcome = "opaque" if settled["type"] == "opaque" else "allowed"
        return Live(outcome, None, console, warning, reason, text, settled["status"], received)
    # DevTools names the error: the failed fetch's corsErrorStatus, else Blink's CorsIssue.
    names = [f["corsErrorStatus"]["corsError"] for f in fetch_failures if f.get("corsErrorStatus")]
    names += [i["corsErrorStatus"]["corsError"] for i in issues if not i.get("isWarning")]
    error = "k" + names[0] if names else None
    if settled["message"] != "Failed to fetch":
        error = "TypeError"
    return Live("blocked", error, console, warning, reason, text, None, received)


async def _observe_all(servers: Servers, user_data_dir: str) -> dict[str, Live]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=shutil.which("chromium") or "chromium",
            ignore_default_args=True,
            args=chromium_args(user_data_dir, servers.ports),
            timeout=60_000,
        )
        try:
            gate = asyncio.Semaphore(4)

            async def one(situation: Situation) -> Live:
                async with gate:
                    return await asyncio.wait_for(_observe(browser, servers, situation), 30)

            lives = await asyncio.gather(*(one(s) for s in SITUATIONS))
        finally:
            await browser.close()
    return {s.name: live for s, live in zip(SITUATIONS, lives, strict=True)}


@dataclass
class Observed:
    ports: dict[str, int]
    live: dict[str, Live]


def observe() -> Observed:
    directory = Path(tempfile.mkdtemp(prefix="crossorigin-mixed-"))
    try:
        with serving(directory) as servers:
            profile = directory / "profile"
            profile.mkdir()
            return Observed(dict(servers.ports), asyncio.run(_observe_all(servers, str(profile))))
    finally:
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="module")
def observed() -> Observed:
    reason = chromium_available()
    if reason is not None:
        pytest.skip(reason)
    return observe()


# -- the engine -----------------------------------------------------------------------------


def engine_run(situation: Situation, ports: Mapping[str, int]) -> FetchResult:
    request = FetchRequest(
        page_origin=situation.page_origin(ports),
        url=situation.request_url(ports),
        method=situation.method,
        headers=situation.headers,
        mode=situation.mode,  # type: ignore[arg-type]
        target_address_space=situation.target,
        client_address_space=PAGES[situation.page][1],
        resource_address_space=situation.resource_space,
        local_network_permission="prompt",  # headless Chromium denies an undecided one
    )

    def respond(http_request: HttpRequest) -> HttpResponse:
        split = urllib.parse.urlsplit(http_request.url)
        target = split.path + (f"?{split.query}" if split.query else "")
        status, headers = answer(http_request.method, target, http_request.header("Origin"))
        return HttpResponse(status, tuple(headers))

    return run(request, respond, browser="chromium")


def _engine_received(result: FetchResult) -> list[tuple[str, str]]:
    return [(e.request.method, e.request.url) for e in result.exchanges]


def _engine_warning(result: FetchResult) -> str | None:
    """The mixed-content warning the engine's trace records when the block is lifted."""
    lifted = [c.value for c in result.checks if c.name == "mixed-content" and c.passed]
    return lifted[0] if lifted else None


def _blocked_by(live: Live) -> str | None:
    """What stopped the fetch in Chromium, in the terms of ``Situation.blocked_by``."""
    if live.blocked_reason == MIXED:
        return MIXED
    if live.error is not None:
        return live.error
    return None if live.outcome == "allowed" else live.blocked_reason or live.error_text


@pytest.mark.parametrize("situation", SITUATIONS, ids=lambda s: s.name)
def test_engine_agrees_with_chromium(observed: Observed, situation: Situation) -> None:
    live = observed.live[situation.name]
    blocked_by = _blocked_by(live)
    if situation.name == "redirect-to-http-same-origin-mode":
        assert blocked_by == "origin", f"Chromium now reports {blocked_by}: {live}"
    else:
        assert blocked_by == situation.blocked_by, f"Chromium now reports {blocked_by}: {live}"
    assert (live.warning is not None) == situation.warned, live
    result = engine_run(situation, observed.ports)
    assert result.outcome == live.outcome
    assert result.error_name == live.error
    assert result.console == live.console
    assert _engine_warning(result) == live.warning
    assert _engine_received(result) == live.received
    assert (result.network_error == MIXED) == (live.blocked_reason == MIXED)
    if live.outcome == "allowed":
        assert result.status_visible == live.status
    if live.blocked_reason == MIXED:
        assert result.explanation().summary.startswith("Blocked as mixed content, not by CORS")


if __name__ == "__main__":  # print what Chromium does, to record it above
    seen = observe()
    for name, live in seen.live.items():
        print(name, live, sep="\n  ")
