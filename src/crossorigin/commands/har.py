"""``crossorigin har FILE|-``: diagnose the CORS failures recorded in a browser's HAR export.

The browser's HAR keeps the headers but not the reason a request was blocked; the engine
decides again on the recorded messages (:mod:`crossorigin.doctor.har`) and the doctor
explains each failure as ``check`` does: the trace, the verdict, Chromium's console line,
the cause and the fix for the server's stack. Exit status: 0 nothing blocked by CORS, 1 a
request was blocked by CORS, 2 the input is unreadable or not a HAR.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import IO, TYPE_CHECKING, Any, TextIO, cast

from crossorigin.cli import EXIT_BLOCKED, EXIT_OK, EXIT_USAGE, UsageError

if TYPE_CHECKING:
    from rich.console import Console

    from crossorigin.doctor.har import HarAnalysis, RequestDiagnosis


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "har",
        help="find the CORS failures in a browser's HAR export and explain each",
        description="Read a HAR file (the browser's Network panel: 'Save all as HAR'), find "
        "the requests pages sent to other origins, decide again what the browser decided on "
        "the recorded headers, and show, for each blocked one, the trace, the verdict, "
        "Chromium's console message, the cause and the fix.",
        epilog="exit status: 0 nothing blocked by CORS, 1 a request was blocked by CORS, "
        "2 unreadable input (not JSON, not a HAR)",
    )
    parser.add_argument("file", metavar="FILE", help="the HAR file, or - for standard input")
    parser.add_argument(
        "--origin", help="only requests made by pages of this origin (e.g. https://app.example.com)"
    )
    parser.add_argument(
        "--all", action="store_true", help="show the allowed cross-origin requests too"
    )
    parser.add_argument("--stack", help="the server's stack, for the fix (default: detected)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of the trace")
    parser.set_defaults(func=run)


def _read(path: str) -> object:
    """The parsed JSON of FILE or standard input; UsageError naming what is wrong."""
    name = "standard input" if path == "-" else repr(path)
    try:
        if path == "-":
            raw = sys.stdin.buffer.read()
        else:
            with open(path, "rb") as file:
                raw = file.read()
    except FileNotFoundError:
        raise UsageError(f"{path!r}: no such file; give the .har file the browser saved") from None
    except IsADirectoryError:
        raise UsageError(f"{path!r} is a directory; give the .har file the browser saved") from None
    except OSError as error:
        raise UsageError(f"{name}: cannot read it ({error.strerror or error})") from None
    if not raw.strip():
        raise UsageError(
            f"{name} is empty: save the HAR from the browser's Network panel ('Save all as HAR')"
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UsageError(
            f"{name} is not UTF-8 text (byte {error.start}): a HAR is a JSON text file"
        ) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise UsageError(
            f"{name} is not JSON ({error.msg} at line {error.lineno} column {error.colno}): "
            "a HAR is the JSON file the browser's Network panel saves ('Save all as HAR')"
        ) from None
    except RecursionError:
        raise UsageError(
            f"{name} nests JSON arrays or objects too deeply to read: a HAR is a few levels "
            "deep (log, entries, request, headers)"
        ) from None


def _validate(args: argparse.Namespace) -> str | None:
    from crossorigin.doctor.explain import known_stacks
    from crossorigin.origin import OriginError, parse_origin

    if args.stack is not None and args.stack not in known_stacks():
        raise UsageError(
            f"--stack {args.stack!r} is not a known stack: choose one of "
            + ", ".join(known_stacks())
        )
    if args.origin is None:
        return None
    try:
        return parse_origin(args.origin.rstrip("/")).serialize()
    except OriginError as error:
        raise UsageError(
            f"--origin {args.origin!r} is not an origin ({error}): write e.g. "
            "--origin https://app.example.com"
        ) from None


def run(args: argparse.Namespace) -> int:
    from crossorigin.doctor.har import HarError, analyse_har

    try:
        origin = _validate(args)
        data = _read(args.file)
        analysis = analyse_har(data, origin=origin, stack=args.stack)
    except (UsageError, HarError) as error:
        if args.json:
            _write(_dumps(_error_json(args.file, str(error))))
        print(f"crossorigin har: {error}", file=sys.stderr)
        return EXIT_USAGE
    blocked = any(r.blocked for r in analysis.requests)
    status = EXIT_BLOCKED if blocked else EXIT_OK
    if args.json:
        _write(_dumps(har_json(args.file, analysis)))
    else:
        try:
            render_har(_terminal(), args.file, analysis, show_all=args.all)
        except BrokenPipeError:
            _silence_stdout()
    return status


def _terminal() -> Console:
    """rich's console on stdout, escaping what stdout cannot encode; a closed pipe raises
    BrokenPipeError (rich would exit with status 1, which means "blocked" here)."""
    from rich.console import Console

    class _PipeConsole(Console):
        def on_broken_pipe(self) -> None:
            self.quiet = True
            raise BrokenPipeError

    stream = cast("IO[str]", _Replacing(sys.stdout))
    return _PipeConsole(file=stream, highlight=False, soft_wrap=False)


def _dumps(document: dict[str, object]) -> str:
    """The whole document, built before anything is written (a failure leaves no half
    document); ASCII escapes keep a lone surrogate from the HAR (\\ud800) writable."""
    return json.dumps(document, indent=2, ensure_ascii=True) + "\n"


def _silence_stdout() -> None:
    """The reader went away (``| head``): point stdout at /dev/null so the interpreter's
    final flush does not fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _write(text: str) -> None:
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()


class _Replacing:
    """sys.stdout for rich, writing what the terminal's encoding cannot hold (a lone
    surrogate in a HAR, any non-ASCII on an ASCII terminal) as backslash escapes."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    @property
    def encoding(self) -> str:
        return getattr(self._stream, "encoding", None) or "utf-8"

    def write(self, text: str) -> int:
        encoding = self.encoding
        self._stream.write(text.encode(encoding, "backslashreplace").decode(encoding))
        return len(text)

    def flush(self) -> None:
        self._stream.flush()

    def isatty(self) -> bool:
        return self._stream.isatty()

    def fileno(self) -> int:
        return self._stream.fileno()


# -- JSON ------------------------------------------------------------------------------------


def _error_json(path: str, problem: str) -> dict[str, object]:
    return {
        "input": path,
        "error": problem,
        "creator": None,
        "entries": 0,
        "cross_origin": 0,
        "blocked": 0,
        "not_replayable": 0,
        "notes": [],
        "other_page_origins": [],
        "requests": [],
    }


def _verdict(item: RequestDiagnosis) -> str:
    result = item.result
    verdict = item.verdict
    if verdict == "blocked":
        return result.error_name or "blocked"
    if verdict == "not-replayable":
        return "could not be replayed (TypeError)"
    if verdict == "unknown":
        return "preflight passed; request not in the HAR"
    if verdict == "network-error":
        return f"{result.network_error or 'network error'} (not CORS)"
    return verdict


def request_json(item: RequestDiagnosis) -> dict[str, object]:
    """One request: ``check --json``'s keys, plus what the HAR said and left open."""
    from crossorigin.doctor.har import NOT_IN_HAR
    from crossorigin.doctor.render import check_json

    request = item.request
    recorded_entry = request.last if request.hops else request.preflights[-1]
    document: dict[str, object] = {
        "entries": request.indexes,
        "started": (request.first if request.hops else request.preflights[0]).started_text,
        "page_origin_from": request.origin_source,
        "recorded": {
            "outcome": item.recorded,
            "status": recorded_entry.status,
            "error": recorded_entry.error,
        },
        "agrees_with_recording": item.agrees,
        "credentials": {
            "mode": item.fetch.credentials,
            "inferred": item.credentials_inferred,
            "evidence": item.credentials_evidence,
        },
        "caveats": list(item.caveats),
        "verdict": item.verdict,
        **check_json(item.report, item.diagnosis),
    }
    if item.incomplete:
        # The replay stopped after the preflight: no outcome, no console line to invent.
        document.update(outcome="unknown", console=None, console_by_browser={})
        document["explanation"] = {
            "summary": NOT_IN_HAR,
            "cause": None,
            "fix": None,
            "notes": [],
        }
    return document


def har_json(path: str, analysis: HarAnalysis) -> dict[str, object]:
    """``har --json``: stable keys, documented in docs/doctor.md."""
    return {
        "input": path,
        "error": None,
        "creator": analysis.log.creator or None,
        "entries": len(analysis.log.entries),
        "cross_origin": len(analysis.requests),
        "blocked": sum(1 for r in analysis.requests if r.blocked),
        "not_replayable": sum(1 for r in analysis.requests if r.verdict == "not-replayable"),
        "notes": [*analysis.notes, *analysis.skipped],
        "other_page_origins": list(analysis.other_origins),
        "requests": [request_json(item) for item in analysis.requests],
    }


# -- terminal --------------------------------------------------------------------------------


def _block(
    console: Console, number: int, item: RequestDiagnosis, fixes_shown: dict[object, int]
) -> None:
    from rich.rule import Rule
    from rich.text import Text

    from crossorigin.doctor.har import NOT_IN_HAR
    from crossorigin.doctor.render import page_call, render_explanation, render_fixes, trace

    result = item.result
    diagnosis = item.diagnosis
    request = item.request
    entries = ", ".join(str(i) for i in request.indexes)
    title = f"#{number} · {item.fetch.method} {item.fetch.url}  (HAR entries {entries})"
    console.print(Rule(Text(title, style="bold"), align="left"))
    console.print(
        Text.assemble(
            ("The page at ", "dim"), (item.fetch.page_origin, "bold"), (" ran (rebuilt):", "dim")
        )
    )
    for line in page_call(item.fetch).splitlines():
        console.print(Text("  " + line))
    console.print()
    # The same trace as `check`: each recorded exchange, then the checks made on it.
    for part in trace(item.report):
        console.print(part)
    console.print()
    recorded = {
        "blocked": "the browser blocked it (net::ERR_FAILED)",
        "allowed": "the browser let the page read it",
        "failed": "the browser recorded a network error",
        "unknown": "the HAR does not say what the browser did",
    }[item.recorded]
    agrees = {True: "agrees", False: "DISAGREES", None: "cannot compare"}[item.agrees]
    verdict = item.verdict
    if verdict == "unknown":
        console.print(Text.assemble(("? UNKNOWN", "bold yellow"), "  ", NOT_IN_HAR))
    elif verdict == "allowed":
        console.print(Text.assemble(("✔ ALLOWED", "bold green"), f"  ({recorded}: {agrees})"))
    elif verdict == "blocked":
        console.print(
            Text.assemble(
                ("✘ BLOCKED", "bold red"), f"  {result.error_name}  ({recorded}: {agrees})"
            )
        )
    elif verdict == "not-replayable":
        console.print(
            Text.assemble(
                ("✘ COULD NOT BE REPLAYED", "bold yellow"),
                f"  fetch() would throw a TypeError on the rebuilt call: {result.type_error}",
            )
        )
        console.print(
            Text(
                "Not a CORS verdict: the HAR's method or header names are not what a page's "
                "fetch() accepts (edited or synthetic HAR?)."
            )
        )
    else:
        console.print(
            Text.assemble(("✘ NETWORK ERROR", "bold red"), f"  {result.network_error or ''}")
        )
        console.print(Text(diagnosis.summary))
    render_explanation(
        console,
        diagnosis,
        browser="Chromium",
        show_console=verdict == "blocked",
        show_cause=verdict in ("blocked", "network-error"),
        extra=[
            Text.assemble(("HAR: ", "yellow"), caveat)
            for caveat in item.caveats
            if caveat != NOT_IN_HAR  # already the verdict line
        ],
    )
    fixes = diagnosis.fixes
    # The same server fix for many requests (one misconfigured API) is printed once.
    key = (
        fixes.problem,
        tuple(
            (fix.title, tuple(part.text for part in fix.parts))
            for fix in (*fixes.fixes, *fixes.proxy)
        ),
    )
    if (fixes.fixes or fixes.proxy) and key in fixes_shown:
        console.print(Text(f"Server fix: the same as for #{fixes_shown[key]} above.", style="dim"))
    elif fixes.fixes or fixes.proxy or fixes.problem:
        fixes_shown[key] = number
        console.print()
        if fixes.shown_because:
            console.print(Text(f"Server fix ({fixes.shown_because}):", style="dim"))
        render_fixes(console, fixes)
    console.print()


def render_har(console: Console, path: str, analysis: HarAnalysis, *, show_all: bool) -> None:
    from rich.table import Table
    from rich.text import Text

    name = "standard input" if path == "-" else path
    log = analysis.log
    requests = analysis.requests
    shown = 0
    fixes_shown: dict[object, int] = {}
    for number, item in enumerate(requests, 1):
        if show_all or item.result.outcome != "allowed":
            _block(console, number, item, fixes_shown)
            shown += 1
    blocked = sum(1 for r in requests if r.blocked)
    not_replayable = sum(1 for r in requests if r.verdict == "not-replayable")
    console.print(
        Text(
            f"crossorigin har: {name}: {len(log.entries)} "
            + ("entry" if len(log.entries) == 1 else "entries")
            + (f" from {log.creator}" if log.creator else "")
            + f", {len(requests)} cross-origin request{'s' if len(requests) != 1 else ''}, "
            f"{blocked} blocked by CORS"
            + (f", {not_replayable} could not be replayed" if not_replayable else ""),
            style="bold",
        )
    )
    if requests:
        origins = sorted({item.fetch.page_origin for item in requests})
        # One page origin (the usual case) is said once, not on every row.
        if len(origins) == 1:
            console.print(Text(f"Page origin: {origins[0]}", style="dim"))
        table = Table()
        table.add_column("#", no_wrap=True)
        table.add_column("entries", overflow="fold")
        table.add_column("request", overflow="fold", min_width=20)
        if len(origins) > 1:
            table.add_column("page origin", overflow="fold")
        table.add_column("the browser says", overflow="fold")
        table.add_column("recorded", overflow="fold")
        for number, item in enumerate(requests, 1):
            verdict = _verdict(item)
            style = {"allowed": "green", "blocked": "red"}.get(item.verdict, "yellow")
            agrees = {True: "", False: " (disagrees!)", None: ""}[item.agrees]
            # Every cell is a Text: a HAR's URLs hold brackets (?filter[status]=open) that
            # rich would read as markup in a str.
            cells: list[Text] = [
                Text(str(number)),
                Text(", ".join(str(i) for i in item.request.indexes)),
                Text(f"{item.fetch.method} {item.fetch.url}"),
            ]
            if len(origins) > 1:
                cells.append(Text(item.fetch.page_origin))
            cells += [Text(verdict, style=style), Text(item.recorded + agrees)]
            table.add_row(*cells)
        console.print(table)
    elif analysis.other_origins:
        console.print(
            Text(
                "No cross-origin requests from that origin; the HAR has some from pages at "
                + ", ".join(analysis.other_origins)
                + " (--origin chooses one)."
            )
        )
    else:
        console.print(
            Text(
                "No cross-origin requests: no entry carries an Origin header for another "
                "origin, and there is no preflight. Nothing here is subject to CORS."
                if analysis.log.entries
                else "The HAR has no entries: record again with the Network panel open.",
            )
        )
    for note in (*analysis.notes, *analysis.skipped):
        console.print(Text.assemble(("Note: ", "dim"), note))
    hidden = len(requests) - shown
    if hidden:
        console.print(Text(f"{hidden} allowed request(s) not shown in full: --all shows them."))
