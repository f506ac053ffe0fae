"""django-cors-headers' settings, read and turned into one Policy, or into a list of problems.

The setting names, their old aliases and their defaults are django-cors-headers' (4.x), so a
project switches without touching its CORS settings. What changes is what happens to a bad
value: the Policy refuses it, and each refusal becomes a problem with a stable id
(``crossorigin.E1xx`` for the policy's codes, ``E0xx`` for types), the setting's name, the
value and the fix - reported by the system checks and raised by the middleware at startup.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from crossorigin.headers import CORS_SAFELISTED_METHODS
from crossorigin.policy import Policy, PolicyError, Problem

__all__ = [
    "DEFAULT_HEADERS",
    "DEFAULT_METHODS",
    "CorsSettings",
    "CorsSettingsError",
    "SettingProblem",
    "build",
    "read_settings",
]

# django-cors-headers' defaults (corsheaders/defaults.py), kept: switching changes nothing.
DEFAULT_HEADERS = (
    "accept",
    "authorization",
    "content-type",
    "user-agent",
    "x-csrftoken",
    "x-requested-with",
)
DEFAULT_METHODS = ("DELETE", "GET", "OPTIONS", "PATCH", "POST", "PUT")


@dataclass(frozen=True, slots=True)
class _Setting:
    name: str
    aliases: tuple[str, ...]
    default: object
    kind: str  # "strings", "regexes", "bool", "max-age", "regex"
    type_id: str  # check id for a value of the wrong type


_SETTINGS = (
    _Setting("CORS_ALLOWED_ORIGINS", ("CORS_ORIGIN_WHITELIST",), (), "strings", "E006"),
    _Setting(
        "CORS_ALLOWED_ORIGIN_REGEXES", ("CORS_ORIGIN_REGEX_WHITELIST",), (), "regexes", "E007"
    ),
    _Setting("CORS_ALLOW_ALL_ORIGINS", ("CORS_ORIGIN_ALLOW_ALL",), False, "bool", "E005"),
    _Setting("CORS_ALLOW_CREDENTIALS", (), False, "bool", "E003"),
    _Setting("CORS_ALLOW_HEADERS", (), DEFAULT_HEADERS, "strings", "E001"),
    _Setting("CORS_ALLOW_METHODS", (), DEFAULT_METHODS, "strings", "E002"),
    _Setting("CORS_EXPOSE_HEADERS", (), (), "strings", "E008"),
    _Setting("CORS_PREFLIGHT_MAX_AGE", (), 86400, "max-age", "E004"),
    _Setting("CORS_URLS_REGEX", (), r"^.*$", "regex", "E009"),
    _Setting("CORS_ALLOW_PRIVATE_NETWORK", (), False, "bool", "E010"),
    # crossorigin's own escape hatches for what the policy refuses by default.
    _Setting("CORS_DANGEROUSLY_ALLOW_NULL_ORIGIN", (), False, "bool", "E011"),
    _Setting("CORS_DANGEROUSLY_ALLOW_INSECURE_ORIGINS", (), False, "bool", "E012"),
    _Setting("CORS_DANGEROUSLY_ALLOW_PUBLIC_SUFFIX_SUBDOMAINS", (), False, "bool", "E013"),
)
SETTING_NAMES = frozenset(s.name for s in _SETTINGS) | frozenset(
    alias for s in _SETTINGS for alias in s.aliases
)
_EXPECTED = {
    "strings": "a list or tuple of strings",
    "regexes": "a list or tuple of regular expressions (strings or compiled)",
    "bool": "True or False",
    "max-age": "a number of seconds (an int), 0 to omit the header",
    "regex": "a regular expression (a string or compiled) matched against the URL path",
}

# Policy keyword -> the setting it comes from (for messages).
_OPTION_SETTINGS = {
    "allow_origins": "CORS_ALLOWED_ORIGINS",
    "allow_origin_regex": "CORS_ALLOWED_ORIGIN_REGEXES",
    "allow_methods": "CORS_ALLOW_METHODS",
    "allow_headers": "CORS_ALLOW_HEADERS",
    "allow_credentials": "CORS_ALLOW_CREDENTIALS",
    "expose_headers": "CORS_EXPOSE_HEADERS",
    "max_age": "CORS_PREFLIGHT_MAX_AGE",
    "allow_private_network": "CORS_ALLOW_PRIVATE_NETWORK",
    "dangerously_allow_null_origin": "CORS_DANGEROUSLY_ALLOW_NULL_ORIGIN",
    "dangerously_allow_insecure_origins": "CORS_DANGEROUSLY_ALLOW_INSECURE_ORIGINS",
    "dangerously_allow_public_suffix_subdomains": "CORS_DANGEROUSLY_ALLOW_PUBLIC_SUFFIX_SUBDOMAINS",
}

# The policy's refusal codes -> stable check ids. Never renumbered; new codes get new ids.
POLICY_CODE_IDS = {
    "option-type": "crossorigin.E100",
    "origin-invalid": "crossorigin.E101",
    "origin-missing-scheme": "crossorigin.E102",
    "origin-scheme": "crossorigin.E103",
    "origin-path": "crossorigin.E104",
    "origin-trailing-slash": "crossorigin.E105",
    "origin-query": "crossorigin.E106",
    "origin-userinfo": "crossorigin.E107",
    "origin-default-port": "crossorigin.E108",
    "origin-case": "crossorigin.E109",
    "origin-unicode-host": "crossorigin.E110",
    "origin-non-canonical-ip": "crossorigin.E111",
    "origin-whitespace": "crossorigin.E112",
    "origin-too-long": "crossorigin.E113",
    "origin-null": "crossorigin.E114",
    "origin-file": "crossorigin.E115",
    "pattern-invalid": "crossorigin.E116",
    "pattern-ip-wildcard": "crossorigin.E117",
    "wildcard-with-credentials": "crossorigin.E120",
    "public-suffix-with-credentials": "crossorigin.E121",
    "insecure-origin-with-credentials": "crossorigin.E122",
    "regex-invalid": "crossorigin.E130",
    "regex-attack-origin": "crossorigin.E131",
    "regex-unverifiable": "crossorigin.E132",
    "regex-backtracking": "crossorigin.E133",
    "method-invalid": "crossorigin.E140",
    "method-forbidden": "crossorigin.E141",
    "header-invalid": "crossorigin.E150",
    "header-forbidden": "crossorigin.E151",
    "header-meaningless": "crossorigin.E152",
    "expose-invalid": "crossorigin.E160",
    "expose-forbidden": "crossorigin.E161",
    "expose-meaningless": "crossorigin.W162",  # harmless: dropped, reported as a warning
    "expose-wildcard-with-credentials": "crossorigin.E163",
    "max-age-out-of-range": "crossorigin.E170",
}
UNKNOWN_CODE_ID = "crossorigin.E199"
# Codes whose values change nothing in any browser: the value is dropped and only warned about,
# so a django-cors-headers project listing CORS_EXPOSE_HEADERS = ["content-type"] still starts.
_DROPPABLE_CODES = frozenset({"expose-meaningless"})


@dataclass(frozen=True, slots=True)
class SettingProblem:
    """One problem in the CORS settings: check id, setting, value, what is wrong, the fix."""

    id: str
    setting: str
    value: object
    message: str
    fix: str
    code: str | None = None  # the policy's code, when the policy found it

    @property
    def is_error(self) -> bool:
        return ".E" in self.id

    def __str__(self) -> str:
        return f"{self.id} {self.message} Fix: {self.fix}"


class CorsSettingsError(ValueError):
    """The CORS settings cannot be used; ``problems`` lists every error found."""

    def __init__(self, problems: Sequence[SettingProblem]) -> None:
        self.problems = tuple(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(
            f"the CORS settings are refused ({len(self.problems)} problem(s); run "
            f"'manage.py check' for the same report):\n{lines}"
        )


@dataclass(frozen=True, slots=True)
class CorsSettings:
    """The settings that were read: value and the name it was found under (an alias or not)."""

    values: Mapping[str, Any]
    names: Mapping[str, str]

    def __getitem__(self, name: str) -> Any:
        return self.values[name]


def read_settings(overrides: Mapping[str, Any] | None = None) -> CorsSettings:
    """Read every CORS setting (aliases included), ``overrides`` winning (per-view policies)."""
    values: dict[str, Any] = {}
    names: dict[str, str] = {}
    for setting in _SETTINGS:
        names[setting.name] = setting.name
        values[setting.name] = setting.default
        for name in (setting.name, *setting.aliases):
            if hasattr(settings, name):
                values[setting.name] = getattr(settings, name)
                names[setting.name] = name
                break
        if overrides is not None and setting.name in overrides:
            values[setting.name] = overrides[setting.name]
    return CorsSettings(values, names)


def _django_words(text: str) -> str:
    """A policy fix names Policy keywords; say the settings instead."""
    for option, setting in _OPTION_SETTINGS.items():
        text = text.replace(f"{option}=True", f"{setting} = True")
        text = text.replace(f"{option}=False", f"{setting} = False")
        text = re.sub(rf"\b{option}\b", setting, text)
    return text


def _type_problems(read: CorsSettings) -> list[SettingProblem]:
    found = []
    for setting in _SETTINGS:
        value = read[setting.name]
        if setting.kind == "regex":
            continue  # CORS_URLS_REGEX is the URL filter's, checked by urls_regex()
        if not _has_kind(value, setting.kind):
            name = read.names[setting.name]
            found.append(
                SettingProblem(
                    f"crossorigin.{setting.type_id}",
                    name,
                    value,
                    f"{name} = {value!r} has the wrong type.",
                    f"set {name} to {_EXPECTED[setting.kind]}.",
                )
            )
    return found


def _has_kind(value: object, kind: str) -> bool:
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "max-age":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "regex":
        return isinstance(value, (str, re.Pattern))
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        return False
    if kind == "strings":
        return all(isinstance(item, str) for item in value)
    return all(isinstance(item, (str, re.Pattern)) for item in value)


def _regex_text(pattern: str | re.Pattern[str]) -> str:
    """A regex as text, with a compiled pattern's flags kept local to it."""
    if isinstance(pattern, str):
        return pattern
    flags = "".join(
        letter
        for flag, letter in ((re.IGNORECASE, "i"), (re.MULTILINE, "m"), (re.DOTALL, "s"))
        if pattern.flags & flag
    )
    return f"(?{flags}:{pattern.pattern})" if flags else pattern.pattern


def _joined_regex(patterns: Sequence[str | re.Pattern[str]]) -> str | None:
    """django-cors-headers allows any of several regexes; the policy takes one."""
    if not patterns:
        return None
    if len(patterns) == 1:
        return _regex_text(patterns[0])
    return "|".join(f"(?:{_regex_text(p)})" for p in patterns)


def _policy_keywords(read: CorsSettings, drop: Mapping[str, set[str]]) -> dict[str, Any]:
    allow_all = read["CORS_ALLOW_ALL_ORIGINS"]
    max_age = read["CORS_PREFLIGHT_MAX_AGE"]
    return {
        # CORS_ALLOW_ALL_ORIGINS wins over the lists, as in django-cors-headers.
        "allow_origins": ("*",) if allow_all else tuple(read["CORS_ALLOWED_ORIGINS"]),
        "allow_origin_regex": None
        if allow_all
        else _joined_regex(read["CORS_ALLOWED_ORIGIN_REGEXES"]),
        # GET, HEAD and POST need no listing in a browser and django-cors-headers never
        # refused them: they stay allowed whatever CORS_ALLOW_METHODS says.
        "allow_methods": (*read["CORS_ALLOW_METHODS"], *sorted(CORS_SAFELISTED_METHODS)),
        "allow_headers": tuple(read["CORS_ALLOW_HEADERS"]),
        "allow_credentials": read["CORS_ALLOW_CREDENTIALS"],
        "expose_headers": tuple(
            h for h in read["CORS_EXPOSE_HEADERS"] if h not in drop.get("expose_headers", ())
        ),
        # django-cors-headers omits Access-Control-Max-Age for 0.
        "max_age": max_age or None,
        "allow_private_network": read["CORS_ALLOW_PRIVATE_NETWORK"],
        "dangerously_allow_null_origin": read["CORS_DANGEROUSLY_ALLOW_NULL_ORIGIN"],
        "dangerously_allow_insecure_origins": read["CORS_DANGEROUSLY_ALLOW_INSECURE_ORIGINS"],
        "dangerously_allow_public_suffix_subdomains": read[
            "CORS_DANGEROUSLY_ALLOW_PUBLIC_SUFFIX_SUBDOMAINS"
        ],
    }


def _setting_problem(read: CorsSettings, found: Problem, value: object) -> SettingProblem:
    setting = _OPTION_SETTINGS.get(found.option, found.option)
    setting = read.names.get(setting, setting)
    problem_id = POLICY_CODE_IDS.get(found.code, UNKNOWN_CODE_ID)
    fix = _django_words(found.fix)
    if found.code == "wildcard-with-credentials" and read["CORS_ALLOW_ALL_ORIGINS"] is True:
        setting = read.names["CORS_ALLOW_ALL_ORIGINS"]
        credentials = read.names["CORS_ALLOW_CREDENTIALS"]
        return SettingProblem(
            problem_id,
            setting,
            True,
            f"{setting} = True with {credentials} = True: {found.message}.",
            f"list the origins that need credentials in CORS_ALLOWED_ORIGINS and set {setting} "
            f"= False, or set {credentials} = False.",
            found.code,
        )
    message = _django_words(found.message)
    return SettingProblem(
        problem_id,
        setting,
        value,
        f"{setting}: {value!r} is refused: {message}.",
        f"{fix}.",
        found.code,
    )


def build(overrides: Mapping[str, Any] | None = None) -> tuple[Policy, list[SettingProblem]]:
    """The Policy of the settings (with per-view ``overrides``) and the warnings about them.

    Raises :class:`CorsSettingsError` with every error when the policy refuses the settings.
    """
    read = read_settings(overrides)
    problems = _type_problems(read)
    if problems:
        raise CorsSettingsError(problems)
    # Each regex is vetted alone first, so a problem names the regex, not their alternation.
    regex_problems: list[SettingProblem] = []
    credentials = read["CORS_ALLOW_CREDENTIALS"]
    if not read["CORS_ALLOW_ALL_ORIGINS"]:
        for pattern in read["CORS_ALLOWED_ORIGIN_REGEXES"]:
            try:
                Policy(
                    allow_origin_regex=_regex_text(pattern),
                    allow_credentials=credentials,
                    dangerously_allow_null_origin=read["CORS_DANGEROUSLY_ALLOW_NULL_ORIGIN"],
                    dangerously_allow_insecure_origins=read[
                        "CORS_DANGEROUSLY_ALLOW_INSECURE_ORIGINS"
                    ],
                )
            except PolicyError as error:
                regex_problems += [
                    _setting_problem(read, p, pattern)
                    for p in error.problems
                    if p.option == "allow_origin_regex"
                ]
    warnings: list[SettingProblem] = []
    drop: dict[str, set[str]] = {}
    while True:
        try:
            policy = Policy(**_policy_keywords(read, drop))
        except PolicyError as error:
            droppable = [p for p in error.problems if p.code in _DROPPABLE_CODES]
            if droppable and len(droppable) == len(error.problems):
                for found in droppable:
                    drop.setdefault(found.option, set()).add(str(found.value))
                    warnings.append(_setting_problem(read, found, found.value))
                continue
            problems = [
                _setting_problem(read, p, p.value)
                for p in error.problems
                if p.code not in _DROPPABLE_CODES
                and not (p.option == "allow_origin_regex" and regex_problems)
            ]
            raise CorsSettingsError(regex_problems + problems) from None
        if regex_problems:
            raise CorsSettingsError(regex_problems)
        return policy, warnings


def urls_regex() -> re.Pattern[str]:
    """CORS_URLS_REGEX, compiled: django-cors-headers ``re.match``-es it on ``path_info``."""
    read = read_settings()
    name = read.names["CORS_URLS_REGEX"]
    value = read["CORS_URLS_REGEX"]
    if isinstance(value, re.Pattern):
        return value
    if isinstance(value, str):
        try:
            return re.compile(value)
        except re.error as error:
            what = f"is not a valid regular expression ({error})"
    else:
        what = "has the wrong type"
    raise CorsSettingsError(
        [
            SettingProblem(
                "crossorigin.E009",
                name,
                value,
                f"{name} = {value!r} {what}.",
                f"set {name} to {_EXPECTED['regex']} (the default, r'^.*$', enables every URL).",
            )
        ]
    )
