"""Allowed origins: the pattern grammar, its validation, and a flat matcher.

Grammar of an ``allow_origins`` entry (a restricted grammar, not globs or regexes: every
regex-based matcher in the Python ecosystem has produced a bypass, see docs/policy.md):

- ``https://app.example.com``, ``http://localhost:8000``: one exact serialized origin, written
  exactly as browsers send it (lowercase, Punycode, no default port, no path);
- ``https://*.example.com``: every subdomain of example.com, one or more labels deep
  (``a.example.com``, ``a.b.example.com``), the apex ``example.com`` excluded; a port may
  follow (``https://*.example.com:8443``, ``https://*.example.com:*``);
- ``http://localhost:*``: that scheme and host on any port, the default port included;
- ``*``: every origin;
- ``null``: the opaque origin, only with ``dangerously_allow_null_origin``;
- ``capacitor://localhost``, ``chrome-extension://abc...``: exact origins of non-web schemes
  (app webviews, browser extensions) are accepted as written.

Matching is flat: exact origins sit in a hash set, host patterns in a tree of host labels
walked from the right (``com`` -> ``example`` -> ``api``), so a request costs one hash lookup
plus at most one step per label of its own host, whether 1 or 100,000 origins are configured.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from crossorigin.origin import OriginError, is_public_suffix, parse_origin
from crossorigin.policy._problems import Problem, problem

__all__ = [
    "ANY_PORT",
    "MAX_ORIGIN_LENGTH",
    "OriginMatcher",
    "OriginPattern",
    "is_valid_request_origin",
    "parse_pattern",
    "split_request_origin",
]

# 64-byte scheme + "://" + 253-byte host + ":" + 5-digit port (jub0bs/cors origins.Parse).
MAX_ORIGIN_LENGTH = 64 + 3 + 253 + 1 + 5
ANY_PORT = -1

# The shape of an origin a browser can send, which is also what may safely be reflected in
# Access-Control-Allow-Origin: no comma, whitespace, control byte or other syntax.
_REQUEST_ORIGIN = re.compile(
    r"([a-z][a-z0-9+.\-]{0,63})://"
    r"([a-z0-9_\-]{1,63}(?:\.[a-z0-9_\-]{1,63})*|\[[0-9a-f:.]{2,45}\])"
    r"(?::([1-9][0-9]{0,4}))?"
)
_SUGGESTION = re.compile(r"write (?:it as )?'([^']*)'")
_OPAQUE_SCHEMES = frozenset({"file", "data", "blob", "about", "javascript"})
_REASON_CODES = {
    "whitespace": "origin-whitespace",
    "missing-scheme": "origin-missing-scheme",
    "invalid": "origin-invalid",
    "invalid-url": "origin-invalid",
    "scheme": "origin-scheme",
    "userinfo": "origin-userinfo",
    "query": "origin-query",
    "trailing-slash": "origin-trailing-slash",
    "path": "origin-path",
    "default-port": "origin-default-port",
    "unicode-host": "origin-unicode-host",
    "case": "origin-case",
    "non-canonical-ip": "origin-non-canonical-ip",
    "non-canonical": "origin-invalid",
}


def split_request_origin(origin: str) -> tuple[str, str, int | None] | None:
    """(scheme, host, port) of an Origin value with a valid shape, else None. Never raises."""
    if len(origin) > MAX_ORIGIN_LENGTH:
        return None
    match = _REQUEST_ORIGIN.fullmatch(origin)
    if match is None:
        return None
    scheme, host, port_text = match.groups()
    if port_text is None:
        return scheme, host, None
    port = int(port_text)
    if port > 65535:
        return None
    return scheme, host, port


def is_valid_request_origin(origin: str) -> bool:
    """True for ``null`` and for values shaped like a serialized origin (safe to reflect)."""
    return origin == "null" or split_request_origin(origin) is not None


@dataclass(frozen=True, slots=True)
class OriginPattern:
    """One parsed ``allow_origins`` entry.

    ``kind`` is ``all`` (``*``), ``null``, ``exact`` (one origin, ``port`` None for the
    default), ``any-port`` (``scheme://host:*``) or ``subdomains`` (``scheme://*.host``,
    ``port`` None, a number or ANY_PORT).
    """

    text: str
    kind: str
    scheme: str = ""
    host: str = ""
    port: int | None = None

    @property
    def is_loopback_or_localhost(self) -> bool:
        host = self.host
        if host == "localhost" or host.endswith(".localhost"):
            return True
        if host.startswith("127.") and host.replace(".", "").isdigit():
            return True
        return host == "[::1]"

    @property
    def is_insecure(self) -> bool:
        """http:// (not TLS) to a host that is neither localhost nor loopback (Secure Contexts)."""
        return self.scheme == "http" and not self.is_loopback_or_localhost


def parse_pattern(
    text: object, option: str = "allow_origins", *, allow_null: bool = False
) -> OriginPattern | Problem:
    """Parse one ``allow_origins`` entry, or describe what is wrong with it."""
    if not isinstance(text, str):
        return problem("option-type", option, text, "each origin must be a string")
    if text == "*":
        return OriginPattern(text, "all")
    if text == "null" or text.startswith("file:"):
        if not allow_null:
            return problem("origin-null" if text == "null" else "origin-file", option, text)
        return OriginPattern(text, "null")
    if len(text) > MAX_ORIGIN_LENGTH:
        return problem("origin-too-long", option, text)
    if "*" not in text:
        return _parse_exact(text, option)
    return _parse_wildcard(text, option)


def _parse_exact(text: str, option: str) -> OriginPattern | Problem:
    try:
        origin = parse_origin(text)
    except OriginError as error:
        if error.reason == "scheme":
            custom = _parse_custom_scheme(text)
            if custom is not None:
                return custom
        code = _REASON_CODES.get(error.reason, "origin-invalid")
        found = problem(code, option, text)
        suggestion = _SUGGESTION.search(str(error))
        if suggestion is None:
            return found
        return Problem(code, option, text, found.message, f"write {suggestion.group(1)!r}")
    if origin.scheme not in ("http", "https"):
        return problem("origin-scheme", option, text, f"scheme {origin.scheme!r}")
    return OriginPattern(text, "exact", origin.scheme, origin.host, origin.port)


def _parse_custom_scheme(text: str) -> OriginPattern | None:
    """``capacitor://localhost``-style origins of app webviews and extensions, as written."""
    parts = split_request_origin(text)
    if parts is None:
        return None
    scheme, host, port = parts
    if scheme in _OPAQUE_SCHEMES or scheme in ("http", "https", "ws", "wss", "ftp"):
        return None
    return OriginPattern(text, "exact", scheme, host, port)


def _parse_wildcard(text: str, option: str) -> OriginPattern | Problem:
    scheme, sep, rest = text.partition("://")
    if not sep:
        return problem("origin-missing-scheme", option, text)
    any_port = rest.endswith(":*")
    if any_port:
        rest = rest[:-2]
    subdomains = rest.startswith("*.")
    if subdomains:
        rest = rest[2:]
    if "*" in rest or not (subdomains or any_port):
        return problem("pattern-invalid", option, text)
    host_text = rest.rsplit(":", 1)[0] if not rest.endswith("]") else rest
    if subdomains and (host_text.startswith("[") or host_text.replace(".", "").isdigit()):
        return problem("pattern-ip-wildcard", option, text)
    # Validate the rest as an origin, with a stand-in label where the wildcard was.
    stand_in = f"{scheme}://{'a.' if subdomains else ''}{rest}"
    parsed = _parse_exact(stand_in, option)
    if isinstance(parsed, Problem):
        return Problem(parsed.code, option, text, parsed.message, parsed.fix)
    host = parsed.host[2:] if subdomains else parsed.host
    if any_port and parsed.port is not None:
        return problem("pattern-invalid", option, text, "a port and ':*' together")
    if subdomains:
        if host.startswith("[") or host.replace(".", "").isdigit():
            return problem("pattern-ip-wildcard", option, text)
        port = ANY_PORT if any_port else parsed.port
        return OriginPattern(text, "subdomains", parsed.scheme, host, port)
    return OriginPattern(text, "any-port", parsed.scheme, host, ANY_PORT)


def is_public_suffix_pattern(pattern: OriginPattern) -> bool:
    """``https://*.com``, ``https://*.github.io``: anyone can register a site under it."""
    if pattern.kind != "subdomains" or pattern.is_loopback_or_localhost:
        return False
    return is_public_suffix(pattern.host)


class _Node:
    __slots__ = ("any_port_schemes", "children", "subdomains")

    def __init__(self) -> None:
        self.children: dict[str, _Node] = {}
        # (scheme, port) pairs allowed for every strict subdomain of this node's domain.
        self.subdomains: set[tuple[str, int | None]] = set()
        # Schemes allowed on this exact host with any port.
        self.any_port_schemes: set[str] = set()


def _labels(host: str) -> list[str]:
    return [host] if host.startswith("[") else host.split(".")


class OriginMatcher:
    """Answers "is this Origin value allowed?" for exact origins, patterns, a regex, a callable.

    The regex and the callable see only values shaped like serialized origins.
    """

    __slots__ = ("_exact", "_needs_shape", "_predicate", "_regex", "_root", "_tree_empty")

    def __init__(
        self,
        patterns: list[OriginPattern],
        regex: re.Pattern[str] | None = None,
        predicate: Callable[[str], bool] | None = None,
    ) -> None:
        exact: set[str] = set()
        root = _Node()
        for pattern in patterns:
            if pattern.kind in ("exact", "null"):
                exact.add("null" if pattern.kind == "null" else pattern.text)
                continue
            if pattern.kind not in ("any-port", "subdomains"):
                continue
            node = root
            for label in reversed(_labels(pattern.host)):
                node = node.children.setdefault(label, _Node())
            if pattern.kind == "any-port":
                node.any_port_schemes.add(pattern.scheme)
            else:
                node.subdomains.add((pattern.scheme, pattern.port))
        self._exact = frozenset(exact)
        self._root = root
        self._tree_empty = not root.children
        self._regex = regex
        self._predicate = predicate
        self._needs_shape = not self._tree_empty or regex is not None or predicate is not None

    @property
    def exact(self) -> frozenset[str]:
        return self._exact

    @property
    def needs_matching(self) -> bool:
        """False when the exact origins are all there is (a hash lookup decides)."""
        return self._needs_shape

    def matches(self, origin: str) -> bool:
        if origin in self._exact:
            return True
        if not self._needs_shape:
            return False
        parts = split_request_origin(origin)
        if parts is None:
            return False
        if not self._tree_empty and self._tree_matches(*parts):
            return True
        if self._regex is not None and self._regex.fullmatch(origin) is not None:
            return True
        return self._predicate is not None and self._predicate(origin) is True

    def _tree_matches(self, scheme: str, host: str, port: int | None) -> bool:
        labels = _labels(host)
        node = self._root
        # Walk from the rightmost label; at a node with labels still to its left, the host is a
        # strict subdomain of that node's domain.
        for index in range(len(labels) - 1, -1, -1):
            child = node.children.get(labels[index])
            if child is None:
                return False
            node = child
            if (
                index
                and node.subdomains
                and ((scheme, port) in node.subdomains or (scheme, ANY_PORT) in node.subdomains)
            ):
                return True
        return scheme in node.any_port_schemes
