"""A local HTTP server in the Hugging Face hub's URL layout, for the download tests.

``/{org}/{name}/resolve/{revision}/{path}`` answers HEAD and GET like huggingface.co as
huggingface_hub 0.17.3 reads it: ``X-Repo-Commit``, ``ETag`` (git blob sha1 for small files),
404 with ``X-Error-Code: EntryNotFound`` for a missing file, ``RepositoryNotFound`` for a missing repo.
Weight files (``*.safetensors``, ``*.bin``) behave like LFS files: the resolve URL answers 302 to
``/cdn/<sha256>`` with ``X-Linked-Etag``/``X-Linked-Size``, and the CDN path serves the bytes with
HTTP Range support. ``cut_once`` names files whose first GET is cut off halfway (a dropped connection).
"""
from __future__ import annotations

import hashlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlparse

LFS_SUFFIXES = (".safetensors", ".bin")


class HubServer:
    def __init__(self) -> None:
        self.repos: dict[str, tuple[Path, str]] = {}  # repo_id -> (folder, commit)
        self.log: list[tuple[str, str, str]] = []  # (method, path, Range header)
        self.cut_once: set[str] = set()
        self.ignore_range = False
        self._lock = threading.Lock()
        self._cdn: dict[str, Path] = {}
        handler = self._handler_class()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def add_repo(self, repo_id: str, folder: Path) -> str:
        commit = hashlib.sha1(repo_id.encode() + str(sorted(p.name for p in folder.iterdir())).encode()).hexdigest()
        self.repos[repo_id] = (folder, commit)
        for path in folder.iterdir():
            if path.name.endswith(LFS_SUFFIXES):
                self._cdn[hashlib.sha256(path.read_bytes()).hexdigest()] = path
        return commit

    def start(self) -> "HubServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def gets(self, suffix: str = "") -> list[tuple[str, str, str]]:
        with self._lock:
            return [e for e in self.log if e[0] == "GET" and e[1].endswith(suffix)]

    def _handler_class(self):
        hub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # keep test output quiet
                pass

            def do_HEAD(self) -> None:
                self._serve(head=True)

            def do_GET(self) -> None:
                self._serve(head=False)

            def _send(self, status: int, headers: dict, body: bytes = b"") -> None:
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, str(v))
                if "Content-Length" not in headers:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if body and self.command != "HEAD":
                    self.wfile.write(body)

            def _serve(self, head: bool) -> None:
                path = unquote(urlparse(self.path).path)
                with hub._lock:
                    hub.log.append((self.command, path, self.headers.get("Range", "")))
                if path.startswith("/cdn/"):
                    blob = hub._cdn.get(path[len("/cdn/"):])
                    if blob is None:
                        return self._send(404, {})
                    return self._bytes(blob, head, name=blob.name)
                parts = path.strip("/").split("/")
                if len(parts) < 5 or parts[2] != "resolve":
                    return self._send(404, {"X-Error-Code": "RepositoryNotFound"})
                repo_id, revision, filename = f"{parts[0]}/{parts[1]}", parts[3], "/".join(parts[4:])
                if repo_id not in hub.repos:
                    return self._send(401, {"X-Error-Code": "RepositoryNotFound", "X-Error-Message": "Repository not found"})
                folder, commit = hub.repos[repo_id]
                if revision not in ("main", commit):
                    return self._send(404, {"X-Error-Code": "RevisionNotFound", "X-Error-Message": "Invalid rev id"})
                target = folder / filename
                if not target.is_file():
                    return self._send(404, {"X-Error-Code": "EntryNotFound", "X-Error-Message": "Entry not found",
                                            "X-Repo-Commit": commit})
                data = target.read_bytes()
                if filename.endswith(LFS_SUFFIXES):
                    sha = hashlib.sha256(data).hexdigest()
                    return self._send(302, {
                        "Location": f"{hub.url}/cdn/{sha}",
                        "X-Repo-Commit": commit,
                        "X-Linked-Etag": f'"{sha}"',
                        "X-Linked-Size": len(data),
                        "ETag": '"pointer-etag"',
                        "Content-Length": 0,
                    })
                git_sha = hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()
                return self._bytes(target, head, extra={"X-Repo-Commit": commit, "ETag": f'"{git_sha}"'}, name=filename)

            def _bytes(self, blob: Path, head: bool, extra: dict | None = None, name: str = "") -> None:
                data = blob.read_bytes()
                headers = dict(extra or {})
                start = 0
                rng = self.headers.get("Range")
                status = 200
                if rng and not hub.ignore_range and rng.startswith("bytes=") and rng.endswith("-"):
                    start = int(rng[len("bytes="):-1])
                    if start >= len(data):
                        return self._send(416, {"Content-Range": f"bytes */{len(data)}"})
                    status = 206
                    headers["Content-Range"] = f"bytes {start}-{len(data) - 1}/{len(data)}"
                body = data[start:]
                headers["Content-Length"] = len(body)
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, str(v))
                self.end_headers()
                if head:
                    return
                if name in hub.cut_once and not rng:
                    hub.cut_once.discard(name)
                    self.wfile.write(body[: len(body) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    # Drop the connection: the client sees fewer bytes than Content-Length.
                    import socket

                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                self.wfile.write(body)

        return Handler
