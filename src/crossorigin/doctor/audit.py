"""``crossorigin audit``'s core: CORS security misconfigurations of a live endpoint.

Sans-IO. :func:`plan` turns a target URL (and the legitimate front-end origin, when known)
into probes: requests carrying attack origins - any origin, ``null``, the target's and the
front end's registrable domain used as a prefix or suffix, a dot turned into a letter,
special characters (literal and percent-encoded), an arbitrary subdomain, the http downgrade
of an https origin, shared hosting platforms - each sent as a simple GET with and without a
Cookie, and as the preflight a browser sends for ``PUT`` with ``Authorization``. A few more
probes ask for an unknown method and header, for Private Network Access, and for a path that
does not exist. :func:`assess` reads the answers the way a browser would (the engine decides,
for a page at each attack origin, with ``credentials: "omit"`` and ``"include"``, whether
script reads the response) and classifies what it finds under stable codes, graded by
whether credentials come along (``Access-Control-Allow-Credentials: true``).

:func:`run` drives a plan through any ``send`` function (the CLI passes the httpx prober of
:mod:`crossorigin.doctor.probe`), runs every probe, and stops only when the network fails.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urljoin, urlsplit

from crossorigin.doctor.explain import Need, fixes_for, known_stacks
from crossorigin.doctor.stacks import COMMON_STACKS, detect_stacks
from crossorigin.engine import EngineInputError, Fetch, FetchRequest, HttpRequest, HttpResponse
from crossorigin.errors import CorsError
from crossorigin.headers import parse_header_list
from crossorigin.origin import Origin, OriginError, origin_of_url, parse_origin, registrable_domain

__all__ = [
    "ATTACKER_SITE",
    "SEVERITIES",
    "Answer",
    "AttackOrigin",
    "AuditInputError",
    "Finding",
    "Probe",
    "ProbeVerdict",
    "SendFailure",
    "Target",
    "TargetReport",
    "assess",
    "attack_origins",
    "judge",
    "plan",
    "relevant_headers",
    "run",
    "severity_at_least",
]

Severity = Literal["info", "low", "medium", "high"]
SEVERITIES: tuple[Severity, ...] = ("info", "low", "medium", "high")
ProbeKind = Literal[
    "simple", "preflight", "unknown-method", "unknown-header", "private-network", "error-path"
]
Status = Literal["vulnerable", "not-vulnerable", "no-cors", "redirect", "error"]
# Consecutive network failures after which the rest of a target's probes are not sent.
MAX_CONSECUTIVE_FAILURES = 3

# A registrable domain no target owns: the "attacker's" site.
ATTACKER_SITE = "evil-crossorigin.com"
# Sites where anyone can publish a page (CORScanner's list, updated): trusting them trusts
# every user of the platform.
THIRD_PARTY_ORIGINS = (
    "https://crossorigin-audit.github.io",
    "https://codepen.io",
    "https://jsfiddle.net",
    "https://crossorigin-audit.vercel.app",
)
# Development servers' origins (create-react-app, Vite, Django/webpack, Angular...) that
# production configurations keep trusting: any program on the user's machine serving one of
# these ports reads the API as the user.
LOCAL_DEVELOPMENT_ORIGINS = (
    "http://localhost",
    "http://localhost:3000",
    "http://localhost:4200",
    "http://localhost:5173",
    "http://localhost:8000",
    "http://localhost:8080",
    "http://127.0.0.1:3000",
    "http://127.0.0.1:8080",
)
# Characters the WHATWG URL parser lets into a host (so some browser can send them in an
# Origin) that loose regexes and prefix checks let past the expected host (PortSwigger,
# Corben Leo's "Advanced CORS Techniques").
SPECIAL_CHARACTERS = "_`{}~!$&'()*+,;="
# Sent percent-encoded too: no browser does, but a server that decodes or substring-matches
# the header accepts them.
ENCODED_CHARACTERS = {"`": "%60", "{": "%7B", "}": "%7D", "!": "%21", "$": "%24"}
# The preflight every attack origin sends: a method and a header that always need permission.
PREFLIGHT_METHOD = "PUT"
PREFLIGHT_HEADER = "Authorization"
# Names nobody configures: echoed back, they show the server allows whatever is asked.
UNKNOWN_METHOD = "CROSSORIGIN-AUDIT"
UNKNOWN_HEADER = "x-crossorigin-audit"
PLACEHOLDER_COOKIE = "crossorigin_audit=1"
ERROR_PATH_SEGMENT = "crossorigin-audit-not-found"
PLACEHOLDER_ORIGIN = "https://app.example.com"
# -H values shown in reports; every other one (Authorization, X-Api-Key, X-Auth-Token, a
# custom session header...) may be a secret and is redacted.
_HARMLESS_HEADERS = frozenset(
    {
        "accept",
        "accept-language",
        "accept-encoding",
        "content-language",
        "content-type",
        "cache-control",
        "pragma",
        "dnt",
        "user-agent",
        "x-requested-with",
    }
)
_REDACTED = "[redacted]"


class AuditInputError(ValueError):
    """A target URL or origin the audit cannot use; the message names it and the fix."""


def _credentials_allowed(value: str | None) -> bool:
    """Access-Control-Allow-Credentials as browsers read it: exactly ``true`` (Fetch's CORS
    check is case-sensitive; the header value arrives without surrounding whitespace)."""
    return value is not None and value.strip() == "true"


def severity_at_least(severity: str, threshold: str) -> bool:
    """``severity`` is ``threshold`` or worse (names of :data:`SEVERITIES`)."""
    order: tuple[str, ...] = SEVERITIES
    return order.index(severity) >= order.index(threshold)


# == the target and its attack origins ==================================================


@dataclass(frozen=True, slots=True)
class Target:
    """What is audited: the URL, its origin, and the front end's origin when given."""

    url: str
    origin: Origin
    legitimate: Origin | None = None

    @classmethod
    def parse(cls, url: str, legitimate: str | None = None) -> Target:
        try:
            origin = origin_of_url(url)
        except (OriginError, ValueError):
            raise AuditInputError(
                f"{url!r} is not a URL: give an absolute http(s) URL, e.g. "
                "https://api.example.com/v1/me"
            ) from None
        if origin.is_opaque or origin.scheme not in ("http", "https"):
            raise AuditInputError(
                f"{url!r} is not an http(s) URL: CORS applies to http:// and https:// "
                "endpoints, e.g. https://api.example.com/v1/me"
            )
        if "@" in urlsplit(url).netloc:
            # Credentials in the URL would be echoed in every report; fetch() refuses them.
            raise AuditInputError(
                "a URL with a user name or password is refused (it would be shown in the "
                "report): give the credentials as a header, e.g. "
                "-H 'Authorization: Basic <base64 of user:password>'"
            )
        parsed_legitimate: Origin | None = None
        if legitimate is not None:
            try:
                parsed_legitimate = parse_origin(legitimate)
            except OriginError as error:
                raise AuditInputError(f"--origin {error}") from None
            if parsed_legitimate.is_opaque or parsed_legitimate.scheme not in ("http", "https"):
                raise AuditInputError(
                    f"--origin {legitimate!r} is not a web page origin: give the front end's "
                    "origin, e.g. --origin https://app.example.com"
                )
        return cls(url, origin, parsed_legitimate)


@dataclass(frozen=True, slots=True)
class AttackOrigin:
    """An ``Origin`` value to try, the class of mistake it tests, and how it was made.

    ``category``: ``arbitrary``, ``null``, ``prefix``, ``suffix``, ``unescaped-dot``,
    ``special-character``, ``encoded-character``, ``subdomain``, ``insecure``,
    ``third-party``, ``localhost`` - or ``legitimate`` / ``self`` for the baselines (never
    findings).
    """

    value: str
    category: str
    note: str


def _with_port(scheme: str, host: str, port: int | None) -> str:
    return f"{scheme}://{host}" + (f":{port}" if port is not None else "")


def _is_local_host(host: str) -> bool:
    return (
        host in ("localhost", "[::1]")
        or host.endswith(".localhost")
        or (host.startswith("127.") and host.replace(".", "").isdigit())
    )


def _attacker_ports(port: int | None) -> tuple[int | None, ...]:
    """Ports for look-alikes of the API's host: the attacker picks its own, usually the
    default one, so an origin check that ignores the port is caught without it; with the
    API's port too, for checks that compare it."""
    return (None,) if port is None else (None, port)


def _host_variants(base: Origin, scheme: str) -> list[AttackOrigin]:
    host, port = base.host, base.port
    site = registrable_domain(host)
    found: list[AttackOrigin] = [
        AttackOrigin(
            f"{scheme}://{host}.{ATTACKER_SITE}",
            "prefix",
            f"{host} used as a prefix of the attacker's domain",
        )
    ]
    if site is not None and site != host:
        found.append(
            AttackOrigin(
                f"{scheme}://{site}.{ATTACKER_SITE}",
                "prefix",
                f"{site} used as a prefix of the attacker's domain",
            )
        )
    found.append(
        AttackOrigin(
            f"{scheme}://{host}{ATTACKER_SITE}",
            "prefix",
            f"{host} glued to the attacker's domain (a startswith check)",
        )
    )
    if site is not None:
        for glue in ("evil", "evil-"):
            for attacker_port in _attacker_ports(port):
                found.append(
                    AttackOrigin(
                        _with_port(scheme, glue + site, attacker_port),
                        "suffix",
                        f"a registrable domain ending in {site} (an endswith check)",
                    )
                )
        # Each dot before the registrable domain's suffix, made a letter: a regex with an
        # unescaped '.' matches an origin the attacker can register.
        suffix_start = len(host) - len(site) + site.find(".")
        for index, char in enumerate(host):
            if char == "." and index < suffix_start:
                for attacker_port in _attacker_ports(port):
                    found.append(
                        AttackOrigin(
                            _with_port(
                                scheme, f"{host[:index]}x{host[index + 1 :]}", attacker_port
                            ),
                            "unescaped-dot",
                            f"the dot after {host[:index]!r} replaced (a regex with '.' unescaped)",
                        )
                    )
        for attacker_port in _attacker_ports(port):
            found.append(
                AttackOrigin(
                    _with_port(scheme, f"crossorigin-audit.{site}", attacker_port),
                    "subdomain",
                    f"an arbitrary subdomain of {site}",
                )
            )
    for char in SPECIAL_CHARACTERS:
        found.append(
            AttackOrigin(
                f"{scheme}://{host}{char}.{ATTACKER_SITE}",
                "special-character",
                f"{host} followed by {char!r} and the attacker's domain",
            )
        )
    for char, encoded in ENCODED_CHARACTERS.items():
        found.append(
            AttackOrigin(
                f"{scheme}://{host}{encoded}.{ATTACKER_SITE}",
                "encoded-character",
                f"{host} followed by {char!r} percent-encoded ({encoded})",
            )
        )
    if scheme == "https":
        found.append(
            AttackOrigin(
                _with_port("http", host, port if port not in (None, 443) else None),
                "insecure",
                f"the http:// (unencrypted) origin of {host}",
            )
        )
    return found


def attack_origins(target: Target) -> tuple[AttackOrigin, ...]:
    """Every origin the audit tries, baselines first, without duplicates."""
    found: list[AttackOrigin] = []
    if target.legitimate is not None:
        found.append(
            AttackOrigin(target.legitimate.serialize(), "legitimate", "the front end's origin")
        )
    found.append(AttackOrigin(target.origin.serialize(), "self", "the endpoint's own origin"))
    found.append(AttackOrigin(f"https://{ATTACKER_SITE}", "arbitrary", "an unrelated site"))
    found.append(
        AttackOrigin("null", "null", "the opaque origin (sandboxed iframes, data: URLs, files)")
    )
    bases = [target.origin]
    if target.legitimate is not None and target.legitimate.host != target.origin.host:
        bases.insert(0, target.legitimate)
    for base in bases:
        # An IPv6 literal glued to another name ("[::1].evil...") is no host a browser can
        # put in an Origin: such variants would only test the header check.
        if not base.host.startswith("["):
            found.extend(_host_variants(base, base.scheme))
    # A local API is meant for local front ends: only a remote one must not trust them.
    if not _is_local_host(target.origin.host):
        for value in LOCAL_DEVELOPMENT_ORIGINS:
            found.append(AttackOrigin(value, "localhost", "a local development server's origin"))
    for value in THIRD_PARTY_ORIGINS:
        found.append(AttackOrigin(value, "third-party", "a site where anyone can publish pages"))
    unique: dict[str, AttackOrigin] = {}
    for attack in found:
        unique.setdefault(attack.value, attack)
    # An insecure variant of an https target that is only an http target's own origin is no
    # downgrade: drop insecure origins when the endpoint itself is http.
    return tuple(
        attack
        for attack in unique.values()
        if not (attack.category == "insecure" and target.origin.scheme != "https")
    )


# == probes =============================================================================


@dataclass(frozen=True, slots=True)
class Probe:
    """One request of the audit: what it tests and exactly what goes on the wire."""

    id: str
    kind: ProbeKind
    origin: AttackOrigin
    credentials: bool
    request: HttpRequest
    # The page's fetch() this request stands for, when a browser can make it (the engine
    # then judges the answer); None for Origin values no browser sends.
    fetch: FetchRequest | None
    # Lower-case names of the user's headers (-H, -b) whose values reports hide.
    secret: frozenset[str] = frozenset()

    @property
    def shown_headers(self) -> tuple[tuple[str, str], ...]:
        """The request headers for reports: the user's secrets (``-b`` cookies, ``-H``
        credentials) replaced, so that a report pasted in a ticket or a CI log leaks none."""
        return tuple(
            (name, _REDACTED) if name.lower() in self.secret else (name, value)
            for name, value in self.request.headers
        )

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "kind": self.kind,
            "origin": self.origin.value,
            "category": self.origin.category,
            "cookie": self.credentials,
            "request": {
                "method": self.request.method,
                "url": self.request.url,
                "headers": [list(pair) for pair in self.shown_headers],
            },
        }


def _page_fetch(origin: str, url: str, *, preflight: bool, credentials: bool) -> FetchRequest:
    # Both address spaces named alike: the audit judges CORS, not where the server sits
    # (Local Network Access would otherwise block a public page calling 127.0.0.1), nor mixed
    # content (an attacker serves its page over http to call an http:// API).
    return FetchRequest(
        page_origin=origin,
        url=url,
        method=PREFLIGHT_METHOD if preflight else "GET",
        headers=((PREFLIGHT_HEADER, "Bearer crossorigin-audit"),) if preflight else (),
        credentials="include" if credentials else "omit",
        client_address_space="public",
        resource_address_space="public",
        check_mixed_content=False,
    )


def _first_request(fetch_request: FetchRequest) -> HttpRequest | None:
    """What the browser puts on the wire first for this fetch(), or None if it cannot."""
    try:
        return Fetch(fetch_request).next_request()
    except EngineInputError:
        return None


def _manual_request(origin: str, url: str, *, preflight: bool) -> HttpRequest:
    headers: tuple[tuple[str, str], ...] = (("Origin", origin),)
    if preflight:
        headers += (
            ("Access-Control-Request-Method", PREFLIGHT_METHOD),
            ("Access-Control-Request-Headers", PREFLIGHT_HEADER.lower()),
        )
    return HttpRequest("OPTIONS" if preflight else "GET", url, headers, is_preflight=preflight)


def _error_url(url: str) -> str:
    base = url.split("#", 1)[0].split("?", 1)[0]
    return f"{base.rstrip('/')}/{ERROR_PATH_SEGMENT}"


def plan(
    target: Target,
    *,
    headers: Sequence[tuple[str, str]] = (),
    cookie: str | None = None,
) -> tuple[Probe, ...]:
    """Every request of the audit, in the order sent.

    ``headers`` (``-H``) go on the simple requests, as a page would set them; ``cookie``
    replaces the placeholder cookie of the credentialed simple requests. Preflights carry
    neither: browsers send neither on a preflight.
    """
    probes: list[Probe] = []
    cookie_value = cookie or PLACEHOLDER_COOKIE
    extra = tuple(headers)
    # Every -H value may be a secret (X-Auth-Token, a session header...) but the harmless ones.
    secret = frozenset(
        {name.lower() for name, _ in extra if name.lower() not in _HARMLESS_HEADERS}
        | ({"cookie"} if cookie else set())
    )

    def simple(attack: AttackOrigin, url: str, kind: ProbeKind, credentials: bool) -> None:
        page = _page_fetch(attack.value, url, preflight=False, credentials=credentials)
        wire = _first_request(page)
        fetch: FetchRequest | None = page
        if wire is None or wire.header("Origin") != attack.value:
            wire, fetch = _manual_request(attack.value, url, preflight=False), None
        wire_headers = wire.headers + extra
        if credentials:
            wire_headers += (("Cookie", cookie_value),)
        request = HttpRequest(wire.method, url, wire_headers, with_credentials=credentials)
        number = len(probes) + 1
        probes.append(Probe(f"p{number}", kind, attack, credentials, request, fetch, secret))

    def preflight(attack: AttackOrigin) -> None:
        page = _page_fetch(attack.value, target.url, preflight=True, credentials=False)
        wire = _first_request(page)
        fetch: FetchRequest | None = page
        if wire is None or not wire.is_preflight or wire.header("Origin") != attack.value:
            wire, fetch = _manual_request(attack.value, target.url, preflight=True), None
        number = len(probes) + 1
        probes.append(Probe(f"p{number}", "preflight", attack, False, wire, fetch))

    origins = attack_origins(target)
    for attack in origins:
        simple(attack, target.url, "simple", False)
        simple(attack, target.url, "simple", True)
        preflight(attack)

    arbitrary = next(a for a in origins if a.category == "arbitrary")
    trusted = next((a for a in origins if a.category == "legitimate"), arbitrary)
    # Asked separately: servers that refuse an unknown method never get to the headers.
    for kind, method, asked in (
        ("unknown-method", UNKNOWN_METHOD, ()),
        ("unknown-header", "GET", (("Access-Control-Request-Headers", UNKNOWN_HEADER),)),
    ):
        unknown = HttpRequest(
            "OPTIONS",
            target.url,
            (("Origin", trusted.value), ("Access-Control-Request-Method", method), *asked),
            is_preflight=True,
        )
        probe_kind: ProbeKind = "unknown-method" if kind == "unknown-method" else "unknown-header"
        probes.append(Probe(f"p{len(probes) + 1}", probe_kind, trusted, False, unknown, None))
    private = HttpRequest(
        "OPTIONS",
        target.url,
        (
            ("Origin", arbitrary.value),
            ("Access-Control-Request-Method", "GET"),
            ("Access-Control-Request-Private-Network", "true"),
        ),
        is_preflight=True,
    )
    probes.append(Probe(f"p{len(probes) + 1}", "private-network", arbitrary, False, private, None))
    simple(trusted, _error_url(target.url), "error-path", False)
    return tuple(probes)


# == judging the answers ================================================================


@dataclass(frozen=True, slots=True)
class Answer:
    """A probe and what came back: a response, or the network failure that stopped it."""

    probe: Probe
    response: HttpResponse | None
    failure: str | None = None
    body: bytes = b""  # the start of the body, to tell the server's stack


@dataclass(frozen=True, slots=True)
class ProbeVerdict:
    """What a browser at the probe's origin would make of the answer.

    ``reads`` / ``reads_with_credentials``: script at that origin reads the response with
    ``credentials: "omit"`` / ``"include"`` (for a preflight: the browser goes on to send
    ``PUT`` with ``Authorization``). ``error`` is the engine's CorsError when it blocks.
    ``judged_by`` is ``engine``, or ``headers`` for Origin values no browser sends.
    """

    answer: Answer
    acao: str | None
    acac: str | None
    reads: bool
    reads_with_credentials: bool
    error: CorsError | None
    judged_by: Literal["engine", "headers"]

    @property
    def echoed(self) -> bool:
        """The server named this very origin (not ``*``) in Access-Control-Allow-Origin."""
        return self.acao is not None and self.acao.strip() == self.answer.probe.origin.value

    @property
    def allows(self) -> bool:
        """A page at this origin reads the answer because the server named its origin."""
        return self.echoed and (self.reads or self.reads_with_credentials)


def _engine_reads(
    fetch_request: FetchRequest, response: HttpResponse
) -> tuple[bool, CorsError | None]:
    """Does the engine let the page read ``response`` (or, for a preflight, send the request)?"""
    fetch = Fetch(fetch_request)
    first = fetch.next_request()
    if first is None:
        return False, fetch.result.error
    fetch.receive(response)
    following = fetch.next_request()
    if following is not None:
        # Another request means the answer passed: the actual request after a preflight,
        # or the next hop of a redirect whose CORS check passed.
        return True, None
    result = fetch.result
    return result.outcome == "allowed", result.error


def _header_reads(origin: str, response: HttpResponse, *, credentials: bool) -> bool:
    acao = response.header("Access-Control-Allow-Origin")
    if acao is None:
        return False
    acao = acao.strip()
    if credentials:
        return acao == origin and response.header("Access-Control-Allow-Credentials") == "true"
    return acao in (origin, "*")


def judge(answer: Answer) -> ProbeVerdict | None:
    """The browser's view of one answer (None when no response came back)."""
    response = answer.response
    if response is None:
        return None
    probe = answer.probe
    acao = response.header("Access-Control-Allow-Origin")
    acac = response.header("Access-Control-Allow-Credentials")
    if probe.fetch is None:
        origin = probe.origin.value
        return ProbeVerdict(
            answer,
            acao,
            acac,
            _header_reads(origin, response, credentials=False),
            _header_reads(origin, response, credentials=True),
            None,
            "headers",
        )
    if probe.kind == "preflight":
        # Browsers send the same preflight whatever the credentials mode; the answer is
        # judged for both.
        plain = probe.fetch
        credentialed = _page_fetch(plain.page_origin, plain.url, preflight=True, credentials=True)
        reads, error = _engine_reads(plain, response)
        reads_credentialed, error_credentialed = _engine_reads(credentialed, response)
        return ProbeVerdict(
            answer, acao, acac, reads, reads_credentialed, error or error_credentialed, "engine"
        )
    reads, error = _engine_reads(probe.fetch, response)
    if probe.credentials:
        return ProbeVerdict(answer, acao, acac, False, reads, error, "engine")
    return ProbeVerdict(answer, acao, acac, reads, False, error, "engine")


# == findings ===========================================================================


@dataclass(frozen=True, slots=True)
class Finding:
    """One misconfiguration: stable ``code``, ``severity``, the evidence, why and the fix."""

    code: str
    severity: Severity
    title: str
    why: str
    fix: str
    evidence: tuple[ProbeVerdict, ...]
    credentials: bool = False
    also: tuple[str, ...] = ()

    def as_json(self) -> dict[str, object]:
        return {
            "code": self.code,
            "severity": self.severity,
            "title": self.title,
            "why": self.why,
            "fix": self.fix,
            "credentials": self.credentials,
            "evidence": [_evidence_json(verdict) for verdict in self.evidence],
            "also_allowed": list(self.also),
        }


_SHOWN_RESPONSE_HEADERS = ("access-control-", "vary")


def relevant_headers(response: HttpResponse) -> tuple[tuple[str, str], ...]:
    return tuple(
        (name, value)
        for name, value in response.headers
        if name.lower().startswith(_SHOWN_RESPONSE_HEADERS)
    )


def _evidence_json(verdict: ProbeVerdict) -> dict[str, object]:
    response = verdict.answer.response
    assert response is not None
    return {
        "probe": verdict.answer.probe.as_json(),
        "response": {
            "status": response.status,
            "headers": [list(pair) for pair in relevant_headers(response)],
        },
        "browser": {
            "reads": verdict.reads,
            "reads_with_credentials": verdict.reads_with_credentials,
            "error": verdict.error.value if verdict.error is not None else None,
            "judged_by": verdict.judged_by,
        },
    }


@dataclass(frozen=True, slots=True)
class _OriginClass:
    code: str
    title: str
    with_credentials: Severity
    without: Severity
    why: str
    fix: str


_EXACT_FIX = (
    "Compare the Origin header with an exact list of your front ends' origins (a set lookup, "
    "no regex, no startswith/endswith) and answer other origins without CORS headers."
)
_ORIGIN_CLASSES: dict[str, _OriginClass] = {
    "arbitrary": _OriginClass(
        "CORS-ORIGIN-REFLECTION",
        "Any origin is allowed (the Origin header is reflected)",
        "high",
        "info",
        "Any website the user visits can read this endpoint's responses{creds}.",
        _EXACT_FIX,
    ),
    "null": _OriginClass(
        "CORS-NULL-ORIGIN",
        "The 'null' origin is allowed",
        "high",
        "info",
        "Any website can send Origin: null from a sandboxed iframe and read the responses{creds}.",
        "Never allow 'null': it is shared by sandboxed iframes, data: URLs and local files. "
        + _EXACT_FIX,
    ),
    "prefix": _OriginClass(
        "CORS-PREFIX-MATCH",
        "Origins that merely start with a trusted host are allowed",
        "high",
        "info",
        "An attacker registers a domain such as {example} and reads the responses{creds}.",
        "Anchor the origin check at both ends (fullmatch, not match/startswith). " + _EXACT_FIX,
    ),
    "suffix": _OriginClass(
        "CORS-SUFFIX-MATCH",
        "Origins that merely end with a trusted domain are allowed",
        "high",
        "info",
        "An attacker registers a domain such as {example} and reads the responses{creds}.",
        "Match whole host names: an endswith('example.com') check also accepts "
        "evilexample.com. " + _EXACT_FIX,
    ),
    "unescaped-dot": _OriginClass(
        "CORS-UNESCAPED-DOT",
        "A regex with an unescaped '.' allows look-alike domains",
        "high",
        "info",
        "An attacker registers {example}, which the regex matches, and reads the responses{creds}.",
        "Escape dots in origin regexes (re.escape), or better: " + _EXACT_FIX,
    ),
    "special-character": _OriginClass(
        "CORS-SPECIAL-CHARACTERS",
        "Origins with special characters after a trusted host are allowed",
        "high",
        "info",
        "Browsers that accept such host names send {example} from an attacker's domain, and "
        "the page reads the responses{creds}.",
        "Anchor the origin check at both ends and compare whole origins. " + _EXACT_FIX,
    ),
    "third-party": _OriginClass(
        "CORS-THIRD-PARTY-ORIGIN",
        "An origin on a shared hosting platform is allowed",
        "high",
        "info",
        "Anyone can publish a page on {example}'s platform and read the responses{creds}.",
        "Do not trust origins on platforms where anyone can publish (github.io, codepen.io, "
        "jsfiddle.net, vercel.app). " + _EXACT_FIX,
    ),
    "subdomain": _OriginClass(
        "CORS-ANY-SUBDOMAIN",
        "Any subdomain of the site is allowed",
        "medium",
        "info",
        "Script injected into any subdomain (an XSS, a dangling DNS record taken over) such as "
        "{example} reads the responses{creds}.",
        "List the subdomains that host your front ends instead of a wildcard. " + _EXACT_FIX,
    ),
    "localhost": _OriginClass(
        "CORS-LOCALHOST-ORIGIN",
        "A local development origin is trusted",
        "medium",
        "info",
        "Any program on the user's machine that serves {example} (a dev server, a malicious "
        "package, another user's service) reads the responses{creds}.",
        "Trust localhost origins only in development configurations, never in production. "
        + _EXACT_FIX,
    ),
    "insecure": _OriginClass(
        "CORS-INSECURE-ORIGIN",
        "An http:// origin is trusted by an https endpoint",
        "medium",
        "info",
        "A network attacker (public Wi-Fi) injects script into the unencrypted page {example} "
        "and reads the responses{creds}.",
        "Allow only https:// origins on an https endpoint (http://localhost for development "
        "at most).",
    ),
}
# Classes another one already explains, shown as "also allowed" under it: reflection allows
# every origin; an endswith(site) check allows every dot-replaced host (they end with it).
_SUBSUMES: dict[str, tuple[str, ...]] = {
    "arbitrary": (
        "prefix",
        "suffix",
        "unescaped-dot",
        "special-character",
        "third-party",
        "subdomain",
        "insecure",
        "localhost",
    ),
    "suffix": ("unescaped-dot",),
}


def _best(verdicts: Iterable[ProbeVerdict]) -> list[ProbeVerdict]:
    """Credentialed reads first, then preflights passed, then the rest."""
    return sorted(
        verdicts,
        key=lambda v: (
            not v.reads_with_credentials,
            v.answer.probe.kind != "simple",
            v.answer.probe.id,
        ),
    )


def _origin_findings(verdicts: Sequence[ProbeVerdict]) -> list[Finding]:
    # Read findings rest on simple requests the page reads; a preflight that passes for an
    # origin whose reads are refused is its own, lesser finding (_preflight_only).
    allowed: dict[str, list[ProbeVerdict]] = {}
    passed_preflight: dict[str, list[ProbeVerdict]] = {}
    for verdict in verdicts:
        probe = verdict.answer.probe
        if probe.kind == "simple" and verdict.allows:
            allowed.setdefault(probe.origin.category, []).append(verdict)
        elif probe.kind == "preflight" and verdict.allows:
            passed_preflight.setdefault(probe.origin.category, []).append(verdict)
    for category, preflights in passed_preflight.items():
        if category in allowed:
            allowed[category].extend(preflights)
    findings: list[Finding] = []
    reflection = "arbitrary" in allowed
    explained = {
        subsumed
        for category, subsumes in _SUBSUMES.items()
        if category in allowed
        for subsumed in subsumes
    }
    for category, spec in _ORIGIN_CLASSES.items():
        hits = allowed.get(category)
        if not hits or category in explained:
            continue
        also = [v for c in _SUBSUMES.get(category, ()) for v in allowed.get(c, [])]
        findings.append(_origin_finding(spec, hits, also))
    encoded = allowed.get("encoded-character")
    if encoded and not reflection and "special-character" not in allowed:
        findings.append(
            Finding(
                "CORS-ENCODED-ORIGIN-ACCEPTED",
                "info",
                "A percent-encoded Origin after a trusted host is allowed",
                "No browser sends a percent-encoded Origin, but accepting one shows the check "
                "does not compare whole origins.",
                _EXACT_FIX,
                tuple(_best(encoded)[:2]),
            )
        )
    preflight_only = [
        verdict
        for category, preflights in passed_preflight.items()
        if category in _ORIGIN_CLASSES and category not in allowed
        for verdict in preflights
    ]
    if preflight_only:
        findings.append(_preflight_only(preflight_only))
    return findings


def _preflight_only(passed: list[ProbeVerdict]) -> Finding:
    ordered = _best(passed)
    credentials = any(v.reads_with_credentials for v in ordered)
    origins = list(dict.fromkeys(v.answer.probe.origin.value for v in ordered))
    browser_only = all(v.judged_by == "headers" for v in ordered)
    severity: Severity = "medium" if credentials and not browser_only else "info"
    return Finding(
        "CORS-PREFLIGHT-ORIGIN-ALLOWED",
        severity,
        "Preflights from untrusted origins pass, but their responses are not readable",
        f"A page at {origins[0]} may send {PREFLIGHT_METHOD} with {PREFLIGHT_HEADER}"
        + (
            " and the user's cookies: state-changing credentialed requests (cross-site "
            "request forgery) go through"
            if credentials
            else " without cookies"
        )
        + ", though the simple requests' answers refuse that origin, so it cannot read "
        "the responses.",
        "Answer preflights with the same exact origin check as the other responses. " + _EXACT_FIX,
        tuple(ordered[:1]),
        credentials,
        tuple(origins[1:]),
    )


def _origin_finding(
    spec: _OriginClass, hits: list[ProbeVerdict], explained: list[ProbeVerdict]
) -> Finding:
    ordered = _best(hits)
    credentials = any(v.reads_with_credentials for v in ordered)
    example = ordered[0].answer.probe.origin.value
    creds = (
        ", with the user's cookies (Access-Control-Allow-Credentials: true)"
        if credentials
        else " (without cookies: only data readable without logging in, or reachable only "
        "from the user's network, is exposed)"
    )
    also: list[str] = []
    for verdict in explained:
        value = verdict.answer.probe.origin.value
        if value not in also:
            also.append(value)
    # Evidence: the strongest simple read and, if it passed, the preflight.
    evidence = [ordered[0]]
    preflight = next((v for v in ordered if v.answer.probe.kind == "preflight"), None)
    if preflight is not None and preflight is not ordered[0]:
        evidence.append(preflight)
    # Judged on the headers alone (an Origin no browser sends): no page can exploit it.
    browser_only = all(v.judged_by == "headers" for v in ordered)
    severity: Severity = (
        "info" if browser_only else spec.with_credentials if credentials else spec.without
    )
    return Finding(
        spec.code,
        severity,
        spec.title,
        spec.why.format(example=example, creds=creds),
        spec.fix,
        tuple(evidence),
        credentials,
        tuple(also),
    )


def _wildcard_findings(verdicts: Sequence[ProbeVerdict]) -> list[Finding]:
    credentialed: list[ProbeVerdict] = []
    public: list[ProbeVerdict] = []
    for verdict in verdicts:
        if verdict.acao is None or verdict.acao.strip() != "*":
            continue
        if _credentials_allowed(verdict.acac):
            credentialed.append(verdict)
        else:
            public.append(verdict)
    findings: list[Finding] = []
    if credentialed:
        findings.append(
            Finding(
                "CORS-WILDCARD-CREDENTIALS",
                "low",
                "'*' is combined with Access-Control-Allow-Credentials: true",
                "Browsers refuse this combination for credentialed requests, so it is not "
                "exploitable as sent, but it shows credentials were meant for any origin: a "
                "framework or proxy that turns '*' into the request's origin makes it so.",
                "Name the allowed origins exactly when credentials are allowed; keep '*' only "
                "for public data without credentials.",
                # Not readable with credentials: browsers refuse '*' with them.
                tuple(_best(credentialed)[:1]),
            )
        )
    if public:
        findings.append(
            Finding(
                "CORS-WILDCARD",
                "info",
                "Any origin may read responses without credentials ('*')",
                "Fine for public data; any site reads what this endpoint returns to requests "
                "without cookies, including from inside the user's network.",
                "Keep '*' only if the data is public.",
                tuple(_best(public)[:1]),
            )
        )
    return findings


def _split_list(value: str | None) -> set[str]:
    """A header's list items, lower-cased; none when the list is not parsable (as browsers,
    which then refuse the preflight)."""
    return {item.lower() for item in parse_header_list(value) or ()}


def _permissive_preflight(verdicts: Sequence[ProbeVerdict]) -> list[Finding]:
    echoed: list[str] = []
    evidence: list[ProbeVerdict] = []
    for verdict in verdicts:
        kind = verdict.answer.probe.kind
        response = verdict.answer.response
        if response is None:
            continue
        if kind == "unknown-method" and UNKNOWN_METHOD.lower() in _split_list(
            response.header("Access-Control-Allow-Methods")
        ):
            echoed.append(f"method {UNKNOWN_METHOD}")
            evidence.append(verdict)
        if kind == "unknown-header" and UNKNOWN_HEADER in _split_list(
            response.header("Access-Control-Allow-Headers")
        ):
            echoed.append(f"header {UNKNOWN_HEADER}")
            evidence.append(verdict)
    if not echoed:
        return []
    credentials = any(_credentials_allowed(v.acac) for v in evidence)
    return [
        Finding(
            "CORS-PREFLIGHT-PERMISSIVE",
            "low" if credentials else "info",
            "Preflights allow whatever method or headers are asked for",
            "The preflight echoed the "
            + " and the ".join(echoed)
            + " that nobody configures, so every origin the server allows may send any "
            "method or header (DELETE, Authorization...), which widens what an allowed or "
            "bypassed origin can do.",
            "List the methods and request headers the front end sends "
            "(Access-Control-Allow-Methods, Access-Control-Allow-Headers) instead of "
            "echoing Access-Control-Request-Method/-Headers.",
            tuple(evidence),
            credentials,
        )
    ]


def _vary_covers_origin(response: HttpResponse) -> bool:
    tokens = set()
    for line in response.header_lines("Vary"):
        tokens |= _split_list(line)
    return "origin" in tokens or "*" in tokens


def _missing_vary(verdicts: Sequence[ProbeVerdict]) -> list[Finding]:
    simple = [v for v in verdicts if v.answer.probe.kind == "simple"]
    # Origin-dependent: the probes' origins got different Access-Control-Allow-Origin
    # answers (a static value, even one that matches a probe, needs no Vary).
    if len({(v.acao or "").strip() for v in simple}) < 2:
        return []
    missing = [
        v for v in simple if v.answer.response and not _vary_covers_origin(v.answer.response)
    ]
    if not missing:
        return []
    allowed = [v for v in missing if v.acao is not None]
    if allowed:
        return [
            Finding(
                "CORS-VARY-MISSING",
                "low",
                "Access-Control-Allow-Origin depends on Origin but Vary: Origin is missing",
                "A shared or browser cache may serve the answer made for one origin to "
                "another: an attacker's Origin can be cached into the answer others get "
                "(cache poisoning), and legitimate pages get another origin's CORS headers.",
                "Add Vary: Origin to every response whose CORS headers depend on the Origin "
                "header, allowed or not.",
                (sorted(allowed, key=lambda v: (not v.echoed, v.answer.probe.id))[0],),
            )
        ]
    return [
        Finding(
            "CORS-VARY-MISSING",
            "info",
            "Answers to refused origins lack Vary: Origin",
            "Not exploitable for reading: a cache may serve such an answer (no CORS headers) "
            "to an allowed origin, whose page then sees a CORS error.",
            "Add Vary: Origin to every response whose CORS headers depend on the Origin "
            "header, allowed or not.",
            (missing[0],),
        )
    ]


_INVALID_ACAO_ERRORS = (
    CorsError.kMultipleAllowOriginValues,
    CorsError.kInvalidAllowOriginValue,
    CorsError.kPreflightMultipleAllowOriginValues,
    CorsError.kPreflightInvalidAllowOriginValue,
)


def _invalid_acao(verdicts: Sequence[ProbeVerdict]) -> list[Finding]:
    bad = [
        v
        for v in verdicts
        if v.error in _INVALID_ACAO_ERRORS
        or (
            v.answer.response is not None
            and len(v.answer.response.header_lines("Access-Control-Allow-Origin")) > 1
        )
    ]
    if not bad:
        return []
    return [
        Finding(
            "CORS-INVALID-ALLOW-ORIGIN",
            "low",
            "Access-Control-Allow-Origin is repeated or not a valid value",
            "Browsers refuse such answers (no page can read them); two layers (app and proxy) "
            "adding the header, or a list of origins, are the usual cause, and non-browser "
            "clients may honour the wrong value.",
            "Send exactly one Access-Control-Allow-Origin: the request's origin when it is "
            "allowed, from one layer only.",
            tuple(_best(bad)[:1]),
        )
    ]


def _private_network(verdicts: Sequence[ProbeVerdict]) -> list[Finding]:
    for verdict in verdicts:
        response = verdict.answer.response
        if verdict.answer.probe.kind != "private-network" or response is None:
            continue
        allowed = (response.header("Access-Control-Allow-Private-Network") or "").strip()
        acao = (verdict.acao or "").strip()
        if allowed != "true" or acao not in ("*", verdict.answer.probe.origin.value):
            return []
        credentials = _credentials_allowed(verdict.acac) and acao != "*"
        # Information only: Chromium 142+ replaced Private Network Access with Local
        # Network Access (a permission prompt) and never sends this preflight, so the
        # header grants nothing in current browsers (README, docs/fixes.md).
        return [
            Finding(
                "CORS-PRIVATE-NETWORK-ANY-ORIGIN",
                "info",
                "Obsolete Private Network Access opt-in granted to any origin",
                "The Private Network Access preflight was answered yes for an unrelated origin. "
                "Current Chromium (142+) no longer sends this preflight: reaching a local "
                "server now takes the user's Local Network Access permission, so the header "
                "grants nothing today; older Chromium (up to 141) honoured it.",
                "Drop Access-Control-Allow-Private-Network, or answer it only to the public "
                "origins that must reach this device or service.",
                (verdict,),
                credentials,
            )
        ]
    return []


def _error_without_cors(verdicts: Sequence[ProbeVerdict]) -> list[Finding]:
    error_probe = next((v for v in verdicts if v.answer.probe.kind == "error-path"), None)
    if error_probe is None or error_probe.answer.response is None:
        return []
    response = error_probe.answer.response
    origin = error_probe.answer.probe.origin.value
    served = any(
        v.answer.probe.kind == "simple"
        and v.answer.probe.origin.value == origin
        and (v.reads or v.reads_with_credentials)
        for v in verdicts
    )
    if response.status < 400 or error_probe.acao is not None or not served:
        return []
    return [
        Finding(
            "CORS-ERROR-WITHOUT-CORS",
            "info",
            "Error responses carry no CORS headers",
            "Not exploitable: the browser hides the error from the page, which sees a CORS "
            "error instead of the status and body (the usual 'CORS error that is really a "
            "404/500').",
            "Let the CORS layer run before routing and error handling, so that error responses "
            "to allowed origins carry the same CORS headers.",
            (error_probe,),
        )
    ]


# == the report =========================================================================


@dataclass(frozen=True, slots=True)
class TargetReport:
    """The audit of one URL: ``status`` ``vulnerable`` (a finding of low or more),
    ``not-vulnerable``, ``no-cors`` (no CORS header in any answer), ``redirect`` (every
    answer redirects to ``redirect``: audit that URL) or ``error`` (unreachable).
    ``probes_failed`` got no response (``error`` is the first failure)."""

    target: Target
    status: Status
    findings: tuple[Finding, ...]
    verdicts: tuple[ProbeVerdict, ...]
    probes_sent: int
    probes_planned: int
    error: str | None = None
    stacks: tuple[str, ...] = ()
    stack_evidence: str = ""
    fix: dict[str, str] = field(default_factory=dict)
    fix_note: str = ""
    probes_failed: int = 0
    redirect: str | None = None

    def worst(self) -> Severity | None:
        if not self.findings:
            return None
        return max((f.severity for f in self.findings), key=SEVERITIES.index)

    def as_json(self) -> dict[str, object]:
        return {
            "url": self.target.url,
            "origin": self.target.legitimate.serialize() if self.target.legitimate else None,
            "status": self.status,
            "error": self.error,
            "probes_sent": self.probes_sent,
            "probes_planned": self.probes_planned,
            "probes_failed": self.probes_failed,
            "redirect": self.redirect,
            "worst_severity": self.worst(),
            "findings": [finding.as_json() for finding in self.findings],
            "stacks": list(self.stacks),
            "stack_evidence": self.stack_evidence,
            "fix": self.fix,
            "fix_note": self.fix_note,
        }


def _fix(
    target: Target, answers: Sequence[Answer], stack: str | None
) -> tuple[tuple[str, ...], str, dict[str, str], str]:
    """The safe configuration for the detected (or given) stack: exact origins only."""
    evidence = ""
    stacks: tuple[str, ...] = ()
    if stack is None:
        detections = detect_stacks((a.response, a.body) for a in answers if a.response is not None)
        if detections:
            stacks, evidence = detections[0].stacks, detections[0].evidence
    else:
        stacks, evidence = (stack,), f"--stack {stack}"
    credentials = any(
        _credentials_allowed(a.response.header("Access-Control-Allow-Credentials"))
        for a in answers
        if a.response is not None
    )
    legitimate = target.legitimate.serialize() if target.legitimate else PLACEHOLDER_ORIGIN
    note = (
        ""
        if target.legitimate
        else f"{PLACEHOLDER_ORIGIN} stands for your front end's origin (give it with --origin)."
    )
    command = (
        f"crossorigin fix --stack {(stacks or COMMON_STACKS)[0]} --origin {legitimate}"
        + (" --credentials" if credentials else "")
        + " --methods PUT,DELETE --headers Authorization"
    )
    note = (
        note + " It allows GET, HEAD and POST without extra request headers; for what your "
        f"front end sends, adapt: {command}"
    ).strip()
    if not stacks:
        note = (
            note + " The stack could not be told from the answers; choose it with "
            "--stack (" + ", ".join(known_stacks()) + ")."
        ).strip()
    fixset = fixes_for(
        Need(origin=legitimate, credentials=credentials, api_origin=target.origin.serialize()),
        stacks or COMMON_STACKS[:2],
    )
    return stacks, evidence, {f.stack: f.snippet for f in fixset.fixes}, note


def assess(
    target: Target,
    answers: Sequence[Answer],
    *,
    probes_planned: int | None = None,
    stack: str | None = None,
) -> TargetReport:
    """Judge every answer and classify the findings, worst first."""
    planned = probes_planned if probes_planned is not None else len(answers)
    failure = next((a.failure for a in answers if a.failure is not None), None)
    failed = sum(1 for a in answers if a.failure is not None)
    verdicts = tuple(v for a in answers if (v := judge(a)) is not None)
    stopped = len(answers) < planned
    if failure is not None and not verdicts:
        return TargetReport(
            target, "error", (), verdicts, len(answers), planned, failure, probes_failed=failed
        )
    findings = [
        *_origin_findings(verdicts),
        *_wildcard_findings(verdicts),
        *_permissive_preflight(verdicts),
        *_missing_vary(verdicts),
        *_invalid_acao(verdicts),
        *_private_network(verdicts),
        *_error_without_cors(verdicts),
    ]
    findings.sort(key=lambda f: -SEVERITIES.index(f.severity))
    has_cors = any(
        name.lower().startswith("access-control-")
        for v in verdicts
        if v.answer.response is not None
        for name, _ in v.answer.response.headers
    )
    redirect = _redirect_location(target, verdicts) if not has_cors else None
    status: Status
    if stopped:
        # The findings of the answers that came back are kept, but the audit is incomplete.
        status = "error"
    elif any(severity_at_least(f.severity, "low") for f in findings):
        status = "vulnerable"
    elif redirect is not None:
        status = "redirect"
    elif not has_cors:
        status = "no-cors"
    else:
        status = "not-vulnerable"
    chosen, evidence, fix, note = (
        _fix(target, answers, stack) if status == "vulnerable" else ((), "", {}, "")
    )
    return TargetReport(
        target,
        status,
        tuple(findings),
        verdicts,
        len(answers),
        planned,
        failure,
        chosen,
        evidence,
        fix,
        note,
        failed,
        redirect,
    )


def _redirect_location(target: Target, verdicts: Sequence[ProbeVerdict]) -> str | None:
    """Where the endpoint sends every probe, when all of them are redirected (the CORS
    headers, if any, are on the Location's answers, which the audit did not judge)."""
    locations = set()
    for verdict in verdicts:
        response = verdict.answer.response
        if verdict.answer.probe.kind == "error-path":
            continue
        if response is None or not 300 <= response.status < 400:
            return None
        location = response.header("Location")
        if location is None:
            return None
        locations.add(urljoin(target.url, location.strip()))
    if not locations:
        return None
    return sorted(locations)[0]


class SendFailure(Exception):
    """Raised by a ``send`` function when no HTTP response came back (DNS, refused, TLS...)."""


def run(
    target: Target,
    send: Callable[[HttpRequest], tuple[HttpResponse, bytes]],
    *,
    headers: Sequence[tuple[str, str]] = (),
    cookie: str | None = None,
    stack: str | None = None,
) -> TargetReport:
    """Send every probe through ``send`` and assess the answers.

    ``send`` returns the response and the start of its body. Every probe runs, whatever the
    earlier answers were; a network failure (``send`` raising :class:`SendFailure`) is
    recorded and the audit goes on, unless the very first probe fails or
    :data:`MAX_CONSECUTIVE_FAILURES` fail in a row (the endpoint is then unreachable).
    """
    probes = plan(target, headers=headers, cookie=cookie)
    answers: list[Answer] = []
    consecutive = 0
    for probe in probes:
        try:
            response, body = send(probe.request)
        except SendFailure as failure:
            answers.append(Answer(probe, None, str(failure)))
            consecutive += 1
            if len(answers) == 1 or consecutive >= MAX_CONSECUTIVE_FAILURES:
                break
            continue
        consecutive = 0
        answers.append(Answer(probe, response, None, body))
    return assess(target, answers, probes_planned=len(probes), stack=stack)
