"""Reading a running app's figures from its metrics address (``hairtint metrics --url``): an http(s)
address only, a bounded answer read within a bounded time, and Prometheus text or a HairTintError
that says in one sentence what came back instead."""

from __future__ import annotations

import http.client
import time
import urllib.error
import urllib.parse
import urllib.request

from core.errors import HairTintError

MAX_BYTES = 4 * 2**20  # the app's own text is a few kB
TIMEOUT_S = 5.0  # to connect, and for each read
DEADLINE_S = 15.0  # for the whole answer (a server that sends a byte at a time)


class MetricsFetchError(HairTintError):
    """A metrics address that gave no Prometheus text: unreachable, refused, too large, too slow, or
    something else entirely (a web page, JSON, binary data)."""


class AppUnreachable(MetricsFetchError):
    """Nothing answered at the metrics address (refused, no route, no such host, timed out): "the app is
    not reachable at URL: why"."""


def read_metrics(url: str, clock=time.monotonic) -> str:
    """The Prometheus text served at ``url``; MetricsFetchError saying why there is none."""
    try:
        scheme = urllib.parse.urlsplit(url).scheme.lower()
    except ValueError as exc:  # e.g. an unclosed [ of an IPv6 address
        raise MetricsFetchError(f"cannot read metrics from {url!r}: {exc}") from None
    if scheme not in ("http", "https"):
        raise MetricsFetchError(f"cannot read metrics from {url!r}: give an http:// address, "
                                "e.g. http://127.0.0.1:9464/metrics")
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_S) as response:
            body = _read_bounded(response, url, clock)
    except MetricsFetchError:
        raise
    except urllib.error.HTTPError as exc:
        raise MetricsFetchError(f"cannot read metrics from {url}: the server answered {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        raise AppUnreachable(f"the app is not reachable at {url}: {exc.reason}") from None
    except OSError as exc:  # e.g. a timeout while reading
        raise AppUnreachable(f"the app is not reachable at {url}: {exc or type(exc).__name__}") from None
    except (ValueError, http.client.HTTPException) as exc:
        raise MetricsFetchError(f"cannot read metrics from {url}: {exc or type(exc).__name__}") from None
    return prometheus_text(body, url)


def _read_bounded(response, url: str, clock) -> bytes:
    parts: list[bytes] = []
    started, size = clock(), 0
    while True:
        part = response.read(64 * 1024)
        if not part:
            return b"".join(parts)
        parts.append(part)
        size += len(part)
        if size > MAX_BYTES:
            raise MetricsFetchError(f"{url} answered with more than {MAX_BYTES // 2**20} MB, which is not the "
                                    "app's metrics")
        if clock() - started > DEADLINE_S:
            raise MetricsFetchError(f"{url} took more than {DEADLINE_S:.0f} s to answer, so its metrics were "
                                    "not read")


def prometheus_text(body: bytes, url: str) -> str:
    """``body`` as Prometheus text with at least one figure; MetricsFetchError naming what it is instead."""
    from core.fleet.telemetry import rows  # lazy: OpenCV (the pipeline's stage names), only to print the table

    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise MetricsFetchError(f"{url} answered with data that is not text, not Prometheus metrics") from None
    try:
        figures = rows(text)
    except Exception as exc:  # noqa: BLE001  the parser's ValueError, and whatever else malformed text provokes
        first = next((line.strip() for line in text.splitlines() if line.strip()), "")
        raise MetricsFetchError(f"{url} answered with something that is not Prometheus metrics text "
                                f"(it begins {first[:60]!r}: {str(exc)[:80]})") from None
    if not figures:
        raise MetricsFetchError(f"{url} answered with no metrics at all")
    return text


__all__ = ["AppUnreachable", "MetricsFetchError", "prometheus_text", "read_metrics"]
