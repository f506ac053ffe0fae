"""Self-check: what a browser would do with this policy's own answers.

The browser engine (``crossorigin.engine``) plays Chromium; every response it asks for is
produced by the policy's decision calls - the very code the middleware runs - so the verdict
is about the real answers, not about a re-reading of the configuration. When the browser
would block, the explanation joins the engine's cause (from its failing check) and the
policy's own reason (the check the policy's decision failed, e.g. ``method``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from crossorigin.headers import cors_unsafe_request_header_names
from crossorigin.policy._vary import VARY_ACTUAL, merge_vary

if TYPE_CHECKING:
    from crossorigin.engine import Check, FetchResult, HttpRequest, HttpResponse
    from crossorigin.policy._policy import Policy

__all__ = ["SelfCheck", "run_check"]

DEFAULT_URL = "https://server.crossorigin.invalid/resource"
_SAMPLE_VALUES = {
    "authorization": "Bearer token",
    "content-type": "application/json",
    "accept": "application/json",
}


@dataclass(frozen=True, slots=True)
class SelfCheck:
    """The browser's verdict on the policy's answers to one fetch()."""

    outcome: str  # "allowed" or "blocked"
    error: str | None  # Chromium's CorsError name when blocked
    trace: tuple[Check, ...]  # every check the browser applied, in order
    explanation: str
    policy_reason: str | None  # origin / method / headers / private-network / credentials
    result: FetchResult

    @property
    def allowed(self) -> bool:
        return self.outcome == "allowed"

    def __str__(self) -> str:
        return self.explanation


def _request_headers(headers: Iterable[Any]) -> tuple[tuple[str, str], ...]:
    pairs: list[tuple[str, str]] = []
    for item in headers:
        if isinstance(item, str):
            pairs.append((item, _SAMPLE_VALUES.get(item.lower(), "1")))
        else:
            name, value = item
            pairs.append((str(name), str(value)))
    return tuple(pairs)


def _describe(origin: str, method: str, names: list[str], credentials: bool) -> str:
    parts = [f"a browser at {origin} sending {method}"]
    extras = [*names]
    if credentials:
        extras.append("cookies")
    if extras:
        joined = extras[0] if len(extras) == 1 else ", ".join(extras[:-1]) + " and " + extras[-1]
        parts.append(f"with {joined}")
    return " ".join(parts)


def run_check(
    policy: Policy,
    origin: str,
    *,
    method: str,
    headers: Iterable[Any],
    credentials: bool,
    url: str | None,
) -> SelfCheck:
    from crossorigin.engine import FetchRequest, HttpResponse, run

    pairs = _request_headers(headers)
    request = FetchRequest(
        page_origin=origin,
        url=url or DEFAULT_URL,
        method=method,
        headers=pairs,
        mode="cors",
        credentials="include" if credentials else "same-origin",
        body="{}" if method.upper() not in ("GET", "HEAD") else None,
    )
    refusal: list[str | None] = [None]

    def respond(http_request: HttpRequest) -> HttpResponse:
        sent_origin = http_request.header("Origin")
        if http_request.is_preflight and sent_origin is not None:
            requested_method = http_request.header("Access-Control-Request-Method") or ""
            requested_headers = http_request.header("Access-Control-Request-Headers")
            private_network = http_request.header("Access-Control-Request-Private-Network")
            status, answer, _, refusals = policy.preflight_answer(
                sent_origin, requested_method, requested_headers, private_network
            )
            refusal[0] = refusals[0] if refusals else None
            return HttpResponse(status=status, headers=tuple(answer))
        answer = policy.actual(sent_origin)
        if sent_origin is not None and not answer:
            refusal[0] = "origin"
        answer.append(("Vary", merge_vary([], VARY_ACTUAL)))
        return HttpResponse(status=200, headers=(("Content-Type", "text/plain"), *answer))

    result: FetchResult = run(request, respond, browser="chromium")
    reason = refusal[0]
    if result.outcome != "allowed" and reason is None and credentials:
        reason = None if policy.allow_credentials else "credentials"
    unsafe = cors_unsafe_request_header_names(pairs)
    shown = [name for name, _ in pairs if name.lower() in unsafe]
    subject = _describe(origin, method, shown, credentials)
    if result.outcome == "allowed":
        explanation = f"{subject} would be allowed: every CORS check passes."
    else:
        engine = result.explanation()
        first = engine.cause.split(". ")[0].rstrip(".")
        error = f" [{result.error_name}]" if result.error_name else ""
        explanation = f"{subject} would be blocked: {first}{error}."
        why_fix = _policy_reason(policy, reason, origin, method, unsafe)
        if why_fix is not None:
            explanation += f" Why: {why_fix[0]}. Fix: {why_fix[1]}."
        else:
            explanation += f" Fix: {engine.fix}"
    return SelfCheck(
        outcome="allowed" if result.outcome == "allowed" else "blocked",
        error=result.error_name,
        trace=result.checks,
        explanation=explanation,
        policy_reason=reason,
        result=result,
    )


def _policy_reason(
    policy: Policy, reason: str | None, origin: str, method: str, unsafe: list[str]
) -> tuple[str, str] | None:
    """(why, fix) in the policy's terms for the check its decision failed."""
    if reason == "origin":
        return f"the policy does not allow the origin {origin}", "add it to allow_origins"
    if reason == "method":
        return f"the policy does not allow the method {method}", f"add {method!r} to allow_methods"
    if reason == "headers":
        allowed = set(policy.config.headers)
        missing = [name for name in unsafe if name not in allowed] or unsafe
        return (
            f"the policy does not allow the request header(s) {', '.join(missing)}",
            "add them to allow_headers",
        )
    if reason == "private-network":
        return (
            "the policy does not answer Private Network Access preflights",
            "pass allow_private_network=True",
        )
    if reason == "credentials" and policy.allow_all_origins:
        return (
            "the policy allows every origin, which cannot go with credentials",
            "list the origins that need credentials in allow_origins (not '*') and pass "
            "allow_credentials=True, or send the request without credentials",
        )
    if reason == "credentials":
        return (
            "the policy does not allow credentials",
            "pass allow_credentials=True (with explicit origins), or send the request "
            "without credentials",
        )
    return None
