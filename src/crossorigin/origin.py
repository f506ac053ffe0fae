"""Origins, as the URL and HTML Standards define them.

An origin is either *opaque* (``file:``, ``data:``, a sandboxed document: it serializes as
``null`` and is same-origin with nothing but itself) or a *tuple* of scheme, host and port.
URLs are parsed with ada (a WHATWG-conformant parser), never with ``urllib.parse``, so
``HTTP://Bücher.example:80`` has the origin ``http://xn--bcher-kva.example`` exactly as a
browser computes it.

Two entry points:

- :func:`origin_of_url` gives the origin of any URL (what the browser derives from a page
  or request URL);
- :func:`parse_origin` reads a *serialized origin* (the value of an ``Origin`` header, a
  configured allowed origin, a ``--origin`` argument) and refuses anything that is not
  already in canonical form, with a message that names the problem and the fix.
"""

from __future__ import annotations

import functools
import ipaddress
import itertools
from dataclasses import dataclass, field

import ada_url
from publicsuffixlist import PublicSuffixList

__all__ = [
    "Origin",
    "OriginError",
    "is_public_suffix",
    "origin_of_url",
    "parse_origin",
    "parse_url",
    "registrable_domain",
    "same_origin",
    "same_site",
]

# Schemes whose URLs have a tuple origin (URL Standard, "origin" of a URL).
TUPLE_ORIGIN_SCHEMES = frozenset({"http", "https", "ws", "wss", "ftp"})
DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443, "ftp": 21}

_opaque_ids = itertools.count(1)


class OriginError(ValueError):
    """A string that is not a valid (serialized) origin or URL.

    ``reason`` is a short stable code (``path``, ``trailing-slash``, ``userinfo``, ...) that
    callers such as the policy validator map to their own messages; ``value`` is the input.
    """

    def __init__(self, value: str, reason: str, message: str) -> None:
        super().__init__(message)
        self.value = value
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Origin:
    """A tuple origin (scheme, host, port) or an opaque origin.

    ``host`` is the serialized host: ASCII lowercase, IDNA labels in Punycode, IPv4 in
    dotted decimal, IPv6 compressed inside brackets. ``port`` is None for the scheme's
    default port. Opaque origins compare equal only to themselves.
    """

    scheme: str
    host: str
    port: int | None
    opaque_id: int = field(default=0, compare=True)

    @classmethod
    def opaque(cls) -> Origin:
        """A fresh opaque origin, distinct from every other one."""
        return cls("", "", None, next(_opaque_ids))

    @property
    def is_opaque(self) -> bool:
        return self.opaque_id != 0

    def serialize(self) -> str:
        """The ASCII serialization (HTML Standard): ``scheme://host[:port]`` or ``null``."""
        if self.is_opaque:
            return "null"
        if self.port is None:
            return f"{self.scheme}://{self.host}"
        return f"{self.scheme}://{self.host}:{self.port}"

    def __str__(self) -> str:
        return self.serialize()

    @property
    def effective_port(self) -> int | None:
        """The port the origin is served on, default port included."""
        return self.port if self.port is not None else DEFAULT_PORTS.get(self.scheme)

    @property
    def hostname(self) -> str:
        """The host without IPv6 brackets (what a resolver or ``ipaddress`` takes)."""
        return self.host[1:-1] if self.host.startswith("[") else self.host

    @property
    def is_ip(self) -> bool:
        return _ip(self.hostname) is not None

    @property
    def is_potentially_trustworthy(self) -> bool:
        """Secure Contexts §3.1: https/wss, loopback hosts and ``localhost`` are trustworthy."""
        if self.is_opaque:
            return False
        if self.scheme in ("https", "wss"):
            return True
        ip = _ip(self.hostname)
        if ip is not None:
            return ip.is_loopback
        return self.host == "localhost" or self.host.endswith(".localhost")


def parse_url(url: str, base: str | None = None) -> ada_url.URL:
    """Parse ``url`` (relative to ``base``) with the WHATWG URL parser, or raise OriginError."""
    try:
        return ada_url.URL(url, base=base) if base is not None else ada_url.URL(url)
    except ValueError:
        shown = url if base is None else f"{url} (relative to {base})"
        raise OriginError(
            url,
            "invalid-url",
            f"{shown!r} is not a valid URL: write it in full, e.g. 'https://api.example.com/path'",
        ) from None


def origin_of_url(url: str | ada_url.URL) -> Origin:
    """The origin of a URL, per the URL Standard (``blob:`` takes its inner URL's origin)."""
    if isinstance(url, str):
        origin = _origin_of_url_text(url)
        # Each opaque origin is unique: never hand out the cached one.
        return Origin.opaque() if origin.is_opaque else origin
    return _origin_of_parsed_url(url)


@functools.lru_cache(maxsize=4096)
def _origin_of_url_text(url: str) -> Origin:
    return _origin_of_parsed_url(parse_url(url))


def _origin_of_parsed_url(parsed: ada_url.URL) -> Origin:
    scheme = parsed.protocol[:-1]
    if scheme == "blob":
        inner = parsed.pathname
        try:
            inner_url = ada_url.URL(inner)
        except ValueError:
            return Origin.opaque()
        if inner_url.protocol[:-1] in ("http", "https", "file"):
            return _origin_of_parsed_url(inner_url)
        return Origin.opaque()
    if scheme not in TUPLE_ORIGIN_SCHEMES:
        return Origin.opaque()
    port = int(parsed.port) if parsed.port else None
    return Origin(scheme, parsed.hostname, port)


def parse_origin(text: str) -> Origin:
    """Read a serialized origin, as found in an ``Origin`` header or a configuration.

    ``null`` gives an opaque origin. Anything else must be exactly the serialization of its
    own origin: ``https://example.com`` is accepted; ``https://example.com/`` (trailing
    slash), ``HTTPS://Example.com`` (case), ``https://example.com:443`` (default port),
    ``example.com`` (no scheme), ``https://bücher.example`` (Unicode host) are refused with
    an :class:`OriginError` that says how to write the value instead.
    """
    if text == "null":
        return Origin.opaque()
    return _parse_tuple_origin(text)


@functools.lru_cache(maxsize=4096)
def _parse_tuple_origin(text: str) -> Origin:
    if not text or text != text.strip():
        raise OriginError(
            text, "whitespace", f"{text!r} is not an origin: remove the surrounding whitespace"
        )
    if "://" not in text:
        raise OriginError(
            text,
            "missing-scheme",
            f"{text!r} is not an origin: it has no scheme; write it as 'https://{text}'",
        )
    try:
        parsed = ada_url.URL(text)
    except ValueError:
        raise OriginError(
            text,
            "invalid",
            f"{text!r} is not an origin: write it as scheme://host[:port], "
            "e.g. 'https://app.example.com'",
        ) from None
    scheme = parsed.protocol[:-1]
    if scheme not in TUPLE_ORIGIN_SCHEMES:
        raise OriginError(
            text,
            "scheme",
            f"{text!r} is not an origin a browser sends: its scheme {scheme!r} has an opaque "
            "origin, which browsers send as 'null'",
        )
    if parsed.username or parsed.password:
        raise OriginError(
            text,
            "userinfo",
            f"{text!r} is not an origin: remove the user name and password "
            f"(write '{_canonical(parsed)}')",
        )
    if parsed.search or parsed.hash:
        raise OriginError(
            text,
            "query",
            f"{text!r} is not an origin: remove the query or fragment "
            f"(write '{_canonical(parsed)}')",
        )
    tail = text.split("://", 1)[1]
    if "/" in tail:
        reason = "trailing-slash" if tail.endswith("/") and tail.count("/") == 1 else "path"
        what = "the trailing '/'" if reason == "trailing-slash" else "the path"
        raise OriginError(
            text,
            reason,
            f"{text!r} is not an origin: remove {what}; an origin is scheme://host[:port] "
            f"(write '{_canonical(parsed)}')",
        )
    canonical = _canonical(parsed)
    if text != canonical:
        reason = _difference(text, parsed)
        raise OriginError(text, reason, _difference_message(text, reason, canonical))
    port = int(parsed.port) if parsed.port else None
    return Origin(scheme, parsed.hostname, port)


def _canonical(parsed: ada_url.URL) -> str:
    scheme = parsed.protocol[:-1]
    return f"{scheme}://{parsed.host}"


def _difference(text: str, parsed: ada_url.URL) -> str:
    scheme = parsed.protocol[:-1]
    written_host = text.split("://", 1)[1]
    default = DEFAULT_PORTS.get(scheme)
    if default is not None and written_host.endswith(f":{default}") and not parsed.port:
        return "default-port"
    if not written_host.isascii():
        return "unicode-host"
    if text.lower() == _canonical(parsed):
        return "case"
    if parsed.host_type != 0:  # ada: 0 is a domain, 1 IPv4, 2 IPv6
        return "non-canonical-ip"
    return "non-canonical"


def _difference_message(text: str, reason: str, canonical: str) -> str:
    why = {
        "default-port": "the default port is never written in an origin",
        "unicode-host": "browsers send the host in Punycode",
        "case": "browsers send scheme and host in lowercase",
        "non-canonical-ip": "browsers send IP addresses in canonical form",
        "non-canonical": "browsers send it in canonical form",
    }[reason]
    return f"{text!r} is not a serialized origin ({why}): write '{canonical}'"


def same_origin(a: Origin, b: Origin) -> bool:
    """HTML "same origin": identical tuples, or the very same opaque origin."""
    return a == b


_psl = PublicSuffixList()


def _ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


@functools.lru_cache(maxsize=4096)
def registrable_domain(host: str) -> str | None:
    """The registrable domain (eTLD+1) of a host by the Public Suffix List, or None.

    IP addresses and hosts that are themselves public suffixes have none. The private
    section of the list counts, as in browsers: ``a.github.io`` is its own site.
    """
    host = host.rstrip(".")
    if not host or host.startswith("[") or _ip(host) is not None:
        return None
    result: str | None = _psl.privatesuffix(host)
    return result


@functools.lru_cache(maxsize=4096)
def is_public_suffix(host: str) -> bool:
    """True when ``host`` is a public suffix (``com``, ``co.uk``, ``github.io``)."""
    host = host.rstrip(".")
    if not host or _ip(host) is not None:
        return False
    result: bool = _psl.is_public(host)
    return result


def same_site(a: Origin, b: Origin) -> bool:
    """HTML "same site" (schemeful): same scheme and same registrable domain or host."""
    if a.is_opaque or b.is_opaque:
        return a == b
    if a.scheme != b.scheme:
        return False
    if a.host == b.host:
        return True
    domain_a = registrable_domain(a.host)
    return domain_a is not None and domain_a == registrable_domain(b.host)
