"""Origin matching: the pattern grammar, request-origin shapes, and a differential fuzz."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crossorigin.policy import Policy
from crossorigin.policy._origins import is_valid_request_origin, split_request_origin

PATTERNS = [
    "https://app.example.com",
    "https://*.example.org",
    "https://*.example.net:8443",
    "https://*.example.io:*",
    "http://localhost:*",
    "http://[::1]:*",
    "capacitor://localhost",
]

CASES = [
    ("https://app.example.com", True),
    ("https://app.example.com:443", False),  # not a serialized origin
    ("http://app.example.com", False),  # scheme differs
    ("https://app.example.com:8443", False),  # port differs
    ("https://example.com", False),
    ("https://a.app.example.com", False),  # exact origins have no subdomains
    ("https://a.example.org", True),
    ("https://a.b.c.example.org", True),  # one or more labels
    ("https://example.org", False),  # the apex is excluded
    ("https://aexample.org", False),
    ("https://a.example.org.evil.test", False),
    ("https://a.example.org:8443", False),  # *.example.org means the default port
    ("http://a.example.org", False),
    ("https://a.example.net:8443", True),
    ("https://a.example.net", False),
    ("https://a.example.io", True),  # :* includes the default port
    ("https://a.example.io:1", True),
    ("https://example.io:1", False),
    ("http://localhost", True),
    ("http://localhost:5173", True),
    ("https://localhost:5173", False),
    ("http://a.localhost:5173", False),
    ("http://[::1]:8000", True),
    ("capacitor://localhost", True),
    ("null", False),
    ("", False),
    ("https://.example.org", False),  # empty label
    ("https://a..example.org", False),
    ("https://a.example.org.", False),  # trailing dot: another host
    ("https://A.example.org", False),  # browsers send lowercase
    ("https://a.example.org/", False),
    ("https://a.example.org, https://b.example.org", False),
    ("https://a.example.org\r\nSet-Cookie: x", False),
    ("https://a.example.org:99999", False),
    ("https://a.example.org:08443", False),
    ("https://" + "a." * 200 + "example.org", False),  # longer than any origin
]


@pytest.mark.parametrize(("origin", "allowed"), CASES)
def test_patterns_match_exactly_what_they_say(origin: str, allowed: bool) -> None:
    policy = Policy(allow_origins=PATTERNS)
    assert policy.allows_origin(origin) is allowed
    assert bool(policy.actual_raw(origin.encode("latin-1"))) is allowed
    assert bool(policy.actual(origin)) is allowed


def test_origins_sharing_a_suffix_do_not_combine() -> None:
    # jub0bs/cors GHSA-vhxv-fg4m-p2w8: https://foo.com + https://bar.com allowed barfoo.com.
    policy = Policy(allow_origins=["https://foo.com", "https://bar.com", "https://*.b.com"])
    assert not policy.allows_origin("https://barfoo.com")
    assert not policy.allows_origin("https://foobar.com")
    assert not policy.allows_origin("https://ab.com")
    assert policy.allows_origin("https://a.b.com")


def test_a_hundred_thousand_origins() -> None:
    origins = [f"https://app{i}.example.com" for i in range(50_000)]
    origins += [f"https://*.tenant{i}.example.net" for i in range(50_000)]
    policy = Policy(allow_origins=origins)
    assert policy.allows_origin("https://app49999.example.com")
    assert policy.allows_origin("https://x.y.tenant12345.example.net")
    assert not policy.allows_origin("https://tenant12345.example.net")
    assert not policy.allows_origin("https://app50000.example.com")


@pytest.mark.parametrize(
    ("origin", "parts"),
    [
        ("https://a.example", ("https", "a.example", None)),
        ("http://127.0.0.1:8000", ("http", "127.0.0.1", 8000)),
        ("http://[::1]:1", ("http", "[::1]", 1)),
        ("moz-extension://abc-123", ("moz-extension", "abc-123", None)),
        ("https://a.example:65535", ("https", "a.example", 65535)),
        ("https://a.example:65536", None),
        ("https://a.example:0", None),
        ("https://a_b.example", ("https", "a_b.example", None)),
        ("https://a.example/", None),
        ("https://a.example,https://b.example", None),
        ("https://a.example\x00", None),
        ("https://a.example ", None),
        ("HTTPS://a.example", None),
        ("//a.example", None),
        ("null", None),
    ],
)
def test_request_origins_are_read_strictly(
    origin: str, parts: tuple[str, str, int | None] | None
) -> None:
    assert split_request_origin(origin) == parts
    assert is_valid_request_origin(origin) is (parts is not None or origin == "null")


# -- Differential fuzzing against a naive matcher ---------------------------------------------
#
# A tiny alphabet of labels makes configured patterns share suffixes all the time (the
# situation that broke jub0bs/cors's radix tree), and request hosts overlap them.

LABELS = ["a", "b", "ab", "ba", "aa", "com", "co"]
SCHEMES = ["http", "https"]
PORTS = [None, 3000, 8080]

hosts = st.lists(st.sampled_from(LABELS), min_size=1, max_size=4).map(".".join)
ports = st.sampled_from(PORTS)


def _origin(scheme: str, host: str, port: int | None) -> str:
    return f"{scheme}://{host}" if port is None else f"{scheme}://{host}:{port}"


patterns = st.one_of(
    st.builds(_origin, st.sampled_from(SCHEMES), hosts, ports),
    st.builds(lambda s, h: f"{s}://{h}:*", st.sampled_from(SCHEMES), hosts),
    st.builds(
        lambda s, h, p: f"{s}://*.{h}" + ("" if p is None else f":{p}"),
        st.sampled_from(SCHEMES),
        hosts,
        st.sampled_from([None, 3000, "*"]),
    ),
)
request_origins = st.one_of(
    st.builds(_origin, st.sampled_from(SCHEMES), hosts, ports),
    st.builds(
        _origin,
        st.sampled_from(SCHEMES),
        st.lists(st.sampled_from(LABELS), min_size=1, max_size=6).map(".".join),
        ports,
    ),
    st.text(alphabet="ab.:/*[]-,", max_size=20).map(lambda text: "https://" + text),
)


def naive_allows(configured: list[str], origin: str) -> bool:
    """One pattern at a time, by string operations: the reference the fast matcher must equal."""
    parts = split_request_origin(origin)
    for pattern in configured:
        if pattern == origin:
            return True
        if parts is None:
            continue
        scheme, host, port = parts
        pattern_scheme, _, rest = pattern.partition("://")
        if pattern_scheme != scheme:
            continue
        pattern_port: object = None
        if rest.endswith(":*"):
            rest, pattern_port = rest[:-2], "*"
        elif ":" in rest:
            rest, port_text = rest.rsplit(":", 1)
            pattern_port = int(port_text)
        if rest.startswith("*."):
            parent = rest[2:]
            if host.endswith("." + parent) and pattern_port in ("*", port):
                return True
        elif pattern_port == "*" and host == rest:
            return True
    return False


@settings(max_examples=400, deadline=None)
@given(
    st.lists(patterns, min_size=1, max_size=30), st.lists(request_origins, min_size=1, max_size=20)
)
def test_the_label_tree_equals_a_naive_matcher(configured: list[str], origins: list[str]) -> None:
    # Without credentials every pattern is accepted (http and public suffixes included).
    policy = Policy(allow_origins=configured)
    for origin in origins:
        expected = naive_allows(configured, origin)
        assert policy.allows_origin(origin) is expected, (configured, origin)
        assert bool(policy.actual_raw(origin.encode())) is expected
