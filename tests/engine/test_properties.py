"""Properties of the engine over random requests and server answers."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from crossorigin.engine import FetchRequest, HttpRequest, HttpResponse, run

PAGE = "http://app.test:8001"
ORIGINS = [PAGE, "*", "null", "http://app.test:8001/", "http://other.test", "", "a, b", "x"]
header_names = st.sampled_from(
    ["Accept", "Content-Type", "X-Custom", "Authorization", "Range", "Cookie", "DPR", "x-b"]
)
header_values = st.sampled_from(
    ["1", "text/plain", "application/json", "bytes=0-1", "bytes=-1", "a" * 130, "é", " v "]
)
response_headers = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "Access-Control-Allow-Origin",
                "Access-Control-Allow-Credentials",
                "Access-Control-Allow-Methods",
                "Access-Control-Allow-Headers",
                "Access-Control-Expose-Headers",
                "Access-Control-Max-Age",
                "Location",
                "X-Other",
            ]
        ),
        st.sampled_from([*ORIGINS, "true", "TRUE", "PUT", "*", "x-custom, authorization", "/r"]),
    ),
    max_size=6,
)
requests = st.builds(
    FetchRequest,
    page_origin=st.sampled_from([PAGE, "null", "https://secure.test"]),
    url=st.sampled_from(["http://api.test:8002/r", PAGE + "/same", "ftp://x.test/", "/relative"]),
    method=st.sampled_from(["GET", "post", "PUT", "patch", "DELETE", "FOO", "TRACE", "OPTIONS"]),
    headers=st.lists(st.tuples(header_names, header_values), max_size=4).map(tuple),
    mode=st.sampled_from(["cors", "no-cors", "same-origin"]),
    credentials=st.sampled_from(["omit", "same-origin", "include"]),
    body=st.one_of(st.none(), st.just("x")),
)


@settings(max_examples=400, deadline=None)
@given(
    request=requests,
    status=st.sampled_from([200, 204, 302, 307, 404, 500]),
    preflight=response_headers,
    response=response_headers,
)
def test_engine_never_raises_and_keeps_its_invariants(
    request: FetchRequest,
    status: int,
    preflight: list[tuple[str, str]],
    response: list[tuple[str, str]],
) -> None:
    sent: list[HttpRequest] = []

    def respond(outgoing: HttpRequest) -> HttpResponse:
        sent.append(outgoing)
        if outgoing.is_preflight:
            return HttpResponse(204, tuple(preflight))
        return HttpResponse(status, tuple(response))

    result = run(request, respond)
    scenario = result.as_scenario_result()
    if result.outcome == "blocked":
        assert scenario["readable_headers"] is None and scenario["status_visible"] is None
        assert result.error is not None or result.type_error or result.network_error
    if result.outcome == "opaque":
        assert scenario["readable_headers"] == [] and scenario["status_visible"] == 0
    if result.outcome == "allowed" and result.response_tainting == "cors":
        assert "set-cookie" not in (result.readable_headers or ())
    for outgoing in sent:
        if outgoing.is_preflight:
            # A preflight carries no cookies and lists exactly the unsafe names, sorted.
            assert not outgoing.with_credentials
            listed = outgoing.header("Access-Control-Request-Headers")
            names = listed.split(",") if listed else []
            assert names == sorted(names) and all(n == n.lower() for n in names)
    if result.console is not None and result.error is not None:
        assert result.console.startswith("Access to fetch at '") or result.console.startswith(
            "Fetch API cannot load"
        )
