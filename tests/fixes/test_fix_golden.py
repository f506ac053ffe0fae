"""Golden files: the exact text `crossorigin fix` prints for every stack.

They are the review copy of each fix and the only end-to-end check for the stacks that cannot
run here (Spring Boot, ASP.NET Core, Rails, Go, AWS API Gateway, the dev proxies). After an
intended change, regenerate them and review the diff:

    CROSSORIGIN_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/fixes/test_fix_golden.py
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from crossorigin.commands.fix import plain_text
from crossorigin.doctor.fixes import STACKS, Requirement, fix_for

GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("CROSSORIGIN_UPDATE_GOLDEN") == "1"

# A credentialed PUT with Authorization and JSON from two origins, reading X-Total...
CREDENTIALED = Requirement(
    origins=("https://app.example.com", "http://localhost:5173"),
    methods=("PUT", "DELETE"),
    request_headers=("Authorization", "Content-Type"),
    credentials=True,
    expose_headers=("X-Total-Count",),
    max_age=600,
    api_origin="https://api.example.com",
)
# ...and a GET with one custom header from one origin, without credentials.
SIMPLE = Requirement(origins=("https://app.example.com",), request_headers=("X-Requested-With",))


def render(stack: str) -> str:
    sections = []
    for label, requirement in (("credentialed", CREDENTIALED), ("simple", SIMPLE)):
        sections.append(f"===== {stack}: {label} =====\n{plain_text(fix_for(stack, requirement))}")
    return "\n".join(sections)


@pytest.mark.parametrize("stack", list(STACKS))
def test_output_matches_the_golden_file(stack: str) -> None:
    path = GOLDEN / f"{stack}.txt"
    text = render(stack)
    if UPDATE:
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no golden file for {stack}: run with CROSSORIGIN_UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8"), (
        f"{stack} output changed; review it and regenerate with CROSSORIGIN_UPDATE_GOLDEN=1"
    )


@pytest.mark.parametrize("stack", list(STACKS))
def test_golden_snippets_name_the_exact_origins_and_no_wildcard(stack: str) -> None:
    for requirement in (CREDENTIALED, SIMPLE):
        snippet = fix_for(stack, requirement).snippet
        for origin in requirement.origins:
            assert re.search(re.escape(origin) + r"(?![\w.:-])", snippet), origin
        if requirement.credentials:
            assert not re.search(r"""["']\*["']""", snippet)
            assert not re.search(r"(?i)allow-?origins?\W+\*", snippet)


def test_every_golden_file_belongs_to_a_stack() -> None:
    assert sorted(path.stem for path in GOLDEN.glob("*.txt")) == sorted(STACKS)
