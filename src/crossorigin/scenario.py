"""The scenario format (``shared/scenarios/FORMAT.md``): one fetch() plus the server's answers.

:func:`simulate` runs one scenario through the engine and returns exactly the keys of the
format's ``expect`` block; :func:`load_scenarios` reads a JSON document of one scenario or
a list of them. Malformed input raises :class:`ScenarioError`, whose message names the
field, the bad value and what is expected.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, cast

import ada_url

from crossorigin.engine import FetchRequest, HttpRequest, HttpResponse, run
from crossorigin.engine.fetch import EngineInputError
from crossorigin.engine.model import CREDENTIALS, MODES, Credentials, Header, Mode

__all__ = ["RESULT_KEYS", "ScenarioError", "load_scenarios", "scenario_request", "simulate"]

RESULT_KEYS = (
    "preflight_sent",
    "preflight_request_headers",
    "actual_request_sent",
    "outcome",
    "error",
    "console",
    "readable_headers",
    "status_visible",
)
_DEFAULT_ANSWER = HttpResponse(200, ())


class ScenarioError(ValueError):
    """A scenario that does not follow the format; the message says where and how."""


def _fail(where: str, message: str) -> ScenarioError:
    return ScenarioError(f"{where}: {message}")


def _string(value: object, where: str, *, optional: bool = False) -> str | None:
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise _fail(where, f"expected a string, got {json.dumps(value)}")
    return value


def _headers(value: object, where: str) -> tuple[Header, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise _fail(where, f'expected a list of ["Name", "value"] pairs, got {json.dumps(value)}')
    pairs: list[Header] = []
    for index, pair in enumerate(value):
        if (
            not isinstance(pair, list | tuple)
            or len(pair) != 2
            or not all(isinstance(part, str) for part in pair)
        ):
            raise _fail(
                f"{where}[{index}]",
                f'expected a ["Name", "value"] pair of strings, got {json.dumps(pair)}',
            )
        pairs.append((pair[0], pair[1]))
    return tuple(pairs)


def _answer(value: object, where: str) -> HttpResponse:
    if value is None:
        return _DEFAULT_ANSWER
    if not isinstance(value, Mapping):
        raise _fail(where, f'expected {{"status": N, "headers": [...]}}, got {json.dumps(value)}')
    status = value.get("status", 200)
    if not isinstance(status, int) or isinstance(status, bool) or not 100 <= status <= 999:
        raise _fail(f"{where}.status", f"expected an HTTP status 100-999, got {json.dumps(status)}")
    # The server sends each value's UTF-8 bytes; the engine reads header bytes as Latin-1
    # characters, as Chromium's HTTP stack does (its messages escape each byte).
    headers = tuple(
        (name, text.encode("utf-8").decode("latin-1"))
        for name, text in _headers(value.get("headers"), f"{where}.headers")
    )
    return HttpResponse(status, headers)


def _url_key(url: str, where: str, base: str | None = None) -> str:
    """A URL without user info and fragment, the way redirect targets are matched."""
    try:
        parsed = ada_url.URL(url, base=base) if base else ada_url.URL(url)
    except ValueError:
        raise _fail(where, f"{url!r} is not a valid absolute URL") from None
    if parsed.username or parsed.password:
        parsed.username = ""
        parsed.password = ""
    parsed.hash = ""
    return parsed.href


def scenario_request(scenario: Mapping[str, Any], where: str = "scenario") -> FetchRequest:
    """The FetchRequest a scenario describes."""
    page_origin = _string(scenario.get("page_origin"), f"{where}.page_origin")
    assert page_origin is not None
    request = scenario.get("request")
    if not isinstance(request, Mapping):
        raise _fail(f"{where}.request", f"expected an object, got {json.dumps(request)}")
    url = _string(request.get("url"), f"{where}.request.url")
    assert url is not None
    method = _string(request.get("method", "GET"), f"{where}.request.method")
    mode = request.get("mode", "cors")
    if mode not in MODES:
        raise _fail(f"{where}.request.mode", f"expected one of {', '.join(MODES)}, got {mode!r}")
    credentials = request.get("credentials", "same-origin")
    if credentials not in CREDENTIALS:
        raise _fail(
            f"{where}.request.credentials",
            f"expected one of {', '.join(CREDENTIALS)}, got {credentials!r}",
        )
    body = _string(request.get("body"), f"{where}.request.body", optional=True)
    return FetchRequest(
        page_origin=page_origin,
        url=url,
        method=method if method is not None else "GET",
        headers=_headers(request.get("headers"), f"{where}.request.headers"),
        mode=cast(Mode, mode),
        credentials=cast(Credentials, credentials),
        body=body,
    )


class _ScenarioServer:
    """Answers the engine's requests from a scenario's ``server`` block."""

    def __init__(self, scenario: Mapping[str, Any], base: str | None, where: str) -> None:
        server = scenario.get("server") or {}
        if not isinstance(server, Mapping):
            raise _fail(f"{where}.server", f"expected an object, got {json.dumps(server)}")
        request = scenario["request"]
        try:
            self.initial = _url_key(request["url"], f"{where}.request.url", base)
        except ScenarioError:
            self.initial = request["url"]  # fetch() itself rejects it: a TypeError result
        self.answers: dict[str, tuple[HttpResponse, HttpResponse]] = {
            self.initial: (
                _answer(server.get("preflight"), f"{where}.server.preflight"),
                _answer(server.get("response"), f"{where}.server.response"),
            )
        }
        redirects = server.get("redirects") or {}
        if not isinstance(redirects, Mapping):
            raise _fail(f"{where}.server.redirects", "expected an object keyed by URL")
        for url, entry in redirects.items():
            at = f"{where}.server.redirects[{url!r}]"
            if not isinstance(entry, Mapping):
                raise _fail(at, f"expected an object, got {json.dumps(entry)}")
            key = _url_key(url, at)
            if key == self.initial:
                continue  # the request's own URL keeps the top-level answers
            self.answers[key] = (
                _answer(entry.get("preflight"), f"{at}.preflight"),
                _answer(entry.get("response"), f"{at}.response"),
            )

    def respond(self, request: HttpRequest) -> HttpResponse:
        preflight, response = self.answers.get(
            _url_key(request.url, "request"), (_DEFAULT_ANSWER, _DEFAULT_ANSWER)
        )
        return preflight if request.is_preflight else response


def simulate(scenario: Mapping[str, Any], *, where: str = "scenario") -> dict[str, object]:
    """Run one scenario as Chromium would; the result has exactly the ``expect`` keys."""
    if not isinstance(scenario, Mapping):
        raise _fail(where, f"expected a scenario object, got {json.dumps(scenario)[:80]}")
    request = scenario_request(scenario, where)
    base = None if request.page_origin == "null" else request.page_origin + "/"
    server = _ScenarioServer(scenario, base, where)
    try:
        result = run(request, server.respond)
    except EngineInputError as error:
        raise _fail(where, str(error)) from None
    return result.as_scenario_result()


def load_scenarios(text: str, source: str = "input") -> list[dict[str, Any]]:
    """Parse a JSON document holding one scenario or a list of scenarios."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ScenarioError(
            f"{source}: not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})"
        ) from None
    if isinstance(document, dict):
        return [document]
    if isinstance(document, list) and all(isinstance(item, dict) for item in document):
        return document
    raise ScenarioError(f"{source}: expected a scenario object or a list of them")
