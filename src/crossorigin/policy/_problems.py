"""Configuration problems: stable codes, the offending value, and the fix.

Validation never stops at the first problem: it collects every :class:`Problem` and raises one
:class:`PolicyError` holding them all (the jub0bs/cors ``errors.Join`` pattern, with
django-cors-headers' idea that every refusal has a stable, documented id). Codes never change
meaning; ``docs/policy.md`` documents each one with an example and its fix.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["PROBLEM_CODES", "PolicyError", "Problem"]

# code -> (what is wrong, how to fix it). The message of a Problem adds the offending value.
PROBLEM_CODES: dict[str, tuple[str, str]] = {
    # Types of the options themselves.
    "option-type": (
        "the option has the wrong type",
        "pass the type the documentation gives (a list of strings for the list options)",
    ),
    # allow_origins: serialized origins.
    "origin-invalid": (
        "not an origin",
        "write an origin as scheme://host[:port], e.g. 'https://app.example.com'",
    ),
    "origin-missing-scheme": (
        "the origin has no scheme",
        "write the scheme browsers use, e.g. 'https://app.example.com'",
    ),
    "origin-scheme": (
        "browsers send Origin with this scheme only as 'null', or not at all",
        "list http:// or https:// origins",
    ),
    "origin-path": (
        "an origin has no path",
        "remove the path: an origin is scheme://host[:port]",
    ),
    "origin-trailing-slash": (
        "an origin has no trailing slash; browsers never send one, so this never matches",
        "remove the trailing '/'",
    ),
    "origin-query": ("an origin has no query or fragment", "remove the query or fragment"),
    "origin-userinfo": ("an origin has no user name or password", "remove the user information"),
    "origin-default-port": (
        "browsers never write the default port (443 for https, 80 for http) in Origin",
        "remove the port",
    ),
    "origin-case": (
        "browsers send scheme and host in lowercase; Origin is compared byte for byte",
        "write it in lowercase",
    ),
    "origin-unicode-host": (
        "browsers send the host in Punycode",
        "write the Punycode (xn--) form of the host",
    ),
    "origin-non-canonical-ip": (
        "browsers send IP addresses in canonical form",
        "write the canonical form (dotted decimal IPv4, compressed IPv6 in brackets)",
    ),
    "origin-whitespace": ("the origin has surrounding whitespace", "remove the whitespace"),
    "origin-too-long": (
        "longer than any origin a browser can send (326 bytes)",
        "check the value; no browser can send it",
    ),
    "origin-null": (
        "'null' is sent by sandboxed iframes, file: pages, data: URLs and some redirects: "
        "allowing it allows every one of them, attackers' included",
        "remove it; if you really must, pass dangerously_allow_null_origin=True",
    ),
    "origin-file": (
        "file: pages send the origin 'null', shared by every sandboxed or opaque page",
        "remove it; if you really must, list 'null' and pass dangerously_allow_null_origin=True",
    ),
    "pattern-invalid": (
        "a wildcard may only be '*' alone, a leading '*.' label of the host "
        "(https://*.example.com) or the port (http://localhost:*)",
        "write the pattern in one of those forms",
    ),
    "pattern-ip-wildcard": (
        "an IP address has no subdomains",
        "list the exact IP origin, or use a port wildcard (http://127.0.0.1:*)",
    ),
    # Credentials.
    "wildcard-with-credentials": (
        "with credentials this allows every origin to read every user's responses "
        "(browsers refuse '*' with credentials, so the origin would have to be reflected)",
        "list the origins that need credentials, or set allow_credentials=False",
    ),
    "public-suffix-with-credentials": (
        "the pattern covers every site under a public suffix (anyone can register one) "
        "and credentials are allowed",
        "list your own registrable domain (https://*.example.com); if you really must, pass "
        "dangerously_allow_public_suffix_subdomains=True",
    ),
    "insecure-origin-with-credentials": (
        "an http:// origin can be impersonated by anyone on the network path, and "
        "credentials are allowed",
        "use https://; http:// is fine for localhost and loopback addresses; if you really "
        "must, pass dangerously_allow_insecure_origins=True",
    ),
    # allow_origin_regex.
    "regex-invalid": ("not a valid regular expression", "fix the syntax"),
    "regex-attack-origin": (
        "the regex also matches an origin an attacker can own",
        "anchor each host part and escape every dot (\\.); better, use allow_origins patterns "
        "such as 'https://*.example.com'",
    ),
    "regex-unverifiable": (
        "no origin the regex is meant to match could be derived from it, so it cannot be "
        "checked against attack origins",
        "use allow_origins patterns ('https://*.example.com', 'http://localhost:*') or a "
        "simpler regex",
    ),
    "regex-backtracking": (
        "a repetition nested in a repetition can take exponential time on a crafted Origin",
        "remove the nested repetition",
    ),
    # allow_origin_predicate.
    "predicate-not-callable": ("not callable", "pass a function taking an origin string"),
    "predicate-failed": (
        "the predicate raised an exception when called with a probe origin",
        "make it return False for origins it does not know",
    ),
    # Methods.
    "method-invalid": ("not a method name (an HTTP token)", "write a method such as 'PUT'"),
    "method-forbidden": (
        "browsers never send CONNECT, TRACE or TRACK (fetch() throws)",
        "remove it",
    ),
    # Request headers.
    "header-invalid": (
        "not a header name (an HTTP token)",
        "write a header name such as 'X-Request-Id'",
    ),
    "header-forbidden": (
        "a forbidden request header: browsers set it themselves and scripts cannot send it",
        "remove it",
    ),
    "header-meaningless": (
        "this is a response header or a CORS request header; browsers never ask for it",
        "remove it",
    ),
    # Exposed headers.
    "expose-invalid": ("not a header name (an HTTP token)", "write a header name"),
    "expose-forbidden": ("browsers never expose Set-Cookie to scripts", "remove it"),
    "expose-meaningless": (
        "this header is CORS-safelisted (always readable) or is not a response header",
        "remove it",
    ),
    "expose-wildcard-with-credentials": (
        "with credentials, browsers read Access-Control-Expose-Headers: * as a header named '*'",
        "list the header names to expose",
    ),
    # Numbers.
    "max-age-out-of-range": (
        "max_age must be between 0 and 86400 seconds (Chromium caps it at 7200)",
        "use a value in range, or None to omit the header",
    ),
    "preflight-status-out-of-range": (
        "browsers accept a preflight only with an ok status (200-299)",
        "use 204 (the default) or 200",
    ),
    "preflight-failure-status-out-of-range": (
        "a refused preflight is a client error: a 5xx would page the on-call team and a 2xx "
        "reads as success in logs",
        "use 403 (the default) or 400",
    ),
}


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem in a configuration: which option, which value, what is wrong, the fix."""

    code: str
    option: str
    value: object
    message: str
    fix: str

    def __str__(self) -> str:
        return f"[{self.code}] {self.option}: {self.value!r}: {self.message}; fix: {self.fix}"


def problem(code: str, option: str, value: object, detail: str | None = None) -> Problem:
    """A Problem with the catalogue's message (plus ``detail``) and fix for ``code``."""
    summary, fix = PROBLEM_CODES[code]
    message = summary if detail is None else f"{summary} ({detail})"
    return Problem(code, option, value, message, fix)


class PolicyError(ValueError):
    """A configuration that cannot be built; ``problems`` lists every problem found."""

    def __init__(self, problems: list[Problem] | tuple[Problem, ...]) -> None:
        self.problems = tuple(problems)
        count = len(self.problems)
        head = "1 problem" if count == 1 else f"{count} problems"
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"invalid CORS policy, {head}:\n{lines}")

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(p.code for p in self.problems)
