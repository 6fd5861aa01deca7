"""The HTTP side of the metrics: ``/metrics`` (Prometheus text) and nothing else, served by a fixed pool
of worker threads. Each connection gets one request and ``timeout_s`` seconds for every read, so idle or
slow clients cost at most ``workers`` threads and ``queue_size`` waiting sockets; connections beyond
those are closed at once. Any other path is 404, any other method 501. No Qt here."""

from __future__ import annotations

import logging
import queue
import socket
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import urlsplit

from prometheus_client import CONTENT_TYPE_LATEST

log = logging.getLogger(__name__)

PATH = "/metrics"
WORKERS = 4
QUEUE_SIZE = 32
TIMEOUT_S = 5.0
THREAD_PREFIX = "hairtint-metrics"


class _Handler(BaseHTTPRequestHandler):
    server_version = "hairtint"
    protocol_version = "HTTP/1.0"  # one request per connection: no client keeps a worker by keeping alive
    server: PooledServer

    def setup(self) -> None:
        self.timeout = self.server.timeout_s  # type: ignore[misc]  # typeshed calls it a class variable; setup() reads it per instance
        super().setup()

    def do_GET(self) -> None:
        if urlsplit(self.path).path != PATH:
            self.send_error(404, f"only {PATH} is served here")
            return
        body = self.server.text().encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", CONTENT_TYPE_LATEST)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:
        log.debug("metrics %s: " + format, self.address_string(), *args)


class PooledServer(HTTPServer):
    """An HTTP server whose requests are handled by ``workers`` threads; ``text()`` gives the body of
    ``/metrics``. Starts serving at once (on a thread of its own); :meth:`close` stops everything."""

    request_queue_size = 64  # the listen backlog: a burst of connections is accepted (and refused) quickly

    def __init__(self, address: str, port: int, text: Callable[[], str], *, workers: int = WORKERS,
                 queue_size: int = QUEUE_SIZE, timeout_s: float = TIMEOUT_S):
        self.address_family = socket.AF_INET6 if ":" in address else socket.AF_INET
        self.text, self.timeout_s = text, timeout_s
        self._queue: queue.Queue = queue.Queue(maxsize=queue_size)
        self._count = threading.Condition()
        self.connections = 0  # accepted so far (handled or refused)
        self.refused = 0  # closed at once: every worker busy and the queue full
        self.handled = 0  # taken by a worker and done with (answered, timed out or gone)
        super().__init__((address, port), _Handler)
        self._threads = [threading.Thread(target=self._work, name=f"{THREAD_PREFIX}-{i}", daemon=True)
                         for i in range(workers)]
        self._threads.append(threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.5},
                                              name=f"{THREAD_PREFIX}-accept", daemon=True))
        for thread in self._threads:
            thread.start()

    def process_request(self, request, client_address) -> None:
        try:
            self._queue.put_nowait((request, client_address))
        except queue.Full:
            self.refused += 1
            self.shutdown_request(request)
        with self._count:
            self.connections += 1
            self._count.notify_all()

    def wait_for_connections(self, count: int, timeout: float) -> bool:
        """Block until ``count`` connections were accepted (True) or ``timeout`` seconds pass (False)."""
        with self._count:
            return self._count.wait_for(lambda: self.connections >= count, timeout)

    def wait_until_idle(self, timeout: float) -> bool:
        """Block until every connection accepted so far was handled or refused (True), or ``timeout``
        seconds pass (False)."""
        with self._count:
            return self._count.wait_for(lambda: self.handled + self.refused >= self.connections, timeout)

    def _work(self) -> None:
        while (item := self._queue.get()) is not None:
            request, client_address = item
            try:
                self.finish_request(request, client_address)
            except Exception as exc:  # noqa: BLE001  a client that went away mid-answer
                log.debug("metrics request from %s failed: %s", client_address, exc)
            finally:
                self.shutdown_request(request)
                with self._count:
                    self.handled += 1
                    self._count.notify_all()

    def close(self, timeout: float = 2.0) -> None:
        self.shutdown()
        self.server_close()
        while True:  # sockets still waiting for a worker are closed unanswered
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if item is not None:
                self.shutdown_request(item[0])
        for _ in self._threads[:-1]:
            self._queue.put(None)
        for thread in self._threads:
            thread.join(timeout)


__all__ = ["PATH", "QUEUE_SIZE", "THREAD_PREFIX", "TIMEOUT_S", "WORKERS", "PooledServer"]
