"""Flask adapter: flask-cors' API (``CORS(app, ...)``, ``@cross_origin(...)``) over one Policy.

Switching from flask-cors is one import::

    from crossorigin.flask import CORS, cross_origin   # was: from flask_cors import ...

The options keep flask-cors' names and defaults (``origins``, ``methods``, ``allow_headers``,
``expose_headers``, ``supports_credentials``, ``max_age``, ``resources``, ``vary_header``,
``automatic_options``, ``always_send``, ``send_wildcard``, ``allow_private_network``,
``intercept_exceptions``; app config ``CORS_*``) and flask-cors' helpers live in
:mod:`crossorigin.flask.core` (``flask_cors.core``'s names), which resolves each route's options
into a validated :class:`crossorigin.policy.Policy`. Every decision is the Policy's, so what
changes is what flask-cors got wrong (docs/flask.md):

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
  204 with the CORS headers, or 403 with none and a body naming the failed checks. Every
  other OPTIONS request is the app's;
- actual requests are never rejected, only left without CORS headers, and ``Vary: Origin`` is
  appended (never replacing the app's own Vary) whenever the answer depends on Origin.

What stays as flask-cors does it, because it gives no page more access: ``origins="*"`` without
``send_wildcard`` echoes the Origin (a valid serialized origin only, with ``Vary: Origin``);
``allow_headers`` regexes (``r"X-COMPANY-.*"``, matched case-insensitively against the whole
requested name) and ``"*"`` answer with the requested names as the client spelled them;
Access-Control-Allow-Methods lists the configured methods.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import update_wrapper
from http import HTTPStatus
from typing import Any, TypeVar, cast

from flask import Blueprint, Flask, Response, current_app, make_response, request
from flask.globals import request_ctx
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.routing import MapAdapter, Rule

from crossorigin.flask.core import (
    ACL_ALLOW_HEADERS,
    ACL_CREDENTIALS,
    ACL_EXPOSE_HEADERS,
    ACL_MAX_AGE,
    ACL_METHODS,
    ACL_ORIGIN,
    ACL_REQUEST_HEADER_PRIVATE_NETWORK,
    ACL_REQUEST_HEADERS,
    ACL_REQUEST_METHOD,
    ACL_RESPONSE_PRIVATE_NETWORK,
    ALL_METHODS,
    APP_OPTIONS,
    ROUTE_OPTIONS,
    CorsOptions,
    ResourcePattern,
    check_option_names,
    get_app_kwarg_dict,
    get_cors_options,
    merge_options,
    parse_resources,
    serialize_options,
    try_match_pattern,
)
from crossorigin.origin import OriginError, parse_origin
from crossorigin.policy import VARY_PREFLIGHT, Policy, merge_vary

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

_VIEW_ATTRIBUTE = "__crossorigin_route__"
_APPLIED_ATTRIBUTE = "_crossorigin_applied"
_EXTENSION_KEY = "crossorigin"

F = TypeVar("F", bound=Callable[..., Any])


# -- route matching ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Resource:
    """One ``resources`` key (a literal route or a compiled regex) and its options."""

    pattern: ResourcePattern
    route: CorsOptions

    def matches(self, rule: str) -> bool:
        # A literal is compared whole, a regex is re.match-ed (flask-cors' rule, so that
        # r"/api/*" covers "/api/items/<int:id>"); case-sensitively, like Flask's router.
        return try_match_pattern(rule, self.pattern, caseSensitive=True)


def _resources(spec: object, base: Mapping[str, Any]) -> list[_Resource]:
    """flask-cors' ``resources``, in flask-cors 6's order (:func:`parse_resources`)."""
    resources = []
    for pattern, options in parse_resources(spec):
        if not isinstance(options, Mapping):
            raise ValueError(f"resources[{pattern!r}]: expected a dict of options")
        check_option_names(options, ROUTE_OPTIONS, f"resources[{pattern!r}]")
        resources.append(_Resource(pattern, serialize_options({**base, **options})))
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

    def route_for(self, template: str) -> CorsOptions | None:
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
        self._rule_routes: dict[int, CorsOptions | None] = {}
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

    def route_for_rule(self, rule: Rule) -> CorsOptions | None:
        key = id(rule)
        try:
            return self._rule_routes[key]
        except KeyError:
            pass
        decorated: _DecoratedView | None = getattr(
            self.app.view_functions.get(rule.endpoint), _VIEW_ATTRIBUTE, None
        )
        route: CorsOptions | None
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

    def route_for_unrouted(self, path: str) -> CorsOptions | None:
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
                    status, headers, body = _preflight_answer(route, environ, *preflight)
                    start_response(_status_line(status), headers)
                    return [body] if body else []
        return self.wsgi_app(environ, start_response)

    def _route(self, environ: dict[str, Any], method: str) -> CorsOptions | None:
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
    route: CorsOptions, environ: Mapping[str, Any], origin: str, method: str
) -> tuple[int, list[tuple[str, str]], bytes]:
    """(status, headers, body) of a preflight: the Policy's answer, written the Flask way."""
    answer = route.policy.preflight_answer(
        origin,
        method,
        environ.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS"),
        environ.get("HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK"),
    )
    headers = _echo_origin(route, origin, answer.headers)
    if not route.vary_header:
        headers = [(name, value) for name, value in headers if name.lower() != "vary"]
    body = answer.body.encode()
    if body:  # "OK", or the failed checks: for a developer reading the exchange
        headers.append(("Content-Type", "text/plain; charset=utf-8"))
        headers.append(("Content-Length", str(len(body))))
    elif answer.status != HTTPStatus.NO_CONTENT:  # RFC 9110 §8.6: none in a 204
        headers.append(("Content-Length", "0"))
    return answer.status, headers, body


def _echo_origin(
    route: CorsOptions, origin: str, headers: list[tuple[str, str]]
) -> list[tuple[str, str]]:
    """flask-cors' ``origins="*"`` without ``send_wildcard``: the Origin in place of ``*``.

    Only a value the policy accepted (it answered ``*``) and that is a serialized tuple
    origin is echoed, so nothing but ``scheme://host[:port]`` is ever written back; anything
    else (``null``, a malformed value) keeps ``*``, which gives it the same access. The echo
    depends on Origin: ``echoes_origin`` requires ``vary_header``, so Vary lists it.
    """
    if not route.echoes_origin or not _is_tuple_origin(origin):
        return headers
    return [
        (name, origin) if name == ACL_ORIGIN and value == "*" else (name, value)
        for name, value in headers
    ]


def _is_tuple_origin(value: str) -> bool:
    try:
        return not parse_origin(value).is_opaque
    except OriginError:
        return False


def _status_line(status: int) -> str:
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"{status} Unknown"


def _apply(route: CorsOptions, response: Response) -> None:
    """Add the actual-response CORS headers and Vary to a response the app produced."""
    headers = response.headers
    if ACL_ORIGIN in headers:  # the view answered CORS itself (flask-cors skips it too)
        return
    environ = request.environ
    origin = environ.get("HTTP_ORIGIN")
    if origin is None:
        answer = list(route.without_origin)
    else:
        answer = _echo_origin(route, origin, route.policy.actual(origin))
    for name, value in answer:
        # Access-Control-Expose-Headers: the names the policy validated, spelled as configured,
        # sorted and joined by ", " as flask-cors writes them (names are case-insensitive).
        exposed = name == ACL_EXPOSE_HEADERS and route.expose_headers is not None
        headers.add(name, route.expose_headers if exposed else value)
    if answer and environ.get("HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK") == "true":
        # flask-cors answers this request header on any response, so code that looks for the
        # answer finds it. It is inert here: browsers send the request header, and read
        # Access-Control-Allow-Private-Network, on preflights only (WICG Private Network
        # Access, "fetch integration"); the preflight itself is the Policy's (refused unless
        # allow_private_network).
        private_network = "true" if route.allow_private_network else "false"
        headers.add(ACL_RESPONSE_PRIVATE_NETWORK, private_network)
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
        check_option_names(options, APP_OPTIONS, "CORS()")
        self._options = options
        if app is not None:
            self.init_app(app, **options)

    def init_app(self, app: Flask | Blueprint, **options: Any) -> None:
        check_option_names(options, APP_OPTIONS, "CORS.init_app()")
        base = merge_options(app, self._options, options)
        check_option_names(base, APP_OPTIONS, "CORS config")
        resources = tuple(_resources(base["resources"], base))
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
        self.route = serialize_options(self.options)
        self._per_app: dict[int, CorsOptions] = {}

    def route_in(self, app: Flask) -> CorsOptions:
        route = self._per_app.get(id(app))
        if route is None:
            has_config = bool(get_app_kwarg_dict(app))
            route = get_cors_options(app, self.options) if has_config else self.route
            self._per_app[id(app)] = route
        return route


def cross_origin(*args: Any, **options: Any) -> Callable[[F], F]:
    """CORS for one view, with flask-cors' options (they override the app's ``CORS_*``).

    With ``automatic_options`` (the default) the view also answers OPTIONS requests with
    Flask's default OPTIONS response; preflights never reach it.
    """
    if args:
        raise TypeError("cross_origin() takes keyword options only, e.g. origins=[...]")
    check_option_names(options, ROUTE_OPTIONS, "cross_origin()")
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
                    # The method reaches no view with CORS: refused like any other preflight.
                    body = b"Disallowed CORS method"
                    headers = [
                        ("Vary", VARY_PREFLIGHT),
                        ("Content-Type", "text/plain; charset=utf-8"),
                        ("Content-Length", str(len(body))),
                    ]
                    response = app.response_class(
                        body, status=HTTPStatus.FORBIDDEN, headers=headers
                    )
                else:
                    status, headers, body = _preflight_answer(target, request.environ, *preflight)
                    response = app.response_class(body, status=status, headers=headers)
                    if not body:  # Werkzeug adds its default mimetype; a 204 has no content
                        del response.headers["Content-Type"]
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


def _preflight_target(app: Flask, method: str, own: CorsOptions) -> CorsOptions | None:
    """The route the actual request (``method``) reaches; None if that view has no CORS."""
    adapter = request_ctx.url_adapter
    rule = _match_rule(adapter, method) if adapter is not None else None
    if rule is None:
        return own
    decorated: _DecoratedView | None = getattr(
        app.view_functions.get(rule.endpoint), _VIEW_ATTRIBUTE, None
    )
    return decorated.route_in(app) if decorated is not None else None
