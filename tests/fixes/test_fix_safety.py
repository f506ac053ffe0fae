"""The safety rules every fix follows, checked on every stack for generated requirements.

The live tests prove a few requirements on the stacks that run here; these properties cover
the whole space of requirements on all stacks, by reading the generated text.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crossorigin.doctor.fixes import STACKS, Fix, Requirement, fix_for

CORS_STACKS = [stack.id for stack in STACKS.values() if stack.kind != "dev-proxy"]
DEV_PROXIES = [stack.id for stack in STACKS.values() if stack.kind == "dev-proxy"]

hosts = st.sampled_from(
    [
        "app.example.com",
        "admin.example.org",
        "localhost",
        "127.0.0.1",
        "[::1]",
        "xn--bcher-kva.example",
    ]
)
origins = st.builds(
    lambda scheme, host, port: f"{scheme}://{host}" + (f":{port}" if port else ""),
    st.sampled_from(["http", "https"]),
    hosts,
    st.sampled_from([None, 3000, 5173, 8443]),
)
methods = st.lists(
    st.sampled_from(["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "PROPFIND", "M-SEARCH"]),
    max_size=4,
)
header_names = st.lists(
    st.sampled_from(["Authorization", "Content-Type", "X-Requested-With", "X-Api-Key", "If-Match"]),
    max_size=3,
)
requirements = st.builds(
    Requirement,
    origins=st.lists(origins, min_size=1, max_size=3).map(tuple),
    methods=methods.map(tuple),
    request_headers=header_names.map(tuple),
    credentials=st.booleans(),
    expose_headers=st.lists(st.sampled_from(["X-Total", "ETag", "Link"]), max_size=2).map(tuple),
    max_age=st.one_of(st.none(), st.integers(0, 86400)),
    private_network=st.booleans(),
)


def everything(fix: Fix) -> str:
    """The snippet and every alternative: all the text a user may copy."""
    return "\n".join([fix.snippet, *(alternative.text for alternative in fix.alternatives)])


@settings(max_examples=60, deadline=None)
@given(requirement=requirements)
def test_every_fix_names_every_origin_exactly_and_never_a_wildcard(
    requirement: Requirement,
) -> None:
    for stack in STACKS:
        text = everything(fix_for(stack, requirement))
        for origin in requirement.origins:
            # Exactly the origin: followed by a delimiter, never by more host or port.
            assert re.search(re.escape(origin) + r"(?![\w.:-])", text), (stack, origin)
        # No "*" (or '*') as an origin, a method or a header list anywhere.
        assert not re.search(r"""["']\*["']""", text), stack
        assert not re.search(r"Allow-Origin\W+\*", text, re.IGNORECASE), stack


@settings(max_examples=60, deadline=None)
@given(requirement=requirements)
def test_credentials_appear_only_when_needed(requirement: Requirement) -> None:
    for stack in CORS_STACKS:
        fix = fix_for(stack, requirement)
        mentions = re.search(r"credential", everything(fix), re.IGNORECASE)
        if requirement.credentials:
            assert mentions, stack
        else:
            assert mentions is None, stack


@settings(max_examples=60, deadline=None)
@given(requirement=requirements)
def test_every_needed_method_and_header_is_allowed(requirement: Requirement) -> None:
    for stack in CORS_STACKS:
        snippet = fix_for(stack, requirement).snippet
        lowered = snippet.lower()
        for method in requirement.preflight_methods:
            # rack-cors spells methods as lowercase symbols (:put, :"m-search").
            assert method in snippet or method.lower() in snippet, (stack, method)
        for name in (*requirement.request_headers, *requirement.expose_headers):
            assert name.lower() in lowered, (stack, name)
        if requirement.max_age is not None and requirement.needs_preflight:
            assert str(requirement.max_age) in snippet, stack


@settings(max_examples=40, deadline=None)
@given(requirement=requirements)
def test_methods_that_need_no_permission_are_not_granted_by_hand_written_configs(
    requirement: Requirement,
) -> None:
    """nginx, Apache, Caddy and the REST API mock list exactly the preflight methods."""
    for stack in ("nginx", "apache", "caddy"):
        snippet = fix_for(stack, requirement).snippet
        listed = re.findall(r"Access-Control-Allow-Methods\W+\"([^\"]*)\"", snippet)
        if requirement.preflight_methods:
            assert listed == [", ".join(requirement.preflight_methods)], stack
        else:
            assert listed == [], stack


@settings(max_examples=40, deadline=None)
@given(requirement=requirements)
def test_web_servers_reflect_the_origin_only_behind_the_exact_allowlist(
    requirement: Requirement,
) -> None:
    nginx = fix_for("nginx", requirement).snippet
    # $http_origin is read only inside the map, on the lines of allowed origins.
    for line in nginx.splitlines():
        if "$http_origin" in line and not line.startswith("map "):
            assert re.fullmatch(r'    "[^"]+" \$http_origin;', line), line
    apache = fix_for("apache", requirement).snippet
    for line in apache.splitlines():
        if "%{req:Origin}" in line:
            assert line.endswith("env=CORS_ALLOWED_ORIGIN"), line
    caddy = fix_for("caddy", requirement).snippet
    block = caddy.split("header @cors_allowed_origin {", 1)[1].split("\n}\n", 1)[0]
    assert "{http.request.header.Origin}" in block
    assert caddy.count("{http.request.header.Origin}") == 1


@settings(max_examples=40, deadline=None)
@given(requirement=requirements)
def test_vary_origin_is_always_configured_where_the_config_is_hand_written(
    requirement: Requirement,
) -> None:
    assert 'add_header Vary "Origin" always;' in fix_for("nginx", requirement).snippet
    assert 'Header always merge Vary "Origin"' in fix_for("apache", requirement).snippet
    assert "header +Vary Origin" in fix_for("caddy", requirement).snippet
    assert 'response.vary.add("Origin")' in fix_for("flask", requirement).snippet


@pytest.mark.parametrize("stack", ["nginx", "apache", "caddy"])
def test_preflight_blocks_appear_only_when_a_preflight_is_sent(stack: str) -> None:
    simple = Requirement(origins=("https://app.example.com",), methods=("GET", "POST"))
    assert "204" not in fix_for(stack, simple).snippet
    preflighted = Requirement(origins=("https://app.example.com",), methods=("DELETE",))
    assert "204" in fix_for(stack, preflighted).snippet


def test_express_never_lets_cors_reflect_request_headers() -> None:
    """Without allowedHeaders the cors package echoes Access-Control-Request-Headers."""
    snippet = fix_for("express", Requirement(origins=("https://app.example.com",))).snippet
    assert "allowedHeaders: []," in snippet


@pytest.mark.parametrize("stack", DEV_PROXIES)
def test_dev_proxies_forward_to_the_api_origin(stack: str) -> None:
    requirement = Requirement(
        origins=("http://localhost:5173",), api_origin="https://api.example.com", credentials=True
    )
    fix = fix_for(stack, requirement)
    assert "https://api.example.com" in fix.snippet
    assert "changeOrigin: true" in fix.snippet or stack == "nextjs"
    assert any("forwards" in note for note in fix.notes)


def test_notes_warn_about_http_origins_with_credentials() -> None:
    fix = fix_for(
        "express",
        Requirement(origins=("http://app.example.com", "http://localhost:3000"), credentials=True),
    )
    warnings = [note for note in fix.notes if "plain http" in note]
    assert len(warnings) == 1
    assert "http://app.example.com" in warnings[0]
    assert "localhost" not in warnings[0]
