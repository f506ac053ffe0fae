"""Vary: which request headers a CORS answer depends on, merged without losing the app's own.

RFC 9110 §12.5.5: Vary is a list; several lines are one list. Caches key stored responses on
the listed request headers, so a response whose CORS headers depend on Origin must list
Origin - including responses to requests *without* Origin and to denied origins, or a cache
serves an allowed origin the copy without Access-Control-Allow-Origin (Starlette #95,
gorilla/handlers#248). The middleware appends and never overwrites (Litestar, Hono and h3
overwrote the application's Vary).
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["VARY_ACTUAL", "VARY_PREFLIGHT", "merge_vary", "merge_vary_bytes"]

VARY_ACTUAL = "Origin"
# Preflight answers are built whole by the middleware; Starlette sends exactly this list, and a
# cache that stores OPTIONS responses (RFC 9110 says they are not cacheable, some are) needs it.
VARY_PREFLIGHT = (
    "Origin, Access-Control-Request-Method, Access-Control-Request-Headers, "
    "Access-Control-Request-Private-Network"
)


def _has_token(values: Iterable[str], token: str) -> bool:
    wanted = token.lower()
    for value in values:
        for element in value.split(","):
            item = element.strip(" \t").lower()
            if item in (wanted, "*"):
                return True
    return False


def merge_vary(existing: Iterable[str], token: str = VARY_ACTUAL) -> str:
    """One Vary value: the existing lines joined by ", ", plus ``token`` unless already listed.

    ``existing`` holds the response's Vary lines (possibly none). Tokens compare
    case-insensitively; ``*`` already varies on everything, so nothing is added to it.
    """
    lines = [line.strip(" \t") for line in existing]
    lines = [line for line in lines if line]
    if _has_token(lines, token):
        return ", ".join(lines)
    lines.append(token)
    return ", ".join(lines)


def merge_vary_bytes(existing: list[bytes], token: bytes = b"Origin") -> bytes:
    """:func:`merge_vary` over raw header bytes (ASGI)."""
    return merge_vary([v.decode("latin-1") for v in existing], token.decode("latin-1")).encode(
        "latin-1"
    )
