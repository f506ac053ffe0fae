"""The output of the doctor's fixes: configuration snippets with where they go and why."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from crossorigin.doctor.fixes.requirement import Requirement

__all__ = ["COMMENT_MARKERS", "Fix", "Snippet", "Stack"]

# Line-comment marker of each snippet language (the names are Pygments lexer names, so a
# terminal can highlight them).
COMMENT_MARKERS: dict[str, str] = {
    "apacheconf": "#",
    "bash": "#",
    "caddyfile": "#",
    "csharp": "//",
    "go": "//",
    "java": "//",
    "javascript": "//",
    "json": "//",  # only used to label parts; JSON snippets themselves carry no comments
    "nginx": "#",
    "python": "#",
    "ruby": "#",
    "typescript": "//",
    "yaml": "#",
}


@dataclass(frozen=True, slots=True)
class Snippet:
    """One piece of configuration: its text, its language and where it goes."""

    where: str
    language: str
    text: str
    title: str = ""


@dataclass(frozen=True, slots=True)
class Fix:
    """A stack's configuration for a :class:`Requirement`.

    ``parts`` go into different places (nginx: a ``map`` in ``http {}`` and lines in the
    ``location``); ``alternatives`` are other ways to reach the same result on that stack
    (Spring's ``@CrossOrigin``, crossorigin's own middleware). ``notes`` are what people get
    wrong when they apply it.
    """

    stack: str
    title: str
    parts: tuple[Snippet, ...]
    notes: tuple[str, ...] = ()
    alternatives: tuple[Snippet, ...] = ()

    @property
    def language(self) -> str:
        return self.parts[0].language

    @property
    def where(self) -> str:
        return "; ".join(part.where for part in self.parts)

    @property
    def snippet(self) -> str:
        """All parts as one text; with several parts each starts with a comment saying where."""
        if len(self.parts) == 1:
            return self.parts[0].text
        blocks = []
        for part in self.parts:
            marker = COMMENT_MARKERS.get(part.language, "#")
            blocks.append(f"{marker} --- {part.where} ---\n{part.text.rstrip()}")
        return "\n\n".join(blocks) + "\n"

    def as_json(self) -> dict[str, object]:
        """The stable JSON form (``crossorigin fix --json``)."""
        return {
            "stack": self.stack,
            "title": self.title,
            "language": self.language,
            "where": self.where,
            "snippet": self.snippet,
            "notes": list(self.notes),
            "parts": [_snippet_json(part) for part in self.parts],
            "alternatives": [_snippet_json(alternative) for alternative in self.alternatives],
        }


def _snippet_json(snippet: Snippet) -> dict[str, str]:
    result = {"where": snippet.where, "language": snippet.language, "text": snippet.text}
    if snippet.title:
        result["title"] = snippet.title
    return result


@dataclass(frozen=True, slots=True)
class Stack:
    """A backend stack or dev proxy the doctor knows how to configure.

    ``kind`` is ``framework``, ``web-server``, ``cloud`` or ``dev-proxy``.
    """

    id: str
    title: str
    kind: str
    build: Callable[[Requirement], Fix]
