"""Plain values the engine takes and gives: the page's request, and HTTP messages."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from crossorigin.headers import combine

Mode = Literal["cors", "no-cors", "same-origin"]
Credentials = Literal["omit", "same-origin", "include"]
RedirectMode = Literal["follow", "error", "manual"]
Browser = Literal["chromium", "firefox", "safari"]
Header = tuple[str, str]

MODES: tuple[Mode, ...] = ("cors", "no-cors", "same-origin")
CREDENTIALS: tuple[Credentials, ...] = ("omit", "same-origin", "include")
REDIRECT_MODES: tuple[RedirectMode, ...] = ("follow", "error", "manual")


def _header_values(headers: Sequence[Header], name: str) -> list[str]:
    lowered = name.lower()
    return [value for key, value in headers if key.lower() == lowered]


@dataclass(frozen=True, slots=True)
class FetchRequest:
    """What a page passes to ``fetch(url, init)``.

    ``method`` keeps the case given to fetch() (the engine normalizes it as Fetch does),
    ``headers`` are ``(name, value)`` pairs in call order. ``target_address_space`` is
    fetch()'s Local Network Access option; ``client_address_space`` and
    ``resource_address_space`` say where the page and the server are (``public``,
    ``local``, ``loopback``); left as None, they are derived from IP literals in the URLs
    and otherwise not checked. ``check_mixed_content`` (default True) applies Blink's
    mixed-content block (engine/mixed_content.py).
    """

    page_origin: str
    url: str
    method: str = "GET"
    headers: tuple[Header, ...] = ()
    mode: Mode = "cors"
    credentials: Credentials = "same-origin"
    body: str | None = None
    redirect: RedirectMode = "follow"
    initiator: str = "fetch"  # "fetch" or "XMLHttpRequest": only changes the console text
    target_address_space: str | None = None
    client_address_space: str | None = None
    resource_address_space: str | None = None
    page_is_secure_context: bool | None = None
    local_network_permission: Literal["granted", "denied", "prompt"] = "granted"
    # False judges CORS alone, without Blink's mixed-content block of an https page calling an
    # http:// URL (crossorigin audit: an attacker can serve its page over http too).
    check_mixed_content: bool = True


@dataclass(frozen=True, slots=True)
class HttpRequest:
    """A request as the browser puts it on the wire."""

    method: str
    url: str
    headers: tuple[Header, ...]
    is_preflight: bool = False
    with_credentials: bool = False  # cookies / HTTP auth would be attached
    body: str | None = None

    def header(self, name: str) -> str | None:
        return combine(_header_values(self.headers, name))


@dataclass(frozen=True, slots=True)
class HttpResponse:
    """A response as the server sent it: header lines in order, repeated names kept."""

    status: int
    headers: tuple[Header, ...] = ()
    body_size: int | None = None
    url: str | None = None  # where it came from, when the caller knows (HAR, prober)
    network_error: str | None = field(default=None)  # e.g. "net::ERR_INVALID_HTTP_RESPONSE"

    def header(self, name: str) -> str | None:
        """The value as a browser reads it: lines trimmed and joined with ``, ``."""
        return combine(_header_values(self.headers, name))

    def header_lines(self, name: str) -> list[str]:
        return _header_values(self.headers, name)

    @property
    def is_redirect(self) -> bool:
        """A redirect the network stack follows: 301/302/303/307/308 with a Location."""
        if self.status not in (301, 302, 303, 307, 308):
            return False
        lines = self.header_lines("Location")
        # An empty Location is no redirect: the 3xx itself is the response.
        return bool(lines) and lines[0].strip(" \t") != ""
