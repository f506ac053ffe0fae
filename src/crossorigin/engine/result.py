"""The engine's output: the trace of what happened, the verdict, and its explanation.

The explanation is derived from the failing check of the trace and the error catalogue;
nothing here re-decides anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from crossorigin.engine.mixed_content import MIXED_CONTENT_BLOCKED, MIXED_CONTENT_FIX
from crossorigin.engine.model import FetchRequest, HttpRequest, HttpResponse
from crossorigin.errors import CATALOGUE, FIREFOX_HEAD, CorsError

Outcome = Literal["allowed", "blocked", "opaque"]
Stage = Literal["request", "preflight", "response", "redirect", "cache", "network"]


@dataclass(frozen=True, slots=True)
class Check:
    """One rule the browser applied: what it looked at and whether it passed.

    ``stage`` says which message the rule read (``preflight`` response, actual
    ``response``, a ``redirect`` hop, the page's ``request`` itself, the preflight
    ``cache``). ``header`` and ``value`` are what was read (value None: header absent).
    """

    name: str
    passed: bool
    stage: Stage
    detail: str
    header: str | None = None
    value: str | None = None
    expected: str | None = None
    error: CorsError | None = None


@dataclass(frozen=True, slots=True)
class Exchange:
    """One request the browser sent and the response it got (None: none came back)."""

    kind: Literal["preflight", "actual"]
    request: HttpRequest
    response: HttpResponse | None


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why the browser decided as it did, in plain English, and the generic fix."""

    summary: str
    cause: str
    fix: str
    firefox: str | None = None
    safari: str | None = None


@dataclass(frozen=True, slots=True)
class FetchResult:
    """Everything the engine decided about one fetch()."""

    request: FetchRequest
    outcome: Outcome
    error: CorsError | None
    console: str | None
    checks: tuple[Check, ...]
    exchanges: tuple[Exchange, ...]
    url_list: tuple[str, ...]
    readable_headers: tuple[str, ...] | None = None
    status_visible: int | None = None
    hint: str = ""
    type_error: str | None = None  # the TypeError fetch() threw before sending, if any
    network_error: str | None = None  # a failure that is not a CORS error (net::ERR_…)
    response_tainting: Literal["basic", "cors", "opaque"] | None = None
    preflight_request_headers: dict[str, str] | None = field(default=None)

    @property
    def error_name(self) -> str | None:
        """The scenario format's ``error``: a CorsError name, ``TypeError`` or None."""
        if self.error is not None:
            return self.error.value
        if self.type_error is not None:
            return "TypeError"
        return None

    @property
    def preflight_sent(self) -> bool:
        return any(e.kind == "preflight" for e in self.exchanges)

    @property
    def actual_request_sent(self) -> bool:
        return any(e.kind == "actual" for e in self.exchanges)

    @property
    def failed_check(self) -> Check | None:
        for check in reversed(self.checks):
            if not check.passed:
                return check
        return None

    @property
    def last_response(self) -> HttpResponse | None:
        for exchange in reversed(self.exchanges):
            if exchange.response is not None:
                return exchange.response
        return None

    def as_scenario_result(self) -> dict[str, object]:
        """The ``expect`` block of the scenario format, exactly its keys."""
        return {
            "preflight_sent": self.preflight_sent,
            "preflight_request_headers": self.preflight_request_headers,
            "actual_request_sent": self.actual_request_sent,
            "outcome": self.outcome,
            "error": self.error_name,
            "console": self.console,
            "readable_headers": list(self.readable_headers)
            if self.readable_headers is not None
            else None,
            "status_visible": self.status_visible,
        }

    def explanation(self) -> Explanation:
        """Plain-English cause and fix, from the failing check and the catalogue."""
        request = self.request
        if self.outcome == "allowed":
            return Explanation(
                summary=f"Allowed: the page at {request.page_origin} can read the response.",
                cause="Every CORS check passed."
                if self.response_tainting == "cors"
                else "The request is same-origin: CORS does not apply.",
                fix="Nothing to fix.",
            )
        if self.outcome == "opaque":
            return Explanation(
                summary="Opaque: the request was sent, but the page cannot read the response "
                "(status 0, no headers, no body).",
                cause="mode: 'no-cors' asks for an opaque response: the browser sends the "
                "request without CORS and hides the answer from script.",
                fix="To read the response, use mode: 'cors' (the default) and have the server "
                "send the CORS headers.",
            )
        if self.type_error is not None:
            return Explanation(
                summary=f"fetch() threw before sending anything: TypeError: {self.type_error}",
                cause=self.type_error,
                fix="Fix the arguments passed to fetch(); nothing reached the network.",
            )
        check = self.failed_check
        if self.network_error == MIXED_CONTENT_BLOCKED:
            url = self.url_list[-1] if self.url_list else request.url
            return Explanation(
                summary="Blocked as mixed content, not by CORS: an https page may not call "
                f"the insecure URL {url}.",
                cause=f"The page at {request.page_origin} was loaded over https and requested "
                f"{url} over plain http (not localhost or 127.0.0.1). The browser blocks that "
                "before anything is sent, so the server's CORS headers are never looked at.",
                fix=MIXED_CONTENT_FIX,
            )
        if self.error is None:
            detail = check.detail if check is not None else (self.network_error or "")
            return Explanation(
                summary=f"Blocked by a network error, not by CORS: {detail}",
                cause=detail,
                fix="Look at the server and the network path: this is not fixed with CORS headers.",
            )
        info = CATALOGUE[self.error]
        last = self.last_response
        values = {
            "hint": self.hint,
            "origin": request.page_origin,
            "url": self.url_list[-1] if self.url_list else request.url,
            "status": str(last.status) if last is not None else "(none)",
            "method": request.method,
            "header": self.hint,
            "resource_space": self.hint,
            "target_space": request.target_address_space or "",
        }
        cause = info.cause.format(**values)
        if check is not None and check.detail:
            cause = f"{cause} ({check.detail})"
        return Explanation(
            summary=f"Blocked by CORS ({self.error.value}).",
            cause=cause,
            fix=info.fix.format(**values),
            firefox=(FIREFOX_HEAD + info.firefox).format(**values) if info.firefox else None,
            safari=info.safari.format(**values) if info.safari else None,
        )
