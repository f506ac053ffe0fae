"""Explanations: read a browser's CORS console message, and say why and what to change.

Two halves, both pure (no I/O, no rich):

- :func:`recognize` reads a pasted console message. Its patterns are generated from the
  catalogue (:mod:`crossorigin.errors`): each browser's message is built with placeholders in
  the slots (URL, origin, failing value, status...) and the result is turned into a tolerant
  regular expression: any case, straight or curly quotes, line breaks or spaces inserted
  anywhere between words and after hyphens and slashes, the message cut short at the end.
  Messages that look like CORS errors but are not (refused connections, DNS, certificates,
  mixed content, CSP, a bare ``TypeError: Failed to fetch``) are recognized too.
- :func:`diagnose` (for ``check``) and :func:`explain_message` (for ``explain``) turn a
  probe or a recognized message into cause, fix and per-stack configuration
  (:mod:`crossorigin.doctor.fixes`, reached only through :func:`fixes_for`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import ada_url

from crossorigin.doctor.stacks import COMMON_STACKS, Detection, DevServer, detect_dev_server
from crossorigin.doctor.stacks import detect_stacks as _detect_stacks
from crossorigin.engine import FetchResult, HttpResponse
from crossorigin.engine.mixed_content import MIXED_CONTENT_FIX
from crossorigin.errors import (
    CATALOGUE,
    FIREFOX_HEAD,
    LEGACY_FETCH_SUFFIX,
    LEGACY_NO_CORS_HINT,
    CorsError,
    chromium_console_message,
    chromium_detail,
    chromium_legacy_console_messages,
    chromium_mode_console_message,
    firefox_console_message,
    safari_console_messages,
)
from crossorigin.headers import cors_unsafe_request_header_names, is_forbidden_request_header

if TYPE_CHECKING:
    from crossorigin.doctor.fixes import Fix

__all__ = [
    "BROWSERS",
    "Diagnosis",
    "FixSet",
    "LookAlike",
    "MessageExplanation",
    "Need",
    "Recognition",
    "browser_console",
    "diagnose",
    "explain_message",
    "fixes_for",
    "recognize",
]

BROWSERS = ("chromium", "firefox", "safari")


# == recognizing console messages =========================================================

_SLOTS = (
    "url",
    "initial_url",
    "origin",
    "hint",
    "status",
    "kind",
    "resource_space",
    "target_space",
)
_SENTINEL = "@@{}@@"
# Optional parts of a message (the redirect clause, the old status sentence) are marked so.
_OPEN, _CLOSE = "@@[@@", "@@]@@"
_TOKEN_RE = re.compile(r"@@(" + "|".join(_SLOTS) + r"|\[|\])@@")
# URLs and origins hold no spaces (a line break inside one, from wrapping, is allowed).
_SLOT_PATTERNS = {
    "url": r"[^ ]+?",
    "initial_url": r"[^ ]+?",
    "origin": r"[^ ]+?",
    "hint": r".*?",
    "status": r"[^\s.]+",
    "kind": r"[A-Za-z][A-Za-z ]*?",
    "resource_space": r"[\w-]+",
    "target_space": r"[\w-]+",
}
# Quotes as browsers print them and as editors, chat apps and issue trackers turn them.
_QUOTES = str.maketrans(
    {"‘": "'", "’": "'", "‚": "'", "′": "'", "“": '"', "”": '"', "„": '"', "″": '"'}
)
# A match must have read at least this many characters of a message's own text.
_MIN_LITERAL = 16
# Chromium's "Access to {kind} at '{url}'" alone is enough to read a URL from.
_MIN_HEADER = 10


def _s(name: str) -> str:
    return _SENTINEL.format(name)


def _normalize(text: str) -> str:
    """Straight quotes, one space for each run of spaces, one newline for each run of
    whitespace with a line break (a slot at the end of a message ends with its line)."""
    lines = (" ".join(line.split()) for line in text.translate(_QUOTES).splitlines())
    return "\n".join(line for line in lines if line)


def _squash(text: str) -> str:
    return "".join(text.split()).lower()


def _mark_optional(short: str, long: str) -> str:
    """``long`` is ``short`` with one piece inserted: mark that piece optional."""
    extra = len(long) - len(short)
    position = next(
        (i for i, (a, b) in enumerate(zip(short, long, strict=False)) if a != b), len(short)
    )
    while position >= 0:
        if long[position + extra :] == short[position:]:
            return (
                long[:position]
                + _OPEN
                + long[position : position + extra]
                + _CLOSE
                + long[position + extra :]
            )
        position -= 1
    raise ValueError(f"{long!r} does not extend {short!r}")  # pragma: no cover


Piece = tuple[str, "str | list[Piece]"]


def _units(literal: str) -> list[str]:
    """Split text into the pieces a line break may separate: words, and parts of words
    after a hyphen or slash (hard wrapping breaks there)."""
    units: list[str] = []
    for word in literal.split():
        units.extend(re.findall(r"[^-/]*[-/]+|[^-/]+", word))
    return units


def _pieces(text: str) -> list[Piece]:
    """Units, slots and optional groups of a template text."""
    stack: list[list[Piece]] = [[]]
    for index, part in enumerate(_TOKEN_RE.split(text)):
        if index % 2 == 0:
            stack[-1].extend(("unit", unit) for unit in _units(part))
        elif part == "[":
            stack.append([])
        elif part == "]":
            inner = stack.pop()
            stack[-1].append(("optional", inner))
        else:
            stack[-1].append(("slot", part))
    return stack[0]


def _prefix_pattern(unit: str) -> str:
    """A non-empty proper prefix of ``unit`` (the message was cut inside this word)."""
    chars = [re.escape(c) for c in unit[:-1]]
    if not chars:
        return ""
    inner = ""
    for char in reversed(chars[1:]):
        inner = f"(?:{char}{inner})?"
    return chars[0] + inner


class _RegexBuilder:
    """Turns template pieces into one tolerant pattern. Every unit may be preceded by a
    space; the message may end anywhere (in a slot, between units, inside a unit) except
    inside an optional part; an ``end__N`` group marks a full match. Group names are
    numbered (a slot may appear twice)."""

    def __init__(self) -> None:
        self._count = 0

    def _name(self, base: str) -> str:
        self._count += 1
        return f"{base}__{self._count}"

    def _plain(self, pieces: Sequence[Piece]) -> str:
        """An optional part, all or nothing."""
        parts = []
        for kind, value in pieces:
            assert isinstance(value, str)
            if kind == "slot":
                parts.append(rf"\s?(?P<{self._name(value)}>{_SLOT_PATTERNS[value]})")
            else:
                parts.append(r"\s?" + re.escape(value))
        return "".join(parts)

    def build(self, pieces: Sequence[Piece], index: int = 0) -> str:
        if index == len(pieces):
            return f"(?P<{self._name('end')}>)"
        kind, value = pieces[index]
        if kind == "optional":
            assert isinstance(value, list)
            return f"(?:{self._plain(value)})?{self.build(pieces, index + 1)}"
        assert isinstance(value, str)
        if kind == "slot":
            group = self._name(value)
            if index == len(pieces) - 1:
                # Last in the message: the value runs to the end of its line.
                end = self._name("end")
                return rf"\s?(?P<{group}>[^\n]*)(?P<{end}>)"
            rest = self.build(pieces, index + 1)
            return rf"\s?(?P<{group}>{_SLOT_PATTERNS[value]})(?:{rest}|\s*$)"
        rest = self.build(pieces, index + 1)
        full = r"\s?" + re.escape(value)
        partial = _prefix_pattern(value) if index else ""
        ending = rf"|\s?{partial}\s*$" if partial else ""
        return rf"(?:{full}(?:{rest}|\s*$){ending})"


@dataclass(frozen=True)
class _Template:
    """One console message shape: the errors it stands for, and its tolerant pattern."""

    text: str  # normalized, with @@slot@@ placeholders and @@[@@optional@@]@@ parts
    errors: tuple[CorsError, ...]
    browser: str
    form: str  # "current", "2017-2018", "before-2017"; "detail", "header", "wrapper": parts
    rank: int  # lower wins a tie: current wordings before older ones

    @functools.cached_property
    def anchor(self) -> str:
        """The first words of the message's own text: the pattern is only tried on pastes
        that contain them."""
        units: list[str] = []
        for kind, value in _pieces(self.text):
            if kind == "unit":
                assert isinstance(value, str)
                units.append(value)
                if len(units) == 2:
                    break
            elif units:
                break
        return _squash("".join(units))

    @functools.cached_property
    def pattern(self) -> re.Pattern[str]:
        return re.compile(_RegexBuilder().build(_pieces(self.text)), re.IGNORECASE | re.DOTALL)


def _chromium_texts(error: CorsError) -> Iterable[tuple[str, str, int]]:
    """(text, form, rank) for every Chromium wording of ``error``, placeholders in slots.

    The initiator is a slot (fetch, XMLHttpRequest, image...); the suffixes that depend on it
    come last, and text after a full match is ignored, so they need no template of their own.
    """
    common = {"url": _s("url"), "origin": _s("origin"), "hint": _s("hint"), "initiator": _s("kind")}
    spaces = {"resource_space": _s("resource_space"), "target_space": _s("target_space")}
    yield (
        _mark_optional(
            chromium_console_message(error, **common, **spaces),
            chromium_console_message(error, initial_url=_s("initial_url"), **common, **spaces),
        ),
        "current",
        0,
    )
    without = chromium_legacy_console_messages(error, **common)
    with_status = chromium_legacy_console_messages(error, status=_s("status"), **common)
    for rank, (short, long) in enumerate(zip(without, with_status, strict=True), start=1):
        text = long if short == long or _s("status") in short else _mark_optional(short, long)
        form = "2017-2018" if long.startswith("Failed to load") else "before-2017"
        if not long.startswith("Access to"):
            yield text, form, rank
    if error is CorsError.kDisallowedByMode:
        yield chromium_mode_console_message(url=_s("url"), origin=_s("origin")), "current", 0
    # The reason alone (what people often paste), read with the "Access to ..." part apart.
    yield chromium_detail(error, _s("hint"), initiator=_s("kind"), **spaces), "detail", 5


def _chromium_header() -> str:
    """Chromium's "Access to … from origin '…' has been blocked by CORS policy:" part."""
    args = {"url": _s("url"), "origin": _s("origin"), "initiator": _s("kind")}
    error = CorsError.kMissingAllowOriginHeader
    detail = chromium_detail(error, initiator=_s("kind"))
    short = chromium_console_message(error, **args).removesuffix(detail)
    long = chromium_console_message(error, initial_url=_s("initial_url"), **args)
    return _mark_optional(short, long.removesuffix(detail))


@functools.cache
def _templates() -> tuple[_Template, ...]:
    """Every message shape of every browser, built from the catalogue; texts shared by several
    errors (Firefox and Safari use one text for several checks) become one template."""
    shapes: dict[tuple[str, str], tuple[list[CorsError], str, int]] = {}

    def add(text: str, error: CorsError | None, browser: str, form: str, rank: int) -> None:
        key = (_normalize(text), browser)
        errors, _, old_rank = shapes.setdefault(key, ([], form, rank))
        if error is not None and error not in errors:
            errors.append(error)
        if rank < old_rank:
            shapes[key] = (errors, form, rank)

    for error in CorsError:
        for text, form, rank in _chromium_texts(error):
            add(text, error, "chromium", form, rank)
        firefox = firefox_console_message(
            error, url=_s("url"), hint=_s("hint"), status=_s("status")
        )
        if firefox is not None:
            add(firefox, error, "firefox", "current", 0)
        safari = safari_console_messages(
            error, url=_s("url"), origin=_s("origin"), hint=_s("hint"), status=_s("status")
        )
        if safari:
            add(safari[0], error, "safari", "current", 0)
    # Safari's wrapper line names the URL (the reason is on the line before it).
    wrapper = safari_console_messages(
        CorsError.kMissingAllowOriginHeader,
        url=_s("url"),
        origin="",
        initiator=_s("kind"),
    )[1]
    add(wrapper, None, "safari", "wrapper", 9)
    add(_chromium_header(), None, "chromium", "header", 9)
    return tuple(
        _Template(text, tuple(errors), browser, form, rank)
        for (text, browser), (errors, form, rank) in shapes.items()
    )


@dataclass(frozen=True, slots=True)
class LookAlike:
    """A message that is not a CORS error, and what it is instead."""

    kind: str
    title: str
    what: str
    fix: str
    code: str = ""  # the net::ERR_… code or the header at fault
    url: str | None = None

    def as_json(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "title": self.title,
            "what": self.what,
            "fix": self.fix,
            "code": self.code or None,
            "url": self.url,
        }


@dataclass(frozen=True, slots=True)
class _LookAlikeRule:
    kind: str
    pattern: re.Pattern[str]
    title: str
    what: str
    fix: str


def _rule(kind: str, pattern: str, title: str, what: str, fix: str) -> _LookAlikeRule:
    return _LookAlikeRule(kind, re.compile(pattern, re.IGNORECASE), title, what, fix)


_SERVER_DOWN_FIX = (
    "Start the server, or fix the host and port in the URL (curl the URL from the same "
    "machine to confirm). No CORS header can help: nothing answered."
)
# Checked in order; several may be found in one paste. Not built from the catalogue: none of
# these is a CORS error.
_LOOK_ALIKES: tuple[_LookAlikeRule, ...] = (
    _rule(
        "connection-refused",
        r"net::ERR_CONNECTION_REFUSED|Could not connect to the server",
        "connection refused (not CORS)",
        "Nothing listens at that host and port: the server is down, or the URL has the wrong "
        "port. The browser got no response at all.",
        _SERVER_DOWN_FIX,
    ),
    _rule(
        "dns",
        r"net::ERR_NAME_NOT_RESOLVED|A server with the specified hostname could not be found",
        "the host name does not resolve (not CORS)",
        "DNS has no address for the host in the URL: a typo, a missing /etc/hosts entry, or a "
        "name that only resolves inside a network (VPN, Docker).",
        "Check the host name in the URL; from the same machine, `nslookup HOST` must answer.",
    ),
    _rule(
        "tls-certificate",
        r"net::ERR_CERT_[A-Z_]+|ERR_CERT_[A-Z_]+|certificate for this server is invalid",
        "the TLS certificate is rejected (not CORS)",
        "The browser does not trust the server's certificate (self-signed, expired, or issued "
        "for another name), so it never sends the request.",
        "Use a certificate trusted by the browser for exactly this host name (mkcert for local "
        "development), or open the API URL once in a tab to see the certificate error.",
    ),
    _rule(
        "tls",
        r"net::ERR_SSL_[A-Z_]+|An SSL error has occurred",
        "the TLS handshake failed (not CORS)",
        "The connection failed during TLS: often an https:// URL pointing at a plain-http "
        "port, or a server that speaks an old TLS version.",
        "Use http:// if the server does not speak TLS on that port, or fix the server's TLS.",
    ),
    _rule(
        "timeout",
        r"net::ERR_(CONNECTION_)?TIMED_OUT|The request timed out",
        "the request timed out (not CORS)",
        "The server (or a firewall) did not answer in time.",
        "Check that the server is reachable and answers quickly; a firewall may drop packets.",
    ),
    _rule(
        "connection-broken",
        r"net::ERR_(CONNECTION_RESET|CONNECTION_CLOSED|EMPTY_RESPONSE|INVALID_HTTP_RESPONSE|"
        r"HTTP2_PROTOCOL_ERROR|ADDRESS_UNREACHABLE|INTERNET_DISCONNECTED)",
        "the connection failed (not CORS)",
        "The server closed or broke the connection, or answered something that is not HTTP.",
        "Look at the server's logs for a crash on this request; curl the URL to see the raw "
        "answer.",
    ),
    _rule(
        "blocked-by-client",
        r"net::ERR_BLOCKED_BY_CLIENT",
        "blocked by a browser extension (not CORS)",
        "An extension (ad blocker, privacy filter) cancelled the request before it was sent.",
        "Disable the extension for the site, or rename the URL path (blockers match words like "
        "'ads', 'track', 'analytics').",
    ),
    _rule(
        "blocked-by-response",
        r"net::ERR_BLOCKED_BY_RESPONSE",
        "blocked by Cross-Origin-Resource-Policy or COEP (not a CORS header problem)",
        "The response carries Cross-Origin-Resource-Policy (or the page requires COEP) and "
        "the browser refused to hand it to this page.",
        "Send Cross-Origin-Resource-Policy: cross-origin on the resource, or relax COEP.",
    ),
    _rule(
        "mixed-content",
        r"Mixed Content:|blocked loading mixed active content|was loaded over HTTPS, but "
        r"requested an insecure",
        "mixed content (not CORS)",
        "An https page requested an http:// URL that is not localhost or 127.0.0.1. Browsers "
        "block that as mixed content before anything is sent, so CORS is never checked.",
        MIXED_CONTENT_FIX,
    ),
    _rule(
        "csp",
        r"Refused to connect to .{0,300}?(Content Security Policy|connect-src)|"
        r"Content-Security-Policy: The page.s settings blocked",
        "blocked by the page's Content Security Policy (not CORS)",
        "The page's own Content-Security-Policy (connect-src) does not list the API's origin, "
        "so the browser refuses to connect. The API's CORS headers are never looked at.",
        "Add the API's origin to connect-src in the page's Content-Security-Policy (a header "
        "or <meta> sent by the front end, not by the API).",
    ),
    _rule(
        "firefox-did-not-succeed",
        r"\(Reason: CORS request did not succeed\)",
        "Firefox: the request failed at the network level (not a CORS header problem)",
        "Despite the wording, Firefox got no HTTP response: the server is down, the name does "
        "not resolve, the certificate is rejected, or an extension blocked it.",
        _SERVER_DOWN_FIX,
    ),
    _rule(
        "same-origin-redirect",
        r"Unsafe attempt to load URL",
        "a same-origin request was redirected to another origin",
        "The request used mode 'same-origin' and the server redirected it to another origin; "
        "the browser stops there.",
        "Call the final URL directly, or stop the server from redirecting.",
    ),
    _rule(
        "http-status",
        r"the server responded with a status of \d{3}|status of \d{3} \(",
        "an HTTP error status (not CORS by itself)",
        "The server answered with an error status. On its own this line is not a CORS error; "
        "if a CORS message accompanies it, the error response lacks CORS headers.",
        "Fix the error on the server (its logs say why), and make sure error responses carry "
        "the CORS headers too.",
    ),
    _rule(
        "failed-to-fetch",
        r"TypeError:\s*(Failed to fetch|NetworkError when attempting to fetch resource|"
        r"Load failed)|Failed to fetch|NetworkError when attempting to fetch resource|"
        r"\bNetwork Error\b|ERR_NETWORK",
        "a failed fetch() with no reason given",
        "This is what JavaScript sees for every failed request: CORS blocks, refused "
        "connections, DNS and TLS failures all reject with the same TypeError. The reason "
        "is only in the browser's console (or the Network tab).",
        "Copy the console line above the TypeError (Access to fetch at ... / Cross-Origin "
        "Request Blocked ...) and run `crossorigin explain` on it, or run `crossorigin check "
        "URL --origin ORIGIN` to reproduce the request.",
    ),
    _rule(
        "net-failed",
        r"net::ERR_FAILED",
        "net::ERR_FAILED (the request failed; usually the CORS line next to it says why)",
        "Chromium logs net::ERR_FAILED next to a CORS error; alone, it gives no reason.",
        "Look for the 'Access to fetch at ...' line next to it in the console.",
    ),
)
# Look-alikes that only say "it failed": shown only when nothing more specific is found.
_GENERIC_LOOK_ALIKES = frozenset({"failed-to-fetch", "net-failed"})
_URL_IN_TEXT = re.compile(r"https?://[^\s'\"“”‘’<>)]+")


@dataclass(frozen=True, slots=True)
class Recognition:
    """What :func:`recognize` read in a console message.

    ``error`` is None when no CORS message was found, or when the message was cut before
    the part that tells the errors apart (``candidates`` then lists them). ``parameter`` is
    Chromium's failed parameter: the header value, method or header name at fault.
    """

    error: CorsError | None = None
    candidates: tuple[CorsError, ...] = ()
    browser: str | None = None
    form: str | None = None
    url: str | None = None
    initial_url: str | None = None
    origin: str | None = None
    parameter: str | None = None
    status: str | None = None
    initiator: str | None = None
    complete: bool = False
    lookalikes: tuple[LookAlike, ...] = ()

    @property
    def recognized(self) -> bool:
        return bool(self.candidates) or bool(self.lookalikes)


@dataclass(slots=True)
class _Hit:
    template: _Template
    values: dict[str, str]
    score: int
    complete: bool
    start: int


def _slot_value(slot: str, value: str) -> str:
    """A slot's text with the line breaks of copy-paste undone: URLs and origins hold no
    whitespace; in a value, a break after a comma stood for a space, any other was inserted
    inside a word."""
    if slot in ("url", "initial_url", "origin"):
        return "".join(value.split())
    lines = [line.strip() for line in value.split("\n")]
    joined = lines[0]
    for line in lines[1:]:
        joined += (" " if joined.endswith(",") else "") + line
    return " ".join(joined.split(" ")).strip()


def _match(template: _Template, text: str) -> _Hit | None:
    match = template.pattern.search(text)
    if match is None:
        return None
    values: dict[str, str] = {}
    slot_chars = 0
    complete = False
    for group, value in match.groupdict().items():
        if value is None:
            continue
        base = group.split("__", 1)[0]
        if base == "end":
            complete = True
            continue
        slot_chars += len(_squash(value))
        values.setdefault(base, _slot_value(base, value))
    score = len(_squash(match.group(0))) - slot_chars
    return _Hit(template, values, score, complete, match.start())


def _candidate_texts(text: str) -> list[str]:
    """The whole paste, then the paste cut after each line (a truncated message followed by
    other console lines is matched at its own end)."""
    lines = [line for line in text.splitlines() if line.strip()][:60]
    texts = [_normalize(text)]
    for end in range(len(lines) - 1, 0, -1):
        texts.append(_normalize("\n".join(lines[:end])))
    return [re.sub(r"\s*(…|\.\.\.)$", "", candidate) for candidate in texts]


def _clean_url(value: str | None) -> str | None:
    if value is None:
        return None
    return "".join(value.split()).rstrip(".") or None


def _acao_error(value: str, candidates: Sequence[CorsError]) -> CorsError | None:
    """The engine's reading of an Access-Control-Allow-Origin value (Chromium's CheckAccess
    order), to tell apart errors Firefox and Safari print with one text."""
    preflight = all(c.value.startswith("kPreflight") for c in candidates)
    prefix = "kPreflight" if preflight else "k"
    if " " in value or "," in value:
        name = "MultipleAllowOriginValues"
    elif value != "null":
        try:
            ada_url.URL(value)
            name = "AllowOriginMismatch"
        except ValueError:
            name = "InvalidAllowOriginValue"
    else:
        name = "AllowOriginMismatch"
    error = CorsError[prefix + name]
    return error if error in candidates else None


def _primary(candidates: Sequence[CorsError], values: dict[str, str]) -> CorsError | None:
    """The one error a shared text most likely stands for, or None if it cannot be told."""
    if len(candidates) == 1:
        return candidates[0]
    hint = values.get("hint")
    if hint is not None and any("AllowOrigin" in c.value for c in candidates):
        picked = _acao_error(hint.strip(), candidates)
        if picked is not None:
            return picked
    status = values.get("status", "")
    if CorsError.kPreflightDisallowedRedirect in candidates and status:
        return (
            CorsError.kPreflightDisallowedRedirect
            if status.startswith("3")
            else CorsError.kPreflightInvalidStatus
        )
    # Firefox and Safari do not say whether the preflight or the response failed the check;
    # the response is the common case.
    simple = [c for c in candidates if not c.value.startswith("kPreflight")]
    families = {c.value.removeprefix("kPreflight").removeprefix("k") for c in candidates}
    if len(families) == 1 and simple:
        return simple[0]
    if CorsError.kMissingAllowOriginHeader in candidates and not any(
        "Credentials" in c.value or "Wildcard" in c.value for c in candidates
    ):
        return CorsError.kMissingAllowOriginHeader
    return None


def recognize(text: str) -> Recognition:
    """Read a pasted console message (see the module docstring)."""
    best: list[_Hit] = []
    wrapper: _Hit | None = None
    header: _Hit | None = None
    for candidate in _candidate_texts(text):
        squashed = _squash(candidate)
        hits = [
            hit
            for t in _templates()
            if t.anchor in squashed
            and (hit := _match(t, candidate)) is not None
            and hit.score >= (_MIN_HEADER if t.form == "header" else _MIN_LITERAL)
        ]
        for hit in hits:
            if hit.template.form == "wrapper" and (wrapper is None or hit.score > wrapper.score):
                wrapper = hit
            if hit.template.form == "header" and (header is None or hit.score > header.score):
                header = hit
        cors = [h for h in hits if h.template.errors]
        if cors:
            top = max(h.score for h in cors)
            best = [h for h in cors if h.score == top]
            if any(h.complete for h in best):
                best = [h for h in best if h.complete]
            break
    lookalikes = _look_alikes(text)
    if not best and header is not None:
        # Chromium's message, cut before its reason: any error.
        return Recognition(
            candidates=tuple(CorsError),
            browser="chromium",
            form="current",
            url=_clean_url(header.values.get("url")),
            initial_url=_clean_url(header.values.get("initial_url")),
            origin=_clean_url(header.values.get("origin")),
            initiator=header.values.get("kind"),
            lookalikes=lookalikes,
        )
    if not best:
        url = _clean_url(wrapper.values.get("url")) if wrapper else None
        if wrapper is not None:
            lookalikes = (
                LookAlike(
                    "safari-wrapper",
                    "Safari: the request failed its access control checks",
                    "Safari prints the reason on the line before this one.",
                    "Copy that line too (e.g. 'Origin … is not allowed by "
                    "Access-Control-Allow-Origin. Status code: …'), or run crossorigin check.",
                    url=url,
                ),
                *lookalikes,
            )
        return Recognition(url=url, lookalikes=lookalikes)
    best.sort(key=lambda hit: (hit.template.rank, hit.start))
    candidates: list[CorsError] = []
    for hit in best:
        for found in hit.template.errors:
            if found not in candidates:
                candidates.append(found)
    chosen = best[0]
    values = dict(chosen.values)
    form = _form(chosen.template, text)
    if chosen.template.form == "detail" and header is not None:
        # The reason matched on its own; the URL and origin come from the "Access to" part.
        values = {**header.values, **values}
        form = "current"
    error = _primary(candidates, values)
    url = _clean_url(values.get("url"))
    if url is None and wrapper is not None:
        url = _clean_url(wrapper.values.get("url"))
    hint = values.get("hint")
    # A message that is only CORS's side of a network failure has no look-alikes worth
    # showing; keep those that say something the CORS message does not.
    shown = tuple(item for item in lookalikes if item.kind not in _GENERIC_LOOK_ALIKES)
    return Recognition(
        error=error,
        candidates=tuple(candidates),
        browser=chosen.template.browser,
        form=form,
        url=url,
        initial_url=_clean_url(values.get("initial_url")),
        origin=_clean_url(values.get("origin")),
        parameter=hint.strip() if hint is not None else None,
        status=values.get("status"),
        initiator=values.get("kind")
        or ("fetch" if "Access to fetch" in _normalize(text) else None),
        complete=chosen.complete,
        lookalikes=shown,
    )


def _form(template: _Template, text: str) -> str:
    """The template's era; today's template also matches 2019-2024 Chromium, whose extra
    'no-cors' sentence it ignores as trailing text."""
    if template.form == "current" and template.browser == "chromium":
        squashed = _squash(_normalize(text))
        if _squash(LEGACY_NO_CORS_HINT)[:40] in squashed or (
            _squash(LEGACY_FETCH_SUFFIX)[:60] in squashed
        ):
            return "2019-2024"
    return template.form


def _look_alikes(text: str) -> tuple[LookAlike, ...]:
    normalized = _normalize(text)
    found: list[LookAlike] = []
    for rule in _LOOK_ALIKES:
        match = rule.pattern.search(normalized)
        if match is None:
            continue
        url_match = _URL_IN_TEXT.search(normalized)
        code = match.group(0) if match.group(0).startswith(("net::", "ERR_")) else ""
        found.append(
            LookAlike(
                rule.kind,
                rule.title,
                rule.what,
                rule.fix,
                code,
                url_match.group(0).rstrip(".,;") if url_match else None,
            )
        )
    # "Failed to fetch" and net::ERR_FAILED only add something when nothing else explains.
    specific = [item for item in found if item.kind not in {*_GENERIC_LOOK_ALIKES, "http-status"}]
    if specific:
        found = [item for item in found if item.kind not in _GENERIC_LOOK_ALIKES]
    return tuple(found)


# == what a blocked request needs, and the fixes ==========================================


@dataclass(frozen=True, slots=True)
class Need:
    """What the server must allow, as far as the doctor knows it (input of the fixes)."""

    origin: str
    method: str | None = None
    request_headers: tuple[str, ...] = ()
    credentials: bool = False
    api_origin: str | None = None


@dataclass(frozen=True, slots=True)
class FixSet:
    """Per-stack fixes for a need: ``fixes`` in the order shown, ``proxy`` the dev-proxy
    alternative (when the page runs on a dev server), ``problem`` why there is no fix."""

    fixes: tuple[Fix, ...] = ()
    proxy: tuple[Fix, ...] = ()
    problem: str | None = None
    shown_because: str = ""

    def as_json(self) -> dict[str, str]:
        """stack -> snippet, dev-proxy alternatives included."""
        return {f.stack: f.snippet for f in (*self.fixes, *self.proxy)}


def fixes_for(need: Need, stacks: Sequence[str], proxy_stacks: Sequence[str] = ()) -> FixSet:
    """Per-stack configuration from :mod:`crossorigin.doctor.fixes` (the one place the doctor
    calls that package)."""
    from crossorigin.doctor.fixes import Requirement, RequirementError, fix_for

    methods = (need.method,) if need.method else ()
    try:
        requirement = Requirement(
            origins=(need.origin,),
            methods=methods,
            request_headers=need.request_headers,
            credentials=need.credentials,
            api_origin=need.api_origin,
        )
    except RequirementError as error:
        return FixSet(problem=f"no server configuration can be written for this request: {error}")
    return FixSet(
        fixes=tuple(fix_for(stack, requirement) for stack in stacks),
        proxy=tuple(fix_for(stack, requirement) for stack in proxy_stacks),
    )


def known_stacks() -> tuple[str, ...]:
    from crossorigin.doctor.fixes import STACKS

    return tuple(STACKS)


# Errors the server's CORS configuration causes (and fixes).
_CONFIG_ERRORS = frozenset(
    {
        *(e for e in CorsError if "AllowOrigin" in e.value or "Credentials" in e.value),
        CorsError.kWildcardOriginNotAllowed,
        CorsError.kPreflightWildcardOriginNotAllowed,
        CorsError.kPreflightInvalidStatus,
        CorsError.kInvalidAllowMethodsPreflightResponse,
        CorsError.kInvalidAllowHeadersPreflightResponse,
        CorsError.kMethodDisallowedByPreflightResponse,
        CorsError.kHeaderDisallowedByPreflightResponse,
        CorsError.kPreflightMissingAllowPrivateNetwork,
        CorsError.kPreflightInvalidAllowPrivateNetwork,
    }
)


def _credentials_error(error: CorsError | None) -> bool:
    return error is not None and ("Credentials" in error.value or "Wildcard" in error.value)


# == check: a probe's diagnosis ============================================================


@dataclass(frozen=True, slots=True)
class Diagnosis:
    """Everything ``check`` shows after the trace."""

    console: str | None
    summary: str
    cause: str
    fix: str
    non_browser: str | None
    fixes: FixSet
    detections: tuple[Detection, ...]
    dev_server: DevServer | None
    stacks_shown: tuple[str, ...]
    stack_note: str = ""
    other_browsers: dict[str, str | None] = field(default_factory=dict)
    notes: tuple[str, ...] = ()


def browser_console(result: FetchResult, browser: str) -> str | None:
    """The console text ``browser`` prints for the engine's verdict.

    The engine decides as Chromium does; Firefox and Safari word the same failure their own
    way, and Safari reports a non-2xx preflight status before the origin checks.
    """
    if result.outcome != "blocked":
        return None
    url = result.url_list[-1] if result.url_list else result.request.url
    last = result.last_response
    status = str(last.status) if last is not None else ""
    if result.error is None:
        if result.network_error is None:
            return result.console if browser == "chromium" else None
        if not result.network_error.startswith("net::"):
            return result.console if browser == "chromium" else None
        code = result.network_error.split(" ", 1)[0]
        method = result.exchanges[-1].request.method if result.exchanges else "GET"
        if browser == "chromium":
            return f"{method} {url} {code}"
        if browser == "firefox":
            return (
                FIREFOX_HEAD.format(url=url)
                + "(Reason: CORS request did not succeed). Status code: (null)."
            )
        # Safari prints the NSURLError description of the failure.
        safari = {
            "net::ERR_NAME_NOT_RESOLVED": "A server with the specified hostname could not be "
            "found.",
            "net::ERR_TIMED_OUT": "The request timed out.",
            "net::ERR_CONNECTION_TIMED_OUT": "The request timed out.",
            "net::ERR_SSL_PROTOCOL_ERROR": "An SSL error has occurred and a secure connection "
            "to the server cannot be made.",
        }
        if code.startswith("net::ERR_CERT_"):
            description = "The certificate for this server is invalid."
        else:
            description = safari.get(code, "Could not connect to the server.")
        return f"Failed to load resource: {description}"
    error = result.error
    if browser == "chromium":
        return result.console
    if browser == "firefox":
        # Firefox counts header fields; one field holding "a, b" is a mismatch to it.
        if (
            error.value.endswith("MultipleAllowOriginValues")
            and last is not None
            and len(last.header_lines("Access-Control-Allow-Origin")) == 1
        ):
            error = CorsError[
                error.value.replace("MultipleAllowOriginValues", "AllowOriginMismatch")
            ]
        return firefox_console_message(error, url=url, hint=result.hint, status=status)
    origin = result.request.page_origin
    if error.value.startswith("kPreflight") and last is not None and not 200 <= last.status <= 299:
        # WebKit's validatePreflightResponse checks the status first.
        error = CorsError.kPreflightInvalidStatus
    lines = safari_console_messages(
        error,
        url=url,
        origin=origin,
        hint=result.hint,
        status=status,
        initiator="fetch" if result.request.initiator == "fetch" else result.request.initiator,
    )
    return "\n".join(lines) if lines else None


def _size(size: int | None, truncated: bool = False) -> str:
    if size is None:
        return "size unknown"
    if size == 0:
        return "empty body"
    if size < 1000:
        text = f"{size} B"
    elif size < 1_000_000:
        text = f"{size / 1000:.1f} kB"
    else:
        text = f"{size / 1_000_000:.1f} MB"
    return f"more than {text}" if truncated else text


def _non_browser_line(report: object) -> str | None:
    from crossorigin.doctor.probe import ProbeReport

    assert isinstance(report, ProbeReport)
    view = report.non_browser
    result = report.result
    if view is None:
        return None
    if view.failure is not None:
        return (
            f"curl/Postman: {view.failure.title} as well ({view.failure.browser_error}): "
            "nothing answered, for any client"
        )
    if not view.sent:
        return (
            f"curl/Postman: would send {view.method} directly, without a preflight (the doctor "
            f"did not: {view.method} may change data); the browser stopped at the preflight"
        )
    answered = f"{view.status} {view.reason}".strip() + f", {_size(view.body_size)}"
    if result.outcome == "allowed":
        return f"curl/Postman: {answered}: the same answer the page can read"
    if result.outcome == "opaque":
        return f"curl/Postman: {answered}; the page gets an opaque response (status 0, no body)"
    if result.actual_request_sent:
        return f"curl/Postman: {answered}: the server answered; the browser withheld it"
    return (
        f"curl/Postman: {answered} (sent by the doctor without CORS): the server answers; "
        "the browser never sent the request"
    )


def _origin_of(url: str | None) -> str | None:
    if not url:
        return None
    try:
        parsed = ada_url.URL(url)
    except ValueError:
        return None
    if parsed.protocol not in ("http:", "https:") or not parsed.host:
        return None
    return f"{parsed.protocol}//{parsed.host}"


def _need_from_request(result: FetchResult) -> Need:
    request = result.request
    unsafe = set(cors_unsafe_request_header_names(list(request.headers)))
    headers: list[str] = []
    for name, value in request.headers:
        lowered = name.lower()
        if (
            lowered in unsafe
            and not is_forbidden_request_header(name, value)
            and lowered not in {h.lower() for h in headers}
        ):
            headers.append(name)
    url = result.url_list[-1] if result.url_list else request.url
    api_origin = _origin_of(url)
    return Need(
        origin=request.page_origin,
        method=request.method,
        request_headers=tuple(headers),
        credentials=request.credentials == "include",
        api_origin=api_origin,
    )


def _choose_stacks(
    stack: str | None, detections: Sequence[Detection]
) -> tuple[tuple[str, ...], str]:
    if stack is not None:
        return (stack,), f"--stack {stack}"
    if detections:
        best = detections[0]
        return best.stacks, f"detected from {best.evidence}"
    return COMMON_STACKS[:3], (
        "the stack could not be told from the responses; showing common ones "
        "(choose with --stack: " + ", ".join(known_stacks()) + ")"
    )


def diagnose(report: object, *, stack: str | None = None) -> Diagnosis:
    """Cause, console text, fixes and the non-browser view for a probe
    (:class:`crossorigin.doctor.probe.ProbeReport`)."""
    from crossorigin.doctor.probe import ProbeReport

    assert isinstance(report, ProbeReport)
    result = report.result
    explanation = result.explanation()
    responses: list[tuple[HttpResponse, bytes]] = list(report.responses)
    detections = _detect_stacks(responses)
    dev_server = detect_dev_server(result.request.page_origin, responses)
    cause, fix = explanation.cause, explanation.fix
    summary = explanation.summary
    if report.failure is not None:
        failure = report.failure
        summary = f"Not a CORS error: {failure.title} ({failure.browser_error})."
        cause = f"{failure.message} ({failure.url})."
        fix = {
            "dns": "Check the host name; from this machine it does not resolve. For a "
            "staging server, map it with --resolve HOST:PORT:ADDRESS.",
            "connection-refused": "Start the server, or fix the port in the URL.",
            "timeout": "Check that the server runs and answers; a firewall may drop the "
            "connection. Raise --timeout for slow servers.",
            "tls": "Use http:// if the server does not speak TLS on that port, or fix its TLS "
            "setup.",
            "tls-certificate": "Give the server a certificate the browser trusts for this "
            "host name (mkcert for local development); --cacert FILE trusts a development "
            "CA here, --insecure skips the check.",
            "protocol": "The server's answer is not HTTP the browser accepts: see its logs.",
            "connection": "Check that the host is reachable from here.",
        }[failure.kind]
    stacks_shown: tuple[str, ...] = ()
    note = ""
    fixset = FixSet()
    needs_fix = result.outcome == "blocked" and (result.error in _CONFIG_ERRORS)
    if needs_fix:
        stacks_shown, note = _choose_stacks(stack, detections)
        need = _need_from_request(result)
        proxy = dev_server.stacks if dev_server is not None else ()
        fixset = fixes_for(need, stacks_shown, proxy)
        fixset = FixSet(fixset.fixes, fixset.proxy, fixset.problem, note)
    others = {name: browser_console(result, name) for name in BROWSERS if name != report.browser}
    notes: list[str] = []
    if result.error is not None and "MissingAllowOrigin" in result.error.value:
        last = result.last_response
        via = last.header("Via") if last is not None else None
        if via:
            notes.append(
                f"The answer went through a proxy (Via: {via}). If the application sets "
                "Access-Control-Allow-Origin, the proxy drops it: ask the application directly "
                "(bypassing the proxy) to tell which."
            )
    if fixset.proxy and dev_server is not None:
        notes.append(
            f"The page looks like it runs on {dev_server.name} ({dev_server.evidence}): in "
            "development, its proxy makes the API same-origin and no CORS check happens."
        )
    return Diagnosis(
        console=browser_console(result, report.browser),
        summary=summary,
        cause=cause,
        fix=fix,
        non_browser=_non_browser_line(report),
        fixes=fixset,
        detections=detections,
        dev_server=dev_server,
        stacks_shown=stacks_shown,
        stack_note=note,
        other_browsers=others,
        notes=tuple(notes),
    )


# == explain: a recognized message's explanation =========================================

_PLACEHOLDER_ORIGIN = "https://app.example.com"


@dataclass(frozen=True, slots=True)
class MessageExplanation:
    """``explain``'s answer for one pasted message."""

    recognition: Recognition
    summary: str
    cause: str
    fix: str
    fixes: FixSet
    notes: tuple[str, ...] = ()

    def as_json(self) -> dict[str, object]:
        r = self.recognition
        return {
            "error": r.error.value if r.error else None,
            "candidates": [c.value for c in r.candidates],
            "browser": r.browser,
            "form": r.form,
            "url": r.url,
            "redirected_from": r.initial_url,
            "origin": r.origin,
            "parameter": r.parameter,
            "status": r.status,
            "complete": r.complete,
            "explanation": {
                "summary": self.summary,
                "cause": self.cause,
                "fix": self.fix,
                "notes": list(self.notes),
            },
            "not_cors": [item.as_json() for item in r.lookalikes] if not r.candidates else [],
            "also_found": [item.as_json() for item in r.lookalikes] if r.candidates else [],
            "fixes": self.fixes.as_json(),
            "fix_problem": self.fixes.problem,
        }


def _format(template: str, values: dict[str, str]) -> str:
    return template.format_map(values)


def explain_message(
    text: str,
    *,
    stack: str | None = None,
    origin: str | None = None,
    stacks_when_unknown: Sequence[str] | None = None,
    recognizer: Callable[[str], Recognition] = recognize,
) -> MessageExplanation:
    """Recognize ``text`` and explain it; fixes for ``stack`` or, without it, for
    ``stacks_when_unknown`` (all known stacks when None)."""
    recognition = recognizer(text)
    notes: list[str] = []
    if recognition.error is None and not recognition.candidates:
        if recognition.lookalikes:
            first = recognition.lookalikes[0]
            return MessageExplanation(
                recognition,
                f"Not a CORS error: {first.title}.",
                first.what,
                first.fix,
                FixSet(),
            )
        return MessageExplanation(
            recognition,
            "No CORS console message recognized.",
            "The text matches none of the Chromium, Firefox or Safari CORS messages the doctor "
            "knows, nor a network error that looks like one.",
            "Paste the whole console line (it starts with 'Access to fetch at', 'Cross-Origin "
            "Request Blocked' or, in Safari, 'Origin … is not allowed'), or reproduce the "
            "request with `crossorigin check URL --origin ORIGIN`.",
            FixSet(),
        )
    error = recognition.error
    page_origin = recognition.origin or origin
    values = {
        "hint": recognition.parameter or "…",
        "origin": page_origin or "<page origin>",
        "url": recognition.url or "the URL",
        "status": recognition.status or "(unknown)",
        "method": recognition.parameter or "…",
        "header": recognition.parameter or "…",
        "resource_space": recognition.parameter or "…",
        "target_space": "…",
    }
    if error is None:
        names = ", ".join(c.value for c in recognition.candidates[:6])
        if len(recognition.candidates) > 6:
            names += f" and {len(recognition.candidates) - 6} more"
        summary = "A CORS error, but the message is cut before the part that says which."
        cause = f"It is one of: {names}."
        fix = "Paste the whole message, or run `crossorigin check URL --origin ORIGIN`."
    else:
        info = CATALOGUE[error]
        summary = f"Blocked by CORS ({error.value}), as {_browser_title(recognition.browser)} "
        summary += "reports it." if recognition.complete else "reports it (message cut short)."
        cause = _format(info.cause, values)
        fix = _format(info.fix, values)
        if len(recognition.candidates) > 1:
            others = ", ".join(c.value for c in recognition.candidates if c is not error)
            notes.append(
                f"{_browser_title(recognition.browser)} prints the same text for {others}; "
                f"{error.value} is the most likely. `crossorigin check` tells them apart."
            )
    trimmed = (recognition.parameter or "").rstrip("/")
    if (
        error is not None
        and "AllowOriginMismatch" in error.value
        and recognition.parameter
        and trimmed != recognition.parameter
        and _origin_of(trimmed) == trimmed
    ):
        notes.append(
            f"'{recognition.parameter}' ends with a slash; an origin never does: send '{trimmed}'."
        )
    if recognition.form == "detail":
        notes.append("Only the reason was pasted: the URL and the page's origin are unknown.")
    elif recognition.form not in (None, "current"):
        notes.append(f"This wording is from an older Chromium ({recognition.form}).")
    if recognition.initial_url:
        notes.append(
            f"The request was redirected from {recognition.initial_url}: every hop must pass "
            "the CORS check, and after a cross-origin redirect the Origin becomes 'null'."
        )
    fixset = FixSet()
    if error is not None and error in _CONFIG_ERRORS:
        if page_origin is None:
            notes.append(
                f"{_browser_title(recognition.browser)}'s message does not name the page's "
                f"origin: the fixes use {_PLACEHOLDER_ORIGIN}; pass --origin to use yours."
            )
        need = Need(
            origin=page_origin or _PLACEHOLDER_ORIGIN,
            method=recognition.parameter
            if error is CorsError.kMethodDisallowedByPreflightResponse
            else None,
            request_headers=(recognition.parameter,)
            if error is CorsError.kHeaderDisallowedByPreflightResponse and recognition.parameter
            else (),
            credentials=_credentials_error(error),
            api_origin=_origin_of(recognition.url),
        )
        if stack is not None:
            chosen: Sequence[str] = (stack,)
        elif stacks_when_unknown is not None:
            chosen = stacks_when_unknown
        else:
            chosen = known_stacks()
        chosen = [s for s in chosen if _is_server_stack(s)] if stack is None else chosen
        dev = detect_dev_server(page_origin) if page_origin else None
        fixset = fixes_for(need, chosen, dev.stacks if dev else ())
        if dev is not None:
            notes.append(
                f"The page looks like it runs on {dev.name} ({dev.evidence}): a dev-server "
                "proxy avoids CORS during development."
            )
    for lookalike in recognition.lookalikes:
        notes.append(f"Also in the paste: {lookalike.title}.")
    return MessageExplanation(recognition, summary, cause, fix, fixset, tuple(notes))


def _is_server_stack(stack: str) -> bool:
    from crossorigin.doctor.fixes import STACKS

    entry = STACKS.get(stack)
    return entry is not None and entry.kind != "dev-proxy"


def _browser_title(browser: str | None) -> str:
    return {"chromium": "Chromium", "firefox": "Firefox", "safari": "Safari"}.get(
        browser or "", "the browser"
    )
