"""The catalogue of Chromium's ``network::mojom::CorsError`` values.

One entry per error: Chromium's console text built exactly as Blink builds it
(``third_party/blink/renderer/platform/loader/cors/cors_error_string.cc``), the message
Firefox and Safari print for the same case, a plain-English cause and the generic fix.
Everything that explains a CORS failure (the engine's trace, ``explain``, ``check``)
reads this one table.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

__all__ = [
    "CATALOGUE",
    "PREFLIGHT_PREFIX",
    "CorsError",
    "ErrorInfo",
    "chromium_console_message",
    "chromium_legacy_console_messages",
    "chromium_mode_console_message",
    "encode_hint",
    "firefox_console_message",
    "safari_console_messages",
]


class CorsError(enum.Enum):
    """Chromium's ``network::mojom::CorsError`` (values are the names, not Chromium's numbers,
    which have been reassigned between releases)."""

    kDisallowedByMode = "kDisallowedByMode"
    kInvalidResponse = "kInvalidResponse"
    kWildcardOriginNotAllowed = "kWildcardOriginNotAllowed"
    kMissingAllowOriginHeader = "kMissingAllowOriginHeader"
    kMultipleAllowOriginValues = "kMultipleAllowOriginValues"
    kInvalidAllowOriginValue = "kInvalidAllowOriginValue"
    kAllowOriginMismatch = "kAllowOriginMismatch"
    kInvalidAllowCredentials = "kInvalidAllowCredentials"
    kCorsDisabledScheme = "kCorsDisabledScheme"
    kPreflightInvalidStatus = "kPreflightInvalidStatus"
    kPreflightDisallowedRedirect = "kPreflightDisallowedRedirect"
    kPreflightWildcardOriginNotAllowed = "kPreflightWildcardOriginNotAllowed"
    kPreflightMissingAllowOriginHeader = "kPreflightMissingAllowOriginHeader"
    kPreflightMultipleAllowOriginValues = "kPreflightMultipleAllowOriginValues"
    kPreflightInvalidAllowOriginValue = "kPreflightInvalidAllowOriginValue"
    kPreflightAllowOriginMismatch = "kPreflightAllowOriginMismatch"
    kPreflightInvalidAllowCredentials = "kPreflightInvalidAllowCredentials"
    kInvalidAllowMethodsPreflightResponse = "kInvalidAllowMethodsPreflightResponse"
    kInvalidAllowHeadersPreflightResponse = "kInvalidAllowHeadersPreflightResponse"
    kMethodDisallowedByPreflightResponse = "kMethodDisallowedByPreflightResponse"
    kHeaderDisallowedByPreflightResponse = "kHeaderDisallowedByPreflightResponse"
    kRedirectContainsCredentials = "kRedirectContainsCredentials"
    kInsecureLocalNetwork = "kInsecureLocalNetwork"
    kInvalidLocalNetworkAccess = "kInvalidLocalNetworkAccess"
    kLocalNetworkAccessPermissionDenied = "kLocalNetworkAccessPermissionDenied"
    # Private Network Access era (Chrome 104-141), kept for users of older browsers.
    kPreflightMissingAllowPrivateNetwork = "kPreflightMissingAllowPrivateNetwork"
    kPreflightInvalidAllowPrivateNetwork = "kPreflightInvalidAllowPrivateNetwork"
    kUnexpectedPrivateNetworkAccess = "kUnexpectedPrivateNetworkAccess"


PREFLIGHT_PREFIX = "Response to preflight request doesn't pass access control check: "
# Blink's kNoCorsInformation, appended to the origin-value errors for fetch().
FETCH_SUFFIX = " Have the server send the header with a valid value."
# Appended for XMLHttpRequest to the credentials errors.
XHR_CREDENTIALS_SUFFIX = (
    " The credentials mode of requests initiated by the XMLHttpRequest is controlled by the "
    "withCredentials attribute."
)


@dataclass(frozen=True, slots=True)
class ErrorInfo:
    """What is known about one CorsError.

    Templates use ``{hint}`` (Chromium's failed parameter), ``{url}``, ``{origin}``,
    ``{status}``, ``{method}``, ``{header}``, ``{resource_space}``, ``{target_space}``.
    """

    error: CorsError
    detail: str  # Chromium's text after "has been blocked by CORS policy: " (and the prefix)
    preflight: bool  # Chromium prefixes PREFLIGHT_PREFIX
    fetch_suffix: bool  # FETCH_SUFFIX follows for fetch()
    xhr_suffix: bool  # XHR_CREDENTIALS_SUFFIX follows for XMLHttpRequest
    firefox: str | None  # Firefox's "(Reason: ...)" tail, after its common head
    safari: str | None
    cause: str
    fix: str
    legacy: bool = False  # not produced by current Chromium

    @property
    def name(self) -> str:
        return self.error.value


FIREFOX_HEAD = (
    "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote "
    "resource at {url}. "
)

_ACAO_CAUSE = (
    "The server's Access-Control-Allow-Origin must be exactly the page's origin ({origin}), "
    "byte for byte"
)


def _entries() -> list[ErrorInfo]:
    wildcard = (
        "The value of the 'Access-Control-Allow-Origin' header in the response must not be "
        "the wildcard '*' when the request's credentials mode is 'include'."
    )
    missing = "No 'Access-Control-Allow-Origin' header is present on the requested resource."
    multiple = (
        "The 'Access-Control-Allow-Origin' header contains multiple values '{hint}', but only "
        "one is allowed."
    )
    invalid = "The 'Access-Control-Allow-Origin' header contains the invalid value '{hint}'."
    mismatch = (
        "The 'Access-Control-Allow-Origin' header has a value '{hint}' that is not equal to the "
        "supplied origin."
    )
    credentials = (
        "The value of the 'Access-Control-Allow-Credentials' header in the response is '{hint}' "
        "which must be 'true' when the request's credentials mode is 'include'."
    )
    ff_missing = (
        "(Reason: CORS header ‘Access-Control-Allow-Origin’ missing). Status code: {status}."
    )
    ff_multiple = "(Reason: Multiple CORS header ‘Access-Control-Allow-Origin’ not allowed)."
    ff_mismatch = "(Reason: CORS header ‘Access-Control-Allow-Origin’ does not match ‘{hint}’)."
    ff_wildcard = (
        "(Reason: Credential is not supported if the CORS header "
        "‘Access-Control-Allow-Origin’ is ‘*’)."
    )
    ff_credentials = "(Reason: expected ‘true’ in CORS header ‘Access-Control-Allow-Credentials’)."
    sf_wildcard = (
        "Cannot use wildcard in Access-Control-Allow-Origin when credentials flag is true."
    )
    sf_not_allowed = (
        "Origin {origin} is not allowed by Access-Control-Allow-Origin. Status code: {status}"
    )
    sf_multiple = "Access-Control-Allow-Origin cannot contain more than one origin."
    sf_credentials = 'Credentials flag is true, but Access-Control-Allow-Credentials is not "true".'

    def origin_family(preflight: bool) -> list[ErrorInfo]:
        p = "Preflight" if preflight else ""
        where = "the preflight (OPTIONS) response" if preflight else "the response"
        return [
            ErrorInfo(
                CorsError[f"k{p}WildcardOriginNotAllowed"],
                wildcard,
                preflight,
                False,
                True,
                ff_wildcard,
                sf_wildcard,
                f"The request carries credentials (cookies or HTTP auth: credentials: 'include' "
                f"or withCredentials), and {where} answers Access-Control-Allow-Origin: *. "
                "With credentials the wildcard is refused.",
                "Answer with the page's exact origin ({origin}) instead of '*', add "
                "Access-Control-Allow-Credentials: true, and Vary: Origin; or, if the request "
                "needs no cookies, drop credentials: 'include' on the client.",
            ),
            ErrorInfo(
                CorsError[f"k{p}MissingAllowOriginHeader"],
                missing,
                preflight,
                False,
                False,
                ff_missing,
                sf_not_allowed,
                f"{where[0].upper()}{where[1:]} has no Access-Control-Allow-Origin header, so "
                "the browser withholds it from the page. The server answered; the browser "
                "blocked the page from reading it."
                + (
                    " The preflight is usually answered by a router or proxy that does not "
                    "know about CORS (an OPTIONS route missing, auth rejecting OPTIONS)."
                    if preflight
                    else " Error responses (404, 500) produced before the CORS middleware "
                    "runs are the common culprit."
                ),
                "Have the server add Access-Control-Allow-Origin: {origin} to "
                + (
                    "the OPTIONS response for this URL."
                    if preflight
                    else "every response, error pages included, with Vary: Origin."
                ),
            ),
            ErrorInfo(
                CorsError[f"k{p}MultipleAllowOriginValues"],
                multiple,
                preflight,
                True,
                False,
                ff_multiple,
                sf_multiple,
                f"{where[0].upper()}{where[1:]} has Access-Control-Allow-Origin '{{hint}}': "
                "either the header is sent twice (two layers both add CORS headers, e.g. the "
                "app and a proxy) or it lists several origins. Exactly one origin is allowed.",
                "Set the header in one place only (app or proxy, not both) and send the single "
                "origin that made the request ({origin}), chosen from an allowlist.",
            ),
            ErrorInfo(
                CorsError[f"k{p}InvalidAllowOriginValue"],
                invalid,
                preflight,
                True,
                False,
                ff_mismatch,
                sf_not_allowed,
                f"{where[0].upper()}{where[1:]} has Access-Control-Allow-Origin '{{hint}}', which "
                "is not a URL origin at all (a bare host name, or an empty value).",
                "Send the full serialized origin, scheme included: {origin}.",
            ),
            ErrorInfo(
                CorsError[f"k{p}AllowOriginMismatch"],
                mismatch,
                preflight,
                True,
                False,
                ff_mismatch,
                sf_not_allowed,
                f"{_ACAO_CAUSE}, but {where} says '{{hint}}'. A different scheme, port, a "
                "trailing slash or a difference in case is enough to fail.",
                "Send Access-Control-Allow-Origin: {origin} (no trailing slash, exact scheme "
                "and port), computed from the request's Origin against an allowlist.",
            ),
            ErrorInfo(
                CorsError[f"k{p}InvalidAllowCredentials"],
                credentials,
                preflight,
                False,
                True,
                ff_credentials,
                sf_credentials,
                "The request carries credentials (credentials: 'include'), so "
                f"{where} must also say Access-Control-Allow-Credentials: true (exactly, "
                "lowercase); it says '{hint}'.",
                "Add Access-Control-Allow-Credentials: true to "
                + ("the preflight response" if preflight else "the response")
                + ", or drop credentials: 'include' if the request needs no cookies.",
            ),
        ]

    return [
        ErrorInfo(
            CorsError.kDisallowedByMode,
            "Cross origin requests are not allowed by request mode.",
            False,
            False,
            False,
            None,
            "Cross origin requests are not allowed when using same-origin fetch mode.",
            "The page asked for mode: 'same-origin' but the URL is on another origin; the "
            "browser sends nothing.",
            "Use mode: 'cors' (the default) for cross-origin requests, or call an URL on the "
            "page's own origin (e.g. through a reverse proxy).",
        ),
        ErrorInfo(
            CorsError.kInvalidResponse,
            "The response is invalid.",
            False,
            False,
            False,
            None,
            None,
            "The preflight failed at the network level (empty or malformed response).",
            "Make the server answer OPTIONS with a valid HTTP response.",
        ),
        *origin_family(False),
        ErrorInfo(
            CorsError.kCorsDisabledScheme,
            "Cross origin requests are only supported for protocol schemes: {hint}.",
            False,
            False,
            False,
            "(Reason: CORS request not http).",
            "Cross origin requests are only supported for HTTP.",
            "CORS only works over http and https; the URL uses another scheme (file:, "
            "chrome-extension:, ...).",
            "Serve both the page and the API over http(s), e.g. with a local dev server "
            "instead of opening the page from file://.",
        ),
        ErrorInfo(
            CorsError.kPreflightInvalidStatus,
            "It does not have HTTP ok status.",
            True,
            False,
            False,
            "(Reason: CORS preflight response did not succeed). Status code: {status}.",
            "Preflight response is not successful. Status code: {status}",
            "The browser sent a preflight (OPTIONS {url}) and the server answered with status "
            "{status}; a preflight must get a 2xx status. Routers that have no OPTIONS route "
            "(404/405) and auth layers that reject OPTIONS (401/403) cause this.",
            "Answer OPTIONS for this URL with 204 and the CORS headers before routing and "
            "authentication run (a CORS middleware placed first does this).",
        ),
        ErrorInfo(
            CorsError.kPreflightDisallowedRedirect,
            "Redirect is not allowed for a preflight request.",
            True,
            False,
            False,
            "(Reason: CORS request external redirect not allowed).",
            "Preflight response is not successful. Status code: {status}",
            "The preflight (OPTIONS) was answered with a redirect ({status}); browsers never "
            "follow redirects for preflights. Typical causes: http to https, a missing or "
            "extra trailing slash, a login redirect.",
            "Call the final URL directly (right scheme, right trailing slash) and make the "
            "server answer OPTIONS there without redirecting.",
        ),
        *origin_family(True),
        ErrorInfo(
            CorsError.kInvalidAllowMethodsPreflightResponse,
            "Cannot parse Access-Control-Allow-Methods response header field in preflight "
            "response.",
            False,
            False,
            False,
            "(Reason: invalid token ‘{hint}’ in CORS header ‘Access-Control-Allow-Methods’).",
            "Header Access-Control-Allow-Methods has an invalid value: {hint}",
            "The preflight's Access-Control-Allow-Methods is not a comma-separated list of "
            "method names ('{hint}').",
            "Send a plain list such as 'GET, POST, PUT, DELETE'.",
        ),
        ErrorInfo(
            CorsError.kInvalidAllowHeadersPreflightResponse,
            "Cannot parse Access-Control-Allow-Headers response header field in preflight "
            "response.",
            False,
            False,
            False,
            "(Reason: invalid token ‘{hint}’ in CORS header ‘Access-Control-Allow-Headers’).",
            "Header Access-Control-Allow-Headers has an invalid value: {hint}",
            "The preflight's Access-Control-Allow-Headers is not a comma-separated list of "
            "header names ('{hint}').",
            "Send a plain list such as 'Content-Type, Authorization'.",
        ),
        ErrorInfo(
            CorsError.kMethodDisallowedByPreflightResponse,
            "Method {hint} is not allowed by Access-Control-Allow-Methods in preflight response.",
            False,
            False,
            False,
            "(Reason: Did not find method in CORS header ‘Access-Control-Allow-Methods’).",
            "Method {hint} is not allowed by Access-Control-Allow-Methods.",
            "The request uses method {hint}, which is not GET, HEAD or POST, so the preflight's "
            "Access-Control-Allow-Methods must list it, and it does not. Methods are compared "
            "case-sensitively (fetch() upper-cases only DELETE, GET, HEAD, OPTIONS, POST, PUT).",
            "Add {hint} to Access-Control-Allow-Methods on the OPTIONS response.",
        ),
        ErrorInfo(
            CorsError.kHeaderDisallowedByPreflightResponse,
            "Request header field {hint} is not allowed by Access-Control-Allow-Headers in "
            "preflight response.",
            False,
            False,
            False,
            "(Reason: header ‘{hint}’ is not allowed according to header "
            "‘Access-Control-Allow-Headers’ from CORS preflight response).",
            "Request header field {hint} is not allowed by Access-Control-Allow-Headers.",
            "The request sets the header '{hint}', which is not CORS-safelisted, and the "
            "preflight's Access-Control-Allow-Headers does not list it. (With credentials, "
            "'*' is not a wildcard.)",
            "Add {hint} to Access-Control-Allow-Headers on the OPTIONS response.",
        ),
        ErrorInfo(
            CorsError.kRedirectContainsCredentials,
            "Redirect location '{hint}' contains a username and password, which is disallowed "
            "for cross-origin requests.",
            False,
            False,
            False,
            None,
            "Cross-origin redirection to {hint} denied by Cross-Origin Resource Sharing policy: "
            "redirection URL {hint} has credentials",
            "The server redirected to a URL with user:password@ in it; cross-origin requests "
            "may not follow such redirects.",
            "Redirect to a URL without credentials and authenticate with a header instead.",
        ),
        ErrorInfo(
            CorsError.kInsecureLocalNetwork,
            "The request client is not a secure context and the resource is in more-private "
            "address space `{resource_space}`.",
            False,
            False,
            False,
            None,
            None,
            "A page that is not a secure context (plain http) requested a resource in a more "
            "private network (`{resource_space}`); Chromium only lets secure pages do that.",
            "Serve the page over https (or from localhost), then grant the local network "
            "access permission when asked.",
        ),
        ErrorInfo(
            CorsError.kInvalidLocalNetworkAccess,
            "Request had a target IP address space of `{target_space}` yet the resource is in "
            "address space `{resource_space}`.",
            False,
            False,
            False,
            None,
            None,
            "The fetch() said targetAddressSpace '{target_space}', but the server resolved to "
            "the `{resource_space}` address space.",
            "Set targetAddressSpace to the address space the server is really in, or drop it.",
        ),
        ErrorInfo(
            CorsError.kLocalNetworkAccessPermissionDenied,
            "Permission was denied for this request to access the `{resource_space}` address "
            "space.",
            False,
            False,
            False,
            None,
            None,
            "A public page asked to reach the `{resource_space}` network and the user (or a "
            "policy) denied the Local Network Access permission.",
            "Ask the user to allow local network access for the site, or serve the resource "
            "from a public address.",
        ),
        ErrorInfo(
            CorsError.kPreflightMissingAllowPrivateNetwork,
            "No 'Access-Control-Allow-Private-Network' header was present in the preflight "
            "response for this private network request targeting the `{target_space}` address "
            "space.",
            True,
            False,
            False,
            None,
            None,
            "Older Chrome (Private Network Access) sent Access-Control-Request-Private-Network: "
            "true and the preflight did not answer Access-Control-Allow-Private-Network: true.",
            "Answer the preflight with Access-Control-Allow-Private-Network: true.",
            legacy=True,
        ),
        ErrorInfo(
            CorsError.kPreflightInvalidAllowPrivateNetwork,
            "The 'Access-Control-Allow-Private-Network' header in the preflight response for "
            "this private network request targeting the `{target_space}` address space had a "
            "value of '{hint}',  not 'true'.",
            True,
            False,
            False,
            None,
            None,
            "The preflight's Access-Control-Allow-Private-Network is '{hint}', not 'true'.",
            "Answer the preflight with Access-Control-Allow-Private-Network: true.",
            legacy=True,
        ),
        ErrorInfo(
            CorsError.kUnexpectedPrivateNetworkAccess,
            "Request had no target IP address space, yet the resource is in address space "
            "`{resource_space}`.",
            False,
            False,
            False,
            None,
            None,
            "The resource turned out to be in a more private network than expected.",
            "Serve the resource from the expected address space.",
            legacy=True,
        ),
    ]


CATALOGUE: Mapping[CorsError, ErrorInfo] = MappingProxyType({e.error: e for e in _entries()})


def encode_hint(hint: str) -> str:
    """Blink's EncodeHint: characters that are not printable ASCII become ``\\uXXXX``."""
    if all(" " <= c <= "~" for c in hint):
        return hint
    return "".join(c if " " <= c <= "~" else f"\\u{ord(c):04X}" for c in hint)


def chromium_detail(
    error: CorsError,
    hint: str = "",
    *,
    initiator: str = "fetch",
    resource_space: str = "",
    target_space: str = "",
) -> str:
    """The text after "has been blocked by CORS policy: ", preflight prefix included."""
    info = CATALOGUE[error]
    text = info.detail.format(
        hint=encode_hint(hint), resource_space=resource_space, target_space=target_space
    )
    if info.preflight:
        text = PREFLIGHT_PREFIX + text
    if info.fetch_suffix and initiator == "fetch":
        text += FETCH_SUFFIX
    if info.xhr_suffix and initiator == "XMLHttpRequest":
        text += XHR_CREDENTIALS_SUFFIX
    return text


def chromium_console_message(
    error: CorsError,
    *,
    url: str,
    origin: str,
    initial_url: str | None = None,
    hint: str = "",
    initiator: str = "fetch",
    resource_space: str = "",
    target_space: str = "",
) -> str:
    """The console line Chromium prints, e.g. ``Access to fetch at '…' from origin '…' has
    been blocked by CORS policy: …``.

    ``url`` is the last URL of the request, ``initial_url`` the first one (the
    ``(redirected from '…')`` part appears when they differ); ``origin`` is the initiator's
    serialized origin (``null`` for an opaque one), never the tainted request origin.
    """
    redirected = f"(redirected from '{initial_url}') " if initial_url and initial_url != url else ""
    detail = chromium_detail(
        error,
        hint,
        initiator=initiator,
        resource_space=resource_space,
        target_space=target_space,
    )
    return (
        f"Access to {initiator} at '{url}' {redirected}from origin '{origin}' has been blocked "
        f"by CORS policy: {detail}"
    )


# -- the other browsers, and older Chromium wordings (read by ``crossorigin explain``) --------

# Chromium before 2025 (cors_error_string.cc kNoCorsInformation, and the extra sentence for a
# missing Access-Control-Allow-Origin), see reference/browsers.md 1.1.
LEGACY_FETCH_SUFFIX = (
    " Have the server send the header with a valid value, or, if an opaque response serves "
    "your needs, set the request's mode to 'no-cors' to fetch the resource with CORS disabled."
)
LEGACY_NO_CORS_HINT = (
    " If an opaque response serves your needs, set the request's mode to 'no-cors' to fetch "
    "the resource with CORS disabled."
)
# Blink's WebCORS::AccessControlErrorString (Chromium 2017-2018) ended each origin error so.
LEGACY_ORIGIN_DENIED = " Origin '{origin}' is therefore not allowed access."
LEGACY_STATUS = " The response had HTTP status code {status}."
# WebKit's ThreadableLoader::logError wrapper line, after the specific description.
SAFARI_WRAPPER = "{kind} cannot load {url} due to access control checks."

_ORIGIN_FAMILY = frozenset(
    f"k{p}{name}"
    for p in ("", "Preflight")
    for name in (
        "WildcardOriginNotAllowed",
        "MissingAllowOriginHeader",
        "MultipleAllowOriginValues",
        "InvalidAllowOriginValue",
        "AllowOriginMismatch",
        "InvalidAllowCredentials",
    )
)
# Detail texts Chromium 2017-2018 used where today's differ (PreflightErrorString).
_LEGACY_DETAIL = {
    CorsError.kPreflightInvalidStatus: "Response for preflight has invalid HTTP status code "
    "{status}",
    CorsError.kPreflightDisallowedRedirect: "Response for preflight is invalid (redirect)",
}
# Errors whose detail text was the same in Chromium 2017-2018 (and is not in _LEGACY_DETAIL).
_LEGACY_SAME_DETAIL = frozenset(
    {
        CorsError.kInvalidAllowMethodsPreflightResponse,
        CorsError.kInvalidAllowHeadersPreflightResponse,
        CorsError.kMethodDisallowedByPreflightResponse,
        CorsError.kHeaderDisallowedByPreflightResponse,
        CorsError.kRedirectContainsCredentials,
        CorsError.kCorsDisabledScheme,
    }
)


def chromium_mode_console_message(*, url: str, origin: str) -> str:
    """What Chromium prints for ``kDisallowedByMode`` (Blink's own line, not the CORS one)."""
    return (
        f'Fetch API cannot load {url}. Request mode is "same-origin" but the URL\'s origin is '
        f"not same as the request origin {origin}."
    )


def chromium_legacy_console_messages(
    error: CorsError,
    *,
    url: str,
    origin: str,
    initial_url: str | None = None,
    hint: str = "",
    status: str = "",
    initiator: str = "fetch",
) -> tuple[str, ...]:
    """The wordings older Chromium printed for ``error``, newest first; each differs from
    :func:`chromium_console_message`.

    - 2019-2024: today's line with the longer fetch() suffix (``..., or, if an opaque response
      serves your needs, set the request's mode to 'no-cors' ...``);
    - 2017-2018: ``Failed to load {url}: {detail} Origin '{origin}' is therefore not allowed
      access.`` (with ``The response had HTTP status code N.`` for a missing header);
    - before 2017: ``XMLHttpRequest cannot load {url}. {detail}`` (``Fetch API`` for fetch()).
    """
    info = CATALOGUE[error]
    fetch = initiator == "fetch"
    messages: list[str] = []
    current = chromium_console_message(
        error, url=url, origin=origin, initial_url=initial_url, hint=hint, initiator=initiator
    )
    recent = current
    if info.fetch_suffix and fetch:
        recent = recent.removesuffix(FETCH_SUFFIX) + LEGACY_FETCH_SUFFIX
    if error.value.endswith("MissingAllowOriginHeader") and fetch:
        recent += LEGACY_NO_CORS_HINT
    if recent != current:
        messages.append(recent)

    detail: str | None = None
    if error.value in _ORIGIN_FAMILY:
        detail = info.detail.format(hint=hint)
        if info.preflight:
            detail = PREFLIGHT_PREFIX + detail
        detail += LEGACY_ORIGIN_DENIED.format(origin=origin)
        if error.value.endswith("MissingAllowOriginHeader"):
            if status:
                detail += LEGACY_STATUS.format(status=status)
            if fetch:
                detail += LEGACY_NO_CORS_HINT
        elif info.fetch_suffix and fetch:
            detail += LEGACY_FETCH_SUFFIX
        elif info.xhr_suffix and initiator == "XMLHttpRequest":
            detail += XHR_CREDENTIALS_SUFFIX
    elif error in _LEGACY_DETAIL:
        detail = _LEGACY_DETAIL[error].format(status=status)
    elif error in _LEGACY_SAME_DETAIL:
        detail = chromium_detail(error, hint, initiator=initiator)
    if detail is not None:
        messages.append(f"Failed to load {url}: {detail}")
        kind = "Fetch API" if fetch else initiator
        messages.append(f"{kind} cannot load {url}. {detail}")
    return tuple(messages)


def firefox_console_message(
    error: CorsError, *, url: str, hint: str = "", status: str = ""
) -> str | None:
    """Firefox's console line for ``error`` (None when Firefox has no such check).

    Firefox quotes the URL only in the credentials-with-wildcard message
    (security.properties ``CORSNotSupportingCredentials``).
    """
    reason = CATALOGUE[error].firefox
    if reason is None:
        return None
    head = FIREFOX_HEAD
    if error.value.endswith("WildcardOriginNotAllowed"):
        head = head.replace("at {url}.", "at \u2018{url}\u2019.")
    return head.format(url=url) + reason.format(hint=hint, status=status)


def safari_console_messages(
    error: CorsError,
    *,
    url: str,
    origin: str,
    hint: str = "",
    status: str = "",
    initiator: str = "fetch",
) -> tuple[str, ...]:
    """Safari's console lines for ``error``: WebKit's description, then its wrapper line
    (``Fetch API cannot load {url} due to access control checks.``); empty when WebKit has
    no such check."""
    detail = CATALOGUE[error].safari
    if detail is None:
        return ()
    kind = "Fetch API" if initiator == "fetch" else initiator
    return (
        detail.format(hint=hint, origin=origin, status=status, url=url),
        SAFARI_WRAPPER.format(kind=kind, url=url),
    )
