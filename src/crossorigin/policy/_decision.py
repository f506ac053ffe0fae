"""Decisions: request header values in, status and response header pairs out (sans-IO).

Everything that can be known at construction is: the header pairs are built once, in the
string type of the caller (``str`` for WSGI/Django/Flask, lowercase ``bytes`` names for ASGI),
as immutable tuples, and so is every outcome's body; a decision only picks among them and adds
the pairs that echo the request (the origin; the validated header list for ``*``, patterns and
``echo_request_headers``). Callers get tuples they must copy into a
fresh list of their own (never a shared mutable container: jub0bs/cors#14, rs/cors#198).

Rules (Fetch §4.8 "CORS-preflight fetch", §4.9 "CORS check", §3.2.3 HTTP responses):

- A preflight passes when the origin is allowed, the method is listed (GET, HEAD and POST
  too: a browser would accept them unlisted, but a preflight for a method the configuration
  does not name is refused, as Starlette does), every requested header is allowed,
  and a Private Network Access request is answered only when opted into. It then gets
  ``preflight_status`` with Access-Control-Allow-Origin (the origin, or ``*`` when every origin
  is allowed without credentials), -Credentials, -Methods (the configured methods, so that the
  browser's preflight cache covers all of them), -Headers (the configured names; the request's
  validated list echoed for ``*``, for patterns and with ``echo_request_headers``), -Max-Age
  and, when asked, -Private-Network. A failed preflight gets ``preflight_failure_status``
  (403) and no CORS header at all; its body names the failed checks, never the allowed values.
- An actual request is never refused: an allowed origin gets Access-Control-Allow-Origin,
  -Credentials and -Expose-Headers; a denied origin gets nothing.
- Vary: always on preflight answers (``VARY_PREFLIGHT``); on every other response the adapter
  merges ``Origin``, because these headers depend on it even when it is absent.
- Only values shaped like serialized origins are ever reflected; exact origins are reflected
  from the configuration's own precomputed copy.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

from crossorigin.policy._acrh import (
    LIST_SHAPE_BYTES,
    LIST_SHAPE_STR,
    WILDCARD_CAP,
    explicit_cap,
    total_length,
)
from crossorigin.policy._config import Config
from crossorigin.policy._origins import OriginMatcher
from crossorigin.policy._vary import VARY_PREFLIGHT

__all__ = ["REFUSALS", "Decider", "preflight_body", "refusals"]

S = TypeVar("S", str, bytes)
Pair = tuple[S, S]

# Why a preflight failed, in the order the checks run.
REFUSALS = ("origin", "method", "headers", "private-network")
# With header patterns, the most names one Access-Control-Request-Headers may list: each costs a
# regex match. Browsers list each non-safelisted header a page sets once.
PATTERN_NAMES_CAP = 64
_TOKEN = r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+"
_TOKEN_STR = re.compile(_TOKEN)
_TOKEN_BYTES = re.compile(_TOKEN.encode())
_REFUSAL_SETS = tuple(
    tuple(name for bit, name in enumerate(REFUSALS) if failed >> bit & 1)
    for failed in range(1 << len(REFUSALS))
)


def refusals(failed: int) -> tuple[str, ...]:
    """The names of the checks in a ``Decider.preflight`` bit mask, in ``REFUSALS`` order."""
    return _REFUSAL_SETS[failed]


def preflight_body(status: int, refusals: tuple[str, ...]) -> str:
    """The text of a preflight answer: none for 204, ``OK``, or the failed checks.

    Browsers never show it to the page; a developer reading the preflight in DevTools or curl
    does (Starlette's wording, so its users see what they saw before).
    """
    if refusals:
        return "Disallowed CORS " + ", ".join(refusals)
    # RFC 9110 §15.3.5, §15.3.6: neither a 204 nor a 205 has content.
    return "" if status in (204, 205) else "OK"


class Decider(Generic[S]):
    """The policy's answers, precomputed in one string type.

    ``encode`` turns a ``str`` constant into ``S``; ``decode`` turns a request value into the
    ``str`` the origin matcher reads (identity for ``str``, Latin-1 for ``bytes``).
    """

    __slots__ = (
        "_acah",
        "_acah_list",
        "_acao",
        "_acapn_pair",
        "_actual_tail",
        "_any_header",
        "_comma",
        "_decode",
        "_echo",
        "_exact",
        "_failure",
        "_headers",
        "_headers_cap",
        "_list_shape",
        "_matcher",
        "_methods",
        "_ows",
        "_patterns",
        "_preflight_head",
        "_preflight_tail",
        "_private_network",
        "_star_actual",
        "_star_pair",
        "_success",
        "_token",
        "_true",
        "_vary_preflight",
        "_wildcard",
        "frames",
    )
    _acah: S
    _acah_list: tuple[S, S]
    _acao: S
    _acapn_pair: tuple[S, S]
    _actual_tail: tuple[tuple[S, S], ...]
    _any_header: bool
    _comma: S
    _decode: Callable[[S], str]
    _echo: bool
    _exact: dict[S, tuple[tuple[S, S], ...]]
    _failure: int
    # Per outcome (the bit mask of failed checks): the body and its Content-Type/-Length.
    frames: tuple[tuple[S, tuple[tuple[S, S], ...]], ...]
    _headers: frozenset[S]
    _headers_cap: int
    _list_shape: re.Pattern[S]
    _matcher: OriginMatcher | None
    _methods: frozenset[S]
    _ows: S
    _patterns: tuple[re.Pattern[str], ...]
    _preflight_head: tuple[tuple[S, S], ...]
    _preflight_tail: tuple[tuple[S, S], ...]
    _private_network: bool
    _star_actual: tuple[tuple[S, S], ...]
    _star_pair: tuple[S, S]
    _success: int
    _token: re.Pattern[S]
    _true: S
    _vary_preflight: tuple[S, S]
    _wildcard: bool

    def __init__(
        self,
        config: Config,
        matcher: OriginMatcher,
        encode: Callable[[str], S],
        decode: Callable[[S], str],
        names: dict[str, str],
    ) -> None:
        def pair(name: str, value: str) -> tuple[S, S]:
            return (encode(names[name]), encode(value))

        self._decode = decode
        self._matcher = matcher if matcher.needs_matching else None
        self._acao = encode(names["acao"])
        self._acah = encode(names["acah"])
        self._comma = encode(",")
        self._ows = encode(" \t")
        self._true = encode("true")
        credentials = config.credentials
        self._wildcard = config.allow_all_origins and not credentials

        actual_tail: list[tuple[S, S]] = []
        if credentials:
            actual_tail.append(pair("acac", "true"))
        if config.expose_headers:
            actual_tail.append(pair("aceh", ", ".join(config.expose_headers)))
        self._actual_tail = tuple(actual_tail)
        self._star_pair = pair("acao", "*")
        self._star_actual = (self._star_pair,) + self._actual_tail  # noqa: RUF005 (mypy)
        # Exact origins: the whole actual-response header tuple, built once per origin.
        self._exact = {}
        for origin in matcher.exact:
            value = encode(origin)
            self._exact[value] = ((self._acao, value),) + self._actual_tail  # noqa: RUF005

        head: list[tuple[S, S]] = [pair("acac", "true")] if credentials else []
        if config.methods:
            head.append(pair("acam", ", ".join(config.methods)))
        self._preflight_head = tuple(head)
        tail: list[tuple[S, S]] = []
        if config.max_age is not None:
            tail.append(pair("acma", str(config.max_age)))
        self._vary_preflight = pair("vary", VARY_PREFLIGHT)
        tail.append(self._vary_preflight)
        self._preflight_tail = tuple(tail)
        self._acapn_pair = pair("acapn", "true")
        self._private_network = config.private_network
        self._success = config.preflight_status
        self._failure = config.preflight_failure_status
        # Every outcome's body and framing, built once (16 of them): nothing is formatted per
        # request. A 204 has neither body nor Content-Length (RFC 9110 §8.6, §15.3.5).
        frames = []
        for failed, names_failed in enumerate(_REFUSAL_SETS):
            status = config.preflight_status if failed == 0 else config.preflight_failure_status
            body = encode(preflight_body(status, names_failed))  # ASCII text
            framing: tuple[tuple[S, S], ...] = ()
            if body:
                framing = (
                    pair("length", str(len(body))),
                    pair("type", "text/plain; charset=utf-8"),
                )
            elif status != 204:  # a 205 says "no content" with Content-Length: 0
                framing = (pair("length", "0"),)
            frames.append((body, framing))
        self.frames = tuple(frames)

        self._methods = frozenset(encode(m) for m in config.methods)
        self._headers = frozenset(encode(h) for h in config.headers)
        self._headers_cap = (
            WILDCARD_CAP
            if config.any_header or config.header_patterns
            else explicit_cap(config.headers)
        )
        self._acah_list = pair("acah", ", ".join(config.header_list))
        self._any_header = config.any_header
        self._patterns = config.header_patterns
        self._echo = config.echo_headers or config.any_header
        self._list_shape = LIST_SHAPE_BYTES if isinstance(self._comma, bytes) else LIST_SHAPE_STR
        self._token = _TOKEN_BYTES if isinstance(self._comma, bytes) else _TOKEN_STR

    def allowed_origin_pair(self, origin: S) -> tuple[S, S] | None:
        """The Access-Control-Allow-Origin pair for ``origin``, or None when it is denied."""
        if self._wildcard:
            return self._star_pair
        hit = self._exact.get(origin)
        if hit is not None:
            return hit[0]
        if self._matcher is not None and self._matcher.matches(self._decode(origin)):
            return (self._acao, origin)
        return None

    def actual(self, origin: S | None) -> tuple[tuple[S, S], ...]:
        """Headers for the response to a non-preflight request with this Origin (or none)."""
        if origin is None:
            return ()
        if self._wildcard:
            return self._star_actual
        hit = self._exact.get(origin)
        if hit is not None:
            return hit
        if self._matcher is not None and self._matcher.matches(self._decode(origin)):
            return ((self._acao, origin),) + self._actual_tail  # noqa: RUF005
        return ()

    def preflight(
        self,
        origin: S,
        method: S,
        request_headers: Sequence[S] | None,
        private_network: S | None,
    ) -> tuple[int, list[tuple[S, S]], int]:
        """Status, headers and the failed checks as a bit mask (bit i is ``REFUSALS[i]``).

        Every check runs even after one fails, so a refusal names all of its reasons (a
        developer fixing the origin learns about the header at the same time). A failure is
        ``failure_status`` with Vary only. ``refusals(mask)`` and ``frame(mask)`` turn the
        mask into names, and into the body with its Content-Type/-Length pairs.
        """
        # allowed_origin_pair() and the common case of _requested_headers() written out: this
        # is the hot path of every preflight.
        failed = 0
        origin_pair: tuple[S, S] | None
        if self._wildcard:
            origin_pair = self._star_pair
        else:
            hit = self._exact.get(origin)
            if hit is not None:
                origin_pair = hit[0]
            elif self._matcher is not None and self._matcher.matches(self._decode(origin)):
                origin_pair = (self._acao, origin)
            else:
                origin_pair = None
                failed = 1
        if method not in self._methods:
            failed |= 2
        # Not echoing, the configured list goes on every success (as Starlette does), so one
        # cached preflight also covers later requests with other allowed headers.
        headers_pair: tuple[S, S] | None = None if self._echo else self._acah_list
        if request_headers:
            listed: S | None
            single = request_headers[0] if len(request_headers) == 1 else None
            if (
                single is not None
                and not self._echo
                and len(single) <= self._headers_cap
                and self._headers.issuperset(single.split(self._comma))
            ):
                listed = single  # what browsers send: lowercase names joined by ','
            else:
                listed = self._requested_headers(request_headers)
            if listed is None:
                failed |= 4
            elif listed and self._echo:
                headers_pair = (self._acah, listed)
        if private_network is not None and (
            not self._private_network or private_network.strip(self._ows) != self._true
        ):
            failed |= 8
        if failed or origin_pair is None:
            return self._failure, [self._vary_preflight], failed
        answer: list[tuple[S, S]] = [origin_pair]
        answer += self._preflight_head
        if headers_pair is not None:
            answer.append(headers_pair)
        answer.extend(self._preflight_tail)
        if private_network is not None:
            answer.append(self._acapn_pair)
        return self._success, answer, 0

    def frame(self, failed: int) -> tuple[S, tuple[tuple[S, S], ...]]:
        """The body for this outcome and the Content-Type/-Length pairs that go with it."""
        return self.frames[failed]

    def _requested_headers(self, lines: Sequence[S]) -> S | None:
        """None when a requested name is not allowed; else the value to echo (may be empty).

        Bounded before anything is split (see ``_acrh``): an explicit list of names caps the
        length at what those names can spell, ``*`` and patterns at ``WILDCARD_CAP``.
        """
        if len(lines) == 1:
            value = lines[0]
            if len(value) > self._headers_cap:
                return None
        # The joined length, separators included: WSGI servers hand over the joined value.
        elif total_length(lines) + len(lines) - 1 > self._headers_cap:
            return None
        else:
            value = self._comma.join(lines)
        if self._any_header or self._patterns:
            if self._list_shape.fullmatch(value) is None:
                return None
            if not self._any_header:
                elements = value.split(self._comma)
                if len(elements) > PATTERN_NAMES_CAP:
                    return None  # bounds the regex work an attacker can ask for
                for element in elements:
                    name = element.strip(self._ows)
                    if name and name.lower() not in self._headers:
                        if self._token.fullmatch(name) is None:
                            return None  # "x-a x-b": one element, not one name
                        text = self._decode(name)
                        if not any(p.fullmatch(text) for p in self._patterns):
                            return None
            return value.strip(self._ows)
        elements = value.split(self._comma)
        # What browsers send (lowercase names, ',' without spaces) is one C-level subset test.
        if self._headers.issuperset(elements):
            return value
        listed = False
        for element in elements:
            name = element.strip(self._ows)
            if name:
                # ASCII only: str.lower() maps the Kelvin sign to "k".
                if not name.isascii() or name.lower() not in self._headers:
                    return None
                listed = True
        return value.strip(self._ows) if listed else self._comma[:0]
