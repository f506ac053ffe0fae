"""``crossorigin explain``: every catalogue message of every browser, mangled as copy-paste
mangles them, is read back; look-alikes that are not CORS are named."""

from __future__ import annotations

import io
import json
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest

from crossorigin.doctor.explain import explain_message, recognize
from crossorigin.errors import (
    CATALOGUE,
    CorsError,
    chromium_console_message,
    chromium_legacy_console_messages,
    encode_hint,
    firefox_console_message,
    safari_console_messages,
)
from tests.doctor.conftest import Run

URL = "https://api.example.com/v1/orders?page=2"
ORIGIN = "https://shop.example.com"
FIRST_URL = "http://api.example.com/v1/orders?page=2"


def _hint(error: CorsError) -> str:
    """A realistic failing value for each error."""
    name = error.value.removeprefix("kPreflight").removeprefix("k")
    return {
        "MultipleAllowOriginValues": "https://shop.example.com, https://admin.example.com",
        "InvalidAllowOriginValue": "shop.example.com",
        "AllowOriginMismatch": "https://shop.example.com/",
        "InvalidAllowCredentials": "True",
        "MethodDisallowedByPreflightResponse": "PATCH",
        "HeaderDisallowedByPreflightResponse": "x-api-key",
        "InvalidAllowMethodsPreflightResponse": "GET;",
        "InvalidAllowHeadersPreflightResponse": "X-Api-Key;",
        "RedirectContainsCredentials": "https://user:pw@api.example.com/next",
        "InvalidAllowPrivateNetwork": "yes",
    }.get(name, "")


def _status(error: CorsError) -> str:
    return "301" if error is CorsError.kPreflightDisallowedRedirect else "404"


@dataclass(frozen=True)
class Message:
    error: CorsError
    browser: str
    form: str
    text: str
    # The errors whose catalogue text is the same for this browser (Firefox and Safari
    # use one text for several checks).
    shared: frozenset[CorsError]
    has_hint: bool = True  # the wording prints the failing value

    @property
    def id(self) -> str:
        return f"{self.error.value}-{self.browser}-{self.form}"


def _shared(error: CorsError, attribute: str) -> frozenset[CorsError]:
    text = getattr(CATALOGUE[error], attribute)
    return frozenset(e for e in CorsError if getattr(CATALOGUE[e], attribute) == text)


def _messages() -> Iterator[Message]:
    for error in CorsError:
        hint = _hint(error)
        spaces = {"resource_space": "loopback", "target_space": "local"}
        common = {"url": URL, "origin": ORIGIN, "hint": hint}
        only = frozenset({error})
        detail = "{hint}" in CATALOGUE[error].detail
        yield Message(
            error,
            "chromium",
            "fetch",
            chromium_console_message(error, **common, **spaces),
            only,
            detail,
        )
        yield Message(
            error,
            "chromium",
            "redirected-xhr",
            chromium_console_message(
                error, initial_url=FIRST_URL, initiator="XMLHttpRequest", **common, **spaces
            ),
            only,
            detail,
        )
        for index, text in enumerate(
            chromium_legacy_console_messages(error, status=_status(error), **common)
        ):
            yield Message(error, "chromium", f"legacy{index}", text, only, detail)
        firefox = firefox_console_message(error, url=URL, hint=hint, status=_status(error))
        if firefox is not None:
            yield Message(
                error,
                "firefox",
                "current",
                firefox,
                _shared(error, "firefox"),
                "{hint}" in (CATALOGUE[error].firefox or ""),
            )
        safari = safari_console_messages(
            error, url=URL, origin=ORIGIN, hint=hint, status=_status(error)
        )
        if safari:
            yield Message(
                error,
                "safari",
                "current",
                "\n".join(safari),
                _shared(error, "safari"),
                "{hint}" in (CATALOGUE[error].safari or ""),
            )


MESSAGES = list(_messages())


def _wrapped(text: str) -> str:
    """Hard-wrapped at 37 columns, breaking after hyphens and inside long words."""
    return "\n".join(
        "\n".join(textwrap.wrap(line, 37, break_on_hyphens=True)) for line in text.splitlines()
    )


def _curly(text: str) -> str:
    """Quotes as a word processor or chat app turns them."""
    out, opening = [], True
    for char in text:
        if char == "'":
            out.append("‘" if opening else "’")
            opening = not opening
        else:
            out.append(char)
    return "".join(out)


def _prefixed(text: str) -> str:
    return "localhost/:1 " + text.replace("\n", "\nlocalhost/:1 ")


MANGLES: dict[str, Callable[[str], str]] = {
    "as-printed": lambda text: text,
    "wrapped": _wrapped,
    "curly-quotes": _curly,
    "console-prefix": _prefixed,
    "wrapped-curly": lambda text: _wrapped(_curly(text)),
}


def test_every_error_has_messages_of_every_browser_it_has() -> None:
    errors = {(m.error, m.browser) for m in MESSAGES}
    for error, info in CATALOGUE.items():
        assert (error, "chromium") in errors
        assert ((error, "firefox") in errors) == (info.firefox is not None)
        assert ((error, "safari") in errors) == (info.safari is not None)


@pytest.mark.parametrize("message", MESSAGES, ids=[m.id for m in MESSAGES])
def test_round_trip(message: Message) -> None:
    """Built from the catalogue, mangled as copy-paste does, read back: error, URL, origin,
    failing value."""
    flat = " ".join(message.text.split())
    hint = encode_hint(_hint(message.error))
    for mangle, transform in MANGLES.items():
        text = transform(message.text)
        recognized = recognize(text)
        where = f"{mangle}: {text!r}"
        assert recognized.browser == message.browser, where
        assert recognized.complete, where
        assert message.shared <= set(recognized.candidates), where
        if len(message.shared) == 1:
            assert recognized.error is message.error, where
            assert recognized.candidates == (message.error,), where
        else:
            assert recognized.error in message.shared, where
        if URL in flat:
            assert recognized.url == URL, where
        if f"'{ORIGIN}'" in flat or f"Origin {ORIGIN} " in flat:
            assert recognized.origin == ORIGIN, where
        if message.form == "redirected-xhr" and FIRST_URL in flat:
            assert recognized.initial_url == FIRST_URL, where
        if message.has_hint and hint in flat:
            assert recognized.parameter == hint, where


@pytest.mark.parametrize("message", MESSAGES, ids=[m.id for m in MESSAGES])
def test_truncated(message: Message) -> None:
    """Cut at 85%: still read as far as it goes, never a wrong error."""
    text = message.text.split("\n")[0]
    cut = text[: int(len(text) * 0.85)]
    recognized = recognize(cut)
    assert not recognized.complete or recognized.error is not None
    assert message.error in recognized.candidates or message.shared & set(recognized.candidates)
    if recognized.error is not None and len(message.shared) == 1:
        assert recognized.error is message.error


def test_message_cut_before_the_reason_lists_the_candidates() -> None:
    recognized = recognize(
        f"Access to fetch at '{URL}' from origin '{ORIGIN}' has been blocked by CORS policy: "
    )
    assert recognized.error is None
    assert len(recognized.candidates) > 10
    assert recognized.url == URL
    assert recognized.origin == ORIGIN


def test_message_cut_inside_the_url() -> None:
    recognized = recognize("Access to fetch at 'https://api.example.com/v1/ord")
    assert recognized.url == "https://api.example.com/v1/ord"
    assert recognized.error is None


def test_reason_pasted_alone() -> None:
    recognized = recognize(
        "No 'Access-Control-Allow-Origin' header is present on the requested resource."
    )
    assert recognized.error is CorsError.kMissingAllowOriginHeader
    assert recognized.url is None
    assert recognized.form == "detail"


REAL_PASTES = [
    # Split over lines by an issue tracker, with the status a user appended.
    (
        "Access to fetch at 'https://api.backend.internal/v1/auth' from origin "
        "'https://app.frontend.com' \nhas been blocked by CORS policy: Response to preflight "
        "request doesn't pass access control check: \nNo 'Access-Control-Allow-Origin' header "
        "is present on the requested resource. (Status: 403 Forbidden)",
        CorsError.kPreflightMissingAllowOriginHeader,
        "https://api.backend.internal/v1/auth",
    ),
    # The whole console: error line, network line, the promise rejection.
    (
        "localhost/:1 Access to fetch at 'http://localhost:8000/api/items' from origin "
        "'http://localhost:5173' has been blocked by CORS policy: Request header field "
        "authorization is not allowed by Access-Control-Allow-Headers in preflight response.\n"
        "items:1  GET http://localhost:8000/api/items net::ERR_FAILED\n"
        "Uncaught (in promise) TypeError: Failed to fetch",
        CorsError.kHeaderDisallowedByPreflightResponse,
        "http://localhost:8000/api/items",
    ),
    # axios with XHR, cut by the user.
    (
        "Access to XMLHttpRequest at 'http://localhost:49146/tasks' from origin "
        "'http://localhost:5173' has been blocked by CORS policy: Response to preflight "
        "request doesn't pass access control check: No 'Access-Control-Allow-Origin' header\n"
        "AxiosError {message: 'Network Error', name: 'AxiosError', code: 'ERR_NETWORK'}",
        CorsError.kPreflightMissingAllowOriginHeader,
        "http://localhost:49146/tasks",
    ),
    # Chromium 2019-2024 with its no-cors sentence.
    (
        "Access to fetch at 'http://localhost:5000/api/auth/createuser' from origin "
        "'http://localhost:3000' has been blocked by CORS policy: No 'Access-Control-Allow-"
        "Origin' header is present on the requested resource. If an opaque response serves "
        "your needs, set the request's mode to 'no-cors' to fetch the resource with CORS "
        "disabled.",
        CorsError.kMissingAllowOriginHeader,
        "http://localhost:5000/api/auth/createuser",
    ),
    # Chromium 2017.
    (
        "XMLHttpRequest cannot load http://example.com/data. The 'Access-Control-Allow-Origin' "
        "header contains multiple values '*, *', but only one is allowed. Origin "
        "'http://localhost:8080' is therefore not allowed access.",
        CorsError.kMultipleAllowOriginValues,
        "http://example.com/data",
    ),
    # Firefox, with the console's "[Learn More]".
    (
        "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote "
        "resource at https://api.example.com/me. (Reason: expected ‘true’ in CORS header "
        "‘Access-Control-Allow-Credentials’). [Learn More]",
        CorsError.kInvalidAllowCredentials,
        "https://api.example.com/me",
    ),
    # Safari: the reason, the wrapper, the resource line.
    (
        "[Error] Preflight response is not successful. Status code: 405\n"
        "[Error] Fetch API cannot load http://localhost:8080/api/x due to access control "
        "checks.\n[Error] Failed to load resource: Preflight response is not successful. "
        "Status code: 405 (x, line 0)",
        CorsError.kPreflightInvalidStatus,
        "http://localhost:8080/api/x",
    ),
]


@pytest.mark.parametrize(("text", "error", "url"), REAL_PASTES)
def test_real_pastes(text: str, error: CorsError, url: str) -> None:
    recognized = recognize(text)
    assert recognized.error is error
    assert recognized.url == url


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("GET http://localhost:8000/api net::ERR_CONNECTION_REFUSED", "connection-refused"),
        ("Failed to load resource: net::ERR_NAME_NOT_RESOLVED", "dns"),
        ("GET https://api.test/x net::ERR_CERT_AUTHORITY_INVALID", "tls-certificate"),
        ("GET https://localhost:8000/ net::ERR_SSL_PROTOCOL_ERROR", "tls"),
        (
            "Mixed Content: The page at 'https://app.example.com/' was loaded over HTTPS, but "
            "requested an insecure resource 'http://api.example.com/x'. This request has been "
            "blocked; the content must be served over HTTPS.",
            "mixed-content",
        ),
        (
            "Refused to connect to 'https://api.example.com/x' because it violates the "
            "following Content Security Policy directive: \"connect-src 'self'\".",
            "csp",
        ),
        ("Uncaught (in promise) TypeError: Failed to fetch", "failed-to-fetch"),
        ("TypeError: NetworkError when attempting to fetch resource.", "failed-to-fetch"),
        (
            "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote "
            "resource at http://localhost:8000/api. (Reason: CORS request did not succeed). "
            "Status code: (null).",
            "firefox-did-not-succeed",
        ),
        ("GET https://api.example.com/track.js net::ERR_BLOCKED_BY_CLIENT", "blocked-by-client"),
    ],
)
def test_look_alikes_are_not_cors(text: str, kind: str) -> None:
    recognized = recognize(text)
    assert recognized.error is None
    assert not recognized.candidates
    assert recognized.lookalikes[0].kind == kind
    explanation = explain_message(text)
    assert explanation.summary.startswith("Not a CORS error")
    assert explanation.fixes.fixes == ()


def test_nothing_recognized() -> None:
    recognized = recognize("Hello, world")
    assert not recognized.recognized


def test_fixes_use_the_message_values() -> None:
    text = chromium_console_message(
        CorsError.kMethodDisallowedByPreflightResponse, url=URL, origin=ORIGIN, hint="PATCH"
    )
    explanation = explain_message(text, stack="express")
    (fix,) = explanation.fixes.fixes
    assert fix.stack == "express"
    assert ORIGIN in fix.snippet
    assert "PATCH" in fix.snippet
    assert "PATCH" in explanation.cause


def test_credentials_errors_fix_with_credentials() -> None:
    text = chromium_console_message(CorsError.kWildcardOriginNotAllowed, url=URL, origin=ORIGIN)
    explanation = explain_message(text, stack="express")
    assert "credentials: true" in explanation.fixes.fixes[0].snippet


def test_firefox_message_uses_the_given_origin() -> None:
    text = firefox_console_message(CorsError.kMissingAllowOriginHeader, url=URL, status="200")
    assert text is not None
    explanation = explain_message(text, stack="django", origin="https://shop.example.com")
    assert "https://shop.example.com" in explanation.fixes.fixes[0].snippet


# -- the command ---------------------------------------------------------------------------


def test_cli_json(cli: Callable[..., Run]) -> None:
    text = chromium_console_message(
        CorsError.kHeaderDisallowedByPreflightResponse, url=URL, origin=ORIGIN, hint="x-api-key"
    )
    run = cli("explain", _wrapped(text), "--json")
    assert run.code == 0
    data = json.loads(run.out)
    assert data["error"] == "kHeaderDisallowedByPreflightResponse"
    assert data["browser"] == "chromium"
    assert data["url"] == URL
    assert data["origin"] == ORIGIN
    assert data["parameter"] == "x-api-key"
    assert "x-api-key" in data["explanation"]["cause"]
    assert {"express", "django", "nginx"} <= set(data["fixes"])


def test_cli_reads_stdin(cli: Callable[..., Run], monkeypatch: pytest.MonkeyPatch) -> None:
    text = firefox_console_message(CorsError.kMissingAllowOriginHeader, url=URL, status="404")
    monkeypatch.setattr("sys.stdin", io.StringIO(text))
    run = cli("explain", "--stack", "flask")
    assert run.code == 0
    assert "kMissingAllowOriginHeader" in run.out
    assert "Flask" in run.out


def test_cli_look_alike(cli: Callable[..., Run]) -> None:
    run = cli("explain", "GET http://localhost:8000/ net::ERR_CONNECTION_REFUSED", "--json")
    assert run.code == 0
    data = json.loads(run.out)
    assert data["error"] is None
    assert data["not_cors"][0]["kind"] == "connection-refused"
    assert data["fixes"] == {}


def test_cli_unrecognized_and_empty(cli: Callable[..., Run]) -> None:
    assert cli("explain", "the printer is on fire").code == 1
    assert cli("explain", "  ").code == 2
