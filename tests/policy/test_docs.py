"""docs/policy.md documents every refusal code exactly as the policy reports it."""

from __future__ import annotations

from pathlib import Path

import pytest

from crossorigin.policy import PROBLEM_CODES, Policy

DOC = Path(__file__).resolve().parents[2] / "docs" / "policy.md"


@pytest.mark.parametrize("code", sorted(PROBLEM_CODES))
def test_every_code_is_documented_with_its_message_and_fix(code: str) -> None:
    text = DOC.read_text(encoding="utf-8")
    summary, fix = PROBLEM_CODES[code]
    row = next(line for line in text.splitlines() if line.startswith(f"| `{code}` |"))
    assert summary in row
    assert fix.replace("\\", "\\\\") in row or fix in row


def test_the_documented_self_check_is_what_check_prints() -> None:
    pytest.importorskip("crossorigin.engine")
    policy = Policy(
        allow_origins=["https://app.example.com"],
        allow_methods=["GET", "POST"],
        allow_headers=["X-Token"],
        allow_credentials=True,
    )
    result = policy.check("https://app.example.com", "PUT", ["Authorization"], credentials=True)
    assert str(result) in DOC.read_text(encoding="utf-8")
