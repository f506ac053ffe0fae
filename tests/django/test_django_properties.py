"""Properties: random settings and hostile request headers never make the middleware allow an
origin the policy does not, emit an invalid header, or raise."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.test.utils import override_settings
from hypothesis import HealthCheck, assume, given, settings

from crossorigin.policy import PolicyError
from tests.support.properties import (
    assert_headers_well_formed,
    configs,
    is_preflight,
    oracle,
    request_headers,
    requests,
)


def django_settings(config: dict[str, Any]) -> dict[str, Any]:
    return {
        "CORS_ALLOWED_ORIGINS": config["origins"],
        "CORS_ALLOW_ALL_ORIGINS": config["allow_all"],
        "CORS_ALLOWED_ORIGIN_REGEXES": [config["regex"]] if config["regex"] else [],
        "CORS_ALLOW_CREDENTIALS": config["credentials"],
        "CORS_ALLOW_METHODS": config["methods"],
        "CORS_ALLOW_HEADERS": config["headers"],
        "CORS_EXPOSE_HEADERS": config["expose"],
        "CORS_PREFLIGHT_MAX_AGE": config["max_age"],
        "CORS_ALLOW_PRIVATE_NETWORK": config["private_network"],
    }


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(config=configs, request=requests)
def test_middleware_never_exceeds_the_policy(
    config: dict[str, Any], request: dict[str, Any]
) -> None:
    try:
        # django-cors-headers sends no Access-Control-Max-Age for 0.
        policy = oracle(config, max_age=config["max_age"] or None)
    except PolicyError:
        assume(False)
        raise
    headers = request_headers(request)
    with override_settings(**django_settings(config)):
        response = Client().generic(request["method"], "/api/data/", headers=headers)

    assert_headers_well_formed(response.items())
    cors = {k.lower(): v for k, v in response.items() if k.lower().startswith("access-control-")}
    allowed = cors.get("access-control-allow-origin")
    if allowed is not None:
        origin = request["origin"]
        assert origin is not None
        assert policy.allows_origin(origin), origin
        assert allowed == origin or (allowed == "*" and policy.allow_all_origins)
        if allowed == "*":
            assert "access-control-allow-credentials" not in cors
    if is_preflight(request, headers):
        assert response.status_code in (204, 403)
        if response.status_code == 403:
            assert cors == {}
        else:
            assert allowed is not None
    else:
        assert response.status_code == 200
        assert "origin" in [t.strip().lower() for t in response["Vary"].split(",")]
        if request["origin"] is not None and policy.allows_origin(request["origin"]):
            assert allowed is not None
