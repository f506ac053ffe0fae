"""``crossorigin audit URL [URL...]``: find CORS security misconfigurations of live endpoints.

Every target gets every probe (attack origins as simple requests with and without a cookie,
and as preflights; an unknown method and header; Private Network Access; a missing path);
the findings come with their evidence, why they are exploitable and the fix for the detected
stack. Exit status: 0 nothing at or above ``--fail-on``, 1 findings, 2 usage or network
error (a target that could not be reached, or that redirects every probe).

Everything a server or a URL supplies is printed as plain text (never as rich markup).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

from crossorigin.cli import EXIT_BLOCKED, EXIT_OK, EXIT_USAGE, UsageError
from crossorigin.commands.check import parse_headers
from crossorigin.commands.connection import (
    add_connection_options,
    check_stack,
    connection_settings,
)
from crossorigin.doctor.audit import SEVERITIES
from crossorigin.headers import is_header_name

if TYPE_CHECKING:
    from rich.console import Console

    from crossorigin.doctor.audit import ProbeVerdict, TargetReport

FAIL_ON = SEVERITIES
_SEVERITY_STYLES = {"high": "bold red", "medium": "yellow", "low": "cyan", "info": "dim"}
_STATUS_TEXT = {
    "vulnerable": "vulnerable",
    "not-vulnerable": "not vulnerable",
    "no-cors": "no CORS headers at all",
    "redirect": "redirected: audit the Location instead",
    "error": "error",
}


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "audit",
        help="probe live endpoints for CORS security misconfigurations",
        description="Send attack origins (any origin, null, prefix/suffix/regex bypasses, "
        "special characters, subdomains, http downgrades, shared hosting platforms) to each "
        "URL as simple requests with and without a cookie and as preflights, judge every "
        "answer as a browser at that origin would, and report the misconfigurations with "
        "evidence and the fix.",
        epilog="exit status: 0 no finding at or above --fail-on, 1 findings, 2 usage or "
        "network error",
    )
    parser.add_argument(
        "urls", nargs="+", metavar="URL", help="endpoints to audit ('-' reads URLs from stdin)"
    )
    parser.add_argument(
        "--origin",
        help="the legitimate front end's origin (e.g. https://app.example.com): its domain "
        "seeds more attack origins and the fix allows exactly it",
    )
    parser.add_argument(
        "-H",
        "--header",
        dest="headers",
        action="append",
        default=[],
        metavar="'NAME: VALUE'",
        help="a header sent on the simple requests, e.g. an Authorization token (repeatable)",
    )
    parser.add_argument(
        "-b",
        "--cookie",
        metavar="'NAME=VALUE; ...'",
        help="the Cookie header of the credentialed probes (default: a placeholder cookie)",
    )
    parser.add_argument(
        "--fail-on",
        choices=FAIL_ON,
        default="low",
        help="lowest severity that makes the exit status 1 (default low)",
    )
    parser.add_argument("--stack", help="the server's stack, for the fix (default: detected)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")
    add_connection_options(parser)
    parser.set_defaults(func=run)


# Headers the probes set themselves (a -H copy would clash with or falsify them).
_PROBE_HEADERS = ("origin", "access-control-request-method", "access-control-request-headers")
_PROBE_HEADER_PREFIXES = ("access-control-request-", "sec-fetch-")


def _latin1(what: str, value: str) -> None:
    try:
        value.encode("latin-1")
    except UnicodeEncodeError:
        raise UsageError(
            f"{what} {value!r} has characters HTTP headers cannot carry (only Latin-1): "
            "percent-encode or base64 the value"
        ) from None


def _audit_headers(values: list[str]) -> tuple[tuple[str, str], ...]:
    headers = parse_headers(values)
    for (name, value), raw in zip(headers, values, strict=True):
        lowered = name.lower()
        if not is_header_name(name):
            raise UsageError(
                f"-H {raw!r}: {name!r} is not a header name (letters, digits and "
                "!#$%&'*+-.^_`|~ only), e.g. -H 'X-Api-Key: 123'"
            )
        if lowered == "cookie":
            raise UsageError(
                f"-H {raw!r}: give cookies with -b '{value}' (the credentialed probes carry "
                "them; the others must not)"
            )
        if lowered in _PROBE_HEADERS or lowered.startswith(_PROBE_HEADER_PREFIXES):
            raise UsageError(
                f"-H {raw!r}: the audit sets {name} itself on every probe; give the front "
                "end's origin with --origin, and drop the header"
            )
        _latin1("-H", raw)
    return headers


def _read_urls(values: list[str]) -> list[str]:
    urls: list[str] = []
    for value in values:
        if value == "-":
            for raw in sys.stdin:
                line = raw.strip()
                if line and not line.startswith("#"):
                    urls.append(line)
        else:
            urls.append(value)
    if not urls:
        raise UsageError("no URL to audit: give URLs as arguments or one per line on stdin")
    return urls


def run(args: argparse.Namespace) -> int:
    try:
        return _run(args)
    except UsageError as error:
        if args.json:
            # --json always prints one object, even when the command line is wrong.
            document = {"fail_on": args.fail_on, "error": str(error), "targets": []}
            json.dump(document, sys.stdout, indent=2, ensure_ascii=False)
            sys.stdout.write("\n")
        raise


def _run(args: argparse.Namespace) -> int:
    from crossorigin.doctor.audit import (
        AuditInputError,
        SendFailure,
        Target,
        severity_at_least,
    )
    from crossorigin.doctor.audit import run as audit
    from crossorigin.doctor.probe import classify, open_client, send_request
    from crossorigin.engine import HttpRequest, HttpResponse

    connection = connection_settings(args)
    check_stack(args.stack)
    headers = _audit_headers(args.headers)
    if args.cookie is not None:
        _latin1("-b", args.cookie)
    urls = _read_urls(args.urls)
    # A bad URL in a list gets its own error entry; a single one is a usage error.
    targets: list[Target | _BadUrl] = []
    for url in urls:
        try:
            targets.append(Target.parse(url, args.origin))
        except AuditInputError as error:
            if len(urls) == 1 or str(error).startswith("--origin"):
                raise UsageError(str(error)) from None
            targets.append(_BadUrl(url, str(error)))

    import httpx

    reports: list[TargetReport | _BadUrl] = []
    with open_client(**connection) as client:

        def send(request: HttpRequest) -> tuple[HttpResponse, bytes]:
            try:
                exchange = send_request(client, request)
            except httpx.HTTPError as error:
                failure = classify(error, request.url)
                raise SendFailure(
                    f"{failure.title} ({failure.browser_error}): {failure.message}"
                ) from None
            except (httpx.InvalidURL, UnicodeError, ValueError) as error:
                # A host the IDNA rules refuse (xn--a.test), a bad port...: no request left.
                raise SendFailure(f"invalid URL {request.url!r} ({error})") from None
            assert exchange.response is not None
            return exchange.response, exchange.body_preview

        for target in targets:
            if isinstance(target, _BadUrl):
                reports.append(target)
                continue
            reports.append(
                audit(target, send, headers=headers, cookie=args.cookie, stack=args.stack)
            )

    if args.json:
        document = {
            "fail_on": args.fail_on,
            "error": None,
            "targets": [report.as_json() for report in reports],
        }
        json.dump(document, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        from crossorigin.doctor.render import make_console

        _render(make_console(), reports)
    if any(report.status in ("error", "redirect") for report in reports):
        return EXIT_USAGE
    failing = any(
        severity_at_least(finding.severity, args.fail_on)
        for report in reports
        if not isinstance(report, _BadUrl)
        for finding in report.findings
    )
    return EXIT_BLOCKED if failing else EXIT_OK


class _BadUrl:
    """A listed URL the audit cannot use: reported as an error entry, the others go on."""

    status = "error"

    def __init__(self, url: str, error: str) -> None:
        self.url = url
        self.error = error

    def as_json(self) -> dict[str, object]:
        return {"url": self.url, "status": "error", "error": self.error, "findings": []}


# -- human output -------------------------------------------------------------------------


def _render(console: Console, reports: list[TargetReport | _BadUrl]) -> None:
    from rich.table import Table
    from rich.text import Text

    table = Table(title="CORS audit", show_lines=False)
    table.add_column("Target")
    table.add_column("Severity")
    table.add_column("Code")
    table.add_column("Finding")
    for report in reports:
        if isinstance(report, _BadUrl):
            table.add_row(Text(report.url), "", "", Text("error"))
            continue
        if not report.findings:
            table.add_row(Text(report.target.url), "", "", Text(_STATUS_TEXT[report.status]))
        for finding in report.findings:
            table.add_row(
                Text(report.target.url),
                Text(finding.severity, style=_SEVERITY_STYLES[finding.severity]),
                Text(finding.code),
                Text(finding.title),
            )
    console.print(table)
    for report in reports:
        if isinstance(report, _BadUrl):
            _say(console, "")
            _say(console, f"{report.url}: {report.error}", style="red")
        else:
            _render_report(console, report)


def _say(console: Console, line: str, *, style: str = "") -> None:
    """One line of plain text: URLs and header values never go through rich markup."""
    from rich.text import Text

    console.print(Text(line, style=style))


def _render_report(console: Console, report: TargetReport) -> None:
    from rich.rule import Rule
    from rich.text import Text

    console.print(Rule(Text(report.target.url)))
    status = _STATUS_TEXT[report.status]
    failed = f", {report.probes_failed} without an answer" if report.probes_failed else ""
    _say(
        console,
        f"{status}: {len(report.findings)} finding(s), "
        f"{report.probes_sent} of {report.probes_planned} probes sent{failed}",
    )
    if report.redirect is not None:
        _say(
            console,
            f"Every probe was redirected to {report.redirect}: browsers follow the redirect "
            "and judge CORS there, so audit that URL.",
            style="yellow",
        )
    if report.error is not None and report.status != "error":
        _say(
            console,
            f"{report.probes_failed} probe(s) got no answer and were skipped (not a CORS "
            f"problem; the first: {report.error})",
            style="yellow",
        )
    elif report.error is not None:
        _say(console, f"Not a CORS problem: {report.error}", style="red")
        if report.probes_sent < report.probes_planned:
            _say(
                console,
                "The remaining probes were not sent: "
                + (
                    "the endpoint cannot be reached."
                    if report.probes_sent == 1
                    else "several probes in a row got no answer."
                ),
            )
    for number, finding in enumerate(report.findings, 1):
        console.print()
        console.print(
            Text(f"{number}. [{finding.severity}] {finding.code}: ", style="bold")
            + Text(finding.title)
        )
        _say(console, f"   Why: {finding.why}")
        for verdict in finding.evidence:
            _render_evidence(console, verdict)
        if finding.also:
            shown = ", ".join(finding.also[:6])
            more = f" and {len(finding.also) - 6} more" if len(finding.also) > 6 else ""
            _say(console, f"   Also allowed: {shown}{more}")
        _say(console, f"   Fix: {finding.fix}")
    if report.fix:
        console.print()
        where = f" ({report.stack_evidence})" if report.stack_evidence else ""
        _say(console, "Safe configuration" + where + ":", style="bold")
        from crossorigin.doctor.fixes import STACKS
        from crossorigin.doctor.render import code

        for stack, snippet in report.fix.items():
            _say(console, f"  {STACKS[stack].title}")
            code(console, snippet, _language(stack))
        if report.fix_note:
            _say(console, f"  {report.fix_note}")


def _language(stack: str) -> str:
    from crossorigin.doctor.fixes import STACKS, Requirement

    return STACKS[stack].build(Requirement(origins=("https://app.example.com",))).language


def _render_evidence(console: Console, verdict: ProbeVerdict) -> None:
    answer = verdict.answer
    request = answer.probe.request
    response = answer.response
    assert response is not None
    from crossorigin.doctor.audit import relevant_headers

    _say(console, f"   Evidence ({answer.probe.kind} probe {answer.probe.id}):")
    _say(console, f"     > {request.method} {request.url}")
    for name, value in answer.probe.shown_headers:
        if name.lower() in (
            "origin",
            "cookie",
            "access-control-request-method",
            "access-control-request-headers",
            "access-control-request-private-network",
        ):
            _say(console, f"     > {name}: {value}")
    _say(console, f"     < {response.status}")
    for name, value in relevant_headers(response):
        _say(console, f"     < {name}: {value}")
    line = _browser_line(verdict)
    if line is not None:
        _say(console, f"     Browser: {line}")


def _browser_line(verdict: ProbeVerdict) -> str | None:
    probe = verdict.answer.probe
    origin = probe.origin.value
    if probe.kind not in ("simple", "preflight", "error-path"):
        return None
    page = "a sandboxed page (origin null)" if origin == "null" else f"a page at {origin}"
    action = "send PUT with Authorization" if probe.kind == "preflight" else "read the response"
    if verdict.judged_by == "headers":
        page = f"a client sending Origin: {origin} (no browser does)"
    if verdict.reads_with_credentials:
        return f"{page} can {action} with the user's cookies"
    if verdict.reads:
        return f"{page} can {action} (without cookies)"
    blocked = f" ({verdict.error.value})" if verdict.error is not None else ""
    return f"{page} cannot {action}{blocked}"
