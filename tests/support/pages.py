"""A blank HTML page on 127.0.0.1 for every Host, so one server is many page origins.

Chromium reaches every ``*.test`` name at 127.0.0.1 (the host-resolver rules of
notes/TEAM.md), so the page "at" ``http://app.test:PORT`` or ``http://other.test:PORT`` is
served by one :class:`PageServer` on 127.0.0.1:PORT.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

__all__ = ["PAGE", "PageServer"]

PAGE = b"<!doctype html><meta charset=utf-8><title>page</title>"


class _PageHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(PAGE)))
        self.end_headers()
        self.wfile.write(PAGE)

    def log_message(self, format: str, *args: object) -> None:
        return


class PageServer:
    """Serves :data:`PAGE` at every path, on 127.0.0.1 and a free port, whatever the Host."""

    def __init__(self) -> None:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _PageHandler)
        self._server.daemon_threads = True
        self.port: int = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def origin(self, host: str = "app.test") -> str:
        return f"http://{host}:{self.port}"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
