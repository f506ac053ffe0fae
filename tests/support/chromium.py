"""Run CORS scenarios (shared/scenarios/FORMAT.md) in real headless Chromium.

One browser serves a whole batch. Each scenario gets a fresh browser context (so a fresh
preflight cache, HTTP cache and socket pool), loads a blank page from the scenario server at
its page origin, and calls ``fetch(url, {method, headers, mode, credentials, body})`` there.
The result is built from what really happened:

- the scenario server's request log gives ``preflight_sent``, ``preflight_request_headers``
  and ``actual_request_sent``;
- the settled promise gives ``outcome``, ``status_visible`` and ``readable_headers``;
- DevTools gives ``error``: ``Network.loadingFailed.corsErrorStatus.corsError`` first, then a
  ``CorsIssue`` from the Audits domain (Blink's own checks, e.g. mode same-origin), then the
  console line matched against the detail texts of ``network::mojom::CorsError``;
- ``Log.entryAdded`` gives ``console``: the first error line not from the network source
  (those are the generic "Failed to load resource: net::ERR_FAILED").

A page origin of ``null`` is a sandboxed ``srcdoc`` iframe (``sandbox="allow-scripts"``). It is
an out-of-process frame, so DevTools attaches to the frame's own target.

Launch flags are the ones notes/TEAM.md prescribes; ``*.test`` resolves to 127.0.0.1, so the
scenario server must own the ports the scenarios name. A cross-process lock file guards those
ports while a batch runs, so two pytest-xdist workers never fight over them.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import itertools
import json
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Callable, Coroutine, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import ada_url
from playwright.async_api import Browser, CDPSession, Frame, Page, Playwright, async_playwright

from tests.support.scenario_server import (
    TAG_PREFIX,
    ReceivedRequest,
    ScenarioServer,
    scenario_ports,
)

__all__ = [
    "EXPECT_KEYS",
    "ChromiumRunner",
    "ChromiumThread",
    "LiveChromium",
    "Observation",
    "ScenarioRunError",
    "chromium_available",
    "cors_error_from_console",
    "launch_args",
    "launch_chromium",
]

EXPECT_KEYS = (
    "preflight_sent",
    "preflight_request_headers",
    "actual_request_sent",
    "outcome",
    "error",
    "console",
    "readable_headers",
    "status_visible",
)

_LOCK_PATH = Path(tempfile.gettempdir()) / "crossorigin-chromium-scenario-ports.lock"
_USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome/156 " + TAG_PREFIX
_FETCH_JS = """async ([url, init]) => {
  try {
    const response = await fetch(url, init);
    return {settled: "resolved", type: response.type, status: response.status,
            headers: [...response.headers.keys()]};
  } catch (error) {
    return {settled: "rejected", name: String(error && error.name),
            message: String(error && error.message)};
  }
}"""
# Rejections with this message are network or CORS failures; any other TypeError comes from
# building the Request (forbidden method, bad header value, no-cors method, ...).
_NETWORK_FAILURE = "Failed to fetch"
# How long to wait for DevTools to report why a fetch failed, and for a whole scenario.
_FAILURE_EVENT_WAIT = 1.0
_SCENARIO_TIMEOUT = 30.0
# DevTools still spells some enumerators the pre-rename way.
_CDP_TO_MOJOM = {
    "InsecurePrivateNetwork": "kInsecureLocalNetwork",
    "InvalidPrivateNetworkAccess": "kInvalidLocalNetworkAccess",
}
_PREFLIGHT_PREFIX = "Response to preflight request doesn't pass access control check: "
# Detail texts of network::mojom::CorsError (shared/reference/browsers.md, table 1.2); the
# first six also exist as kPreflight* twins, told apart by the preflight prefix.
_DETAILS: tuple[tuple[str, str], ...] = (
    ("kWildcardOriginNotAllowed", "The value of the 'Access-Control-Allow-Origin' header in"),
    ("kMissingAllowOriginHeader", "No 'Access-Control-Allow-Origin' header is present"),
    ("kMultipleAllowOriginValues", "The 'Access-Control-Allow-Origin' header contains multiple"),
    ("kInvalidAllowOriginValue", "The 'Access-Control-Allow-Origin' header contains the invalid"),
    ("kAllowOriginMismatch", "The 'Access-Control-Allow-Origin' header has a value .* not equal"),
    ("kInvalidAllowCredentials", "The value of the 'Access-Control-Allow-Credentials' header"),
    ("kPreflightInvalidStatus", "It does not have HTTP ok status"),
    ("kPreflightDisallowedRedirect", "Redirect is not allowed for a preflight request"),
    ("kDisallowedByMode", "Cross origin requests are not allowed by request mode"),
    ("kDisallowedByMode", 'Request mode is "same-origin" but the URL\'s origin is not same'),
    ("kInvalidResponse", "The response is invalid"),
    ("kCorsDisabledScheme", "Cross origin requests are only supported for protocol schemes"),
    # Blink's own line for fetch() of a scheme it cannot load; DevTools files it as this error.
    ("kCorsDisabledScheme", 'Fetch API cannot load .*\\. URL scheme ".*" is not supported\\.'),
    ("kInvalidAllowMethodsPreflightResponse", "Cannot parse Access-Control-Allow-Methods"),
    ("kInvalidAllowHeadersPreflightResponse", "Cannot parse Access-Control-Allow-Headers"),
    ("kMethodDisallowedByPreflightResponse", "Method .* is not allowed by Access-Control-Allow"),
    ("kHeaderDisallowedByPreflightResponse", "Request header field .* is not allowed by Access"),
    ("kRedirectContainsCredentials", "Redirect location .* contains a username and password"),
    ("kInsecureLocalNetwork", "The request client is not a secure context"),
    ("kInvalidLocalNetworkAccess", "Request had a target IP address space"),
    ("kLocalNetworkAccessPermissionDenied", "Permission was denied for this request to access"),
)
_HAS_PREFLIGHT_TWIN = frozenset(name for name, _ in _DETAILS[:6])

T = TypeVar("T")

# The user-data directory of every browser launch_chromium() started and has not closed.
_PROFILES: dict[Browser, str] = {}


def launch_args(user_data_dir: str) -> list[str]:
    """The Chromium command line notes/TEAM.md prescribes."""
    return [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-proxy-server",
        "--disable-field-trial-config",
        "--remote-debugging-pipe",
        "--host-resolver-rules=MAP *.test 127.0.0.1, MAP * ~NOTFOUND",
        f"--user-data-dir={user_data_dir}",
        "about:blank",
    ]


async def launch_chromium(playwright: Playwright, executable: str | None = None) -> Browser:
    """Headless Chromium as notes/TEAM.md prescribes: Debian's executable, :func:`launch_args`
    (so ``*.test`` resolves to 127.0.0.1 and nothing else resolves) and a fresh user-data
    directory, removed by :func:`close_chromium`."""
    user_data_dir = tempfile.mkdtemp(prefix="crossorigin-chromium-")
    try:
        browser = await playwright.chromium.launch(
            executable_path=executable or shutil.which("chromium") or "chromium",
            ignore_default_args=True,
            args=launch_args(user_data_dir),
            timeout=60_000,
        )
    except BaseException:
        shutil.rmtree(user_data_dir, ignore_errors=True)
        raise
    _PROFILES[browser] = user_data_dir
    return browser


async def close_chromium(browser: Browser) -> None:
    """Close a browser from :func:`launch_chromium` and remove its user-data directory."""
    try:
        with contextlib.suppress(Exception):
            await browser.close()
    finally:
        profile = _PROFILES.pop(browser, None)
        if profile is not None:
            shutil.rmtree(profile, ignore_errors=True)


class ChromiumThread:
    """:func:`launch_chromium` on a private event loop thread, for synchronous callers.

    The caller's thread never gets an event loop (tests call ``asyncio.run`` and Starlette's
    test client freely); :meth:`run` blocks until a coroutine on the browser's loop is done.
    Use as a context manager or call :meth:`close`.
    """

    def __init__(self, *, executable: str | None = None, timeout: float | None = None) -> None:
        self._timeout = timeout
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="chromium", daemon=True)
        self._thread.start()
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None
        try:
            self.run(self._launch(executable))
        except BaseException:
            self.close()
            raise

    async def _launch(self, executable: str | None) -> None:
        self._playwright = await async_playwright().start()
        self._browser = await launch_chromium(self._playwright, executable)

    @property
    def browser(self) -> Browser:
        assert self._browser is not None, "Chromium is not running"
        return self._browser

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """Run ``coroutine`` on the browser's loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(self._timeout)

    def close(self) -> None:
        async def stop() -> None:
            if self._browser is not None:
                await close_chromium(self._browser)
            if self._playwright is not None:
                with contextlib.suppress(Exception):
                    await self._playwright.stop()

        if self._loop.is_running():
            with contextlib.suppress(Exception):
                self.run(stop())
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
            self._loop.close()

    def __enter__(self) -> ChromiumThread:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def chromium_available() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    if shutil.which("chromium") is None:
        return "Debian chromium is not installed (scripts/setup installs it)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e '.[test]')"
    return None


def cors_error_from_console(line: str) -> str | None:
    """The CorsError a Chromium console line reports, matched on the detail text."""
    is_cors_line = " has been blocked by CORS policy: " in line
    detail = line.split(" has been blocked by CORS policy: ", 1)[-1]
    preflight = detail.startswith(_PREFLIGHT_PREFIX)
    if preflight:
        detail = detail[len(_PREFLIGHT_PREFIX) :]
    for name, pattern in _DETAILS:
        if re.match(pattern, detail) or (not is_cors_line and re.search(pattern, line)):
            if preflight and name in _HAS_PREFLIGHT_TWIN:
                return "kPreflight" + name[1:]
            return name
    return None


class ScenarioRunError(RuntimeError):
    """A scenario could not be run to the end (the harness failed, not the fetch)."""


@dataclass
class Observation:
    """Everything one run of a scenario showed: the FORMAT.md result and the raw evidence."""

    expect: dict[str, Any]
    requests: list[ReceivedRequest]
    settled: dict[str, Any]
    console_lines: list[str] = field(default_factory=list)
    cors_error_source: str | None = None
    net_error: str | None = None


@dataclass
class _Capture:
    """DevTools events of one scenario, gathered from one or more CDP sessions."""

    log: list[dict[str, Any]] = field(default_factory=list)
    failures: list[dict[str, Any]] = field(default_factory=list)
    issues: list[dict[str, Any]] = field(default_factory=list)
    failed: asyncio.Event = field(default_factory=asyncio.Event)

    async def attach(self, session: CDPSession) -> None:
        session.on("Log.entryAdded", lambda p: self.log.append(p["entry"]))
        session.on("Network.loadingFailed", self._on_failure)
        session.on("Audits.issueAdded", self._on_issue)
        await session.send("Network.enable")
        await session.send("Log.enable")
        await session.send("Audits.enable")

    def _on_failure(self, params: dict[str, Any]) -> None:
        self.failures.append(params)
        if params.get("type") == "Fetch":
            self.failed.set()

    def _on_issue(self, params: dict[str, Any]) -> None:
        issue = params.get("issue", {})
        if issue.get("code") == "CorsIssue":
            self.issues.append(issue.get("details", {}).get("corsIssueDetails", {}))
            self.failed.set()


def _first_preflight(requests: Sequence[ReceivedRequest]) -> dict[str, str] | None:
    for request in requests:
        if request.is_preflight:
            found = {}
            for name in ("access-control-request-method", "access-control-request-headers"):
                value = request.header(name)
                if value is not None:
                    found[name] = value
            return found
    return None


def _cdp_error(capture: _Capture) -> tuple[str | None, str | None, str | None]:
    """(CorsError name, where it came from, net error text) from DevTools events."""
    net_error = None
    fetch_failures = [f for f in capture.failures if f.get("type") == "Fetch"]
    for failure in fetch_failures + capture.failures:
        net_error = net_error or failure.get("errorText")
        status = failure.get("corsErrorStatus")
        if status:
            name = status["corsError"]
            return _CDP_TO_MOJOM.get(name, "k" + name), "Network.loadingFailed", net_error
    for issue in capture.issues:
        if not issue.get("isWarning"):
            name = issue["corsErrorStatus"]["corsError"]
            return _CDP_TO_MOJOM.get(name, "k" + name), "Audits.CorsIssue", net_error
    return None, None, net_error


class ChromiumRunner:
    """Headless Chromium plus the scenario server, driven from synchronous code.

    Playwright's async API runs on a private event loop thread; ``run``/``run_many`` block the
    caller until the results are in. Use as a context manager or call ``close``.
    """

    def __init__(self, *, concurrency: int = 1, executable: str | None = None) -> None:
        self.concurrency = concurrency
        self._server = ScenarioServer()
        self._tags = itertools.count()
        try:
            self._chromium = ChromiumThread(executable=executable)
        except BaseException:
            self._server.close()
            raise

    # -- lifecycle ---------------------------------------------------------------------------
    def _call(self, coroutine: Callable[[], Coroutine[Any, Any, T]]) -> T:
        return self._chromium.run(coroutine())

    @property
    def version(self) -> str:
        return self._chromium.browser.version

    def close(self) -> None:
        self._chromium.close()
        self._server.close()

    def __enter__(self) -> ChromiumRunner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- running -----------------------------------------------------------------------------
    def run(self, scenario: Mapping[str, Any]) -> dict[str, Any]:
        """The FORMAT.md result of one scenario, as Chromium produces it now."""
        return self.observe_many([scenario])[0].expect

    def run_many(self, scenarios: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        return [o.expect for o in self.observe_many(scenarios)]

    def observe_many(self, scenarios: Sequence[Mapping[str, Any]]) -> list[Observation]:
        """Run scenarios (each in its own context, ``concurrency`` at a time), in input order."""
        ports: set[int] = set()
        for scenario in scenarios:
            ports |= scenario_ports(scenario)
        with self._ports(ports):
            return self._call(lambda: self._observe_all(scenarios))

    async def _observe_all(self, scenarios: Sequence[Mapping[str, Any]]) -> list[Observation]:
        gate = asyncio.Semaphore(self.concurrency)

        async def one(scenario: Mapping[str, Any]) -> Observation:
            async with gate:
                return await asyncio.wait_for(self._observe(scenario), _SCENARIO_TIMEOUT)

        outcomes = await asyncio.gather(*(one(s) for s in scenarios), return_exceptions=True)
        failures = [
            f"{scenario.get('name', '<unnamed>')!r}: {outcome!r}"
            for scenario, outcome in zip(scenarios, outcomes, strict=True)
            if isinstance(outcome, BaseException)
        ]
        if failures:
            raise ScenarioRunError("could not run " + "; ".join(failures))
        return [o for o in outcomes if isinstance(o, Observation)]

    @contextlib.contextmanager
    def _ports(self, ports: Iterable[int]) -> Iterator[None]:
        # Held while a batch runs: another process (an xdist worker) running scenarios on the
        # same fixed ports waits here instead of failing to bind.
        with open(_LOCK_PATH, "a+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                self._server.listen(ports)
                yield
            finally:
                self._server.stop_listening()
                fcntl.flock(lock, fcntl.LOCK_UN)

    async def _observe(self, scenario: Mapping[str, Any]) -> Observation:
        tag = f"{os.getpid()}-{next(self._tags)}"
        request = scenario["request"]
        init: dict[str, Any] = {
            "method": request.get("method", "GET"),
            "headers": [list(pair) for pair in request.get("headers", [])],
            "mode": request.get("mode", "cors"),
            "credentials": request.get("credentials", "same-origin"),
        }
        if request.get("body") is not None:
            init["body"] = request["body"]
        _check_page_origin(scenario["page_origin"])
        capture = _Capture()
        context = await self._chromium.browser.new_context(user_agent=_USER_AGENT + tag)
        self._server.register(tag, scenario)
        try:
            page = await context.new_page()
            flush_session = await context.new_cdp_session(page)
            await capture.attach(flush_session)
            if scenario["page_origin"] == "null":
                await page.goto(_sandbox_parent(request["url"]))
                frame = await _sandboxed_frame(page)
                frame_session = await context.new_cdp_session(frame)
                await capture.attach(frame_session)
                target = frame
                flush_session = frame_session
            else:
                await page.goto(scenario["page_origin"] + "/")
                target = page.main_frame
            self._server.arm(tag)
            settled: dict[str, Any] = await target.evaluate(_FETCH_JS, [request["url"], init])
            if settled["settled"] == "rejected" and settled["message"] == _NETWORK_FAILURE:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(capture.failed.wait(), _FAILURE_EVENT_WAIT)
            # A round trip on the frame's session delivers every event sent before it.
            await flush_session.send("Runtime.evaluate", {"expression": "0"})
        finally:
            requests = self._server.unregister(tag)
            with contextlib.suppress(Exception):
                await context.close()
        return _observation(settled, requests, capture)


def _check_page_origin(origin: str) -> None:
    if origin == "null":
        return
    try:
        parsed = ada_url.URL(origin)
    except ValueError:
        parsed = None
    if (
        parsed is None
        or parsed.protocol != "http:"
        or not parsed.hostname.endswith(".test")
        or parsed.origin != origin
    ):
        raise ScenarioRunError(
            f"page_origin {origin!r} cannot be served: use 'null' or http://<name>.test:<port> "
            "(Chromium resolves only *.test hosts, to 127.0.0.1, and the server speaks plain HTTP)"
        )


async def _sandboxed_frame(page: Page) -> Frame:
    # The sandboxed iframe is out of process; Playwright may learn of it after "load".
    for _ in range(200):
        frame = page.frame(name="sandboxed")
        if frame is not None and frame.url == "about:srcdoc":
            await frame.wait_for_load_state()
            return frame
        await asyncio.sleep(0.01)
    raise RuntimeError("the sandboxed srcdoc iframe did not appear")


def _sandbox_parent(request_url: str) -> str:
    """The document that embeds the opaque-origin iframe: a host of its own on a bound port."""
    parsed = ada_url.URL(request_url)
    port = parsed.port or "80"
    return f"http://sandbox.test:{port}/"


def _observation(
    settled: dict[str, Any], requests: list[ReceivedRequest], capture: _Capture
) -> Observation:
    console_lines = [
        e["text"] for e in capture.log if e.get("source") != "network" and e["level"] == "error"
    ]
    console = console_lines[0] if console_lines else None
    preflight = _first_preflight(requests)
    expect: dict[str, Any] = {
        "preflight_sent": preflight is not None,
        "preflight_request_headers": preflight,
        "actual_request_sent": any(not r.is_preflight for r in requests),
        "outcome": "blocked",
        "error": None,
        "console": console,
        "readable_headers": None,
        "status_visible": None,
    }
    observation = Observation(expect, requests, settled, console_lines)
    if settled["settled"] == "resolved":
        opaque = settled["type"] == "opaque"
        expect["outcome"] = "opaque" if opaque else "allowed"
        expect["readable_headers"] = [] if opaque else sorted(set(settled["headers"]))
        expect["status_visible"] = settled["status"]
        return observation
    if settled["message"] != _NETWORK_FAILURE:
        expect["error"] = "TypeError"
        observation.cors_error_source = "fetch() argument"
        return observation
    name, source, observation.net_error = _cdp_error(capture)
    if name is None and console is not None:
        name = cors_error_from_console(console)
        source = "console" if name is not None else None
    expect["error"] = name
    observation.cors_error_source = source
    return observation


class LiveChromium:
    """Runs scenarios in the session's Chromium and remembers what it saw."""

    def __init__(self, runner: ChromiumRunner) -> None:
        self.runner = runner
        self._seen: dict[str, Observation] = {}

    def observe(self, scenario: Mapping[str, Any]) -> Observation:
        inputs = {k: v for k, v in scenario.items() if k not in ("name", "source", "expect")}
        key = json.dumps(inputs, sort_keys=True)
        if key not in self._seen:
            self._seen[key] = self.runner.observe_many([scenario])[0]
        return self._seen[key]

    def run(self, scenario: Mapping[str, Any]) -> dict[str, Any]:
        return self.observe(scenario).expect
