"""Every snippet parses in its own language, with the real parser wherever one is installed.

nginx, Apache and Caddy parse their configurations for several requirement shapes (the live
tests run one). Node for
JavaScript/TypeScript-compatible snippets, CPython for Python, javac for Java (against stubs
of the few Spring types the snippets use, with Spring's real signatures), ``bash -n`` for shell,
``json`` for JSON. C#, Go and Ruby have no parser here: their brackets must balance.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest

from crossorigin.doctor.fixes import STACKS, Requirement, Snippet, fix_for
from tests.fixes.servers import check_web_server_configuration, missing_tool, temporary_directory

REQUIREMENTS = {
    "credentialed": Requirement(
        origins=("https://app.example.com", "http://localhost:5173"),
        methods=("PUT", "DELETE"),
        request_headers=("Authorization", "Content-Type"),
        credentials=True,
        expose_headers=("X-Total-Count",),
        max_age=600,
        private_network=True,
    ),
    "simple": Requirement(origins=("https://app.example.com",)),
}


def snippets(*languages: str) -> list[tuple[str, str, Snippet]]:
    """(stack, requirement label, snippet) for every part and alternative in ``languages``."""
    found = []
    for stack in STACKS:
        for label, requirement in REQUIREMENTS.items():
            fix = fix_for(stack, requirement)
            for snippet in (*fix.parts, *fix.alternatives):
                if snippet.language in languages:
                    found.append((stack, label, snippet))
    return found


def ids(cases: list[tuple[str, str, Snippet]]) -> list[str]:
    return [
        f"{stack}-{label}-{snippet.title or snippet.where[:20]}" for stack, label, snippet in cases
    ]


JS = snippets("javascript", "typescript")
PYTHON = snippets("python")


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
@pytest.mark.parametrize(("stack", "label", "snippet"), JS, ids=ids(JS))
def test_javascript_parses(stack: str, label: str, snippet: Snippet, tmp_path: Path) -> None:
    text = snippet.text
    # Snippets that use `app` or top-level await run inside the user's module: wrap them the
    # way their surroundings would (an async function with `app` in scope).
    if "import " in text or "export " in text:
        path = tmp_path / "snippet.mjs"
    else:
        path = tmp_path / "snippet.js"
        scope = "AppModule, NestFactory" if "const app " in text else "app"
        text = f"async function surroundings({scope}) {{\n{text}\n}}\n"
    path.write_text(text)
    result = subprocess.run(
        ["node", "--check", str(path)], capture_output=True, text=True, check=False, timeout=30
    )
    assert result.returncode == 0, result.stderr + text


@pytest.mark.parametrize(("stack", "label", "snippet"), PYTHON, ids=ids(PYTHON))
def test_python_compiles(stack: str, label: str, snippet: Snippet) -> None:
    compile(snippet.text, f"<{stack}>", "exec")


def test_shell_and_json_parse(tmp_path: Path) -> None:
    for stack, label, snippet in snippets("bash"):
        result = subprocess.run(
            ["bash", "-n"], input=snippet.text, capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, (stack, label, result.stderr)
        # The --cors-configuration argument is a JSON document.
        document = re.search(r"--cors-configuration '(.*)'", snippet.text, re.DOTALL)
        assert document is not None
        configuration = json.loads(document.group(1))
        assert configuration["AllowOrigins"] == list(REQUIREMENTS[label].origins)
    for _, _, snippet in snippets("json"):
        json.loads("{" + snippet.text + "}")  # a package.json member


def test_yaml_is_consistently_indented() -> None:
    """No YAML parser is installed: check the shape the OpenAPI fragment relies on."""
    for stack, _, snippet in snippets("yaml"):
        for line in snippet.text.splitlines():
            indent = len(line) - len(line.lstrip(" "))
            assert "\t" not in line, (stack, line)
            assert indent % 2 == 0, (stack, line)


def balanced(text: str) -> bool:
    """Brackets balance outside string literals and // or # comments."""
    code = re.sub(r'"(?:\\.|[^"\\])*"', '""', text)
    code = re.sub(r"(//|#).*", "", code)
    stack: list[str] = []
    pairs = {")": "(", "]": "[", "}": "{"}
    for char in code:
        if char in "([{":
            stack.append(char)
        elif char in pairs and (not stack or stack.pop() != pairs[char]):
            return False
    return not stack


BRACKETED = snippets("csharp", "go", "ruby", "java")


@pytest.mark.parametrize(("stack", "label", "snippet"), BRACKETED, ids=ids(BRACKETED))
def test_brackets_balance(stack: str, label: str, snippet: Snippet) -> None:
    assert balanced(snippet.text), snippet.text


def test_the_balance_check_catches_an_extra_parenthesis() -> None:
    assert balanced('a.With("x(").Then(b => b.C(1));')
    assert not balanced('a.With("x").Then(b => b.C(1)));')


# Spring's real signatures for the types the snippets use (spring-webmvc 6.x).
SPRING_STUBS = {
    "org/springframework/context/annotation/Configuration.java": """
        package org.springframework.context.annotation;
        public @interface Configuration {}
    """,
    "org/springframework/web/servlet/config/annotation/CorsRegistration.java": """
        package org.springframework.web.servlet.config.annotation;
        public class CorsRegistration {
            public CorsRegistration allowedOrigins(String... origins) { return this; }
            public CorsRegistration allowedMethods(String... methods) { return this; }
            public CorsRegistration allowedHeaders(String... headers) { return this; }
            public CorsRegistration exposedHeaders(String... headers) { return this; }
            public CorsRegistration allowCredentials(boolean allowCredentials) { return this; }
            public CorsRegistration allowPrivateNetwork(boolean allow) { return this; }
            public CorsRegistration maxAge(long maxAge) { return this; }
        }
    """,
    "org/springframework/web/servlet/config/annotation/CorsRegistry.java": """
        package org.springframework.web.servlet.config.annotation;
        public class CorsRegistry {
            public CorsRegistration addMapping(String path) { return new CorsRegistration(); }
        }
    """,
    "org/springframework/web/servlet/config/annotation/WebMvcConfigurer.java": """
        package org.springframework.web.servlet.config.annotation;
        public interface WebMvcConfigurer {
            default void addCorsMappings(CorsRegistry registry) {}
        }
    """,
    "org/springframework/web/bind/annotation/RequestMethod.java": """
        package org.springframework.web.bind.annotation;
        public enum RequestMethod { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, TRACE }
    """,
    "org/springframework/web/bind/annotation/CrossOrigin.java": """
        package org.springframework.web.bind.annotation;
        public @interface CrossOrigin {
            String[] origins() default {};
            String[] allowedHeaders() default {};
            String[] exposedHeaders() default {};
            RequestMethod[] methods() default {};
            String allowCredentials() default "";
            String allowPrivateNetwork() default "";
            long maxAge() default -1;
        }
    """,
    "org/springframework/web/bind/annotation/RestController.java": """
        package org.springframework.web.bind.annotation;
        public @interface RestController {}
    """,
}


@pytest.mark.skipif(shutil.which("javac") is None, reason="javac is not installed")
@pytest.mark.parametrize("label", list(REQUIREMENTS))
def test_spring_java_compiles(label: str, tmp_path: Path) -> None:
    for relative, source in SPRING_STUBS.items():
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source))
    fix = fix_for("spring-boot", REQUIREMENTS[label])
    (tmp_path / "CorsConfig.java").write_text(fix.parts[0].text)
    files = [str(tmp_path / "CorsConfig.java")]
    for alternative in fix.alternatives:
        if alternative.text.startswith("@CrossOrigin"):
            (tmp_path / "ApiController.java").write_text(
                "import org.springframework.web.bind.annotation.*;\n\n" + alternative.text
            )
            files.append(str(tmp_path / "ApiController.java"))
    stubs = [str(tmp_path / relative) for relative in SPRING_STUBS]
    result = subprocess.run(
        ["javac", "-d", str(tmp_path / "classes"), *files, *stubs],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr


WEB_SERVER_SHAPES = {
    "credentialed": REQUIREMENTS["credentialed"],
    "simple": REQUIREMENTS["simple"],
    "headers-only preflight, one origin": Requirement(
        origins=("http://localhost:5173",), request_headers=("X-Api-Key",)
    ),
    "methods-only preflight, no credentials": Requirement(
        origins=("https://app.example.com", "https://[::1]:8443"), methods=("DELETE", "PATCH")
    ),
}


@pytest.mark.server
@pytest.mark.parametrize("shape", list(WEB_SERVER_SHAPES))
@pytest.mark.parametrize("stack", ["nginx", "apache", "caddy"])
def test_web_server_configuration_parses_for_every_shape(stack: str, shape: str) -> None:
    """The live tests run one shape; the server's own parser checks the others."""
    reason = missing_tool(stack)
    if reason is not None:
        pytest.skip(reason)
    fix = fix_for(stack, WEB_SERVER_SHAPES[shape])
    with temporary_directory(f"crossorigin-fix-parse-{stack}-") as directory:
        check_web_server_configuration(stack, fix, directory)
