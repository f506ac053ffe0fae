"""Web servers in front of an application: nginx, Apache httpd and Caddy.

All three follow the same plan, since none has a CORS module of its own:

- the allowed origins are compared as exact strings, and only a match gets
  ``Access-Control-Allow-Origin`` (the request's own origin) and the credentials header;
- ``Vary: Origin`` goes on every response, because the headers depend on Origin;
- a real preflight (OPTIONS carrying ``Access-Control-Request-Method``) is answered by the
  server itself with 204 and never reaches the application; other OPTIONS requests do;
- the headers are added with the "always" form, so error responses (401, 404, 500) carry
  them too and the page can read the real status instead of a CORS error.
"""

from __future__ import annotations

from crossorigin.doctor.fixes.common import (
    AUTH_ORDER_NOTE,
    preflight_headers,
    requirement_notes,
)
from crossorigin.doctor.fixes.model import Fix, Snippet
from crossorigin.doctor.fixes.requirement import Requirement

__all__ = ["apache", "caddy", "nginx"]

_DUPLICATE_NOTE = (
    "If the application behind the server also sends CORS headers, remove them there (or hide "
    "them here): two Access-Control-Allow-Origin values make the browser refuse the response."
)


def nginx(requirement: Requirement) -> Fix:
    origin_lines = "".join(f'    "{origin}" $http_origin;\n' for origin in requirement.origins)
    http_block = (
        '# Allowed origins, compared as exact strings: any other Origin maps to ""\n'
        "# and gets no CORS headers (nginx omits a header whose value is empty).\n"
        "map $http_origin $cors_allow_origin {\n"
        '    default "";\n' + origin_lines + "}\n"
    )
    if requirement.credentials:
        http_block += (
            'map $cors_allow_origin $cors_allow_credentials {\n    "" "";\n    default "true";\n}\n'
        )
    if requirement.needs_preflight:
        http_block += (
            "# A CORS preflight: OPTIONS carrying Access-Control-Request-Method.\n"
            'map "$request_method:$http_access_control_request_method" $cors_preflight {\n'
            "    default 0;\n"
            '    "~^OPTIONS:." 1;\n'
            "}\n"
        )
    common = ["add_header Access-Control-Allow-Origin $cors_allow_origin always;"]
    if requirement.credentials:
        common.append("add_header Access-Control-Allow-Credentials $cors_allow_credentials always;")
    location = ""
    if requirement.needs_preflight:
        preflight = [
            *common,
            *(
                f'add_header {name} "{value}" always;'
                for name, value in preflight_headers(requirement)
            ),
            'add_header Vary "Origin" always;',
            "return 204;",
        ]
        location += (
            "# Preflights are answered here and never reach the application. add_header\n"
            "# lines inside `if` replace the ones outside, hence the repetition.\n"
            "if ($cors_preflight) {\n" + "".join(f"    {line}\n" for line in preflight) + "}\n"
        )
    actual = list(common)
    if requirement.expose_headers:
        actual.append(
            "add_header Access-Control-Expose-Headers "
            f'"{", ".join(requirement.expose_headers)}" always;'
        )
    actual.append('add_header Vary "Origin" always;')
    location += "".join(f"{line}\n" for line in actual)
    notes = [
        "The map blocks belong in the http {} context (e.g. a file in /etc/nginx/conf.d/); "
        "the rest goes into the location that serves the API, before proxy_pass or root.",
        "add_header directives are inherited only by levels that have none of their own: once "
        "this location has add_header lines, those of the server {} block (HSTS, CSP...) no "
        "longer apply to it. Repeat them here.",
        "`always` makes nginx add the headers to error responses too, so the page sees a 401 "
        "or 500 instead of a CORS error.",
        _DUPLICATE_NOTE + " (proxy_hide_header Access-Control-Allow-Origin;)",
        "Test with: nginx -t && nginx -s reload",
        *requirement_notes(requirement),
    ]
    return Fix(
        stack="nginx",
        title="nginx: a map allowlist and add_header ... always",
        parts=(
            Snippet(where="in the http {} block", language="nginx", text=http_block),
            Snippet(
                where="in the location {} that serves the API, before proxy_pass",
                language="nginx",
                text=location,
            ),
        ),
        notes=tuple(notes),
    )


def apache(requirement: Requirement) -> Fix:
    origins = ", ".join(f"'{origin}'" for origin in requirement.origins)
    lines = [
        "# Needs mod_headers, mod_setenvif and mod_rewrite (a2enmod headers setenvif rewrite).",
        "# Allowed origins, compared as exact strings (no regex).",
        f'SetEnvIfExpr "%{{HTTP:Origin}} in {{ {origins} }}" CORS_ALLOWED_ORIGIN',
    ]
    if requirement.needs_preflight:
        lines += [
            "# A CORS preflight: OPTIONS carrying Access-Control-Request-Method.",
            "SetEnvIfExpr \"%{REQUEST_METHOD} == 'OPTIONS' && "
            '-n %{HTTP:Access-Control-Request-Method}" CORS_PREFLIGHT',
        ]
    lines += [
        "",
        "Header always set Access-Control-Allow-Origin "
        '"expr=%{req:Origin}" env=CORS_ALLOWED_ORIGIN',
    ]
    if requirement.credentials:
        lines.append(
            'Header always set Access-Control-Allow-Credentials "true" env=CORS_ALLOWED_ORIGIN'
        )
    if requirement.expose_headers:
        lines.append(
            "Header always set Access-Control-Expose-Headers "
            f'"{", ".join(requirement.expose_headers)}" env=CORS_ALLOWED_ORIGIN'
        )
    lines.append('Header always merge Vary "Origin"')
    if requirement.needs_preflight:
        lines += [
            "",
            "# Preflights are answered here with 204 and never reach the application.",
            *(
                f'Header always set {name} "{value}" env=CORS_PREFLIGHT'
                for name, value in preflight_headers(requirement)
            ),
            "RewriteEngine On",
            "RewriteCond %{ENV:CORS_PREFLIGHT} =1",
            "RewriteRule ^ - [R=204,L]",
        ]
    notes = [
        "Put these lines directly in the <VirtualHost> (server context): SetEnvIfExpr there runs "
        "before mod_rewrite, so the 204 answer to a preflight carries the headers. Inside "
        "<Directory>, <Location> or .htaccess they run too late for ProxyPass'd requests.",
        "`Header always` adds the headers to error responses too (401, 404, 500), so the page "
        "sees the real status instead of a CORS error.",
        _DUPLICATE_NOTE + " (Header always unset Access-Control-Allow-Origin would also remove "
        "the one set here: fix the application instead.)",
        "Test with: apachectl configtest && apachectl graceful",
        *requirement_notes(requirement),
    ]
    return Fix(
        stack="apache",
        title="Apache httpd: SetEnvIfExpr allowlist, Header always, RewriteRule for preflights",
        parts=(
            Snippet(
                where="in the <VirtualHost> that serves the API",
                language="apacheconf",
                text="\n".join(lines) + "\n",
            ),
        ),
        notes=tuple(notes),
    )


def caddy(requirement: Requirement) -> Fix:
    lines = [
        "# Allowed origins, compared as exact strings (several lines: any one matches).",
        "@cors_allowed_origin {",
        *(f"\theader Origin {origin}" for origin in requirement.origins),
        "}",
    ]
    allowed = ["Access-Control-Allow-Origin {http.request.header.Origin}"]
    if requirement.credentials:
        allowed.append("Access-Control-Allow-Credentials true")
    if requirement.expose_headers:
        allowed.append(f'Access-Control-Expose-Headers "{", ".join(requirement.expose_headers)}"')
    lines += [
        "header @cors_allowed_origin {",
        *(f"\t{line}" for line in allowed),
        "}",
        "header +Vary Origin",
    ]
    if requirement.needs_preflight:
        lines += [
            "",
            "# A CORS preflight: OPTIONS carrying Access-Control-Request-Method. It is answered",
            "# here with 204 and never reaches the application.",
            "@cors_preflight {",
            "\tmethod OPTIONS",
            "\theader Access-Control-Request-Method *",
            "}",
            "handle @cors_preflight {",
            *(f'\theader {name} "{value}"' for name, value in preflight_headers(requirement)),
            "\trespond 204",
            "}",
        ]
    notes = [
        "The lines go inside the site block, next to reverse_proxy; Caddy orders directives "
        "itself, so the header lines apply before the request is proxied or answered.",
        "The header matcher compares the whole Origin value; do not add * wildcards to it.",
        _DUPLICATE_NOTE + " (reverse_proxy ... { header_down -Access-Control-Allow-Origin })",
        "Test with: caddy validate --config Caddyfile && caddy reload",
        AUTH_ORDER_NOTE,
        *requirement_notes(requirement),
    ]
    return Fix(
        stack="caddy",
        title="Caddy: header matcher allowlist and a 204 preflight handler",
        parts=(
            Snippet(
                where="inside the site block of the Caddyfile that serves the API",
                language="caddyfile",
                text="\n".join(lines) + "\n",
            ),
        ),
        notes=tuple(notes),
    )
