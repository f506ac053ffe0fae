"""The browser side of CORS as a sans-IO state machine.

:class:`Fetch` takes a page's ``fetch()`` call and, step by step, says which HTTP request
the browser sends next (a preflight, the actual request, a request after a redirect); the
caller answers each with the server's response, from a scenario, a policy, or the network.
When no request is pending, :attr:`Fetch.result` holds the verdict and the trace.

The rules follow the Fetch Standard as Chromium 156 ships it (``services/network/cors/``
``cors_url_loader.cc``, ``preflight_controller.cc``, ``public/cpp/cors/cors.cc``); each
place where Chromium departs from the specification says so.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass, field

import ada_url

from crossorigin.engine.address_space import (
    address_space_of_host,
    is_local_network_request,
    is_more_private,
    target_address_space,
    target_address_space_type_error,
)
from crossorigin.engine.cache import PreflightCache, PreflightResult, parse_max_age
from crossorigin.engine.header_order import blink_header_order
from crossorigin.engine.mixed_content import (
    MIXED_CONTENT_BLOCKED,
    is_mixed_content,
    lifted_for_local_network_access,
    mixed_content_console_message,
)
from crossorigin.engine.model import (
    CREDENTIALS,
    MODES,
    REDIRECT_MODES,
    FetchRequest,
    Header,
    HttpRequest,
    HttpResponse,
)
from crossorigin.engine.result import Check, Exchange, FetchResult, Outcome
from crossorigin.errors import (
    CorsError,
    chromium_console_message,
    chromium_mode_console_message,
)
from crossorigin.headers import (
    SAFELISTED_RESPONSE_HEADER_NAMES,
    cors_unsafe_request_header_names,
    is_cors_safelisted_method,
    is_forbidden_method,
    is_forbidden_request_header,
    is_forbidden_response_header_name,
    is_header_name,
    is_method,
    is_no_cors_safelisted_request_header,
    normalize_method,
    parse_header_list,
)
from crossorigin.origin import Origin, OriginError, origin_of_url, parse_origin, same_site

__all__ = ["EngineInputError", "Fetch", "run"]

MAX_REDIRECTS = 20
_REQUEST_BODY_HEADERS = frozenset(
    {"content-encoding", "content-language", "content-location", "content-type"}
)
_HTTP_SCHEMES = frozenset({"http", "https"})
# What fetch() trims from header values (HTTP whitespace, CR and LF included).
_VALUE_WHITESPACE = " \t\r\n"

Step = Generator[HttpRequest, HttpResponse, FetchResult]


class EngineInputError(ValueError):
    """The request given to the engine is not one a page could make (bad page origin,
    unknown mode...). fetch() argument errors are not this: they are TypeErrors in the
    result, as in the browser."""


@dataclass
class _Trace:
    checks: list[Check] = field(default_factory=list)
    exchanges: list[Exchange] = field(default_factory=list)

    def check(self, check: Check) -> Check:
        self.checks.append(check)
        return check


class Fetch:
    """One ``fetch()`` call, driven by the caller's responses (see the module docstring).

    ``cache`` is shared between fetches made by the same page (a fresh one by default);
    ``now`` is the time in seconds for the cache; ``network_access`` chooses Chromium's
    Local Network Access (``lna``, Chromium 142+) or the older Private Network Access
    preflights (``pna``).
    """

    def __init__(
        self,
        request: FetchRequest,
        *,
        browser: str = "chromium",
        cache: PreflightCache | None = None,
        now: float = 0.0,
        network_access: str = "lna",
    ) -> None:
        _validate(request)
        self.request = request
        self.browser = browser
        self.cache = cache if cache is not None else PreflightCache(browser)
        self.now = now
        self.network_access = network_access
        self._trace = _Trace()
        self._pending: HttpRequest | None = None
        self._result: FetchResult | None = None
        self._steps = self._run()
        self._advance(None)

    def next_request(self) -> HttpRequest | None:
        """The request the browser sends now, or None when the fetch is over."""
        return self._pending

    def receive(self, response: HttpResponse) -> None:
        """Give the server's response to :meth:`next_request`."""
        if self._pending is None:
            raise RuntimeError("no request is waiting for a response")
        self._trace.exchanges.append(
            Exchange(
                "preflight" if self._pending.is_preflight else "actual", self._pending, response
            )
        )
        self._advance(response)

    @property
    def result(self) -> FetchResult:
        if self._result is None:
            raise RuntimeError("the fetch is not finished: answer next_request() first")
        return self._result

    def _advance(self, response: HttpResponse | None) -> None:
        try:
            self._pending = next(self._steps) if response is None else self._steps.send(response)
        except StopIteration as stop:
            self._pending = None
            self._result = stop.value

    # -- the algorithm -------------------------------------------------------------------

    def _run(self) -> Step:
        request = self.request
        page = parse_origin(request.page_origin)
        page_serialized = page.serialize()
        ctx = _Context(self, page, page_serialized)

        prepared = ctx.prepare()
        if isinstance(prepared, FetchResult):
            return prepared
        method, headers, body, url = prepared
        return (yield from ctx.main_fetch(method, headers, body, url))


class _Context:
    """State of one fetch while it runs: URL list, taint, the trace."""

    def __init__(self, fetch: Fetch, page: Origin, page_serialized: str) -> None:
        self.fetch = fetch
        self.request = fetch.request
        self.page = page
        self.page_serialized = page_serialized
        self.trace = fetch._trace
        self.url_list: list[str] = []
        self.tainted = False  # Chromium's tainted_: the request origin is now "null"
        self.preflight_headers: dict[str, str] | None = None
        self.hint = ""

    # -- results -------------------------------------------------------------------------

    def _finish(
        self,
        outcome: Outcome,
        *,
        error: CorsError | None = None,
        console: str | None = None,
        readable: tuple[str, ...] | None = None,
        status: int | None = None,
        type_error: str | None = None,
        network_error: str | None = None,
        tainting: str | None = None,
    ) -> FetchResult:
        return FetchResult(
            request=self.request,
            outcome=outcome,
            error=error,
            console=console,
            checks=tuple(self.trace.checks),
            exchanges=tuple(self.trace.exchanges),
            url_list=tuple(self.url_list),
            readable_headers=readable,
            status_visible=status,
            hint=self.hint,
            type_error=type_error,
            network_error=network_error,
            response_tainting=tainting,  # type: ignore[arg-type]
            preflight_request_headers=self.preflight_headers,
        )

    def _type_error(self, message: str, rule: str) -> FetchResult:
        self.trace.check(Check(rule, False, "request", message))
        return self._finish("blocked", type_error=message)

    def _cors_error(self, error: CorsError, hint: str = "", **spaces: str) -> FetchResult:
        self.hint = hint
        console = chromium_console_message(
            error,
            url=self.url_list[-1],
            initial_url=self.url_list[0],
            origin=self.page_serialized,
            hint=hint,
            initiator=self.request.initiator,
            **spaces,
        )
        return self._finish("blocked", error=error, console=console)

    def _network_error(self, reason: str, console: str | None = None) -> FetchResult:
        return self._finish("blocked", network_error=reason, console=console)

    # -- fetch() argument processing (the Request constructor) ----------------------------

    def prepare(self) -> tuple[str, list[Header], str | None, str] | FetchResult:
        request = self.request
        target_error = target_address_space_type_error(request.target_address_space)
        if target_error is not None:
            return self._type_error(target_error, "target-address-space-valid")
        base = self.page_serialized + "/" if not self.page.is_opaque else None
        try:
            parsed = ada_url.URL(request.url, base=base) if base else ada_url.URL(request.url)
        except ValueError:
            return self._type_error(
                f"Failed to execute 'fetch' on 'Window': Failed to parse URL from {request.url}",
                "url-parses",
            )
        if parsed.username or parsed.password:
            return self._type_error(
                "Failed to execute 'fetch' on 'Window': Request cannot be constructed from a "
                f"URL that includes credentials: {request.url}",
                "url-without-credentials",
            )
        url = parsed.href  # the fragment stays: Chromium prints it in its messages
        self.url_list.append(url)

        method = request.method
        if not is_method(method):
            return self._type_error(
                f"Failed to execute 'fetch' on 'Window': '{method}' is not a valid HTTP method.",
                "method-is-token",
            )
        if is_forbidden_method(method):
            return self._type_error(
                f"Failed to execute 'fetch' on 'Window': '{method}' HTTP method is unsupported.",
                "method-not-forbidden",
            )
        method = normalize_method(method)
        self.trace.check(
            Check(
                "method-normalized",
                True,
                "request",
                f"method {request.method!r} is sent as {method!r}"
                + (
                    " (fetch() upper-cases only DELETE, GET, HEAD, OPTIONS, POST, PUT)"
                    if method != request.method.upper()
                    else ""
                ),
                value=method,
            )
        )
        if request.mode == "no-cors" and not is_cors_safelisted_method(method):
            return self._type_error(
                f"Failed to execute 'fetch' on 'Window': '{method}' is unsupported in no-cors "
                "mode.",
                "no-cors-method",
            )
        if request.body is not None and method in ("GET", "HEAD"):
            return self._type_error(
                "Failed to execute 'fetch' on 'Window': Request with GET/HEAD method cannot "
                "have body.",
                "no-body-on-get",
            )

        headers: list[Header] = []
        for name, raw_value in request.headers:
            value = raw_value.strip(_VALUE_WHITESPACE)
            if not is_header_name(name):
                return self._type_error(
                    f"Failed to execute 'fetch' on 'Window': Invalid name: {name!r}",
                    "header-name-valid",
                )
            if any(c in value for c in "\x00\r\n") or not _latin1(value):
                return self._type_error(
                    f"Failed to execute 'fetch' on 'Window': Invalid value for header {name!r}",
                    "header-value-valid",
                )
            if is_forbidden_request_header(name, value):
                self.trace.check(
                    Check(
                        "forbidden-header-dropped",
                        True,
                        "request",
                        f"{name} is a forbidden request header: fetch() drops it silently",
                        header=name,
                        value=value,
                    )
                )
                continue
            if request.mode == "no-cors":
                # The request-no-cors guard: an append whose combined value is not
                # no-CORS-safelisted is skipped (Fetch, Headers "append"); Range never passes.
                existing = _get(headers, name)
                combined = value if existing is None else f"{existing}, {value}"
                if not is_no_cors_safelisted_request_header(name, combined):
                    self.trace.check(
                        Check(
                            "no-cors-header-dropped",
                            True,
                            "request",
                            f"{name}: {value} is not allowed in no-cors mode: dropped silently",
                            header=name,
                            value=value,
                        )
                    )
                    continue
            headers = _append_header(headers, name, value)
        body = request.body
        if body is not None and _get(headers, "content-type") is None:
            headers.append(("Content-Type", "text/plain;charset=UTF-8"))
        return method, headers, body, url

    # -- main fetch, redirects included -------------------------------------------------

    def main_fetch(self, method: str, headers: list[Header], body: str | None, url: str) -> Step:
        request = self.request
        fetch = self.fetch
        include = request.credentials == "include"
        redirects = 0
        was_cors = False
        while True:
            target = origin_of_url(url)
            scheme = url.split(":", 1)[0]
            cross_origin = target != self.page
            if scheme not in _HTTP_SCHEMES:  # only the first URL: redirects check their own
                return self._non_http_fetch(url, scheme)
            if request.mode == "same-origin" and cross_origin:
                if len(self.url_list) == 1:
                    self.trace.check(
                        Check(
                            "mode-allows-url",
                            False,
                            "request",
                            "mode 'same-origin' forbids a request to another origin",
                            error=CorsError.kDisallowedByMode,
                        )
                    )
                    return self._finish(
                        "blocked",
                        error=CorsError.kDisallowedByMode,
                        console=chromium_mode_console_message(url=url, origin=self.page_serialized),
                    )
                self.trace.check(
                    Check(
                        "mode-allows-redirect",
                        False,
                        "redirect",
                        f"mode 'same-origin' was redirected to another origin ({url})",
                    )
                )
                return self._network_error(
                    "redirect to another origin in same-origin mode",
                    console=f"Unsafe attempt to load URL {url} from frame with URL "
                    f"{self.page_serialized}/. Domains, protocols and ports must match.\n",
                )
            # Blink checks the mode (FetchManager) and mixed content before the network
            # stack refuses a bad port (tests/browser/test_mixed_content.py).
            mixed = self._mixed_content(url)
            if mixed is not None:
                return mixed
            port = origin_of_url(url).effective_port
            if port in BAD_PORTS:
                self.trace.check(
                    Check("port-allowed", False, "request", f"port {port} is a blocked port")
                )
                return self._network_error("net::ERR_UNSAFE_PORT")
            # Once a request is CORS it stays CORS, even back on the page's own origin
            # (its response tainting is already "cors").
            cors_flag = request.mode == "cors" and (cross_origin or was_cors)
            was_cors = cors_flag
            lna_error = self._local_network_access(url)
            if lna_error is not None:
                return lna_error

            origin_header = "null" if self.tainted else self.page_serialized
            unsafe_sorted = cors_unsafe_request_header_names(_with_default_accept(headers))
            if cors_flag:
                self.trace.check(
                    Check(
                        "cors-applies",
                        True,
                        "request",
                        f"{url} is cross-origin to {self.page_serialized}: the CORS protocol "
                        f"applies, with Origin: {origin_header}",
                        header="Origin",
                        value=origin_header,
                    )
                )
            needs_preflight = cors_flag and (
                not is_cors_safelisted_method(method.upper()) or bool(unsafe_sorted)
            )
            if cors_flag:
                reasons = []
                if not is_cors_safelisted_method(method.upper()):
                    reasons.append(f"method {method} is not GET, HEAD or POST")
                if unsafe_sorted:
                    reasons.append("headers " + ", ".join(unsafe_sorted) + " are not safelisted")
                self.trace.check(
                    Check(
                        "preflight-needed",
                        True,
                        "request",
                        ("a preflight is needed: " + "; ".join(reasons))
                        if needs_preflight
                        else "no preflight: a simple request (safelisted method and headers)",
                        value="yes" if needs_preflight else "no",
                    )
                )
            pna_preflight = (
                fetch.network_access == "pna" and cors_flag and self._is_local_network_request(url)
            )
            if needs_preflight or pna_preflight:
                outcome = yield from self._preflight(
                    url=url,
                    method=method,
                    headers=headers,
                    origin_header=origin_header,
                    include=include,
                    pna=pna_preflight,
                )
                if outcome is not None:
                    return outcome

            # The actual request.
            tainting_basic = not cors_flag and not (
                request.mode == "no-cors" and (self.tainted or cross_origin)
            )
            with_credentials = include or (request.credentials == "same-origin" and tainting_basic)
            wire_headers = list(headers)
            if cors_flag or method not in ("GET", "HEAD"):
                wire_headers.append(("Origin", origin_header))
            wire_headers += _fetch_metadata(self.page, target, request.mode)
            response = yield HttpRequest(
                method, url, tuple(wire_headers), False, with_credentials, body
            )
            broken = _network_failure(response)
            if broken is not None:
                self.trace.check(Check("response-valid", False, "network", broken))
                return self._network_error(broken)

            if cors_flag:
                failure = self._cors_check(response, origin_header, include, preflight=False)
                if failure is not None:
                    return failure

            if response.is_redirect and request.redirect != "manual":
                if request.redirect == "error":
                    self.trace.check(
                        Check("redirect-mode", False, "redirect", "redirect mode is 'error'")
                    )
                    return self._network_error("redirect with redirect mode 'error'")
                if redirects == MAX_REDIRECTS:
                    self.trace.check(
                        Check(
                            "redirect-limit",
                            False,
                            "redirect",
                            f"more than {MAX_REDIRECTS} redirects",
                        )
                    )
                    return self._network_error("net::ERR_TOO_MANY_REDIRECTS")
                redirects += 1
                location = response.header_lines("Location")[0].strip(" \t")
                try:
                    new = ada_url.URL(location, base=url)
                except ValueError:
                    self.trace.check(
                        Check(
                            "redirect-location",
                            False,
                            "redirect",
                            f"Location {location!r} is not a valid URL",
                            header="Location",
                            value=location,
                        )
                    )
                    return self._network_error("net::ERR_INVALID_REDIRECT")
                has_credentials = bool(new.username or new.password)
                new_scheme = new.protocol[:-1]
                if (
                    new_scheme not in _HTTP_SCHEMES
                    and new_scheme not in _UNSAFE_REDIRECT_SCHEMES
                    and request.mode == "cors"
                ):
                    self.trace.check(
                        Check(
                            "redirect-scheme",
                            False,
                            "redirect",
                            f"the redirect goes to a {new_scheme}: URL; CORS requests need "
                            "http or https",
                            header="Location",
                            value=location,
                            error=CorsError.kCorsDisabledScheme,
                        )
                    )
                    self.url_list.append(new.href)
                    return self._cors_error(CorsError.kCorsDisabledScheme, _CORS_SCHEMES)
                if new_scheme not in _HTTP_SCHEMES:
                    # The network stack refuses to follow an http(s) response to data:,
                    # file: and the like before CORS is consulted: a network error.
                    self.trace.check(
                        Check(
                            "redirect-scheme",
                            False,
                            "redirect",
                            f"the redirect goes to a {new_scheme}: URL, which is never followed",
                            header="Location",
                            value=location,
                        )
                    )
                    return self._network_error("net::ERR_UNSAFE_REDIRECT")
                cors_credentials_error = has_credentials and (
                    cors_flag
                    or (
                        request.mode == "cors" and (self.tainted or origin_of_url(new) != self.page)
                    )
                )
                if has_credentials and not cors_credentials_error:
                    # Chromium 156 refuses these too, as a network error (no CorsError).
                    self.trace.check(
                        Check(
                            "redirect-without-credentials",
                            False,
                            "redirect",
                            "a no-cors redirect Location carries a user name or password",
                            header="Location",
                            value=location,
                        )
                    )
                    return self._network_error("redirect to a URL with credentials")
                new_origin = origin_of_url(new)
                if has_credentials and (
                    cors_flag
                    or (request.mode == "cors" and (self.tainted or new_origin != self.page))
                ):
                    self.trace.check(
                        Check(
                            "redirect-without-credentials",
                            False,
                            "redirect",
                            "the redirect Location carries a user name or password",
                            header="Location",
                            value=location,
                            error=CorsError.kRedirectContainsCredentials,
                        )
                    )
                    # Chromium builds this CorsErrorStatus without a failed parameter.
                    return self._cors_error(CorsError.kRedirectContainsCredentials, "")
                if target not in (new_origin, self.page):
                    self.tainted = True
                status = response.status
                if (status == 303 and method not in ("GET", "HEAD")) or (
                    status in (301, 302) and method == "POST"
                ):
                    method = "GET"
                    body = None
                    headers = [(n, v) for n, v in headers if n.lower() not in _REQUEST_BODY_HEADERS]
                if new_origin != target:
                    headers = [(n, v) for n, v in headers if n.lower() != "authorization"]
                if not new.hash and "#" in url:
                    new.hash = url.split("#", 1)[1]  # a fragment carries over (Fetch 4.4)
                if has_credentials:
                    new.username = ""
                    new.password = ""
                url = new.href
                self.trace.check(
                    Check(
                        "redirect-followed",
                        True,
                        "redirect",
                        f"{status} redirect to {url}"
                        + (" (the request origin is now 'null')" if self.tainted else ""),
                        header="Location",
                        value=location,
                    )
                )
                self.url_list.append(url)
                continue

            # The final response.
            if request.redirect == "manual" and response.is_redirect:
                return self._finish("opaque", readable=(), status=0, tainting="opaque")
            if cors_flag:
                readable = self._exposed_headers(response, include)
                return self._finish(
                    "allowed", readable=readable, status=response.status, tainting="cors"
                )
            if not tainting_basic:
                self.trace.check(
                    Check(
                        "opaque-response",
                        True,
                        "response",
                        "mode 'no-cors': the response is opaque (status 0, no headers)",
                    )
                )
                return self._finish("opaque", readable=(), status=0, tainting="opaque")
            readable = tuple(
                sorted(
                    {
                        name.lower()
                        for name, _ in response.headers
                        if not is_forbidden_response_header_name(name)
                    }
                )
            )
            return self._finish(
                "allowed", readable=readable, status=response.status, tainting="basic"
            )

    def _non_http_fetch(self, url: str, scheme: str) -> FetchResult:
        """fetch() of a URL that is not http(s): Blink decides before any network code."""
        if scheme == "data":
            # A data: URL gives a basic response whatever the mode.
            return self._finish("allowed", readable=("content-type",), status=200, tainting="basic")
        if scheme == "file":
            self.trace.check(
                Check("scheme-allowed", False, "request", "a web page may not load file: URLs")
            )
            return self._network_error(
                "file: URL", console=f"Not allowed to load local resource: {url}"
            )
        if scheme in _CHROMIUM_STANDARD_SCHEMES and url.count("/") == 2:
            url += "/"  # Chromium parses its own schemes as standard URLs, with a path
        self.trace.check(
            Check(
                "scheme-allowed",
                False,
                "request",
                f"fetch() supports only http, https and data URLs, not {scheme}:",
                error=CorsError.kCorsDisabledScheme,
            )
        )
        return self._finish(
            "blocked",
            error=CorsError.kCorsDisabledScheme,
            console=f'Fetch API cannot load {url}. URL scheme "{scheme}" is not supported.',
        )

    # -- the CORS check (Fetch §4.10; Chromium cors.cc CheckAccess) ----------------------

    def _cors_check(
        self, response: HttpResponse, origin_header: str, include: bool, *, preflight: bool
    ) -> FetchResult | None:
        stage = "preflight" if preflight else ("redirect" if response.is_redirect else "response")
        prefix = "kPreflight" if preflight else "k"
        acao = response.header("Access-Control-Allow-Origin")

        def fail(name: str, detail: str, hint: str, header: str, value: str | None) -> FetchResult:
            error = CorsError[prefix + name]
            self.trace.check(
                Check(
                    f"{header.lower()}",
                    False,
                    stage,  # type: ignore[arg-type]
                    detail,
                    header=header,
                    value=value,
                    expected=origin_header if header.endswith("Origin") else "true",
                    error=error,
                )
            )
            return self._cors_error(error, hint)

        if acao == "*":
            if include:
                return fail(
                    "WildcardOriginNotAllowed",
                    "Access-Control-Allow-Origin is '*', which is refused for a credentialed "
                    "request",
                    "",
                    "Access-Control-Allow-Origin",
                    acao,
                )
        elif acao is None:
            return fail(
                "MissingAllowOriginHeader",
                "no Access-Control-Allow-Origin header",
                "",
                "Access-Control-Allow-Origin",
                None,
            )
        elif acao != origin_header:
            if " " in acao or "," in acao:
                return fail(
                    "MultipleAllowOriginValues",
                    f"Access-Control-Allow-Origin holds several values ({acao!r})",
                    acao,
                    "Access-Control-Allow-Origin",
                    acao,
                )
            if acao != "null" and not _gurl_valid(acao):
                return fail(
                    "InvalidAllowOriginValue",
                    f"Access-Control-Allow-Origin {acao!r} is not an origin",
                    acao,
                    "Access-Control-Allow-Origin",
                    acao,
                )
            return fail(
                "AllowOriginMismatch",
                f"Access-Control-Allow-Origin {acao!r} is not {origin_header!r}",
                acao,
                "Access-Control-Allow-Origin",
                acao,
            )
        self.trace.check(
            Check(
                "access-control-allow-origin",
                True,
                stage,  # type: ignore[arg-type]
                f"Access-Control-Allow-Origin {acao!r} "
                + ("allows any origin" if acao == "*" else "matches the request origin"),
                header="Access-Control-Allow-Origin",
                value=acao,
                expected=origin_header,
            )
        )
        if include:
            acac = response.header("Access-Control-Allow-Credentials")
            if acac != "true":
                return fail(
                    "InvalidAllowCredentials",
                    "credentials mode is 'include' and Access-Control-Allow-Credentials is "
                    + ("absent" if acac is None else f"{acac!r}")
                    + ", not 'true'",
                    acac or "",
                    "Access-Control-Allow-Credentials",
                    acac,
                )
            self.trace.check(
                Check(
                    "access-control-allow-credentials",
                    True,
                    stage,  # type: ignore[arg-type]
                    "Access-Control-Allow-Credentials is 'true'",
                    header="Access-Control-Allow-Credentials",
                    value=acac,
                    expected="true",
                )
            )
        return None

    # -- the preflight (Fetch §4.9; Chromium preflight_controller.cc) --------------------

    def _preflight(
        self,
        *,
        url: str,
        method: str,
        headers: list[Header],
        origin_header: str,
        include: bool,
        pna: bool,
    ) -> Generator[HttpRequest, HttpResponse, FetchResult | None]:
        fetch = self.fetch
        unsafe_in_order = cors_unsafe_request_header_names(
            _with_default_accept(headers), sort=False
        )
        unsafe_sorted = sorted(unsafe_in_order)
        if not pna and fetch.cache.lookup(
            origin_header,
            url,
            method,
            unsafe_in_order,
            include_credentials=include,
            now=fetch.now,
        ):
            self.trace.check(
                Check(
                    "preflight-cache",
                    True,
                    "cache",
                    "a cached preflight result covers this request: no preflight is sent",
                )
            )
            return None

        preflight_headers: list[Header] = [
            ("Accept", "*/*"),
            ("Access-Control-Request-Method", method),
        ]
        if unsafe_sorted:
            # Lowercased, sorted, no space after the comma (Chromium and the spec agree).
            preflight_headers.append(("Access-Control-Request-Headers", ",".join(unsafe_sorted)))
        if pna:
            preflight_headers.append(("Access-Control-Request-Private-Network", "true"))
        preflight_headers.append(("Origin", origin_header))
        preflight_headers += _fetch_metadata(self.page, origin_of_url(url), "cors")
        preflight = HttpRequest("OPTIONS", url, tuple(preflight_headers), True, False, None)
        if self.preflight_headers is None:
            self.preflight_headers = {"access-control-request-method": method}
            if unsafe_sorted:
                self.preflight_headers["access-control-request-headers"] = ",".join(unsafe_sorted)
        response = yield preflight

        broken = _network_failure(response)
        if broken is not None:
            self.trace.check(Check("preflight-response-valid", False, "network", broken))
            return self._network_error(broken)
        if response.is_redirect:
            self.trace.check(
                Check(
                    "preflight-not-redirected",
                    False,
                    "preflight",
                    f"the preflight was answered with a {response.status} redirect",
                    header="Location",
                    value=response.header("Location"),
                    error=CorsError.kPreflightDisallowedRedirect,
                )
            )
            return self._cors_error(CorsError.kPreflightDisallowedRedirect)
        if response.status == 407:
            # Proxy authentication is handled by the network stack: a network error.
            self.trace.check(Check("preflight-proxy-auth", False, "network", "407 to a preflight"))
            return self._network_error("net::ERR_TUNNEL_CONNECTION_FAILED (407 to a preflight)")

        failure = self._cors_check(response, origin_header, include, preflight=True)
        if failure is not None:
            return failure
        if not 200 <= response.status <= 299:
            self.trace.check(
                Check(
                    "preflight-status",
                    False,
                    "preflight",
                    f"the preflight got status {response.status}; it needs 200-299",
                    value=str(response.status),
                    expected="2xx",
                    error=CorsError.kPreflightInvalidStatus,
                )
            )
            return self._cors_error(CorsError.kPreflightInvalidStatus)
        self.trace.check(
            Check(
                "preflight-status",
                True,
                "preflight",
                f"the preflight got status {response.status} (ok)",
                value=str(response.status),
                expected="2xx",
            )
        )

        acam = response.header("Access-Control-Allow-Methods")
        methods = parse_header_list(acam)
        if methods is None:
            self.trace.check(
                Check(
                    "access-control-allow-methods-parses",
                    False,
                    "preflight",
                    f"Access-Control-Allow-Methods {acam!r} is not a list of method names",
                    header="Access-Control-Allow-Methods",
                    value=acam,
                    error=CorsError.kInvalidAllowMethodsPreflightResponse,
                )
            )
            return self._cors_error(CorsError.kInvalidAllowMethodsPreflightResponse)
        acah = response.header("Access-Control-Allow-Headers")
        allowed_headers = parse_header_list(acah)
        if allowed_headers is None:
            self.trace.check(
                Check(
                    "access-control-allow-headers-parses",
                    False,
                    "preflight",
                    f"Access-Control-Allow-Headers {acah!r} is not a list of header names",
                    header="Access-Control-Allow-Headers",
                    value=acah,
                    error=CorsError.kInvalidAllowHeadersPreflightResponse,
                )
            )
            return self._cors_error(CorsError.kInvalidAllowHeadersPreflightResponse)

        if pna:
            acapn = response.header("Access-Control-Allow-Private-Network")
            space = self._resource_space(url) or "local"
            if acapn is None:
                return self._cors_error(
                    CorsError.kPreflightMissingAllowPrivateNetwork, target_space=space
                )
            if acapn != "true":
                return self._cors_error(
                    CorsError.kPreflightInvalidAllowPrivateNetwork, acapn, target_space=space
                )

        result = PreflightResult(
            methods=frozenset(methods),
            headers=frozenset(h.lower() for h in allowed_headers),
            credentials=include,
            expires=fetch.now
            + (parse_max_age(response.header("Access-Control-Max-Age"), fetch.browser) or 0.0),
        )
        if not result.allows_method(method):
            self.trace.check(
                Check(
                    "access-control-allow-methods",
                    False,
                    "preflight",
                    f"method {method} is not in Access-Control-Allow-Methods "
                    + ("(absent)" if acam is None else repr(acam))
                    + (" ('*' is literal with credentials)" if include and "*" in methods else "")
                    + (
                        f" (methods are case-sensitive: {method.upper()} would match)"
                        if method.upper() in methods and method.upper() != method
                        else ""
                    ),
                    header="Access-Control-Allow-Methods",
                    value=acam,
                    expected=method,
                    error=CorsError.kMethodDisallowedByPreflightResponse,
                )
            )
            return self._cors_error(CorsError.kMethodDisallowedByPreflightResponse, method)
        self.trace.check(
            Check(
                "access-control-allow-methods",
                True,
                "preflight",
                f"method {method} is allowed",
                header="Access-Control-Allow-Methods",
                value=acam,
                expected=method,
            )
        )
        # Chromium lets '*' cover Authorization (kCorsNonWildcardRequestHeadersSupport is
        # off), unlike the spec; its cache lookup stays strict.
        #
        strict = fetch.browser == "spec"
        missing = result.first_disallowed_header(unsafe_in_order, strict=strict)
        if missing is not None:
            # Which name the message reports when several are missing depends on the order
            # the browser checks them in, worked out only now that one is missing (replaying
            # Blink's hash map costs more than the rest of the decision).
            missing = result.first_disallowed_header(
                self._reported_header_order(headers, unsafe_in_order), strict=strict
            )
            assert missing is not None  # the same names, in another order
            self.trace.check(
                Check(
                    "access-control-allow-headers",
                    False,
                    "preflight",
                    f"request header {missing} is not in Access-Control-Allow-Headers "
                    + ("(absent)" if acah is None else repr(acah))
                    + (
                        " ('*' is literal with credentials)"
                        if include and "*" in allowed_headers
                        else ""
                    ),
                    header="Access-Control-Allow-Headers",
                    value=acah,
                    expected=missing,
                    error=CorsError.kHeaderDisallowedByPreflightResponse,
                )
            )
            return self._cors_error(CorsError.kHeaderDisallowedByPreflightResponse, missing)
        if unsafe_in_order:
            self.trace.check(
                Check(
                    "access-control-allow-headers",
                    True,
                    "preflight",
                    "request headers " + ", ".join(unsafe_sorted) + " are allowed",
                    header="Access-Control-Allow-Headers",
                    value=acah,
                    expected=",".join(unsafe_sorted),
                )
            )
        if fetch.cache.store(origin_header, url, result, now=fetch.now):
            self.trace.check(
                Check(
                    "preflight-cached",
                    True,
                    "cache",
                    f"the preflight result is cached for {result.expires - fetch.now:g} s",
                    header="Access-Control-Max-Age",
                    value=response.header("Access-Control-Max-Age"),
                )
            )
        return None

    # -- exposed headers (Fetch "main fetch" step 14; Blink's CORS filtered response) ----

    def _exposed_headers(self, response: HttpResponse, include: bool) -> tuple[str, ...]:
        aceh = response.header("Access-Control-Expose-Headers")
        exposed = parse_header_list(aceh) or []
        exposed_lower = {name.lower() for name in exposed}
        expose_all = not include and "*" in exposed
        names = set()
        for name, _ in response.headers:
            lowered = name.lower()
            if is_forbidden_response_header_name(lowered):
                continue
            if (
                expose_all
                or lowered in SAFELISTED_RESPONSE_HEADER_NAMES
                or lowered in exposed_lower
            ):
                names.add(lowered)
        self.trace.check(
            Check(
                "access-control-expose-headers",
                True,
                "response",
                "script can read: " + (", ".join(sorted(names)) or "no headers"),
                header="Access-Control-Expose-Headers",
                value=aceh,
            )
        )
        return tuple(sorted(names))

    def _reported_header_order(
        self, headers: list[Header], unsafe_in_order: list[str]
    ) -> list[str]:
        """The unsafe names in the order the browser checks them against the preflight.

        Chromium checks the order of network::ResourceRequest::headers, which Blink fills
        from its HTTPHeaderMap, a hash map: header_order replays it. cors.cc lists the unsafe
        names in that order, then (over the 1,024-byte limit) the safelisted ones, also in
        that order. Other browsers keep the descending byte order the engine used before
        (not measured).
        """
        if self.fetch.browser != "chromium":
            return sorted(unsafe_in_order, reverse=True)
        position = {
            name.lower(): index
            for index, name in enumerate(blink_header_order([name for name, _ in headers]))
        }
        in_network_order = sorted(headers, key=lambda header: position[header[0].lower()])
        # The default Accept comes after the map's entries (PopulateResourceRequest).
        return cors_unsafe_request_header_names(_with_default_accept(in_network_order), sort=False)

    # -- mixed content --------------------------------------------------------------------

    def _mixed_content(self, url: str) -> FetchResult | None:
        """Blink's mixed-content check of this hop (engine/mixed_content.py): not CORS."""
        if not self.request.check_mixed_content or not is_mixed_content(self.page, url):
            return None
        page_url = self.page_serialized + "/"
        initiator = self.request.initiator
        if self.fetch.network_access == "lna" and lifted_for_local_network_access(
            url, self.request.target_address_space
        ):
            warning = mixed_content_console_message(
                page_url, url, initiator=initiator, blocked=False
            )
            self.trace.check(
                Check(
                    "mixed-content",
                    True,
                    "request" if len(self.url_list) == 1 else "redirect",
                    f"{url} is insecure (http) on an https page, but may be a local network "
                    "request (targetAddressSpace or a local IP): let through with a warning "
                    "for Local Network Access to decide",
                    value=warning,
                )
            )
            return None
        self.trace.check(
            Check(
                "mixed-content",
                False,
                "request" if len(self.url_list) == 1 else "redirect",
                f"mixed content, not CORS: the https page {page_url} requested the insecure "
                f"URL {url}; the browser blocks it before sending anything",
                value=url,
            )
        )
        console = mixed_content_console_message(page_url, url, initiator=initiator)
        return self._network_error(MIXED_CONTENT_BLOCKED, console=console)

    # -- Local Network Access --------------------------------------------------------------

    def _resource_space(self, url: str) -> str | None:
        if self.request.resource_address_space is not None:
            return self.request.resource_address_space
        return address_space_of_host(origin_of_url(url).hostname)

    def _client_space(self) -> str | None:
        if self.request.client_address_space is not None:
            return self.request.client_address_space
        if self.page.is_opaque:
            return None
        return address_space_of_host(self.page.hostname)

    def _is_local_network_request(self, url: str) -> bool:
        resource, client = self._resource_space(url), self._client_space()
        return resource is not None and client is not None and is_more_private(resource, client)

    def _local_network_access(self, url: str) -> FetchResult | None:
        request = self.request
        resource = self._resource_space(url)
        target = target_address_space(request.target_address_space)
        if target is not None and resource is not None and target != resource:
            self.trace.check(
                Check(
                    "target-address-space",
                    False,
                    "request",
                    f"targetAddressSpace is {target!r} but the server is in {resource!r}",
                    error=CorsError.kInvalidLocalNetworkAccess,
                )
            )
            return self._cors_error(
                CorsError.kInvalidLocalNetworkAccess, target_space=target, resource_space=resource
            )
        client = self._client_space()
        if (
            self.fetch.network_access != "lna"
            or resource is None
            or client is None
            or not is_local_network_request(resource, client)
        ):
            return None
        secure = request.page_is_secure_context
        if secure is None:
            secure = self.page.is_potentially_trustworthy
        if not secure:
            self.trace.check(
                Check(
                    "local-network-secure-context",
                    False,
                    "request",
                    f"a non-secure page may not reach the more private {resource!r} space",
                    error=CorsError.kInsecureLocalNetwork,
                )
            )
            return self._cors_error(CorsError.kInsecureLocalNetwork, resource_space=resource)
        if request.local_network_permission != "granted":
            self.trace.check(
                Check(
                    "local-network-permission",
                    False,
                    "request",
                    f"the Local Network Access permission is {request.local_network_permission}",
                    error=CorsError.kLocalNetworkAccessPermissionDenied,
                )
            )
            return self._cors_error(
                CorsError.kLocalNetworkAccessPermissionDenied, resource_space=resource
            )
        self.trace.check(
            Check(
                "local-network-permission",
                True,
                "request",
                f"Local Network Access to the {resource!r} space is granted",
            )
        )
        return None


# The registered CORS-enabled schemes, sorted and joined as Chromium 156 prints them.
_CORS_SCHEMES = (
    "chrome, chrome-experimental-site-token-provider, chrome-extension, chrome-untrusted, "
    "data, http, https, isolated-app"
)
_CHROMIUM_STANDARD_SCHEMES = frozenset(
    {"chrome", "chrome-extension", "chrome-untrusted", "devtools", "isolated-app"}
)
# Redirect targets the network stack never follows (net::ERR_UNSAFE_REDIRECT).
_UNSAFE_REDIRECT_SCHEMES = frozenset({"data", "file", "filesystem", "blob", "about", "javascript"})
# Fetch "bad port" (Chromium's restricted ports): requests fail with net::ERR_UNSAFE_PORT.
BAD_PORTS = frozenset(
    {
        0,
        1,
        7,
        9,
        11,
        13,
        15,
        17,
        19,
        20,
        21,
        22,
        23,
        25,
        37,
        42,
        43,
        53,
        69,
        77,
        79,
        87,
        95,
        101,
        102,
        103,
        104,
        109,
        110,
        111,
        113,
        115,
        117,
        119,
        123,
        135,
        137,
        139,
        143,
        161,
        179,
        389,
        427,
        465,
        512,
        513,
        514,
        515,
        526,
        530,
        531,
        532,
        540,
        548,
        554,
        556,
        563,
        587,
        601,
        636,
        989,
        990,
        993,
        995,
        1719,
        1720,
        1723,
        2049,
        3659,
        4045,
        4190,
        5060,
        5061,
        6000,
        6566,
        6665,
        6666,
        6667,
        6668,
        6669,
        6679,
        6697,
        10080,
    }
)


def _validate(request: FetchRequest) -> None:
    if request.mode not in MODES:
        raise EngineInputError(
            f"mode {request.mode!r} is not one of {', '.join(MODES)}: use 'cors' (the default)"
        )
    if request.credentials not in CREDENTIALS:
        raise EngineInputError(
            f"credentials {request.credentials!r} is not one of {', '.join(CREDENTIALS)}"
        )
    if request.redirect not in REDIRECT_MODES:
        raise EngineInputError(
            f"redirect {request.redirect!r} is not one of {', '.join(REDIRECT_MODES)}"
        )
    try:
        parse_origin(request.page_origin)
    except OriginError as error:
        raise EngineInputError(f"page origin: {error}") from None


def _latin1(value: str) -> bool:
    return all(ord(c) < 256 for c in value)


def _get(headers: list[Header], name: str) -> str | None:
    lowered = name.lower()
    for key, value in headers:
        if key.lower() == lowered:
            return value
    return None


def _set(headers: list[Header], name: str, value: str) -> list[Header]:
    lowered = name.lower()
    return [(k, value) if k.lower() == lowered else (k, v) for k, v in headers]


def _append_header(headers: list[Header], name: str, value: str) -> list[Header]:
    """Blink combines a repeated name into one ``a, b`` value at the first position."""
    existing = _get(headers, name)
    if existing is None:
        return [*headers, (name, value)]
    return _set(headers, name, f"{existing}, {value}")


_DEFAULT_ACCEPT: Header = ("Accept", "*/*")


def _with_default_accept(headers: list[Header]) -> list[Header]:
    """The header list with the ``Accept: */*`` fetch() adds when the page set none.

    Fetch §4.1 "fetch" appends it before the CORS-preflight decision, and Chromium's
    PopulateResourceRequest does too: its 3 bytes count toward the 1,024-byte limit of
    safelisted values, and over the limit ``accept`` is listed with the other safelisted
    names (tests/scenarios/request_headers.json: limit-total-default-accept-*).
    """
    if any(name.lower() == "accept" for name, _ in headers):
        return headers
    return [*headers, _DEFAULT_ACCEPT]


def _gurl_valid(value: str) -> bool:
    """Whether Chromium's GURL accepts the value (a scheme and, for http(s), a host)."""
    try:
        ada_url.URL(value)
    except ValueError:
        return False
    return True


def _network_failure(response: HttpResponse) -> str | None:
    if response.network_error is not None:
        return response.network_error
    if len(set(response.header_lines("Location"))) > 1:
        return "net::ERR_RESPONSE_HEADERS_MULTIPLE_LOCATION"
    for name, value in response.headers:
        if "\x00" in value or "\x00" in name:
            return f"net::ERR_INVALID_HTTP_RESPONSE (NUL byte in the {name} header)"
    return None


def _fetch_metadata(page: Origin, target: Origin, mode: str) -> list[Header]:
    if page == target:
        site = "same-origin"
    elif same_site(page, target):
        site = "same-site"
    else:
        site = "cross-site"
    return [("Sec-Fetch-Mode", mode), ("Sec-Fetch-Site", site), ("Sec-Fetch-Dest", "empty")]


def run(
    request: FetchRequest,
    respond: Callable[[HttpRequest], HttpResponse],
    *,
    browser: str = "chromium",
    cache: PreflightCache | None = None,
    now: float = 0.0,
    network_access: str = "lna",
) -> FetchResult:
    """Run a fetch to the end, asking ``respond`` for each response the server gives."""
    fetch = Fetch(request, browser=browser, cache=cache, now=now, network_access=network_access)
    while (outgoing := fetch.next_request()) is not None:
        fetch.receive(respond(outgoing))
    return fetch.result
