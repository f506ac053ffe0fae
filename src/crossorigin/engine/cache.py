"""The CORS-preflight cache, as each browser keeps it.

Chromium (``services/network/cors/preflight_cache.cc``, ``preflight_result.cc``) keeps one
result per (origin, URL, network partition); a new preflight *replaces* it, a stale or
failing lookup erases it. Max-Age defaults to 5 s, is capped at 2 h, and a negative value
means 0. A cached result made without credentials never serves a credentialed request.
Lookups are strict about ``Authorization``: a cached ``*`` does not cover it, so Chromium
preflights again (and the new preflight passes). Firefox and WebKit cap differently.

Time is an explicit ``now`` (seconds, any epoch): the cache never reads a clock.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from crossorigin.headers import is_cors_safelisted_method

DEFAULT_MAX_AGE = 5.0
MAX_AGE_CAPS = {"chromium": 7200.0, "firefox": 86400.0, "safari": 600.0}
MAX_ENTRIES = 1024  # Chromium's kMaxCacheSize
MAX_URL_LENGTH = 1024  # Chromium does not cache URLs this long or longer
_SIGNED_INTEGER = re.compile(r"[+-]?[0-9]{1,18}")


def parse_max_age(value: str | None, browser: str = "chromium") -> float | None:
    """Seconds to cache a preflight for ``Access-Control-Max-Age: value``; None: don't cache."""
    cap = MAX_AGE_CAPS.get(browser, MAX_AGE_CAPS["chromium"])
    if value is None:
        return DEFAULT_MAX_AGE
    text = value.strip(" \t")
    if browser == "firefox":
        # Gecko: any non-digit means "do not cache", and so does 0.
        if not text.isascii() or not text.isdigit() or int(text) == 0:
            return None
        return min(float(int(text)), cap)
    # Chromium and WebKit parse a signed 64-bit integer; failure means the 5 s default.
    if _SIGNED_INTEGER.fullmatch(text) is None:
        return DEFAULT_MAX_AGE
    return float(min(max(int(text), 0), cap))


@dataclass(frozen=True, slots=True)
class PreflightResult:
    """What one successful preflight allowed."""

    methods: frozenset[str]
    headers: frozenset[str]  # lowercase
    credentials: bool  # the preflight was made for a credentialed request
    expires: float

    def allows_method(self, method: str) -> bool:
        if not self.credentials and "*" in self.methods:
            return True
        return method in self.methods or is_cors_safelisted_method(method)

    def first_disallowed_header(self, unsafe_names: Sequence[str], *, strict: bool) -> str | None:
        """The first unsafe name not covered; ``strict`` keeps ``*`` off Authorization."""
        wildcard = not self.credentials and "*" in self.headers
        for name in unsafe_names:
            if name in self.headers:
                continue
            if wildcard and not (strict and name == "authorization"):
                continue
            return name
        return None


class PreflightCache:
    """Preflight results keyed by (serialized origin, URL, partition)."""

    def __init__(self, browser: str = "chromium") -> None:
        self.browser = browser
        self._entries: dict[tuple[str, str, str], PreflightResult] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def lookup(
        self,
        origin: str,
        url: str,
        method: str,
        unsafe_names: Sequence[str],
        *,
        include_credentials: bool,
        now: float,
        partition: str = "",
    ) -> bool:
        """True when a cached preflight covers the request (no new preflight is sent)."""
        key = (origin, url, partition)
        entry = self._entries.get(key)
        if entry is None:
            return False
        covered = (
            entry.expires > now
            and (entry.credentials or not include_credentials)
            and entry.allows_method(method)
            and entry.first_disallowed_header(unsafe_names, strict=True) is None
        )
        if self.browser == "firefox" and ("*" in entry.methods or "*" in entry.headers):
            # Gecko stores '*' literally: a wildcard answer never gives a cache hit.
            covered = covered and "*" not in entry.methods and "*" not in entry.headers
        if not covered:
            del self._entries[key]  # Chromium erases a stale or failing entry
        return covered

    def store(
        self,
        origin: str,
        url: str,
        result: PreflightResult,
        *,
        now: float,
        partition: str = "",
    ) -> bool:
        """Keep ``result`` (replacing any earlier one); False when it is not cacheable."""
        if len(url) >= MAX_URL_LENGTH or result.expires <= now:
            return False
        if len(self._entries) >= MAX_ENTRIES:
            # Chromium purges a handful of entries; the oldest ones are as good a choice.
            for stale in list(self._entries)[:10]:
                del self._entries[stale]
        self._entries[(origin, url, partition)] = result
        return True

    def clear(self) -> None:
        self._entries.clear()
