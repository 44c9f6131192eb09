"""The node's local status API: a tiny HTTP server on 127.0.0.1, in a thread of the serving process.

``GET /health`` → ``{"status": "ok" | "loading" | "error", "state": <node state>, "reason": str | null}``
(HTTP 200 for ok and loading, 503 for error). ``GET /status`` → the node's full status object (see
:meth:`core.node.Node.status`). Anything else is 404. Standard library only, so ``core`` stays light to import;
bound to the loopback interface only: it is for this computer's GUI and the ``status`` command.
"""
from __future__ import annotations

import errno
import http.server
import json
import logging
import threading
from typing import Callable, Optional

log = logging.getLogger(__name__)

DEFAULT_STATUS_PORT = 31331
LOOPBACK = "127.0.0.1"


class StatusApiError(RuntimeError):
    """The API could not start; ``str()`` is a sentence for a person."""


class _Handler(http.server.BaseHTTPRequestHandler):
    server: "_Server"

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        path = self.path.split("?", 1)[0].rstrip("/") or "/"
        try:
            if path == "/health":
                body = self.server.health()
                code = 503 if body.get("status") == "error" else 200
            elif path == "/status":
                body, code = self.server.status(), 200
            else:
                body, code = {"error": "not found", "paths": ["/health", "/status"]}, 404
        except Exception as exc:  # noqa: BLE001 - a status read must never take the node down
            log.exception("status API request failed")
            body, code = {"error": str(exc)}, 500
        payload = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, fmt: str, *args) -> None:
        log.debug("status API: " + fmt, *args)


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = False  # a second node on the same port must fail, not share it

    def __init__(self, address, health: Callable[[], dict], status: Callable[[], dict]) -> None:
        self.health, self.status = health, status
        super().__init__(address, _Handler)


class StatusApi:
    """Bind at construction (so a busy port fails before anything heavy starts); serve after :meth:`start`."""

    def __init__(self, port: int, health: Callable[[], dict], status: Callable[[], dict], host: str = LOOPBACK) -> None:
        if host not in (LOOPBACK, "localhost", "::1"):
            raise StatusApiError("The status API only listens on this computer (127.0.0.1).")
        try:
            self._server = _Server((host, port), health, status)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise StatusApiError(
                    f"Port {port} on this computer is already in use by another program, so the node's status "
                    f"page cannot start. Close the other program (or another running node), or choose a "
                    f"different status port."
                ) from exc
            raise StatusApiError(f"The status page could not listen on {host}:{port}: {exc.strerror or exc}.") from exc
        self._thread: Optional[threading.Thread] = None

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.2}, name="status-api", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(2)
            self._thread = None
        self._server.server_close()
