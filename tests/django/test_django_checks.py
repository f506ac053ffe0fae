"""System checks: stable ids, the setting's name, the bad value and the fix, for every refusal."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core import checks
from django.core.checks import CheckMessage

from crossorigin.django.conf import POLICY_CODE_IDS
from crossorigin.policy import PROBLEM_CODES

Settings = Callable[..., Any]


def run_checks() -> list[CheckMessage]:
    return [
        m
        for m in checks.run_checks(tags=[checks.Tags.security])
        if m.id and m.id.startswith("crossorigin.")
    ]


def only(messages: list[CheckMessage], check_id: str) -> CheckMessage:
    found = [m for m in messages if m.id == check_id]
    assert len(found) == 1, [(m.id, m.msg) for m in messages]
    return found[0]


def test_valid_settings_pass() -> None:
    assert run_checks() == []


@pytest.mark.parametrize(
    ("setting", "value", "check_id"),
    [
        ("CORS_ALLOW_HEADERS", "content-type", "crossorigin.E001"),
        ("CORS_ALLOW_METHODS", ["GET", 1], "crossorigin.E002"),
        ("CORS_ALLOW_CREDENTIALS", "yes", "crossorigin.E003"),
        ("CORS_PREFLIGHT_MAX_AGE", "600", "crossorigin.E004"),
        ("CORS_ALLOW_ALL_ORIGINS", 1, "crossorigin.E005"),
        ("CORS_ALLOWED_ORIGINS", "https://a.example.com", "crossorigin.E006"),
        ("CORS_ALLOWED_ORIGIN_REGEXES", [42], "crossorigin.E007"),
        ("CORS_EXPOSE_HEADERS", None, "crossorigin.E008"),
        ("CORS_URLS_REGEX", ["^/api/"], "crossorigin.E009"),
        ("CORS_ALLOW_PRIVATE_NETWORK", "false", "crossorigin.E010"),
        ("CORS_DANGEROUSLY_ALLOW_NULL_ORIGIN", 1, "crossorigin.E011"),
    ],
)
def test_wrong_types(cors_settings: Settings, setting: str, value: object, check_id: str) -> None:
    cors_settings(**{setting: value})
    message = only(run_checks(), check_id)
    assert message.level == checks.ERROR
    assert setting in message.msg
    assert repr(value) in message.msg
    assert message.hint


@pytest.mark.parametrize(
    ("settings", "check_id", "value", "fix"),
    [
        (
            {"CORS_ALLOWED_ORIGINS": ["https://a.example.com/"]},
            "E105",
            "'https://a.example.com/'",
            "write 'https://a.example.com'",
        ),
        (
            {"CORS_ALLOWED_ORIGINS": ["a.example.com"]},
            "E102",
            "'a.example.com'",
            "write 'https://a.example.com'",
        ),
        (
            {"CORS_ALLOWED_ORIGINS": ["https://a.example.com:443"]},
            "E108",
            ":443",
            "write 'https://a.example.com'",
        ),
        (
            {"CORS_ALLOWED_ORIGINS": ["null"]},
            "E114",
            "'null'",
            "CORS_DANGEROUSLY_ALLOW_NULL_ORIGIN = True",
        ),
        ({"CORS_ALLOWED_ORIGINS": ["file://"]}, "E115", "'file://'", "null"),
        (
            {"CORS_ALLOWED_ORIGINS": ["http://a.example.com"], "CORS_ALLOW_CREDENTIALS": True},
            "E122",
            "'http://a.example.com'",
            "https://",
        ),
        (
            {"CORS_ALLOWED_ORIGINS": ["https://*.github.io"], "CORS_ALLOW_CREDENTIALS": True},
            "E121",
            "'https://*.github.io'",
            "CORS_DANGEROUSLY_ALLOW_PUBLIC_SUFFIX_SUBDOMAINS",
        ),
        (
            {"CORS_ALLOWED_ORIGIN_REGEXES": [r"^https://\w+.example.com$"]},
            "E131",
            r"'^https://\\w+.example.com$'",
            "escape",
        ),
        ({"CORS_ALLOWED_ORIGIN_REGEXES": ["^https://(a+)+$"]}, "E133", "(a+)+", "repetition"),
        ({"CORS_ALLOWED_ORIGIN_REGEXES": ["^https://[a"]}, "E130", "[a", "syntax"),
        ({"CORS_ALLOW_METHODS": ["GET", "TRACE"]}, "E141", "'TRACE'", "remove"),
        ({"CORS_ALLOW_HEADERS": ["cookie"]}, "E151", "'cookie'", "remove"),
        (
            {"CORS_ALLOW_HEADERS": ["access-control-allow-origin"]},
            "E152",
            "'access-control-allow-origin'",
            "remove",
        ),
        ({"CORS_EXPOSE_HEADERS": ["set-cookie"]}, "E161", "'set-cookie'", "remove"),
        ({"CORS_PREFLIGHT_MAX_AGE": 100000}, "E170", "100000", "range"),
    ],
)
def test_policy_refusals_name_setting_value_and_fix(
    cors_settings: Settings, settings: dict[str, Any], check_id: str, value: str, fix: str
) -> None:
    cors_settings(**settings)
    message = only(run_checks(), f"crossorigin.{check_id}")
    assert message.level == checks.ERROR
    setting = next(s for s in settings if s != "CORS_ALLOW_CREDENTIALS")
    assert message.msg.startswith(f"{setting}: {value}") or f"{setting}: " in message.msg
    assert value in message.msg
    assert fix in message.hint


def test_allow_all_origins_with_credentials_names_both_settings(cors_settings: Settings) -> None:
    cors_settings(CORS_ALLOW_ALL_ORIGINS=True, CORS_ALLOW_CREDENTIALS=True)
    message = only(run_checks(), "crossorigin.E120")
    assert "CORS_ALLOW_ALL_ORIGINS = True with CORS_ALLOW_CREDENTIALS = True" in message.msg
    assert "CORS_ALLOWED_ORIGINS" in message.hint


def test_every_problem_is_reported_at_once(cors_settings: Settings) -> None:
    cors_settings(
        CORS_ALLOWED_ORIGINS=["https://a.example.com/", "null"],
        CORS_ALLOW_METHODS=["TRACE"],
        CORS_PREFLIGHT_MAX_AGE=-1,
    )
    ids = sorted(m.id for m in run_checks())
    assert ids == ["crossorigin.E105", "crossorigin.E114", "crossorigin.E141", "crossorigin.E170"]


def test_dangerous_flags_are_explicit_opt_ins(cors_settings: Settings) -> None:
    cors_settings(CORS_ALLOWED_ORIGINS=["null"], CORS_DANGEROUSLY_ALLOW_NULL_ORIGIN=True)
    assert run_checks() == []


def test_harmless_expose_header_is_a_warning_and_dropped(cors_settings: Settings) -> None:
    from django.test import Client

    cors_settings(CORS_EXPOSE_HEADERS=["content-type", "x-total-count"])
    message = only(run_checks(), "crossorigin.W162")
    assert message.level == checks.WARNING
    assert "'content-type'" in message.msg
    response = Client().get("/api/data/", headers={"Origin": "https://app.example.com"})
    assert response["Access-Control-Expose-Headers"] == "x-total-count"


def test_the_old_setting_name_is_the_one_reported(cors_settings: Settings) -> None:
    from django.conf import settings

    cors_settings(CORS_ORIGIN_WHITELIST=["https://a.example.com/"])
    del settings.CORS_ALLOWED_ORIGINS
    message = only(run_checks(), "crossorigin.E105")
    assert message.msg.startswith("CORS_ORIGIN_WHITELIST: ")


def test_every_policy_code_has_a_stable_id() -> None:
    # Codes a Django project cannot produce (no predicate or preflight status setting).
    unreachable = {
        "predicate-not-callable",
        "predicate-failed",
        "preflight-status-out-of-range",
        "preflight-failure-status-out-of-range",
    }
    assert set(PROBLEM_CODES) - unreachable <= set(POLICY_CODE_IDS)
    ids = list(POLICY_CODE_IDS.values())
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"crossorigin\.[EW]1\d\d", i) for i in ids)


def test_middleware_placement(cors_settings: Settings) -> None:
    cors_settings(MIDDLEWARE=["django.middleware.common.CommonMiddleware"])
    assert [m.id for m in run_checks()] == ["crossorigin.W201"]
    cors_settings(
        MIDDLEWARE=[
            "django.middleware.common.CommonMiddleware",
            "crossorigin.django.CorsMiddleware",
            "corsheaders.middleware.CorsMiddleware",
        ]
    )
    assert sorted(m.id for m in run_checks()) == ["crossorigin.W202", "crossorigin.W203"]


def test_a_decorated_view_is_checked_too(cors_settings: Settings) -> None:
    from crossorigin.django import cors

    with pytest.raises(ValueError, match=r"crossorigin\.E120"):
        cors(allow_all_origins=True, allow_credentials=True)
    # Declared while valid; a settings change makes only the view's policy invalid (its
    # credentials with an http:// regex): the check names the view, once.
    cors_settings(CORS_ALLOWED_ORIGIN_REGEXES=[r"^http://\w+\.example\.com$"])
    message = only(run_checks(), "crossorigin.E122")
    assert message.msg.startswith("view tests.django.project.views.own_policy (@cors): ")
    assert "CORS_ALLOWED_ORIGIN_REGEXES" in message.msg
