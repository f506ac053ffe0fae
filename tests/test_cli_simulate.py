"""``crossorigin simulate``: the stable JSON contract, and clear errors on bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from crossorigin.cli import main
from crossorigin.scenario import RESULT_KEYS

SCENARIO: dict[str, Any] = {
    "name": "put-json",
    "page_origin": "http://app.test:8001",
    "request": {
        "url": "http://api.test:8002/resource",
        "method": "PUT",
        "headers": [["Content-Type", "application/json"]],
    },
    "server": {"preflight": {"status": 204, "headers": [["Access-Control-Allow-Origin", "*"]]}},
}


def test_simulate_file_prints_one_result_per_scenario(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "s.json"
    path.write_text(
        json.dumps([SCENARIO, {**SCENARIO, "request": {"url": SCENARIO["request"]["url"]}}])
    )
    assert main(["simulate", str(path)]) == 0
    results = json.loads(capsys.readouterr().out)
    assert [tuple(r) for r in results] == [RESULT_KEYS, RESULT_KEYS]
    assert results[0]["error"] == "kMethodDisallowedByPreflightResponse"
    assert results[0]["preflight_request_headers"] == {
        "access-control-request-method": "PUT",
        "access-control-request-headers": "content-type",
    }
    assert results[1]["error"] == "kMissingAllowOriginHeader"


def test_simulate_reads_stdin_through_the_console_script() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "crossorigin", "simulate", "-"],
        input=json.dumps(SCENARIO),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)[0]["outcome"] == "blocked"


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ("{not json", "not valid JSON (line 1, column 2"),
        ("[1]", "expected a scenario object or a list of them"),
        (json.dumps({**SCENARIO, "page_origin": "http://app.test/"}), "remove the trailing '/'"),
        (json.dumps({**SCENARIO, "request": {"url": 5}}), "request.url: expected a string, got 5"),
        (
            json.dumps({**SCENARIO, "request": {**SCENARIO["request"], "mode": "navigate"}}),
            "request.mode: expected one of cors, no-cors, same-origin, got 'navigate'",
        ),
        (
            json.dumps({**SCENARIO, "request": {**SCENARIO["request"], "headers": [["A"]]}}),
            'request.headers[0]: expected a ["Name", "value"] pair of strings',
        ),
        (
            json.dumps({**SCENARIO, "server": {"response": {"status": "ok"}}}),
            'server.response.status: expected an HTTP status 100-999, got "ok"',
        ),
    ],
)
def test_bad_scenarios_give_one_clear_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], document: str, message: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(document)
    assert main(["simulate", str(path)]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_missing_file_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", "/nonexistent/s.json"]) == 2
    assert "cannot read '/nonexistent/s.json'" in capsys.readouterr().err
