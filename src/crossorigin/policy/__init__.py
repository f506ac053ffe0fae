"""The server side of CORS: one validated, immutable policy that adapters ask for decisions.

A :class:`Policy` is built once, validated completely at construction (every problem is
reported at once in a :class:`PolicyError`), and then answers plain questions with plain
values: no sockets, no framework objects. Adapters (ASGI, WSGI, Django, Flask) are thin layers
that read request headers, ask the policy, and write the answer.

Construction (keyword-only; the names and defaults of the ``allow_*``/``expose_headers``/
``max_age`` keywords are Starlette's, so ``CORSMiddleware(app, **same)`` is a drop-in)::

    policy = Policy(
        allow_origins=("https://app.example.com", "https://*.example.com", "http://localhost:*"),
        allow_origin_regex=None,           # full-match regex, checked against attack origins
        allow_origin_predicate=None,       # callable(origin: str) -> bool, for valid origins only
        allow_methods=("GET",),            # the whole list (GET/HEAD/POST too), or ("*",): the
                                           # 8 standard methods; case normalized as Fetch does
        allow_headers=(),                  # names, re.Pattern objects, or ("*",); Accept,
                                           # Accept-Language, Content-Language and Content-Type
                                           # are always allowed
        allow_credentials=False,
        expose_headers=(),
        max_age=600,                       # seconds, 0..86400; None omits the header
        allow_private_network=False,       # Private Network Access preflights
        preflight_status=204,              # 200..299
        preflight_failure_status=403,      # 400..499
        echo_request_headers=False,        # answer the request's list, not the configured one
        dangerously_allow_null_origin=False,              # lets "null" (and "file://") be listed
        dangerously_allow_insecure_origins=False,         # http:// origins with credentials
        dangerously_allow_public_suffix_subdomains=False, # https://*.github.io with credentials
    )

Decisions (request header values are ``str``: Latin-1-decoded bytes, as WSGI, Django and Flask
hand them over; every call returns a fresh list the caller may mutate)::

    Policy.is_preflight(method, headers) -> bool
        # OPTIONS with Origin and Access-Control-Request-Method (Fetch §4.8). ``headers`` is a
        # mapping or an iterable of (name, value) pairs; names are compared case-insensitively.
        # Every other OPTIONS request belongs to the application.

    policy.preflight(origin, request_method, request_headers=None,
                     request_private_network=None) -> (status, [(name, value), ...])
        # Answer a preflight completely; the application never sees it. ``request_headers`` is
        # the Access-Control-Request-Headers value, or a sequence of them when the header came
        # on several lines; ``request_private_network`` is the
        # Access-Control-Request-Private-Network value or None. Success: ``preflight_status``
        # with the CORS headers. Failure: ``preflight_failure_status`` and no CORS headers.
        # Both carry Vary.

    policy.preflight_answer(...same arguments...) -> PreflightAnswer
        # The same decision with .status, .headers, .body and .refusals (every failed check:
        # "origin", "method", "headers", "private-network"). Send the body as
        # text/plain; charset=utf-8 with its Content-Length; a 204 has neither (RFC 9110
        # §8.6, §15.3.5): its body is "".

    policy.actual(origin) -> [(name, value), ...]
        # The CORS headers to add to the application's response to any other request (``origin``
        # is the Origin value or None). Never rejects: a denied origin gets []. Vary is NOT in
        # the list; see below.

How an adapter appends Vary: on EVERY response that is not a preflight answer - including
requests without Origin and denied origins, because the CORS headers depend on Origin - merge
the token ``VARY_ACTUAL`` ("Origin") into the response's Vary with :func:`merge_vary`::

    value = merge_vary(existing_vary_values)   # existing: list of the Vary header lines
    # -> one Vary value: the existing tokens joined with ", ", plus "Origin" unless a token
    #    already equals it case-insensitively or is "*". Replace all Vary lines with it.

Django's ``patch_vary_headers(response, ("Origin",))`` and Werkzeug's
``response.vary.add("Origin")`` do the same and may be used instead.

Self-check (needs the browser engine)::

    policy.check(origin, method="GET", headers=(), credentials=False) -> SelfCheck
        # runs the browser engine against this policy's own answers: .outcome ("allowed" |
        # "blocked"), .allowed, .trace (the engine's checks), .explanation (a sentence)

Other names: :class:`Problem` (one validation problem: ``code``, ``option``, ``value``,
``message``, ``fix``), :data:`PROBLEM_CODES` (every code with its summary and fix).
"""

from __future__ import annotations

from crossorigin.policy._check import SelfCheck
from crossorigin.policy._policy import Policy, PreflightAnswer
from crossorigin.policy._problems import PROBLEM_CODES, PolicyError, Problem
from crossorigin.policy._vary import VARY_ACTUAL, VARY_PREFLIGHT, merge_vary

__all__ = [
    "PROBLEM_CODES",
    "VARY_ACTUAL",
    "VARY_PREFLIGHT",
    "Policy",
    "PolicyError",
    "PreflightAnswer",
    "Problem",
    "SelfCheck",
    "merge_vary",
]
