"""The cyclic garbage collector and consultations.

A consultation makes no reference cycles (a test checks this): everything it allocates
is freed by reference counting, so the cyclic collector never finds garbage in it. What
the collector does cost is its full collections, which rescan everything alive: the
Rete networks (hundreds of thousands of objects that live as long as the process) and
every Design a caller keeps. Three remedies, none imposed on a host (each is asked for):

- `freeze_heap()`: for processes that are Aanpakwijzer (the CLI, the server, batch
  workers) or hosts that ask for it (`Advisor(freeze_heap=True)`): after each engine is
  built, what is alive moves out of the collector's view. A frozen heap never frees
  what was alive at that moment, so an Advisor that freezes should live as long as the
  process.
- `pause_collector()` / `collector_paused()`: while a consultation runs
  (`Advisor(pause_collector=True)`: its `consult` and `questions`) or a batch of them
  (`Advisor.consult_all`), the collector is off. A collection inside a
  consultation finds nothing to free (the run's tokens are all alive) and only makes
  that one consultation slow: the tail at 8x the rules. The collection the allocations
  have earned runs at the first allocation after the pause, in the caller's code; in a
  batch the Designs made so far are not rescanned again and again. The host's setting
  comes back when the pause ends, also on an error. The collector is global: while any
  thread is paused it is off for every thread, and with several threads consulting
  without a break it seldom runs at all (measured: 14 collections in 5 s instead of
  918), so a per-consultation pause is for processes that consult in one thread; an
  explicit `gc.collect()` always runs.
"""
from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_pauses = 0                 # pauses running now, in any thread
_paused_by_us = False       # whether the first of them turned the collector off


def freeze_heap() -> None:
    """Move what is alive now (the warm Rete networks) out of the cyclic collector's view;
    otherwise every full collection rescans them: a 40-150 ms pause in the middle of some
    consultation, growing with the rules."""
    gc.collect()
    gc.freeze()


def pause_collector() -> None:
    """Turn the cyclic collector off until the matching `resume_collector()`. It
    allocates nothing (nor does calling it): a collection that an allocation would
    trigger here is one the caller owes, and it would land inside the consultation the
    pause is meant to keep clear. Hence plain calls (also on the lock), not a `with`,
    whose bound __enter__ and __exit__ are allocations."""
    global _pauses, _paused_by_us
    _lock.acquire()
    try:
        if _pauses == 0:
            _paused_by_us = gc.isenabled()
            gc.disable()
        _pauses += 1
    finally:
        _lock.release()


def resume_collector() -> None:
    """End a pause; the last one to end gives the host's setting back."""
    global _pauses, _paused_by_us
    with _lock:
        _pauses -= 1
        if _pauses == 0 and _paused_by_us:
            gc.enable()
            _paused_by_us = False


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic collections while the block runs; the collector's state before it is
    restored afterwards (a host that had turned it off keeps it off)."""
    pause_collector()
    try:
        yield
    finally:
        resume_collector()
