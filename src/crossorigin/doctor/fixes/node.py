"""Node.js: Express with the ``cors`` package, and NestJS (``app.enableCors``, the same package)."""

from __future__ import annotations

from crossorigin.doctor.fixes.common import AUTH_ORDER_NOTE, requirement_notes
from crossorigin.doctor.fixes.literals import quoted_list
from crossorigin.doctor.fixes.model import Fix, Snippet
from crossorigin.doctor.fixes.requirement import Requirement

__all__ = ["express", "nestjs"]

_PRIVATE_NETWORK_MIDDLEWARE = """\
// Private Network Access preflights: the cors package does not answer them.
app.use((req, res, next) => {
  const privateNetwork = req.headers["access-control-request-private-network"];
  if (req.method === "OPTIONS" && privateNetwork === "true") {
    res.setHeader("Access-Control-Allow-Private-Network", "true");
  }
  next();
});
"""


def cors_options(requirement: Requirement, indent: str) -> str:
    """The options object of the ``cors`` package, one option a line.

    Every option is explicit because the package's defaults are wide open: ``origin`` defaults
    to ``*``, ``methods`` to six methods and ``allowedHeaders`` to reflecting whatever the
    preflight asks for.
    """
    methods = requirement.preflight_methods
    lines = [
        "{",
        "  // Exact origins: any other gets no Access-Control-Allow-Origin.",
        f"  origin: {quoted_list(requirement.origins)},",
    ]
    if methods:
        lines.append(f"  methods: {quoted_list(methods)},")
    else:
        lines.append("  methods: [],  // only GET/HEAD/POST, which browsers always allow")
    lines.append(
        f"  allowedHeaders: {quoted_list(requirement.request_headers)},"
        + ("" if requirement.request_headers else "  // never reflect what the preflight asks")
    )
    if requirement.credentials:
        lines.append("  credentials: true,")
    if requirement.expose_headers:
        lines.append(f"  exposedHeaders: {quoted_list(requirement.expose_headers)},")
    if requirement.max_age is not None:
        lines.append(f"  maxAge: {requirement.max_age},")
    lines.append("}")
    return ("\n" + indent).join(lines)


def _shared_notes(requirement: Requirement) -> list[str]:
    notes = [
        "Origins are compared as exact strings. Never use origin: true or a function that "
        'returns true (it reflects every origin), never origin: "*" with credentials, and no '
        "RegExp (the README's /example\\.com$/ also matches https://evil-example.com).",
    ]
    if not requirement.request_headers:
        notes.append(
            "allowedHeaders is set to [] on purpose: when it is missing the cors package "
            "reflects any Access-Control-Request-Headers back."
        )
    return notes


def express(requirement: Requirement) -> Fix:
    prelude = _PRIVATE_NETWORK_MIDDLEWARE + "\n" if requirement.private_network else ""
    text = (
        'const cors = require("cors");\n\n'
        + prelude
        + f"const corsOptions = {cors_options(requirement, '')};\n\n"
        + "// Before every router and before any authentication middleware.\n"
        + "app.use(cors(corsOptions));\n"
    )
    notes = [
        AUTH_ORDER_NOTE,
        *_shared_notes(requirement),
        "app.use(cors(...)) answers every OPTIONS request itself with 204 (not only CORS "
        "preflights); set preflightContinue: true if a route of yours must handle OPTIONS.",
        *requirement_notes(requirement),
    ]
    return Fix(
        stack="express",
        title="Express: the cors middleware package",
        parts=(
            Snippet(
                where="the app's entry file, right after `const app = express()` "
                "(npm install cors)",
                language="javascript",
                text=text,
            ),
        ),
        notes=tuple(notes),
    )


def nestjs(requirement: Requirement) -> Fix:
    prelude = _PRIVATE_NETWORK_MIDDLEWARE + "\n" if requirement.private_network else ""
    text = prelude + f"app.enableCors({cors_options(requirement, '')});\n"
    notes = [
        "enableCors registers the cors middleware at once: call it before any app.use() that "
        "checks authentication. Guards and interceptors run later, so they never see "
        "preflights.",
        *_shared_notes(requirement),
        "On the Fastify platform the same options go to @fastify/cors; origin as an array of "
        "exact strings behaves the same.",
        *requirement_notes(requirement),
    ]
    alternative = Snippet(
        title="The same options when the app is created",
        where="src/main.ts",
        language="typescript",
        text="const app = await NestFactory.create(AppModule, {\n"
        f"  cors: {cors_options(requirement, '  ')},\n"
        "});\n",
    )
    return Fix(
        stack="nestjs",
        title="NestJS: app.enableCors",
        parts=(
            Snippet(
                where="src/main.ts, after `const app = await NestFactory.create(AppModule)` "
                "and before `app.listen()`",
                language="typescript",
                text=text,
            ),
        ),
        notes=tuple(notes),
        alternatives=(alternative,),
    )
