"""A configurable loopback HTTP server for the doctor's tests.

Each route answers a preflight (``OPTIONS`` with ``Access-Control-Request-Method``) and other
requests with a fixed status, header lines written exactly as given (repeated names stay
separate lines) and a body. Every request is recorded, so tests can assert what reached the
server. Runs ``http.server`` in a thread on 127.0.0.1, port 0.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

__all__ = [
    "Answer",
    "LoopbackServer",
    "Received",
    "closed_port",
    "self_signed_context",
    "silent_server",
]


@dataclass(frozen=True)
class Answer:
    status: int = 200
    headers: Sequence[tuple[str, str]] = ()
    body: bytes = b""


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    headers: tuple[tuple[str, str], ...]

    def header(self, name: str) -> str | None:
        values = [v for n, v in self.headers if n.lower() == name.lower()]
        return ", ".join(values) if values else None

    @property
    def is_preflight(self) -> bool:
        return self.method == "OPTIONS" and self.header("Access-Control-Request-Method") is not None


@dataclass
class _Route:
    preflight: Answer
    response: Answer


@dataclass
class LoopbackServer:
    """With ``tls`` (a server-side SSLContext) it speaks https; ``server_names`` records the
    TLS server name (SNI) of each handshake."""

    tls: ssl.SSLContext | None = None
    routes: dict[str, _Route] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)
    server_names: list[str | None] = field(default_factory=list)

    def __post_init__(self) -> None:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                request = Received(self.command, self.path, tuple(self.headers.items()))
                server.received.append(request)
                route = server.routes.get(self.path.split("?", 1)[0])
                if route is None:
                    answer = Answer(404, (("Content-Type", "text/plain"),), b"no such route")
                else:
                    answer = route.preflight if request.is_preflight else route.response
                try:
                    reason = HTTPStatus(answer.status).phrase
                except ValueError:
                    reason = "Status"
                lines = [f"HTTP/1.1 {answer.status} {reason}"]
                lines += [f"{name}: {value}" for name, value in answer.headers]
                if not any(name.lower() == "content-length" for name, _ in answer.headers):
                    lines.append(f"Content-Length: {len(answer.body)}")
                head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
                body = b"" if self.command == "HEAD" else answer.body
                self.wfile.write(head + body)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_HEAD = _answer

            def handle_one_request(self) -> None:
                # Methods without a do_X (lowercase 'patch', 'chicken') are answered too.
                self.raw_requestline = self.rfile.readline(65537)
                if not self.raw_requestline:
                    self.close_connection = True
                    return
                if not self.parse_request():
                    return
                self._answer()
                self.wfile.flush()

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        if self.tls is not None:
            self.tls.sni_callback = lambda _sock, name, _ctx: server.server_names.append(name)
            self._httpd.socket = self.tls.wrap_socket(self._httpd.socket, server_side=True)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self._thread.start()

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    def route(
        self, path: str, *, preflight: Answer | None = None, response: Answer | None = None
    ) -> str:
        self.routes[path] = _Route(preflight or Answer(), response or Answer())
        return path

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(5)


@contextlib.contextmanager
def silent_server() -> Iterator[int]:
    """A port that accepts TCP connections (in the kernel's backlog) and never answers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        yield sock.getsockname()[1]


def closed_port() -> int:
    """A loopback port nothing listens on (bound then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def self_signed_context(host: str, directory: str) -> ssl.SSLContext:
    """A server context with a fresh self-signed certificate for ``host`` (openssl CLI)."""
    cert, key = f"{directory}/cert.pem", f"{directory}/key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "1",
            "-subj",
            f"/CN={host}",
            "-addext",
            f"subjectAltName=DNS:{host}",
            "-keyout",
            key,
            "-out",
            cert,
        ],
        check=True,
        capture_output=True,
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context
