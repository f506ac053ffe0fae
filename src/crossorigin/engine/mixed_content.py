"""Mixed content: an https page may not fetch an http:// URL that is not potentially trustworthy.

Blink decides it before anything is sent, for the first URL and for each redirect hop
(``MixedContentChecker::ShouldBlockFetch`` in third_party/blink/renderer/core/loader/
mixed_content_checker.cc): fetch() fails with a network error ("Failed to fetch"), there is no
CorsError, DevTools reports ``blockedReason: mixed-content``, and the console has the "Mixed
Content: ..." line built here. It is not CORS, and no CORS header can fix it.

With Local Network Access on (Chromium 142+), a request that may be a local network request
(``targetAddressSpace`` ``local``/``private``/``loopback``, or an IP literal in a local or
loopback range) is let through with a warning instead, and Local Network Access decides.
Recorded in tests/browser/test_mixed_content.py.
"""

from __future__ import annotations

from crossorigin.engine.address_space import address_space_of_ip, target_address_space
from crossorigin.origin import Origin, origin_of_url

__all__ = [
    "MIXED_CONTENT_BLOCKED",
    "MIXED_CONTENT_FIX",
    "is_mixed_content",
    "lifted_for_local_network_access",
    "mixed_content_console_message",
]

# The DevTools Network.loadingFailed blockedReason, used as the engine's network_error.
MIXED_CONTENT_BLOCKED = "mixed-content"
MIXED_CONTENT_FIX = (
    "Serve the API over https and call it with an https:// URL (in development, a dev-server "
    "proxy that serves the API from the page's own origin works too). This is not CORS: no "
    "Access-Control-* header changes it."
)
# KURL::ElidedString: longer URLs keep their first 511 and last 510 characters.
_ELISION_LIMIT = 1024


def is_mixed_content(page: Origin, url: str) -> bool:
    """Whether fetching ``url`` from a page of origin ``page`` is mixed content.

    Only https pages restrict mixed content (an http://localhost page is a secure context
    but does not); a URL is mixed when it is not potentially trustworthy (127.0.0.0/8, ::1,
    localhost and *.localhost are). An opaque page is not judged: Blink would look at its
    precursor origin, which the engine does not know.
    """
    if page.is_opaque or page.scheme != "https":
        return False
    return not origin_of_url(url).is_potentially_trustworthy


def lifted_for_local_network_access(url: str, target: str | None) -> bool:
    """Whether Blink lets mixed content through for Local Network Access to decide:
    ``targetAddressSpace`` names a local or loopback space, or the URL's host is an IP
    literal in one (``IsUrlLNARequest``)."""
    if target_address_space(target) in ("local", "loopback"):
        return True
    return address_space_of_ip(origin_of_url(url).hostname) in ("local", "loopback")


def mixed_content_console_message(
    page_url: str, url: str, *, initiator: str = "fetch", blocked: bool = True
) -> str:
    """Chromium's console line (``CreateConsoleMessageAboutFetch``): an error when the
    request is blocked, a warning when it is let through."""
    kind = "XMLHttpRequest endpoint" if initiator == "XMLHttpRequest" else "resource"
    verdict = (
        "This request has been blocked; the content must be served over HTTPS."
        if blocked
        else "This content should also be served over HTTPS."
    )
    return (
        f"Mixed Content: The page at '{_elided(page_url)}' was loaded over HTTPS, but "
        f"requested an insecure {kind} '{_elided(url)}'. {verdict}"
    )


def _elided(url: str) -> str:
    if len(url) <= _ELISION_LIMIT:
        return url
    return url[: _ELISION_LIMIT // 2 - 1] + "..." + url[-(_ELISION_LIMIT // 2 - 2) :]
