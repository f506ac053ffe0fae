"""Validation of the construction keywords into one normalized, immutable Config.

Every keyword is checked; every problem is collected; one PolicyError reports them all.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from crossorigin.headers import (
    SAFELISTED_RESPONSE_HEADER_NAMES,
    is_forbidden_method,
    is_forbidden_request_header,
    is_header_name,
    is_method,
    normalize_method,
)
from crossorigin.policy._origins import (
    OriginPattern,
    is_public_suffix_pattern,
    parse_pattern,
)
from crossorigin.policy._problems import PolicyError, Problem, problem
from crossorigin.policy._regex import UNRELATED_PROBES, check_regex

__all__ = ["ALWAYS_ALLOWED_HEADERS", "STANDARD_METHODS", "Config", "validate"]

# CORS-safelisted request-header names (Fetch §2.2.2). Browsers ask for them only when the
# value is not safelisted (Content-Type: application/json); Starlette always allows them and
# its users rely on it, so the policy does too.
ALWAYS_ALLOWED_HEADERS = ("Accept", "Accept-Language", "Content-Language", "Content-Type")
# What allow_methods=["*"] stands for: the methods of RFC 9110 a browser can send, PATCH
# (RFC 5789) and QUERY - Starlette's list. A custom method must be named, so a typo or an
# exotic verb never reaches handlers by accident.
STANDARD_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "QUERY")


@dataclass(frozen=True, slots=True)
class Config:
    """The validated, normalized configuration (names lowercased, methods normalized)."""

    origins: tuple[OriginPattern, ...]
    allow_all_origins: bool
    origin_regex: re.Pattern[str] | None
    origin_predicate: Callable[[str], bool] | None
    methods: tuple[str, ...]  # normalized, in the order given; "*" adds STANDARD_METHODS
    any_method: bool
    headers: tuple[str, ...]  # lowercase, always-allowed names first
    header_list: tuple[str, ...]  # as written (always-allowed in title case), sorted
    header_patterns: tuple[re.Pattern[str], ...]  # case-insensitive, full match
    any_header: bool
    echo_headers: bool  # Access-Control-Allow-Headers echoes the request's validated list
    credentials: bool
    expose_headers: tuple[str, ...]  # as written, unique case-insensitively; ("*",) for all
    max_age: int | None
    private_network: bool
    preflight_status: int
    preflight_failure_status: int
    allow_null: bool
    allow_insecure: bool
    allow_public_suffix: bool


def _names(option: str, value: object, problems: list[Problem]) -> list[str]:
    """The strings of a list option; a bare string is refused (it would be read per letter)."""
    if isinstance(value, str | bytes) or not hasattr(value, "__iter__"):
        problems.append(problem("option-type", option, value, "a list of strings"))
        return []
    items: list[str] = []
    for item in value:
        if isinstance(item, str):
            items.append(item)
        else:
            problems.append(problem("option-type", option, item, "each item must be a string"))
    return items


def _flag(option: str, value: object, problems: list[Problem]) -> bool:
    if not isinstance(value, bool):
        problems.append(problem("option-type", option, value, "True or False"))
        return False
    return value


def _origins(
    items: list[str],
    problems: list[Problem],
    *,
    credentials: bool,
    allow_null: bool,
    allow_insecure: bool,
    allow_public_suffix: bool,
) -> list[OriginPattern]:
    patterns: list[OriginPattern] = []
    seen: set[str] = set()
    for item in items:
        parsed = parse_pattern(item, allow_null=allow_null)
        if isinstance(parsed, Problem):
            problems.append(parsed)
            continue
        if item in seen:
            continue
        seen.add(item)
        if credentials:
            if parsed.kind == "all":
                problems.append(problem("wildcard-with-credentials", "allow_origins", item))
                continue
            if parsed.is_insecure and not allow_insecure:
                problems.append(problem("insecure-origin-with-credentials", "allow_origins", item))
                continue
            if is_public_suffix_pattern(parsed) and not allow_public_suffix:
                problems.append(problem("public-suffix-with-credentials", "allow_origins", item))
                continue
        patterns.append(parsed)
    return patterns


def _methods(items: list[str], problems: list[Problem]) -> tuple[tuple[str, ...], bool]:
    methods: list[str] = []
    any_method = False
    for item in items:
        if item == "*":
            any_method = True
        elif not is_method(item):
            problems.append(problem("method-invalid", "allow_methods", item))
        elif is_forbidden_method(item):
            problems.append(problem("method-forbidden", "allow_methods", item))
        else:
            method = normalize_method(item)
            if method not in methods:
                methods.append(method)
    if any_method:  # "*" plus any custom method named beside it
        methods = [*STANDARD_METHODS, *(m for m in methods if m not in STANDARD_METHODS)]
    return tuple(methods), any_method


@dataclass(frozen=True, slots=True)
class _RequestHeaders:
    names: tuple[str, ...]
    written: tuple[str, ...]
    patterns: tuple[re.Pattern[str], ...]
    any_header: bool


def _request_headers(value: object, problems: list[Problem]) -> _RequestHeaders:
    """Names (str), compiled patterns (re.Pattern) and ``*``; names lowercased for matching."""
    names = [name.lower() for name in ALWAYS_ALLOWED_HEADERS]
    written = list(ALWAYS_ALLOWED_HEADERS)
    patterns: list[re.Pattern[str]] = []
    any_header = False
    items: list[object] = []
    if isinstance(value, str | bytes) or not hasattr(value, "__iter__"):
        problems.append(problem("option-type", "allow_headers", value, "a list of strings"))
    else:
        items = list(value)
    for item in items:
        if isinstance(item, re.Pattern):
            if not isinstance(item.pattern, str):
                problems.append(
                    problem("option-type", "allow_headers", item, "a str pattern, not bytes")
                )
            else:
                patterns.append(re.compile(item.pattern, item.flags | re.IGNORECASE))
            continue
        if not isinstance(item, str):
            problems.append(
                problem("option-type", "allow_headers", item, "each item must be a string")
            )
            continue
        if item == "*":
            any_header = True
            continue
        lowered = item.lower()
        if not is_header_name(item):
            problems.append(problem("header-invalid", "allow_headers", item))
        elif lowered.startswith("access-control-"):
            problems.append(problem("header-meaningless", "allow_headers", item))
        elif is_forbidden_request_header(item):
            problems.append(problem("header-forbidden", "allow_headers", item))
        elif lowered not in names:
            names.append(lowered)
            written.append(item)
    return _RequestHeaders(
        names=tuple(names),
        written=tuple(sorted(written)),  # Starlette's order (case-sensitive)
        patterns=tuple(patterns),
        any_header=any_header,
    )


def _expose(items: list[str], credentials: bool, problems: list[Problem]) -> tuple[str, ...]:
    names: list[str] = []
    seen: set[str] = set()
    for item in items:
        lowered = item.lower()
        if item == "*":
            if credentials:
                problems.append(problem("expose-wildcard-with-credentials", "expose_headers", item))
            else:
                return ("*",)
        elif not is_header_name(item):
            problems.append(problem("expose-invalid", "expose_headers", item))
        elif lowered in ("set-cookie", "set-cookie2"):
            problems.append(problem("expose-forbidden", "expose_headers", item))
        elif (
            lowered in SAFELISTED_RESPONSE_HEADER_NAMES
            or lowered.startswith("access-control-")
            or lowered == "origin"
        ):
            problems.append(problem("expose-meaningless", "expose_headers", item))
        elif lowered not in seen:
            seen.add(lowered)
            names.append(item)  # as written: the browser compares case-insensitively
    return tuple(names)


def _predicate(
    value: object, credentials: bool, problems: list[Problem]
) -> Callable[[str], bool] | None:
    option = "allow_origin_predicate"
    if value is None:
        return None
    if not callable(value):
        problems.append(problem("predicate-not-callable", option, value))
        return None
    predicate: Callable[[str], bool] = value
    if credentials:
        answers = []
        for probe in UNRELATED_PROBES:
            try:
                answers.append(predicate(probe) is True)
            except Exception as error:
                detail = f"{type(error).__name__}: {error} for {probe!r}"
                problems.append(problem("predicate-failed", option, value, detail))
                return None
        if all(answers):
            detail = "it returns True for unrelated origins such as " + repr(UNRELATED_PROBES[0])
            problems.append(problem("wildcard-with-credentials", option, value, detail))
    return predicate


def _number(
    option: str, value: object, bounds: tuple[int, int], code: str, problems: list[Problem]
) -> int:
    low, high = bounds
    if not isinstance(value, int) or isinstance(value, bool):
        problems.append(problem("option-type", option, value, "an integer"))
        return low
    if not low <= value <= high:
        problems.append(problem(code, option, value))
    return value


def validate(
    *,
    allow_origins: object,
    allow_origin_regex: object,
    allow_origin_predicate: object,
    allow_methods: object,
    allow_headers: object,
    allow_credentials: object,
    expose_headers: object,
    max_age: object,
    allow_private_network: object,
    preflight_status: object,
    preflight_failure_status: object,
    echo_request_headers: object,
    dangerously_allow_null_origin: object,
    dangerously_allow_insecure_origins: object,
    dangerously_allow_public_suffix_subdomains: object,
) -> Config:
    """Check every keyword and return the Config, or raise PolicyError with every problem."""
    problems: list[Problem] = []
    credentials = _flag("allow_credentials", allow_credentials, problems)
    allow_null = _flag("dangerously_allow_null_origin", dangerously_allow_null_origin, problems)
    allow_insecure = _flag(
        "dangerously_allow_insecure_origins", dangerously_allow_insecure_origins, problems
    )
    allow_public_suffix = _flag(
        "dangerously_allow_public_suffix_subdomains",
        dangerously_allow_public_suffix_subdomains,
        problems,
    )
    private_network = _flag("allow_private_network", allow_private_network, problems)

    patterns = _origins(
        _names("allow_origins", allow_origins, problems),
        problems,
        credentials=credentials,
        allow_null=allow_null,
        allow_insecure=allow_insecure,
        allow_public_suffix=allow_public_suffix,
    )
    regex = None
    if allow_origin_regex is not None:
        regex, _, regex_problems = check_regex(
            allow_origin_regex,
            credentials=credentials,
            allow_null=allow_null,
            allow_insecure=allow_insecure,
        )
        problems.extend(regex_problems)
    predicate = _predicate(allow_origin_predicate, credentials, problems)
    methods, any_method = _methods(_names("allow_methods", allow_methods, problems), problems)
    headers = _request_headers(allow_headers, problems)
    echo_headers = _flag("echo_request_headers", echo_request_headers, problems)
    expose = _expose(_names("expose_headers", expose_headers, problems), credentials, problems)
    age: int | None = None
    if max_age is not None:
        age = _number("max_age", max_age, (0, 86400), "max-age-out-of-range", problems)
    status = _number(
        "preflight_status", preflight_status, (200, 299), "preflight-status-out-of-range", problems
    )
    failure_status = _number(
        "preflight_failure_status",
        preflight_failure_status,
        (400, 499),
        "preflight-failure-status-out-of-range",
        problems,
    )
    if problems:
        raise PolicyError(problems)
    return Config(
        origins=tuple(patterns),
        allow_all_origins=any(p.kind == "all" for p in patterns),
        origin_regex=regex,
        origin_predicate=predicate,
        methods=methods,
        any_method=any_method,
        headers=headers.names,
        header_list=headers.written,
        header_patterns=headers.patterns,
        any_header=headers.any_header,
        # A pattern cannot be written in the answer: the matching names are echoed instead.
        echo_headers=echo_headers or bool(headers.patterns),
        credentials=credentials,
        expose_headers=expose,
        max_age=age,
        private_network=private_network,
        preflight_status=status,
        preflight_failure_status=failure_status,
        allow_null=allow_null,
        allow_insecure=allow_insecure,
        allow_public_suffix=allow_public_suffix,
    )
