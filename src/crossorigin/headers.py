"""Method and header rules of the Fetch Standard, as Chromium applies them.

Every rule is a pure function over ``str`` values (header values are treated as byte
strings decoded as Latin-1, so ``len(value)`` is the byte length a browser measures).
Section references are to the Fetch Standard (fetch.spec.whatwg.org); where Chromium 156
departs from it, the function says so and follows Chromium.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

__all__ = [
    "CORS_SAFELISTED_METHODS",
    "FORBIDDEN_METHODS",
    "SAFELISTED_RESPONSE_HEADER_NAMES",
    "cors_unsafe_request_header_names",
    "is_cors_safelisted_method",
    "is_cors_safelisted_request_header",
    "is_forbidden_method",
    "is_forbidden_request_header",
    "is_forbidden_response_header_name",
    "is_header_name",
    "is_header_value",
    "is_method",
    "is_no_cors_safelisted_request_header",
    "normalize_method",
    "parse_header_list",
    "strip_ows",
]

# §2.2.1 Methods.
CORS_SAFELISTED_METHODS = frozenset({"GET", "HEAD", "POST"})
FORBIDDEN_METHODS = frozenset({"CONNECT", "TRACE", "TRACK"})
_NORMALIZED_METHODS = {m.lower(): m for m in ("DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT")}

# RFC 9110 §5.6.2: token = 1*tchar.
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
HTTP_WHITESPACE = " \t"  # HTTP tab or space: what header values are trimmed of

# §2.2.2 "CORS-safelisted response-header name" (Content-Length included since 2020).
SAFELISTED_RESPONSE_HEADER_NAMES = frozenset(
    {
        "cache-control",
        "content-language",
        "content-length",
        "content-type",
        "expires",
        "last-modified",
        "pragma",
    }
)

_FORBIDDEN_REQUEST_HEADER_NAMES = frozenset(
    {
        "accept-charset",
        "accept-encoding",
        "access-control-request-headers",
        "access-control-request-method",
        # Chromium also forbids the Private/Local Network Access request header.
        "access-control-request-private-network",
        "connection",
        "content-length",
        "cookie",
        "cookie2",
        "date",
        "dnt",
        "expect",
        "host",
        "keep-alive",
        "origin",
        "referer",
        "set-cookie",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "via",
    }
)
# Fetch no longer forbids User-Agent, but Chromium's network service still treats it as a
# header the browser owns (net::HttpUtil::IsSafeHeader): it never triggers a preflight.
_NOT_COUNTED_BY_CHROMIUM = frozenset({"user-agent"})
_METHOD_OVERRIDE_HEADER_NAMES = frozenset(
    {"x-http-method", "x-http-method-override", "x-method-override"}
)

# §2.2.2 "CORS-unsafe request-header byte".
_UNSAFE_BYTES = frozenset('"():<>?@[\\]{}\x7f') | frozenset(
    chr(c) for c in range(0x20) if c != 0x09
)
_LANGUAGE_BYTES = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz *,-.;=")
_SAFELISTED_CONTENT_TYPES = frozenset(
    {"application/x-www-form-urlencoded", "multipart/form-data", "text/plain"}
)
_NO_CORS_SAFELISTED_NAMES = frozenset(
    {"accept", "accept-language", "content-language", "content-type"}
)
_INT64_MAX = 2**63 - 1
SAFELISTED_VALUE_LIMIT = 128  # bytes, per header value
SAFELISTED_TOTAL_LIMIT = 1024  # bytes, summed over the safelisted values of one request

# Chromium safelists client hints as well (services/network/public/cpp/cors/cors.cc).
_CLIENT_HINT_DECIMAL = re.compile(r"[0-9]+(\.[0-9]+)?")
_CLIENT_HINT_INTEGER = re.compile(r"[0-9]+")
_ECT_VALUES = frozenset({"slow-2g", "2g", "3g", "4g"})
_CLIENT_HINTS_UNCHECKED = frozenset(
    {
        "intervention",
        "sec-ch-ua",
        "sec-ch-ua-arch",
        "sec-ch-ua-platform",
        "sec-ch-ua-model",
        "sec-ch-ua-mobile",
        "sec-ch-ua-full-version",
        "sec-ch-ua-platform-version",
        "sec-ch-ua-bitness",
        "sec-ch-ua-full-version-list",
        "sec-ch-ua-wow64",
        "sec-ch-ua-form-factors",
        "sec-ch-prefers-color-scheme",
        "sec-ch-prefers-reduced-motion",
        "sec-ch-prefers-reduced-transparency",
        "sec-ch-viewport-height",
        "sec-ch-device-memory",
        "sec-ch-dpr",
        "sec-ch-width",
        "sec-ch-viewport-width",
    }
)


def is_method(method: str) -> bool:
    """A method is a token (RFC 9110 §9.1)."""
    return _TOKEN.fullmatch(method) is not None


def normalize_method(method: str) -> str:
    """§2.2.1 normalize: ``delete`` becomes ``DELETE``; ``patch`` stays ``patch``."""
    return _NORMALIZED_METHODS.get(method.lower(), method)


def is_cors_safelisted_method(method: str) -> bool:
    """GET, HEAD or POST, byte for byte (the spec).

    Chromium's ``NeedsPreflight`` upper-cases first, but only normalized methods reach it,
    and normalization already upper-cases every lowercase spelling of these three.
    """
    return method in CORS_SAFELISTED_METHODS


def is_forbidden_method(method: str) -> bool:
    """CONNECT, TRACE or TRACK in any case: ``fetch()`` throws a TypeError."""
    return method.upper() in FORBIDDEN_METHODS


def is_header_name(name: str) -> bool:
    return _TOKEN.fullmatch(name) is not None


def is_header_value(value: str) -> bool:
    """Fetch "header value": no leading/trailing whitespace, no NUL, CR or LF."""
    if value != strip_ows(value):
        return False
    return not any(c in value for c in "\x00\r\n")


def strip_ows(value: str) -> str:
    """Remove leading and trailing HTTP whitespace, as header values are stored."""
    return value.strip(HTTP_WHITESPACE)


def is_forbidden_request_header(name: str, value: str = "") -> bool:
    """§2.2.2 forbidden request-header: ``fetch()`` silently drops these."""
    lowered = name.lower()
    if lowered in _FORBIDDEN_REQUEST_HEADER_NAMES:
        return True
    if lowered.startswith(("proxy-", "sec-")):
        return True
    if lowered in _METHOD_OVERRIDE_HEADER_NAMES:
        return any(is_forbidden_method(strip_ows(part)) for part in value.split(","))
    return False


def is_forbidden_response_header_name(name: str) -> bool:
    """Set-Cookie and Set-Cookie2 are never exposed to script."""
    return name.lower() in ("set-cookie", "set-cookie2")


def _has_unsafe_byte(value: str) -> bool:
    return any(c in _UNSAFE_BYTES for c in value)


def _is_safelisted_content_type(value: str) -> bool:
    # Chromium lowercases, rejects unsafe bytes, then extracts the MIME type without
    # accepting comma-separated lists: the essence is what precedes the first ';'.
    lowered = value.lower()
    if _has_unsafe_byte(lowered):
        return False
    essence = lowered.split(";", 1)[0].strip(HTTP_WHITESPACE)
    if "," in essence:
        return False
    return essence in _SAFELISTED_CONTENT_TYPES


def _is_safelisted_range(value: str) -> bool:
    """§2.2.2 "parse a single range header value" without whitespace; no suffix range."""
    match = re.fullmatch(r"bytes=([0-9]*)-([0-9]*)", value)
    if match is None:
        return False
    start, end = match.groups()
    if not start:
        return False  # a suffix range (bytes=-N) is not safelisted
    if int(start) > _INT64_MAX or (end and int(end) > _INT64_MAX):
        return False  # Chromium parses the positions as 64-bit integers
    return not end or int(start) <= int(end)


def is_cors_safelisted_request_header(name: str, value: str) -> bool:
    """§2.2.2 CORS-safelisted request-header, plus Chromium's client hints."""
    if len(value.encode("latin-1", "replace")) > SAFELISTED_VALUE_LIMIT:
        return False
    lowered = name.lower()
    if lowered == "accept":
        return not _has_unsafe_byte(value)
    if lowered in ("accept-language", "content-language"):
        return all(c in _LANGUAGE_BYTES for c in value)
    if lowered == "content-type":
        return _is_safelisted_content_type(value)
    if lowered == "range":
        return _is_safelisted_range(value)
    if lowered in ("device-memory", "dpr", "downlink"):
        return _CLIENT_HINT_DECIMAL.fullmatch(value) is not None
    if lowered in ("width", "viewport-width", "rtt"):
        return _CLIENT_HINT_INTEGER.fullmatch(value) is not None
    if lowered == "ect":
        return value in _ECT_VALUES
    if lowered == "save-data":
        return value.lower() == "on"
    return lowered in _CLIENT_HINTS_UNCHECKED


def is_no_cors_safelisted_request_header(name: str, value: str) -> bool:
    """§2.2.2: what a ``no-cors`` request may carry (everything else is dropped silently)."""
    return name.lower() in _NO_CORS_SAFELISTED_NAMES and is_cors_safelisted_request_header(
        name, value
    )


def cors_unsafe_request_header_names(
    headers: Iterable[tuple[str, str]], *, sort: bool = True
) -> list[str]:
    """§2.2.2 CORS-unsafe request-header names, lowercased and de-duplicated.

    Forbidden headers never count (the browser sets them). When the safelisted values sum
    to more than 1,024 bytes, every safelisted name becomes unsafe too. Sorted by default,
    as the preflight's ``Access-Control-Request-Headers`` lists them; ``sort=False`` keeps
    Chromium's order (header order, then the over-limit safelisted names), which decides
    which name its "not allowed" message reports first.
    """
    unsafe: list[str] = []
    potentially_unsafe: list[str] = []
    safelisted_size = 0
    for name, value in headers:
        lowered = name.lower()
        if is_forbidden_request_header(name, value) or lowered in _NOT_COUNTED_BY_CHROMIUM:
            continue
        if is_cors_safelisted_request_header(name, value):
            if lowered not in potentially_unsafe:
                potentially_unsafe.append(lowered)
            safelisted_size += len(value.encode("latin-1", "replace"))
        elif lowered not in unsafe:
            unsafe.append(lowered)
    if safelisted_size > SAFELISTED_TOTAL_LIMIT:
        unsafe += [name for name in potentially_unsafe if name not in unsafe]
    return sorted(unsafe) if sort else unsafe


def parse_header_list(value: str | None) -> list[str] | None:
    """Parse a ``#token`` list (RFC 9110 §5.6.1) as Chromium does; None when not parsable.

    Empty elements and optional whitespace are allowed (``GET, , PUT``); anything that is
    not a token (``(DELETE)``, ``a b``) makes the whole header unparsable. An absent header
    (``value is None``) gives an empty list.
    """
    if value is None:
        return []
    items: list[str] = []
    for part in value.split(","):
        item = part.strip(HTTP_WHITESPACE)
        if not item:
            continue
        if _TOKEN.fullmatch(item) is None:
            return None
        items.append(item)
    return items


def combine(values: Sequence[str]) -> str | None:
    """How a browser reads a header sent on several lines: values joined by ``, ``.

    Each value is first trimmed of HTTP whitespace. None when the header is absent.
    """
    if not values:
        return None
    return ", ".join(strip_ows(v) for v in values)
