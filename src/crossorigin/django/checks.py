"""System checks: every invalid or dangerous CORS setting, with its id, value and fix.

Ids are stable (docs/django.md lists them): ``crossorigin.E001``-``E013`` for a setting of the
wrong type, ``crossorigin.E1xx`` for what the Policy refuses (one id per policy code),
``crossorigin.W162`` for a value dropped because it changes nothing, ``crossorigin.W2xx`` for
the middleware's place in MIDDLEWARE.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning
from django.urls import URLPattern, URLResolver, get_resolver

from crossorigin.django.conf import CorsSettingsError, SettingProblem, build, urls_regex
from crossorigin.django.middleware import ViewCors, view_cors

__all__ = ["check_cors_settings", "check_middleware"]

_OURS = "crossorigin.django.CorsMiddleware"
_THEIRS = "corsheaders.middleware.CorsMiddleware"
# Middleware that answer some requests themselves (redirects, static files): above them, a
# response they produce would lack the CORS headers (django-cors-headers' README says the same).
_ANSWERING_MIDDLEWARE = (
    "django.middleware.common.CommonMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
)


def _message(problem: SettingProblem, obj: object = None, prefix: str = "") -> CheckMessage:
    kind = Error if problem.is_error else Warning
    return kind(f"{prefix}{problem.message}", hint=problem.fix, obj=obj, id=problem.id)


def check_cors_settings(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """The CORS settings, and the policy of every view decorated with ``@cors``."""
    messages: list[CheckMessage] = []
    reported: set[tuple[str, str, str]] = set()
    try:
        _policy, warnings = build()
        messages += [_message(w) for w in warnings]
    except CorsSettingsError as error:
        messages += [_message(p) for p in error.problems]
        reported = {(p.id, p.setting, repr(p.value)) for p in error.problems}
    try:
        urls_regex()
    except CorsSettingsError as error:
        messages += [_message(p) for p in error.problems]
    for name, own in _decorated_views():
        try:
            own.policy()
        except CorsSettingsError as error:
            # A view inherits the settings: report only what its own keywords add.
            prefix = f"view {name} (@cors): "
            messages += [
                _message(p, obj=name, prefix=prefix)
                for p in error.problems
                if (p.id, p.setting, repr(p.value)) not in reported
            ]
    return messages


def _decorated_views() -> Iterator[tuple[str, ViewCors]]:
    try:
        patterns = list(get_resolver().url_patterns)
    except Exception:  # a broken URLconf is reported by Django's own checks
        return
    seen: set[int] = set()
    while patterns:
        entry = patterns.pop()
        if isinstance(entry, URLResolver):
            patterns.extend(entry.url_patterns)
        elif isinstance(entry, URLPattern):
            own = view_cors(entry.callback)
            if own is not None and id(own) not in seen:
                seen.add(id(own))
                callback = entry.callback
                yield f"{callback.__module__}.{callback.__qualname__}", own


def check_middleware(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """The middleware must be installed, alone, and above middleware that answer requests."""
    middleware = list(getattr(settings, "MIDDLEWARE", None) or [])
    messages: list[CheckMessage] = []
    if _OURS not in middleware:
        messages.append(
            Warning(
                f"{_OURS!r} is not in MIDDLEWARE, so no response gets CORS headers.",
                hint=f"add {_OURS!r} to MIDDLEWARE, as high as possible.",
                id="crossorigin.W201",
            )
        )
        return messages
    if _THEIRS in middleware:
        messages.append(
            Warning(
                f"MIDDLEWARE lists both {_OURS!r} and {_THEIRS!r}: two CORS layers answer the "
                "same requests and their headers mix.",
                hint=f"remove {_THEIRS!r} (and 'corsheaders' from INSTALLED_APPS).",
                id="crossorigin.W202",
            )
        )
    position = middleware.index(_OURS)
    for other in _ANSWERING_MIDDLEWARE:
        if other in middleware and middleware.index(other) < position:
            messages.append(
                Warning(
                    f"{_OURS!r} comes after {other!r} in MIDDLEWARE, so the responses that "
                    "middleware produces itself (redirects, files) get no CORS headers.",
                    hint=f"move {_OURS!r} above {other!r}.",
                    id="crossorigin.W203",
                )
            )
    return messages
