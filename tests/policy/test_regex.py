"""allow_origin_regex is checked hard: attack origins derived from what it is meant to match."""

from __future__ import annotations

import re

import pytest

from crossorigin.policy import Policy, PolicyError
from crossorigin.policy._regex import attack_origins, regex_witnesses

# (regex, the kind of attack it falls to, an attack origin it matches)
VULNERABLE = [
    (r"https://example\.com.*", "prefix", "https://example.com.evil.test"),
    (r"https://.*example\.com", "suffix", "https://evilexample.com"),
    (r"https://(www\.)?example.com", "unescaped dot", "https://examplexcom"),
    (r"https://app.example\.com", "unescaped dot", "https://appxexample.com"),
    (
        r"https://example\.com(?:[_~-][a-z.]+)?",
        "special character",
        "https://example.com_.evil.test",
    ),
    (r"https://example\.com|null", "null", "null"),
    (r"https?://[a-z]+\.example\.com(:\d+)?.*", "prefix", "https://a.example.com.evil.test"),
]


@pytest.mark.parametrize(("regex", "kind", "attack"), VULNERABLE)
def test_regexes_matching_attack_origins_are_refused(regex: str, kind: str, attack: str) -> None:
    assert re.fullmatch(regex, attack)  # the attack really works against this regex
    with pytest.raises(PolicyError) as caught:
        Policy(allow_origin_regex=regex)
    (problem,) = caught.value.problems
    assert problem.code == "regex-attack-origin"
    assert problem.option == "allow_origin_regex"
    assert problem.value == regex
    assert "it matches '" in problem.message
    # The attack of this kind is among those derived from what the regex is meant to match.
    derived = {a for w in regex_witnesses(re.compile(regex)) for a, _ in attack_origins(w)}
    assert attack in derived, kind


SAFE = [
    (r"https://[a-z0-9-]+\.example\.com", "https://a.example.com", "https://example.com"),
    (r"https://(www\.)?example\.com", "https://www.example.com", "https://wwwxexample.com"),
    (r"https://.*\.example\.com", "https://a.b.example.com", "https://a.example.com.evil.test"),
    (r"http://localhost:\d+", "http://localhost:5173", "http://localhost.evil.test:5173"),
    (r"https://(app|admin)\.example\.com", "https://admin.example.com", "https://evil.com"),
]


@pytest.mark.parametrize(("regex", "allowed", "denied"), SAFE)
def test_careful_regexes_are_accepted_and_used_as_full_matches(
    regex: str, allowed: str, denied: str
) -> None:
    policy = Policy(allow_origin_regex=regex, allow_credentials=True)
    assert policy.allows_origin(allowed)
    assert not policy.allows_origin(denied)
    assert not policy.allows_origin(allowed + ".evil.test")  # fullmatch, never match


def test_a_regex_for_every_origin_is_a_wildcard() -> None:
    policy = Policy(allow_origin_regex="https://.*")
    assert policy.allows_origin("https://anything.example")
    assert not policy.allows_origin("http://anything.example")
    # The regex never sees values that are not shaped like origins.
    assert not policy.allows_origin("https://a.example, https://b.example")
    assert not policy.allows_origin("https://a.example/path")
    with pytest.raises(PolicyError) as caught:
        Policy(allow_origin_regex="https://.*", allow_credentials=True)
    assert caught.value.codes == ("wildcard-with-credentials",)


def test_witnesses_read_a_lone_dot_as_the_dot_the_author_meant() -> None:
    assert regex_witnesses(re.compile(r"https://app.example\.com")) == ["https://app.example.com"]
    assert "https://example.com" in regex_witnesses(re.compile(r"https://(www\.)?example\.com"))
    assert regex_witnesses(re.compile(r"https://[a-z]+\.example\.com:\d+")) == [
        "https://a.example.com:1"
    ]


def test_attack_origins_cover_every_kind() -> None:
    kinds = {kind for _, kind in attack_origins("https://app.example.com:8443")}
    assert kinds == {
        "the host used as a prefix",
        "the site used as a suffix",
        "an unescaped dot",
        "a special character",
        "the opaque origin 'null'",
    }
    attacks = {attack for attack, _ in attack_origins("https://app.example.com")}
    assert "https://app.example.com.evil.test" in attacks
    assert "https://evilexample.com" in attacks
    assert "https://appxexample.com" in attacks
    assert "https://app.example.com`.evil.test" in attacks


def test_null_is_not_an_attack_when_it_is_opted_into() -> None:
    policy = Policy(
        allow_origin_regex=r"https://example\.com|null", dangerously_allow_null_origin=True
    )
    assert policy.allows_origin("https://example.com")
