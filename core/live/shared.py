"""Everything the live runner's threads share, each behind its own lock: the mailbox into the
processing loop (messages in order, and one slot for frames where the newest wins), the epoch, and the
threads that did not stop in time; and the :class:`Wiring` they are given, which never changes.
Nothing else crosses between the threads."""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from core.live.commands import Captured

if TYPE_CHECKING:  # core.io.sources (OpenCV) is loaded with the first source, not here
    from core.io.sources import Source

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Mail:
    """What one :meth:`Mailbox.take` got: the newest frame (or None), the messages in the order they
    were posted, and ``upto``: how many messages the mailbox had been given up to the last of them."""

    frame: Captured | None
    messages: tuple
    upto: int

    @property
    def empty(self) -> bool:
        return self.frame is None and not self.messages


class Mailbox:
    """The processing loop's inbox. ``put`` a frame: it overwrites one not yet taken (counted in
    ``dropped``), so nothing queues behind a slow pipeline. ``post`` a message (a command or a capture's
    note): messages queue and are never dropped. ``take`` empties both."""

    def __init__(self, posted: int = 0, dropped: int = 0):
        self._cond = threading.Condition()
        self._frame = None
        self._messages: deque = deque()
        self._posted, self._dropped = posted, dropped

    def put(self, frame) -> None:
        with self._cond:
            if self._frame is not None:
                self._dropped += 1
            self._frame = frame
            self._cond.notify_all()

    def post(self, message) -> int:
        """Queue ``message``; its number (messages given so far, this one included)."""
        with self._cond:
            self._messages.append(message)
            self._posted += 1
            self._cond.notify_all()
            return self._posted

    def take(self, timeout: float) -> Mail:
        """Everything there is, waiting up to ``timeout`` seconds for something to come."""
        with self._cond:
            if self._frame is None and not self._messages:
                self._cond.wait(timeout)
            frame, self._frame = self._frame, None
            messages = tuple(self._messages)
            self._messages.clear()
            return Mail(frame, messages, self._posted)

    def clear(self) -> None:
        """Drop the frame not yet taken (messages stay)."""
        with self._cond:
            self._frame = None

    def successor(self) -> Mailbox:
        """An empty mailbox for the next run that goes on counting from this one (what a thread of the
        run before still holds stays in this one)."""
        with self._cond:
            return Mailbox(self._posted, self._dropped)

    @property
    def posted(self) -> int:
        with self._cond:
            return self._posted

    @property
    def dropped(self) -> int:
        with self._cond:
            return self._dropped

    def __len__(self) -> int:  # frames waiting: 0 or 1, never more
        with self._cond:
            return int(self._frame is not None)


class Epoch:
    """A number that moves on with each new source, reset or stop: results of an older one are dropped."""

    def __init__(self):
        self._lock = threading.Lock()
        self._value = 0

    def next(self) -> int:
        with self._lock:
            self._value += 1
            return self._value

    @property
    def value(self) -> int:
        with self._lock:
            return self._value


@dataclass(frozen=True)
class Wiring:
    """What the runner's loops are given and share, none of it changing: how a source is opened, where
    events go (``emit``, called on the loops' threads), the clock, the device list and how often a
    missing camera is looked for, and the epoch."""

    opener: Callable[[str], Source]
    emit: Callable
    clock: Callable[[], float]
    cameras: Callable[[], list[int]] | None
    camera_poll_s: float
    epoch: Epoch


class Stuck:
    """Threads that did not end within their time (a driver stuck in ``read()``): let go, kept here."""

    def __init__(self):
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []

    def join(self, thread: threading.Thread, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for ``thread``; False (and kept here) when it is still running."""
        thread.join(timeout)
        if not thread.is_alive():
            return True
        log.warning("thread %s did not stop within %.1f s", thread.name, timeout)
        with self._lock:
            self._threads.append(thread)
        return False

    @property
    def threads(self) -> list[threading.Thread]:
        with self._lock:
            return list(self._threads)


__all__ = ["Epoch", "Mail", "Mailbox", "Stuck", "Wiring"]
