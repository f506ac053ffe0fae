"""``crossorigin fix``: output forms, the stack list, and one-line errors with exit status 2."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from crossorigin.cli import main
from crossorigin.doctor.fixes import STACKS, Requirement, fix_for

BASE = ["fix", "--stack", "nginx", "--origin", "https://app.example.com"]


def test_plain_output_is_the_snippet_with_notes_as_comments(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status = main([*BASE, "--methods", "PUT", "--headers", "Authorization", "--credentials"])
    out = capsys.readouterr().out
    assert status == 0
    fix = fix_for(
        "nginx",
        Requirement(
            origins=("https://app.example.com",),
            methods=("PUT",),
            request_headers=("Authorization",),
            credentials=True,
        ),
    )
    assert fix.snippet.rstrip() in out
    assert "\x1b[" not in out  # no colour when not a terminal
    for note in fix.notes:
        assert f"# - {note}" in out


def test_json_output(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(
        [
            "fix",
            "--stack",
            "express",
            "--origin",
            "https://app.example.com",
            "--origin",
            "https://admin.example.com",
            "--methods",
            "PUT,DELETE",
            "--headers",
            "Authorization",
            "--headers",
            "Content-Type",
            "--expose",
            "X-Total",
            "--max-age",
            "600",
            "--credentials",
            "--json",
        ]
    )
    data = json.loads(capsys.readouterr().out)
    assert status == 0
    assert {"stack", "title", "snippet", "notes"} <= set(data)
    assert data["stack"] == "express"
    assert '["https://app.example.com", "https://admin.example.com"]' in data["snippet"]
    assert 'methods: ["PUT", "DELETE"]' in data["snippet"]
    assert 'allowedHeaders: ["Authorization", "Content-Type"]' in data["snippet"]
    assert "maxAge: 600" in data["snippet"]
    assert all(isinstance(note, str) for note in data["notes"])


def test_terminal_output_is_highlighted_and_never_cuts_a_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "40")  # narrower than most snippet lines
    monkeypatch.delenv("NO_COLOR", raising=False)
    status = main([*BASE, "--methods", "PUT", "--credentials"])
    out = capsys.readouterr().out
    assert status == 0
    assert "\x1b[" in out
    plain = re.sub(r"\x1b\[[0-9;]*m", "", out)
    requirement = Requirement(
        origins=("https://app.example.com",), methods=("PUT",), credentials=True
    )
    for part in fix_for("nginx", requirement).parts:
        for line in part.text.splitlines():
            assert line in plain, line


def test_stack_list(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fix", "--stack", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == list(STACKS)
    assert main(["fix", "--stack", "list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [row["stack"] for row in rows] == list(STACKS)


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["fix", "--origin", "https://a.example"], "--stack is required"),
        (["fix", "--stack", "expres", "--origin", "https://a.example"], "did you mean 'express'"),
        (["fix", "--stack", "nginx"], "--origin is required"),
        ([*BASE[:-1], "https://app.example.com/"], "remove the trailing '/'"),
        ([*BASE[:-1], "*"], "wildcard"),
        ([*BASE, "--methods", "PU T"], "'PU T' is not a valid HTTP token"),
        ([*BASE, "--methods", "CONNECT"], "forbidden"),
        ([*BASE, "--headers", "X Token"], "'X Token' is not a valid HTTP token"),
        ([*BASE, "--headers", "Cookie"], "--credentials"),
        ([*BASE, "--expose", "Set-Cookie"], "never readable"),
        ([*BASE, "--max-age", "ten"], "--max-age 'ten' is not a number"),
        ([*BASE, "--max-age", "-5"], "out of range"),
        ([*BASE, "--api-origin", "localhost:8000"], "write it as 'https://localhost:8000'"),
    ],
)
def test_bad_values_give_one_line_and_status_2(
    argv: list[str], fragment: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert captured.err.startswith("crossorigin: ")
    assert fragment in captured.err


def test_the_installed_command_prints_no_traceback() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "crossorigin", "fix", "--stack", "caddy", "--origin", "nope"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("crossorigin: origin 'nope'")
