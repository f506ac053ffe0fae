"""The router's last resorts: a bug is one line and status 3, a closed pipe is quiet."""

from __future__ import annotations

import argparse
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from crossorigin import cli
from crossorigin.commands import simulate


def _raise(error: BaseException) -> object:
    def run(args: argparse.Namespace) -> int:
        raise error

    return run


def test_an_unexpected_exception_is_one_line_and_never_a_verdict_status(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("CROSSORIGIN_TRACEBACK", raising=False)
    monkeypatch.setattr(simulate, "run", _raise(ValueError("boom")))
    status = cli.main(["simulate", "-"])
    err = capsys.readouterr().err
    assert status == cli.EXIT_INTERNAL == 3
    assert err.count("\n") == 1
    assert "internal error (ValueError: boom)" in err
    assert "Traceback" not in err


def test_the_traceback_is_one_variable_away(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CROSSORIGIN_TRACEBACK", "1")
    monkeypatch.setattr(simulate, "run", _raise(ValueError("boom")))
    with pytest.raises(ValueError, match="boom"):
        cli.main(["simulate", "-"])


def test_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    # About 380 KB of results into a reader that stops after 100 bytes (as | head -c 100).
    scenario = (
        '{"name": "x", "page_origin": "http://app.test", "request": {"url": '
        '"http://api.test/r"}, "server": {"response": {"status": 200, "headers": '
        '[["Access-Control-Allow-Origin", "http://app.test"]]}}}'
    )
    path = tmp_path / "many.json"
    path.write_text("[" + ",".join([scenario] * 2000) + "]")
    script = (
        f"{shlex.quote(sys.executable)} -m crossorigin simulate {shlex.quote(str(path))} "
        "| head -c 100 > /dev/null; echo ${PIPESTATUS[0]}"
    )
    done = subprocess.run(
        ["bash", "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.stdout.strip() == str(cli.EXIT_BROKEN_PIPE)
    assert done.stderr == ""
