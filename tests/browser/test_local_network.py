"""Local Network Access judged by real Chromium 156, and the engine compared with it.

Every other recorded scenario runs page and server on loopback, so no LNA check fires. Here
Chromium is told that some loopback ports are elsewhere, with the switch web-platform-tests use
(services/network/public/cpp/network_switches.cc):

    --ip-address-space-overrides=127.0.0.1:<public port>=public,127.0.0.1:<local port>=local

The third port keeps its real space, ``loopback``. A page on the public port is a public page.
It is a secure context only if it is also named in

    --unsafely-treat-insecure-origin-as-secure=http://secure.test:<public port>,...

An https page is not used: with a self-signed certificate and --ignore-certificate-errors it
is a secure context too, but mixed-content blocking then stops ``http://api.test`` before any
LNA check (a network error, no CorsError; targetAddressSpace lifts it), and the engine does not
model mixed content. The permission is set per browser context with DevTools
``Browser.setPermission``: Chromium 156 checks ``loopback-network`` for a loopback resource and
``local-network`` for a local one; the older ``local-network-access`` name grants neither.
Headless Chromium answers an undecided (``prompt``) permission with a denial at once. The
Private Network Access preflight is not judged: Chromium 156 never sends
Access-Control-Request-Private-Network, whatever PNA feature is enabled.

Each situation runs live (fresh context) and through ``crossorigin.engine.run`` with the same
server answers; the verdict, CorsError, console line, the requests that reached a server (with
their ``Access-Control-Request-*`` headers) and any fetch() TypeError must agree, and the error
must be the one recorded here from Chromium.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import tempfile
import threading
import urllib.parse
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from playwright.async_api import Browser, CDPSession, async_playwright

from crossorigin.engine import FetchRequest, FetchResult, HttpRequest, HttpResponse, run
from tests.support.chromium import chromium_available, launch_args

pytestmark = [pytest.mark.browser, pytest.mark.server, pytest.mark.xdist_group("local-network")]

PAGE_HTML = b'<!doctype html><meta charset=utf-8><link rel=icon href="data:,"><title>lna</title>'
# The hosts (all 127.0.0.1) a page can be served from: the port decides the address space,
# the name decides whether Chromium counts it a secure context.
PAGES: Mapping[str, tuple[str, str, bool]] = {
    # key: (origin template, address space, secure context)
    "public": ("http://public.test:{public}", "public", False),
    "secure": ("http://secure.test:{public}", "public", True),
    "lan": ("http://lan.test:{local}", "local", False),
    "home": ("http://home.test:{loopback}", "loopback", False),
}
SECURE_ORIGINS = ("http://secure.test:{public}",)
LOOPBACK_API = "http://api.test:{loopback}/{name}/data"
LOCAL_API = "http://lan-api.test:{local}/{name}/data"
PUBLIC_API = "http://other.test:{public}/{name}/data"
FETCH_JS = """async ([url, init]) => {
  try {
    const response = await fetch(url, init);
    return {settled: "resolved", type: response.type, status: response.status};
  } catch (error) {
    return {settled: "rejected", message: String(error && error.message)};
  }
}"""
FAILURE_EVENT_WAIT = 1.0


@dataclass(frozen=True)
class Situation:
    name: str
    page: str  # a key of PAGES
    url: str  # template: {public} {local} {loopback} ports and {name}
    error: str | None  # what Chromium 156 reported (None: the fetch was allowed)
    resource_space: str | None = None  # told to the engine; None: it derives it from the URL
    grants: Mapping[str, str] = field(default_factory=dict)  # permission name -> setting
    method: str = "GET"
    headers: tuple[tuple[str, str], ...] = ()
    mode: str = "cors"
    target: str | None = None  # fetch()'s targetAddressSpace
    redirect_to: str | None = None  # template: the url answers 307 to this

    def request_url(self, ports: Mapping[str, int]) -> str:
        url = self.url.format(name=self.name, **ports)
        if self.redirect_to is not None:
            to = self.redirect_to.format(name=self.name, **ports)
            url += "?to=" + urllib.parse.quote(to, safe="")
        return url

    def page_origin(self, ports: Mapping[str, int]) -> str:
        return PAGES[self.page][0].format(**ports)

    def permission(self) -> str:
        """The engine's one permission state: Chromium's for the resource's space (the
        IP-literal and redirect situations end on loopback)."""
        space = self.resource_space or "loopback"
        name = "local-network" if space == "local" else "loopback-network"
        return self.grants.get(name, "prompt")


GRANT_LOOPBACK = {"loopback-network": "granted"}
GRANT_LOCAL = {"local-network": "granted"}
PREFLIGHTED: dict[str, Any] = {"method": "PUT", "headers": (("X-A", "1"),)}
DENIED = "kLocalNetworkAccessPermissionDenied"
INSECURE = "kInsecureLocalNetwork"
INVALID = "kInvalidLocalNetworkAccess"
LOOPBACK_IP = "http://127.0.0.1:{loopback}/{name}/data"

SITUATIONS = [
    # A page that is not a secure context may not reach a more private space at all.
    Situation("insecure-public-to-loopback", "public", LOOPBACK_API, INSECURE, "loopback"),
    Situation("insecure-public-to-local", "public", LOCAL_API, INSECURE, "local"),
    Situation("insecure-no-cors", "public", LOOPBACK_API, INSECURE, "loopback", mode="no-cors"),
    # mode same-origin fails in Blink before the network service looks at address spaces.
    Situation(
        "insecure-same-origin-mode",
        "public",
        LOOPBACK_API,
        "kDisallowedByMode",
        "loopback",
        mode="same-origin",
    ),
    # A secure public page needs the permission named after the resource's space.
    Situation("secure-undecided", "secure", LOOPBACK_API, DENIED, "loopback"),
    Situation(
        "secure-denied",
        "secure",
        LOOPBACK_API,
        DENIED,
        "loopback",
        grants={"loopback-network": "denied"},
    ),
    Situation("secure-granted", "secure", LOOPBACK_API, None, "loopback", grants=GRANT_LOOPBACK),
    Situation("secure-granted-local", "secure", LOCAL_API, None, "local", grants=GRANT_LOCAL),
    Situation(
        "secure-local-needs-local-grant",
        "secure",
        LOCAL_API,
        DENIED,
        "local",
        grants=GRANT_LOOPBACK,
    ),
    Situation(
        "secure-legacy-grant-is-not-enough",
        "secure",
        LOOPBACK_API,
        DENIED,
        "loopback",
        grants={"local-network-access": "granted"},
    ),
    # An IP literal: the engine finds the space itself.
    Situation("secure-undecided-ip-literal", "secure", LOOPBACK_IP, DENIED),
    # The check runs when the preflight's connection is made: nothing reaches the server and
    # the message has no preflight prefix. Granted, the preflight carries no
    # Access-Control-Request-Private-Network (the PNA preflight is gone).
    Situation(
        "secure-undecided-preflight", "secure", LOOPBACK_API, DENIED, "loopback", **PREFLIGHTED
    ),
    Situation(
        "secure-granted-preflight",
        "secure",
        LOOPBACK_API,
        None,
        "loopback",
        grants=GRANT_LOOPBACK,
        **PREFLIGHTED,
    ),
    # targetAddressSpace does not replace the permission; a mismatch fails whatever the page.
    Situation(
        "target-match-undecided", "secure", LOOPBACK_API, DENIED, "loopback", target="loopback"
    ),
    Situation(
        "target-match-granted",
        "secure",
        LOOPBACK_API,
        None,
        "loopback",
        grants=GRANT_LOOPBACK,
        target="loopback",
    ),
    Situation(
        "target-mismatch",
        "secure",
        LOOPBACK_API,
        INVALID,
        "loopback",
        grants=GRANT_LOOPBACK,
        target="local",
    ),
    Situation(
        "target-public-mismatch",
        "secure",
        LOOPBACK_API,
        INVALID,
        "loopback",
        grants=GRANT_LOOPBACK,
        target="public",
    ),
    Situation(
        "target-mismatch-insecure-page", "public", LOOPBACK_API, INVALID, "loopback", target="local"
    ),
    Situation(
        "target-match-insecure-page",
        "public",
        LOOPBACK_API,
        INSECURE,
        "loopback",
        target="loopback",
    ),
    Situation(
        "target-mismatch-same-space", "home", LOOPBACK_API, INVALID, "loopback", target="local"
    ),
    # Blink's enum keeps PNA's names: "private" means local, "unknown" means no target.
    Situation(
        "target-private-is-local",
        "secure",
        LOCAL_API,
        None,
        "local",
        grants=GRANT_LOCAL,
        target="private",
    ),
    Situation(
        "target-private-mismatch",
        "secure",
        LOOPBACK_API,
        INVALID,
        "loopback",
        grants=GRANT_LOOPBACK,
        target="private",
    ),
    Situation(
        "target-unknown",
        "secure",
        LOOPBACK_API,
        None,
        "loopback",
        grants=GRANT_LOOPBACK,
        target="unknown",
    ),
    Situation("target-bogus", "secure", LOOPBACK_API, "TypeError", "loopback", target="bogus"),
    Situation(  # WebIDL reads the init dictionary before the Request constructor checks
        "target-bogus-before-method",
        "secure",
        LOOPBACK_API,
        "TypeError",
        "loopback",
        method="CONNECT",
        target="bogus",
    ),
    # Only public -> local/loopback is checked: local and loopback count as one space.
    Situation("insecure-local-page-to-loopback", "lan", LOOPBACK_API, None, "loopback"),
    Situation("insecure-loopback-page-to-local", "home", LOCAL_API, None, "local"),
    Situation("insecure-public-to-public", "public", PUBLIC_API, None, "public"),
    # Each hop is checked: a public server (unknown to the engine) redirecting to loopback.
    Situation(
        "secure-redirect-to-loopback",
        "secure",
        "http://other.test:{public}/{name}/redirect",
        DENIED,
        redirect_to=LOOPBACK_IP,
    ),
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


@dataclass(frozen=True)
class Received:
    """A request that reached a server: method, URL, and its Access-Control-Request-* headers."""

    method: str
    url: str
    cors_request_headers: tuple[tuple[str, str], ...]


def _cors_request_headers(headers: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    return tuple(
        sorted((k.lower(), v) for k, v in headers if k.lower().startswith("access-control-request"))
    )


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
            url = f"http://{self.headers['Host']}{self.path}"
            received = Received(self.command, url, _cors_request_headers(self.headers.items()))
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


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, log: list[Received], lock: threading.Lock) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.log = log
        self.lock = lock


@dataclass
class Servers:
    """One server per address space, all on 127.0.0.1; requests logged in arrival order."""

    ports: dict[str, int]
    log: list[Received]
    lock: threading.Lock

    def received(self, situation: Situation) -> list[Received]:
        """What reached any server for this situation (its paths start with its name)."""
        prefix = f"/{situation.name}/"
        with self.lock:
            return [r for r in self.log if urllib.parse.urlsplit(r.url).path.startswith(prefix)]


@contextlib.contextmanager
def serving() -> Iterator[Servers]:
    log: list[Received] = []
    lock = threading.Lock()
    servers = {space: _Server(log, lock) for space in ("public", "local", "loopback")}
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
    """notes/TEAM.md's command line, one rule more, and the two switches this file needs."""
    args = launch_args(user_data_dir)
    assert HOST_RULES in args, "notes/TEAM.md's host rules changed: update HOST_RULES"
    # "MAP * ~NOTFOUND" also catches IP literals; 127.0.0.1 itself is let through so that a
    # URL can name the loopback server by address (still nothing but loopback resolves).
    args[args.index(HOST_RULES)] = (
        "--host-resolver-rules=MAP *.test 127.0.0.1, EXCLUDE 127.0.0.1, MAP * ~NOTFOUND"
    )
    extra = [
        # Which loopback ports stand for another address space (the third stays loopback).
        "--ip-address-space-overrides="
        f"127.0.0.1:{ports['public']}=public,127.0.0.1:{ports['local']}=local",
        # A secure public page without a certificate: only these http origins count as secure.
        "--unsafely-treat-insecure-origin-as-secure="
        + ",".join(o.format(**ports) for o in SECURE_ORIGINS),
    ]
    return [*args[:-1], *extra, args[-1]]  # the start URL stays last


@dataclass
class Live:
    """What one situation showed in Chromium."""

    outcome: str
    error: str | None
    console: str | None
    status: int | None
    type_error: str | None
    received: list[Received]


async def _grant(
    browser_session: CDPSession, session: CDPSession, origin: str, situation: Situation
) -> None:
    """Set the situation's permissions for the page's origin, in the page's context only.

    DevTools drops its permission overrides when the session that set them detaches, so
    ``browser_session`` stays open for the whole run.
    """
    info = await session.send("Target.getTargetInfo")
    for name, setting in situation.grants.items():
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
    browser: Browser, browser_session: CDPSession, servers: Servers, situation: Situation
) -> Live:
    ports = servers.ports
    context = await browser.new_context()
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
            await _grant(browser_session, session, situation.page_origin(ports), situation)
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
    console = next(
        (e["text"] for e in log if e["level"] == "error" and e.get("source") != "network"), None
    )
    received = servers.received(situation)
    if settled["settled"] == "resolved":
        outcome = "opaque" if settled["type"] == "opaque" else "allowed"
        return Live(outcome, None, console, settled["status"], None, received)
    if settled["message"] != "Failed to fetch":
        return Live("blocked", "TypeError", console, None, settled["message"], received)
    # DevTools names the error: the failed fetch's corsErrorStatus, else Blink's CorsIssue.
    # (A granted request also raises a CorsIssue; it is only read when the fetch failed.)
    fetch_first = sorted(failures, key=lambda f: f.get("type") != "Fetch")
    names = [f["corsErrorStatus"]["corsError"] for f in fetch_first if f.get("corsErrorStatus")]
    names += [i["corsErrorStatus"]["corsError"] for i in issues if not i.get("isWarning")]
    return Live("blocked", "k" + names[0] if names else None, console, None, None, received)


async def _observe_all(servers: Servers, situations: list[Situation]) -> dict[str, Live]:
    user_data_dir = tempfile.mkdtemp(prefix="crossorigin-lna-")
    try:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=shutil.which("chromium") or "chromium",
                ignore_default_args=True,
                args=chromium_args(user_data_dir, servers.ports),
                timeout=60_000,
            )
            try:
                browser_session = await browser.new_browser_cdp_session()
                gate = asyncio.Semaphore(4)

                async def one(situation: Situation) -> Live:
                    async with gate:
                        return await asyncio.wait_for(
                            _observe(browser, browser_session, servers, situation), 30
                        )

                lives = await asyncio.gather(*(one(s) for s in situations))
            finally:
                await browser.close()
    finally:
        shutil.rmtree(user_data_dir, ignore_errors=True)
    return {s.name: live for s, live in zip(situations, lives, strict=True)}


@dataclass
class Observed:
    ports: dict[str, int]
    live: dict[str, Live]


@pytest.fixture(scope="module")
def observed() -> Iterator[Observed]:
    reason = chromium_available()
    if reason is not None:
        pytest.skip(reason)
    with serving() as servers:
        yield Observed(dict(servers.ports), asyncio.run(_observe_all(servers, SITUATIONS)))


# -- the engine -----------------------------------------------------------------------------


def engine_run(situation: Situation, ports: Mapping[str, int]) -> FetchResult:
    _, client_space, secure = PAGES[situation.page]
    request = FetchRequest(
        page_origin=situation.page_origin(ports),
        url=situation.request_url(ports),
        method=situation.method,
        headers=situation.headers,
        mode=situation.mode,  # type: ignore[arg-type]
        target_address_space=situation.target,
        client_address_space=client_space,
        resource_address_space=situation.resource_space,
        page_is_secure_context=secure,
        local_network_permission=situation.permission(),  # type: ignore[arg-type]
    )

    def respond(http_request: HttpRequest) -> HttpResponse:
        split = urllib.parse.urlsplit(http_request.url)
        target = split.path + (f"?{split.query}" if split.query else "")
        status, headers = answer(http_request.method, target, http_request.header("Origin"))
        return HttpResponse(status, tuple(headers))

    return run(request, respond, browser="chromium")


def _engine_received(result: FetchResult) -> list[Received]:
    return [
        Received(e.request.method, e.request.url, _cors_request_headers(e.request.headers))
        for e in result.exchanges
    ]


@pytest.mark.parametrize("situation", SITUATIONS, ids=lambda s: s.name)
def test_engine_agrees_with_chromium(observed: Observed, situation: Situation) -> None:
    live = observed.live[situation.name]
    assert live.error == situation.error, f"Chromium now reports {live.error}: {live}"
    result = engine_run(situation, observed.ports)
    assert result.outcome == live.outcome
    assert result.error_name == live.error
    assert result.console == live.console
    assert result.type_error == live.type_error
    assert _engine_received(result) == live.received
    if live.outcome == "allowed":
        assert result.status_visible == live.status
