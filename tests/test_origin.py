"""Origins per the URL and HTML Standards."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crossorigin.origin import (
    Origin,
    OriginError,
    is_public_suffix,
    origin_of_url,
    parse_origin,
    registrable_domain,
    same_origin,
    same_site,
)


@pytest.mark.parametrize(
    ("url", "serialized"),
    [
        ("HTTP://EXAMPLE.com:80/a?b#c", "http://example.com"),
        ("https://example.com:443/", "https://example.com"),
        ("https://example.com:8443/", "https://example.com:8443"),
        ("https://Bücher.example/", "https://xn--bcher-kva.example"),
        ("http://[::FFFF:127.0.0.1]:8080/", "http://[::ffff:7f00:1]:8080"),
        ("http://0x7f.1/", "http://127.0.0.1"),
        ("ws://chat.example:80/", "ws://chat.example"),
        ("blob:https://app.example/uuid", "https://app.example"),
        ("file:///etc/passwd", "null"),
        ("data:text/plain,hi", "null"),
        ("about:blank", "null"),
    ],
)
def test_origin_of_url(url: str, serialized: str) -> None:
    assert origin_of_url(url).serialize() == serialized


def test_opaque_origins_are_only_same_origin_with_themselves() -> None:
    a, b = Origin.opaque(), Origin.opaque()
    assert a.is_opaque and a.serialize() == "null"
    assert same_origin(a, a)
    assert not same_origin(a, b)
    assert not same_origin(parse_origin("null"), parse_origin("null"))


@pytest.mark.parametrize(
    ("text", "reason", "suggestion"),
    [
        ("https://example.com/", "trailing-slash", "'https://example.com'"),
        ("https://example.com/app", "path", "'https://example.com'"),
        ("https://example.com?x=1", "query", "'https://example.com'"),
        ("https://user:pw@example.com", "userinfo", "'https://example.com'"),
        ("example.com", "missing-scheme", "'https://example.com'"),
        ("https://example.com:443", "default-port", "'https://example.com'"),
        ("HTTPS://Example.COM", "case", "'https://example.com'"),
        ("https://bücher.example", "unicode-host", "'https://xn--bcher-kva.example'"),
        ("http://0x7f.0.0.1", "non-canonical-ip", "'http://127.0.0.1'"),
        ("file:///tmp", "scheme", "'null'"),
        (" https://example.com", "whitespace", "whitespace"),
        ("http://localhost:*", "invalid", "scheme://host[:port]"),
    ],
)
def test_parse_origin_refuses_non_canonical_values(text: str, reason: str, suggestion: str) -> None:
    with pytest.raises(OriginError) as raised:
        parse_origin(text)
    assert raised.value.reason == reason
    assert raised.value.value == text
    assert repr(text) in str(raised.value)  # the message names the bad value...
    assert suggestion in str(raised.value)  # ...and says what to write instead


@pytest.mark.parametrize(
    "text", ["https://example.com", "http://localhost:3000", "http://[::1]:8080", "null"]
)
def test_parse_origin_round_trips(text: str) -> None:
    assert parse_origin(text).serialize() == text


def test_registrable_domain_uses_the_public_suffix_list() -> None:
    assert registrable_domain("a.b.example.co.uk") == "example.co.uk"
    assert registrable_domain("user.github.io") == "user.github.io"  # private section counts
    assert registrable_domain("github.io") is None
    assert registrable_domain("127.0.0.1") is None
    assert is_public_suffix("co.uk") and is_public_suffix("github.io")
    assert not is_public_suffix("example.com")


def test_same_site_is_schemeful_and_uses_registrable_domains() -> None:
    assert same_site(parse_origin("https://a.example.com"), parse_origin("https://b.example.com"))
    assert not same_site(
        parse_origin("http://a.example.com"), parse_origin("https://a.example.com")
    )
    assert not same_site(parse_origin("https://a.github.io"), parse_origin("https://b.github.io"))
    assert same_site(parse_origin("http://127.0.0.1:1"), parse_origin("http://127.0.0.1:2"))
    assert not same_site(parse_origin("http://127.0.0.1"), parse_origin("http://127.0.0.2"))


_label = st.from_regex(r"[a-z][a-z0-9-]{0,10}[a-z0-9]", fullmatch=True)


@given(
    scheme=st.sampled_from(["http", "https", "ws", "wss"]),
    labels=st.lists(_label, min_size=1, max_size=4),
    port=st.one_of(st.none(), st.integers(1, 65535)),
    path=st.sampled_from(["", "/", "/a/b", "/?q=1", "#frag"]),
)
def test_serialized_origin_of_any_url_parses_back_to_itself(
    scheme: str, labels: list[str], port: int | None, path: str
) -> None:
    url = f"{scheme}://{'.'.join(labels)}.test" + (f":{port}" if port else "") + path
    origin = origin_of_url(url)
    assert parse_origin(origin.serialize()) == origin


def test_each_opaque_url_origin_is_fresh() -> None:
    assert origin_of_url("data:,x") != origin_of_url("data:,x")
    assert origin_of_url("https://a.test/x") == origin_of_url("https://a.test/y")
