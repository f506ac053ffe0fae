"""Properties: random flask-cors options and hostile request headers never make the adapter
allow an origin the policy does not, emit an invalid header, or raise."""

from __future__ import annotations

from typing import Any

from flask import Flask
from hypothesis import HealthCheck, assume, given, settings

from crossorigin.flask import CORS, cross_origin
from crossorigin.origin import parse_origin
from crossorigin.policy import PolicyError
from tests.support.properties import (
    assert_headers_well_formed,
    configs,
    is_preflight,
    oracle,
    request_headers,
    requests,
)


def flask_options(config: dict[str, Any]) -> dict[str, Any]:
    origins: list[Any] = list(config["origins"])
    if config["regex"] and not config["allow_all"]:
        origins.append(config["regex"])
    return {
        "origins": "*" if config["allow_all"] else origins,
        "supports_credentials": config["credentials"],
        "methods": config["methods"],
        "allow_headers": config["headers"],
        "expose_headers": config["expose"],
        "max_age": config["max_age"],
        "allow_private_network": config["private_network"],
    }


def make_app(config: dict[str, Any], decorated: bool) -> Flask:
    app = Flask(__name__)
    if decorated:

        @app.route("/api/data", methods=["GET", "POST", "PUT"])
        @cross_origin(**flask_options(config))
        def data() -> str:
            return "data"

    else:
        CORS(app, resources={r"/api/*": flask_options(config)})

        @app.route("/api/data", methods=["GET", "POST", "PUT"])
        def data() -> str:
            return "data"

    return app


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(config=configs, request=requests)
def test_adapter_never_exceeds_the_policy(config: dict[str, Any], request: dict[str, Any]) -> None:
    try:
        policy = oracle(config, max_age=config["max_age"])
    except PolicyError:
        assume(False)
        raise
    headers = request_headers(request)
    preflight = is_preflight(request, headers)
    for decorated in (False, True):
        app = make_app(config, decorated)
        response = app.test_client().open("/api/data", method=request["method"], headers=headers)
        assert_headers_well_formed(response.headers.items())
        cors = {
            k.lower(): v
            for k, v in response.headers.items()
            if k.lower().startswith("access-control-")
        }
        allowed = cors.get("access-control-allow-origin")
        if allowed is not None and request["origin"] is not None:
            assert policy.allows_origin(request["origin"]), request["origin"]
            assert allowed == request["origin"] or (allowed == "*" and policy.allow_all_origins)
        if allowed not in (None, "*"):
            # Echoed (flask-cors' origins="*" included): only ever a serialized tuple origin,
            # and with Vary: Origin.
            assert not parse_origin(allowed).is_opaque, allowed
            assert "origin" in [
                t.strip().lower() for v in response.headers.getlist("Vary") for t in v.split(",")
            ]
        if allowed is not None and request["origin"] is None:
            assert allowed == "*" and policy.allow_all_origins  # flask-cors' always_send
        if allowed == "*":
            assert "access-control-allow-credentials" not in cors
        if preflight:
            assert response.status_code in (204, 403)
            assert (response.status_code == 403) is (cors == {})
        else:
            assert response.status_code < 500
            assert "origin" in [
                t.strip().lower() for v in response.headers.getlist("Vary") for t in v.split(",")
            ]
            if request["origin"] is not None and policy.allows_origin(request["origin"]):
                assert allowed is not None
