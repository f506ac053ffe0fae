"""Real servers configured with a generated fix, on 127.0.0.1, for the live tests.

Each ``start_*`` function takes a :class:`~crossorigin.doctor.fixes.Fix`, writes its snippet
where the fix says it goes into a minimal application or server configuration in a temporary
directory, starts the real server as a child process on a free loopback port and returns a
:class:`RunningServer` (a context manager that stops it). Web servers (nginx, Apache, Caddy)
proxy to :class:`Backend`, an application with no CORS handling of its own.

Every application answers ``/data`` for any method with ``{"method": ..., "authorization":
...}`` and the response header ``X-Total: 42``.
"""

from __future__ import annotations

import contextlib
import getpass
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from crossorigin.doctor.fixes import Fix

__all__ = [
    "PEERS",
    "Backend",
    "RunningServer",
    "ServerStartError",
    "check_web_server_configuration",
    "free_port",
    "missing_tool",
    "start_apache",
    "start_caddy",
    "start_django",
    "start_express",
    "start_fastapi",
    "start_flask",
    "start_nestjs",
    "start_nginx",
    "start_starlette",
]

PEERS = Path(__file__).resolve().parent.parent / "peers"
APACHE_MODULES = Path("/usr/lib/apache2/modules")
STARTUP_TIMEOUT = 30.0


class ServerStartError(RuntimeError):
    """The server did not start listening; the message carries its output."""


def free_port() -> int:
    """A port nothing listens on right now (bind to port 0, read it, release it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def missing_tool(stack: str) -> str | None:
    """Why ``stack`` cannot run here, or None when it can."""
    needs = {
        "nginx": ["nginx"],
        "apache": ["apache2"],
        "caddy": ["caddy"],
        "express": ["node"],
        "nestjs": ["node"],
    }
    for tool in needs.get(stack, []):
        if _which(tool) is None:
            return f"{tool} is not installed (scripts/setup installs it)"
    if stack in ("express", "nestjs") and not (PEERS / "node_modules").is_dir():
        return "tests/peers/node_modules is missing (run: cd tests/peers && npm ci)"
    if stack == "apache" and not (APACHE_MODULES / "mod_headers.so").exists():
        return f"Apache modules are not in {APACHE_MODULES}"
    return None


def _which(tool: str) -> str | None:
    # nginx and apache2 live in /usr/sbin, which is not always on PATH.
    return shutil.which(tool) or shutil.which(tool, path="/usr/sbin:/usr/local/sbin")


@dataclass
class RunningServer:
    """A child process listening on 127.0.0.1:``port``; stopping it kills its process group."""

    name: str
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path
    extra_logs: Sequence[Path] = field(default_factory=tuple)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/data"

    @property
    def browser_url(self) -> str:
        """The URL as the page fetches it (Chromium resolves only *.test names, to 127.0.0.1)."""
        return f"http://api.test:{self.port}/data"

    def output(self) -> str:
        texts = []
        for path in (self.log_path, *self.extra_logs):
            if path.exists():
                texts.append(f"--- {path.name}\n{path.read_text(errors='replace')[-4000:]}")
        return "\n".join(texts)

    def stop(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)

    def __enter__(self) -> RunningServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _start(
    name: str,
    argv: Sequence[str],
    port: int,
    directory: Path,
    *,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    extra_logs: Sequence[Path] = (),
) -> RunningServer:
    log_path = directory / f"{name}.out"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            list(argv),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=cwd or directory,
            env={**os.environ, **(env or {})},
            start_new_session=True,  # its own process group, so stop() reaches workers too
        )
    server = RunningServer(name, port, process, log_path, extra_logs)
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerStartError(f"{name} exited with {process.returncode}:\n{server.output()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return server
        except OSError:
            time.sleep(0.05)
    server.stop()
    raise ServerStartError(f"{name} did not listen on {port}:\n{server.output()}")


class Backend:
    """An application behind the web servers: no CORS handling at all, answers /data.

    ``methods`` records the method of every request that reached it.
    """

    def __init__(self) -> None:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _BackendHandler)
        self._server.daemon_threads = True
        self.methods: list[str] = []
        self._server.received = self.methods  # type: ignore[attr-defined]
        self.port: int = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/data"

    @property
    def browser_url(self) -> str:
        return f"http://api.test:{self.port}/data"

    def __enter__(self) -> Backend:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


class _BackendHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _answer(self) -> None:
        self.server.received.append(self.command)  # type: ignore[attr-defined]
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        body = json.dumps(
            {"method": self.command, "authorization": self.headers.get("Authorization")}
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("X-Total", "42")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _answer

    def log_message(self, format: str, *args: object) -> None:
        pass


# --- Web servers -------------------------------------------------------------------------


def _indent(text: str, prefix: str) -> str:
    return textwrap.indent(text.rstrip("\n"), prefix, lambda line: bool(line.strip())) + "\n"


@dataclass(frozen=True)
class _Configured:
    """A written configuration: how to test it, how to run it, and where it logs."""

    port: int
    check: list[str]
    run: list[str]
    path: Path
    logs: tuple[Path, ...] = ()
    env: dict[str, str] = field(default_factory=dict)


def _nginx(fix: Fix, directory: Path, backend_port: int) -> _Configured:
    http_part, location_part = (part.text for part in fix.parts)
    port = free_port()
    error_log = directory / "nginx-error.log"
    # Workers run as the current user; the master switches to `user` only when it is root.
    user = f"user {getpass.getuser()};\n" if os.geteuid() == 0 else ""
    temp = directory / "nginx-temp"
    temp.mkdir(exist_ok=True)
    config = (
        f"{user}worker_processes 1;\n"
        f"pid {directory / 'nginx.pid'};\n"
        f"error_log {error_log} warn;\n"
        "events { worker_connections 64; }\n"
        "http {\n"
        "    access_log off;\n"
        + "".join(
            f"    {kind}_temp_path {temp / kind};\n"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        + _indent(http_part, "    ")
        + "    server {\n"
        f"        listen 127.0.0.1:{port};\n"
        "        location / {\n"
        + _indent(location_part, "            ")
        + f"            proxy_pass http://127.0.0.1:{backend_port};\n"
        "        }\n"
        "    }\n"
        "}\n"
    )
    path = directory / "nginx.conf"
    path.write_text(config)
    nginx = _which("nginx") or "nginx"
    argv = [nginx, "-e", str(error_log), "-p", str(directory), "-c", str(path)]
    return _Configured(port, [*argv, "-t"], [*argv, "-g", "daemon off;"], path, (error_log,))


def start_nginx(fix: Fix, directory: Path, backend_port: int) -> RunningServer:
    return _start_configured("nginx", _nginx(fix, directory, backend_port), directory)


def _start_configured(name: str, configured: _Configured, directory: Path) -> RunningServer:
    check_configuration(name, configured, directory)
    return _start(
        name,
        configured.run,
        configured.port,
        directory,
        env=configured.env,
        extra_logs=[*configured.logs, configured.path],
    )


def _apache(fix: Fix, directory: Path, backend_port: int) -> _Configured:
    (vhost_part,) = (part.text for part in fix.parts)
    port = free_port()
    error_log = directory / "apache-error.log"
    modules = ["mpm_event", "authz_core", "headers", "setenvif", "rewrite", "proxy", "proxy_http"]
    config = (
        f"ServerRoot {directory}\n"
        "ServerName 127.0.0.1\n"
        f"Listen 127.0.0.1:{port}\n"
        f"PidFile {directory / 'httpd.pid'}\n"
        f"ErrorLog {error_log}\n"
        "LogLevel warn\n"
        f"Mutex file:{directory} default\n"
        + "".join(
            f"LoadModule {name}_module {APACHE_MODULES / f'mod_{name}.so'}\n" for name in modules
        )
        + _apache_user()
        + f"<VirtualHost 127.0.0.1:{port}>\n"
        + _indent(vhost_part, "    ")
        + f"    ProxyPass / http://127.0.0.1:{backend_port}/\n"
        "</VirtualHost>\n"
    )
    path = directory / "httpd.conf"
    path.write_text(config)
    apache = _which("apache2") or "apache2"
    return _Configured(
        port,
        [apache, "-f", str(path), "-t"],
        [apache, "-f", str(path), "-DFOREGROUND"],
        path,
        (error_log,),
    )


def start_apache(fix: Fix, directory: Path, backend_port: int) -> RunningServer:
    return _start_configured("apache", _apache(fix, directory, backend_port), directory)


def _apache_user() -> str:
    """Children keep the current user, except under root, which Apache refuses to serve as:
    then they become www-data (or nobody), and only the parent writes the logs."""
    if os.geteuid() != 0:
        return ""
    import pwd

    for name in ("www-data", "nobody"):
        with contextlib.suppress(KeyError):
            entry = pwd.getpwnam(name)
            return f"User {name}\nGroup #{entry.pw_gid}\n"
    return ""


def _caddy(fix: Fix, directory: Path, backend_port: int) -> _Configured:
    (site_part,) = (part.text for part in fix.parts)
    port = free_port()
    config = (
        "{\n"
        "\tadmin off\n"
        "\tauto_https off\n"
        "\tdefault_bind 127.0.0.1\n"
        f"\tstorage file_system {directory / 'caddy-data'}\n"
        "\tlog {\n\t\toutput discard\n\t}\n"
        "}\n\n"
        f"http://:{port} {{\n"
        + _indent(site_part, "\t")
        + f"\treverse_proxy 127.0.0.1:{backend_port}\n"
        "}\n"
    )
    path = directory / "Caddyfile"
    path.write_text(config)
    # Caddy keeps state under $HOME / XDG directories: point them into the temp dir.
    env = {
        "HOME": str(directory),
        "XDG_DATA_HOME": str(directory / "xdg-data"),
        "XDG_CONFIG_HOME": str(directory / "xdg-config"),
    }
    caddy = _which("caddy") or "caddy"
    common = ["--config", str(path), "--adapter", "caddyfile"]
    return _Configured(port, [caddy, "validate", *common], [caddy, "run", *common], path, (), env)


def start_caddy(fix: Fix, directory: Path, backend_port: int) -> RunningServer:
    return _start_configured("caddy", _caddy(fix, directory, backend_port), directory)


def check_web_server_configuration(stack: str, fix: Fix, directory: Path) -> None:
    """Write the configuration ``start_<stack>`` would run and let the server's own parser
    check it (nginx -t, apache2 -t, caddy validate), without starting it."""
    build = {"nginx": _nginx, "apache": _apache, "caddy": _caddy}[stack]
    check_configuration(stack, build(fix, directory, free_port()), directory)


def check_configuration(name: str, configured: _Configured, directory: Path) -> None:
    """Run the server's own configuration test, so a bad snippet fails with its message."""
    result = subprocess.run(
        configured.check,
        capture_output=True,
        text=True,
        cwd=directory,
        env={**os.environ, **configured.env},
        check=False,
        timeout=60,
    )
    if result.returncode != 0:
        raise ServerStartError(
            f"{name} rejected the configuration:\n{result.stdout}{result.stderr}\n"
            f"--- {configured.path.name}\n{configured.path.read_text()}"
        )


# --- Python frameworks ---------------------------------------------------------------------

_ROUTE_DOC = "/data answers every method with the method, the Authorization header, X-Total: 42"


def _python(module_dir: Path) -> dict[str, str]:
    """Environment for a child Python that imports the generated app from ``module_dir``."""
    path = os.pathsep.join(filter(None, [str(module_dir), os.environ.get("PYTHONPATH")]))
    return {"PYTHONPATH": path, "PYTHONDONTWRITEBYTECODE": "1"}


def _uvicorn(name: str, module: str, directory: Path) -> RunningServer:
    port = free_port()
    argv = [
        sys.executable,
        "-m",
        "uvicorn",
        f"{module}:app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
    ]
    return _start(name, argv, port, directory, env=_python(directory))


def _waitress(name: str, target: str, directory: Path, env: dict[str, str]) -> RunningServer:
    port = free_port()
    argv = [sys.executable, "-m", "waitress", f"--listen=127.0.0.1:{port}", target]
    return _start(name, argv, port, directory, env={**_python(directory), **env})


def start_fastapi(fix: Fix, directory: Path) -> RunningServer:
    source = (
        f'"""A FastAPI app with the generated fix. {_ROUTE_DOC}."""\n'
        "from fastapi import FastAPI, Request\n"
        "from fastapi.responses import JSONResponse\n\n"
        "app = FastAPI()\n\n" + fix.parts[0].text + "\n\n"
        '@app.api_route("/data", methods=["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH"])\n'
        "async def data(request: Request) -> JSONResponse:\n"
        "    return JSONResponse(\n"
        '        {"method": request.method,\n'
        '         "authorization": request.headers.get("authorization")},\n'
        '        headers={"X-Total": "42"},\n'
        "    )\n"
    )
    (directory / "fastapi_fix_app.py").write_text(source)
    return _uvicorn("fastapi", "fastapi_fix_app", directory)


def start_starlette(fix: Fix, directory: Path) -> RunningServer:
    source = (
        f'"""A Starlette app with the generated fix. {_ROUTE_DOC}."""\n'
        "from starlette.applications import Starlette\n"
        "from starlette.requests import Request\n"
        "from starlette.responses import JSONResponse\n"
        "from starlette.routing import Route\n\n\n"
        "async def data(request: Request) -> JSONResponse:\n"
        "    return JSONResponse(\n"
        '        {"method": request.method,\n'
        '         "authorization": request.headers.get("authorization")},\n'
        '        headers={"X-Total": "42"},\n'
        "    )\n\n\n"
        'routes = [Route("/data", data, methods=["GET", "HEAD", "POST", "PUT", "DELETE"])]\n\n'
        + fix.parts[0].text
        + "\napp = Starlette(routes=routes, middleware=middleware)\n"
    )
    (directory / "starlette_fix_app.py").write_text(source)
    return _uvicorn("starlette", "starlette_fix_app", directory)


def start_flask(fix: Fix, directory: Path) -> RunningServer:
    source = (
        f'"""A Flask app with the generated fix. {_ROUTE_DOC}."""\n'
        "from flask import Flask, jsonify, request\n\n"
        "app = Flask(__name__)\n\n" + fix.parts[0].text + "\n\n"
        '@app.route("/data", methods=["GET", "POST", "PUT", "DELETE", "PATCH"])\n'
        "def data():\n"
        "    response = jsonify(\n"
        '        method=request.method, authorization=request.headers.get("Authorization")\n'
        "    )\n"
        '    response.headers["X-Total"] = "42"\n'
        "    return response\n"
    )
    (directory / "flask_fix_app.py").write_text(source)
    return _waitress("flask", "flask_fix_app:app", directory, {})


def start_django(fix: Fix, directory: Path) -> RunningServer:
    package = directory / "djangofix"
    package.mkdir(exist_ok=True)
    (package / "__init__.py").write_text("")
    settings = (
        '"""Minimal settings; the generated fix is appended at the end, as it says."""\n'
        'SECRET_KEY = "crossorigin-fix-tests"\n'
        "DEBUG = False\n"
        'ALLOWED_HOSTS = ["127.0.0.1", "api.test"]\n'
        'ROOT_URLCONF = "djangofix.urls"\n'
        "USE_TZ = True\n"
        "INSTALLED_APPS = []\n"
        'MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]\n\n' + fix.parts[0].text
    )
    (package / "settings.py").write_text(settings)
    (package / "urls.py").write_text(
        f'"""{_ROUTE_DOC}."""\n'
        "from django.http import JsonResponse\n"
        "from django.urls import path\n\n\n"
        "def data(request):\n"
        "    response = JsonResponse(\n"
        '        {"method": request.method,\n'
        '         "authorization": request.headers.get("Authorization")}\n'
        "    )\n"
        '    response["X-Total"] = "42"\n'
        "    return response\n\n\n"
        'urlpatterns = [path("data", data)]\n'
    )
    (package / "wsgi.py").write_text(
        "from django.core.wsgi import get_wsgi_application\n\n"
        "application = get_wsgi_application()\n"
    )
    env = {"DJANGO_SETTINGS_MODULE": "djangofix.settings"}
    return _waitress("django", "djangofix.wsgi:application", directory, env)


# --- Node ------------------------------------------------------------------------------------


def _node(name: str, script: str, fix: Fix, directory: Path) -> RunningServer:
    fix_file = directory / f"{name}-fix.js"
    fix_file.write_text(fix.parts[0].text)
    port = free_port()
    node = _which("node") or "node"
    argv = [node, str(PEERS / script), str(port), str(fix_file)]
    return _start(name, argv, port, directory, cwd=PEERS)


def start_express(fix: Fix, directory: Path) -> RunningServer:
    return _node("express", "express_server.js", fix, directory)


def start_nestjs(fix: Fix, directory: Path) -> RunningServer:
    return _node("nestjs", "nest_server.js", fix, directory)


@contextlib.contextmanager
def temporary_directory(prefix: str) -> Iterator[Path]:
    """A fresh directory every server user can read (servers may drop privileges)."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix=prefix) as name:
        path = Path(name)
        path.chmod(0o755)
        yield path
