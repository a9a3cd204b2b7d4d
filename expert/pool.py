"""A bounded pool of warm Advisors for a server process.

An `Advisor` holds experta engines that are not thread-safe: it refuses a second
thread with `AdvisorBusy`. A web server runs requests on many threads, so each
request borrows an Advisor from this pool and gives it back when done. An Advisor
is in the pool or lent to exactly one request, never both, so AdvisorBusy cannot
happen. When every Advisor is lent, a request waits (up to `timeout` seconds) and
then gets `PoolExhausted`, which the API answers with 503 instead of queueing
without bound.
"""
from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from .engine import Advisor
from .vocabulary import vocabulary


class PoolExhausted(RuntimeError):
    """No Advisor became free within the pool's timeout."""


class AdvisorPool:
    def __init__(self, size: int = 2, timeout: float = 10.0, freeze_heap: bool = False):
        if size < 1:
            raise ValueError("a pool needs at least one Advisor")
        self.size = size
        self.timeout = timeout
        self._free: queue.LifoQueue[Advisor] = queue.LifoQueue()
        self._lock = threading.Lock()
        self._created = 0
        self._freeze_heap = freeze_heap

    def _new(self) -> Advisor:
        with self._lock:
            if self._created >= self.size:
                raise RuntimeError("pool is full")
            self._created += 1
        return Advisor(freeze_heap=self._freeze_heap)

    def warm(self) -> None:
        """Create every Advisor and build each target group's engine, so the first
        requests are as fast as the rest."""
        groups = list(vocabulary().fields["target_group"]["values"])
        while self._created < self.size:
            advisor = self._new()
            for group in groups:
                advisor.engine(group)
            self._free.put(advisor)

    @contextmanager
    def advisor(self) -> Iterator[Advisor]:
        """Borrow an Advisor for one request (created lazily up to `size`)."""
        try:
            advisor = self._free.get_nowait()
        except queue.Empty:
            advisor = None
            if self._created < self.size:
                try:
                    advisor = self._new()
                except RuntimeError:      # another thread took the last slot
                    advisor = None
            if advisor is None:
                try:
                    advisor = self._free.get(timeout=self.timeout)
                except queue.Empty:
                    raise PoolExhausted(f"all {self.size} advisors are busy") from None
        try:
            yield advisor
        finally:
            self._free.put(advisor)

    def consult(self, situation: Any, lang: str = "nl") -> Any:
        with self.advisor() as advisor:
            return advisor.consult(situation, lang)
