"""Properties over random configurations and random, malicious requests.

For every configuration the strategies can build and every request they can forge:
nothing raises; an origin gets Access-Control-Allow-Origin only if the policy allows it
(or as ``*`` when every origin is allowed without credentials); no header value carries a
byte that could split or smuggle a header; ``*`` never comes with credentials; a failed
preflight says nothing but Vary; the str, bytes, ASGI and WSGI paths agree.
"""

from __future__ import annotations

import re
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crossorigin.asgi import CORSMiddleware as AsgiCORS
from crossorigin.policy import VARY_PREFLIGHT, Policy, PolicyError
from crossorigin.policy._origins import is_valid_request_origin
from crossorigin.wsgi import CORSMiddleware as WsgiCORS

ORIGIN_POOL = [
    "https://app.example.com",
    "https://admin.example.com",
    "https://*.example.org",
    "https://*.example.org:8443",
    "http://localhost:*",
    "http://127.0.0.1:8000",
    "https://xn--bcher-kva.de",
]
REGEX_POOL = [None, r"https://[a-z0-9-]+\.example\.net", r"https://(www\.)?example\.io"]
METHOD_POOL = ["GET", "PUT", "DELETE", "PATCH", "purge"]
HEADER_POOL = ["X-Token", "Authorization", "X-Request-Id", "Content-Type"]

configurations = st.fixed_dictionaries(
    {
        "allow_origins": st.one_of(
            st.lists(st.sampled_from(ORIGIN_POOL), max_size=5),
            st.just(["*"]),
        ),
        "allow_origin_regex": st.sampled_from(REGEX_POOL),
        "allow_methods": st.one_of(
            st.lists(st.sampled_from(METHOD_POOL), max_size=4), st.just(["*"])
        ),
        "allow_headers": st.one_of(
            st.lists(st.sampled_from(HEADER_POOL), max_size=3), st.just(["*"])
        ),
        "allow_credentials": st.booleans(),
        "expose_headers": st.lists(st.sampled_from(["X-Request-Id", "X-Total"]), max_size=2),
        "max_age": st.sampled_from([None, 0, 600, 86400]),
        "allow_private_network": st.booleans(),
        "preflight_status": st.sampled_from([200, 204]),
    }
)

# Origins close to the allowed ones, mutated by an attacker, plus arbitrary Latin-1 text.
ALMOST = [
    "https://app.example.com",
    "https://app.example.com.evil.test",
    "https://evilapp.example.com",
    "https://a.example.org",
    "https://a.example.org:8443",
    "https://example.org",
    "http://localhost:3000",
    "https://www.example.io",
    "https://a.example.net",
    "null",
    "",
]
hostile_text = st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=255), max_size=40)
origins = st.one_of(
    st.sampled_from(ALMOST),
    st.builds(lambda a, b: a + b, st.sampled_from(ALMOST), hostile_text),
    hostile_text,
)
methods = st.one_of(st.sampled_from([*METHOD_POOL, "CONNECT", "OPTIONS", "post"]), hostile_text)
request_headers = st.one_of(
    st.none(),
    st.lists(
        st.one_of(
            st.sampled_from(["x-token", "authorization,x-token", "content-type", ""]),
            st.builds(lambda n: "," * n, st.integers(0, 9000)),
            hostile_text,
        ),
        min_size=1,
        max_size=4,
    ),
)
private_network = st.sampled_from([None, "true", "false", "TRUE"])

_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")


def _assert_header_values_safe(headers: list[tuple[str, str]]) -> None:
    for name, value in headers:
        assert _TOKEN.fullmatch(name)
        assert not any((ord(c) < 0x20 and c != "\t") or ord(c) == 0x7F for c in value), value


def _check_actual(policy: Policy, origin: str, headers: list[tuple[str, str]]) -> None:
    _assert_header_values_safe(headers)
    found = dict(headers)
    allow_origin = found.get("Access-Control-Allow-Origin")
    if allow_origin is None:
        assert not headers
        return
    if allow_origin == "*":
        assert policy.allow_all_origins and not policy.allow_credentials
        assert "Access-Control-Allow-Credentials" not in found
    else:
        assert allow_origin == origin
        assert policy.allows_origin(origin)
        assert is_valid_request_origin(origin)
        assert "," not in origin


def _build(config: dict[str, Any]) -> Policy | None:
    try:
        return Policy(**config)
    except PolicyError as error:
        # The only refusal these pools can produce: '*' with credentials.
        assert set(error.codes) == {"wildcard-with-credentials"}
        return None


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(configurations, origins, methods, request_headers, private_network)
def test_decisions_never_overreach(
    config: dict[str, Any],
    origin: str,
    method: str,
    requested: list[str] | None,
    pna: str | None,
) -> None:
    policy = _build(config)
    if policy is None:
        return
    _check_actual(policy, origin, policy.actual(origin))

    status, headers = policy.preflight(origin, method, requested, pna)
    _assert_header_values_safe(headers)
    if status == 403:
        assert headers == [("Vary", VARY_PREFLIGHT)]
    else:
        assert status == config["preflight_status"]
        found = dict(headers)
        allow_origin = found["Access-Control-Allow-Origin"]
        assert allow_origin == "*" or (allow_origin == origin and policy.allows_origin(origin))
        assert not (allow_origin == "*" and policy.allow_credentials)
        assert method in found["Access-Control-Allow-Methods"].split(", ")
        assert found["Vary"] == VARY_PREFLIGHT

    # The bytes path (ASGI) decides exactly the same.
    raw_status, raw_headers, raw_body = policy.preflight_raw(
        origin.encode("latin-1"),
        method.encode("latin-1"),
        None if requested is None else [r.encode("latin-1") for r in requested],
        None if pna is None else pna.encode(),
    )
    assert raw_status == status
    answer = policy.preflight_answer(origin, method, requested, pna)
    assert (answer.status, answer.headers) == (status, headers)
    assert raw_body == answer.body.encode()
    framing = (
        [("content-length", str(len(answer.body))), ("content-type", "text/plain; charset=utf-8")]
        if answer.body
        else []
    )
    assert [(n.decode(), v.decode("latin-1")) for n, v in raw_headers] == [
        (n.lower(), v) for n, v in headers
    ] + framing
    assert [
        (n.decode(), v.decode("latin-1")) for n, v in policy.actual_raw(origin.encode("latin-1"))
    ] == [(n.lower(), v) for n, v in policy.actual(origin)]


def _run_asgi(app: Any, scope: dict[str, Any]) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:  # pragma: no cover - the app never reads
        return {"type": "http.request", "body": b""}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    coroutine = app(scope, receive, send)
    try:
        coroutine.send(None)
    except StopIteration:
        return sent
    raise AssertionError("the middleware awaited something real")


async def _ok_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": [(b"vary", b"Cookie")]})
    await send({"type": "http.response.body", "body": b"ok"})


def _ok_wsgi(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("200 OK", [("Vary", "Cookie")])
    return [b"ok"]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    configurations, origins, st.sampled_from(["GET", "POST", "OPTIONS"]), methods, request_headers
)
def test_the_adapters_never_raise_and_follow_the_policy(
    config: dict[str, Any], origin: str, verb: str, method: str, requested: list[str] | None
) -> None:
    policy = _build(config)
    if policy is None:
        return
    raw = [
        (b"origin", origin.encode("latin-1")),
        (b"access-control-request-method", method.encode("latin-1")),
    ]
    raw += [(b"access-control-request-headers", r.encode("latin-1")) for r in requested or []]
    sent = _run_asgi(
        AsgiCORS(_ok_app, policy=policy), {"type": "http", "method": verb, "headers": raw}
    )
    start = sent[0]
    asgi_headers = [(n.decode(), v.decode("latin-1")) for n, v in start["headers"]]
    _assert_header_values_safe(asgi_headers)
    if verb == "OPTIONS":
        status, expected = policy.preflight(origin, method, requested)
        assert start["status"] == status
        assert [(n, v) for n, v in asgi_headers if n not in ("content-length", "content-type")] == [
            (n.lower(), v) for n, v in expected
        ]
        body = policy.preflight_answer(origin, method, requested).body.encode()
        assert b"".join(m.get("body", b"") for m in sent[1:]) == body
    else:
        cors = [(n, v) for n, v in asgi_headers if n.startswith("access-control-")]
        assert cors == [(n.lower(), v) for n, v in policy.actual(origin)]
        assert ("vary", "Cookie, Origin") in asgi_headers

    environ = {
        "REQUEST_METHOD": verb,
        "HTTP_ORIGIN": origin,
        "HTTP_ACCESS_CONTROL_REQUEST_METHOD": method,
    }
    if requested is not None:
        environ["HTTP_ACCESS_CONTROL_REQUEST_HEADERS"] = ",".join(requested)
    started: list[Any] = []
    WsgiCORS(_ok_wsgi, policy=policy)(environ, lambda s, h, e=None: started.append((s, h)))
    wsgi_status, wsgi_headers = started[0]
    _assert_header_values_safe(wsgi_headers)
    if verb == "OPTIONS":
        joined = None if requested is None else ",".join(requested)
        assert int(wsgi_status.split()[0]) == policy.preflight(origin, method, joined)[0]
    else:
        cors = [(n, v) for n, v in wsgi_headers if n.startswith("Access-Control-")]
        assert cors == policy.actual(origin)
        assert ("Vary", "Cookie, Origin") in wsgi_headers
