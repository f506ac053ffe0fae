"""``crossorigin audit``: the probes it plans, how it grades answers, and the exact findings
against real servers with known-bad and known-good CORS configurations."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from crossorigin.doctor.audit import (
    ATTACKER_SITE,
    Answer,
    AuditInputError,
    SendFailure,
    Target,
    assess,
    attack_origins,
    plan,
)
from crossorigin.doctor.audit import run as audit
from crossorigin.engine import FetchRequest, HttpResponse, run
from tests.doctor import audit_servers
from tests.doctor.audit_servers import API_HOST, FRONT_END
from tests.doctor.conftest import Run
from tests.doctor.loopback import Answer as Canned
from tests.doctor.loopback import LoopbackServer, closed_port, self_signed_context
from tests.fixes.servers import temporary_directory

ACAO = "Access-Control-Allow-Origin"
ACAC = "Access-Control-Allow-Credentials"
ACAH = "Access-Control-Allow-Headers"
TARGET = Target.parse("https://api.example.test/v1/me", FRONT_END)


# == the plan (sans-IO) ==================================================================


def _values(category: str, target: Target = TARGET) -> list[str]:
    return [a.value for a in attack_origins(target) if a.category == category]


def test_attack_origins_cover_every_class_from_both_registrable_domains() -> None:
    assert _values("legitimate") == [FRONT_END]
    assert _values("arbitrary") == [f"https://{ATTACKER_SITE}"]
    assert _values("null") == ["null"]
    assert f"https://app.example.test.{ATTACKER_SITE}" in _values("prefix")
    assert f"https://api.example.test.{ATTACKER_SITE}" in _values("prefix")
    assert f"https://example.test.{ATTACKER_SITE}" in _values("prefix")
    # Suffixes are registrable by the attacker: built on eTLD+1, not on the host.
    assert set(_values("suffix")) == {"https://evilexample.test", "https://evil-example.test"}
    assert set(_values("unescaped-dot")) == {"https://appxexample.test", "https://apixexample.test"}
    assert _values("subdomain") == ["https://crossorigin-audit.example.test"]
    assert set(_values("insecure")) == {"http://app.example.test", "http://api.example.test"}
    assert f"https://app.example.test`.{ATTACKER_SITE}" in _values("special-character")
    assert f"https://app.example.test%60.{ATTACKER_SITE}" in _values("encoded-character")
    assert "https://crossorigin-audit.github.io" in _values("third-party")


def test_no_insecure_origin_for_an_http_endpoint_and_none_from_an_ip() -> None:
    target = Target.parse("http://127.0.0.1:8000/data")
    assert _values("insecure", target) == []
    # An IP address has no registrable domain: no suffix, dot or subdomain variants.
    assert _values("suffix", target) == _values("subdomain", target) == []
    assert _values("prefix", target) == [
        f"http://127.0.0.1.{ATTACKER_SITE}",
        f"http://127.0.0.1{ATTACKER_SITE}",
    ]


def test_every_attack_origin_goes_as_simple_request_with_and_without_cookie_and_preflight() -> None:
    probes = plan(
        TARGET,
        headers=(("X-Api-Key", "k"), ("X-Session", "s3cret"), ("Accept", "application/json")),
        cookie="session=abc",
    )
    for attack in attack_origins(TARGET):
        mine = [p for p in probes if p.origin == attack and p.kind in ("simple", "preflight")]
        kinds = sorted((p.kind, p.credentials) for p in mine if p.kind in ("simple", "preflight"))
        assert kinds == [("preflight", False), ("simple", False), ("simple", True)]
        for probe in mine:
            request = probe.request
            assert request.header("Origin") == attack.value
            if probe.kind == "preflight":
                assert request.method == "OPTIONS"
                assert request.header("Access-Control-Request-Method") == "PUT"
                assert request.header("Access-Control-Request-Headers") == "authorization"
                assert request.header("Cookie") is None and request.header("X-Api-Key") is None
            else:
                assert request.method == "GET"
                assert request.header("X-Api-Key") == "k"
                expected = "session=abc" if probe.credentials else None
                assert request.header("Cookie") == expected
    # Reports never repeat the user's secrets; the placeholder cookie is no secret.
    shown = [dict(p.shown_headers) for p in probes if p.credentials]
    assert {h["Cookie"] for h in shown} == {"[redacted]"}
    assert dict(plan(TARGET)[1].shown_headers)["Cookie"] == "crossorigin_audit=1"
    assert {h["X-Api-Key"] for h in shown} == {h["X-Session"] for h in shown} == {"[redacted]"}
    assert {h["Accept"] for h in shown} == {"application/json"}  # known harmless: shown
    # The probe's own headers are no secret.
    engine_built = [dict(p.shown_headers) for p in probes if p.credentials and p.fetch]
    assert {h["Sec-Fetch-Mode"] for h in engine_built} == {"cors"}
    kinds = {p.kind for p in probes}
    assert {"unknown-method", "unknown-header", "private-network", "error-path"} <= kinds


def test_origins_no_browser_sends_are_sent_as_given_and_judged_on_headers() -> None:
    probes = plan(TARGET)
    encoded = [p for p in probes if p.origin.category == "encoded-character"]
    assert encoded and all(p.fetch is None for p in encoded)
    literal = [p for p in probes if p.origin.category == "special-character"]
    assert literal and all(p.fetch is not None for p in literal)


@pytest.mark.parametrize(
    ("url", "origin", "message"),
    [
        ("api.example.com/x", None, "'api.example.com/x' is not a URL"),
        ("ftp://api.example.com/x", None, "is not an http(s) URL"),
        ("https://api.example.com/x", "https://app.example.com/", "--origin"),
        ("https://api.example.com/x", "null", "is not a web page origin"),
        ("http://user:pw@api.example.com/x", None, "-H 'Authorization: Basic"),
    ],
)
def test_bad_targets_and_origins_are_named(url: str, origin: str | None, message: str) -> None:
    with pytest.raises(AuditInputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        Target.parse(url, origin)


# == grading (sans-IO, over answers as servers give them) ================================


def _answers(respond: Callable[[str | None, bool], tuple[tuple[str, str], ...]]) -> list[Answer]:
    """Answer every probe of TARGET with ``respond(origin, is_preflight)``'s headers."""
    answers = []
    for probe in plan(TARGET):
        origin = probe.request.header("Origin")
        headers = respond(origin, probe.request.is_preflight)
        answers.append(Answer(probe, HttpResponse(200, headers)))
    return answers


def _codes(answers: list[Answer]) -> dict[str, str]:
    return {f.code: f.severity for f in assess(TARGET, answers).findings}


def test_reflection_is_high_with_credentials_and_info_without() -> None:
    def with_credentials(origin: str | None, _: bool) -> tuple[tuple[str, str], ...]:
        return ((ACAO, origin or ""), (ACAC, "true"), ("Vary", "Origin"))

    def without(origin: str | None, _: bool) -> tuple[tuple[str, str], ...]:
        return ((ACAO, origin or ""), ("Vary", "Origin"))

    assert _codes(_answers(with_credentials)) == {
        "CORS-ORIGIN-REFLECTION": "high",
        "CORS-NULL-ORIGIN": "high",
    }
    # Without credentials a reflected origin exposes what '*' exposes: information, exit 0.
    report = assess(TARGET, _answers(without))
    assert {f.code: f.severity for f in report.findings} == {
        "CORS-ORIGIN-REFLECTION": "info",
        "CORS-NULL-ORIGIN": "info",
    }
    assert report.status == "not-vulnerable"


def test_credentials_count_only_for_exactly_true() -> None:
    # Browsers compare Access-Control-Allow-Credentials with "true" case-sensitively.
    def shouting(origin: str | None, _: bool) -> tuple[tuple[str, str], ...]:
        return ((ACAO, origin or ""), (ACAC, "TRUE"), ("Vary", "Origin"))

    assert _codes(_answers(shouting)) == {
        "CORS-ORIGIN-REFLECTION": "info",
        "CORS-NULL-ORIGIN": "info",
    }


def test_a_preflight_only_pass_is_not_a_read() -> None:
    # The preflight reflects any origin with credentials; GET answers only the front end.
    def respond(origin: str | None, preflight: bool) -> tuple[tuple[str, str], ...]:
        allow = ((ACAO, origin or ""), (ACAC, "true"), ("Vary", "Origin"))
        if preflight:
            return (*allow, ("Access-Control-Allow-Methods", "PUT"), (ACAH, "Authorization"))
        return allow if origin == FRONT_END else (("Vary", "Origin"),)

    report = assess(TARGET, _answers(respond))
    assert {f.code: f.severity for f in report.findings} == {
        "CORS-PREFLIGHT-ORIGIN-ALLOWED": "medium"
    }
    (finding,) = report.findings
    assert finding.credentials and "cannot read" in finding.why
    assert {v.answer.probe.kind for v in finding.evidence} == {"preflight"}


def test_look_alikes_of_a_host_with_a_port_are_sent_without_it() -> None:
    # The attacker serves evilexample.test on its own (default) port.
    target = Target.parse("https://api.example.test:8443/v1/me")
    assert "https://evilexample.test" in _values("suffix", target)
    assert "https://evilexample.test:8443" in _values("suffix", target)
    assert "https://crossorigin-audit.example.test" in _values("subdomain", target)
    answers = []
    for probe in plan(target):
        origin = probe.request.header("Origin") or ""
        allowed = urlsplit(origin).hostname or ""
        if allowed.endswith("example.test"):
            headers: tuple[tuple[str, str], ...] = ((ACAO, origin), (ACAC, "true"))
        else:
            headers = ()
        answers.append(Answer(probe, HttpResponse(200, (*headers, ("Vary", "Origin")))))
    found = {f.code: f.severity for f in assess(target, answers).findings}
    assert found["CORS-SUFFIX-MATCH"] == "high"


def test_trusted_local_development_origins() -> None:
    assert "http://localhost:5173" in _values("localhost")
    assert "http://127.0.0.1:3000" in _values("localhost")
    # A local API is meant for local front ends: no such probes.
    assert _values("localhost", Target.parse("http://localhost:8000/api")) == []
    dev = ("http://localhost:3000", FRONT_END)
    assert _codes(_allowing(lambda o: o in dev)) == {"CORS-LOCALHOST-ORIGIN": "medium"}


def test_ip_literal_hosts_get_no_host_variants() -> None:
    target = Target.parse("http://[::1]:8080/data")
    values = [a.value for a in attack_origins(target)]
    assert not any("[::1]" in value and value != "http://[::1]:8080" for value in values)


def test_findings_judged_on_headers_alone_are_information() -> None:
    # Pretend no browser could send the prefix origins: the header check alone cannot make
    # them more than information.
    answers = [
        Answer(
            replace(a.probe, fetch=None) if a.probe.origin.category == "prefix" else a.probe,
            a.response,
        )
        for a in _allowing(lambda o: o.startswith(FRONT_END))
    ]
    found = {f.code: f.severity for f in assess(TARGET, answers).findings}
    assert found["CORS-PREFIX-MATCH"] == "info"


def _allowing(check: Callable[[str], bool]) -> list[Answer]:
    """Answers of a server that allows, with credentials and Vary, the origins ``check``
    accepts."""

    def respond(origin: str | None, _: bool) -> tuple[tuple[str, str], ...]:
        if origin is not None and check(origin):
            return ((ACAO, origin), (ACAC, "true"), ("Vary", "Origin"))
        return (("Vary", "Origin"),)

    return _answers(respond)


def test_each_broken_origin_check_gets_its_own_code() -> None:
    # The classic mistakes, as servers write them (flask-cors/django-cors-headers re.match,
    # a regex with dots unescaped, an endswith on the site).
    assert _codes(_allowing(lambda o: re.match(r"https://app\.example\.test", o) is not None)) == {
        "CORS-PREFIX-MATCH": "high",
        "CORS-SPECIAL-CHARACTERS": "high",
    }
    assert _codes(
        _allowing(lambda o: re.fullmatch(r"https://app.example.test", o) is not None)
    ) == {"CORS-UNESCAPED-DOT": "high"}
    # appxexample.test ends with example.test too: listed under the suffix finding.
    endswith = assess(TARGET, _allowing(lambda o: o.endswith("example.test")))
    assert {f.code: f.severity for f in endswith.findings} == {
        "CORS-SUFFIX-MATCH": "high",
        "CORS-ANY-SUBDOMAIN": "medium",
        "CORS-INSECURE-ORIGIN": "medium",
    }
    suffix = next(f for f in endswith.findings if f.code == "CORS-SUFFIX-MATCH")
    assert "https://appxexample.test" in suffix.also
    assert _codes(_allowing(lambda o: o.endswith(".github.io") or o == FRONT_END)) == {
        "CORS-THIRD-PARTY-ORIGIN": "high"
    }
    # Only a value no browser sends gets through: information, judged on the headers.
    report = assess(TARGET, _allowing(lambda o: "%60" in o))
    assert {f.code: f.severity for f in report.findings} == {"CORS-ENCODED-ORIGIN-ACCEPTED": "info"}
    assert report.findings[0].evidence[0].judged_by == "headers"
    # An exact list: nothing at all.
    assert _codes(_allowing(lambda o: o == FRONT_END)) == {}


def test_insecure_origin_without_credentials_is_information() -> None:
    def respond(origin: str | None, _: bool) -> tuple[tuple[str, str], ...]:
        if origin in (FRONT_END, "http://app.example.test"):
            return ((ACAO, origin), ("Vary", "Origin"))
        return (("Vary", "Origin"),)

    assert _codes(_answers(respond)) == {"CORS-INSECURE-ORIGIN": "info"}


def test_wildcard_with_credentials_is_reported_but_not_as_readable() -> None:
    report = assess(TARGET, _answers(lambda origin, _: ((ACAO, "*"), (ACAC, "true"))))
    assert {f.code: f.severity for f in report.findings} == {"CORS-WILDCARD-CREDENTIALS": "low"}
    (evidence,) = report.findings[0].evidence
    assert not evidence.reads_with_credentials  # the engine refuses '*' with credentials
    assert report.findings[0].as_json()["credentials"] is False


def test_plain_wildcard_is_only_information() -> None:
    report = assess(TARGET, _answers(lambda origin, _: ((ACAO, "*"),)))
    assert {f.code: f.severity for f in report.findings} == {"CORS-WILDCARD": "info"}
    assert report.status == "not-vulnerable"


def test_two_allow_origin_lines_are_invalid() -> None:
    def twice(origin: str | None, _: bool) -> tuple[tuple[str, str], ...]:
        return ((ACAO, FRONT_END), (ACAO, FRONT_END), ("Vary", "Origin"))

    assert _codes(_answers(twice)) == {"CORS-INVALID-ALLOW-ORIGIN": "low"}


def test_private_network_for_any_origin() -> None:
    def pna(origin: str | None, preflight: bool) -> tuple[tuple[str, str], ...]:
        if origin == f"https://{ATTACKER_SITE}" and preflight:
            return ((ACAO, origin), ("Access-Control-Allow-Private-Network", "true"))
        return ()

    # Chromium 142+ never sends this preflight: an obsolete opt-in, information only.
    report = assess(TARGET, _answers(pna))
    finding = next(f for f in report.findings if f.code == "CORS-PRIVATE-NETWORK-ANY-ORIGIN")
    assert finding.severity == "info" and "Obsolete" in finding.title


def test_no_cors_headers_at_all() -> None:
    report = assess(TARGET, _answers(lambda origin, _: (("Content-Type", "text/plain"),)))
    assert report.findings == () and report.status == "no-cors"


def test_an_endpoint_that_redirects_every_probe_names_the_location() -> None:
    moved = (("Location", "/v2/me"), ("Content-Type", "text/plain"))
    answers = [Answer(p, HttpResponse(301, moved)) for p in plan(TARGET)]
    report = assess(TARGET, answers)
    assert (report.status, report.redirect) == ("redirect", "https://api.example.test/v2/me")


def _flaky(failing: set[int]) -> tuple[list[int], Callable[..., tuple[HttpResponse, bytes]]]:
    calls: list[int] = []

    def send(request: object) -> tuple[HttpResponse, bytes]:
        calls.append(len(calls) + 1)
        if len(calls) in failing:
            raise SendFailure("connection reset")
        return HttpResponse(200, (("Vary", "Origin"),)), b""

    return calls, send


def test_a_failed_probe_is_recorded_and_the_audit_goes_on() -> None:
    calls, send = _flaky({5, 54})
    report = audit(TARGET, send)
    assert len(calls) == report.probes_planned == report.probes_sent
    assert (report.probes_failed, report.status) == (2, "no-cors")
    assert report.error == "connection reset"


def test_the_audit_stops_when_the_first_probe_or_several_in_a_row_fail() -> None:
    calls, send = _flaky({1})
    assert (audit(TARGET, send).status, len(calls)) == ("error", 1)
    calls, send = _flaky({10, 11, 12})
    report = audit(TARGET, send)
    assert (report.status, len(calls), report.probes_failed) == ("error", 12, 3)


# == real servers ========================================================================

# Exact findings (code -> severity) per real server, all probed with --origin FRONT_END.
EXPECTED: dict[str, dict[str, str]] = {
    # cors({origin: true, credentials: true}): reflects every origin, null included, with
    # credentials; its default allowedHeaders echo the preflight's request headers.
    "express-reflect": {
        "CORS-ORIGIN-REFLECTION": "high",
        "CORS-NULL-ORIGIN": "high",
        "CORS-PREFLIGHT-PERMISSIVE": "low",
    },
    # allow_origins=["*"] + allow_credentials=True reflects every origin with credentials;
    # allow_headers=["*"] echoes the asked headers.
    "starlette-wildcard-credentials": {
        "CORS-ORIGIN-REFLECTION": "high",
        "CORS-NULL-ORIGIN": "high",
        "CORS-PREFLIGHT-PERMISSIVE": "low",
    },
    # r"https://.*\.example\.test" with re.match: prefix and special-character bypasses, any
    # subdomain; answers to refused origins carry no Vary; default allow_headers '*'.
    "flask-regex": {
        "CORS-PREFIX-MATCH": "high",
        "CORS-SPECIAL-CHARACTERS": "high",
        "CORS-ANY-SUBDOMAIN": "medium",
        "CORS-PREFLIGHT-PERMISSIVE": "low",
        "CORS-VARY-MISSING": "info",
    },
    # CORS_ALLOW_ALL_ORIGINS + CORS_ALLOW_CREDENTIALS: reflection with credentials; fixed
    # method and header lists, Vary: origin always.
    "django-allow-all": {"CORS-ORIGIN-REFLECTION": "high", "CORS-NULL-ORIGIN": "high"},
    # add_header ... $http_origin: reflection, no Vary, and add_header skips the 404.
    "nginx-reflect": {
        "CORS-ORIGIN-REFLECTION": "high",
        "CORS-NULL-ORIGIN": "high",
        "CORS-VARY-MISSING": "low",
        "CORS-ERROR-WITHOUT-CORS": "info",
    },
    # crossorigin's own middleware, exact origin, listed method and header: nothing.
    "crossorigin-strict": {},
}


def _audit(cli: Callable[..., Run], port: int, *args: str, host: str = API_HOST) -> Run:
    url = f"http://{host}:{port}/data"
    return cli("audit", url, "--origin", FRONT_END, "--resolve", f"{host}:{port}:127.0.0.1", *args)


@pytest.fixture(scope="module", params=audit_servers.SERVERS)
def real_server(request: pytest.FixtureRequest) -> Iterator[tuple[str, int]]:
    name: str = request.param
    missing = audit_servers.missing_tool(name)
    if missing is not None:
        pytest.skip(missing)
    with temporary_directory("audit-") as directory, audit_servers.start(name, directory) as port:
        yield name, port


@pytest.mark.server
def test_findings_per_real_server(real_server: tuple[str, int], cli: Callable[..., Run]) -> None:
    name, port = real_server
    result = _audit(cli, port, "--json")
    (target,) = result.data["targets"]
    found = {f["code"]: f["severity"] for f in target["findings"]}
    assert found == EXPECTED[name]
    assert target["probes_sent"] == target["probes_planned"]  # every probe, no early stop
    if any(severity != "info" for severity in found.values()):
        assert (result.code, target["status"]) == (1, "vulnerable")
        assert FRONT_END in "".join(target["fix"].values())  # the safe config names it
    else:
        assert (result.code, target["status"]) == (0, "not-vulnerable")
    for finding in target["findings"]:
        if finding["severity"] == "high":
            _confirm_with_engine(finding)


def _confirm_with_engine(finding: dict[str, object]) -> None:
    """A browser at the attack origin, credentials: 'include', reads the recorded answer."""
    evidence = finding["evidence"]
    assert isinstance(evidence, list)
    simple = next(e for e in evidence if e["probe"]["kind"] == "simple")
    probe, response = simple["probe"], simple["response"]
    recorded = HttpResponse(response["status"], tuple(tuple(h) for h in response["headers"]))
    result = run(
        FetchRequest(
            page_origin=probe["origin"],
            url=probe["request"]["url"],
            credentials="include",
            client_address_space="public",
            resource_address_space="public",
            check_mixed_content=False,  # as the audit judges: CORS alone
        ),
        respond=lambda request: recorded,
    )
    assert result.outcome == "allowed", (finding["code"], result.error)
    assert probe["cookie"] is True


@pytest.mark.server
@pytest.mark.parametrize("real_server", ["django-allow-all"], indirect=True)
def test_fail_on_threshold_and_human_output(
    real_server: tuple[str, int], cli: Callable[..., Run]
) -> None:
    _, port = real_server
    human = _audit(cli, port)
    only_high = _audit(cli, port, "--json", "--fail-on", "high")
    assert human.code == 1
    assert "CORS-ORIGIN-REFLECTION" in human.out and "CORS-NULL-ORIGIN" in human.out
    assert f"Origin: https://{ATTACKER_SITE}" in human.out
    assert "CORS_ALLOWED_ORIGINS" in human.out  # django-cors-headers' safe setting
    assert only_high.code == 1


@pytest.mark.server
def test_https_endpoint_trusting_its_http_front_end(
    tmp_path: Path, cli: Callable[..., Run]
) -> None:
    server = LoopbackServer(tls=self_signed_context(API_HOST, str(tmp_path)))
    allow = ((ACAO, "http://app.example.test"), (ACAC, "true"), ("Vary", "Origin"))
    server.route("/data", preflight=Canned(204, allow), response=Canned(200, allow, b"{}"))
    try:
        url = f"https://{API_HOST}:{server.port}/data"
        resolve = f"{API_HOST}:{server.port}:127.0.0.1"
        common = ("--origin", FRONT_END, "--resolve", resolve, "--json")
        result = cli("audit", url, *common, "--cacert", str(tmp_path / "cert.pem"))
        low_only = cli("audit", url, *common, "-k", "--fail-on", "high")
    finally:
        server.close()
    (target,) = result.data["targets"]
    assert {f["code"]: f["severity"] for f in target["findings"]} == {
        "CORS-INSECURE-ORIGIN": "medium"
    }
    assert target["findings"][0]["evidence"][0]["probe"]["origin"] == "http://app.example.test"
    assert (result.code, low_only.code) == (1, 0)


@pytest.mark.server
def test_no_cors_not_vulnerable_and_error_are_told_apart(
    cli: Callable[..., Run], monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = LoopbackServer()
    plain.route("/data", response=Canned(200, (("Content-Type", "text/plain"),), b"hi"))
    dead = closed_port()
    try:
        urls = f"http://127.0.0.1:{plain.port}/data\n# a comment\n\nhttp://127.0.0.1:{dead}/x\n"
        monkeypatch.setattr("sys.stdin", io.StringIO(urls))
        result = cli("audit", "-", "--json", "--timeout", "5")
    finally:
        plain.close()
    assert result.code == 2
    first, second = result.data["targets"]
    assert (first["status"], first["findings"], first["error"]) == ("no-cors", [], None)
    assert second["status"] == "error"
    assert "connection refused" in second["error"]
    assert second["probes_sent"] == 1 < second["probes_planned"]
    json.dumps(result.data)  # round-trips


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("audit", "api.example.com"), "'api.example.com' is not a URL"),
        (("audit", "https://a.example", "--origin", "https://app.example/"), "--origin"),
        (("audit", "https://a.example", "--timeout", "0"), "--timeout 0"),
        (("audit", "https://a.example", "--resolve", "nope"), "--resolve 'nope'"),
        (("audit", "https://a.example", "-H", "NoColon"), "-H 'NoColon'"),
        (("audit", "https://a.example", "--stack", "cobol"), "--stack 'cobol'"),
        (("audit", "https://a.example", "--cacert", "/nonexistent.pem"), "no such file"),
    ],
)
def test_usage_errors_are_one_line(
    cli: Callable[..., Run], args: tuple[str, ...], message: str
) -> None:
    result = cli(*args)
    assert result.code == 2
    assert result.out == ""
    assert result.err.count("\n") == 1 and message in result.err
    assert "Traceback" not in result.err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("-H", "X-Test: €"), "-H 'X-Test: €' has characters HTTP headers cannot carry"),
        (("-b", "sess=€"), "-b 'sess=€' has characters"),
        (("-H", "X Test: 1"), "-H 'X Test: 1': 'X Test' is not a header name"),
        (("--timeout", "nan"), "--timeout nan must be a finite positive number"),
        (("--timeout", "inf"), "--timeout inf must be a finite positive number"),
        (("-H", "Origin: https://x.example"), "the audit sets Origin itself"),
        (("-H", "Access-Control-Request-Method: PUT"), "sets Access-Control-Request-Method"),
        (("-H", "Sec-Fetch-Mode: cors"), "sets Sec-Fetch-Mode itself"),
        (("-H", "Cookie: a=b"), "give cookies with -b 'a=b'"),
    ],
)
def test_values_that_would_crash_or_clash_are_usage_errors(
    cli: Callable[..., Run], args: tuple[str, ...], message: str
) -> None:
    result = cli("audit", "http://127.0.0.1:9/data", *args)
    assert (result.code, result.out) == (2, "")
    assert result.err.count("\n") == 1 and message in result.err


def test_json_usage_errors_still_print_one_object(cli: Callable[..., Run]) -> None:
    result = cli("audit", "http://127.0.0.1:9/data", "--timeout", "0", "--json")
    assert result.code == 2 and "--timeout 0" in result.err
    assert result.data == {"fail_on": "low", "error": result.err[13:].strip(), "targets": []}


@pytest.mark.server
def test_latin1_header_and_cookie_values_go_out_as_latin1_bytes(cli: Callable[..., Run]) -> None:
    server = LoopbackServer()
    server.route("/data", response=Canned(200, (("Content-Type", "text/plain"),)))
    try:
        url = f"http://127.0.0.1:{server.port}/data"
        result = cli("audit", url, "-H", "X-Test: ü", "-b", "sess=ü", "--json")
    finally:
        server.close()
    assert result.code == 0, result.err
    simple = [r for r in server.received if r.method == "GET"]
    assert {r.header("X-Test") for r in simple} == {"ü"}
    assert "sess=ü" in {r.header("Cookie") for r in simple}
    # Neither value is repeated in the report.
    assert "ü" not in result.out


@pytest.mark.server
def test_server_strings_are_printed_as_text_not_markup(cli: Callable[..., Run]) -> None:
    server = LoopbackServer()
    odd = ((ACAO, "*"), (ACAC, "true"), ("Vary", "[/oops]"), ("X-Note", "[bold]x"))
    server.route("/data", preflight=Canned(204, odd), response=Canned(200, odd, b"{}"))
    try:
        result = cli("audit", f"http://127.0.0.1:{server.port}/data?filter[status]=open")
    finally:
        server.close()
    assert result.code == 1, result.err
    assert "Vary: [/oops]" in result.out
    assert "?filter[status]=open" in result.out


@pytest.mark.server
def test_a_bad_url_in_a_list_gets_an_error_entry(
    cli: Callable[..., Run], monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = LoopbackServer()
    plain.route("/data", response=Canned(200, (("Content-Type", "text/plain"),), b"hi"))
    try:
        urls = f"ftp://nope.example/x\nhttp://127.0.0.1:{plain.port}/data\n"
        monkeypatch.setattr("sys.stdin", io.StringIO(urls))
        result = cli("audit", "-", "--json")
    finally:
        plain.close()
    first, second = result.data["targets"]
    assert (first["status"], first["url"]) == ("error", "ftp://nope.example/x")
    assert "not an http(s) URL" in first["error"]
    assert second["status"] == "no-cors"
    assert result.code == 2


def test_a_host_the_idna_rules_refuse_is_an_error_entry(cli: Callable[..., Run]) -> None:
    # Refused while building the request: nothing is resolved or sent.
    result = cli("audit", "http://xn--a.test/", "--resolve", "xn--a.test:80:127.0.0.1", "--json")
    (target,) = result.data["targets"]
    assert (result.code, target["status"], target["probes_sent"]) == (2, "error", 1)
    assert "invalid URL" in target["error"]


@pytest.mark.server
def test_a_redirecting_endpoint_names_the_location(cli: Callable[..., Run]) -> None:
    server = LoopbackServer()
    moved = (("Location", "/v2/data"),)
    server.route("/data", preflight=Canned(301, moved), response=Canned(301, moved))
    try:
        url = f"http://127.0.0.1:{server.port}/data"
        result = cli("audit", url, "--json")
        human = cli("audit", url)
    finally:
        server.close()
    (target,) = result.data["targets"]
    location = f"http://127.0.0.1:{server.port}/v2/data"
    assert (result.code, target["status"], target["redirect"]) == (2, "redirect", location)
    assert f"redirected to {location}" in human.out


@pytest.mark.server
def test_output_piped_to_head_ends_quietly() -> None:
    server = LoopbackServer()
    allow = ((ACAO, "*"), (ACAC, "true"), ("Vary", "Origin"))
    server.route("/data", preflight=Canned(204, allow), response=Canned(200, allow))
    url = f"http://127.0.0.1:{server.port}/data"
    command = [sys.executable, "-m", "crossorigin.cli", "audit", *[url] * 40, "--json"]
    try:
        audit_run = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert audit_run.stdout is not None and audit_run.stderr is not None
        audit_run.stdout.read(10)  # `| head -c 10`: read a little, then go away
        audit_run.stdout.close()
        err = audit_run.stderr.read().decode()
        audit_run.wait(60)
    finally:
        server.close()
    assert err == ""
    assert audit_run.returncode == 141  # 128 + SIGPIPE, as a shell reports it
