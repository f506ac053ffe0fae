"""The order in which Chromium's network service sees a fetch()'s request headers.

When several request headers are missing from a preflight's ``Access-Control-Allow-Headers``,
Chromium's console names the first one in ``network::ResourceRequest::headers`` order
(``CorsUnsafeNotForbiddenRequestHeaderNames`` in services/network/public/cpp/cors/cors.cc walks
that vector). That vector is filled by iterating Blink's ``HTTPHeaderMap``
(``PopulateResourceRequest`` in third_party/blink/renderer/platform/loader/fetch/url_loader/
request_conversion.cc), and that map is a WTF ``HashMap`` keyed with ``CaseFoldingHashTraits``
(third_party/blink/renderer/platform/network/http_header_map.h): its iteration order is the
order of its buckets, so it depends on the names' hashes, the table size and collisions.

This module replays that map exactly:

1. ``fetch()`` keeps the page's headers in a ``FetchHeaderList``, a ``std::multimap`` ordered by
   ``CodeUnitCompareIgnoringASCIICaseLessThan`` (third_party/blink/renderer/core/fetch/
   fetch_header_list.h); a repeated name keeps the first spelling. The fetch code copies that
   sorted list into the map, one insert per name.
2. ``FrameFetchContext::PrepareRequest`` (third_party/blink/renderer/core/loader/
   frame_fetch_context.cc) then sets ``User-Agent``, so it takes a bucket too.
3. The hash is ``CaseFoldingHash`` (third_party/blink/renderer/platform/wtf/text/
   case_folding_hash.h): rapidhash (third_party/rapidhash/rapidhash.h, fixed seed and secrets,
   no per-process salt) over the case-folded name as UTF-16, masked to 24 bits
   (``StringHasher::MaskTop8Bits``, string_hasher.h).
4. The table (third_party/blink/renderer/platform/wtf/hash_table.h) starts at 8 buckets
   (``kMinimumTableSize``), doubles when keys reach half the buckets (``kMaxLoad`` = 2), probes
   ``i = (i + k) & mask`` for k = 1, 2, 3 ... and on a rehash reinserts in bucket order.

``Accept: */*`` is appended after the map by ``PopulateResourceRequest`` when the page set none;
the ``Cache-Control`` that the HTTP layer puts in front of the wire for conditional requests
comes after the CORS check, so neither changes the order computed here.

Checked against Chromium 156 by scripts/record_header_order.py: every order matched on 3,000
random header sets (1-20 names over every tchar, any case and call order, with and without a
body); 200 of them are recorded in tests/engine/blink_header_orders.json.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["blink_header_order", "case_folding_hash"]

_MASK64 = (1 << 64) - 1
# third_party/rapidhash/rapidhash.h: RAPID_SEED and rapid_secret (the upstream defaults).
_SEED = 0xBDD89AA982704029
_SECRET = (0x2D358DCCAA6C78A5, 0x8BB84B93962EACC9, 0x4B33A62ED433D4A3)
# StringHasher keeps 24 bits (the top 8 are StringImpl flags) and never returns 0.
_HASH_BITS = (1 << 24) - 1
_ZERO_HASH = 0x80000000 >> 8
# hash_traits.h kMinimumTableSize; hash_table.h kMaxLoad.
_MINIMUM_TABLE_SIZE = 8
_MAX_LOAD = 2
# Header names are tokens: ASCII only, so Latin-1 case folding is ASCII lowercasing.
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
# Set by FrameFetchContext::PrepareRequest after the page's headers are in the map.
_USER_AGENT = "user-agent"


def _mix(a: int, b: int) -> int:
    """rapid_mix: the 128-bit product's halves xored."""
    product = a * b
    return (product & _MASK64) ^ (product >> 64)


def _mul128(a: int, b: int) -> tuple[int, int]:
    product = a * b
    return product & _MASK64, product >> 64


def _read32(data: bytes, at: int) -> int:
    return int.from_bytes(data[at : at + 4], "little")


def _read64(data: bytes, at: int) -> int:
    return int.from_bytes(data[at : at + 8], "little")


def _rapidhash(data: bytes, small: int) -> int:
    """rapidhash_internal over ``data``; ``small`` is the reader's ReadSmall for 1-3 bytes."""
    length = len(data)
    seed = _SEED ^ _mix(_SEED ^ _SECRET[0], _SECRET[1]) ^ length
    if length <= 16:
        if length >= 4:
            last = length - 4
            a = (_read32(data, 0) << 32) | _read32(data, last)
            delta = (length & 24) >> (length >> 3)
            b = (_read32(data, delta) << 32) | _read32(data, last - delta)
        elif length > 0:
            a, b = small, 0
        else:
            a = b = 0
    else:
        at, left = 0, length
        if left > 48:
            see1 = see2 = seed
            while True:
                seed = _mix(_read64(data, at) ^ _SECRET[0], _read64(data, at + 8) ^ seed)
                see1 = _mix(_read64(data, at + 16) ^ _SECRET[1], _read64(data, at + 24) ^ see1)
                see2 = _mix(_read64(data, at + 32) ^ _SECRET[2], _read64(data, at + 40) ^ see2)
                at, left = at + 48, left - 48
                if left < 48:
                    break
            seed ^= see1 ^ see2
        if left > 16:
            seed = _mix(_read64(data, at) ^ _SECRET[2], _read64(data, at + 8) ^ seed ^ _SECRET[1])
            if left > 32:
                seed = _mix(_read64(data, at + 16) ^ _SECRET[2], _read64(data, at + 24) ^ seed)
        a = _read64(data, at + left - 16)
        b = _read64(data, at + left - 8)
    a, b = _mul128(a ^ _SECRET[1], b ^ seed)
    return _mix(a ^ _SECRET[0] ^ length, b ^ _SECRET[1])


def case_folding_hash(name: str) -> int:
    """WTF ``CaseFoldingHash::GetHash`` of an ASCII header name (24 bits, never 0).

    ``CaseFoldingHashReader`` widens every folded character to UTF-16, so the hash runs over
    2 bytes a character; for a one-character name its ReadSmall yields the folded code unit
    itself (not rapidhash's usual three-byte spread).
    """
    folded = name.translate(_ASCII_LOWER)
    data = folded.encode("utf-16-le")
    small = ord(folded[0]) if len(folded) == 1 else 0
    return (_rapidhash(data, small) & _HASH_BITS) or _ZERO_HASH


class _CaseFoldingTable:
    """The bucket array of a WTF HashTable with case-insensitive string keys, no deletions."""

    def __init__(self) -> None:
        self.buckets: list[str | None] = []
        self.folded: set[str] = set()

    def _place(self, key: str) -> None:
        mask = len(self.buckets) - 1
        index = case_folding_hash(key) & mask
        probe = 0
        while self.buckets[index] is not None:
            probe += 1
            index = (index + probe) & mask
        self.buckets[index] = key

    def _rehash(self, size: int) -> None:
        # RehashTo reinserts the old buckets in bucket order.
        old = self.buckets
        self.buckets = [None] * size
        for key in old:
            if key is not None:
                self._place(key)

    def insert(self, key: str) -> None:
        folded = key.translate(_ASCII_LOWER)
        if folded in self.folded:
            return  # HashMap::insert keeps the existing key and its bucket
        if not self.buckets:
            self._rehash(_MINIMUM_TABLE_SIZE)
        self._place(key)
        self.folded.add(folded)
        if len(self.folded) * _MAX_LOAD >= len(self.buckets):  # HashTable::ShouldExpand
            self._rehash(len(self.buckets) * 2)

    def in_bucket_order(self) -> list[str]:
        return [key for key in self.buckets if key is not None]


def blink_header_order(names: Sequence[str]) -> list[str]:
    """The request's header names in the order Chromium's network service holds them.

    ``names`` is the fetch()'s header list as the page built it (the Content-Type a body adds
    included), in call order; repeated names (in any case) count once, under their first
    spelling. The result has each distinct name once, in Blink's ``HTTPHeaderMap`` bucket
    order. ``User-Agent``, which Chromium adds, shapes that order but is only listed when the
    page named it.
    """
    first_spelling: dict[str, str] = {}
    for name in names:
        first_spelling.setdefault(name.translate(_ASCII_LOWER), name)
    table = _CaseFoldingTable()
    # FetchHeaderList order: code units compared with ASCII case ignored.
    for folded in sorted(first_spelling):
        table.insert(first_spelling[folded])
    table.insert("User-Agent")
    page_named_user_agent = _USER_AGENT in first_spelling
    return [
        key
        for key in table.in_bucket_order()
        if page_named_user_agent or key.translate(_ASCII_LOWER) != _USER_AGENT
    ]
