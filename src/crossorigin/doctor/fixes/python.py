"""Python: Django (django-cors-headers), FastAPI and Starlette (CORSMiddleware), Flask
(flask-cors), each with crossorigin's own adapter as the alternative."""

from __future__ import annotations

from crossorigin.doctor.fixes.common import AUTH_ORDER_NOTE, requirement_notes
from crossorigin.doctor.fixes.literals import quoted_list
from crossorigin.doctor.fixes.model import Fix, Snippet
from crossorigin.doctor.fixes.requirement import Requirement

__all__ = ["django", "fastapi", "flask", "starlette"]


def _origin_list(requirement: Requirement, indent: str) -> str:
    """One origin a line, so that adding one later is a one-line diff."""
    inner = "".join(f'{indent}    "{origin}",\n' for origin in requirement.origins)
    return f"[\n{inner}{indent}]"


def policy_items(requirement: Requirement, indent: str) -> list[tuple[str, str]]:
    """(keyword, Python literal) pairs in the names of Starlette's CORSMiddleware, which
    FastAPI re-exports and crossorigin's adapters take too."""
    items = [
        ("allow_origins", _origin_list(requirement, indent)),
        ("allow_methods", quoted_list(requirement.server_checked_methods)),
        ("allow_headers", quoted_list(requirement.request_headers)),
    ]
    if requirement.credentials:
        items.append(("allow_credentials", "True"))
    if requirement.expose_headers:
        items.append(("expose_headers", quoted_list(requirement.expose_headers)))
    if requirement.max_age is not None:
        items.append(("max_age", str(requirement.max_age)))
    if requirement.private_network:
        items.append(("allow_private_network", "True"))
    return items


def starlette_keywords(requirement: Requirement, indent: str) -> str:
    """The items as keyword arguments, one a line."""
    return "".join(
        f"{indent}{name}={value},\n" for name, value in policy_items(requirement, indent)
    )


def _starlette_notes(requirement: Requirement) -> list[str]:
    notes = [
        "allow_methods lists GET, HEAD and POST too: CORSMiddleware answers 400 to a preflight "
        "whose method it does not list (a GET with Authorization is preflighted as GET). "
        "Browsers allow those three anyway, so listing them grants nothing.",
        'Never allow_origins=["*"] with allow_credentials=True: Starlette then reflects every '
        "origin with credentials. No allow_origin_regex either: list the origins.",
        "CORSMiddleware answers a successful preflight with 200 (not 204) and always sends "
        "Access-Control-Max-Age (600 s unless max_age says otherwise).",
    ]
    notes.extend(requirement_notes(requirement))
    return notes


def fastapi(requirement: Requirement) -> Fix:
    text = (
        "from fastapi.middleware.cors import CORSMiddleware\n\n"
        "# Add it after every other add_middleware(): the last one added runs first, so the\n"
        "# preflight is answered before authentication or error handlers see it.\n"
        "app.add_middleware(\n"
        "    CORSMiddleware,\n" + starlette_keywords(requirement, "    ") + ")\n"
    )
    return Fix(
        stack="fastapi",
        title="FastAPI: CORSMiddleware",
        parts=(
            Snippet(
                where="the module that creates `app = FastAPI()`, right after it",
                language="python",
                text=text,
            ),
        ),
        notes=(AUTH_ORDER_NOTE, *_starlette_notes(requirement)),
        alternatives=(_crossorigin_asgi(requirement, "app.add_middleware"),),
    )


def starlette(requirement: Requirement) -> Fix:
    text = (
        "from starlette.middleware import Middleware\n"
        "from starlette.middleware.cors import CORSMiddleware\n\n"
        "# First in the list: it wraps everything else, so preflights never reach auth.\n"
        "middleware = [\n"
        "    Middleware(\n"
        "        CORSMiddleware,\n" + starlette_keywords(requirement, "        ") + "    ),\n"
        "]\n"
    )
    return Fix(
        stack="starlette",
        title="Starlette: CORSMiddleware",
        parts=(
            Snippet(
                where="the module that builds the app; pass it as "
                "`Starlette(routes=routes, middleware=middleware)`",
                language="python",
                text=text,
            ),
        ),
        notes=(AUTH_ORDER_NOTE, *_starlette_notes(requirement)),
        alternatives=(_crossorigin_asgi(requirement, "Middleware"),),
    )


def _crossorigin_asgi(requirement: Requirement, how: str) -> Snippet:
    indent = "        " if how == "Middleware" else "    "
    imports = "from starlette.middleware import Middleware\n" if how == "Middleware" else ""
    if how == "Middleware":
        usage = (
            "middleware = [\n    Middleware(\n        CORSMiddleware,\n"
            + starlette_keywords(requirement, "        ")
            + "    ),\n]\n"
        )
    else:
        usage = "app.add_middleware(\n    CORSMiddleware,\n" + (
            starlette_keywords(requirement, "    ") + ")\n"
        )
    if _insecure_with_credentials(requirement):
        usage = usage.replace(
            "allow_credentials=True,\n",
            f"allow_credentials=True,\n{indent}{_DANGER_COMMENT}\n"
            f"{indent}dangerously_allow_insecure_origins=True,\n",
        )
    return Snippet(
        title="crossorigin.asgi: the same keywords, checked at startup, Vary on every response",
        where="instead of Starlette's CORSMiddleware",
        language="python",
        text=imports + "from crossorigin.asgi import CORSMiddleware\n\n" + usage,
    )


def _insecure_with_credentials(requirement: Requirement) -> bool:
    return requirement.credentials and bool(requirement.insecure_origins)


def _django_settings(requirement: Requirement) -> list[str]:
    """The CORS_* settings; django-cors-headers and crossorigin.django read the same names."""
    lines = [
        f"CORS_ALLOWED_ORIGINS = {_origin_list(requirement, '')}",
        f"CORS_ALLOW_METHODS = {quoted_list(_plain_methods(requirement))}",
        f"CORS_ALLOW_HEADERS = {quoted_list(requirement.request_headers)}",
    ]
    if requirement.credentials:
        lines.append("CORS_ALLOW_CREDENTIALS = True")
    if requirement.expose_headers:
        lines.append(f"CORS_EXPOSE_HEADERS = {quoted_list(requirement.expose_headers)}")
    if requirement.max_age is not None:
        lines.append(f"CORS_PREFLIGHT_MAX_AGE = {requirement.max_age}")
    else:
        lines.append("CORS_PREFLIGHT_MAX_AGE = 0  # send no Access-Control-Max-Age")
    if requirement.private_network:
        lines.append("CORS_ALLOW_PRIVATE_NETWORK = True")
    return lines


def django(requirement: Requirement) -> Fix:
    lines = [
        "# CORS for the API (pip install django-cors-headers).",
        'INSTALLED_APPS = [*INSTALLED_APPS, "corsheaders"]',
        "# First: before CommonMiddleware, WhiteNoise and anything that can answer early.",
        'MIDDLEWARE = ["corsheaders.middleware.CorsMiddleware", *MIDDLEWARE]',
        "",
        *_django_settings(requirement),
    ]
    notes = [
        "CorsMiddleware must be first in MIDDLEWARE: a middleware above it that answers early "
        "(a redirect from CommonMiddleware's APPEND_SLASH, a login check) sends its response "
        "without CORS headers.",
        "CORS_ALLOW_HEADERS and CORS_ALLOW_METHODS replace the defaults (which allow "
        "Authorization, X-CSRFToken, DELETE, PATCH...): list only what the page uses.",
        "Never CORS_ALLOW_ALL_ORIGINS = True with CORS_ALLOW_CREDENTIALS = True (it reflects "
        "every origin), and avoid CORS_ALLOWED_ORIGIN_REGEXES: re.match anchors only the start.",
        "django-cors-headers answers a preflight with 200 (not 204), which browsers accept.",
    ]
    if requirement.credentials:
        notes.append(
            "With credentials, Django's CSRF check still applies to unsafe methods of views "
            "that use session authentication: add the origins to CSRF_TRUSTED_ORIGINS and send "
            "the X-CSRFToken header (list it in CORS_ALLOW_HEADERS)."
        )
    notes.extend(requirement_notes(requirement))
    return Fix(
        stack="django",
        title="Django: django-cors-headers settings",
        parts=(
            Snippet(
                where="the end of settings.py",
                language="python",
                text="\n".join(lines) + "\n",
            ),
        ),
        notes=tuple(notes),
        alternatives=(_crossorigin_django(requirement),),
    )


def _plain_methods(requirement: Requirement) -> tuple[str, ...]:
    """For middleware that does not check the requested method: only what browsers need,
    or the safelisted three when nothing else is needed (an empty list would send an empty
    Access-Control-Allow-Methods)."""
    return requirement.preflight_methods or requirement.server_checked_methods


def _crossorigin_django(requirement: Requirement) -> Snippet:
    lines = [
        "# crossorigin reads django-cors-headers' settings: only the app and middleware change.",
        'INSTALLED_APPS = [*INSTALLED_APPS, "crossorigin.django"]',
        'MIDDLEWARE = ["crossorigin.django.CorsMiddleware", *MIDDLEWARE]',
        "",
        *_django_settings(requirement),
    ]
    if _insecure_with_credentials(requirement):
        lines.append(_DANGER_COMMENT)
        lines.append("CORS_DANGEROUSLY_ALLOW_INSECURE_ORIGINS = True")
    return Snippet(
        title="crossorigin.django: the same settings, checked at startup, 204 preflights, "
        "Vary on every response",
        where="the end of settings.py, instead of django-cors-headers",
        language="python",
        text="\n".join(lines) + "\n",
    )


_DANGER_COMMENT = "# An http:// origin with credentials: for development only."


def _flask_call(requirement: Requirement) -> list[str]:
    lines = [
        "CORS(",
        "    app,",
        f"    origins={_origin_list(requirement, '    ')},",
        f"    methods={quoted_list(requirement.server_checked_methods)},",
        f"    allow_headers={quoted_list(requirement.request_headers)},",
    ]
    if requirement.credentials:
        lines.append("    supports_credentials=True,")
    if requirement.expose_headers:
        lines.append(f"    expose_headers={quoted_list(requirement.expose_headers)},")
    if requirement.max_age is not None:
        lines.append(f"    max_age={requirement.max_age},")
    if requirement.private_network:
        lines.append("    allow_private_network=True,")
    lines.append(")")
    return lines


def flask(requirement: Requirement) -> Fix:
    call = _flask_call(requirement)
    call[-1:-1] = [
        "    always_send=False,  # no CORS headers on requests without Origin",
        "    vary_header=False,  # Vary: Origin goes on every answer, just below",
    ]
    lines = ["from flask_cors import CORS", "", *call]
    lines.extend(
        [
            "",
            "",
            "@app.after_request",
            "def vary_on_origin(response):",
            "    # flask-cors would add Vary: Origin only to allowed origins' answers (and only",
            "    # when several origins are listed), yet every answer depends on Origin: caches",
            "    # must key on it, or one origin's cached answer reaches another.",
            '    response.vary.add("Origin")',
            "    return response",
        ]
    )
    notes = [
        AUTH_ORDER_NOTE,
        'Every option is explicit because flask-cors defaults to origins="*" and '
        'allow_headers="*". Origins are plain strings: a string with regex characters '
        "is treated as a regex matched with re.match, which anchors only the start.",
        "methods lists GET, HEAD and POST too: flask-cors withholds the preflight headers when "
        "the requested method is not listed (a GET with Authorization is preflighted as GET).",
        "Never supports_credentials=True without origins: it reflects every origin.",
        "Flask answers the preflight with its automatic OPTIONS response (200), which "
        "browsers accept.",
        *requirement_notes(requirement),
    ]
    return Fix(
        stack="flask",
        title="Flask: flask-cors",
        parts=(
            Snippet(
                where="right after `app = Flask(__name__)` (pip install flask-cors)",
                language="python",
                text="\n".join(lines) + "\n",
            ),
        ),
        notes=tuple(notes),
        alternatives=(_crossorigin_flask(requirement),),
    )


def _crossorigin_flask(requirement: Requirement) -> Snippet:
    lines = ["from crossorigin.flask import CORS  # flask-cors' API", "", *_flask_call(requirement)]
    if _insecure_with_credentials(requirement):
        lines[0:0] = [
            "# crossorigin refuses http:// origins with credentials (other than loopback):",
            "# serve the page over https, or keep flask-cors for local development.",
        ]
    return Snippet(
        title="crossorigin.flask: the same options, checked at startup, 204 preflights, "
        "Vary on every response",
        where="right after `app = Flask(__name__)`, instead of flask-cors",
        language="python",
        text="\n".join(lines) + "\n",
    )
