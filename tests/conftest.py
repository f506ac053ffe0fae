"""Shared test configuration: where the shared reference material lives."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SHARED_EXAMPLES = SHARED / "scenarios" / "examples.json"
OWN_SCENARIOS = ROOT / "tests" / "scenarios"


def load_shared_examples() -> list[dict[str, Any]]:
    if not SHARED_EXAMPLES.exists():
        return []
    return list(json.loads(SHARED_EXAMPLES.read_text(encoding="utf-8")))


def load_own_scenarios() -> list[dict[str, Any]]:
    scenarios: list[dict[str, Any]] = []
    for path in sorted(OWN_SCENARIOS.glob("*.json")):
        scenarios.extend(json.loads(path.read_text(encoding="utf-8")))
    return scenarios


@pytest.fixture(scope="session")
def shared_examples() -> list[dict[str, Any]]:
    examples = load_shared_examples()
    if not examples:
        pytest.skip(f"shared examples not found at {SHARED_EXAMPLES}")
    return examples
