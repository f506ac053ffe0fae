"""Both middleware take Starlette's keywords or a ready Policy, never both."""

from __future__ import annotations

from typing import Any

import pytest

from crossorigin import Policy, PolicyError
from crossorigin.asgi import CORSMiddleware as ASGIMiddleware
from crossorigin.wsgi import CORSMiddleware as WSGIMiddleware

MIDDLEWARE: list[Any] = [ASGIMiddleware, WSGIMiddleware]


@pytest.mark.parametrize("middleware", MIDDLEWARE)
def test_keywords_build_the_policy(middleware: Any) -> None:
    built = middleware(object(), allow_origins=["https://app.example"], max_age=60)
    assert built.policy.actual("https://app.example")


@pytest.mark.parametrize("middleware", MIDDLEWARE)
def test_a_given_policy_is_used_as_is(middleware: Any) -> None:
    policy = Policy(allow_origins=["https://app.example"])
    assert middleware(object(), policy=policy).policy is policy


@pytest.mark.parametrize("middleware", MIDDLEWARE)
def test_policy_and_keywords_together_are_refused(middleware: Any) -> None:
    policy = Policy(allow_origins=["https://app.example"])
    with pytest.raises(TypeError, match=r"not both: \['allow_credentials', 'max_age'\]"):
        middleware(object(), policy=policy, max_age=60, allow_credentials=True)


@pytest.mark.parametrize("middleware", MIDDLEWARE)
def test_dangerous_keywords_are_refused_by_the_policy(middleware: Any) -> None:
    with pytest.raises(PolicyError, match="wildcard"):
        middleware(object(), allow_origins=["*"], allow_credentials=True)
