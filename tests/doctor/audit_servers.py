"""Real servers with known CORS configurations, good and bad, for the audit's tests.

Each ``start(name, directory)`` starts one on a free loopback port through the launchers of
:mod:`tests.fixes.servers` (uvicorn, waitress, node, nginx as child processes), with the
configuration below in place of a generated fix. Every application answers ``/data``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from crossorigin.doctor.fixes import Fix, Snippet
from tests.fixes import servers

# The front end the audited APIs are meant for, and the API's host name (mapped to 127.0.0.1
# with --resolve, so that the registrable domain example.test seeds the attack origins).
FRONT_END = "https://app.example.test"
API_HOST = "api.example.test"

EXPRESS_REFLECT = """\
const cors = require("cors");
// The README's "reflect the request origin" option, with cookies.
app.use(cors({ origin: true, credentials: true }));
"""

STARLETTE_WILDCARD_CREDENTIALS = """\
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware

middleware = [
    Middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_credentials=True,
        allow_methods=["*"],
        allow_headers=["*"],
    )
]
"""

FLASK_REGEX = """\
from flask_cors import CORS

# Meant for the subdomains of example.test; flask-cors uses re.match (no end anchor).
CORS(app, origins=[r"https://.*\\.example\\.test"], supports_credentials=True)
"""

DJANGO_ALLOW_ALL = """\
ALLOWED_HOSTS = ["*"]
INSTALLED_APPS = ["corsheaders"]
MIDDLEWARE = [
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.common.CommonMiddleware",
]
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_CREDENTIALS = True
"""

# The snippet found all over the web: reflect $http_origin, answer OPTIONS in an `if`.
NGINX_REFLECT = """\
if ($uri != /data) {
    return 404;
}
if ($request_method = OPTIONS) {
    add_header Access-Control-Allow-Origin $http_origin;
    add_header Access-Control-Allow-Credentials true;
    add_header Access-Control-Allow-Methods "GET, POST, PUT, DELETE, OPTIONS";
    add_header Access-Control-Allow-Headers "Authorization, Content-Type";
    return 204;
}
add_header Access-Control-Allow-Origin $http_origin;
add_header Access-Control-Allow-Credentials true;
"""

CROSSORIGIN_STRICT = f"""\
from starlette.middleware import Middleware

from crossorigin.asgi import CORSMiddleware

middleware = [
    Middleware(
        CORSMiddleware,
        allow_origins=["{FRONT_END}"],
        allow_methods=["GET", "PUT"],
        allow_headers=["Authorization"],
        allow_credentials=True,
    )
]
"""

SERVERS = (
    "express-reflect",
    "starlette-wildcard-credentials",
    "flask-regex",
    "django-allow-all",
    "nginx-reflect",
    "crossorigin-strict",
)


def _fix(stack: str, *texts: str) -> Fix:
    where = ("http block", "location") if len(texts) == 2 else ("application",)
    language = "nginx" if stack == "nginx" else "python"
    parts = tuple(Snippet(w, language, text) for w, text in zip(where, texts, strict=True))
    return Fix(stack, f"audit test configuration for {stack}", parts)


def missing_tool(name: str) -> str | None:
    if name.startswith("express"):
        return servers.missing_tool("express")
    if name.startswith("nginx"):
        return servers.missing_tool("nginx")
    return None


@contextlib.contextmanager
def start(name: str, directory: Path) -> Iterator[int]:
    """Run the server ``name`` (one of :data:`SERVERS`); yields its port."""
    if name == "express-reflect":
        with servers.start_express(_fix("express", EXPRESS_REFLECT), directory) as running:
            yield running.port
    elif name == "starlette-wildcard-credentials":
        fix = _fix("starlette", STARLETTE_WILDCARD_CREDENTIALS)
        with servers.start_starlette(fix, directory) as running:
            yield running.port
    elif name == "crossorigin-strict":
        with servers.start_starlette(_fix("starlette", CROSSORIGIN_STRICT), directory) as running:
            yield running.port
    elif name == "flask-regex":
        with servers.start_flask(_fix("flask", FLASK_REGEX), directory) as running:
            yield running.port
    elif name == "django-allow-all":
        with servers.start_django(_fix("django", DJANGO_ALLOW_ALL), directory) as running:
            yield running.port
    elif name == "nginx-reflect":
        with servers.Backend() as backend:
            fix = _fix("nginx", "", NGINX_REFLECT)
            with servers.start_nginx(fix, directory, backend.port) as running:
                yield running.port
    else:
        raise ValueError(f"unknown audit test server {name!r}")
