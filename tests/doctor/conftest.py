"""Fixtures for the doctor's tests: a loopback server and in-process CLI runs."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from crossorigin.cli import main
from tests.doctor.loopback import LoopbackServer

ORIGIN = "http://app.test:8001"


@dataclass
class Run:
    code: int
    out: str
    err: str

    @property
    def data(self) -> Any:
        return json.loads(self.out)


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    loopback = LoopbackServer()
    try:
        yield loopback
    finally:
        loopback.close()


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., Run]:
    """Run ``crossorigin ARGS...`` in process; returns exit status and output."""

    def run(*args: str) -> Run:
        code = main(list(args))
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


@pytest.fixture
def check(cli: Callable[..., Run], server: LoopbackServer) -> Callable[..., Run]:
    """``crossorigin check http://api.test:PORT{path} --origin ORIGIN --json`` with api.test
    mapped to the loopback server."""

    def run(path: str, *args: str, origin: str = ORIGIN, json_output: bool = True) -> Run:
        url = f"http://api.test:{server.port}{path}"
        argv = ["check", url, "--origin", origin, "--resolve", f"api.test:{server.port}:127.0.0.1"]
        argv += list(args)
        if json_output:
            argv.append("--json")
        return cli(*argv)

    return run
