"""``CorsMiddleware``: django-cors-headers' middleware, deciding with the Policy.

Per request (on URLs matching CORS_URLS_REGEX, or views given their own policy with
:func:`cors`):

- a preflight (OPTIONS with Origin and Access-Control-Request-Method, Fetch §4.8) is answered
  here and never reaches the view or the middleware below: 204 with the CORS headers, or 403
  with none when the origin, method, headers or Private Network Access request is not allowed;
- every other request (OPTIONS included) goes to the application; its response gets the CORS
  headers the policy gives the Origin (none for a denied one: never a rejection), and
  ``Origin`` is appended to Vary with ``patch_vary_headers`` (merged, never overwritten).

The settings are read once into an immutable Policy; ``override_settings`` in tests rebuilds it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, TypeVar

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.urls import Resolver404, get_resolver
from django.utils.cache import patch_vary_headers

from crossorigin.django.conf import (
    SETTING_NAMES,
    CorsSettingsError,
    SettingProblem,
    build,
    urls_regex,
)
from crossorigin.policy import Policy

__all__ = ["CorsMiddleware", "cors"]

V = TypeVar("V", bound=Callable[..., Any])
_VIEW_ATTRIBUTE = "crossorigin_cors"
_VIEW_SETTINGS = frozenset(
    {
        "allowed_origins",
        "allowed_origin_regexes",
        "allow_all_origins",
        "allow_credentials",
        "allow_headers",
        "allow_methods",
        "expose_headers",
        "preflight_max_age",
        "allow_private_network",
        "dangerously_allow_null_origin",
        "dangerously_allow_insecure_origins",
        "dangerously_allow_public_suffix_subdomains",
    }
)


@dataclass(frozen=True, slots=True)
class _State:
    policy: Policy
    urls: Any  # compiled CORS_URLS_REGEX
    warnings: tuple[SettingProblem, ...]


class _Cache:
    """The settings' policy, rebuilt after a CORS setting changes (``override_settings``)."""

    state: _State | None = None
    generation = 0  # bumped on every change, so per-view policies rebuild too
    views_declared = False  # whether any view has @cors (else no URL resolution is needed)


_cache = _Cache()


def current_state() -> _State:
    """The settings' policy, built (and validated) on first use."""
    state = _cache.state
    if state is None:
        policy, warnings = build()
        state = _cache.state = _State(policy, urls_regex(), tuple(warnings))
    return state


def _settings_changed(*, setting: str, **_kwargs: object) -> None:
    if setting in SETTING_NAMES:
        _cache.state = None
        _cache.generation += 1


setting_changed.connect(_settings_changed)


class ViewCors:
    """The policy of one view decorated with :func:`cors`: the settings plus its overrides."""

    def __init__(self, overrides: dict[str, Any]) -> None:
        self.overrides = overrides
        self._policy: Policy | None = None
        self._generation = -1

    def policy(self) -> Policy:
        if self._policy is None or self._generation != _cache.generation:
            self._policy, _warnings = build(self.overrides)
            self._generation = _cache.generation
        return self._policy


def cors(**options: Any) -> Callable[[V], V]:
    """Give one view a CORS policy of its own: the CORS settings, with these overridden.

    Keywords are the setting names in lowercase without ``CORS_`` (``allowed_origins``,
    ``allow_credentials``, ``allow_methods`` ...). The view is routed by Django's URL resolver,
    so the policy applies to every URL that reaches it, whatever CORS_URLS_REGEX says; the
    middleware must be installed. ``manage.py check`` validates the result.
    """
    unknown = sorted(set(options) - _VIEW_SETTINGS)
    if unknown:
        raise TypeError(
            f"cors(): unknown option {', '.join(map(repr, unknown))}; the options are "
            f"{', '.join(sorted(_VIEW_SETTINGS))}"
        )
    own = ViewCors({f"CORS_{name.upper()}": value for name, value in options.items()})
    if settings.configured:
        own.policy()  # refused settings fail where the view is declared, not on a request

    def decorator(view: V) -> V:
        setattr(view, _VIEW_ATTRIBUTE, own)
        _cache.views_declared = True
        return view

    return decorator


def view_cors(view: object) -> ViewCors | None:
    found: ViewCors | None = getattr(view, _VIEW_ATTRIBUTE, None)
    return found


class CorsMiddleware:
    """django-cors-headers' ``CorsMiddleware``, sync and async, over a validated Policy."""

    sync_capable = True
    async_capable = True

    def __init__(
        self,
        get_response: Callable[[HttpRequest], HttpResponseBase]
        | Callable[[HttpRequest], Awaitable[HttpResponseBase]],
    ) -> None:
        self.get_response = get_response
        self.async_mode = iscoroutinefunction(get_response)
        if self.async_mode:
            markcoroutinefunction(self)
        try:
            current_state()  # refuse to start on settings the policy refuses
        except CorsSettingsError as error:
            raise ImproperlyConfigured(str(error)) from None

    def __call__(self, request: HttpRequest) -> Any:
        if self.async_mode:
            return self.__acall__(request)
        answer = self._answer_preflight(request)
        if answer is not None:
            return answer
        response = self.get_response(request)
        assert isinstance(response, HttpResponseBase)
        self._add_headers(request, response)
        return response

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        answer = self._answer_preflight(request)
        if answer is not None:
            return answer
        result = self.get_response(request)
        assert not isinstance(result, HttpResponseBase)
        response = await result
        self._add_headers(request, response)
        return response

    def _answer_preflight(self, request: HttpRequest) -> HttpResponse | None:
        meta = request.META
        if meta.get("REQUEST_METHOD") != "OPTIONS":
            return None
        origin = meta.get("HTTP_ORIGIN")
        method = meta.get("HTTP_ACCESS_CONTROL_REQUEST_METHOD")
        if origin is None or method is None:
            return None
        pairs = (("Origin", origin), ("Access-Control-Request-Method", method))
        if not Policy.is_preflight("OPTIONS", pairs):
            return None
        policy = self._policy(request, preflight=True)
        if policy is None:
            return None
        status, headers, body, _ = policy.preflight_answer(
            origin,
            method,
            meta.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS"),
            meta.get("HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK"),
        )
        response = HttpResponse(body, status=status, content_type="text/plain; charset=utf-8")
        if not body:
            del response["Content-Type"]
        for name, value in headers:
            response[name] = value
        if status != HTTPStatus.NO_CONTENT:  # RFC 9110 §8.6: no Content-Length in a 204
            response["Content-Length"] = str(len(response.content))
        return response

    def _add_headers(self, request: HttpRequest, response: HttpResponseBase) -> None:
        policy = self._policy(request, preflight=False)
        if policy is None:
            return
        for name, value in policy.actual(request.META.get("HTTP_ORIGIN")):
            response[name] = value
        # Every response of a CORS-enabled URL: its CORS headers depend on Origin, even when
        # the request had none or the origin was denied (a cache must not share them).
        patch_vary_headers(response, ("Origin",))

    def _policy(self, request: HttpRequest, *, preflight: bool) -> Policy | None:
        """The view's own policy (``@cors``), else the settings' on CORS_URLS_REGEX URLs."""
        state = current_state()
        if _cache.views_declared:
            view = self._view(request, preflight)
            if view is not None:
                return view.policy()
        if state.urls.match(request.path_info) is None:
            return None
        return state.policy

    @staticmethod
    def _view(request: HttpRequest, preflight: bool) -> ViewCors | None:
        if not preflight:
            match = getattr(request, "resolver_match", None)
            return view_cors(match.func) if match is not None else None
        # A preflight is answered before Django routes the request: route it the same way.
        try:
            match = get_resolver(getattr(request, "urlconf", None)).resolve(request.path_info)
        except Resolver404:
            return None
        return view_cors(match.func)
