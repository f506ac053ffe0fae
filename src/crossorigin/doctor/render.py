"""The doctor's output: a rich terminal trace for people, stable JSON for programs.

``check`` prints, in order: the request as the page makes it, each exchange on the wire with
the checks the browser applied to it (✔/✘ and the value looked at), the verdict, the console
message of the chosen browser, the cause, what a non-browser client gets, and the fix for the
server's stack. Colour is rich's business: it turns itself off when the output is not a TTY.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import ada_url
from rich.console import Console, Group
from rich.rule import Rule
from rich.syntax import Syntax
from rich.text import Text

from crossorigin.doctor.explain import Diagnosis, FixSet, MessageExplanation
from crossorigin.doctor.fixes import Fix
from crossorigin.doctor.probe import ProbeReport, WireExchange
from crossorigin.engine import Check, FetchRequest
from crossorigin.errors import chromium_detail

__all__ = [
    "check_json",
    "make_console",
    "page_call",
    "render_check",
    "render_explain",
    "render_fixes",
]

_BROWSER_TITLES = {"chromium": "Chromium", "firefox": "Firefox", "safari": "Safari"}
_CORS_HEADER_PREFIXES = ("access-control-", "origin", "vary", "location")
_BODY_PREVIEW = 60


def code(console: Console, code: str, language: str, indent: str = "  ") -> None:
    """Highlighted code, indented, without padding lines to the terminal width."""
    highlighted = Syntax(code, language, theme="ansi_dark", background_color="default")
    text = highlighted.highlight(code)
    text.rstrip()
    for line in text.split("\n", allow_blank=True):
        console.print(Text(indent) + line if line.plain.strip() else Text())


def make_console(*, width: int | None = None) -> Console:
    """The terminal console (colour only on a TTY; no markup or highlighting of values)."""
    return Console(highlight=False, width=width, soft_wrap=False)


def _host_port(url: str) -> tuple[str, int] | None:
    try:
        parsed = ada_url.URL(url)
    except ValueError:
        return None
    default = {"http:": 80, "https:": 443}.get(parsed.protocol, 0)
    return parsed.hostname.strip("[]").lower(), int(parsed.port or default)


def _json_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def page_call(request: FetchRequest) -> str:
    """The page's request as the JavaScript that makes it."""
    options: list[str] = []
    if request.method != "GET":
        options.append(f"method: {_json_string(request.method)}")
    if request.headers:
        pairs = ", ".join(
            f"{_json_string(name)}: {_json_string(value)}" for name, value in request.headers
        )
        options.append(f"headers: {{ {pairs} }}")
    if request.body is not None:
        body = request.body
        shown = body if len(body) <= _BODY_PREVIEW else body[:_BODY_PREVIEW] + "…"
        options.append(f"body: {_json_string(shown)}")
    if request.mode != "cors":
        options.append(f"mode: {_json_string(request.mode)}")
    if request.credentials != "same-origin":
        options.append(f"credentials: {_json_string(request.credentials)}")
    if request.redirect != "follow":
        options.append(f"redirect: {_json_string(request.redirect)}")
    url = _json_string(request.url)
    if not options:
        return f"fetch({url})"
    inner = "".join(f"  {option},\n" for option in options)
    return f"fetch({url}, {{\n{inner}}})"


# -- check ---------------------------------------------------------------------------------


def _header_lines(headers: Sequence[tuple[str, str]], indent: str) -> list[Text]:
    lines = []
    for name, value in headers:
        style = "bold" if name.lower().startswith(_CORS_HEADER_PREFIXES) else "dim"
        lines.append(Text.assemble(indent, (f"{name}: ", style), (value, style)))
    return lines


def _exchange(exchange: WireExchange) -> Group:
    request = exchange.request
    title = "Preflight" if exchange.kind == "preflight" else "Request"
    extra = ""
    if exchange.kind == "actual" and request.with_credentials:
        extra = "  (with cookies)"
    elif exchange.kind == "preflight":
        extra = "  (no cookies)"
    parts: list[Any] = [
        Text.assemble(
            ("→ ", "cyan"),
            (f"{title}: ", "bold cyan"),
            f"{request.method} {request.url}",
            (extra, "dim"),
        )
    ]
    parts += _header_lines(request.headers, "    ")
    if request.body is not None:
        body = request.body
        shown = body if len(body) <= _BODY_PREVIEW else body[:_BODY_PREVIEW] + "…"
        parts.append(Text.assemble("    ", (f"(body: {shown})", "dim")))
    response = exchange.response
    if response is None:
        parts.append(Text.assemble(("← ", "red"), ("no response", "bold red")))
        return Group(*parts)
    size = "" if exchange.body_size is None else f"{exchange.body_size} B"
    meta = " · ".join(
        part for part in (exchange.http_version, size, f"{exchange.elapsed * 1000:.0f} ms") if part
    )
    status_style = (
        "green"
        if 200 <= response.status < 300
        else ("yellow" if 300 <= response.status < 400 else "red")
    )
    parts.append(
        Text.assemble(
            ("← ", "cyan"),
            (f"{response.status} {exchange.reason}".rstrip(), f"bold {status_style}"),
            (f"  ({meta})", "dim"),
        )
    )
    parts += _header_lines(response.headers, "    ")
    return Group(*parts)


def _check_line(check: Check) -> Text:
    mark, style = ("✔", "green") if check.passed else ("✘", "bold red")
    line = Text.assemble(
        ("  ", ""), (mark, style), " ", (check.detail, "" if check.passed else "red")
    )
    if check.header is not None and (check.value is None or check.value not in check.detail):
        shown = "(absent)" if check.value is None else repr(check.value)
        line.append(f"  [{check.header}: {shown}]", style="dim")
    return line


def trace(report: ProbeReport) -> list[Any]:
    """Exchanges with the checks made on each, interleaved in the order they happened."""
    result = report.result
    wire = list(report.wire)
    out: list[Any] = []
    printed = 0
    last_kind: str | None = None

    def show_until(kind: str) -> None:
        nonlocal printed, last_kind
        while printed < len(wire):
            exchange = wire[printed]
            out.append(_exchange(exchange))
            printed += 1
            last_kind = exchange.kind
            if exchange.kind == kind:
                return

    previous_stage: str | None = None
    for check in result.checks:
        stage = check.stage
        if stage == "preflight" and (last_kind != "preflight" or previous_stage != "preflight"):
            show_until("preflight")
        elif stage in ("response", "redirect") and (
            last_kind != "actual" or previous_stage not in ("response", "redirect")
        ):
            show_until("actual")
        elif stage == "network" and printed < len(wire):
            show_until(wire[printed].kind)
        out.append(_check_line(check))
        previous_stage = stage
    while printed < len(wire):
        out.append(_exchange(wire[printed]))
        printed += 1
    if result.error is not None and not any(not check.passed for check in result.checks):
        # A few engine decisions (a redirect to a non-http scheme) come without a check.
        out.append(
            Text.assemble(("  ✘ ", "bold red"), (chromium_detail(result.error, result.hint), "red"))
        )
    return out


def render_fixes(console: Console, fixset: FixSet, *, heading: str = "Fix") -> None:
    if fixset.problem:
        console.print(Text(fixset.problem, style="yellow"))
    for fix in fixset.fixes:
        _render_fix(console, fix, heading)
    for fix in fixset.proxy:
        _render_fix(console, fix, "Or, in development, a dev-server proxy")


def _render_fix(console: Console, fix: Fix, heading: str) -> None:
    console.print(Rule(Text(f"{heading}: {fix.title}", style="bold"), align="left"))
    for part in fix.parts:
        console.print(Text(f"{part.title or part.where}", style="bold"))
        if part.title and part.where:
            console.print(Text(f"({part.where})", style="dim"))
        code(console, part.text, part.language)
    for note in fix.notes:
        console.print(Text.assemble(("  • ", "dim"), note))


def render_explanation(
    console: Console,
    diagnosis: Diagnosis,
    *,
    browser: str,
    show_console: bool,
    show_cause: bool,
    extra: Sequence[Text] = (),
) -> None:
    """After the verdict: the browser's console line, the cause and the fix, what curl sees,
    then ``extra`` lines (a caller's own remarks) and the notes. Shared by ``check`` and
    ``har``."""
    if show_console and diagnosis.console:
        console.print()
        console.print(Text(f"{browser} console:", style="bold"))
        for line in diagnosis.console.splitlines():
            console.print(Text("  " + line, style="red"), soft_wrap=True)
    if show_cause:
        console.print()
        console.print(Text.assemble(("Cause: ", "bold"), diagnosis.cause))
        console.print(Text.assemble(("Fix: ", "bold"), diagnosis.fix))
    if diagnosis.non_browser:
        console.print(Text(diagnosis.non_browser, style="cyan"))
    for remark in extra:
        console.print(remark)
    for note in diagnosis.notes:
        console.print(Text.assemble(("Note: ", "dim"), note))


def render_check(console: Console, report: ProbeReport, diagnosis: Diagnosis) -> None:
    """The whole ``check`` trace (see the module docstring)."""
    request = report.request
    result = report.result
    browser = _BROWSER_TITLES.get(report.browser, report.browser)
    console.print(Rule(Text(f"crossorigin check · {browser}", style="bold"), align="left"))
    console.print(
        Text.assemble(("The page at ", "dim"), (request.page_origin, "bold"), (" runs:", "dim"))
    )
    code(console, page_call(request), "javascript")
    used = {_host_port(exchange.request.url) for exchange in report.wire}
    for (host, port), address in report.resolved.items():
        if (host, port) in used:
            console.print(Text(f"(--resolve: {host}:{port} is reached at {address})", style="dim"))
    console.print()
    for item in trace(report):
        console.print(item)
    console.print()

    if result.outcome == "allowed":
        readable = ", ".join(result.readable_headers or ()) or "none"
        console.print(
            Text.assemble(
                ("✔ ALLOWED", "bold green"),
                f"  status {result.status_visible}; script can read the headers: {readable}",
            )
        )
    elif result.outcome == "opaque":
        console.print(
            Text.assemble(
                ("◌ OPAQUE", "bold yellow"),
                "  the request was sent; the page sees status 0, no headers, no body",
            )
        )
    elif result.error_name is None and result.network_error is not None:
        console.print(Text.assemble(("✘ NETWORK ERROR", "bold red"), f"  {result.network_error}"))
    else:
        label = result.error_name or ""
        console.print(Text.assemble(("✘ BLOCKED", "bold red"), f"  {label}".rstrip()))
    if result.error is None:
        console.print(Text(diagnosis.summary))
    render_explanation(
        console,
        diagnosis,
        browser=browser,
        show_console=True,
        show_cause=result.outcome != "allowed",
    )
    if diagnosis.fixes.fixes or diagnosis.fixes.proxy or diagnosis.fixes.problem:
        console.print()
        if diagnosis.fixes.shown_because:
            console.print(Text(f"Server fix ({diagnosis.fixes.shown_because}):", style="dim"))
        render_fixes(console, diagnosis.fixes)
        others = list(diagnosis.detections[1:])
        if others and diagnosis.stack_note.startswith("detected"):
            shown = "; ".join(f"{'/'.join(d.stacks)} ({d.evidence})" for d in others)
            console.print(
                Text(f"Also in the path: {shown}; --stack picks another fix.", style="dim")
            )


def check_json(report: ProbeReport, diagnosis: Diagnosis) -> dict[str, object]:
    """``check --json``: stable keys, documented in docs/doctor.md."""
    result = report.result
    request = report.request
    return {
        "url": request.url,
        "origin": request.page_origin,
        "browser": report.browser,
        "request": {
            "method": request.method,
            "headers": [list(pair) for pair in request.headers],
            "mode": request.mode,
            "credentials": request.credentials,
            "body": request.body,
        },
        "outcome": result.outcome,
        "error": result.error_name,
        "preflight_sent": result.preflight_sent,
        "actual_request_sent": result.actual_request_sent,
        "exchanges": [exchange.as_json() for exchange in report.wire],
        "checks": [
            {
                "name": check.name,
                "passed": check.passed,
                "stage": check.stage,
                "detail": check.detail,
                "header": check.header,
                "value": check.value,
                "error": check.error.value if check.error else None,
            }
            for check in result.checks
        ],
        "status_visible": result.status_visible,
        "readable_headers": list(result.readable_headers)
        if result.readable_headers is not None
        else None,
        "console": diagnosis.console,
        "console_by_browser": {report.browser: diagnosis.console, **diagnosis.other_browsers},
        "explanation": {
            "summary": diagnosis.summary,
            "cause": diagnosis.cause,
            "fix": diagnosis.fix,
            "notes": list(diagnosis.notes),
        },
        "network_error": report.failure.as_json() if report.failure else None,
        "non_browser": report.non_browser.as_json() if report.non_browser else None,
        "non_browser_summary": diagnosis.non_browser,
        "stacks": {
            "detected": [
                {"stacks": list(d.stacks), "evidence": d.evidence, "layer": d.layer}
                for d in diagnosis.detections
            ],
            "shown": list(diagnosis.stacks_shown),
            "reason": diagnosis.stack_note or None,
        },
        "dev_server": {
            "name": diagnosis.dev_server.name,
            "stacks": list(diagnosis.dev_server.stacks),
            "evidence": diagnosis.dev_server.evidence,
        }
        if diagnosis.dev_server
        else None,
        "fixes": diagnosis.fixes.as_json(),
        "fix_details": [fix.as_json() for fix in (*diagnosis.fixes.fixes, *diagnosis.fixes.proxy)],
    }


# -- explain -------------------------------------------------------------------------------


def render_explain(console: Console, explanation: MessageExplanation) -> None:
    r = explanation.recognition
    if r.candidates:
        browser = _BROWSER_TITLES.get(r.browser or "", "browser")
        form = "" if r.form in (None, "current") else f", {r.form} wording"
        label = r.error.value if r.error else " / ".join(c.value for c in r.candidates)
        console.print(
            Rule(Text(f"{browser} CORS error{form}: {label}", style="bold"), align="left")
        )
        for name, value in (
            ("URL", r.url),
            ("Redirected from", r.initial_url),
            ("Page origin", r.origin),
            ("Value at fault", r.parameter if r.parameter not in (None, "") else None),
            ("Status", r.status),
        ):
            if value:
                console.print(Text.assemble((f"{name + ':':<17}", "bold"), value))
        if not r.complete:
            console.print(Text("(the message is cut short; read as far as it goes)", style="dim"))
        console.print()
    elif r.lookalikes:
        console.print(Rule(Text(explanation.summary, style="bold yellow"), align="left"))
    else:
        console.print(Rule(Text(explanation.summary, style="bold yellow"), align="left"))
    if r.candidates:
        console.print(Text(explanation.summary))
    console.print(Text.assemble(("Cause: ", "bold"), explanation.cause))
    console.print(Text.assemble(("Fix: ", "bold"), explanation.fix))
    if not r.candidates:
        for lookalike in r.lookalikes[1:]:
            console.print(Text.assemble(("Also: ", "bold"), f"{lookalike.title}: {lookalike.what}"))
    for note in explanation.notes:
        console.print(Text.assemble(("Note: ", "dim"), note))
    if explanation.fixes.fixes or explanation.fixes.proxy or explanation.fixes.problem:
        console.print()
        render_fixes(console, explanation.fixes)
