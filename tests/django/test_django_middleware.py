"""crossorigin.django.CorsMiddleware through Django's real handler stack (the test Client)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponseBase
from django.test import AsyncClient, Client

from crossorigin.django import CorsMiddleware
from tests.django.project import views

APP = "https://app.example.com"
EVIL = "https://evil.example.net"

Settings = Callable[..., Any]


def cors_headers(response: HttpResponseBase) -> dict[str, str]:
    return {k.lower(): v for k, v in response.items() if k.lower().startswith("access-control-")}


def vary(response: HttpResponseBase) -> list[str]:
    return [t.strip().lower() for t in response.get("Vary", "").split(",") if t.strip()]


def preflight(
    client: Client, path: str, origin: str, method: str = "PUT", **headers: str
) -> HttpResponseBase:
    return client.options(
        path, headers={"Origin": origin, "Access-Control-Request-Method": method, **headers}
    )


@pytest.fixture
def client() -> Client:
    return Client(raise_request_exception=False)


# -- actual requests ------------------------------------------------------------------------


def test_no_origin_gets_no_cors_headers_but_varies(client: Client) -> None:
    response = client.get("/api/data/")
    assert response.status_code == 200
    assert cors_headers(response) == {}
    assert vary(response) == ["origin"]


def test_allowed_origin_is_allowed(client: Client) -> None:
    response = client.get("/api/data/", headers={"Origin": APP})
    assert response["Access-Control-Allow-Origin"] == APP
    assert "Access-Control-Allow-Credentials" not in response
    assert vary(response) == ["origin"]


def test_denied_origin_is_answered_without_cors_headers_never_rejected(client: Client) -> None:
    response = client.get("/api/data/", headers={"Origin": EVIL})
    assert response.status_code == 200
    assert response.content == b"data for GET"
    assert cors_headers(response) == {}
    assert vary(response) == ["origin"]
    assert views.CALLS == [("GET", "/api/data/")]


def test_origin_compared_exactly_not_by_prefix_or_case(client: Client) -> None:
    for origin in (APP + ".evil.test", "https://APP.example.com", APP + ":443", "null", ""):
        response = client.get("/api/data/", headers={"Origin": origin})
        assert "Access-Control-Allow-Origin" not in response, origin


def test_credentials_and_exposed_headers(client: Client, cors_settings: Settings) -> None:
    cors_settings(CORS_ALLOW_CREDENTIALS=True, CORS_EXPOSE_HEADERS=["X-Total-Count"])
    response = client.get("/api/data/", headers={"Origin": APP})
    assert response["Access-Control-Allow-Origin"] == APP
    assert response["Access-Control-Allow-Credentials"] == "true"
    assert response["Access-Control-Expose-Headers"].lower() == "x-total-count"


def test_vary_is_appended_to_the_views_own(client: Client) -> None:
    response = client.get("/api/vary/", headers={"Origin": APP})
    assert vary(response) == ["accept-encoding", "origin"]


def test_vary_origin_is_not_duplicated_whatever_its_case(client: Client) -> None:
    response = client.get("/api/vary/?vary=ORIGIN", headers={"Origin": APP})
    assert vary(response) == ["origin"]
    response = client.get("/api/vary/?vary=*", headers={"Origin": APP})
    assert vary(response) == ["*"]


def test_error_responses_get_cors_headers(client: Client) -> None:
    response = client.get("/api/error/", headers={"Origin": APP})
    assert response.status_code == 500
    assert response["Access-Control-Allow-Origin"] == APP


def test_streaming_response_gets_cors_headers(client: Client) -> None:
    response = client.get("/api/stream/", headers={"Origin": APP})
    assert b"".join(response.streaming_content) == b"ab"  # type: ignore[attr-defined]
    assert response["Access-Control-Allow-Origin"] == APP


def test_allow_all_origins_answers_star(client: Client, cors_settings: Settings) -> None:
    cors_settings(CORS_ALLOW_ALL_ORIGINS=True)
    response = client.get("/api/data/", headers={"Origin": EVIL})
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response


def test_old_setting_names_still_work(client: Client, cors_settings: Settings) -> None:
    cors_settings(CORS_ALLOWED_ORIGINS=None, CORS_ORIGIN_WHITELIST=["https://old.example.com"])
    # override_settings(X=None) sets it to None; delete it so the alias is what is read.
    from django.conf import settings

    del settings.CORS_ALLOWED_ORIGINS
    response = client.get("/api/data/", headers={"Origin": "https://old.example.com"})
    assert response["Access-Control-Allow-Origin"] == "https://old.example.com"


def test_regexes_match_the_whole_origin(client: Client, cors_settings: Settings) -> None:
    # django-cors-headers re.match-ed these, so without '$' the second one also allowed
    # https://a.example.com.evil.test; the policy matches the whole origin.
    cors_settings(
        CORS_ALLOWED_ORIGINS=[],
        CORS_ALLOWED_ORIGIN_REGEXES=[r"^https://\w+\.example\.org$", r"^https://\w+\.example\.com"],
    )
    for origin, allowed in (
        ("https://a.example.com", True),
        ("https://b.example.org", True),
        ("https://a.example.com.evil.test", False),
        ("https://a.example.org.evil.test", False),
        ("https://example.com", False),
    ):
        response = client.get("/api/data/", headers={"Origin": origin})
        assert ("Access-Control-Allow-Origin" in response) is allowed, origin


def test_urls_regex_limits_cors_to_matching_paths(client: Client, cors_settings: Settings) -> None:
    cors_settings(CORS_URLS_REGEX=r"^/api/")
    response = client.get("/other/", headers={"Origin": APP})
    assert cors_headers(response) == {}
    assert "Vary" not in response
    # A preflight to a URL without CORS is the application's request.
    response = preflight(client, "/other/", APP)
    assert response.status_code == 200
    assert views.CALLS == [("GET", "/other/"), ("OPTIONS", "/other/")]
    assert client.get("/api/data/", headers={"Origin": APP})["Access-Control-Allow-Origin"] == APP


# -- preflights -----------------------------------------------------------------------------


def test_preflight_is_answered_and_never_reaches_the_view(client: Client) -> None:
    response = preflight(
        client,
        "/api/data/",
        APP,
        "PUT",
        **{"Access-Control-Request-Headers": "content-type,x-requested-with"},
    )
    assert response.status_code == 204
    assert response.content == b""
    headers = cors_headers(response)
    assert headers["access-control-allow-origin"] == APP
    # django-cors-headers' default CORS_ALLOW_METHODS, listed: one cached preflight covers all
    # plus HEAD: GET, HEAD and POST stay allowed, as django-cors-headers never refused them
    assert headers["access-control-allow-methods"] == "DELETE, GET, OPTIONS, PATCH, POST, PUT, HEAD"
    # django-cors-headers' default CORS_ALLOW_HEADERS
    allowed = {h.strip().lower() for h in headers["access-control-allow-headers"].split(",")}
    assert {"authorization", "content-type", "x-csrftoken", "x-requested-with"} <= allowed
    assert headers["access-control-max-age"] == "86400"
    assert "origin" in vary(response)
    assert views.CALLS == []


@pytest.mark.parametrize(
    ("origin", "method", "extra"),
    [
        (EVIL, "PUT", {}),  # origin not allowed
        (APP, "TRACE", {}),  # not in CORS_ALLOW_METHODS
        (APP, "PUT", {"Access-Control-Request-Headers": "x-not-allowed"}),
        (APP, "PUT", {"Access-Control-Request-Private-Network": "true"}),  # PNA not enabled
        (APP, "PUT", {"Access-Control-Request-Headers": "," * 8192}),
    ],
)
def test_failed_preflight_is_403_without_cors_headers(
    client: Client, origin: str, method: str, extra: dict[str, str]
) -> None:
    response = preflight(client, "/api/data/", origin, method, **extra)
    assert response.status_code == 403
    assert cors_headers(response) == {}
    assert views.CALLS == []
    # The body names the failed checks, never the configuration.
    assert response.content.startswith(b"Disallowed CORS ")
    assert response["Content-Length"] == str(len(response.content))
    assert response["Content-Type"] == "text/plain; charset=utf-8"


def test_options_that_is_not_a_preflight_goes_to_the_view(client: Client) -> None:
    client.options("/api/data/", headers={"Origin": APP})
    client.options("/api/data/", headers={"Access-Control-Request-Method": "PUT"})
    client.options("/api/data/")
    assert views.CALLS == [("OPTIONS", "/api/data/")] * 3


def test_default_methods_are_django_cors_headers_ones(client: Client) -> None:
    for method in ("DELETE", "GET", "PATCH", "POST", "PUT"):
        assert preflight(client, "/api/data/", APP, method).status_code == 204, method
    assert preflight(client, "/api/data/", APP, "PROPFIND").status_code == 403


def test_get_head_and_post_stay_allowed_whatever_the_method_list(
    client: Client, cors_settings: Settings
) -> None:
    # A JSON POST or a GET with Authorization is preflighted; browsers accept these methods
    # unlisted and django-cors-headers never refused them, so a switch must not either.
    cors_settings(CORS_ALLOW_METHODS=["PUT"], CORS_ALLOW_HEADERS=["content-type", "authorization"])
    for method, header in (("POST", "content-type"), ("GET", "authorization"), ("HEAD", "")):
        extra = {"Access-Control-Request-Headers": header} if header else {}
        assert preflight(client, "/api/data/", APP, method, **extra).status_code == 204, method
    assert preflight(client, "/api/data/", APP, "DELETE").status_code == 403


def test_max_age_zero_omits_the_header(client: Client, cors_settings: Settings) -> None:
    cors_settings(CORS_PREFLIGHT_MAX_AGE=0)
    response = preflight(client, "/api/data/", APP)
    assert response.status_code == 204
    assert "Access-Control-Max-Age" not in response


def test_private_network_access_when_enabled(client: Client, cors_settings: Settings) -> None:
    cors_settings(CORS_ALLOW_PRIVATE_NETWORK=True)
    response = preflight(
        client, "/api/data/", APP, **{"Access-Control-Request-Private-Network": "true"}
    )
    assert response.status_code == 204
    assert response["Access-Control-Allow-Private-Network"] == "true"


def test_settings_changes_rebuild_the_policy(client: Client, cors_settings: Settings) -> None:
    assert preflight(client, "/api/data/", "https://new.example.com").status_code == 403
    cors_settings(CORS_ALLOWED_ORIGINS=["https://new.example.com"])
    assert preflight(client, "/api/data/", "https://new.example.com").status_code == 204


# -- per-view policy ------------------------------------------------------------------------


def test_a_view_with_its_own_policy(client: Client, cors_settings: Settings) -> None:
    cors_settings(CORS_URLS_REGEX=r"^/api/")  # @cors applies whatever CORS_URLS_REGEX says
    admin = "https://admin.example.com"
    response = preflight(client, "/own/", admin, "DELETE")
    assert response.status_code == 204
    assert response["Access-Control-Allow-Credentials"] == "true"
    assert preflight(client, "/own/", APP).status_code == 403
    response = client.get("/own/", headers={"Origin": admin})
    assert response["Access-Control-Allow-Origin"] == admin
    assert "Access-Control-Allow-Origin" not in client.get("/own/", headers={"Origin": APP})
    assert views.CALLS == [("GET", "/own/")] * 2


def test_cors_decorator_refuses_unknown_options() -> None:
    from crossorigin.django import cors

    with pytest.raises(TypeError, match="allowed_orgins"):
        cors(allowed_orgins=["https://a.example.com"])


# -- startup --------------------------------------------------------------------------------


def test_refused_settings_stop_the_middleware_at_startup(cors_settings: Settings) -> None:
    cors_settings(CORS_ALLOW_ALL_ORIGINS=True, CORS_ALLOW_CREDENTIALS=True)
    with pytest.raises(ImproperlyConfigured, match=r"crossorigin\.E120"):
        CorsMiddleware(lambda request: HttpResponseBase())


# -- async ----------------------------------------------------------------------------------


def test_async_stack() -> None:
    """AsyncClient runs the middleware chain in async mode (CorsMiddleware.__acall__)."""

    async def requests() -> tuple[HttpResponseBase, HttpResponseBase]:
        client = AsyncClient()
        actual = await client.get("/api/async/", headers={"Origin": APP})
        answer = await client.options(
            "/api/async/", headers={"Origin": APP, "Access-Control-Request-Method": "PUT"}
        )
        return actual, answer

    actual, answer = asyncio.run(requests())
    assert actual["Access-Control-Allow-Origin"] == APP
    assert vary(actual) == ["origin"]
    assert answer.status_code == 204
    assert views.CALLS == [("GET", "/api/async/")]
