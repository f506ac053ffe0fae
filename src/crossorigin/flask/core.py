"""flask-cors' options and helpers (what ``flask_cors.core`` holds), over crossorigin's Policy.

Code written against ``flask_cors.core`` keeps working with its import changed::

    from crossorigin.flask.core import *   # was: from flask_cors.core import *

This is the layer :mod:`crossorigin.flask` itself is built on, not a copy beside it: the
options of ``CORS(...)`` and ``@cross_origin(...)`` are merged by :func:`merge_options`
(defaults, then the app's ``CORS_*`` config, then the keywords), resolved by
:func:`serialize_options` into a :class:`CorsOptions` that holds one validated
:class:`crossorigin.policy.Policy`, and ``resources`` keys are ordered and compiled by
:func:`parse_resources` and compared with the declared routes by :func:`try_match_pattern`.

The helpers keep flask-cors' names, signatures and results, except where the result is what
made flask-cors unsafe or silently wrong:

- :func:`serialize_options` returns a :class:`CorsOptions`, and the Policy validates every
  option: any problem raises ``crossorigin.policy.PolicyError`` (a ``ValueError``) naming the
  value and the fix. flask-cors raised only for ``"*"`` with credentials *and*
  ``send_wildcard``; crossorigin refuses ``"*"`` with credentials whatever ``send_wildcard``
  says, and a misspelt option name raises ``TypeError`` (flask-cors logged a warning and kept
  the default: every origin).
- Header-name regexes (:func:`get_allow_headers`, and the preflight answer) match the whole
  requested name, case-insensitively, as the Policy does; flask-cors' ``re.match`` let
  ``r"X-Api"`` allow ``X-Api-Secret-Override`` too.
- Origins are not sorted by :func:`probably_regex`: a lone ``*`` in an origin is the policy's
  wildcard grammar (``https://*.example.com``), so an origin string is a regex only when it
  holds a character only regexes have (``\\ [ ] ( ) ? ^ $ + { } |``) or ``.*``; every origin
  regex is matched against the whole origin and vetted by the Policy against attack origins.

Not provided: ``get_cors_origins``, ``get_cors_headers``, ``set_cors_headers`` and
``FLASK_CORS_EVALUATED`` (flask-cors' per-request answer: crossorigin's answer is the
Policy's, written by ``CORS`` and ``cross_origin``), and the ``LOG`` logger (crossorigin logs no
request data; flask-cors' debug logs were CVE-2024-1681).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import Blueprint, Flask, current_app

from crossorigin.headers import is_header_name
from crossorigin.policy import Policy

# ``re`` is exported on purpose: ``from flask_cors.core import *`` gave code the ``re`` module
# (flask_cors.core has no __all__), and flask-cors' own tests use it that way.
__all__ = [
    "ACL_ALLOW_HEADERS",
    "ACL_CREDENTIALS",
    "ACL_EXPOSE_HEADERS",
    "ACL_MAX_AGE",
    "ACL_METHODS",
    "ACL_ORIGIN",
    "ACL_REQUEST_HEADERS",
    "ACL_REQUEST_HEADER_PRIVATE_NETWORK",
    "ACL_REQUEST_METHOD",
    "ACL_RESPONSE_PRIVATE_NETWORK",
    "ALL_METHODS",
    "CONFIG_OPTIONS",
    "DEFAULT_OPTIONS",
    "CorsOptions",
    "RegexObject",
    "ResourcePattern",
    "ensure_iterable",
    "flexible_str",
    "get_allow_headers",
    "get_app_kwarg_dict",
    "get_cors_options",
    "get_regexp_pattern",
    "merge_options",
    "parse_resources",
    "probably_regex",
    "re",
    "re_fix",
    "sanitize_regex_param",
    "serialize_options",
    "try_match_any_pattern",
    "try_match_pattern",
]

# A resource, origin or header pattern: a literal string or a compiled regular expression.
ResourcePattern = str | re.Pattern[str]
RegexObject = re.Pattern

# Response headers
ACL_ORIGIN = "Access-Control-Allow-Origin"
ACL_METHODS = "Access-Control-Allow-Methods"
ACL_ALLOW_HEADERS = "Access-Control-Allow-Headers"
ACL_EXPOSE_HEADERS = "Access-Control-Expose-Headers"
ACL_CREDENTIALS = "Access-Control-Allow-Credentials"
ACL_MAX_AGE = "Access-Control-Max-Age"
ACL_RESPONSE_PRIVATE_NETWORK = "Access-Control-Allow-Private-Network"
# Request headers
ACL_REQUEST_METHOD = "Access-Control-Request-Method"
ACL_REQUEST_HEADERS = "Access-Control-Request-Headers"
ACL_REQUEST_HEADER_PRIVATE_NETWORK = "Access-Control-Request-Private-Network"

ALL_METHODS = ["GET", "HEAD", "POST", "OPTIONS", "PUT", "PATCH", "DELETE"]

# flask-cors' defaults. ``origins="*"`` stays the default: without credentials it lets any
# page read the responses, as flask-cors always did (with credentials it is refused). The
# last three are crossorigin's explicit opt-ins, named so that they read as dangerous in a
# review (the Policy's keywords of the same names).
DEFAULT_OPTIONS: dict[str, Any] = {
    "origins": "*",
    "methods": ALL_METHODS,
    "allow_headers": "*",
    "expose_headers": None,
    "supports_credentials": False,
    "max_age": None,
    "send_wildcard": False,
    "automatic_options": True,
    "vary_header": True,
    "resources": r"/*",
    "intercept_exceptions": True,
    "always_send": True,
    "allow_private_network": False,
    "dangerously_allow_null_origin": False,
    "dangerously_allow_insecure_origins": False,
    "dangerously_allow_public_suffix_subdomains": False,
}
# The app config keys: ``CORS_ORIGINS``, ``CORS_METHODS``, ...
CONFIG_OPTIONS = [f"CORS_{name.upper()}" for name in DEFAULT_OPTIONS]
# Options that belong to a route (``@cross_origin``, a ``resources`` entry); ``resources`` and
# ``intercept_exceptions`` are the extension's.
ROUTE_OPTIONS = frozenset(DEFAULT_OPTIONS) - {"resources", "intercept_exceptions"}
APP_OPTIONS = frozenset(DEFAULT_OPTIONS)

# flask-cors' heuristic: characters common in regular expressions.
_REGEX_HINT_CHARACTERS = frozenset("*\\]?$^[]()")
# Characters that only a regular expression contains, for origins. A ``*`` alone is not one:
# in an origin it is the policy's wildcard grammar (``https://*.example.com``,
# ``http://localhost:*``).
_ORIGIN_REGEX_CHARACTERS = frozenset("\\[]()?^$+{}|")
# Any valid origin: with every origin allowed, the policy's answer is the same for all of them.
_ANY_ORIGIN = "https://any-origin.invalid"


# -- flask-cors' helpers -------------------------------------------------------------------


def probably_regex(maybe_regex: ResourcePattern) -> bool:
    """Whether a pattern is a regex: compiled, or holding one of ``* \\ ] ? $ ^ [ ( )``.

    flask-cors' rule, used for ``resources`` keys and ``allow_headers`` entries (``"*"`` alone
    is handled before: it means everything). Origins use a stricter rule (module docstring).
    """
    if isinstance(maybe_regex, re.Pattern):
        return True
    return not _REGEX_HINT_CHARACTERS.isdisjoint(maybe_regex)


def re_fix(reg: ResourcePattern) -> ResourcePattern:
    """``"*"`` (not a valid regex) becomes ``".*"``; anything else is returned unchanged."""
    return r".*" if reg == r"*" else reg


def ensure_iterable(inst: Any) -> Iterable[Any]:
    """A string or any other scalar becomes a one-item list; an iterable is returned as is."""
    if isinstance(inst, str) or not isinstance(inst, Iterable):
        return [inst]
    return inst


def sanitize_regex_param(param: Any) -> list[Any]:
    """:func:`ensure_iterable`, with ``"*"`` items turned into ``".*"`` (:func:`re_fix`)."""
    return [re_fix(item) for item in ensure_iterable(param)]


def get_regexp_pattern(regexp: ResourcePattern) -> str:
    """The text of a pattern: ``.pattern`` of a compiled regex, the string itself otherwise."""
    if isinstance(regexp, re.Pattern):
        return regexp.pattern
    return str(regexp)


def flexible_str(obj: Any) -> str | None:
    """A header value from a string (kept as is) or an iterable (sorted, joined by ", ").

    Sorted so that a set gives the same value every time. None stays None.
    """
    if obj is None:
        return None
    if not isinstance(obj, str) and isinstance(obj, Iterable):
        return ", ".join(str(item) for item in sorted(obj))
    return str(obj)


def try_match_pattern(value: Any, pattern: ResourcePattern, caseSensitive: bool = True) -> bool:
    """flask-cors' match of a value against a *resolved* pattern.

    A compiled regex is ``re.match``-ed (anchored at the start only; its own flags decide the
    case); a literal string is compared whole, case-folded when ``caseSensitive`` is False.
    crossorigin.flask uses it for one thing: a ``resources`` key against a route *as
    declared* (``/api/*`` matches ``/api/items/<int:id>``), case-sensitively. Origins and
    header names are never matched with it: the Policy matches them whole.
    """
    if isinstance(pattern, re.Pattern):
        return pattern.match(value) is not None
    try:
        text = str(value)
        literal = str(pattern)
    except Exception:
        return bool(value == pattern)
    return text == literal if caseSensitive else text.casefold() == literal.casefold()


def try_match_any_pattern(
    inst: str,
    patterns: Iterable[ResourcePattern],
    caseSensitive: bool = True,
) -> bool:
    """:func:`try_match_pattern` against each pattern; True on the first match."""
    return any(try_match_pattern(inst, pattern, caseSensitive) for pattern in patterns)


def parse_resources(resources: Any) -> list[tuple[ResourcePattern, Any]]:
    """``resources`` -> [(pattern, options)], regex-looking keys compiled (case-sensitive).

    ``resources`` is a pattern, a list of patterns, or ``{pattern: options}``. ``"*"`` means
    every route. A dict is ordered as flask-cors 6 orders it, so a specific rule is never
    shadowed by a catch-all one: literal paths first, then compiled regexes, then regex
    strings; within each, more slashes first, then longer first. An invalid regex raises
    ValueError when the app is configured, not on some later request.
    """
    pairs: list[tuple[Any, Any]]
    if isinstance(resources, dict):
        pairs = [(re_fix(_resource_key(key)), options) for key, options in resources.items()]
        pairs.sort(key=_specificity)
    elif isinstance(resources, str):
        pairs = [(re_fix(resources), {})]
    elif isinstance(resources, Iterable):
        pairs = [(re_fix(_resource_key(key)), {}) for key in resources]
    elif isinstance(resources, re.Pattern):
        pairs = [(resources, {})]
    else:
        # ValueError, as flask-cors raised (callers may catch it).
        raise ValueError(
            f"resources={resources!r}: expected a path pattern, a list of them, or a dict of "
            "{pattern: options}"
        )
    return [(_compiled(key, "resources", 0), options) for key, options in pairs]


def _resource_key(key: object) -> ResourcePattern:
    if not isinstance(key, str | re.Pattern):
        raise ValueError(f"resources: {key!r} is not a path pattern (a string or a compiled regex)")
    return key


def _specificity(pair: tuple[ResourcePattern, object]) -> tuple[int, int, int, int]:
    pattern = pair[0]
    if isinstance(pattern, re.Pattern):
        return (1, 0, -pattern.pattern.count("/"), -len(pattern.pattern))
    if probably_regex(pattern):
        return (1, 1, -pattern.count("/"), -len(pattern))
    return (0, 0, -pattern.count("/"), -len(pattern))


def _compiled(pattern: ResourcePattern, option: str, flags: int) -> ResourcePattern:
    """A regex-looking string compiled once, at configuration time; anything else as is."""
    if isinstance(pattern, str) and probably_regex(pattern):
        try:
            return re.compile(pattern, flags)
        except re.error as error:
            raise ValueError(
                f"{option}: {pattern!r} is not a valid regular expression ({error}); escape "
                "the character or write a literal value without regex characters"
            ) from None
    return pattern


# -- options -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CorsOptions:
    """One route's resolved CORS options: its validated Policy and flask-cors' switches.

    Built by :func:`serialize_options`. The Policy takes every decision; the switches only
    shape how the Flask adapter writes it.
    """

    policy: Policy
    # Access-Control-Expose-Headers as flask-cors writes it: as configured, sorted, ", ".
    expose_headers: str | None
    send_wildcard: bool
    always_send: bool
    vary_header: bool
    automatic_options: bool
    allow_private_network: bool
    # The answer to a request without Origin (flask-cors' always_send with every origin).
    without_origin: tuple[tuple[str, str], ...]

    @property
    def echoes_origin(self) -> bool:
        """``origins="*"`` without ``send_wildcard``: the answer echoes the request's Origin.

        flask-cors' default. Without credentials (the Policy refuses ``"*"`` with them) the
        echo gives every origin exactly the access ``*`` gives. The echoed answer depends on
        Origin, so it needs ``Vary: Origin``: with ``vary_header=False`` the answer stays
        ``*``.
        """
        return self.policy.allow_all_origins and not self.send_wildcard and self.vary_header

    def allows_header(self, name: str) -> bool:
        """Whether a preflight may ask for request header ``name`` (the Policy's rule)."""
        if not is_header_name(name):
            return False
        config = self.policy.config
        return (
            config.any_header
            or name.lower() in config.headers
            or any(pattern.fullmatch(name) for pattern in config.header_patterns)
        )


def get_allow_headers(options: CorsOptions, acl_request_headers: str | None) -> str | None:
    """The requested header names ``options`` allow, sorted and joined by ", ".

    None when nothing was requested. Names are matched as the Policy matches them:
    case-insensitively, a regex against the whole name, the CORS-safelisted names (Accept,
    Accept-Language, Content-Language, Content-Type) always. flask-cors answered a preflight
    with this subset; crossorigin refuses a preflight that asks for any name outside it (the
    browser would fail it anyway) and otherwise echoes the request's list.
    """
    if not acl_request_headers:
        return None
    requested = (item.strip(" \t") for item in acl_request_headers.split(","))
    return ", ".join(sorted(name for name in requested if name and options.allows_header(name)))


def get_app_kwarg_dict(appInstance: Flask | Blueprint | None = None) -> dict[str, Any]:
    """The app's ``CORS_*`` config under the option names (``CORS_ORIGINS`` -> ``origins``).

    Without an argument, the current app's. A blueprint has no config: {}. Keys set to None
    are left out, so they do not override the defaults.
    """
    app = current_app if appInstance is None else appInstance
    config: Mapping[str, Any] = getattr(app, "config", None) or {}
    return {
        key[len("CORS_") :].lower(): value
        for key in CONFIG_OPTIONS
        if (value := config.get(key)) is not None
    }


def merge_options(
    appInstance: Flask | Blueprint | None,
    *dicts: Mapping[str, Any],
) -> dict[str, Any]:
    """The defaults, then the app's ``CORS_*`` config, then each mapping: the last one wins."""
    options = dict(DEFAULT_OPTIONS)
    options.update(get_app_kwarg_dict(appInstance))
    for mapping in dicts:
        options.update(mapping)
    return options


def get_cors_options(
    appInstance: Flask | Blueprint | None,
    *dicts: Mapping[str, Any],
) -> CorsOptions:
    """:func:`serialize_options` of :func:`merge_options`."""
    return serialize_options(merge_options(appInstance, *dicts))


def serialize_options(opts: Mapping[str, Any]) -> CorsOptions:
    """Resolve flask-cors options (missing ones take the defaults) into a :class:`CorsOptions`.

    The options are translated into the Policy's keywords and the Policy validates them all
    at once: ``"*"`` with ``supports_credentials=True``, an origin regex that also matches an
    attacker's origin, a forbidden method or header, a value of the wrong type... raise one
    ``PolicyError`` (a ``ValueError``) listing every problem. An unknown option name raises
    ``TypeError``.
    """
    check_option_names(opts, APP_OPTIONS, "CORS options")
    options = {**DEFAULT_OPTIONS, **opts}
    allow_origins, allow_origin_regex = _origin_keywords(options["origins"])
    expose_headers = _list_option(options["expose_headers"])
    policy = Policy(
        allow_origins=allow_origins,
        allow_origin_regex=allow_origin_regex,
        allow_methods=_list_option(options["methods"]),
        allow_headers=_header_keywords(options["allow_headers"]),
        # flask-cors answers with the requested names as the client spelled them ("*" and
        # header regexes included), never with the configured list.
        echo_request_headers=True,
        allow_credentials=bool(options["supports_credentials"]),
        expose_headers=expose_headers,
        max_age=_max_age(options["max_age"]),
        allow_private_network=bool(options["allow_private_network"]),
        dangerously_allow_null_origin=bool(options["dangerously_allow_null_origin"]),
        dangerously_allow_insecure_origins=bool(options["dangerously_allow_insecure_origins"]),
        dangerously_allow_public_suffix_subdomains=bool(
            options["dangerously_allow_public_suffix_subdomains"]
        ),
    )
    always_send = bool(options["always_send"])
    without_origin: tuple[tuple[str, str], ...] = ()
    if always_send and policy.allow_all_origins:
        # flask-cors' always_send: with every origin allowed (never with credentials: the
        # policy refuses that), a request without Origin gets the same "*" answer as any
        # origin - the response does not depend on Origin, so caches may share it.
        without_origin = tuple(policy.actual(_ANY_ORIGIN))
    return CorsOptions(
        policy=policy,
        expose_headers=_expose_spelling(expose_headers),
        send_wildcard=bool(options["send_wildcard"]),
        always_send=always_send,
        vary_header=bool(options["vary_header"]),
        automatic_options=bool(options["automatic_options"]),
        allow_private_network=bool(options["allow_private_network"]),
        without_origin=without_origin,
    )


def check_option_names(options: Mapping[str, object], allowed: frozenset[str], where: str) -> None:
    """TypeError naming every unknown option (flask-cors only logged a warning, so a typo such
    as ``orgins=`` silently left the default - every origin - in place)."""
    unknown = sorted(set(options) - allowed, key=str)
    if unknown:
        raise TypeError(
            f"{where}: unknown option {', '.join(map(repr, unknown))}; the options are "
            f"{', '.join(sorted(allowed))}"
        )


# -- translation into the Policy's keywords ------------------------------------------------
# Values of the wrong type are passed on unchanged: the Policy reports them, with the other
# problems of the same configuration, in one PolicyError.


def _list_option(value: object) -> list[Any]:
    """``methods`` / ``expose_headers``: a list, or a string of comma-separated names.

    flask-cors wrote these options with :func:`flexible_str`, so ``"GET, PUT"`` worked.
    """
    if value is None:
        return []
    if isinstance(value, str):
        return [item.strip(" \t") for item in value.split(",") if item.strip(" \t")]
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)  # one order every time, as flexible_str sorts
    return list(ensure_iterable(value))


def _looks_like_origin_regex(entry: str) -> bool:
    return ".*" in entry or not _ORIGIN_REGEX_CHARACTERS.isdisjoint(entry)


def _origin_keywords(value: object) -> tuple[list[Any], str | None]:
    """``origins`` -> (allow_origins, allow_origin_regex).

    ``"*"`` (or ``".*"``) anywhere means every origin, as in flask-cors. A compiled pattern,
    or a string that looks like a regex (module docstring), is a regex: all of them are
    joined into the policy's one full-match regex, which the policy vets against attack
    origins. Any other string is an origin or an origin pattern of the policy's grammar.
    """
    if value is None:
        return [], None
    entries = sanitize_regex_param(value)
    if ".*" in entries:
        return ["*"], None
    exact: list[Any] = []
    regexes: list[ResourcePattern] = []
    for entry in entries:
        if isinstance(entry, re.Pattern) or (
            isinstance(entry, str) and _looks_like_origin_regex(entry)
        ):
            regexes.append(entry)
        else:
            exact.append(entry)
    if not regexes:
        return exact, None
    if len(regexes) == 1 and isinstance(regexes[0], str):
        return exact, regexes[0]
    return exact, "|".join(_scoped_regex(regex) for regex in regexes)


def _scoped_regex(pattern: ResourcePattern) -> str:
    """One alternative of the combined origin regex, with its own flags kept local."""
    if isinstance(pattern, str):
        return f"(?:{pattern})"
    flags = "".join(
        letter
        for flag, letter in ((re.IGNORECASE, "i"), (re.MULTILINE, "m"), (re.DOTALL, "s"))
        if pattern.flags & flag
    )
    return f"(?{flags}:{pattern.pattern})" if flags else f"(?:{pattern.pattern})"


def _header_keywords(value: object) -> list[Any]:
    """``allow_headers`` -> the Policy's: names, ``"*"``, and compiled case-insensitive regexes.

    flask-cors' rule tells a regex from a name (:func:`probably_regex`: ``r"X-COMPANY-.*"``
    is one, ``"X-Company-Id"`` is not); the Policy matches a regex against the whole
    requested name.
    """
    if value is None:
        return []
    return [
        entry if entry == "*" else _compiled(entry, "allow_headers", re.IGNORECASE)
        for entry in ensure_iterable(value)
    ]


def _max_age(value: object) -> Any:
    """Seconds as an int (from an int, a numeric string or a timedelta), or None."""
    if isinstance(value, timedelta):
        return int(value.total_seconds())
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return value


def _expose_spelling(names: list[Any]) -> str | None:
    """Access-Control-Expose-Headers as flask-cors writes it: as configured, sorted, ", ".

    Names are case-insensitive, so one spelling of each is kept. None for ``"*"`` (the
    Policy's value is written then) and for no names.
    """
    if not names or "*" in names:
        return None
    unique: dict[str, str] = {}
    for name in names:
        unique.setdefault(str(name).lower(), str(name))
    return flexible_str(unique.values())
