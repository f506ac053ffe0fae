"""String and list literals for the languages the fixes are written in.

Values reach here already validated (:mod:`crossorigin.doctor.fixes.requirement`): origins are
serialized origins and names are plain tokens, so double quotes never need escaping. JSON
encoding is still used wherever the target language accepts it, as a second line of defence.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

__all__ = ["quoted", "quoted_list", "regex_escape", "shell_quote"]


def quoted(value: str) -> str:
    """A double-quoted string literal (valid JavaScript, TypeScript, Python, Java, C#, Go, Ruby,
    nginx, Caddyfile and Apache)."""
    return json.dumps(value)


def quoted_list(values: Sequence[str], *, open_: str = "[", close: str = "]") -> str:
    """``["a", "b"]`` (or with other brackets: ``{`` ``}`` for Go, ``(`` ``)`` for Java calls)."""
    return open_ + ", ".join(quoted(value) for value in values) + close


def regex_escape(value: str) -> str:
    """Escape a literal for a POSIX/PCRE regex, so '.' in a host matches only a dot."""
    return re.sub(r"([.^$*+?()\[\]{}|\\/])", r"\\\1", value)


def shell_quote(value: str) -> str:
    """Single-quote for a POSIX shell."""
    return "'" + value.replace("'", "'\"'\"'") + "'"
