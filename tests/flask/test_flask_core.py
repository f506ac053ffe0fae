"""crossorigin.flask.core against flask_cors.core itself (installed here): the helpers that keep
flask-cors' results agree with flask-cors' on generated inputs, and the documented differences
are exactly the ones listed in the module docstring."""

from __future__ import annotations

import re
from typing import Any

import flask_cors.core as reference
import pytest
from flask import Blueprint, Flask
from hypothesis import given, settings
from hypothesis import strategies as st

from crossorigin.flask import core
from crossorigin.policy import PolicyError

# Text mixing plain path/origin/header characters with every character flask-cors' heuristic
# looks at.
TEXT = st.text(alphabet="abcXY-_./:*\\]?$^[()+{}|", max_size=12)
LITERALS = ["/foo", "/foo/bar", "/api/v1/items", "/", "www.com", "WwW.CoM", "/Foo", ""]
REGEXES = [r"/api/*", r"/api/v1/.*", r"/.*", r"/fo*", r"/Fo*", r".*", r"/foo$", r"/f(o|a)o"]


def _pattern_key(pattern: Any) -> tuple[str, str, int]:
    """A comparable view of a resolved pattern (compiled regexes compare by text and flags)."""
    if isinstance(pattern, re.Pattern):
        return ("regex", pattern.pattern, pattern.flags)
    return ("literal", pattern, 0)


@settings(max_examples=300)
@given(TEXT)
def test_probably_regex_and_re_fix_agree(text: str) -> None:
    assert core.probably_regex(text) == reference.probably_regex(text)
    assert core.re_fix(text) == reference.re_fix(text)
    assert core.get_regexp_pattern(text) == reference.get_regexp_pattern(text)


def test_probably_regex_of_compiled_patterns() -> None:
    compiled = re.compile("abc")
    assert core.probably_regex(compiled) is reference.probably_regex(compiled) is True
    assert core.get_regexp_pattern(compiled) == reference.get_regexp_pattern(compiled) == "abc"


@given(
    st.one_of(
        st.none(),
        TEXT,
        st.lists(TEXT, max_size=5),
        st.sets(TEXT, max_size=5),
        st.frozensets(st.integers(), max_size=5),
        st.integers(),
    )
)
def test_flexible_str_ensure_iterable_and_sanitize_agree(value: Any) -> None:
    assert core.flexible_str(value) == reference.flexible_str(value)
    assert list(core.ensure_iterable(value)) == list(reference.ensure_iterable(value))
    assert core.sanitize_regex_param(value) == reference.sanitize_regex_param(value)


patterns = st.one_of(
    st.sampled_from(LITERALS),
    st.sampled_from(REGEXES).map(re.compile),
    st.sampled_from(REGEXES).map(lambda r: re.compile(r, re.IGNORECASE)),
)


@settings(max_examples=300)
@given(
    value=st.one_of(st.sampled_from(LITERALS), TEXT),
    pattern=patterns,
    case_sensitive=st.booleans(),
)
def test_try_match_pattern_agrees(value: str, pattern: Any, case_sensitive: bool) -> None:
    assert core.try_match_pattern(value, pattern, case_sensitive) == reference.try_match_pattern(
        value, pattern, case_sensitive
    )
    assert core.try_match_any_pattern(
        value, [pattern, "/never"], caseSensitive=case_sensitive
    ) == reference.try_match_any_pattern(value, [pattern, "/never"], caseSensitive=case_sensitive)


resource_keys = st.one_of(
    st.sampled_from([*LITERALS[:-1], "*", *REGEXES]),
    st.sampled_from(REGEXES).map(re.compile),
)


@settings(max_examples=300)
@given(st.dictionaries(resource_keys, st.fixed_dictionaries({"n": st.integers()}), max_size=6))
def test_parse_resources_orders_and_compiles_like_flask_cors(spec: dict[Any, Any]) -> None:
    ours = core.parse_resources(spec)
    theirs = reference.parse_resources(spec)
    assert [(_pattern_key(p), o) for p, o in ours] == [(_pattern_key(p), o) for p, o in theirs]


@given(st.one_of(st.sampled_from([*LITERALS[:-1], *REGEXES]), st.lists(resource_keys, max_size=4)))
def test_parse_resources_of_a_pattern_or_a_list(spec: Any) -> None:
    ours = core.parse_resources(spec)
    theirs = reference.parse_resources(spec)
    assert [(_pattern_key(p), o) for p, o in ours] == [(_pattern_key(p), o) for p, o in theirs]


def test_parse_resources_refuses_what_is_not_a_pattern() -> None:
    with pytest.raises(ValueError, match="resources=5"):
        core.parse_resources(5)
    with pytest.raises(ValueError, match="5 is not a path pattern"):
        core.parse_resources({5: {}})
    with pytest.raises(ValueError, match=r"'/api/\(' is not a valid regular expression"):
        core.parse_resources({"/api/(": {}})


# Header names whose answers agree: not CORS-safelisted (the Policy always allows Accept,
# Accept-Language, Content-Language and Content-Type; flask-cors did not), and tokens.
HEADER_NAMES = ["X-Foo", "x-foo", "X-Bar", "X-FLASK-CORS", "x-flask-cors-extra", "X-NOT-FLASK", "Y"]
HEADER_CONFIG = st.lists(
    st.sampled_from(["X-Foo", "x-bar", "*", r"X-FLASK-.*", r"x-.*-extra", r"X-NOT-.*"]),
    min_size=1,
    max_size=3,
)


@settings(max_examples=300)
@given(config=HEADER_CONFIG, requested=st.lists(st.sampled_from(HEADER_NAMES), max_size=4))
def test_get_allow_headers_agrees_where_flask_cors_matches_whole_names(
    config: list[str], requested: list[str]
) -> None:
    value = ", ".join(requested)
    ours = core.get_allow_headers(core.serialize_options({"allow_headers": config}), value)
    theirs = reference.get_allow_headers(
        reference.serialize_options({"allow_headers": config}), value
    )
    assert ours == theirs


def test_header_regexes_match_the_whole_name() -> None:
    """flask-cors re.match-ed header regexes: r"X-(Api|Web)" also allowed X-Api-Secret."""
    ours = core.serialize_options({"allow_headers": [r"X-(Api|Web)"]})
    theirs = reference.serialize_options({"allow_headers": [r"X-(Api|Web)"]})
    assert reference.get_allow_headers(theirs, "X-Api-Secret, X-Web") == "X-Api-Secret, X-Web"
    assert core.get_allow_headers(ours, "X-Api-Secret, X-Web") == "X-Web"
    assert core.get_allow_headers(ours, "x-api, X-WEB") == "X-WEB, x-api"


def test_get_allow_headers_knows_the_safelisted_names_and_skips_non_names() -> None:
    options = core.serialize_options({"allow_headers": ["X-Foo"]})
    assert core.get_allow_headers(options, "content-type, X-Foo, X-Bar") == "X-Foo, content-type"
    assert core.get_allow_headers(options, "X-Foo,, a b,") == "X-Foo"
    assert core.get_allow_headers(options, "") is None
    assert core.get_allow_headers(options, None) is None


def test_serialize_options_builds_the_policy() -> None:
    options = core.serialize_options(
        {
            "origins": ["https://app.example.com"],
            "methods": "GET, put",
            "allow_headers": ["X-Foo", r"X-COMPANY-.*"],
            "expose_headers": {"X-B", "X-A"},
            "max_age": "60",
            "send_wildcard": True,
        }
    )
    assert options.policy.allows_origin("https://app.example.com")
    assert not options.policy.allows_origin("https://evil.example.net")
    assert options.expose_headers == "X-A, X-B"
    assert options.allows_header("x-company-anything")
    assert not options.allows_header("X-Other")
    assert not options.echoes_origin
    answer = options.policy.preflight_answer(
        "https://app.example.com", "PUT", "X-Company-Id, x-foo"
    )
    assert answer.status == 204
    headers = dict(answer.headers)
    assert headers["Access-Control-Max-Age"] == "60"
    assert headers["Access-Control-Allow-Headers"] == "X-Company-Id, x-foo"  # echoed as sent


def test_serialize_options_refuses_star_with_credentials_whatever_send_wildcard_says() -> None:
    for send_wildcard in (True, False):
        options = {"origins": "*", "supports_credentials": True, "send_wildcard": send_wildcard}
        with pytest.raises(PolicyError) as error:
            core.serialize_options(options)
        assert "wildcard-with-credentials" in error.value.codes
    # flask-cors raised only with send_wildcard, and then reflected every origin with
    # credentials (flask-cors#202).
    reference.serialize_options({"origins": "*", "supports_credentials": True})


def test_serialize_options_reports_wrong_types_with_the_other_problems() -> None:
    with pytest.raises(PolicyError) as error:
        core.serialize_options(
            {"origins": "*", "allow_headers": True, "supports_credentials": True}
        )
    assert set(error.value.codes) == {"option-type", "wildcard-with-credentials"}


def test_serialize_options_refuses_unknown_names() -> None:
    with pytest.raises(TypeError, match="'orgins'"):
        core.serialize_options({"orgins": ["https://app.example.com"]})


def test_app_config_and_merge_agree() -> None:
    app = Flask(__name__)
    app.config.update(CORS_ORIGINS=["https://app.example.com"], CORS_MAX_AGE=5, CORS_METHODS=None)
    ours = core.get_app_kwarg_dict(app)
    assert (
        ours
        == reference.get_app_kwarg_dict(app)
        == {
            "origins": ["https://app.example.com"],
            "max_age": 5,
        }
    )
    with app.app_context():
        assert core.get_app_kwarg_dict() == ours
    assert core.get_app_kwarg_dict(Blueprint("bp", __name__)) == {}
    merged = core.merge_options(app, {"max_age": 7}, {"vary_header": False})
    theirs = reference.merge_options(app, {"max_age": 7}, {"vary_header": False})
    assert {k: merged[k] for k in theirs} == theirs
    assert core.get_cors_options(app).policy.allows_origin("https://app.example.com")


def test_star_import_gives_what_flask_cors_core_gave() -> None:
    """Every public name flask-cors' tests take from ``from flask_cors.core import *``."""
    namespace: dict[str, Any] = {}
    exec("from crossorigin.flask.core import *", namespace)
    for name in (
        "re",
        "try_match_pattern",
        "flexible_str",
        "serialize_options",
        "get_allow_headers",
        "parse_resources",
        "probably_regex",
        "ACL_ORIGIN",
        "ACL_REQUEST_HEADER_PRIVATE_NETWORK",
        "ALL_METHODS",
    ):
        assert name in namespace, name
        if name != "re" and not callable(namespace[name]):
            assert namespace[name] == getattr(reference, name)
