"""crossorigin.flask through Flask's real request handling (the test client drives the WSGI app)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Blueprint, Flask, Response, abort
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from crossorigin.flask import CORS, cross_origin
from crossorigin.policy import PolicyError

APP = "https://app.example.com"
ADMIN = "https://admin.example.com"
EVIL = "https://evil.example.net"


def cors_headers(response: TestResponse) -> dict[str, str]:
    return {k.lower(): v for k, v in response.headers.items() if k.lower().startswith("access-")}


def vary(response: TestResponse) -> list[str]:
    return [t.strip().lower() for v in response.headers.getlist("Vary") for t in v.split(",")]


def preflight(
    client: FlaskClient, path: str, origin: str, method: str = "PUT", **headers: str
) -> TestResponse:
    return client.options(
        path, headers={"Origin": origin, "Access-Control-Request-Method": method, **headers}
    )


class Recorder:
    """Every piece of application code that ran: hooks and views."""

    def __init__(self, app: Flask) -> None:
        self.calls: list[str] = []
        app.before_request(lambda: self.calls.append("before_request") and None)

        @app.after_request
        def after(response: Response) -> Response:
            self.calls.append("after_request")
            return response


@pytest.fixture
def app() -> Iterator[Flask]:
    app = Flask(__name__)
    app.recorder = Recorder(app)  # type: ignore[attr-defined]
    CORS(
        app,
        resources={
            r"/api/admin/*": {"origins": [ADMIN], "supports_credentials": True},
            r"/api/*": {"origins": [APP], "methods": ["GET", "PUT"], "expose_headers": "X-Total"},
        },
    )

    @app.route("/api/items/<int:item_id>", methods=["GET", "PUT", "OPTIONS"])
    def item(item_id: int) -> Response:
        app.recorder.calls.append("item")  # type: ignore[attr-defined]
        response = Response(f"item {item_id}")
        response.headers["X-Total"] = "1"
        return response

    @app.route("/api/admin/users", methods=["GET", "DELETE"])
    def users() -> str:
        return "users"

    @app.route("/api/vary")
    def with_vary() -> Response:
        return Response("v", headers={"Vary": "Accept-Encoding"})

    @app.route("/api/own-cors")
    def own_cors() -> Response:
        return Response("own", headers={"Access-Control-Allow-Origin": "https://mine.example"})

    @app.route("/api/boom")
    def boom() -> str:
        raise RuntimeError("boom")

    @app.route("/api/gone")
    def gone() -> str:
        abort(410)

    @app.route("/private")
    def private() -> str:
        return "no CORS here"

    yield app


def calls(app: Flask) -> list[str]:
    return list(app.recorder.calls)  # type: ignore[attr-defined]


# -- actual requests ------------------------------------------------------------------------


def test_allowed_origin(app: Flask) -> None:
    response = app.test_client().get("/api/items/1", headers={"Origin": APP})
    assert response.headers["Access-Control-Allow-Origin"] == APP
    assert response.headers["Access-Control-Expose-Headers"] == "X-Total"
    assert vary(response) == ["origin"]


def test_denied_origin_is_answered_without_cors_headers(app: Flask) -> None:
    response = app.test_client().get("/api/items/1", headers={"Origin": EVIL})
    assert response.status_code == 200
    assert response.text == "item 1"
    assert cors_headers(response) == {}
    assert vary(response) == ["origin"]


def test_no_origin_varies_too(app: Flask) -> None:
    response = app.test_client().get("/api/items/1")
    assert cors_headers(response) == {}
    assert vary(response) == ["origin"]


def test_route_without_a_resource_is_left_alone(app: Flask) -> None:
    response = app.test_client().get("/private", headers={"Origin": APP})
    assert cors_headers(response) == {}
    assert "Vary" not in response.headers


def test_vary_appended_on_its_own_line(app: Flask) -> None:
    response = app.test_client().get("/api/vary", headers={"Origin": APP})
    assert response.headers.getlist("Vary") == ["Accept-Encoding", "Origin"]


def test_view_that_answers_cors_itself_is_left_alone(app: Flask) -> None:
    response = app.test_client().get("/api/own-cors", headers={"Origin": APP})
    assert response.headers.getlist("Access-Control-Allow-Origin") == ["https://mine.example"]


def test_errors_get_cors_headers(app: Flask) -> None:
    client = app.test_client()
    assert (
        client.get("/api/boom", headers={"Origin": APP}).headers["Access-Control-Allow-Origin"]
        == APP
    )
    response = client.get("/api/gone", headers={"Origin": APP})
    assert response.status_code == 410
    assert response.headers["Access-Control-Allow-Origin"] == APP


def test_unrouted_url_uses_the_resources_by_path(app: Flask) -> None:
    response = app.test_client().get("/api/nothing-here", headers={"Origin": APP})
    assert response.status_code == 404
    assert response.headers["Access-Control-Allow-Origin"] == APP


# -- preflights -----------------------------------------------------------------------------


def test_preflight_answered_before_any_application_code(app: Flask) -> None:
    response = preflight(app.test_client(), "/api/items/1", APP, "PUT")
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == APP
    assert response.headers["Access-Control-Allow-Methods"] == "GET, PUT"  # as configured
    assert "Content-Length" not in response.headers
    assert response.data == b""
    assert calls(app) == []  # no before_request, view or after_request ran


@pytest.mark.parametrize(
    ("origin", "method", "extra", "body"),
    [
        (EVIL, "PUT", {}, "Disallowed CORS origin"),
        (APP, "DELETE", {}, "Disallowed CORS method"),
        (EVIL, "DELETE", {}, "Disallowed CORS origin, method"),
        (APP, "PUT", {"Access-Control-Request-Private-Network": "true"}, None),
        (APP, "PUT", {"Access-Control-Request-Headers": "," * 8192}, None),
    ],
)
def test_failed_preflight_is_403_without_cors_headers(
    app: Flask, origin: str, method: str, extra: dict[str, str], body: str | None
) -> None:
    response = preflight(app.test_client(), "/api/items/1", origin, method, **extra)
    assert response.status_code == 403
    assert cors_headers(response) == {}
    # The body names every failed check, for whoever reads the exchange (never the values).
    assert response.text.startswith("Disallowed CORS ")
    if body is not None:
        assert response.text == body
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert response.headers["Content-Length"] == str(len(response.data))
    assert calls(app) == []


def test_other_options_requests_reach_the_view(app: Flask) -> None:
    client = app.test_client()
    client.options("/api/items/1", headers={"Origin": APP})
    client.options("/api/items/1", headers={"Access-Control-Request-Method": "PUT"})
    assert calls(app).count("item") == 2


def test_resource_specificity_and_credentials(app: Flask) -> None:
    client = app.test_client()
    response = preflight(client, "/api/admin/users", ADMIN, "DELETE")
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Credentials"] == "true"
    assert preflight(client, "/api/admin/users", APP, "DELETE").status_code == 403


def test_preflight_is_routed_with_the_requested_method() -> None:
    """Two views on one path: each method's preflight gets the policy of the view it reaches."""
    app = Flask(__name__)
    CORS(app)

    @app.get("/things")
    @cross_origin(origins=[APP])
    def list_things() -> str:
        return "list"

    @app.post("/things")
    @cross_origin(origins=[ADMIN], methods=["POST"], allow_headers=["Content-Type"])
    def create_thing() -> str:
        return "created"

    client = app.test_client()
    assert (
        preflight(
            client, "/things", ADMIN, "POST", **{"Access-Control-Request-Headers": "content-type"}
        ).status_code
        == 204
    )
    assert preflight(client, "/things", APP, "POST").status_code == 403
    assert (
        client.get("/things", headers={"Origin": APP}).headers["Access-Control-Allow-Origin"] == APP
    )


def test_decorator_alone_answers_preflights_in_the_view() -> None:
    app = Flask(__name__)

    @app.route("/alone", methods=["GET", "PATCH"])
    @cross_origin(origins=[APP], methods=["PATCH"])
    def alone() -> str:
        return "alone"

    client = app.test_client()
    response = preflight(client, "/alone", APP, "PATCH")
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Methods"] == "PATCH"
    assert preflight(client, "/alone", EVIL, "PATCH").status_code == 403
    response = client.get("/alone", headers={"Origin": APP})
    assert response.headers["Access-Control-Allow-Origin"] == APP
    assert vary(response) == ["origin"]
    # OPTIONS without Access-Control-Request-Method: Flask's default OPTIONS answer.
    response = client.options("/alone", headers={"Origin": APP})
    assert response.status_code == 200
    assert "PATCH" in response.headers["Allow"]


def test_decorator_alone_refuses_a_method_that_reaches_no_cors_view() -> None:
    app = Flask(__name__)

    @app.route("/x", methods=["GET"])
    @cross_origin(origins=[APP])
    def read() -> str:
        return "read"

    @app.route("/x", methods=["PUT"])
    def write() -> str:  # pragma: no cover - a preflight never reaches a view
        return "write"

    client = app.test_client()
    response = preflight(client, "/x", APP, "PUT")
    assert response.status_code == 403
    assert not [name for name, _ in response.headers.items() if name.lower().startswith("access-")]
    assert response.headers["Vary"].startswith("Origin, Access-Control-Request-Method")
    assert response.get_data() == b"Disallowed CORS method"
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    # A successful 204 carries no Content-Type (Werkzeug's default) and no Content-Length.
    response = preflight(client, "/x", APP, "GET", **{"Access-Control-Request-Headers": "x-a"})
    assert response.status_code == 204
    assert "Content-Type" not in response.headers
    assert "Content-Length" not in response.headers


def test_blueprint_scope_covers_only_its_routes() -> None:
    bp = Blueprint("api", __name__, url_prefix="/bp")
    CORS(bp, origins=[APP])

    @bp.route("/ping")
    def ping() -> str:
        return "pong"

    app = Flask(__name__)
    app.register_blueprint(bp)

    @app.route("/bp-like")
    def outside() -> str:
        return "outside"

    client = app.test_client()
    assert (
        client.get("/bp/ping", headers={"Origin": APP}).headers["Access-Control-Allow-Origin"]
        == APP
    )
    assert preflight(client, "/bp/ping", APP, "PUT").status_code == 204
    assert (
        "Access-Control-Allow-Origin" not in client.get("/bp-like", headers={"Origin": APP}).headers
    )


def test_resources_match_the_declared_route_not_the_request_path() -> None:
    app = Flask(__name__)
    CORS(app, resources={"/users/<int:user_id>": {"origins": [ADMIN]}, r"/.*": {"origins": "*"}})

    @app.route("/users/<int:user_id>")
    def user(user_id: int) -> str:
        return str(user_id)

    client = app.test_client()
    # However the URL is spelled, the view it reaches decides.
    for path in ("/users/1", "/users/%31", "/users/0001"):
        response = client.get(path, headers={"Origin": EVIL})
        assert response.status_code == 200, path
        assert "Access-Control-Allow-Origin" not in response.headers, path
        response = client.get(path, headers={"Origin": ADMIN})
        assert response.headers["Access-Control-Allow-Origin"] == ADMIN, path


def test_any_origin_echoes_a_valid_origin_and_varies() -> None:
    """flask-cors' default (origins="*", send_wildcard=False): the Origin is echoed."""
    app = Flask(__name__)
    CORS(app)

    @app.route("/")
    def index() -> str:
        return "hi"

    client = app.test_client()
    response = client.get("/", headers={"Origin": EVIL})
    assert response.headers["Access-Control-Allow-Origin"] == EVIL
    assert vary(response) == ["origin"]
    # Without Origin (always_send): "*", the same for every origin.
    response = client.get("/")
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    response = preflight(
        client, "/", EVIL, "DELETE", **{"Access-Control-Request-Headers": "Authorization,X-Custom"}
    )
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == EVIL
    assert "origin" in vary(response)
    # "*" echoes the requested names, as the client spelled them.
    assert response.headers["Access-Control-Allow-Headers"] == "Authorization,X-Custom"


@pytest.mark.parametrize(
    "origin",
    [
        "null",
        "www.example.com",
        "HTTPS://EVIL.example.net",
        "https://evil.example.net/",
        "https://evil.example.net:443",
        "https://evil.example.net, https://app.example.com",
        "https://b\u00fccher.example",
    ],
)
def test_any_origin_echoes_nothing_but_a_serialized_origin(origin: str) -> None:
    """A value that is not exactly scheme://host[:port] keeps "*" (the same access)."""
    app = Flask(__name__)
    CORS(app)

    @app.route("/")
    def index() -> str:
        return "hi"

    client = app.test_client()
    assert client.get("/", headers={"Origin": origin}).headers["Access-Control-Allow-Origin"] == "*"
    assert preflight(client, "/", origin, "PUT").headers["Access-Control-Allow-Origin"] == "*"


def test_send_wildcard_or_no_vary_keeps_star() -> None:
    app = Flask(__name__)

    @app.route("/wildcard")
    @cross_origin(send_wildcard=True)
    def wildcard() -> str:
        return "hi"

    @app.route("/no-vary")
    @cross_origin(vary_header=False)
    def no_vary() -> str:
        return "hi"

    client = app.test_client()
    for path in ("/wildcard", "/no-vary"):
        response = client.get(path, headers={"Origin": EVIL})
        assert response.headers["Access-Control-Allow-Origin"] == "*", path
        response = preflight(client, path, EVIL, "PUT")
        assert response.headers["Access-Control-Allow-Origin"] == "*", path
    # vary_header=False: the answer does not depend on Origin, and Vary is left alone.
    assert "Vary" not in client.get("/no-vary", headers={"Origin": EVIL}).headers
    assert "Vary" not in preflight(client, "/no-vary", EVIL, "PUT").headers


def test_explicit_origins_are_never_echoed_beyond_the_list() -> None:
    app = Flask(__name__)

    @app.route("/")
    @cross_origin(origins=[APP], send_wildcard=False)
    def index() -> str:
        return "hi"

    client = app.test_client()
    assert client.get("/", headers={"Origin": APP}).headers["Access-Control-Allow-Origin"] == APP
    assert "Access-Control-Allow-Origin" not in client.get("/", headers={"Origin": EVIL}).headers


def test_private_network_answer_on_actual_responses_is_flask_cors_one() -> None:
    """flask-cors answers Access-Control-Request-Private-Network: true on any response; it is
    inert outside a preflight, where the Policy still refuses unless allowed."""
    app = Flask(__name__)

    @app.route("/on")
    @cross_origin(origins=[APP], allow_private_network=True)
    def on() -> str:
        return "on"

    @app.route("/off")
    @cross_origin(origins=[APP])
    def off() -> str:
        return "off"

    client = app.test_client()
    asks = {"Origin": APP, "Access-Control-Request-Private-Network": "true"}
    assert client.get("/on", headers=asks).headers["Access-Control-Allow-Private-Network"] == "true"
    assert (
        client.get("/off", headers=asks).headers["Access-Control-Allow-Private-Network"] == "false"
    )
    # Not asked, or not an allowed origin: nothing.
    assert (
        "Access-Control-Allow-Private-Network"
        not in client.get("/on", headers={"Origin": APP}).headers
    )
    assert (
        "Access-Control-Allow-Private-Network"
        not in client.get("/on", headers={**asks, "Origin": EVIL}).headers
    )
    # The preflight is the Policy's: allowed only where opted in.
    pna = {"Access-Control-Request-Private-Network": "true"}
    response = preflight(client, "/on", APP, "PUT", **pna)
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Private-Network"] == "true"
    response = preflight(client, "/off", APP, "PUT", **pna)
    assert response.status_code == 403
    assert cors_headers(response) == {}


def test_app_config_is_read() -> None:
    app = Flask(__name__)
    app.config["CORS_ORIGINS"] = [APP]
    app.config["CORS_MAX_AGE"] = 120
    CORS(app)

    @app.route("/")
    def index() -> str:
        return "hi"

    response = preflight(app.test_client(), "/", APP, "PUT")
    assert response.headers["Access-Control-Max-Age"] == "120"
    assert preflight(app.test_client(), "/", EVIL, "PUT").status_code == 403


# -- refused configurations -----------------------------------------------------------------


def test_credentials_with_any_origin_is_refused_at_declaration() -> None:
    with pytest.raises(PolicyError) as error:
        cross_origin(supports_credentials=True)
    assert error.value.codes == ("wildcard-with-credentials",)
    with pytest.raises(PolicyError):
        CORS(Flask(__name__), supports_credentials=True)


def test_bypassable_origin_regex_is_refused() -> None:
    with pytest.raises(PolicyError) as error:
        cross_origin(origins=r"https://.*example\.com")  # https://evilexample.com
    assert error.value.codes == ("regex-attack-origin",)
    # A compiled, anchored regex and the policy's own pattern grammar are fine.
    cross_origin(origins=re.compile(r"https://[a-z]+\.example\.com"))
    cross_origin(origins=["https://*.example.com", "http://localhost:*"])


def test_unknown_options_and_invalid_regexes_are_refused() -> None:
    with pytest.raises(TypeError, match="orgins"):
        cross_origin(orgins=[APP])
    with pytest.raises(TypeError, match="orgins"):
        CORS(Flask(__name__), resources={"/api/*": {"orgins": [APP]}})
    with pytest.raises(ValueError, match=r"allow_headers: 'X-\[' is not a valid regular"):
        cross_origin(allow_headers=[r"X-["])
    with pytest.raises(ValueError, match=r"resources: '/api/\(' is not a valid regular"):
        CORS(Flask(__name__), resources={r"/api/(": {}})


def test_insecure_origin_with_credentials_needs_the_named_opt_in() -> None:
    app = Flask(__name__)
    with pytest.raises(PolicyError, match="dangerously_allow_insecure_origins"):
        CORS(app, origins=["http://app.test"], supports_credentials=True)
    app = Flask(__name__)
    CORS(
        app,
        origins=["http://app.test"],
        supports_credentials=True,
        dangerously_allow_insecure_origins=True,
    )

    @app.get("/")
    def index() -> str:
        return "ok"

    response = app.test_client().get("/", headers={"Origin": "http://app.test"})
    assert response.headers["Access-Control-Allow-Origin"] == "http://app.test"
    assert response.headers["Access-Control-Allow-Credentials"] == "true"


def test_header_regexes_echo_the_matching_requested_names() -> None:
    app = Flask(__name__)
    CORS(app)

    @app.route("/company", methods=["GET", "PUT"])
    @cross_origin(origins=[APP], allow_headers=[r"X-COMPANY-.*", "X-Trace"])
    def company() -> str:
        return "company"

    client = app.test_client()

    def ask(names: str) -> TestResponse:
        return preflight(
            client, "/company", APP, "PUT", **{"Access-Control-Request-Headers": names}
        )

    response = ask("x-company-id, X-Company-Role,x-trace")
    assert response.status_code == 204
    # The requested names, as the client spelled them (case-insensitive match, whole name).
    assert (
        response.headers["Access-Control-Allow-Headers"] == "x-company-id, X-Company-Role,x-trace"
    )
    for refused in ("x-company-id, x-other", "x-company", "x-trace-id", "x-other"):
        response = ask(refused)
        assert response.status_code == 403, refused
        assert cors_headers(response) == {}, refused
        assert response.text == "Disallowed CORS headers", refused
