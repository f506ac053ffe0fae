"""What the ASGI and WSGI middleware share: Starlette's keywords turned into one Policy."""

from __future__ import annotations

from typing import Any

from crossorigin.policy._policy import Policy

# Starlette's CORSMiddleware keywords and defaults (its positional order, for a drop-in).
MIDDLEWARE_DEFAULTS: dict[str, object] = {
    "allow_origins": (),
    "allow_methods": ("GET",),
    "allow_headers": (),
    "allow_credentials": False,
    "allow_origin_regex": None,
    "allow_private_network": False,
    "expose_headers": (),
    "max_age": 600,
}


def middleware_policy(
    policy: Policy | None,
    given: dict[str, Any],
    more: dict[str, Any],
    answer_defaults: dict[str, Any] | None = None,
) -> Policy:
    """The policy a middleware enforces: ``policy=`` as given, or one built from keywords.

    ``given`` holds the Starlette keywords as passed (defaults included), ``more`` the
    policy's other keywords, ``answer_defaults`` the adapter's own defaults for policy
    keywords (``more`` wins). Mixing ``policy=`` with keywords is a mistake: refused.
    """
    if policy is None:
        return Policy(**given, **{**(answer_defaults or {}), **more})
    mixed = sorted(
        {*more, *(name for name, value in given.items() if MIDDLEWARE_DEFAULTS[name] != value)}
    )
    if mixed:
        raise TypeError(f"pass either policy= or policy keywords, not both: {mixed}")
    return policy
