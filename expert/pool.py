"""A bounded pool of warm Advisors for a server process.

An `Advisor` holds experta engines that are not thread-safe: it refuses a second
thread with `AdvisorBusy`. A web server runs requests on many threads, so each
request borrows an Advisor from this pool and gives it back when done. An Advisor
is idle in the pool or lent to exactly one request, never both, so AdvisorBusy cannot
happen. When every Advisor is lent, requests wait in arrival order: a returned Advisor
goes straight to the longest-waiting request (a plain queue lets a newly arrived
request barge ahead, which starves some requests for hundreds of ms under load).
A request that waits longer than `timeout` gets `PoolExhausted` (the API answers 503)
instead of queueing without bound.
"""
from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Optional

from .engine import Advisor
from .heap import freeze_heap
from .vocabulary import vocabulary


class PoolExhausted(RuntimeError):
    """No Advisor became free within the pool's timeout."""


class _Waiter:
    def __init__(self) -> None:
        self.ready = threading.Event()
        self.advisor: Optional[Advisor] = None


class AdvisorPool:
    def __init__(self, size: int = 2, timeout: float = 10.0, freeze_heap: bool = False):
        """`freeze_heap`: for processes that are Aanpakwijzer (the server): the heap is frozen
        after each Advisor is warm (see `heap.freeze_heap`)."""
        if size < 1:
            raise ValueError("a pool needs at least one Advisor")
        self.size = size
        self.timeout = timeout
        self._lock = threading.Lock()
        self._idle: list[Advisor] = []
        self._waiters: deque[_Waiter] = deque()
        self._created = 0
        self._freeze_heap = freeze_heap
        self._warming = False           # a background warm-up is creating the rest

    def _reserve(self) -> bool:
        """Count one more Advisor if the pool has room (call with the lock held)."""
        if self._created >= self.size:
            return False
        self._created += 1
        return True

    def warm(self, count: Optional[int] = None) -> None:
        """Create Advisors (all, or up to `count`) and build each target group's engine,
        so requests never wait for an engine to be built."""
        groups = list(vocabulary().fields["target_group"]["values"])
        target = self.size if count is None else min(self.size, count)
        while True:
            with self._lock:
                if self._created >= target or not self._reserve():
                    return
            advisor = Advisor()
            for group in groups:
                advisor.engine(group)
            if self._freeze_heap:
                freeze_heap()
            self._give_back(advisor)

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
            self._give_back(advisor)

    def _take(self) -> Advisor:
        with self._lock:
            if self._idle and not self._waiters:
                return self._idle.pop()
            create = not self._warming and self._reserve()
            if not create:
                waiter = _Waiter()
                self._waiters.append(waiter)
        if create:
            return Advisor()
        if waiter.ready.wait(self.timeout):
            assert waiter.advisor is not None
            return waiter.advisor
        with self._lock:
            if waiter.advisor is None:          # not handed one in the meantime
                self._waiters.remove(waiter)
                raise PoolExhausted(f"all {self.size} advisors are busy")
        return waiter.advisor

    def _give_back(self, advisor: Advisor) -> None:
        with self._lock:
            if self._waiters:
                waiter = self._waiters.popleft()
                waiter.advisor = advisor
                waiter.ready.set()
            else:
                self._idle.append(advisor)

    def consult(self, situation: Any, lang: str = "nl") -> Any:
        with self.advisor() as advisor:
            return advisor.consult(situation, lang)

    def questions(self, situation: Any, lang: str = "nl", **options: Any) -> Any:
        with self.advisor() as advisor:
            return advisor.questions(situation, lang, **options)

    def review(self, proposal: Any, lang: str = "nl", source: str = "<input>") -> Any:
        from .review import review

        with self.advisor() as advisor:
            return review(advisor, proposal, lang, source=source)

    def review_compare(self, proposals: list[Any], lang: str = "nl", sources: Any = None) -> Any:
        from .review import compare

        with self.advisor() as advisor:
            return compare(advisor, proposals, lang, sources=sources)
