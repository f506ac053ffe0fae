"""Decisions: request header values in, status and response header pairs out (sans-IO).

Everything that can be known at construction is: the header pairs are built once, in the
string type of the caller (``str`` for WSGI/Django/Flask, lowercase ``bytes`` names for ASGI),
as immutable tuples; a decision only picks among them and adds the pairs that echo the request
(the origin, the method, a wildcard's header list). Callers get tuples they must copy into a
fresh list of their own (never a shared mutable container: jub0bs/cors#14, rs/cors#198).

Rules (Fetch §4.8 "CORS-preflight fetch", §4.9 "CORS check", §3.2.3 HTTP responses):

- A preflight passes when the origin is allowed, the method is allowed (CORS-safelisted
  methods always are: browsers never need them listed), every requested header is allowed,
  and a Private Network Access request is answered only when opted into. It then gets
  ``preflight_status`` with Access-Control-Allow-Origin (the origin, or ``*`` when every origin
  is allowed without credentials), -Credentials, -Methods (the requested method only),
  -Headers (the configured list, or the request's list echoed for ``*``), -Max-Age and, when
  asked, -Private-Network. A failed preflight gets 403 and no CORS header at all.
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
    names_allowed,
    total_length,
)
from crossorigin.policy._config import Config
from crossorigin.policy._origins import OriginMatcher
from crossorigin.policy._vary import VARY_PREFLIGHT

__all__ = ["FAILED_PREFLIGHT_STATUS", "REFUSALS", "Decider"]

S = TypeVar("S", str, bytes)
Pair = tuple[S, S]

FAILED_PREFLIGHT_STATUS = 403
# Why a preflight failed, in the order the checks run.
REFUSALS = ("origin", "method", "headers", "private-network")
_SAFELISTED_METHODS = ("GET", "HEAD", "POST")
_TOKEN = r"[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,64}"
_METHOD_STR = re.compile(_TOKEN)
_METHOD_BYTES = re.compile(_TOKEN.encode())


class Decider(Generic[S]):
    """The policy's answers, precomputed in one string type.

    ``encode`` turns a ``str`` constant into ``S``; ``decode`` turns a request value into the
    ``str`` the origin matcher reads (identity for ``str``, Latin-1 for ``bytes``).
    """

    __slots__ = (
        "_acah",
        "_acah_list",
        "_acam",
        "_acao",
        "_acapn_pair",
        "_actual_tail",
        "_any_header",
        "_any_method",
        "_comma",
        "_decode",
        "_exact",
        "_headers",
        "_headers_cap",
        "_list_shape",
        "_matcher",
        "_method_shape",
        "_methods",
        "_ows",
        "_preflight_head",
        "_preflight_tail",
        "_private_network",
        "_star_actual",
        "_star_pair",
        "_success",
        "_true",
        "_vary_preflight",
        "_wildcard",
    )
    _acah: S
    _acah_list: tuple[S, S]
    _acam: S
    _acao: S
    _acapn_pair: tuple[S, S]
    _actual_tail: tuple[tuple[S, S], ...]
    _any_header: bool
    _any_method: bool
    _comma: S
    _decode: Callable[[S], str]
    _exact: dict[S, tuple[tuple[S, S], ...]]
    _headers: frozenset[S]
    _headers_cap: int
    _list_shape: re.Pattern[S]
    _matcher: OriginMatcher | None
    _method_shape: re.Pattern[S]
    _methods: frozenset[S]
    _ows: S
    _preflight_head: tuple[tuple[S, S], ...]
    _preflight_tail: tuple[tuple[S, S], ...]
    _private_network: bool
    _star_actual: tuple[tuple[S, S], ...]
    _star_pair: tuple[S, S]
    _success: int
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
        self._acam = encode(names["acam"])
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
            actual_tail.append(pair("aceh", ",".join(config.expose_headers)))
        self._actual_tail = tuple(actual_tail)
        self._star_pair = pair("acao", "*")
        self._star_actual = (self._star_pair,) + self._actual_tail  # noqa: RUF005 (mypy)
        # Exact origins: the whole actual-response header tuple, built once per origin.
        self._exact = {}
        for origin in matcher.exact:
            value = encode(origin)
            self._exact[value] = ((self._acao, value),) + self._actual_tail  # noqa: RUF005

        self._preflight_head = (pair("acac", "true"),) if credentials else ()
        tail: list[tuple[S, S]] = []
        if config.max_age is not None:
            tail.append(pair("acma", str(config.max_age)))
        self._vary_preflight = pair("vary", VARY_PREFLIGHT)
        tail.append(self._vary_preflight)
        self._preflight_tail = tuple(tail)
        self._acapn_pair = pair("acapn", "true")
        self._private_network = config.private_network
        self._success = config.preflight_status

        self._methods = frozenset(encode(m) for m in (*_SAFELISTED_METHODS, *config.methods))
        self._any_method = config.any_method
        self._method_shape = _METHOD_BYTES if isinstance(self._comma, bytes) else _METHOD_STR
        self._headers = frozenset(encode(h) for h in config.headers)
        self._headers_cap = explicit_cap(config.headers)
        self._acah_list = pair("acah", ",".join(config.headers))
        self._any_header = config.any_header
        self._list_shape = LIST_SHAPE_BYTES if isinstance(self._comma, bytes) else LIST_SHAPE_STR

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
    ) -> tuple[int, list[tuple[S, S]], str | None]:
        """Status, headers and, on failure, which check failed (one of ``REFUSALS``).

        A failure is 403 with Vary only.
        """
        origin_pair = self.allowed_origin_pair(origin)
        if origin_pair is None:
            return FAILED_PREFLIGHT_STATUS, [self._vary_preflight], "origin"
        if method not in self._methods and not (
            self._any_method and self._method_shape.fullmatch(method) is not None
        ):
            return FAILED_PREFLIGHT_STATUS, [self._vary_preflight], "method"
        headers_pair: tuple[S, S] | None = None
        if request_headers:
            if self._any_header:
                if total_length(request_headers) > WILDCARD_CAP:
                    return FAILED_PREFLIGHT_STATUS, [self._vary_preflight], "headers"
                value = (
                    request_headers[0]
                    if len(request_headers) == 1
                    else self._comma.join(request_headers)
                )
                if self._list_shape.fullmatch(value) is None:
                    return FAILED_PREFLIGHT_STATUS, [self._vary_preflight], "headers"
                value = value.strip(self._ows)
                if value:
                    headers_pair = (self._acah, value)
            else:
                listed = names_allowed(
                    request_headers, self._headers, self._headers_cap, self._comma, self._ows
                )
                if listed is None:
                    return FAILED_PREFLIGHT_STATUS, [self._vary_preflight], "headers"
                if listed:
                    headers_pair = self._acah_list
        answer: list[tuple[S, S]] = [origin_pair]
        answer += self._preflight_head
        answer.append((self._acam, method))
        if headers_pair is not None:
            answer.append(headers_pair)
        answer.extend(self._preflight_tail)
        if private_network is not None:
            if not self._private_network or private_network.strip(self._ows) != self._true:
                return FAILED_PREFLIGHT_STATUS, [self._vary_preflight], "private-network"
            answer.append(self._acapn_pair)
        return self._success, answer, None
