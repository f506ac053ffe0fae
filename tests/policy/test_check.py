"""policy.check(): the browser engine run against the policy's own answers."""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("crossorigin.engine", reason="the browser engine is not available")

from crossorigin.policy import Policy

APP = "https://app.example.com"

POLICY = Policy(
    allow_origins=[APP, "https://*.example.org"],
    allow_methods=["GET", "PUT"],
    allow_headers=["X-Token"],
    allow_credentials=True,
)

# (check keywords, outcome, Chromium's error, the policy's reason, words in the explanation)
CASES: list[tuple[dict[str, Any], str, str | None, str | None, list[str]]] = [
    ({"origin": APP}, "allowed", None, None, ["would be allowed"]),
    ({"origin": "https://a.b.example.org", "credentials": True}, "allowed", None, None, []),
    (
        {"origin": APP, "method": "PUT", "headers": ["X-Token"], "credentials": True},
        "allowed",
        None,
        None,
        ["sending PUT with X-Token and cookies would be allowed"],
    ),
    (
        {"origin": "https://evil.example"},
        "blocked",
        "kMissingAllowOriginHeader",
        "origin",
        ["does not allow the origin https://evil.example", "add it to allow_origins"],
    ),
    (
        {"origin": APP, "method": "DELETE"},
        "blocked",
        "kPreflightMissingAllowOriginHeader",
        "method",
        ["does not allow the method DELETE", "add 'DELETE' to allow_methods"],
    ),
    (
        {"origin": APP, "method": "PUT", "headers": ["Authorization"], "credentials": True},
        "blocked",
        "kPreflightMissingAllowOriginHeader",
        "headers",
        [
            "a browser at https://app.example.com sending PUT with Authorization and cookies "
            "would be blocked",
            "request header(s) authorization",
        ],
    ),
    ({"origin": "https://example.org"}, "blocked", "kMissingAllowOriginHeader", "origin", []),
]


@pytest.mark.parametrize(("keywords", "outcome", "error", "reason", "words"), CASES)
def test_self_check(
    keywords: dict[str, Any],
    outcome: str,
    error: str | None,
    reason: str | None,
    words: list[str],
) -> None:
    result = POLICY.check(**keywords)
    assert result.outcome == outcome
    assert result.allowed is (outcome == "allowed")
    assert result.error == error
    assert result.policy_reason == reason
    for word in words:
        assert word in result.explanation
    assert result.trace  # the browser's checks, in order
    assert all(check.passed for check in result.trace) is (outcome == "allowed")


def test_credentials_the_policy_does_not_allow() -> None:
    result = Policy(allow_origins=[APP]).check(APP, credentials=True)
    assert (result.outcome, result.error) == ("blocked", "kInvalidAllowCredentials")
    assert result.policy_reason == "credentials"
    assert "pass allow_credentials=True" in result.explanation


def test_a_wildcard_policy_with_a_credentialed_request() -> None:
    # '*' cannot carry credentials: the browser refuses the wildcard for a credentialed fetch.
    result = Policy(allow_origins=["*"]).check(APP, credentials=True)
    assert result.outcome == "blocked"
    assert result.error == "kWildcardOriginNotAllowed"
    assert "list the origins that need credentials in allow_origins (not '*')" in str(result)
