"""Flask adapter: flask-cors' API (``CORS(app, ...)``, ``@cross_origin(...)``) over one Policy.

Switching from flask-cors is one import::

    from crossorigin.flask import CORS, cross_origin   # was: from flask_cors import ...

The options keep flask-cors' names and defaults (``origins``, ``methods``, ``allow_headers``,
``expose_headers``, ``supports_credentials``, ``max_age``, ``resources``, ``vary_header``,
``automatic_options``, ``always_send``, ``send_wildcard``, ``allow_private_network``,
``intercept_exceptions``; app config ``CORS_*``), but every decision is taken by a validated
:class:`crossorigin.policy.Policy`, so what changes is what flask-cors got wrong (docs/flask.md):

- a configuration the policy refuses (``supports_credentials=True`` with ``origins="*"``, an
  origin regex that also matches ``https://example.com.evil.test``, an unknown option name)
  raises when ``CORS(...)`` or ``@cross_origin(...)`` runs, not on some later request;
- per-route rules are chosen by Flask's own router: ``@cross_origin`` belongs to the view, and
  a ``resources`` key is matched against the route as it was declared (``/users/<int:id>``),
  never against the request path, so every spelling of a URL that reaches a view gets that
  view's policy (flask-cors CVE-2024-6839, -6866, -6844 came from path matching);
- a preflight (OPTIONS with Origin and Access-Control-Request-Method) is answered before Flask
  dispatches the request - no ``before_request`` hook, view or ``after_request`` hook runs -
  for the route the *actual* request will reach (routed with the requested method); it gets
  204 with the CORS headers or 403 with none. Every other OPTIONS request is the app's;
- actual requests are never rejected, only left without CORS headers, and ``Vary: Origin`` is
  appended (never replacing the app's own Vary) whenever the answer depends on Origin.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from functools import update_wrapper
from http import HTTPStatus
from typing import Any, TypeVar, cast

from flask import Blueprint, Flask, Response, current_app, make_response, request
from flask.globals import request_ctx
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.routing import MapAdapter, Rule

from crossorigin.policy import Policy, merge_vary

__all__ = [
    "ACL_ALLOW_HEADERS",
    "ACL_CREDENTIALS",
    "ACL_EXPOSE_HEADERS",
    "ACL_MAX_AGE",
    "ACL_METHODS",
    "ACL_ORIGIN",
    "ACL_REQUEST_HEADERS",
    "ACL_REQUEST_HEADER_PRIVATE_NETWORK",
    "ACL_REQUEST_METHOD",
    "ACL_RESPONSE_PRIVATE_NETWORK",
    "ALL_METHODS",
    "CORS",
    "cross_origin",
]

# flask-cors' names for the headers, kept so that code written against ``flask_cors.core``
# (flask-cors' own test suite included) keeps working once the import is changed.
ACL_ORIGIN = "Access-Control-Allow-Origin"
ACL_METHODS = "Access-Control-Allow-Methods"
ACL_ALLOW_HEADERS = "Access-Control-Allow-Headers"
ACL_EXPOSE_HEADERS = "Access-Control-Expose-Headers"
ACL_CREDENTIALS = "Access-Control-Allow-Credentials"
ACL_MAX_AGE = "Access-Control-Max-Age"
ACL_RESPONSE_PRIVATE_NETWORK = "Access-Control-Allow-Private-Network"
ACL_REQUEST_METHOD = "Access-Control-Request-Method"
ACL_REQUEST_HEADERS = "Access-Control-Request-Headers"
ACL_REQUEST_HEADER_PRIVATE_NETWORK = "Access-Control-Request-Private-Network"
ALL_METHODS = ["GET", "HEAD", "POST", "OPTIONS", "PUT", "PATCH", "DELETE"]

# flask-cors' defaults. ``origins="*"`` stays the default: without credentials it lets any
# page read the responses, as flask-cors always did (and with credentials it is refused).
_DEFAULTS: dict[str, Any] = {
    "origins": "*",
    "methods": ALL_METHODS,
    "allow_headers": "*",
    "expose_headers": None,
    "supports_credentials": False,
    "max_age": None,
    "send_wildcard": False,
    "automatic_options": True,
    "vary_header": True,
    "resources": r"/*",
    "intercept_exceptions": True,
    "always_send": True,
    "allow_private_network": False,
    # crossorigin's explicit opt-ins, named so that they read as dangerous in a review.
    "dangerously_allow_null_origin": False,
    "dangerously_allow_insecure_origins": False,
    "dangerously_allow_public_suffix_subdomains": False,
}
_ROUTE_OPTIONS = frozenset(_DEFAULTS) - {"resources", "intercept_exceptions"}
_APP_OPTIONS = frozenset(_DEFAULTS)
# Characters that only a regular expression contains. A ``*`` alone is not one: in an origin
# it is the policy's wildcard grammar (``https://*.example.com``, ``http://localhost:*``).
_REGEX_ONLY_CHARACTERS = frozenset("\\[]()?^$+{}|")
# flask-cors' rule for resource (path) keys, kept as is: ``/api/*`` is a regex there.
_PATH_REGEX_HINTS = frozenset("*\\]?$^[]()")
_VIEW_ATTRIBUTE = "__crossorigin_route__"
_APPLIED_ATTRIBUTE = "_crossorigin_applied"
_EXTENSION_KEY = "crossorigin"
# Any valid origin: with every origin allowed, the policy's answer is the same for all of them.
_ANY_ORIGIN = "https://any-origin.invalid"

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True, slots=True)
class _Route:
    """The CORS answer of one route: its policy plus flask-cors' per-route switches."""

    policy: Policy
    without_origin: tuple[tuple[str, str], ...]  # the answer to a request without Origin
    expose_value: str | None  # Access-Control-Expose-Headers as flask-cors writes it
    vary_header: bool
    automatic_options: bool


def _strings(value: object, option: str) -> list[str]:
    """flask-cors accepts one string or any iterable of strings for the list options."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, Iterable):
        items = list(value)
        if all(isinstance(item, str) for item in items):
            return items
    raise TypeError(f"{option}={value!r}: expected a string or a list of strings")


def _scoped_regex(pattern: str | re.Pattern[str]) -> str:
    """One alternative of the combined origin regex, with its own flags kept local."""
    if isinstance(pattern, str):
        return f"(?:{pattern})"
    flags = "".join(
        letter
        for flag, letter in ((re.IGNORECASE, "i"), (re.MULTILINE, "m"), (re.DOTALL, "s"))
        if pattern.flags & flag
    )
    return f"(?{flags}:{pattern.pattern})" if flags else f"(?:{pattern.pattern})"


def _origin_options(value: object) -> tuple[tuple[str, ...], str | None]:
    """``origins`` -> (allow_origins, allow_origin_regex).

    A compiled pattern, or a string holding a character only regexes have, is a regex (all of
    them are joined into the policy's one full-match regex, which the policy vets against
    attack origins); any other string is an origin or an origin pattern of the policy's
    grammar. ``"*"`` anywhere means every origin, as in flask-cors.
    """
    entries: list[str | re.Pattern[str]]
    if isinstance(value, (str, re.Pattern)):
        entries = [value]
    elif isinstance(value, Iterable):
        entries = list(value)
    else:
        raise TypeError(f"origins={value!r}: expected an origin, a regex or a list of them")
    exact: list[str] = []
    regexes: list[str | re.Pattern[str]] = []
    for entry in entries:
        if isinstance(entry, re.Pattern):
            regexes.append(entry)
        elif not isinstance(entry, str):
            raise TypeError(f"origins: {entry!r} is neither a string nor a compiled regex")
        elif entry == "*":
            return ("*",), None
        elif _REGEX_ONLY_CHARACTERS.isdisjoint(entry) and ".*" not in entry:
            exact.append(entry)
        else:
            regexes.append(entry)
    if not regexes:
        return tuple(exact), None
    if len(regexes) == 1 and isinstance(regexes[0], str):
        return tuple(exact), regexes[0]
    return tuple(exact), "|".join(_scoped_regex(r) for r in regexes)


def _max_age(value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, timedelta):
        return int(value.total_seconds())
    if isinstance(value, bool):
        raise TypeError(f"max_age={value!r}: expected seconds (an int), a timedelta or None")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    raise TypeError(f"max_age={value!r}: expected seconds (an int), a timedelta or None")


def _check_names(options: Mapping[str, object], allowed: frozenset[str], where: str) -> None:
    unknown = sorted(set(options) - allowed)
    if unknown:
        # flask-cors only logged a warning, so a typo such as ``orgins=`` silently left the
        # default (every origin) in place.
        raise TypeError(
            f"{where}: unknown option {', '.join(map(repr, unknown))}; the options are "
            f"{', '.join(sorted(allowed))}"
        )


def _build_route(options: Mapping[str, Any]) -> _Route:
    """Turn merged flask-cors options into a route; the Policy validates (PolicyError)."""
    allow_origins, allow_origin_regex = _origin_options(options["origins"])
    allow_headers = _strings(options["allow_headers"], "allow_headers")
    header_regexes = [
        h
        for h in allow_headers
        if h != "*" and (".*" in h or not _REGEX_ONLY_CHARACTERS.isdisjoint(h))
    ]
    if header_regexes:
        raise ValueError(
            f"allow_headers: {', '.join(map(repr, header_regexes))} look like regular "
            "expressions; list the header names, or '*' for any header"
        )
    expose_headers = _strings(options["expose_headers"], "expose_headers")
    policy = Policy(
        allow_origins=allow_origins,
        allow_origin_regex=allow_origin_regex,
        allow_methods=tuple(_strings(options["methods"], "methods")),
        # "*" echoes the requested names, Authorization included, as flask-cors' "*" did.
        allow_headers=tuple(allow_headers),
        allow_credentials=bool(options["supports_credentials"]),
        expose_headers=tuple(expose_headers),
        max_age=_max_age(options["max_age"]),
        allow_private_network=bool(options["allow_private_network"]),
        dangerously_allow_null_origin=bool(options["dangerously_allow_null_origin"]),
        dangerously_allow_insecure_origins=bool(options["dangerously_allow_insecure_origins"]),
        dangerously_allow_public_suffix_subdomains=bool(
            options["dangerously_allow_public_suffix_subdomains"]
        ),
    )
    always_send = bool(options["always_send"])
    without_origin: tuple[tuple[str, str], ...] = ()
    if always_send and policy.allow_all_origins:
        # flask-cors' always_send: with every origin allowed (never with credentials: the
        # policy refuses that), a request without Origin gets the same "*" answer as any
        # origin - the response does not depend on Origin, so caches may share it.
        without_origin = tuple(policy.actual(_ANY_ORIGIN))
    return _Route(
        policy=policy,
        without_origin=without_origin,
        expose_value=_expose_spelling(expose_headers),
        vary_header=bool(options["vary_header"]),
        automatic_options=bool(options["automatic_options"]),
    )


def _expose_spelling(names: list[str]) -> str | None:
    """Access-Control-Expose-Headers as flask-cors writes it: as configured, sorted, ", "."""
    if "*" in names:
        return None
    unique: dict[str, str] = {}
    for name in names:
        unique.setdefault(name.lower(), name)
    return ", ".join(sorted(unique.values()))


def _config_options(app: Flask | Blueprint | None) -> dict[str, Any]:
    """The app's ``CORS_*`` config keys, under their option names (Blueprints have none)."""
    config: Mapping[str, Any] = getattr(app, "config", None) or {}
    return {
        name: config[key]
        for name in _APP_OPTIONS
        if (key := f"CORS_{name.upper()}") in config and config[key] is not None
    }


# -- route matching ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Resource:
    """One ``resources`` key: a literal route (compared whole) or a regex (``re.match``)."""

    literal: str | None
    regex: re.Pattern[str] | None
    route: _Route

    def matches(self, path: str) -> bool:
        if self.regex is not None:
            return self.regex.match(path) is not None
        return path == self.literal


def _resources(spec: object, route_for: Callable[[Mapping[str, Any]], _Route]) -> list[_Resource]:
    """flask-cors' ``resources``: a pattern, a list of them, or {pattern: options}.

    Order as flask-cors 6 sorts them (literal paths first, then regexes; more slashes, then
    longer, first), so a specific rule is never shadowed by a catch-all one.
    """
    pairs: list[tuple[str | re.Pattern[str], Mapping[str, Any]]]
    if isinstance(spec, Mapping):
        pairs = list(spec.items())
    elif isinstance(spec, (str, re.Pattern)):
        pairs = [(spec, {})]
    elif isinstance(spec, Iterable):
        pairs = [(key, {}) for key in spec]
    else:
        raise ValueError(
            f"resources={spec!r}: expected a path pattern, a list of them, or a dict of "
            "{pattern: options}"
        )

    def order(pair: tuple[str | re.Pattern[str], object]) -> tuple[int, int, int, int]:
        key = pair[0]
        if isinstance(key, re.Pattern):
            return (1, 0, -key.pattern.count("/"), -len(key.pattern))
        if not _PATH_REGEX_HINTS.isdisjoint(key):
            return (1, 1, -key.count("/"), -len(key))
        return (0, 0, -key.count("/"), -len(key))

    resources = []
    for key, options in sorted(pairs, key=order):
        if not isinstance(key, (str, re.Pattern)):
            raise ValueError(f"resources: {key!r} is not a path pattern")
        if not isinstance(options, Mapping):
            raise ValueError(f"resources[{key!r}]: expected a dict of options")
        _check_names(options, _ROUTE_OPTIONS, f"resources[{key!r}]")
        route = route_for(options)
        if isinstance(key, re.Pattern):
            resources.append(_Resource(None, key, route))
        elif key == "*":
            resources.append(_Resource(None, re.compile(r".*"), route))
        elif _PATH_REGEX_HINTS.isdisjoint(key):
            resources.append(_Resource(key, None, route))
        else:
            try:
                resources.append(_Resource(None, re.compile(key), route))
            except re.error as error:
                raise ValueError(f"resources: {key!r} is not a valid regex ({error})") from None
    return resources


@dataclass(frozen=True, slots=True)
class _Scope:
    """What one ``CORS(app_or_blueprint)`` covers: its endpoints, and its resources."""

    endpoint_prefix: str | None  # "bp." for a blueprint; None for the whole app
    resources: tuple[_Resource, ...]

    def covers(self, endpoint: str | None) -> bool:
        if self.endpoint_prefix is None:
            return True
        return endpoint is not None and endpoint.startswith(self.endpoint_prefix)

    def route_for(self, template: str) -> _Route | None:
        for resource in self.resources:
            if resource.matches(template):
                return resource.route
        return None


class _Dispatcher:
    """Per-app state: the scopes of every ``CORS(...)`` call, and a route cache per URL rule.

    Installed once per app: a WSGI layer in front of Flask answers preflights, an
    ``after_request`` hook adds the CORS headers to every other response.
    """

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.scopes: list[_Scope] = []
        # id(rule) -> route. Rules live as long as the app's url_map; a cache entry is filled
        # the first time a request reaches the rule (routes may be added after CORS(app)).
        self._rule_routes: dict[int, _Route | None] = {}
        app.wsgi_app = _PreflightLayer(app.wsgi_app, self)  # type: ignore[method-assign]
        app.after_request(self.after_request)

    @classmethod
    def of(cls, app: Flask) -> _Dispatcher:
        dispatcher = app.extensions.get(_EXTENSION_KEY)
        if dispatcher is None:
            dispatcher = app.extensions[_EXTENSION_KEY] = cls(app)
        return cast(_Dispatcher, dispatcher)

    def add_scope(self, scope: _Scope) -> None:
        # Blueprint scopes first: as in flask-cors, a blueprint's own CORS wins over the app's.
        self.scopes.append(scope)
        self.scopes.sort(key=lambda s: s.endpoint_prefix is None)
        self._rule_routes.clear()

    def route_for_rule(self, rule: Rule) -> _Route | None:
        key = id(rule)
        try:
            return self._rule_routes[key]
        except KeyError:
            pass
        decorated: _DecoratedView | None = getattr(
            self.app.view_functions.get(rule.endpoint), _VIEW_ATTRIBUTE, None
        )
        route: _Route | None
        if decorated is not None:
            route = decorated.route_in(self.app)
        else:
            route = next(
                (
                    found
                    for scope in self.scopes
                    if scope.covers(rule.endpoint)
                    and (found := scope.route_for(rule.rule)) is not None
                ),
                None,
            )
        self._rule_routes[key] = route
        return route

    def route_for_unrouted(self, path: str) -> _Route | None:
        """No rule matched (404, 405, redirect): the app-wide resources, by path."""
        for scope in self.scopes:
            if scope.endpoint_prefix is None and (route := scope.route_for(path)) is not None:
                return route
        return None

    def after_request(self, response: Response) -> Response:
        if getattr(response, _APPLIED_ATTRIBUTE, False):
            return response
        rule = request.url_rule
        route = (
            self.route_for_rule(rule) if rule is not None else self.route_for_unrouted(request.path)
        )
        if route is not None:
            _apply(route, response)
        return response


class _PreflightLayer:
    """WSGI middleware answering preflights before Flask dispatches anything."""

    def __init__(self, wsgi_app: Callable[..., Any], dispatcher: _Dispatcher) -> None:
        self.wsgi_app = wsgi_app
        self.dispatcher = dispatcher

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if environ.get("REQUEST_METHOD") == "OPTIONS":
            preflight = _preflight_values(environ)
            if preflight is not None:
                route = self._route(environ, preflight[1])
                if route is not None:
                    status, headers = _preflight_answer(route, environ, *preflight)
                    start_response(_status_line(status), headers)
                    return []
        return self.wsgi_app(environ, start_response)

    def _route(self, environ: dict[str, Any], method: str) -> _Route | None:
        app = self.dispatcher.app
        try:
            adapter = app.request_context(environ).url_adapter
        except Exception:  # a Host Flask refuses: let Flask answer it
            return None
        if adapter is None:
            return None
        # Route with the method the actual request will use: that request, not this OPTIONS
        # one, reaches a view, and two views may share a path with different policies.
        rule = _match_rule(adapter, method)
        if rule is None:
            return self.dispatcher.route_for_unrouted(environ.get("PATH_INFO", "") or "/")
        return self.dispatcher.route_for_rule(rule)


def _match_rule(adapter: MapAdapter, method: str) -> Rule | None:
    """The rule the actual request (``method``) reaches; the path's rule if not that method."""
    try:
        rule, _arguments = adapter.match(method=method.upper(), return_rule=True)
    except MethodNotAllowed as error:
        # The actual request would get 405; the path's own route still decides the preflight.
        other = next(iter(error.valid_methods or ()), None)
        if other is None:
            return None
        try:
            rule, _arguments = adapter.match(method=other, return_rule=True)
        except HTTPException:
            return None
    except HTTPException:
        return None
    return rule


def _preflight_values(environ: Mapping[str, Any]) -> tuple[str, str] | None:
    """(Origin, Access-Control-Request-Method) when the request is a preflight."""
    origin = environ.get("HTTP_ORIGIN")
    method = environ.get("HTTP_ACCESS_CONTROL_REQUEST_METHOD")
    if origin is None or method is None:
        return None
    headers = (("Origin", origin), ("Access-Control-Request-Method", method))
    if not Policy.is_preflight(environ.get("REQUEST_METHOD", ""), headers):
        return None
    return origin, method


def _preflight_answer(
    route: _Route, environ: Mapping[str, Any], origin: str, method: str
) -> tuple[int, list[tuple[str, str]]]:
    status, headers = route.policy.preflight(
        origin,
        method,
        environ.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS"),
        environ.get("HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK"),
    )
    if not route.vary_header:
        headers = [(name, value) for name, value in headers if name.lower() != "vary"]
    if status != HTTPStatus.NO_CONTENT:  # RFC 9110 §8.6: no Content-Length in a 204
        headers.append(("Content-Length", "0"))
    return status, headers


def _status_line(status: int) -> str:
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"{status} Unknown"


def _apply(route: _Route, response: Response) -> None:
    """Add the actual-response CORS headers and Vary to a response the app produced."""
    headers = response.headers
    if ACL_ORIGIN in headers:  # the view answered CORS itself (flask-cors skips it too)
        return
    origin = request.environ.get("HTTP_ORIGIN")
    answer = route.policy.actual(origin) if origin is not None else route.without_origin
    for name, value in answer:
        # Access-Control-Expose-Headers: the names the policy validated, spelled as configured,
        # sorted and joined by ", " as flask-cors writes them (names are case-insensitive).
        exposed = name == ACL_EXPOSE_HEADERS and route.expose_value is not None
        headers.add(name, route.expose_value if exposed else value)
    if route.vary_header:
        existing = headers.getlist("Vary")
        if not existing:
            headers.add("Vary", "Origin")
        else:
            # Appended on a line of its own: the app's Vary lines stay exactly as they were.
            listed = ", ".join(line.strip(" \t") for line in existing if line.strip(" \t"))
            if merge_vary(existing) != listed:
                headers.add("Vary", "Origin")
    setattr(response, _APPLIED_ATTRIBUTE, True)


# -- public API ----------------------------------------------------------------------------


class CORS:
    """CORS for a whole app or blueprint, with flask-cors' options and ``resources``.

    Settings are merged as in flask-cors: per-resource options, then ``init_app`` keywords,
    then constructor keywords, then the app's ``CORS_*`` config, then the defaults.
    """

    def __init__(self, app: Flask | Blueprint | None = None, **options: Any) -> None:
        _check_names(options, _APP_OPTIONS, "CORS()")
        self._options = options
        if app is not None:
            self.init_app(app, **options)

    def init_app(self, app: Flask | Blueprint, **options: Any) -> None:
        _check_names(options, _APP_OPTIONS, "CORS.init_app()")
        base = {**_DEFAULTS, **_config_options(app), **self._options, **options}
        _check_names(base, _APP_OPTIONS, "CORS config")

        def route_for(resource_options: Mapping[str, Any]) -> _Route:
            return _build_route({**base, **resource_options})

        resources = tuple(_resources(base["resources"], route_for))
        if isinstance(app, Flask):
            _Dispatcher.of(app).add_scope(_Scope(None, resources))
            return

        def register(state: Any) -> None:
            name = f"{state.name_prefix}.{state.name}".lstrip(".")
            _Dispatcher.of(state.app).add_scope(_Scope(f"{name}.", resources))

        app.record(register)


class _DecoratedView:
    """The route of one ``@cross_origin`` view; app ``CORS_*`` config merged per app."""

    def __init__(self, options: Mapping[str, Any]) -> None:
        self.options = dict(options)
        # Built now, so a refused configuration fails when the module is imported.
        self.route = _build_route({**_DEFAULTS, **self.options})
        self._per_app: dict[int, _Route] = {}

    def route_in(self, app: Flask) -> _Route:
        route = self._per_app.get(id(app))
        if route is None:
            config = _config_options(app)
            config.pop("resources", None)
            config.pop("intercept_exceptions", None)
            route = _build_route({**_DEFAULTS, **config, **self.options}) if config else self.route
            self._per_app[id(app)] = route
        return route


def cross_origin(*args: Any, **options: Any) -> Callable[[F], F]:
    """CORS for one view, with flask-cors' options (they override the app's ``CORS_*``).

    With ``automatic_options`` (the default) the view also answers OPTIONS requests with
    Flask's default OPTIONS response; preflights never reach it.
    """
    if args:
        raise TypeError("cross_origin() takes keyword options only, e.g. origins=[...]")
    _check_names(options, _ROUTE_OPTIONS, "cross_origin()")
    decorated = _DecoratedView(options)

    def decorator(view: F) -> F:
        if decorated.route.automatic_options:
            # Take OPTIONS over from Flask's automatic handling, as flask-cors does, so the
            # view can answer preflights when no CORS(app) layer does.
            view_any: Any = view
            view_any.required_methods = {*getattr(view, "required_methods", ()), "OPTIONS"}
            view_any.provide_automatic_options = False

        def wrapped(*view_args: Any, **view_kwargs: Any) -> Response:
            app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
            route = decorated.route_in(app)
            preflight = _preflight_values(request.environ) if request.method == "OPTIONS" else None
            if preflight is not None:
                # Only without CORS(app): its WSGI layer answers preflights earlier.
                target = _preflight_target(app, preflight[1], route)
                if target is None:
                    response = app.response_class(status=HTTPStatus.FORBIDDEN)
                else:
                    status, headers = _preflight_answer(target, request.environ, *preflight)
                    response = app.response_class(status=status, headers=headers)
                setattr(response, _APPLIED_ATTRIBUTE, True)
                return response
            if route.automatic_options and request.method == "OPTIONS":
                response = app.make_default_options_response()
            else:
                response = make_response(view(*view_args, **view_kwargs))
            _apply(route, response)
            return response

        update_wrapper(wrapped, view)
        setattr(wrapped, _VIEW_ATTRIBUTE, decorated)
        return cast(F, wrapped)

    return decorator


def _preflight_target(app: Flask, method: str, own: _Route) -> _Route | None:
    """The route the actual request (``method``) reaches; None if that view has no CORS."""
    adapter = request_ctx.url_adapter
    rule = _match_rule(adapter, method) if adapter is not None else None
    if rule is None:
        return own
    decorated: _DecoratedView | None = getattr(
        app.view_functions.get(rule.endpoint), _VIEW_ATTRIBUTE, None
    )
    return decorated.route_in(app) if decorated is not None else None
