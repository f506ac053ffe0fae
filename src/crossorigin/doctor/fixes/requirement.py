"""What a blocked request needs from the server: the input of every fix.

A :class:`Requirement` is validated and normalized when it is built, so every stack's
generator can print its values into a configuration file without quoting worries: origins
are exact serialized ``http``/``https`` origins, methods and header names are plain tokens.
A value that cannot be used raises :class:`RequirementError`, whose message names the value
and says what to write instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from crossorigin.headers import (
    is_cors_safelisted_method,
    is_forbidden_method,
    is_forbidden_request_header,
    is_forbidden_response_header_name,
    is_header_name,
    is_method,
    normalize_method,
)
from crossorigin.origin import OriginError, parse_origin

__all__ = ["MAX_AGE_LIMIT", "Requirement", "RequirementError"]

# The largest Access-Control-Max-Age worth configuring (jub0bs/cors bounds it the same way;
# Chromium caps the cache at 7200 s, Firefox at 86400 s).
MAX_AGE_LIMIT = 86400
CHROMIUM_MAX_AGE_CAP = 7200

# Configuration languages give meaning to characters a token may contain ('$' in nginx, '%'
# in Apache, quotes everywhere). Real method and header names never use them, so the fix
# accepts only these.
_PLAIN_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
# Host names as browsers serialize them (lowercase ASCII, Punycode), or an IP literal.
_PLAIN_HOST = re.compile(r"[a-z0-9_-]+(\.[a-z0-9_-]+)*\.?|\[[0-9a-f:.]+\]")
# Response headers that exist only to answer CORS: listing them makes no sense.
_CORS_HEADER_PREFIX = "access-control-"
_SAFELISTED_ORDER = ("GET", "HEAD", "POST")


class RequirementError(ValueError):
    """A value the fix cannot use; the message names it and says what to write instead."""

    def __init__(self, option: str, value: str, message: str) -> None:
        super().__init__(message)
        self.option = option
        self.value = value


@dataclass(frozen=True, slots=True)
class Requirement:
    """What the server must allow so that the page's cross-origin requests succeed.

    - ``origins``: the page origins, exactly as browsers send them (``https://app.example.com``,
      ``http://localhost:5173``); one or more, never ``*``, never ``null``.
    - ``methods``: the methods the page sends. GET, HEAD and POST may be listed; browsers never
      need permission for them, so only the others reach ``Access-Control-Allow-Methods``.
    - ``request_headers``: the non-safelisted request headers the page sets
      (``Authorization``, ``Content-Type`` for JSON, ``X-Requested-With``...).
    - ``credentials``: the page sends cookies or HTTP auth (``credentials: "include"``,
      ``withCredentials``).
    - ``expose_headers``: response headers the page's script reads besides the safelisted ones.
    - ``max_age``: seconds browsers may cache a preflight answer, or None for their default.
    - ``private_network``: a public page calls a private-network server (Private Network Access
      preflights: ``Access-Control-Allow-Private-Network: true``).
    - ``api_origin``: the origin of the API the page calls, when known (dev proxies forward to
      it; other stacks ignore it).

    Lists are de-duplicated (names case-insensitively) and keep their order.
    """

    origins: tuple[str, ...]
    methods: tuple[str, ...] = ()
    request_headers: tuple[str, ...] = ()
    credentials: bool = False
    expose_headers: tuple[str, ...] = ()
    max_age: int | None = None
    private_network: bool = False
    api_origin: str | None = None

    def __post_init__(self) -> None:
        set_field = object.__setattr__  # the dataclass is frozen; normalize once, here
        set_field(self, "origins", _origins(self.origins))
        set_field(self, "methods", _methods(self.methods))
        set_field(self, "request_headers", _request_headers(self.request_headers))
        set_field(self, "expose_headers", _expose_headers(self.expose_headers))
        if self.api_origin is not None:
            _check_origin(self.api_origin, "api_origin", "the API's origin")
        if self.max_age is not None:
            if isinstance(self.max_age, bool) or not isinstance(self.max_age, int):
                raise RequirementError(
                    "max_age",
                    repr(self.max_age),
                    f"max-age {self.max_age!r} is not a number of seconds: "
                    f"give an integer from 0 to {MAX_AGE_LIMIT}, e.g. 600",
                )
            if not 0 <= self.max_age <= MAX_AGE_LIMIT:
                raise RequirementError(
                    "max_age",
                    str(self.max_age),
                    f"max-age {self.max_age} is out of range: give 0 to {MAX_AGE_LIMIT} "
                    f"seconds (Chromium caps the preflight cache at {CHROMIUM_MAX_AGE_CAP})",
                )

    @property
    def preflight_methods(self) -> tuple[str, ...]:
        """The methods ``Access-Control-Allow-Methods`` must list (Fetch §4.8 step 6:
        CORS-safelisted methods pass the browser's check without being listed)."""
        return tuple(m for m in self.methods if not is_cors_safelisted_method(m))

    @property
    def server_checked_methods(self) -> tuple[str, ...]:
        """The method list for middleware that refuses a preflight whose
        ``Access-Control-Request-Method`` it does not list (Starlette, Spring, ASP.NET Core,
        rack-cors, rs/cors, flask-cors). A preflighted GET (say, GET with Authorization) asks
        for ``GET``; listing GET, HEAD and POST grants nothing browsers do not allow anyway."""
        return (*_SAFELISTED_ORDER, *self.preflight_methods)

    @property
    def needs_preflight(self) -> bool:
        """Whether any request of the page is preflighted."""
        return bool(self.preflight_methods or self.request_headers or self.private_network)

    @property
    def insecure_origins(self) -> tuple[str, ...]:
        """Origins over plain http that are not loopback: with credentials, a network attacker
        can inject script into such a page and ride the user's cookies."""
        return tuple(
            text for text in self.origins if not parse_origin(text).is_potentially_trustworthy
        )


def _origins(values: Iterable[str]) -> tuple[str, ...]:
    if isinstance(values, str):
        values = (values,)
    result: list[str] = []
    for text in values:
        _check_origin(text)
        if text not in result:
            result.append(text)
    if not result:
        raise RequirementError(
            "origin",
            "",
            "no origin given: name the page's origin, e.g. --origin https://app.example.com",
        )
    return tuple(result)


def _check_origin(text: str, option: str = "origin", what: str = "origin") -> None:
    if not isinstance(text, str):
        raise RequirementError(option, repr(text), f"{what} {text!r} is not a string")
    if "*" in text:
        raise RequirementError(
            option,
            text,
            f"{what} {text!r} is a wildcard; the fix allows exact origins only: "
            "give each page origin, e.g. --origin https://app.example.com",
        )
    if text == "null":
        raise RequirementError(
            option,
            text,
            f"{what} 'null' is shared by every sandboxed iframe, data: URL and local file, "
            "so allowing it allows any of them: serve the page from a real origin instead",
        )
    try:
        origin = parse_origin(text)
    except OriginError as error:
        raise RequirementError(option, text, f"{what} {error}") from None
    if origin.scheme not in ("http", "https"):
        raise RequirementError(
            option,
            text,
            f"{what} {text!r} is not a web page origin: pages are served over http:// or "
            "https://, e.g. 'https://app.example.com'",
        )
    if _PLAIN_HOST.fullmatch(origin.host) is None:
        raise RequirementError(
            option,
            text,
            f"{what} {text!r} has characters no host name has: write the host with letters, "
            "digits, '-' and '.', e.g. 'https://app.example.com'",
        )


def _names(values: Iterable[str], option: str) -> list[str]:
    """Split comma-separated items, trim them, drop empty ones."""
    if isinstance(values, str):
        values = (values,)
    names: list[str] = []
    for value in values:
        if not isinstance(value, str):
            raise RequirementError(option, repr(value), f"{option} {value!r} is not a string")
        names.extend(part.strip() for part in value.split(",") if part.strip())
    return names


def _check_plain(name: str, option: str, what: str, example: str) -> None:
    if name == "*":
        raise RequirementError(
            option,
            name,
            f"{what} '*' is a wildcard; the fix lists exact names: give each one, e.g. {example}",
        )
    valid = is_method(name) if option == "methods" else is_header_name(name)
    if not valid:
        raise RequirementError(
            option, name, f"{what} {name!r} is not a valid HTTP token: use e.g. {example}"
        )
    if _PLAIN_NAME.fullmatch(name) is None:
        raise RequirementError(
            option,
            name,
            f"{what} {name!r} uses characters server configurations treat specially: "
            f"use letters, digits, '-', '_' and '.', e.g. {example}",
        )


def _dedupe(names: Iterable[str]) -> tuple[str, ...]:
    seen: set[str] = set()
    result: list[str] = []
    for name in names:
        if name.lower() not in seen:
            seen.add(name.lower())
            result.append(name)
    return tuple(result)


def _methods(values: Iterable[str]) -> tuple[str, ...]:
    result: list[str] = []
    for name in _names(values, "methods"):
        _check_plain(name, "methods", "method", "--methods PUT,DELETE")
        if is_forbidden_method(name):
            raise RequirementError(
                "methods",
                name,
                f"method {name!r} is forbidden: fetch() and XMLHttpRequest refuse to send it, "
                "so no server setting can help; use another method",
            )
        method = normalize_method(name)
        if method not in result:
            result.append(method)
    return tuple(result)


def _request_headers(values: Iterable[str]) -> tuple[str, ...]:
    names = _names(values, "headers")
    for name in names:
        _check_plain(name, "headers", "request header", "--headers Authorization,Content-Type")
        lowered = name.lower()
        if lowered.startswith(_CORS_HEADER_PREFIX):
            raise RequirementError(
                "headers",
                name,
                f"request header {name!r} is a CORS header the browser or server sets: "
                "list only the headers your script sets, e.g. Authorization",
            )
        if lowered in ("cookie", "cookie2"):
            raise RequirementError(
                "headers",
                name,
                f"request header {name!r} is set by the browser, never by script: "
                "to send cookies use --credentials",
            )
        if is_forbidden_request_header(name):
            raise RequirementError(
                "headers",
                name,
                f"request header {name!r} is forbidden: the browser sets it and drops it from "
                "fetch(), so it needs no permission; remove it",
            )
    return _dedupe(names)


def _expose_headers(values: Iterable[str]) -> tuple[str, ...]:
    names = _names(values, "expose")
    for name in names:
        _check_plain(name, "expose", "exposed header", "--expose X-Total-Count")
        if is_forbidden_response_header_name(name):
            raise RequirementError(
                "expose",
                name,
                f"exposed header {name!r} is never readable by script, whatever the server "
                "says: remove it (cookies travel with --credentials)",
            )
        if name.lower().startswith(_CORS_HEADER_PREFIX):
            raise RequirementError(
                "expose",
                name,
                f"exposed header {name!r} is a CORS header: list the response headers your "
                "script reads, e.g. X-Total-Count",
            )
    return _dedupe(names)
