"""Where the CORS scenarios live, and how they are read and written.

The shared examples (recorded from Chromium 156 by others) sit in ``../shared`` beside the
project; the project's own scenarios are ``tests/scenarios/*.json``, each a JSON list in the
format of ``shared/scenarios/FORMAT.md``, their ``expect`` blocks written by
``scripts/record_scenarios.py`` from real Chromium.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

__all__ = [
    "ROOT",
    "SCENARIO_DIR",
    "SHARED_EXAMPLES",
    "LabelledScenario",
    "dump_scenarios",
    "inputs_of",
    "load_own",
    "load_shared",
]

from tests.conftest import OWN_SCENARIOS as SCENARIO_DIR
from tests.conftest import ROOT, SHARED_EXAMPLES

_FIELD_ORDER = ("name", "source", "page_origin", "request", "server", "expect")
_WIDTH = 100


@dataclass(frozen=True)
class LabelledScenario:
    """A scenario and where it came from ("examples" or a tests/scenarios file stem)."""

    group: str
    scenario: dict[str, Any]

    @property
    def id(self) -> str:
        return f"{self.group}/{self.scenario.get('name', '?')}"


def load_shared() -> list[LabelledScenario]:
    """The shared examples, or [] when ../shared is not beside the project."""
    if not SHARED_EXAMPLES.exists():
        return []
    document = json.loads(SHARED_EXAMPLES.read_text(encoding="utf-8"))
    return [LabelledScenario("examples", s) for s in document]


def load_own() -> list[LabelledScenario]:
    labelled: list[LabelledScenario] = []
    for path in sorted(SCENARIO_DIR.glob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        labelled += [LabelledScenario(path.stem, s) for s in document]
    return labelled


def inputs_of(scenario: dict[str, Any]) -> dict[str, Any]:
    """The scenario without its recorded result."""
    return {k: v for k, v in scenario.items() if k != "expect"}


def _dump(value: Any, indent: int, used: int) -> str:
    """JSON for value, starting at column ``used``; nested lines are indented by ``indent``."""
    inline = json.dumps(value, ensure_ascii=False)
    if used + len(inline) <= _WIDTH or not isinstance(value, dict | list) or not value:
        return inline
    pad = " " * (indent + 2)
    if isinstance(value, list):
        items = [pad + _dump(item, indent + 2, len(pad)) for item in value]
    else:
        keys = [k for k in _FIELD_ORDER if k in value]
        keys += [k for k in value if k not in _FIELD_ORDER]
        items = []
        for key in keys:
            head = f"{pad}{json.dumps(key, ensure_ascii=False)}: "
            items.append(head + _dump(value[key], indent + 2, len(head)))
    opening, closing = "[]" if isinstance(value, list) else "{}"
    return opening + "\n" + ",\n".join(items) + "\n" + " " * indent + closing


def dump_scenarios(scenarios: list[dict[str, Any]]) -> str:
    """A scenario list as stable, diff-friendly JSON (short values stay on one line)."""
    return _dump(scenarios, 0, 0) + "\n"
