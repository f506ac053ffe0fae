"""Diagnose the CORS failures recorded in a browser's HAR export, from the headers alone.

A HAR (HTTP Archive 1.2) keeps every request and response header but not why the browser
blocked anything: Chrome's export has ``response._error: "net::ERR_FAILED"`` and no CORS
reason (``Network.loadingFailed.corsErrorStatus`` is not exported), Firefox's not even that.
So the browser's decision is made again here, by the engine (:class:`crossorigin.engine.Fetch`)
on the recorded messages:

1. :func:`parse_har` checks the shape and reads the entries (lower-case names, HTTP/2
   pseudo-headers, entries out of order, Chrome's ``_initiator``/``_resourceType``);
2. :func:`find_cross_origin` links redirect hops into chains, pairs each preflight with the
   request it was sent for (Chrome: ``_initiator.type == "preflight"`` and ``_initiator.url``,
   the nearest ``startedDateTime``; Firefox: an OPTIONS with ``Access-Control-Request-Method``
   by URL, method and time) and keeps the requests a page sent to another origin;
3. :func:`analyse_har` rebuilds each page's ``fetch()`` (method, the headers a script could
   set, credentials inferred), lets the engine run it with every request it makes answered from
   the recorded responses, and hands the result to the doctor's :func:`diagnose` (console
   line, cause, fix for the detected stack) - the rules live in the engine only.

What a HAR cannot tell is said, per request (``caveats``) or for the file (``notes``):
credentials inferred when cookies were sanitized away, an actual request never sent, a
response from the cache, a preflight not in the file (the browser's preflight cache).

Pure functions over the parsed JSON: no file or network access.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import datetime as dt
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import ada_url

from crossorigin.doctor.explain import Diagnosis, diagnose
from crossorigin.doctor.probe import NonBrowserView, ProbeReport, WireExchange
from crossorigin.engine import (
    EngineInputError,
    Fetch,
    FetchRequest,
    FetchResult,
    HttpRequest,
    HttpResponse,
    PreflightCache,
)
from crossorigin.engine.model import Credentials
from crossorigin.headers import (
    cors_unsafe_request_header_names,
    is_forbidden_request_header,
    parse_header_list,
)
from crossorigin.origin import OriginError, origin_of_url

__all__ = [
    "CrossOriginRequest",
    "HarAnalysis",
    "HarEntry",
    "HarError",
    "HarLog",
    "RequestDiagnosis",
    "analyse_har",
    "find_cross_origin",
    "is_secret_header",
    "parse_har",
    "redact",
]

Header = tuple[str, str]
Recorded = Literal["blocked", "allowed", "failed", "unknown"]
Verdict = Literal["allowed", "opaque", "blocked", "not-replayable", "network-error", "unknown"]

# Headers the browser adds by itself: never the page's doing unless the preflight asked for
# them (Access-Control-Request-Headers). DevTools' "Disable cache" adds Cache-Control/Pragma;
# Firefox adds Alt-Used (HTTP/2 and 3 alternative services), TE: trailers, Priority and
# Upgrade-Insecure-Requests (TE and Sec-GPC are forbidden names, left out anyway).
_BROWSER_ADDED = frozenset(
    {
        "accept",
        "alt-used",
        "te",
        "accept-language",
        "user-agent",
        "cache-control",
        "pragma",
        "priority",
        "upgrade-insecure-requests",
        "dnt",
        "x-client-data",
        "purpose",
    }
)
# Chrome's _resourceType -> the request kind its CORS console line names.
_CONSOLE_KINDS = {
    "fetch": "fetch",
    "xhr": "XMLHttpRequest",
    "font": "font",
    "script": "script",
    "stylesheet": "CSS stylesheet",
    "image": "image",
}
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# Chrome's _error values that are not CORS failures, and what they mean.
_OTHER_FAILURES = {
    "net::ERR_ABORTED": "the request was cancelled (the page navigated away, or the script "
    "aborted it)",
    "net::ERR_BLOCKED_BY_CLIENT": "an extension (an ad blocker) blocked it",
    "net::ERR_BLOCKED_BY_RESPONSE": "Cross-Origin-Resource-Policy or embedder policy (COEP) "
    "blocked the response",
    "net::ERR_CONNECTION_REFUSED": "nothing listened at that host and port",
    "net::ERR_NAME_NOT_RESOLVED": "the host name did not resolve",
    "net::ERR_CERT_AUTHORITY_INVALID": "the server's certificate was not trusted",
}
_MISSING_VALUE = "(value not in the HAR)"
NOT_IN_HAR = "preflight passed; the request itself is not in the HAR (unknown)"
# A HAR exported "with sensitive data" holds session cookies and tokens. Their values never
# matter to CORS (none of these names is CORS-safelisted), only their presence: the analysis
# reads them from the entries, and everything shown or handed to the engine has them redacted.
REDACTED = "[redacted]"
_SECRET_NAMES = frozenset(
    {"cookie", "cookie2", "set-cookie", "set-cookie2", "authorization", "proxy-authorization"}
)
_SECRET_PARTS = ("token", "secret", "api-key", "apikey", "password", "session", "signature")


def is_secret_header(name: str) -> bool:
    """Whether a header's value is a credential (cookies, authorization, API keys, tokens)."""
    lowered = name.strip().lower()
    return lowered in _SECRET_NAMES or any(part in lowered for part in _SECRET_PARTS)


def redact(headers: Sequence[Header]) -> tuple[Header, ...]:
    """``headers`` with the value of each credential header replaced by ``[redacted]``."""
    return tuple(
        (name, REDACTED if is_secret_header(name) and value else value) for name, value in headers
    )


class _NoAnswer(str):
    """A caveat that an entry got no response: replaced by the recorded error's meaning when
    the browser recorded one (the flag is the type, not the wording)."""

    __slots__ = ()


class HarError(ValueError):
    """The input is not a HAR this command can read: the message names what is wrong."""


# == reading ==================================================================================


@dataclass(frozen=True, slots=True)
class HarEntry:
    """One ``log.entries[]`` item, as far as CORS cares. ``index`` is its place in the file."""

    index: int
    method: str
    url: str
    headers: tuple[Header, ...]
    status: int
    status_text: str
    http_version: str
    response_headers: tuple[Header, ...]
    started: float | None
    started_text: str
    error: str | None  # Chrome's response._error ("net::ERR_FAILED"), None otherwise
    has_error_field: bool  # Chrome writes _error (null when none); Firefox does not
    resource_type: str
    initiator_type: str
    initiator_url: str
    from_cache: str
    redirect_url: str
    body: str | None
    response_body: str
    response_size: int | None
    time_ms: float

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        values = [value for key, value in self.headers if key.lower() == lowered]
        return ", ".join(values) if values else None

    def response_header(self, name: str) -> str | None:
        lowered = name.lower()
        values = [value for key, value in self.response_headers if key.lower() == lowered]
        return ", ".join(values) if values else None

    @property
    def is_preflight(self) -> bool:
        if self.method.upper() != "OPTIONS":
            return False
        return (
            self.resource_type == "preflight"
            or self.initiator_type == "preflight"
            or self.header("Access-Control-Request-Method") is not None
        )

    @property
    def got_response(self) -> bool:
        return self.status > 0

    @property
    def location(self) -> str | None:
        """Where a redirect hop points, resolved against its URL."""
        if self.status not in _REDIRECT_STATUSES:
            return None
        target = self.redirect_url or self.response_header("Location") or ""
        if not target:
            return None
        try:
            return str(ada_url.URL(target, self.url).href).split("#", 1)[0]
        except ValueError:
            return None

    @property
    def label(self) -> str:
        return f"entry {self.index} ({self.method} {self.url})"


@dataclass(frozen=True, slots=True)
class HarLog:
    """The entries of a HAR, sorted by ``startedDateTime`` (file order breaks ties)."""

    creator: str
    browser: Literal["chromium", "firefox", "unknown"]
    entries: tuple[HarEntry, ...]
    notes: tuple[str, ...] = ()
    sanitized: bool = False


def _where(index: int, part: str = "") -> str:
    return f"log.entries[{index}]{'.' + part if part else ''}"


def _headers(raw: object, where: str) -> tuple[tuple[Header, ...], bool]:
    """The ``{name, value}`` list as pairs; also whether any name was an HTTP/2 pseudo-header
    (dropped: ``:authority``, ``:method``, ``:path``, ``:scheme`` are not header fields)."""
    if raw is None:
        return (), False
    if not isinstance(raw, list):
        raise HarError(f"{where} is {type(raw).__name__}, not a list of {{name, value}}")
    pairs: list[Header] = []
    pseudo = False
    for position, item in enumerate(raw):
        if not isinstance(item, Mapping) or not isinstance(item.get("name"), str):
            raise HarError(f"{where}[{position}] is not a {{name, value}} object: {item!r:.80}")
        name = item["name"]
        value = item.get("value", "")
        if name.startswith(":"):
            pseudo = True
            continue
        pairs.append((name, str(value) if value is not None else ""))
    return tuple(pairs), pseudo


def _timestamp(text: object) -> float | None:
    if not isinstance(text, str) or not text:
        return None
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.timestamp()


def _text_is_known(content: Mapping[str, Any]) -> bool:
    return isinstance(content.get("text"), str)


_BODY_KEPT = 4096  # characters of a response body kept for stack detection


def _body_text(content: Mapping[str, Any]) -> str:
    """The start of the response body as text: DevTools stores binary and some text bodies
    base64-encoded (``encoding: "base64"``); only a bounded prefix is decoded."""
    text = content.get("text")
    if not isinstance(text, str):
        return ""
    if str(content.get("encoding") or "").lower() != "base64":
        return text[:_BODY_KEPT]
    # 4 base64 characters make 3 bytes: a prefix of a multiple of 4 decodes on its own.
    prefix = "".join(text[: _BODY_KEPT * 2].split())[: _BODY_KEPT // 3 * 4]
    try:
        raw = base64.b64decode(prefix, validate=False)
    except (binascii.Error, ValueError):
        return ""
    return raw.decode("utf-8", "replace")[:_BODY_KEPT]


def _entry(index: int, raw: object) -> tuple[HarEntry, bool]:
    if not isinstance(raw, Mapping):
        raise HarError(f"{_where(index)} is {type(raw).__name__}, not an object")
    request = raw.get("request")
    response = raw.get("response") or {}
    if not isinstance(request, Mapping):
        raise HarError(f"{_where(index)} has no 'request' object")
    if not isinstance(response, Mapping):
        raise HarError(f"{_where(index, 'response')} is not an object")
    method = request.get("method")
    url = request.get("url")
    if not isinstance(method, str) or not method:
        raise HarError(f"{_where(index, 'request')} has no 'method'")
    if not isinstance(url, str) or not url:
        raise HarError(f"{_where(index, 'request')} has no 'url'")
    headers, pseudo_request = _headers(request.get("headers"), _where(index, "request.headers"))
    response_headers, pseudo_response = _headers(
        response.get("headers"), _where(index, "response.headers")
    )
    status = response.get("status", 0)
    if isinstance(status, str) and status.isdigit():
        status = int(status)
    if not isinstance(status, int) or isinstance(status, bool):
        raise HarError(f"{_where(index, 'response.status')} is {status!r}, not a number")
    initiator = raw.get("_initiator") if isinstance(raw.get("_initiator"), Mapping) else {}
    assert isinstance(initiator, Mapping)
    post = request.get("postData")
    body = post.get("text") if isinstance(post, Mapping) else None
    content = response.get("content") if isinstance(response.get("content"), Mapping) else {}
    assert isinstance(content, Mapping)
    # content.size is the decoded body; DevTools writes 0 for bodies it never got (a blocked
    # response), with bodySize -1: then the size is unknown, not empty.
    size = content.get("size")
    body_size = response.get("bodySize")
    if (
        size == 0
        and not _text_is_known(content)
        and not (isinstance(body_size, int) and body_size >= 0)
    ):
        size = None
    text = _body_text(content)
    error = response.get("_error")
    time_ms = raw.get("time")
    entry = HarEntry(
        index=index,
        method=method,
        url=url.split("#", 1)[0],
        headers=headers,
        status=status,
        status_text=str(response.get("statusText") or ""),
        http_version=str(response.get("httpVersion") or ""),
        response_headers=response_headers,
        started=_timestamp(raw.get("startedDateTime")),
        started_text=str(raw.get("startedDateTime") or ""),
        error=error if isinstance(error, str) and error else None,
        has_error_field="_error" in response,
        resource_type=str(raw.get("_resourceType") or "").lower(),
        initiator_type=str(initiator.get("type") or ""),
        initiator_url=str(initiator.get("url") or ""),
        from_cache=str(raw.get("_fromCache") or ""),
        redirect_url=str(response.get("redirectURL") or ""),
        body=body if isinstance(body, str) else None,
        response_body=text,
        response_size=size if isinstance(size, int) and size >= 0 else None,
        time_ms=float(time_ms) if isinstance(time_ms, int | float) else 0.0,
    )
    return entry, pseudo_request or pseudo_response


def parse_har(data: object) -> HarLog:
    """Read a parsed HAR document; :class:`HarError` names the first thing that is wrong."""
    if not isinstance(data, Mapping):
        raise HarError(
            f"the input is a JSON {type(data).__name__}, not a HAR: a HAR is an object "
            'with a "log" (export it from the browser\'s Network panel: "Save all as HAR")'
        )
    log = data.get("log")
    if not isinstance(log, Mapping):
        keys = ", ".join(list(data)[:5]) or "none"
        raise HarError(
            f'the JSON object has no "log" object (its keys: {keys}): not a HAR; export one '
            'from the browser\'s Network panel ("Save all as HAR")'
        )
    entries_raw = log.get("entries")
    if not isinstance(entries_raw, list):
        raise HarError("log.entries is missing or not a list: not a HAR 1.2 log")
    creator_raw = log.get("creator")
    creator = str(creator_raw.get("name") or "") if isinstance(creator_raw, Mapping) else ""
    parsed = [_entry(index, raw) for index, raw in enumerate(entries_raw)]
    entries = [entry for entry, _ in parsed]
    notes: list[str] = []
    if any(pseudo for _, pseudo in parsed):
        notes.append(
            "HTTP/2 pseudo-headers (:authority, :method, :path, :scheme) in the header lists "
            "were left out: they are not header fields."
        )
    chrome = creator == "WebInspector" or any(
        e.has_error_field or e.resource_type or e.initiator_type for e in entries
    )
    firefox = creator.lower() == "firefox"
    browser: Literal["chromium", "firefox", "unknown"] = (
        "chromium" if chrome else "firefox" if firefox else "unknown"
    )
    if browser != "chromium":
        notes.append(
            f"The HAR comes from {creator or 'an unknown exporter'}, which records no preflight "
            "initiator and no blocked marker: preflights are paired by URL, method and time, "
            "and the verdict is the engine's alone."
        )
    timed = [e for e in entries if e.started is not None]
    ordered = sorted(
        entries, key=lambda e: (e.started if e.started is not None else float("inf"), e.index)
    )
    if len(timed) == len(entries) and [e.index for e in ordered] != [e.index for e in entries]:
        notes.append(
            "The entries are not in time order in the file: they were sorted by startedDateTime."
        )
    sanitized = (
        bool(entries)
        and not any(
            name.lower() in ("cookie", "authorization") for e in entries for name, _ in e.headers
        )
        and not any(name.lower() == "set-cookie" for e in entries for name, _ in e.response_headers)
    )
    return HarLog(creator, browser, tuple(ordered), tuple(notes), sanitized)


# == pairing ==================================================================================


@dataclass(frozen=True, slots=True)
class CrossOriginRequest:
    """One fetch() a page made to another origin: its hops (redirects) and preflights."""

    page_origin: str
    origin_source: str  # which header told the page's origin
    hops: tuple[HarEntry, ...]
    preflights: tuple[HarEntry, ...]

    @property
    def first(self) -> HarEntry:
        return self.hops[0]

    @property
    def last(self) -> HarEntry:
        return self.hops[-1]

    @property
    def started(self) -> float:
        times = [e.started for e in (*self.hops, *self.preflights) if e.started is not None]
        return min(times) if times else 0.0

    @property
    def indexes(self) -> list[int]:
        return sorted(e.index for e in (*self.hops, *self.preflights))


def _origin(url: str) -> str | None:
    try:
        return origin_of_url(url).serialize()
    except (OriginError, ValueError):
        return None


def _chains(entries: Sequence[HarEntry]) -> list[list[HarEntry]]:
    """Non-preflight entries linked by redirects: a 3xx with a Location, then the next entry
    (by time) for that URL that is not itself a continuation."""
    followed: set[int] = set()
    next_hop: dict[int, HarEntry] = {}
    positions: dict[str, list[int]] = {}
    for position, entry in enumerate(entries):
        positions.setdefault(entry.url, []).append(position)
    for position, entry in enumerate(entries):
        target = entry.location
        if target is None:
            continue
        for later_position in positions.get(target, ()):
            later = entries[later_position]
            if later_position > position and later.index not in followed:
                followed.add(later.index)
                next_hop[entry.index] = later
                break
    chains = []
    for entry in entries:
        if entry.index in followed:
            continue
        chain = [entry]
        while chain[-1].index in next_hop:
            chain.append(next_hop[chain[-1].index])
        chains.append(chain)
    return chains


def _preflight_target(preflight: HarEntry) -> str:
    # Chrome names the actual request's URL in _initiator.url; Firefox: the same URL.
    return preflight.initiator_url or preflight.url


def _distance(a: HarEntry, b: HarEntry) -> float:
    if a.started is None or b.started is None:
        return abs(a.index - b.index) * 1e-3
    return abs(a.started - b.started)


def _cors_mode(entry: HarEntry) -> bool:
    """Whether a request carrying Origin was made in CORS mode. Navigations (a form posted to
    another site), WebSocket handshakes and no-cors requests (sendBeacon, fetch with mode
    'no-cors') send Origin too, but no CORS check applies to them. Sec-Fetch-Mode tells
    (sent to secure origins only); otherwise Chrome's resource type does."""
    mode = (entry.header("Sec-Fetch-Mode") or "").strip().lower()
    if mode:
        return mode == "cors"
    if entry.resource_type in ("document", "websocket", "ping"):
        return False
    return not entry.url.startswith(("ws:", "wss:"))


def _page_origin(
    chain: Sequence[HarEntry], preflights: Sequence[HarEntry]
) -> tuple[str | None, str]:
    """The page's origin and where it was read: the first hop that carries an Origin (a
    same-origin GET carries none; a redirect to another origin adds it), else a preflight's.
    "null" (a tainted origin after a redirect) only when nothing else tells."""
    found: list[tuple[str, str]] = []
    for position, hop in enumerate(chain):
        value = hop.header("Origin")
        if value is not None:
            where = "the request's Origin header" if position == 0 else "a redirect hop's Origin"
            found.append((value.strip(), where))
    for preflight in preflights:
        value = preflight.header("Origin")
        if value is not None:
            found.append((value.strip(), "the preflight's Origin"))
    for value, where in found:
        if value != "null":
            return value, where
    return (found[0][0], found[0][1]) if found else (None, "")


# Names a sanitized export removes from the request though the preflight asked for them.
_SANITIZED_AWAY = frozenset({"authorization"})


def _preflight_fits(preflight: HarEntry, hop: HarEntry) -> bool:
    """Whether ``preflight`` can be the one sent for ``hop``: same Origin, and it asked for
    exactly the hop's CORS-unsafe header names (less what the browser added after the
    preflight, DevTools' Cache-Control; plus what a sanitized export dropped)."""
    origin, hop_origin = preflight.header("Origin"), hop.header("Origin")
    if origin is not None and hop_origin is not None and origin.strip() != hop_origin.strip():
        return False
    asked = {
        name.lower()
        for name in parse_header_list(preflight.header("Access-Control-Request-Headers")) or []
    }
    unsafe = set(cors_unsafe_request_header_names(hop.headers))
    if not (unsafe - _BROWSER_ADDED) <= asked:
        return False
    return asked - unsafe <= _SANITIZED_AWAY


_NEAREST = 8  # hops looked at on each side of a preflight's time, per group


def _time(entry: HarEntry) -> float:
    return entry.started if entry.started is not None else entry.index * 1e-3


def _group_keys(
    preflight: HarEntry, target: str, method: str
) -> list[tuple[str, str, str | None, frozenset[str]]]:
    """The hop groups (see :func:`_pair_preflights`) ``preflight`` may fit: the names it
    asked for, less any subset of those the browser adds or a sanitized export drops."""
    asked = frozenset(
        name.lower()
        for name in parse_header_list(preflight.header("Access-Control-Request-Headers")) or []
    )
    optional = sorted(asked & (_BROWSER_ADDED | _SANITIZED_AWAY))
    origin = preflight.header("Origin")
    origins = [origin.strip(), None] if origin else [None]
    name_sets = [
        asked - frozenset(dropped)
        for size in range(len(optional) + 1)
        for dropped in itertools.combinations(optional, size)
    ]
    return [(target, method, o, names) for o in origins for names in name_sets]


def _pair_preflights(
    preflights: Sequence[HarEntry], chains: Sequence[Sequence[HarEntry]]
) -> dict[int, list[HarEntry]]:
    """Each preflight with the request (chain number) it was sent for: the hops for its
    target URL and method that it fits (:func:`_preflight_fits`), the nearest in time first,
    over all pairs at once (concurrent requests to one URL are told apart by their headers,
    then by time), one preflight per hop."""
    # Hops grouped by what a preflight must match (URL, method, Origin, unsafe names less the
    # browser's own), each group in time order: a preflight looks up the few groups it can
    # fit and the nearest hops in each, so a 10,000-request HAR pairs in linear time.
    groups: dict[tuple[str, str, str | None, frozenset[str]], list[tuple[float, int, HarEntry]]]
    groups = {}
    by_url: dict[str, list[tuple[int, HarEntry]]] = {}
    for number, chain in enumerate(chains):
        for hop in chain:
            origin = hop.header("Origin")
            names = frozenset(cors_unsafe_request_header_names(hop.headers)) - _BROWSER_ADDED
            key = (hop.url, hop.method.upper(), origin.strip() if origin else None, names)
            groups.setdefault(key, []).append((_time(hop), number, hop))
            by_url.setdefault(hop.url, []).append((number, hop))
    for group in groups.values():
        group.sort(key=lambda item: (item[0], item[2].index))
    candidates: list[tuple[float, int, int, int, HarEntry]] = []
    for order, preflight in enumerate(preflights):
        method = (preflight.header("Access-Control-Request-Method") or "").strip().upper()
        target = _preflight_target(preflight)
        if not method:
            hops = by_url.get(target, [])
        else:
            hops = []
            for key in _group_keys(preflight, target, method):
                group = groups.get(key, [])
                at = bisect.bisect_left(group, _time(preflight), key=lambda item: item[0])
                hops += [(n, h) for _, n, h in group[max(0, at - _NEAREST) : at + _NEAREST]]
        for number, hop in hops:
            if _preflight_fits(preflight, hop):
                candidates.append((_distance(preflight, hop), order, hop.index, number, preflight))
    candidates.sort(key=lambda c: c[:3])
    paired: dict[int, list[HarEntry]] = {}
    taken_preflights: set[int] = set()
    taken_hops: set[int] = set()
    for _, _, hop_index, number, preflight in candidates:
        if preflight.index in taken_preflights or hop_index in taken_hops:
            continue
        taken_preflights.add(preflight.index)
        taken_hops.add(hop_index)
        paired.setdefault(number, []).append(preflight)
    for pre in paired.values():
        pre.sort(key=lambda e: (e.started if e.started is not None else float("inf"), e.index))
    return paired


def find_cross_origin(log: HarLog) -> list[CrossOriginRequest]:
    """The requests a page sent to another origin, each with its redirect hops and preflights,
    in time order."""
    entries = list(log.entries)
    preflights = [e for e in entries if e.is_preflight]
    chains = _chains([e for e in entries if not e.is_preflight])
    paired = _pair_preflights(preflights, chains)
    found: list[CrossOriginRequest] = []
    for number, chain in enumerate(chains):
        pre = tuple(paired.get(number, []))
        page_origin, source = _page_origin(chain, pre)
        if page_origin is None:
            continue
        url_origins = [_origin(hop.url) for hop in chain]
        if url_origins[0] is None:
            continue
        # A same-origin request that a redirect sent to another origin (the classic SSO
        # redirect) is cross-origin from that hop on: the Origin header appears there only.
        if all(url_origin == page_origin for url_origin in url_origins) and not pre:
            continue
        if not pre and not any(_cors_mode(hop) for hop in chain if hop.header("Origin")):
            continue
        found.append(CrossOriginRequest(page_origin, source, tuple(chain), pre))
    # Preflights whose request is not in the file: the browser stopped there and recorded
    # no actual request (or the export lost it). Each becomes a request of its own.
    used = {p.index for c in found for p in c.preflights}
    for preflight in preflights:
        if preflight.index in used or preflight.header("Origin") is None:
            continue
        found.append(
            CrossOriginRequest(
                (preflight.header("Origin") or "").strip(),
                "the preflight's Origin",
                (),
                (preflight,),
            )
        )
    found.sort(key=lambda c: (c.started, c.indexes[0]))
    return found


# == replay ===================================================================================


@dataclass(frozen=True, slots=True)
class RequestDiagnosis:
    """The engine's verdict on one recorded cross-origin request, and what the HAR left open."""

    request: CrossOriginRequest
    fetch: FetchRequest
    report: ProbeReport
    diagnosis: Diagnosis
    recorded: Recorded
    credentials_evidence: str
    credentials_inferred: bool
    caveats: tuple[str, ...] = ()
    # The preflight passed but the HAR has no actual request: the replay stopped there.
    incomplete: bool = False

    @property
    def result(self) -> FetchResult:
        return self.report.result

    @property
    def verdict(self) -> Verdict:
        """What the replay decided: ``blocked`` is a CORS error only; a rebuilt call fetch()
        would refuse (a TypeError: a header name with a space) is ``not-replayable``."""
        if self.incomplete:
            return "unknown"
        result = self.result
        if result.error is not None:
            return "blocked"
        if result.type_error is not None:
            return "not-replayable"
        if result.outcome == "blocked":
            return "network-error"
        return result.outcome

    @property
    def blocked(self) -> bool:
        """Blocked by CORS (a CorsError), not by anything else."""
        return self.verdict == "blocked"

    @property
    def agrees(self) -> bool | None:
        """Whether the engine's verdict matches the browser's recorded one (None: unknown)."""
        if self.recorded in ("unknown", "failed"):
            return None  # nothing recorded, or another failure than CORS: nothing to compare
        if self.verdict not in ("blocked", "allowed", "opaque"):
            return None
        return (self.recorded == "blocked") == self.blocked


@dataclass(frozen=True, slots=True)
class HarAnalysis:
    """Every cross-origin request of a HAR, diagnosed."""

    log: HarLog
    requests: tuple[RequestDiagnosis, ...]
    notes: tuple[str, ...] = field(default_factory=tuple)
    skipped: tuple[str, ...] = ()
    # Page origins of the cross-origin requests left out by the ``origin`` filter.
    other_origins: tuple[str, ...] = ()

    @property
    def blocked(self) -> tuple[RequestDiagnosis, ...]:
        """The requests blocked by CORS (a CorsError; a TypeError or network error is not)."""
        return tuple(r for r in self.requests if r.blocked)


def _recorded(request: CrossOriginRequest) -> Recorded:
    """What the browser did, as far as the HAR says (Chrome's _error; Firefox: unknown)."""
    if not request.hops:
        # A preflight's own _error is about its HTTP exchange, not the CORS verdict.
        return "unknown"
    last = request.last
    if not last.has_error_field:
        return "unknown"
    if last.error is None:
        return "allowed" if last.got_response else "unknown"
    if last.error == "net::ERR_FAILED":
        return "blocked"
    return "failed"


def _page_headers(request: CrossOriginRequest) -> tuple[tuple[Header, ...], list[str]]:
    """The headers the page's script set: the recorded ones minus what the browser adds,
    plus the names the preflight asked for that the export dropped (sanitized)."""
    asked: list[str] = []
    for preflight in request.preflights[:1]:
        asked = parse_header_list(preflight.header("Access-Control-Request-Headers")) or []
    asked_lower = [name.lower() for name in asked]
    caveats: list[str] = []
    kept: list[Header] = []
    source = request.first.headers if request.hops else ()
    for name, value in source:
        lowered = name.lower()
        if is_forbidden_request_header(name, value):
            continue
        if lowered in _BROWSER_ADDED and lowered not in asked_lower:
            continue
        kept.append((name, REDACTED if is_secret_header(name) and value else value))
    have = {name.lower() for name, _ in kept}
    missing = [name for name in asked if name.lower() not in have]
    for name in missing:
        kept.append((name, _MISSING_VALUE))
    if missing and not request.hops:
        caveats.append(
            "The HAR has no entry for the request this preflight was sent for (the browser "
            "did not send it, or the export left it out): its method and header names come "
            "from the preflight's Access-Control-Request-Method and -Headers; header values "
            "are unknown, and only the names matter to CORS."
        )
    elif missing:
        caveats.append(
            "The preflight asked for " + ", ".join(missing) + " but the recorded request "
            "does not carry " + ("it" if len(missing) == 1 else "them") + " (a sanitized "
            "export drops Authorization and Cookie): the value is unknown; only the name "
            "matters to CORS."
        )
    return tuple(kept), caveats


def _credentials(request: CrossOriginRequest, log: HarLog) -> tuple[Credentials, str, bool]:
    """fetch()'s credentials mode, from the evidence the HAR holds (mode, why, inferred?)."""
    if any(hop.header("Cookie") is not None for hop in request.hops):
        return "include", "the request carried a Cookie header", False
    for entry in (*request.hops, *request.preflights):
        if (entry.response_header("Access-Control-Allow-Credentials") or "").strip() == "true":
            return (
                "include",
                "inferred: no Cookie header in the HAR"
                + (" (sanitized export)" if log.sanitized else "")
                + ", but the server answers Access-Control-Allow-Credentials: true",
                True,
            )
    return (
        "same-origin",
        "inferred: no Cookie header in the HAR"
        + (" (a sanitized export drops them)" if log.sanitized else ""),
        True,
    )


def _assumed_preflight(out: HttpRequest, page_origin: str, credentials: bool) -> HttpResponse:
    """A passing answer for a preflight the HAR does not hold (served from the cache)."""
    headers: list[Header] = [("Access-Control-Allow-Origin", page_origin)]
    if credentials:
        headers.append(("Access-Control-Allow-Credentials", "true"))
    method = out.header("Access-Control-Request-Method")
    if method:
        headers.append(("Access-Control-Allow-Methods", method))
    asked = out.header("Access-Control-Request-Headers")
    if asked:
        headers.append(("Access-Control-Allow-Headers", asked))
    return HttpResponse(status=204, headers=tuple(headers), url=out.url)


def _response(entry: HarEntry) -> HttpResponse:
    return HttpResponse(
        status=entry.status,
        headers=redact(entry.response_headers),
        body_size=entry.response_size,
        url=entry.url,
    )


def _replay(
    fetch_request: FetchRequest,
    request: CrossOriginRequest,
    cache: PreflightCache,
    credentials: bool,
) -> tuple[FetchResult, list[WireExchange], list[str], bool]:
    """Run the engine with each request it makes answered from the HAR. The last item says
    the replay stopped early: the preflight passed and the HAR holds no actual request, so
    what the browser did next is unknown (and no console line is invented for it)."""
    fetch = Fetch(fetch_request, browser="chromium", cache=cache, now=request.started)
    wire: list[WireExchange] = []
    caveats: list[str] = []
    preflights = list(request.preflights)
    hops = list(request.hops)
    while (out := fetch.next_request()) is not None:
        pool = preflights if out.is_preflight else hops
        # By URL only: a preflight recorded for another URL is not this one's (the engine's
        # preflight then came from the cache, said below).
        entry = next((e for e in pool if e.url == out.url), None)
        if entry is not None:
            pool.remove(entry)
        kind: Literal["preflight", "actual"] = "preflight" if out.is_preflight else "actual"
        if entry is None and not out.is_preflight and not request.hops:
            caveats.append(NOT_IN_HAR)
            # The engine needs an answer to finish; the checks it makes on this stand-in
            # (stage "network") are dropped with its console line.
            fetch.receive(HttpResponse(status=0, network_error="net::ERR_FAILED", url=out.url))
            result = fetch.result
            checks = list(result.checks)
            while checks and checks[-1].stage == "network":
                checks.pop()
            result = replace(
                result,
                console=None,
                network_error=None,
                checks=tuple(checks),
                exchanges=tuple(e for e in result.exchanges if e.kind == "preflight"),
            )
            return result, wire, caveats, True
        if entry is None and out.is_preflight:
            response: HttpResponse | None = _assumed_preflight(
                out, fetch_request.page_origin, credentials
            )
            caveats.append(
                f"No preflight for {out.url} is in the HAR, though the browser needs one: it "
                "was most likely answered from the browser's preflight cache (an earlier, "
                "unrecorded preflight). Assumed to have passed."
            )
        elif entry is None:
            response = None
            caveats.append(
                f"The HAR has no {out.method} {out.url}, which the browser would have sent next."
            )
        elif not entry.got_response:
            response = None
            caveats.append(
                _NoAnswer(
                    f"The browser recorded {entry.label} with status 0 and no response"
                    + (f" ({entry.error})" if entry.error else "")
                    + ": it never got an answer."
                )
            )
        else:
            response = _response(entry)
            if entry.from_cache:
                caveats.append(
                    f"{entry.label} was served from the browser's {entry.from_cache} cache: "
                    "these are the headers stored with it, possibly for another origin "
                    "(a cached response without Vary: Origin is a classic CORS failure)."
                )
        if response is None:
            failure = entry.error if entry is not None and entry.error else "net::ERR_FAILED"
            response = HttpResponse(status=0, network_error=failure, url=out.url)
            wire.append(WireExchange(kind, out, None))
            fetch.receive(response)
            continue
        assert entry is not None or out.is_preflight
        # Show the request as the HAR recorded it (its header lines, as the user sees them in
        # the file); the engine's own request is what it checked, and they agree on CORS.
        shown = out
        if entry is not None and entry.headers:
            shown = replace(out, headers=redact(entry.headers))
        wire.append(
            WireExchange(
                kind,
                shown,
                response,
                reason=entry.status_text if entry is not None else "No Content",
                http_version=entry.http_version if entry is not None else "",
                body_size=entry.response_size if entry is not None else 0,
                body_preview=entry.response_body.encode("utf-8", "replace")
                if entry is not None
                else b"",
                elapsed=entry.time_ms / 1000 if entry is not None else 0.0,
            )
        )
        fetch.receive(response)
    return fetch.result, wire, caveats, False


def _non_browser(result: FetchResult, wire: Sequence[WireExchange]) -> NonBrowserView | None:
    """What the server answered (what curl would get): the last recorded actual response."""
    actual = [w for w in wire if w.kind == "actual" and w.response is not None]
    if not actual:
        return None
    return NonBrowserView.answered(actual[-1])


def _diagnose_one(
    request: CrossOriginRequest,
    log: HarLog,
    caches: dict[str, PreflightCache],
    stack: str | None,
) -> RequestDiagnosis:
    headers, caveats = _page_headers(request)
    credentials, evidence, inferred = _credentials(request, log)
    first = request.first if request.hops else None
    preflight = request.preflights[0] if request.preflights else None
    method = (
        first.method
        if first is not None
        else (
            (preflight.header("Access-Control-Request-Method") if preflight else None) or "GET"
        ).strip()
    )
    url = first.url if first is not None else _preflight_target(request.preflights[0])
    resource_type = first.resource_type if first is not None else ""
    # Chromium names the request kind in its console line (Resource::ResourceTypeToString):
    # "Access to font at", "Access to CSS stylesheet at"; fetch for anything else.
    initiator = _CONSOLE_KINDS.get(resource_type, "fetch")
    fetch_request = FetchRequest(
        page_origin=request.page_origin,
        url=url,
        method=method,
        headers=headers,
        credentials=credentials,
        body=first.body if first is not None else None,
        initiator=initiator,
    )
    recorded = _recorded(request)
    # One preflight cache per page origin, filled in time order: a request whose preflight
    # the browser took from its cache has no preflight entry in the HAR.
    cache = caches.setdefault(request.page_origin, PreflightCache("chromium"))
    result, wire, replay_caveats, incomplete = _replay(
        fetch_request, request, cache, credentials == "include"
    )
    # The credentials mode is a guess. Run the other mode too: when only it reproduces the
    # browser's recorded verdict, that was the mode; when both give the same verdict, the
    # guess does not matter and is not worth a caveat.
    if inferred:
        other: Credentials = "same-origin" if credentials == "include" else "include"
        other_request = replace(fetch_request, credentials=other)
        other_result, other_wire, other_caveats, other_incomplete = _replay(
            other_request, request, PreflightCache("chromium"), other == "include"
        )
        verdict_depends = other_result.error_name != result.error_name
        known = recorded in ("blocked", "allowed")
        guess_matches = known and (result.outcome == "blocked") == (recorded == "blocked")
        other_matches = known and (other_result.outcome == "blocked") == (recorded == "blocked")
        other_verdict = other_result.error_name or other_result.outcome
        if verdict_depends and other_matches and not guess_matches:
            evidence = (
                "inferred: no Cookie header in the HAR"
                + (" (sanitized export)" if log.sanitized else "")
                + f"; only credentials: '{other}' reproduces what the browser recorded "
                f"({recorded})"
            )
            fetch_request, result, wire, replay_caveats, incomplete = (
                other_request,
                other_result,
                other_wire,
                other_caveats,
                other_incomplete,
            )
            caveats.insert(0, f"Credentials mode {other!r}: {evidence}.")
        elif verdict_depends and guess_matches and not other_matches:
            evidence += (
                f"; the browser's recorded outcome ({recorded}) confirms it (with credentials: "
                f"'{other}' it would be {other_verdict})"
            )
        elif verdict_depends:
            caveats.insert(
                0,
                f"Credentials mode {credentials!r}: {evidence}. The verdict depends on it: "
                f"with credentials: '{other}' it would be {other_verdict}.",
            )
    caveats += replay_caveats
    if initiator not in ("fetch", "XMLHttpRequest"):
        caveats.append(
            f"Chrome recorded a {initiator} load (_resourceType {resource_type!r}), not a "
            "fetch(): it is shown as the fetch() that makes the same CORS request, and the "
            f"console line names it as Chromium does ('Access to {initiator} at')."
        )
    recorded_error = (request.last if request.hops else request.preflights[-1]).error
    if recorded == "failed" and recorded_error is not None:
        meaning = _OTHER_FAILURES.get(recorded_error, "a network failure")
        caveats = [c for c in caveats if not isinstance(c, _NoAnswer)]
        caveats.append(
            f"The browser recorded {recorded_error}: not a CORS error ({meaning})."
            + (
                " The verdict above is what CORS alone decides on the recorded headers."
                if request.hops and request.last.got_response
                else ""
            )
        )
    if request.hops and not request.last.got_response and result.preflight_sent:
        caveats.append(
            "The actual request was never sent (status 0 in the HAR): the browser stopped at "
            "the preflight."
        )
    report = ProbeReport(
        request=fetch_request,
        browser="chromium",
        result=result,
        wire=tuple(wire),
        non_browser=_non_browser(result, wire),
    )
    diagnosis = diagnose(report, stack=stack)
    return RequestDiagnosis(
        request=request,
        fetch=fetch_request,
        report=report,
        diagnosis=diagnosis,
        recorded=recorded,
        credentials_evidence=evidence,
        credentials_inferred=inferred,
        caveats=tuple(caveats),
        incomplete=incomplete,
    )


def analyse_har(
    data: object, *, origin: str | None = None, stack: str | None = None
) -> HarAnalysis:
    """Parse ``data`` (a HAR's parsed JSON), find its cross-origin requests and diagnose each.

    ``origin`` keeps only requests made by pages of that origin; ``stack`` chooses the
    server fix (default: detected from the recorded responses). Raises :class:`HarError`.
    """
    log = parse_har(data)
    wanted = origin.rstrip("/") if origin else None
    requests: list[RequestDiagnosis] = []
    skipped: list[str] = []
    caches: dict[str, PreflightCache] = {}
    others: list[str] = []
    for request in find_cross_origin(log):
        if wanted is not None and request.page_origin != wanted:
            if request.page_origin not in others:
                others.append(request.page_origin)
            continue
        try:
            requests.append(_diagnose_one(request, log, caches, stack))
        except EngineInputError as error:
            skipped.append(f"entries {request.indexes}: {error}")
    notes = list(log.notes)
    if log.sanitized and requests:
        notes.append(
            "No Cookie, Authorization or Set-Cookie header anywhere in the file: none were "
            "sent, or the export was sanitized (DevTools' default): credentials modes are "
            "inferred."
        )
    return HarAnalysis(log, tuple(requests), tuple(notes), tuple(skipped), tuple(others))
