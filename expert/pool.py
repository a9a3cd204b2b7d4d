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
from typing import Any, Optional

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
        self._warming = False           # a background warm-up is creating the rest

    def _new(self) -> Advisor:
        with self._lock:
            if self._created >= self.size:
                raise RuntimeError("pool is full")
            self._created += 1
        return Advisor(freeze_heap=self._freeze_heap)

    def warm(self, count: Optional[int] = None) -> None:
        """Create Advisors (all, or up to `count`) and build each target group's engine,
        so requests never wait for an engine to be built."""
        groups = list(vocabulary().fields["target_group"]["values"])
        target = self.size if count is None else min(self.size, count)
        while self._created < target:
            try:
                advisor = self._new()
            except RuntimeError:          # a request created the last one meanwhile
                return
            for group in groups:
                advisor.engine(group)
            self._free.put(advisor)

    def warm_in_background(self) -> threading.Thread:
        """Warm the Advisors not yet created in a thread (the server is ready with one)."""
        def run() -> None:
            try:
                self.warm()
            finally:
                self._warming = False

        self._warming = True
        thread = threading.Thread(target=run, name="advisor-pool-warm", daemon=True)
        thread.start()
        return thread

    @contextmanager
    def advisor(self) -> Iterator[Advisor]:
        """Borrow an Advisor for one request (created lazily up to `size`, unless a
        warm-up is creating them: then wait for one, rather than build cold engines)."""
        advisor = self._take()
        try:
            yield advisor
        finally:
            self._free.put(advisor)

    def _take(self) -> Advisor:
        try:
            return self._free.get_nowait()
        except queue.Empty:
            pass
        if self._created < self.size and not self._warming:
            try:
                return self._new()
            except RuntimeError:          # another thread took the last slot
                pass
        try:
            return self._free.get(timeout=self.timeout)
        except queue.Empty:
            raise PoolExhausted(f"all {self.size} advisors are busy") from None

    def consult(self, situation: Any, lang: str = "nl") -> Any:
        with self.advisor() as advisor:
            return advisor.consult(situation, lang)
