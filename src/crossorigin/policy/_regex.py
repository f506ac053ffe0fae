"""``allow_origin_regex``, kept for compatibility with Starlette and checked hard.

Regex-based origin checks keep producing CVEs (Starlette #800, django-cors-headers #996,
flask-cors #399, sanic-cors CVE-2026-37737): a missing anchor, an unescaped dot, a ``.*`` that
spans labels. So at construction the regex is:

1. compiled, and walked for nested unbounded repetitions (catastrophic backtracking);
2. probed with unrelated origins: one that matches them all is a wildcard (refused with
   credentials, like ``*``);
3. otherwise, asked for the origins it is *meant* to match (witnesses derived from its syntax
   tree: literals kept, a lone ``.`` read as the dot the author meant, repetitions taken
   once), and every witness is turned into attack origins - its host as a prefix
   (``https://example.com.evil.test``), as a suffix (``https://evilexample.com``), each dot
   replaced (``https://examplexcom``), special characters appended, ``null`` - none of which
   the regex may match.
"""

from __future__ import annotations

import importlib
import itertools
import re
from typing import Any

from crossorigin.origin import OriginError, parse_origin, registrable_domain
from crossorigin.policy._origins import split_request_origin
from crossorigin.policy._problems import Problem, problem

__all__ = ["UNRELATED_PROBES", "attack_origins", "check_regex", "regex_witnesses"]

_parser: Any = importlib.import_module("re._parser")
_constants: Any = importlib.import_module("re._constants")

# Origins no legitimate allowlist names. A regex (or callable) allowing all of them allows
# every origin of that scheme in practice.
UNRELATED_PROBES = (
    "https://crossorigin-probe.invalid",
    "https://x7q2k9.attacker.example",
    "https://evil.test",
    "https://a.b.c.d.unrelated-site.net:8443",
)
# Characters the WHATWG URL parser (and Safari, historically) lets into a host; PortSwigger's
# CORS research used them to slip past regexes that stop at the expected host.
_SPECIAL_CHARACTERS = "_-!$&'()*+,;=`{}~"
_MAX_WITNESSES = 16


def _char_choice(items: list[tuple[Any, Any]], negate: bool) -> str:
    """A character of an ``[...]`` class, preferring a letter, then a digit."""
    allowed: list[tuple[int, int]] = []
    for op, value in items:
        name = str(op)
        if name == "NEGATE":
            negate = True
        elif name == "LITERAL":
            allowed.append((value, value))
        elif name == "RANGE":
            allowed.append(value)
        elif name == "CATEGORY":
            category = str(value)
            if "DIGIT" in category and "NOT" not in category:
                allowed.append((ord("1"), ord("1")))
            elif "NOT" not in category:
                allowed.append((ord("a"), ord("a")))
    for preferred in "a1x-":
        code = ord(preferred)
        inside = any(low <= code <= high for low, high in allowed)
        if inside != negate:
            return preferred
    if not negate and allowed:
        return chr(allowed[0][0])
    return "a"


def _witnesses(tokens: Any, in_repeat: bool = False) -> list[str]:
    results = [""]
    for op, value in tokens:
        name = str(op)
        options: list[str]
        if name == "LITERAL":
            options = [chr(value)]
        elif name == "NOT_LITERAL":
            options = ["a" if chr(value) != "a" else "b"]
        elif name == "ANY":
            # A lone '.' in 'example.com' is almost always a dot meant literally; inside a
            # repetition ('.*') it stands for a label.
            options = ["a" if in_repeat else "."]
        elif name == "IN":
            options = [_char_choice(value, False)]
        elif name == "CATEGORY":
            options = ["1" if "DIGIT" in str(value) and "NOT" not in str(value) else "a"]
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, _high, body = value
            inner = _witnesses(body, in_repeat=True)
            options = [w * max(low, 1) for w in inner]
            if low == 0:
                options.append("")
        elif name == "SUBPATTERN":
            options = _witnesses(value[-1], in_repeat)
        elif name == "ATOMIC_GROUP":
            options = _witnesses(value, in_repeat)
        elif name == "BRANCH":
            options = [w for branch in value[1] for w in _witnesses(branch, in_repeat)]
        elif name in ("AT", "ASSERT", "ASSERT_NOT"):
            options = [""]
        else:  # GROUPREF, GROUPREF_EXISTS and friends: no witness.
            return []
        results = [a + b for a, b in itertools.product(results, options)][:_MAX_WITNESSES]
    return results


def regex_witnesses(compiled: re.Pattern[str]) -> list[str]:
    """Valid origins the regex is meant to match, derived from its syntax tree."""
    try:
        tree = _parser.parse(compiled.pattern, compiled.flags)
    except Exception:  # pragma: no cover - compiled already, cannot fail
        return []
    found: list[str] = []
    for candidate in _witnesses(list(tree)):
        try:
            origin = parse_origin(candidate)
        except OriginError:
            continue
        if (
            not origin.is_opaque
            and split_request_origin(candidate) is not None
            and compiled.fullmatch(candidate)
            and candidate not in found
        ):
            found.append(candidate)
    return found


def attack_origins(witness: str) -> list[tuple[str, str]]:
    """(attack origin, what it tests) pairs derived from one intended origin."""
    scheme, _, rest = witness.partition("://")
    host, _, port = rest.partition(":") if not rest.startswith("[") else (rest, "", "")
    port_suffix = f":{port}" if port else ""
    attacks: list[tuple[str, str]] = [
        (f"{scheme}://{host}.evil.test{port_suffix}", "the host used as a prefix"),
        ("null", "the opaque origin 'null'"),
    ]
    if not host.startswith("[") and not host.replace(".", "").isdigit():
        site = registrable_domain(host) or host
        attacks.append((f"{scheme}://evil{site}{port_suffix}", "the site used as a suffix"))
        attacks.append((f"{scheme}://evil-{site}{port_suffix}", "the site used as a suffix"))
        for index, char in enumerate(host):
            if char == ".":
                dotless = f"{host[:index]}x{host[index + 1 :]}"
                attacks.append((f"{scheme}://{dotless}{port_suffix}", "an unescaped dot"))
        for char in _SPECIAL_CHARACTERS:
            attacks.append(
                (f"{scheme}://{host}{char}.evil.test{port_suffix}", "a special character")
            )
            attacks.append(
                (f"{scheme}://evil.test{char}{site}{port_suffix}", "a special character")
            )
    return attacks


def _has_nested_repeat(tokens: Any, inside_unbounded: bool = False) -> bool:
    for op, value in tokens:
        name = str(op)
        if name in ("MAX_REPEAT", "MIN_REPEAT"):
            _low, high, body = value
            unbounded = high == _constants.MAXREPEAT or high > 16
            if inside_unbounded and unbounded:
                return True
            if _has_nested_repeat(body, inside_unbounded or unbounded):
                return True
        elif name == "SUBPATTERN":
            if _has_nested_repeat(value[-1], inside_unbounded):
                return True
        elif name == "BRANCH":
            if any(_has_nested_repeat(b, inside_unbounded) for b in value[1]):
                return True
        elif name == "ATOMIC_GROUP" and _has_nested_repeat(value, inside_unbounded):
            return True
    return False


def check_regex(
    pattern: object, *, credentials: bool, allow_null: bool, allow_insecure: bool = False
) -> tuple[re.Pattern[str] | None, bool, list[Problem]]:
    """Compile and vet ``allow_origin_regex``: (compiled, matches every origin, problems)."""
    option = "allow_origin_regex"
    if not isinstance(pattern, str):
        return None, False, [problem("option-type", option, pattern, "a string or None")]
    try:
        compiled = re.compile(pattern)
    except re.error as error:
        return None, False, [problem("regex-invalid", option, pattern, str(error))]
    problems: list[Problem] = []
    tree = _parser.parse(pattern, compiled.flags)
    if _has_nested_repeat(list(tree)):
        problems.append(problem("regex-backtracking", option, pattern))
    if all(compiled.fullmatch(probe) for probe in UNRELATED_PROBES):
        if credentials:
            problems.append(
                problem("wildcard-with-credentials", option, pattern, "it matches any origin")
            )
        return compiled, True, problems
    witnesses = regex_witnesses(compiled)
    if not witnesses:
        problems.append(problem("regex-unverifiable", option, pattern))
        return compiled, False, problems
    for witness in witnesses:
        for attack, kind in attack_origins(witness):
            if attack == "null" and allow_null:
                continue
            if compiled.fullmatch(attack):
                detail = f"it matches {attack!r} ({kind}), derived from {witness!r}"
                problems.append(problem("regex-attack-origin", option, pattern, detail))
                break
        else:
            if credentials and not allow_insecure and witness.startswith("http://"):
                host = witness[len("http://") :].split(":")[0]
                loopback = host in ("localhost", "[::1]") or host.endswith(".localhost")
                loopback = loopback or host.startswith("127.")
                if not loopback:
                    problems.append(
                        problem("insecure-origin-with-credentials", option, pattern, f"{witness!r}")
                    )
            continue
        break
    return compiled, False, problems
