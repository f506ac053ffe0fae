"""``crossorigin demo``: the bundled loopback API and its mistakes, diagnosed end to end."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

import pytest

from crossorigin.doctor import demo
from tests.doctor.conftest import Run

pytestmark = pytest.mark.server


def test_every_case_is_diagnosed_as_expected(cli: Callable[..., Run]) -> None:
    run = cli("demo", "--json")
    assert run.code == 0
    data = run.data
    cases = {case["name"]: case for case in data["cases"]}
    assert list(cases) == [case.name for case in demo.CASES]
    for case in demo.CASES:
        result = cases[case.name]
        assert result["error"] == case.expect, case.name
        assert result["as_expected"] is True
        check = result["check"]
        assert check["outcome"] == "blocked"
        assert check["console"].startswith("Access to fetch at")
        for exchange in check["exchanges"]:
            host = urlsplit(exchange["request"]["url"]).hostname
            assert host in (demo.API_HOST, demo.PROXY_HOST)
            assert exchange["response"] is not None


def test_each_case_gets_the_fix_of_the_stack_it_imitates(cli: Callable[..., Run]) -> None:
    cases = {case["name"]: case["check"] for case in cli("demo", "--json").data["cases"]}
    shown = {name: check["stacks"]["shown"] for name, check in cases.items()}
    assert shown == {
        "no-allow-origin": ["django"],
        "wildcard-with-credentials": ["fastapi", "starlette"],
        "authorization-not-allowed": ["flask"],
        "put-not-allowed": ["express", "nestjs"],
        "preflight-404": ["aspnet-core"],
        "error-page-without-cors": ["nginx"],
        "dev-proxy-drops-header": ["fastapi", "starlette"],
    }
    # The fix allows exactly what each request needs.
    assert "Authorization" in cases["authorization-not-allowed"]["fixes"]["flask"]
    assert "PUT" in cases["put-not-allowed"]["fixes"]["express"]
    assert "allow_credentials=True" in cases["wildcard-with-credentials"]["fixes"]["fastapi"]
    # The dev-proxy case: the page runs on Vite, the answer went through a proxy.
    proxy_case = cases["dev-proxy-drops-header"]
    assert proxy_case["dev_server"]["name"] == "Vite"
    assert "vite" in proxy_case["fixes"]
    assert any("Via: 1.1 dev-proxy" in note for note in proxy_case["explanation"]["notes"])


def test_error_page_case_shows_what_curl_gets(cli: Callable[..., Run]) -> None:
    data = cli("demo", "error-page-without-cors", "--json").data
    check = data["cases"][0]["check"]
    assert check["non_browser"]["status"] == 500
    assert check["non_browser_summary"].startswith("curl/Postman: 500 Internal Server Error")
    assert check["preflight_sent"] is True


def test_the_proxy_really_drops_the_header() -> None:
    """The API answers the dev origin correctly; only the proxy's answer lacks the header."""
    import httpx

    with demo.running() as servers:
        headers = {"Origin": demo.DEV_PAGE_ORIGIN}
        direct = httpx.get(f"http://127.0.0.1:{servers.api_port}/v1/catalog", headers=headers)
        proxied = httpx.get(f"http://127.0.0.1:{servers.proxy_port}/api/catalog", headers=headers)
    assert direct.headers["access-control-allow-origin"] == demo.DEV_PAGE_ORIGIN
    assert "access-control-allow-origin" not in proxied.headers
    assert proxied.json() == direct.json()


def test_terminal_demo(cli: Callable[..., Run]) -> None:
    run = cli("demo", "1", "put-not-allowed")
    assert run.code == 0
    assert "Case 1/2: No Access-Control-Allow-Origin" in run.out
    assert "Case 2/2: PUT missing from Access-Control-Allow-Methods" in run.out
    assert run.out.count("✘ BLOCKED") == 2
    assert "kMethodDisallowedByPreflightResponse" in run.out
    assert "crossorigin demo: 2 cases" in run.out


def test_list_and_unknown_case(cli: Callable[..., Run]) -> None:
    listed = cli("demo", "--list")
    assert listed.code == 0
    assert listed.out.count("\n") == len(demo.CASES)
    unknown = cli("demo", "nope")
    assert unknown.code == 2
    assert "no demo case 'nope'" in unknown.err
