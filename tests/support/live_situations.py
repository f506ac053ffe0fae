"""Run fetch() situations in real Chromium against logging loopback servers.

The harness the Local Network Access and mixed content browser tests share
(tests/browser/test_local_network.py, tests/browser/test_mixed_content.py): a named set of
HTTP(S) servers on 127.0.0.1 that log what reached them, notes/TEAM.md's Chromium command line
with extra host-resolver EXCLUDE rules and switches, and a runner that calls ``fetch()`` from a
page in a fresh browser context and records the settled promise, the console lines, DevTools'
``Network.loadingFailed`` fields and the requests that reached a server. Every server answers
as :func:`answer` says, and :func:`respond` gives the engine the same answers.
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
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import KW_ONLY, dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from playwright.async_api import Browser, CDPSession, async_playwright

from crossorigin.engine import FetchRequest, FetchResult, HttpRequest, HttpResponse
from tests.support.chromium import launch_args

PAGE_HTML = b'<!doctype html><meta charset=utf-8><link rel=icon href="data:,"><title>live</title>'
FETCH_JS = """async ([url, init]) => {
  try {
    const response = await fetch(url, init);
    return {settled: "resolved", type: response.type, status: response.status};
  } catch (error) {
    return {settled: "rejected", message: String(error && error.message)};
  }
}"""
FAILURE_EVENT_WAIT = 1.0
HOST_RULES = "--host-resolver-rules=MAP *.test 127.0.0.1, MAP * ~NOTFOUND"


# -- the situations -------------------------------------------------------------------------


@dataclass(frozen=True)
class FetchSituation:
    """One fetch() from a page; each test file's ``Situation`` adds its page, URL and verdict.

    The paths a situation requests start with ``/<name>/``, so the servers' log tells what
    reached them for it.
    """

    name: str
    _: KW_ONLY
    method: str = "GET"
    headers: tuple[tuple[str, str], ...] = ()
    mode: str = "cors"
    target: str | None = None  # fetch()'s targetAddressSpace
    redirect_to: str | None = None  # template: the url answers 307 to this
    grants: Mapping[str, str] = field(default_factory=dict)  # permission name -> setting

    def page_origin(self, ports: Mapping[str, int]) -> str:
        raise NotImplementedError  # each test file knows its pages

    def request_url(self, ports: Mapping[str, int]) -> str:
        raise NotImplementedError  # each test file knows its URL template

    def filled_url(self, template: str, ports: Mapping[str, int]) -> str:
        """``template`` with the ports and name filled in, and the redirect target if any."""
        url = template.format(name=self.name, **ports)
        if self.redirect_to is not None:
            to = self.redirect_to.format(name=self.name, **ports)
            url += "?to=" + urllib.parse.quote(to, safe="")
        return url

    def fetch_request(self, ports: Mapping[str, int], **context: Any) -> FetchRequest:
        """The same fetch for the engine; ``context`` adds what only the test file knows
        (the address spaces, the secure context, the permission)."""
        return FetchRequest(
            page_origin=self.page_origin(ports),
            url=self.request_url(ports),
            method=self.method,
            headers=self.headers,
            mode=self.mode,  # type: ignore[arg-type]
            target_address_space=self.target,
            **context,
        )

    def init(self) -> dict[str, Any]:
        """fetch()'s init dictionary."""
        init: dict[str, Any] = {
            "method": self.method,
            "headers": [list(h) for h in self.headers],
            "mode": self.mode,
        }
        if self.target is not None:
            init["targetAddressSpace"] = self.target
        return init


# -- the servers ----------------------------------------------------------------------------


def answer(method: str, target: str, origin: str | None) -> tuple[int, list[tuple[str, str]]]:
    """How every server here answers: the live ones and the engine's :func:`respond`."""
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


def respond(http_request: HttpRequest) -> HttpResponse:
    """The engine's ``respond``: what :func:`answer` says for the request."""
    split = urllib.parse.urlsplit(http_request.url)
    target = split.path + (f"?{split.query}" if split.query else "")
    status, headers = answer(http_request.method, target, http_request.header("Origin"))
    return HttpResponse(status, tuple(headers))


@dataclass(frozen=True)
class Received:
    """A request that reached a server: method, URL, and its Access-Control-Request-* headers."""

    method: str
    url: str
    cors_request_headers: tuple[tuple[str, str], ...]


def cors_request_headers(headers: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    return tuple(
        sorted((k.lower(), v) for k, v in headers if k.lower().startswith("access-control-request"))
    )


def engine_received(result: FetchResult) -> list[Received]:
    """The requests the engine sent, in the servers' log terms."""
    return [
        Received(e.request.method, e.request.url, cors_request_headers(e.request.headers))
        for e in result.exchanges
    ]


class _Handler(BaseHTTPRequestHandler):
    server: LoggingServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        if self.path != "/":
            url = f"{self.server.scheme}://{self.headers['Host']}{self.path}"
            received = Received(self.command, url, cors_request_headers(self.headers.items()))
            with self.server.lock:
                self.server.log.append(received)
        status, headers = answer(self.command, self.path, self.headers.get("Origin"))
        body = PAGE_HTML if self.path == "/" else b"ok" if status == 200 else b""
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_OPTIONS = _serve


class LoggingServer(ThreadingHTTPServer):
    """A server on 127.0.0.1 (a free port) that logs every request but the page's."""

    daemon_threads = True

    def __init__(
        self, log: list[Received], lock: threading.Lock, tls: ssl.SSLContext | None = None
    ) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.log = log
        self.lock = lock
        self.scheme = "https" if tls else "http"
        if tls is not None:
            self.socket = tls.wrap_socket(self.socket, server_side=True)


def self_signed(directory: Path, names: Sequence[str]) -> ssl.SSLContext:
    """A server context with a certificate for ``names``, made with the openssl CLI."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    alt_names = ",".join(f"DNS:{name}" for name in names)
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-subj", f"/CN={names[0]}", "-addext", f"subjectAltName={alt_names}"),
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
    """The running servers' ports by name; requests logged in arrival order."""

    ports: dict[str, int]
    log: list[Received]
    lock: threading.Lock

    def received(self, name: str) -> list[Received]:
        """What reached any server for the situation ``name`` (its paths start with it)."""
        prefix = f"/{name}/"
        with self.lock:
            return [r for r in self.log if urllib.parse.urlsplit(r.url).path.startswith(prefix)]


@contextlib.contextmanager
def serving(tls_by_name: Mapping[str, ssl.SSLContext | None]) -> Iterator[Servers]:
    """One :class:`LoggingServer` per name (https with the given context, else http)."""
    log: list[Received] = []
    lock = threading.Lock()
    servers = {name: LoggingServer(log, lock, tls) for name, tls in tls_by_name.items()}
    for server in servers.values():
        threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield Servers({k: s.server_address[1] for k, s in servers.items()}, log, lock)
    finally:
        for server in servers.values():
            server.shutdown()
            server.server_close()


# -- Chromium -------------------------------------------------------------------------------


def chromium_args(user_data_dir: str, exclude: Sequence[str], extra: Sequence[str]) -> list[str]:
    """notes/TEAM.md's command line, an EXCLUDE rule per host in ``exclude``, and ``extra``.

    "MAP * ~NOTFOUND" also catches IP literals and localhost names; an excluded host resolves
    normally (the callers only exclude loopback names, so still nothing but loopback resolves).
    """
    args = launch_args(user_data_dir)
    assert HOST_RULES in args, "notes/TEAM.md's host rules changed: update HOST_RULES"
    rules, catch_all = HOST_RULES.rsplit(", ", 1)
    args[args.index(HOST_RULES)] = ", ".join(
        [rules, *(f"EXCLUDE {host}" for host in exclude), catch_all]
    )
    return [*args[:-1], *extra, args[-1]]  # the start URL stays last


@dataclass
class Live:
    """What one situation showed in Chromium."""

    outcome: str
    error: str | None
    console: str | None  # the first error-level console line
    warning: str | None  # the first mixed-content warning, if any
    blocked_reason: str | None  # DevTools Network.loadingFailed blockedReason (the fetch's)
    error_text: str | None  # DevTools Network.loadingFailed errorText (the fetch's)
    status: int | None
    type_error: str | None  # the message fetch() rejected with, when not "Failed to fetch"
    received: list[Received]


async def _grant(
    browser_session: CDPSession, session: CDPSession, origin: str, grants: Mapping[str, str]
) -> None:
    """Set the permissions for the page's origin, in the page's context only.

    DevTools drops its permission overrides when the session that set them detaches, so
    ``browser_session`` stays open for the whole run.
    """
    info = await session.send("Target.getTargetInfo")
    for name, setting in grants.items():
        await browser_session.send(
            "Browser.setPermission",
            {
                "permission": {"name": name},
                "setting": setting,
                "origin": origin,
                "browserContextId": info["targetInfo"]["browserContextId"],
            },
        )


async def _observe(
    browser: Browser,
    browser_session: CDPSession,
    servers: Servers,
    situation: FetchSituation,
    ignore_https_errors: bool,
) -> Live:
    ports = servers.ports
    context = await browser.new_context(ignore_https_errors=ignore_https_errors)
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
        if situation.grants:
            await _grant(browser_session, session, situation.page_origin(ports), situation.grants)
        url = situation.request_url(ports)
        settled = await page.evaluate(FETCH_JS, [url, situation.init()])
        if settled.get("message") == "Failed to fetch":  # DevTools says why, a little later
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(failed.wait(), FAILURE_EVENT_WAIT)
        await session.send("Runtime.evaluate", {"expression": "0"})  # flushes the events
    finally:
        with contextlib.suppress(Exception):
            await context.close()
    errors = [e["text"] for e in log if e["level"] == "error" and e.get("source") != "network"]
    warnings = [e["text"] for e in log if e["level"] == "warning" and "Mixed Content" in e["text"]]
    fetch_failures = [f for f in failures if f.get("type") == "Fetch"]
    failure = fetch_failures[0] if fetch_failures else {}
    seen: dict[str, Any] = {
        "console": (errors or [None])[0],
        "warning": (warnings or [None])[0],
        "blocked_reason": failure.get("blockedReason"),
        "error_text": failure.get("errorText"),
        "received": servers.received(situation.name),
    }
    if settled["settled"] == "resolved":
        outcome = "opaque" if settled["type"] == "opaque" else "allowed"
        return Live(outcome, None, status=settled["status"], type_error=None, **seen)
    if settled["message"] != "Failed to fetch":
        return Live("blocked", "TypeError", status=None, type_error=settled["message"], **seen)
    # DevTools names the error: the failed fetch's corsErrorStatus, else Blink's CorsIssue.
    # (A granted request also raises a CorsIssue; it is only read when the fetch failed.)
    fetch_first = sorted(failures, key=lambda f: f.get("type") != "Fetch")
    names = [f["corsErrorStatus"]["corsError"] for f in fetch_first if f.get("corsErrorStatus")]
    names += [i["corsErrorStatus"]["corsError"] for i in issues if not i.get("isWarning")]
    error = "k" + names[0] if names else None
    return Live("blocked", error, status=None, type_error=None, **seen)


async def _observe_all(
    servers: Servers,
    situations: Sequence[FetchSituation],
    args: Sequence[str],
    ignore_https_errors: bool,
) -> dict[str, Live]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=shutil.which("chromium") or "chromium",
            ignore_default_args=True,
            args=list(args),
            timeout=60_000,
        )
        try:
            browser_session = await browser.new_browser_cdp_session()
            gate = asyncio.Semaphore(4)

            async def one(situation: FetchSituation) -> Live:
                async with gate:
                    return await asyncio.wait_for(
                        _observe(browser, browser_session, servers, situation, ignore_https_errors),
                        30,
                    )

            lives = await asyncio.gather(*(one(s) for s in situations))
        finally:
            await browser.close()
    return {s.name: live for s, live in zip(situations, lives, strict=True)}


def observe_all(
    servers: Servers,
    situations: Sequence[FetchSituation],
    *,
    exclude: Sequence[str],
    extra_args: Sequence[str],
    ignore_https_errors: bool = False,
) -> dict[str, Live]:
    """Run every situation in one Chromium (a fresh context each, four at a time).

    ``exclude`` and ``extra_args`` go to :func:`chromium_args`; the profile is a fresh
    temporary directory, removed afterwards.
    """
    user_data_dir = tempfile.mkdtemp(prefix="crossorigin-live-")
    try:
        args = chromium_args(user_data_dir, exclude, extra_args)
        return asyncio.run(_observe_all(servers, situations, args, ignore_https_errors))
    finally:
        shutil.rmtree(user_data_dir, ignore_errors=True)
