"""A local fake OpenAI-compatible server (127.0.0.1 only) with scripted behaviours."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def completion(content: str, prompt_tokens: int = 11, completion_tokens: int = 3) -> dict[str, Any]:
    return {
        "id": "x",
        "object": "chat.completion",
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}
        ],
        "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens},
    }


class FakeOpenAIServer:
    """Each request consumes the next behaviour; the last one repeats.

    Behaviours: ``("ok", content)``, ``("status", code)`` / ``("status", code, headers)``,
    ``("status_body", code, message)``, ``("sleep", seconds, content)``.
    """

    def __init__(self, behaviours: list[tuple]) -> None:
        self.behaviours = list(behaviours)
        self.requests: list[dict[str, Any]] = []
        self._i = 0
        self._lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                return None

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("content-length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                with outer._lock:
                    outer.requests.append({"path": self.path, "body": body, "headers": dict(self.headers)})
                    b = outer.behaviours[min(outer._i, len(outer.behaviours) - 1)]
                    outer._i += 1
                kind = b[0]
                if kind == "sleep":
                    time.sleep(b[1])
                    self._send(200, completion(b[2]))
                elif kind == "status_body":
                    self._send(b[1], {"detail": b[2]})
                elif kind == "status":
                    headers = b[2] if len(b) > 2 else {}
                    self._send(b[1], {"error": {"message": f"fake {b[1]}"}}, headers)
                else:
                    self._send(200, completion(b[1]))

            def _send(self, code: int, payload: dict, headers: dict | None = None) -> None:
                data = json.dumps(payload).encode()
                try:
                    self.send_response(code)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(data)))
                    for k, v in (headers or {}).items():
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        # a short poll: shutdown() waits for the serving loop to notice it
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def __enter__(self) -> FakeOpenAIServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
