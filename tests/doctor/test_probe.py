"""The probe's pieces that need no server: --resolve parsing, and keeping the CLI extra out
of crossorigin's core."""

from __future__ import annotations

import subprocess
import sys

import pytest

from crossorigin.doctor.probe import ResolveError, parse_resolve


def test_parse_resolve() -> None:
    assert parse_resolve(
        ["API.test:443:127.0.0.1", "v6.test:80:[::1]", "x.test:8080:10.0.0.1,10.0.0.2"]
    ) == {
        ("api.test", 443): "127.0.0.1",
        ("v6.test", 80): "::1",
        ("x.test", 8080): "10.0.0.1",
    }


@pytest.mark.parametrize(
    "entry",
    [
        "api.test",
        "api.test:443",
        "api.test:http:127.0.0.1",
        "api.test:0:127.0.0.1",
        ":443:127.0.0.1",
    ],
)
def test_parse_resolve_rejects(entry: str) -> None:
    with pytest.raises(ResolveError, match="resolve"):
        parse_resolve([entry])


def test_core_does_not_import_the_cli_extra() -> None:
    code = (
        "import sys, crossorigin, crossorigin.engine, crossorigin.errors, crossorigin.cli;"
        "crossorigin.cli.build_parser();"
        "import crossorigin.doctor.fixes, crossorigin.doctor.stacks, crossorigin.doctor.explain;"
        "bad = sorted(m for m in ('httpx', 'httpcore', 'rich') if m in sys.modules);"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
