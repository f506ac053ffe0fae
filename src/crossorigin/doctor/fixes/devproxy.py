"""Dev-server proxies: make the API same-origin during development instead of configuring CORS.

The page calls a path on its own origin (``fetch("/api/...")``); the dev server forwards the
request to the API. The browser sees a same-origin request, so no CORS check happens at all.
What the proxy must forward: the path (unchanged), the method and body, ``Authorization`` and
``Cookie`` (proxies forward every request header by default), and ``Host`` rewritten to the
API's host (``changeOrigin``) so that virtual hosting and TLS work. These proxies exist only in
development; production needs a real reverse proxy on the same origin or real CORS headers.
"""

from __future__ import annotations

from crossorigin.doctor.fixes.literals import quoted
from crossorigin.doctor.fixes.model import Fix, Snippet
from crossorigin.doctor.fixes.requirement import Requirement

__all__ = ["create_react_app", "nextjs", "vite", "webpack"]

PLACEHOLDER_API = "http://localhost:8000"
PREFIX = "/api"


def _target(requirement: Requirement) -> str:
    return requirement.api_origin or PLACEHOLDER_API


def _page_comment(requirement: Requirement, marker: str = "//") -> str:
    pages = ", ".join(requirement.origins)
    return (
        f"{marker} Pages on {pages}\n"
        f'{marker} call fetch("{PREFIX}/...") on their own origin and the dev server forwards\n'
        f"{marker} the request to the API: the browser makes no CORS check at all.\n"
    )


def _proxy_options(requirement: Requirement, indent: str) -> str:
    lines = [f"target: {quoted(_target(requirement))},", "changeOrigin: true,"]
    if requirement.credentials:
        lines.append('cookieDomainRewrite: "",  // keep the API\'s cookies on the dev origin')
    return "".join(f"{indent}{line}\n" for line in lines)


def _notes(requirement: Requirement, tool: str) -> tuple[str, ...]:
    notes = [
        f"Change the page's API calls from {_target(requirement)}{PREFIX}/... to relative "
        f"{PREFIX}/... URLs; the proxy only sees requests sent to the dev server.",
        "The proxy forwards the method, the body and every request header (Authorization, "
        "Content-Type, Cookie) as they are; changeOrigin rewrites Host to the API's host.",
        "Origin is still forwarded as the dev server's origin: if the API checks it (CSRF "
        "protection, or a CORS middleware that rejects unknown origins, as Spring does), "
        "allow the dev origin there.",
    ]
    if requirement.api_origin is None:
        notes.append(
            f"{PLACEHOLDER_API} stands for the API; pass --api-origin to print the real one."
        )
    if requirement.credentials:
        notes.append(
            "Cookies: cookieDomainRewrite drops the Domain attribute of Set-Cookie so that the "
            "browser stores the API's cookies for the dev origin."
        )
    notes.append(
        f"{tool} proxies only in development: in production serve the API under the same "
        "origin (a reverse proxy) or configure CORS on it (crossorigin fix --stack ...)."
    )
    return tuple(notes)


def vite(requirement: Requirement) -> Fix:
    text = (
        'import { defineConfig } from "vite";\n\n'
        "export default defineConfig({\n"
        "  server: {\n"
        "    proxy: {\n"
        + "".join(f"      {line}" for line in _page_comment(requirement).splitlines(True))
        + f"      {quoted(PREFIX)}: {{\n"
        + _proxy_options(requirement, "        ")
        + "      },\n"
        "    },\n"
        "  },\n"
        "});\n"
    )
    return Fix(
        stack="vite",
        title="Vite: server.proxy",
        parts=(Snippet(where="vite.config.js (or .ts)", language="javascript", text=text),),
        notes=_notes(requirement, "Vite"),
    )


def webpack(requirement: Requirement) -> Fix:
    text = (
        "module.exports = {\n"
        "  // ...\n"
        "  devServer: {\n"
        "    proxy: [\n"
        + "".join(f"      {line}" for line in _page_comment(requirement).splitlines(True))
        + "      {\n"
        f"        context: [{quoted(PREFIX)}],\n"
        + _proxy_options(requirement, "        ")
        + "      },\n"
        "    ],\n"
        "  },\n"
        "};\n"
    )
    notes = (
        *_notes(requirement, "webpack-dev-server"),
        "This is the webpack-dev-server 5 form (an array); version 4 takes an object keyed "
        f'by path: proxy: {{ "{PREFIX}": {{ target, changeOrigin }} }}.',
    )
    return Fix(
        stack="webpack-dev-server",
        title="webpack-dev-server: devServer.proxy",
        parts=(Snippet(where="webpack.config.js", language="javascript", text=text),),
        notes=notes,
    )


def nextjs(requirement: Requirement) -> Fix:
    destination = f"{_target(requirement)}{PREFIX}/:path*"
    text = (
        _page_comment(requirement) + "/** @type {import('next').NextConfig} */\n"
        "const nextConfig = {\n"
        "  async rewrites() {\n"
        "    return [\n"
        f"      {{ source: {quoted(PREFIX + '/:path*')}, destination: {quoted(destination)} }},\n"
        "    ];\n"
        "  },\n"
        "};\n\n"
        "module.exports = nextConfig;\n"
    )
    notes = (
        *_notes(requirement, "next dev"),
        f'Rewrites also work with next start, but not with output: "export". If the app has '
        f"its own {PREFIX} routes (pages/api or app/api), pick another prefix.",
    )
    return Fix(
        stack="nextjs",
        title="Next.js: rewrites to the API",
        parts=(Snippet(where="next.config.js", language="javascript", text=text),),
        notes=tuple(notes),
    )


def create_react_app(requirement: Requirement) -> Fix:
    setup_proxy = (
        'const { createProxyMiddleware } = require("http-proxy-middleware");\n\n'
        + _page_comment(requirement)
        + "module.exports = function (app) {\n"
        "  app.use(\n"
        f"    {quoted(PREFIX)},\n"
        "    createProxyMiddleware({\n" + _proxy_options(requirement, "      ") + "    })\n"
        "  );\n"
        "};\n"
    )
    notes = (
        *_notes(requirement, "The CRA dev server"),
        'The one-line alternative, "proxy" in package.json, forwards every request that '
        "does not accept text/html (fetch and XHR calls) but cannot choose paths or rewrite "
        "cookies. http-proxy-middleware 3 strips the mount path: there, use "
        f'createProxyMiddleware({{ pathFilter: "{PREFIX}", ... }}) with app.use() alone.',
    )
    return Fix(
        stack="create-react-app",
        title="Create React App: src/setupProxy.js",
        parts=(
            Snippet(
                where="src/setupProxy.js (npm install --save-dev http-proxy-middleware; "
                "restart npm start)",
                language="javascript",
                text=setup_proxy,
            ),
        ),
        notes=notes,
        alternatives=(
            Snippet(
                title="The package.json proxy: one line, every non-HTML request",
                where="package.json, top level",
                language="json",
                text=f'"proxy": {quoted(_target(requirement))}\n',
            ),
        ),
    )
