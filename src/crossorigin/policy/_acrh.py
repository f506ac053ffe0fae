"""Access-Control-Request-Headers: checked in one bounded, linear pass.

The header is attacker-controlled and arrives on any number of lines. rs/cors spent 127 ms and
121 MB on a value made of commas (GHSA-mh55-gqvf-xfwm), go-chi/cors 5 ms per MiB, flask-cors
22 ms per 8,000 commas. Here the total length is compared with a cap derived from the
configuration *before* anything is split, so hostile input costs O(1) beyond the length sum:

- with a list of allowed names, a value longer than every allowed name written out with
  separators cannot be a list of allowed names (browsers send each name once, lowercase,
  sorted, joined by ','), so it is refused unread; otherwise one split, one strip and one set
  lookup per element;
- with ``*`` or header patterns, the value is echoed, so it must be shaped like a list of
  tokens: one C-level character-class match over at most ``WILDCARD_CAP`` bytes; patterns then
  cost one regex match per name, for at most ``PATTERN_NAMES_CAP`` names.

Works on ``str`` and on ``bytes`` alike (the ASGI adapter never decodes).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import AnyStr

__all__ = ["LIST_SHAPE_BYTES", "LIST_SHAPE_STR", "WILDCARD_CAP", "explicit_cap", "total_length"]

# Longest Access-Control-Request-Headers value accepted with allow_headers=["*"]: room for
# about 200 custom header names; Chromium sends no more than a page sets.
WILDCARD_CAP = 4096
_LIST_CHARACTERS = r"[!#$%&'*+\-.^_`|~0-9A-Za-z, \t]*"
LIST_SHAPE_STR = re.compile(_LIST_CHARACTERS)
LIST_SHAPE_BYTES = re.compile(_LIST_CHARACTERS.encode())


def explicit_cap(names: Iterable[str]) -> int:
    """Longest value that can list allowed names: each once, with ', ' and some slack."""
    return sum(len(name) + 3 for name in names) + 16


def total_length(values: Sequence[AnyStr]) -> int:
    total = 0
    for value in values:
        total += len(value)
    return total
