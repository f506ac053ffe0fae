"""The scenario server sends a scenario's answer byte for byte and logs what it receives.

These run on raw loopback sockets, without a browser: the Chromium tests can only be trusted
if the bytes Chromium reads are exactly the bytes the scenario spells.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.scenario_server import (
    TAG_PREFIX,
    ScenarioServer,
    answer_for,
    scenario_ports,
    url_key,
)

pytestmark = pytest.mark.server


@pytest.fixture
def server() -> Iterator[ScenarioServer]:
    scenario_server = ScenarioServer()
    yield scenario_server
    scenario_server.close()


def _exchange(port: int, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
        connection.sendall(request)
        chunks = []
        while chunk := connection.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def _get(port: int, path: str, tag: str, method: str = "GET", extra: str = "") -> bytes:
    return (
        f"{method} {path} HTTP/1.1\r\nHost: api.test:{port}\r\n"
        f"User-Agent: test {TAG_PREFIX}{tag}\r\n{extra}Connection: close\r\n\r\n"
    ).encode()


def _scenario(port: int, **server: Any) -> dict[str, Any]:
    return {
        "name": "raw",
        "page_origin": "http://app.test:8001",
        "request": {"url": f"http://api.test:{port}/resource", "method": "GET", "headers": []},
        "server": server,
    }


def test_headers_go_out_byte_for_byte(server: ScenarioServer) -> None:
    port = server.listen_ephemeral()
    headers = [
        ["Access-Control-Allow-Origin", "  http://app.test:8001  "],
        ["Access-Control-Allow-Origin", "*"],
        ["X-Empty", ""],
        ["X-Nul", "a\u0000b"],
        ["X-Utf8", "\u00e9"],
        ["Content-Length", "2"],
    ]
    server.register("t1", _scenario(port, response={"status": 299, "headers": headers}))
    server.arm("t1")
    raw = _exchange(port, _get(port, "/resource", "t1"))
    assert raw == (
        b"HTTP/1.1 299 Status\r\n"
        b"Access-Control-Allow-Origin:   http://app.test:8001  \r\n"
        b"Access-Control-Allow-Origin: *\r\n"
        b"X-Empty: \r\n"
        b"X-Nul: a\x00b\r\n"
        b"X-Utf8: \xc3\xa9\r\n"
        b"Content-Length: 2\r\n\r\nok"
    )


def test_bodies_follow_content_length_method_and_status(server: ScenarioServer) -> None:
    port = server.listen_ephemeral()
    server.register("t2", _scenario(port, response={"status": 200, "headers": [["A", "1"]]}))
    server.arm("t2")
    # No Content-Length: an empty body that ends when the connection closes.
    assert _exchange(port, _get(port, "/resource", "t2")) == b"HTTP/1.1 200 OK\r\nA: 1\r\n\r\n"
    server.register(
        "t3", _scenario(port, response={"status": 200, "headers": [["Content-Length", "5"]]})
    )
    server.arm("t3")
    assert _exchange(port, _get(port, "/resource", "t3")).endswith(b"\r\n\r\nokoko")
    assert _exchange(port, _get(port, "/resource", "t3", method="HEAD")).endswith(b"5\r\n\r\n")


def test_requests_are_logged_and_preflights_recognised(server: ScenarioServer) -> None:
    port = server.listen_ephemeral()
    scenario = _scenario(
        port,
        preflight={"status": 204, "headers": [["Access-Control-Allow-Methods", "PUT"]]},
        response={"status": 200, "headers": [["Content-Length", "0"]]},
    )
    server.register("t4", scenario)
    # Before arm() every GET loads the calling page.
    assert b"<!doctype html>" in _exchange(port, _get(port, "/", "t4"))
    server.arm("t4")
    preflight = _get(
        port, "/resource", "t4", method="OPTIONS", extra="Access-Control-Request-Method: PUT\r\n"
    )
    assert _exchange(port, preflight).startswith(b"HTTP/1.1 204 No Content\r\n")
    plain_options = _get(port, "/resource", "t4", method="OPTIONS")
    assert _exchange(port, plain_options).startswith(b"HTTP/1.1 200 OK\r\n")
    logged = server.unregister("t4")
    assert [(r.method, r.url, r.is_preflight) for r in logged] == [
        ("OPTIONS", f"http://api.test:{port}/resource", True),
        ("OPTIONS", f"http://api.test:{port}/resource", False),
    ]
    assert logged[0].header("access-control-request-method") == "PUT"


def test_untagged_requests_and_tls_hellos_are_not_scenario_traffic(server: ScenarioServer) -> None:
    port = server.listen_ephemeral()
    raw = _exchange(
        port, f"GET / HTTP/1.1\r\nHost: x.test:{port}\r\nConnection: close\r\n\r\n".encode()
    )
    assert raw.startswith(b"HTTP/1.1 404 Not Found\r\n")
    assert len(server.stray) == 1
    assert _exchange(port, b"\x16\x03\x01\x02\x00\x01") == b""


def test_redirect_keys_ignore_user_info_and_fragment() -> None:
    final = {"response": {"status": 200, "headers": [["X-Final", "1"]]}}
    scenario = _scenario(8002, redirects={"http://u:p@api.test:8002/final#f": final})
    assert (
        answer_for(scenario, "http://api.test:8002/final", is_preflight=False) == final["response"]
    )
    default = answer_for(scenario, "http://api.test:8002/unlisted", is_preflight=False)
    assert default == {"status": 200, "headers": []}
    assert url_key("/a b#x", "http://u:p@API.test:8002/r") == "http://api.test:8002/a%20b"


def test_ports_cover_page_request_redirects_and_locations() -> None:
    scenario = _scenario(
        8002,
        response={"status": 302, "headers": [["Location", "//other.test:8003/x"]]},
        redirects={"http://other.test:8003/x": {"response": {"status": 307, "headers": [
            ["Location", "http://third.test:8004/y"]]}}},
    )  # fmt: skip
    assert scenario_ports(scenario) == {8001, 8002, 8003, 8004}
