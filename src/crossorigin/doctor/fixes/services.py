"""Stacks whose runtimes are not installed here (their fixes are checked against golden files):
Spring Boot, ASP.NET Core, Ruby on Rails (rack-cors), Go (rs/cors), AWS API Gateway."""

from __future__ import annotations

import json
import re

from crossorigin.doctor.fixes.common import (
    AUTH_ORDER_NOTE,
    preflight_headers,
    requirement_notes,
)
from crossorigin.doctor.fixes.literals import quoted, quoted_list, shell_quote
from crossorigin.doctor.fixes.model import Fix, Snippet
from crossorigin.doctor.fixes.requirement import Requirement

__all__ = ["aspnet_core", "aws", "go", "rails", "spring_boot"]

# Spring's RequestMethod enum: the only methods @CrossOrigin can name.
_SPRING_REQUEST_METHODS = frozenset(
    {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"}
)


def _args(values: tuple[str, ...]) -> str:
    return ", ".join(quoted(value) for value in values)


def spring_boot(requirement: Requirement) -> Fix:
    chain = [
        '// Narrow the mapping to the API paths, e.g. "/api/**".',
        'registry.addMapping("/**")',
        f".allowedOrigins({_args(requirement.origins)})",
        f".allowedMethods({_args(requirement.server_checked_methods)})",
    ]
    if not requirement.request_headers:
        chain.append("// No request headers beyond the safelisted ones (the default is all).")
    chain.append(f".allowedHeaders({_args(requirement.request_headers)})")
    if requirement.expose_headers:
        chain.append(f".exposedHeaders({_args(requirement.expose_headers)})")
    if requirement.credentials:
        chain.append(".allowCredentials(true)")
    if requirement.max_age is not None:
        chain.append(f".maxAge({requirement.max_age})")
    if requirement.private_network:
        chain.append(".allowPrivateNetwork(true)")
    body = "\n        ".join(chain[:2]) + "".join(f"\n                {link}" for link in chain[2:])
    body += ";"
    text = (
        "import org.springframework.context.annotation.Configuration;\n"
        "import org.springframework.web.servlet.config.annotation.CorsRegistry;\n"
        "import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;\n\n"
        "@Configuration\n"
        "public class CorsConfig implements WebMvcConfigurer {\n\n"
        "    @Override\n"
        "    public void addCorsMappings(CorsRegistry registry) {\n"
        f"        {body}\n"
        "    }\n"
        "}\n"
    )
    security = Snippet(
        title="With Spring Security: let the CorsFilter run before authentication",
        where="your SecurityFilterChain bean",
        language="java",
        text="http.cors(Customizer.withDefaults());  // uses the mappings above\n",
    )
    notes = [
        "With Spring Security, add http.cors(Customizer.withDefaults()) to the "
        "SecurityFilterChain; without it the preflight meets the authentication filters first "
        "and gets 401 or 403.",
        "allowedMethods lists GET, HEAD and POST too: Spring rejects a preflight whose method "
        "is not listed (a GET with Authorization is preflighted as GET).",
        'Never allowedOrigins("*") or allowedOriginPatterns("*") with allowCredentials(true): '
        "the first fails on every request, the second reflects every origin.",
        'Spring answers an allowed preflight with 200 and a denied one with 403 "Invalid CORS '
        'request"; it also rejects actual requests from unlisted origins with 403.',
    ]
    if requirement.max_age is None:
        notes.append("Without maxAge Spring sends Access-Control-Max-Age: 1800.")
    notes.extend(requirement_notes(requirement))
    alternatives = [security]
    annotation = _cross_origin_annotation(requirement)
    if annotation is not None:
        alternatives.append(annotation)
    else:
        notes.append(
            "Keep addCorsMappings rather than @CrossOrigin here: the annotation can name only "
            "the methods of RequestMethod, and an empty allowedHeaders there means all headers."
        )
    return Fix(
        stack="spring-boot",
        title="Spring Boot: WebMvcConfigurer.addCorsMappings",
        parts=(
            Snippet(
                where="a new @Configuration class, e.g. src/main/java/.../CorsConfig.java",
                language="java",
                text=text,
            ),
        ),
        notes=tuple(notes),
        alternatives=tuple(alternatives),
    )


def _cross_origin_annotation(requirement: Requirement) -> Snippet | None:
    """None when the annotation cannot say it: a method RequestMethod lacks, or no request
    headers (an empty allowedHeaders means the default, which is all headers)."""
    if any(m not in _SPRING_REQUEST_METHODS for m in requirement.server_checked_methods):
        return None
    if not requirement.request_headers:
        return None
    methods = ", ".join(f"RequestMethod.{m}" for m in requirement.server_checked_methods)
    attributes = [
        f"origins = {{{_args(requirement.origins)}}}",
        f"methods = {{{methods}}}",
    ]
    if requirement.request_headers:
        attributes.append(f"allowedHeaders = {{{_args(requirement.request_headers)}}}")
    if requirement.expose_headers:
        attributes.append(f"exposedHeaders = {{{_args(requirement.expose_headers)}}}")
    if requirement.credentials:
        attributes.append('allowCredentials = "true"')
    if requirement.max_age is not None:
        attributes.append(f"maxAge = {requirement.max_age}")
    text = (
        "@CrossOrigin(\n"
        + ",\n".join(f"        {attribute}" for attribute in attributes)
        + ")\n@RestController\npublic class ApiController {\n    // ...\n}\n"
    )
    return Snippet(
        title="Per controller: @CrossOrigin",
        where="on the controller class (or a handler method) instead of addCorsMappings",
        language="java",
        text=text,
    )


def aspnet_core(requirement: Requirement) -> Fix:
    policy = [
        f".WithOrigins({_args(requirement.origins)})",
        f".WithMethods({_args(requirement.server_checked_methods)})",
    ]
    if requirement.request_headers:
        policy.append(f".WithHeaders({_args(requirement.request_headers)})")
    if requirement.expose_headers:
        policy.append(f".WithExposedHeaders({_args(requirement.expose_headers)})")
    if requirement.credentials:
        policy.append(".AllowCredentials()")
    if requirement.max_age is not None:
        policy.append(f".SetPreflightMaxAge(TimeSpan.FromSeconds({requirement.max_age}))")
    policy[-1] += ");"
    services = (
        'const string FrontendCors = "Frontend";\n\n'
        "builder.Services.AddCors(options =>\n"
        "{\n"
        "    options.AddPolicy(FrontendCors, policy => policy\n"
        + "".join(f"        {link}\n" for link in policy)
        + "});\n"
    )
    pipeline = (
        "app.UseRouting();\n"
        "app.UseCors(FrontendCors);  // after UseRouting, before authentication\n"
        "app.UseAuthentication();\n"
        "app.UseAuthorization();\n"
    )
    notes = [
        "UseCors must come after UseRouting and before UseAuthentication, UseAuthorization and "
        "UseResponseCaching; otherwise preflights are challenged or cached without CORS headers.",
        "WithMethods lists GET, HEAD and POST too: ASP.NET Core refuses a preflight whose "
        "method is not listed (a GET with Authorization is preflighted as GET).",
        "Never AllowAnyOrigin() with AllowCredentials() (it throws), and never "
        "SetIsOriginAllowed(_ => true): it reflects every origin.",
        "ASP.NET Core answers preflights with 204 and adds Vary: Origin itself.",
    ]
    if requirement.private_network:
        notes.append(
            "ASP.NET Core's CORS has no Private Network Access option: add "
            "Access-Control-Allow-Private-Network: true to preflight answers in a small "
            "middleware before UseCors."
        )
    notes.extend(requirement_notes(requirement))
    return Fix(
        stack="aspnet-core",
        title="ASP.NET Core: a named CORS policy (AddCors / UseCors)",
        parts=(
            Snippet(
                where="Program.cs, before `var app = builder.Build();`",
                language="csharp",
                text=services,
            ),
            Snippet(
                where="Program.cs, in the middleware pipeline",
                language="csharp",
                text=pipeline,
            ),
        ),
        notes=tuple(notes),
    )


def _ruby_symbol(method: str) -> str:
    name = method.lower()
    return f":{name}" if re.fullmatch(r"[a-z_][a-z0-9_]*", name) else f":{quoted(name)}"


def rails(requirement: Requirement) -> Fix:
    options = [
        f"headers: {quoted_list(requirement.request_headers)}",
        "methods: [" + ", ".join(_ruby_symbol(m) for m in requirement.server_checked_methods) + "]",
    ]
    if requirement.credentials:
        options.append("credentials: true")
    if requirement.expose_headers:
        options.append(f"expose: {quoted_list(requirement.expose_headers)}")
    if requirement.max_age is not None:
        options.append(f"max_age: {requirement.max_age}")
    text = (
        "Rails.application.config.middleware.insert_before 0, Rack::Cors do\n"
        "  allow do\n"
        f"    origins {_args(requirement.origins)}\n"
        '    resource "/*",\n'
        + ",\n".join(f"      {option}" for option in options)
        + "\n  end\nend\n"
    )
    notes = [
        "insert_before 0 puts Rack::Cors ahead of every other middleware (Devise/Warden, "
        "Rack::Attack), so preflights are answered before authentication.",
        'Origins are exact strings; never origins "*" with credentials (rack-cors refuses '
        "it) and no Regexp without \\A and \\z anchors.",
        "methods lists GET, HEAD and POST too: rack-cors refuses a preflight whose method is "
        "not listed (a GET with Authorization is preflighted as GET). Narrow resource to the "
        'API paths, e.g. "/api/*".',
    ]
    if requirement.max_age is None:
        notes.append("Without max_age rack-cors sends Access-Control-Max-Age: 7200.")
    if requirement.private_network:
        notes.append(
            "rack-cors has no Private Network Access option: add "
            "Access-Control-Allow-Private-Network: true to preflight answers in a small "
            "Rack middleware."
        )
    notes.extend(requirement_notes(requirement))
    return Fix(
        stack="rails",
        title="Ruby on Rails: rack-cors",
        parts=(
            Snippet(
                where='config/initializers/cors.rb (gem "rack-cors" in the Gemfile)',
                language="ruby",
                text=text,
            ),
        ),
        notes=tuple(notes),
    )


def go(requirement: Requirement) -> Fix:
    fields = [
        ("AllowedOrigins", "[]string" + quoted_list(requirement.origins, open_="{", close="}")),
        (
            "AllowedMethods",
            "[]string" + quoted_list(requirement.server_checked_methods, open_="{", close="}"),
        ),
        (
            "AllowedHeaders",
            "[]string" + quoted_list(requirement.request_headers, open_="{", close="}"),
        ),
    ]
    if requirement.expose_headers:
        fields.append(
            (
                "ExposedHeaders",
                "[]string" + quoted_list(requirement.expose_headers, open_="{", close="}"),
            )
        )
    if requirement.credentials:
        fields.append(("AllowCredentials", "true"))
    if requirement.max_age is not None:
        fields.append(("MaxAge", str(requirement.max_age)))
    if requirement.private_network:
        fields.append(("AllowPrivateNetwork", "true"))
    width = max(len(name) for name, _ in fields) + 1
    body = "".join(f"\t{(name + ':').ljust(width)} {value},\n" for name, value in fields)
    text = (
        'import "github.com/rs/cors"\n\n'
        f"c := cors.New(cors.Options{{\n{body}}})\n"
        "// Wrap the whole router, outside any authentication middleware.\n"
        "handler := c.Handler(mux)\n"
    )
    notes = [
        "Never leave AllowedOrigins empty: rs/cors then allows every origin. Never "
        'AllowOriginFunc returning true, nor "*" with AllowCredentials.',
        "AllowedMethods lists GET, HEAD and POST too: rs/cors refuses a preflight whose method "
        "is not listed (a GET with Authorization is preflighted as GET).",
        "rs/cors answers preflights with 204 and adds Vary: Origin itself.",
        "With jub0bs/cors the same policy is cors.Config{Origins: ..., Credentialed: true, "
        "Methods: ..., RequestHeaders: ..., ResponseHeaders: ..., MaxAgeInSeconds: ...}; "
        "it rejects unsafe combinations at startup.",
        AUTH_ORDER_NOTE,
        *requirement_notes(requirement),
    ]
    return Fix(
        stack="go",
        title="Go: rs/cors around the router",
        parts=(
            Snippet(
                where="where the HTTP server is built, around the router "
                "(go get github.com/rs/cors)",
                language="go",
                text=text,
            ),
        ),
        notes=tuple(notes),
    )


def aws(requirement: Requirement) -> Fix:
    configuration: dict[str, object] = {
        "AllowOrigins": list(requirement.origins),
        "AllowMethods": list(requirement.server_checked_methods),
    }
    if requirement.request_headers:
        configuration["AllowHeaders"] = [h.lower() for h in requirement.request_headers]
    if requirement.credentials:
        configuration["AllowCredentials"] = True
    if requirement.expose_headers:
        configuration["ExposeHeaders"] = [h.lower() for h in requirement.expose_headers]
    if requirement.max_age is not None:
        configuration["MaxAge"] = requirement.max_age
    document = (
        "{\n"
        + ",\n".join(
            f"  {json.dumps(key)}: {json.dumps(value)}" for key, value in configuration.items()
        )
        + "\n}"
    )
    http_api = (
        "aws apigatewayv2 update-api --api-id YOUR_API_ID --cors-configuration "
        + shell_quote(document)
        + "\n"
    )
    return Fix(
        stack="aws-api-gateway",
        title="AWS API Gateway: HTTP API CORS configuration, or a REST API OPTIONS mock",
        parts=(
            Snippet(
                where="HTTP API: the API's CORS configuration (AWS CLI)",
                language="bash",
                text=http_api,
            ),
            Snippet(
                where="REST API: the OPTIONS method of each resource (OpenAPI with API Gateway "
                "extensions), then redeploy the stage",
                language="yaml",
                text=_rest_api_options(requirement),
            ),
        ),
        notes=(
            "HTTP API: once a CORS configuration exists, API Gateway answers preflights itself "
            "and ignores CORS headers from the integration; do not also add them in the "
            "Lambda. AllowMethods lists GET, HEAD and POST too, in case the gateway checks the "
            "preflight's method against it (browsers allow those three anyway).",
            "REST API: the OPTIONS mock answers only the preflight. The actual responses "
            "come from the integration: a Lambda proxy must itself add "
            "Access-Control-Allow-Origin (the request's Origin when it is in the list), "
            + ("Access-Control-Allow-Credentials: true, " if requirement.credentials else "")
            + "and Vary: Origin.",
            "REST API: add the same headers to the DEFAULT_4XX and DEFAULT_5XX gateway "
            "responses, or an authorizer's 401/403 shows up in the browser as a CORS error.",
            "Never \"'*'\" as Access-Control-Allow-Origin with credentials, and never map "
            "method.request.header.Origin straight into it: that reflects every origin.",
            *requirement_notes(requirement),
        ),
    )


def _rest_api_options(requirement: Requirement) -> str:
    parameters = preflight_headers(requirement, separator=",")
    if requirement.credentials:
        parameters.append(("Access-Control-Allow-Credentials", "true"))
    parameters.append(("Vary", "Origin"))
    header_names = ["Access-Control-Allow-Origin", *(name for name, _ in parameters)]
    condition = " || ".join(f'$origin == "{origin}"' for origin in requirement.origins)
    lines = [
        "options:",
        "  responses:",
        '    "204":',
        "      description: CORS preflight",
        "      headers:",
        *(f"        {name}:\n          schema:\n            type: string" for name in header_names),
        "  x-amazon-apigateway-integration:",
        "    type: mock",
        "    requestTemplates:",
        "      application/json: '{\"statusCode\": 204}'",
        "    responses:",
        "      default:",
        '        statusCode: "204"',
        "        responseParameters:",
        *(f"          method.response.header.{name}: \"'{value}'\"" for name, value in parameters),
        "        responseTemplates:",
        "          # The allowed origins, compared as exact strings; others get no",
        "          # Access-Control-Allow-Origin.",
        "          application/json: |",
        '            #set($origin = $input.params("Origin"))',
        f"            #if({condition})",
        "            #set($context.responseOverride.header.Access-Control-Allow-Origin = $origin)",
        "            #end",
    ]
    return "\n".join(lines) + "\n"
