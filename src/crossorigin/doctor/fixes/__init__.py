"""Server configuration that lets a blocked cross-origin request through, per backend stack.

Pure functions: a :class:`Requirement` (what the page's requests need) goes in, a :class:`Fix`
(snippets, where they go, notes) comes out; nothing is read or written. Every fix follows the
same safety rules, whatever the stack:

- exact origins only: never ``*`` with credentials, never reflecting any origin, no regex;
- ``Vary: Origin`` wherever the answer depends on Origin;
- preflights answered with exactly the methods and headers needed (and max-age if given),
  204 where the stack lets the configuration choose;
- ``Access-Control-Allow-Credentials`` only when credentials are needed.

Usage::

    from crossorigin.doctor.fixes import Requirement, fix_for
    fix = fix_for("express", Requirement(origins=("https://app.example.com",), methods=("PUT",),
                                         request_headers=("Authorization",), credentials=True))
    print(fix.snippet)
"""

from __future__ import annotations

import difflib

from crossorigin.doctor.fixes import devproxy, node, python, services, webservers
from crossorigin.doctor.fixes.model import Fix, Snippet, Stack
from crossorigin.doctor.fixes.requirement import Requirement, RequirementError

__all__ = [
    "STACKS",
    "Fix",
    "Requirement",
    "RequirementError",
    "Snippet",
    "Stack",
    "UnknownStackError",
    "fix_for",
]

# In the order `crossorigin fix --stack list` shows them.
STACKS: dict[str, Stack] = {
    stack.id: stack
    for stack in (
        Stack("express", "Express (cors package)", "framework", node.express),
        Stack("nestjs", "NestJS (app.enableCors)", "framework", node.nestjs),
        Stack("django", "Django (django-cors-headers)", "framework", python.django),
        Stack("fastapi", "FastAPI (CORSMiddleware)", "framework", python.fastapi),
        Stack("starlette", "Starlette (CORSMiddleware)", "framework", python.starlette),
        Stack("flask", "Flask (flask-cors)", "framework", python.flask),
        Stack("spring-boot", "Spring Boot (WebMvcConfigurer)", "framework", services.spring_boot),
        Stack("aspnet-core", "ASP.NET Core (AddCors/UseCors)", "framework", services.aspnet_core),
        Stack("rails", "Ruby on Rails (rack-cors)", "framework", services.rails),
        Stack("go", "Go net/http (rs/cors)", "framework", services.go),
        Stack("nginx", "nginx", "web-server", webservers.nginx),
        Stack("apache", "Apache httpd", "web-server", webservers.apache),
        Stack("caddy", "Caddy", "web-server", webservers.caddy),
        Stack("aws-api-gateway", "AWS API Gateway (HTTP and REST APIs)", "cloud", services.aws),
        Stack("vite", "Vite dev server proxy", "dev-proxy", devproxy.vite),
        Stack("webpack-dev-server", "webpack-dev-server proxy", "dev-proxy", devproxy.webpack),
        Stack("nextjs", "Next.js rewrites", "dev-proxy", devproxy.nextjs),
        Stack("create-react-app", "Create React App proxy", "dev-proxy", devproxy.create_react_app),
    )
}


class UnknownStackError(LookupError):
    """A stack id the doctor does not know; the message lists the known ones."""

    def __init__(self, stack: str) -> None:
        close = difflib.get_close_matches(stack.lower(), STACKS, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        super().__init__(
            f"unknown stack {stack!r}: {hint}choose one of {', '.join(STACKS)} "
            "(crossorigin fix --stack list)"
        )
        self.stack = stack


def fix_for(stack: str, requirement: Requirement) -> Fix:
    """The configuration for ``stack`` (an id of :data:`STACKS`) that meets ``requirement``."""
    try:
        entry = STACKS[stack]
    except KeyError:
        raise UnknownStackError(stack) from None
    return entry.build(requirement)
