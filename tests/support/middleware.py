"""The policy every ASGI/WSGI middleware test starts from, as Starlette-style keywords."""

from __future__ import annotations

from typing import Any

__all__ = ["policy_keywords"]


def policy_keywords(origin: str, **overrides: Any) -> dict[str, Any]:
    """Allow ``origin`` with GET and PUT, X-Token, credentials, exposing X-Request-Id; then
    ``overrides`` (any other keyword of the middleware) on top."""
    keywords: dict[str, Any] = {
        "allow_origins": [origin],
        "allow_methods": ["GET", "PUT"],
        "allow_headers": ["X-Token"],
        "allow_credentials": True,
        "expose_headers": ["X-Request-Id"],
    }
    keywords.update(overrides)
    return keywords
