"""``crossorigin audit URL [URL...]``: find CORS security misconfigurations of live endpoints.

Every target gets every probe (attack origins as simple requests with and without a cookie,
and as preflights; an unknown method and header; Private Network Access; a missing path);
the findings come with their evidence, why they are exploitable and the fix for the detected
stack. Exit status: 0 nothing at or above ``--fail-on``, 1 findings, 2 usage or network
error (a target that could not be reached).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

from crossorigin.cli import EXIT_BLOCKED, EXIT_OK, EXIT_USAGE, UsageError
from crossorigin.commands.check import _check_cacert, _headers

if TYPE_CHECKING:
    from rich.console import Console

    from crossorigin.doctor.audit import ProbeVerdict, TargetReport

FAIL_ON = ("info", "low", "medium", "high")
_SEVERITY_STYLES = {"high": "bold red", "medium": "yellow", "low": "cyan", "info": "dim"}
_STATUS_TEXT = {
    "vulnerable": "vulnerable",
    "not-vulnerable": "not vulnerable",
    "no-cors": "no CORS headers at all",
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
    parser.add_argument(
        "--timeout",
        type=float,
        default=10.0,
        metavar="S",
        help="seconds to wait for each connection and answer (default 10)",
    )
    parser.add_argument(
        "-k", "--insecure", action="store_true", help="do not verify TLS certificates"
    )
    parser.add_argument(
        "--cacert",
        metavar="FILE",
        help="trust the CA certificates in this PEM file instead of the system's, as curl",
    )
    parser.add_argument(
        "--resolve",
        action="append",
        default=[],
        metavar="HOST:PORT:ADDRESS",
        help="connect to ADDRESS for HOST:PORT, keeping the URL, Host and TLS name "
        "(as curl; repeatable)",
    )
    parser.set_defaults(func=run)


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
    from crossorigin.doctor.audit import (
        AuditInputError,
        SendFailure,
        Target,
        severity_at_least,
    )
    from crossorigin.doctor.audit import run as audit
    from crossorigin.doctor.explain import known_stacks
    from crossorigin.doctor.probe import (
        ResolveError,
        classify,
        open_client,
        parse_resolve,
        send_request,
    )
    from crossorigin.engine import HttpRequest, HttpResponse

    if args.timeout <= 0:
        raise UsageError(f"--timeout {args.timeout:g} must be a positive number of seconds")
    if args.stack is not None and args.stack not in known_stacks():
        raise UsageError(
            f"--stack {args.stack!r} is not a known stack: choose one of "
            + ", ".join(known_stacks())
        )
    try:
        resolve = parse_resolve(args.resolve)
    except ResolveError as error:
        raise UsageError(str(error)) from None
    if args.cacert is not None:
        _check_cacert(args.cacert)
    headers = _headers(args.headers)
    targets = []
    for url in _read_urls(args.urls):
        try:
            targets.append(Target.parse(url, args.origin))
        except AuditInputError as error:
            raise UsageError(str(error)) from None

    import httpx

    reports: list[TargetReport] = []
    with open_client(
        timeout=args.timeout, insecure=args.insecure, cacert=args.cacert, resolve=resolve
    ) as client:

        def send(request: HttpRequest) -> tuple[HttpResponse, bytes]:
            try:
                exchange = send_request(client, request)
            except httpx.HTTPError as error:
                failure = classify(error, request.url)
                raise SendFailure(
                    f"{failure.title} ({failure.browser_error}): {failure.message}"
                ) from None
            assert exchange.response is not None
            return exchange.response, exchange.body_preview

        for target in targets:
            reports.append(
                audit(target, send, headers=headers, cookie=args.cookie, stack=args.stack)
            )

    if args.json:
        document = {
            "fail_on": args.fail_on,
            "targets": [report.as_json() for report in reports],
        }
        json.dump(document, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        from crossorigin.doctor.render import make_console

        _render(make_console(), reports)
    if any(report.status == "error" for report in reports):
        return EXIT_USAGE
    failing = any(
        severity_at_least(finding.severity, args.fail_on)
        for report in reports
        for finding in report.findings
    )
    return EXIT_BLOCKED if failing else EXIT_OK


# -- human output -------------------------------------------------------------------------


def _render(console: Console, reports: list[TargetReport]) -> None:
    from rich.table import Table
    from rich.text import Text

    table = Table(title="CORS audit", show_lines=False)
    table.add_column("Target")
    table.add_column("Severity")
    table.add_column("Code")
    table.add_column("Finding")
    for report in reports:
        if not report.findings:
            table.add_row(report.target.url, "", "", _STATUS_TEXT[report.status])
        for finding in report.findings:
            table.add_row(
                report.target.url,
                Text(finding.severity, style=_SEVERITY_STYLES[finding.severity]),
                finding.code,
                finding.title,
            )
    console.print(table)
    for report in reports:
        _render_report(console, report)


def _render_report(console: Console, report: TargetReport) -> None:
    from rich.rule import Rule
    from rich.text import Text

    from crossorigin.doctor.render import _code

    console.print(Rule(report.target.url))
    status = _STATUS_TEXT[report.status]
    console.print(
        f"{status}: {len(report.findings)} finding(s), "
        f"{report.probes_sent} of {report.probes_planned} probes sent"
    )
    if report.error is not None:
        console.print(Text(f"Not a CORS problem: {report.error}", style="red"))
        if report.probes_sent < report.probes_planned:
            console.print("The remaining probes were not sent: the endpoint cannot be reached.")
    for number, finding in enumerate(report.findings, 1):
        console.print()
        console.print(
            Text(f"{number}. [{finding.severity}] {finding.code}: ", style="bold")
            + Text(finding.title)
        )
        console.print(f"   Why: {finding.why}")
        for verdict in finding.evidence:
            _render_evidence(console, verdict)
        if finding.also:
            shown = ", ".join(finding.also[:6])
            more = f" and {len(finding.also) - 6} more" if len(finding.also) > 6 else ""
            console.print(f"   Also allowed: {shown}{more}")
        console.print(f"   Fix: {finding.fix}")
    if report.fix:
        console.print()
        where = f" ({report.stack_evidence})" if report.stack_evidence else ""
        console.print(Text("Safe configuration" + where + ":", style="bold"))
        from crossorigin.doctor.fixes import STACKS

        for stack, snippet in report.fix.items():
            console.print(f"  {STACKS[stack].title}")
            _code(console, snippet, _language(stack))
        if report.fix_note:
            console.print(f"  {report.fix_note}")


def _language(stack: str) -> str:
    from crossorigin.doctor.fixes import STACKS, Requirement

    return STACKS[stack].build(Requirement(origins=("https://app.example.com",))).language


def _render_evidence(console: Console, verdict: ProbeVerdict) -> None:
    answer = verdict.answer
    request = answer.probe.request
    response = answer.response
    assert response is not None
    from crossorigin.doctor.audit import relevant_headers

    console.print(f"   Evidence ({answer.probe.kind} probe {answer.probe.id}):")
    console.print(f"     > {request.method} {request.url}")
    for name, value in answer.probe.shown_headers:
        if name.lower() in (
            "origin",
            "cookie",
            "access-control-request-method",
            "access-control-request-headers",
            "access-control-request-private-network",
        ):
            console.print(f"     > {name}: {value}")
    console.print(f"     < {response.status}")
    for name, value in relevant_headers(response):
        console.print(f"     < {name}: {value}")
    line = _browser_line(verdict)
    if line is not None:
        console.print(f"     Browser: {line}")


def _browser_line(verdict: ProbeVerdict) -> str | None:
    probe = verdict.answer.probe
    origin = probe.origin.value
    if probe.kind not in ("simple", "preflight", "error-path"):
        return None
    page = "a sandboxed page (origin null)" if origin == "null" else f"a page at {origin}"
    action = "send PUT with Authorization" if probe.kind == "preflight" else "read the response"
    if verdict.reads_with_credentials:
        return f"{page} can {action} with the user's cookies"
    if verdict.reads:
        return f"{page} can {action} (without cookies)"
    blocked = f" ({verdict.error.value})" if verdict.error is not None else ""
    return f"{page} cannot {action}{blocked}"
